"""``SchemaService``: the schema endpoints' answers on an ``Engine``, without HTTP, and the FQL
a push turns into."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.engine import Engine, Principal
from faunalite.schema import parse_fsl
from faunalite.schema.fsl_diff import schema_changes
from faunalite.schema_sync import SchemaParams, SchemaService, change_query

ROOT = Principal()
NO_PARAMS = SchemaParams()


@pytest.fixture
def service() -> Iterator[SchemaService]:
    engine = Engine()
    yield SchemaService(engine)
    engine.close()


def test_changes_become_one_fql_statement_each() -> None:
    current = list(parse_fsl("collection Old {}\nfunction f() { 1 }\n").items)
    proposed = list(parse_fsl("collection New {}\nfunction f() { 2 }\n").items)
    text, bindings = change_query(schema_changes(current, proposed))
    assert text.splitlines() == [
        "Collection.create(fslItem0)",
        "Function.byName(fslName1)!.replace(fslItem1)",
        "Collection.byName(fslName2)!.delete()",
        "null",
    ]
    assert bindings["fslItem0"]["name"] == "New"
    assert bindings["fslItem1"] == {"name": "f", "body": "() => { 2 }"}
    assert bindings["fslName2"] == "Old"


def test_a_diff_changes_nothing(service: SchemaService) -> None:
    diff = service.diff(ROOT, NO_PARAMS, {"main.fsl": "collection A {}\n"})
    assert diff.body == {"version": 0, "diff": "* Adding collection `A` to main.fsl:1:1\n\n"}
    assert service.files(ROOT, NO_PARAMS).body == {"version": 0, "files": []}


def test_an_update_commits_and_versions_the_schema(service: SchemaService) -> None:
    updated = service.update(ROOT, NO_PARAMS, {"main.fsl": "collection A {}\n"})
    version = updated.body["version"]
    assert isinstance(version, int) and version > 0
    listed = service.files(ROOT, SchemaParams(version=version))
    assert listed.body == {"version": version, "files": [{"filename": "main.fsl"}]}
    stale = service.update(ROOT, SchemaParams(version=version + 1), {})
    assert (stale.status, stale.body) == (
        409,
        {"error": {"message": "Stale schema version provided"}},
    )


def test_access_providers_are_refused(service: SchemaService) -> None:
    text = 'access provider auth0 {\n  issuer "https://example.com/"\n  jwks_uri "https://example.com/jwks"\n}\n'
    refused = service.update(ROOT, NO_PARAMS, {"main.fsl": text})
    assert refused.status == 400
    message = refused.body["error"]
    assert isinstance(message, dict)
    assert str(message["message"]).startswith(
        "error: faunalite does not implement access providers"
    )


def test_an_unknown_database_is_unauthorized(service: SchemaService) -> None:
    reply = service.files(Principal(("nope",)), NO_PARAMS)
    assert reply.status == 401
