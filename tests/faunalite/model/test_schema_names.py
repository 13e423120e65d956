"""Schema names: FaunaDB's identifier rule for databases and roles (``is_valid_name``) and the
``constraint_failure`` a name that breaks it gives."""

from __future__ import annotations

import json

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.model.schema import is_valid_name
from faunalite.wire.request import parse_query_body


def error_of(engine: Engine, query: str) -> object:
    result = engine.run(QueryRequest(body=parse_query_body(json.dumps({"query": query}).encode())))
    return result.body.get("error")


@pytest.mark.parametrize("name", ["a", "_a", "A_1", "app_db", "ifx", "Lettuce"])
def test_identifiers_are_valid_names(name: str) -> None:
    assert is_valid_name(name)


@pytest.mark.parametrize("name", ["bad-name", "1abc", "a b", "", "_", "if", "null", "é", "a.b"])
def test_other_strings_are_not(name: str) -> None:
    assert not is_valid_name(name)


def invalid_identifier(message: str) -> dict[str, object]:
    return {
        "code": "constraint_failure",
        "message": message,
        "constraint_failures": [{"paths": [["name"]], "message": "Invalid identifier."}],
    }


@pytest.mark.parametrize("name", ["bad-name", "1abc", "let"])
def test_a_database_name_must_be_an_identifier(engine: Engine, name: str) -> None:
    error = error_of(engine, f'Database.create({{ name: "{name}" }})')
    assert error == invalid_identifier("Failed to create Database.")
    assert error_of(engine, "Database.create({ name: 'good_name' })") is None
    renamed = error_of(engine, f'Database.byName("good_name")!.update({{ name: "{name}" }})')
    assert renamed == invalid_identifier("Failed to update Database `good_name`.")


def test_a_role_name_must_be_an_identifier(engine: Engine) -> None:
    assert error_of(engine, 'Role.create({ name: "bad-name" })') == invalid_identifier(
        "Failed to create Role."
    )
