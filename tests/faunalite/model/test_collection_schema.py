"""Unit tests of collection declarations: validation, the echoed form and index entries."""

from __future__ import annotations

from typing import Any

from faunalite.fql.values import NULL
from faunalite.model.collection_schema import (
    _UNIQUE_TYPE,
    normalized_definition,
    parse_schema,
    schema_failures,
)
from faunalite.storage.interface import IndexEntry


def _schema(**definition: Any) -> Any:
    assert schema_failures(definition) == []
    return parse_schema(definition)


def test_entries_of_terms_and_values() -> None:
    index = _schema(
        indexes={
            "byName": {"terms": [{"field": "name"}], "values": [{"field": "age", "order": "desc"}]}
        }
    ).indexes["byName"]
    assert index.entries(1, {"data": {"name": "a", "age": 3}}, 0) == [
        IndexEntry(("a",), (3,), (True,))
    ]
    # A missing value is indexed as null; a missing term is not indexed at all.
    assert index.entries(1, {"data": {"name": "a"}}, 0) == [IndexEntry(("a",), (NULL,), (True,))]
    assert index.entries(1, {"data": {"age": 3}}, 0) == []


def test_mva_expands_array_elements_once_each() -> None:
    schema = _schema(
        indexes={
            "byTag": {"terms": [{"field": "tags", "mva": True}]},
            "byWhole": {"terms": [{"field": "tags"}]},
        }
    )
    stored = {"data": {"tags": ["x", "y", "x"]}}
    assert [e.terms for e in schema.indexes["byTag"].entries(1, stored, 0)] == [("x",), ("y",)]
    assert [e.terms for e in schema.indexes["byWhole"].entries(1, stored, 0)] == [
        (["x", "y", "x"],)
    ]
    assert schema.indexes["byTag"].entries(1, {"data": {"tags": []}}, 0) == []


def test_unique_constraints_are_hidden_indexes_named_by_their_fields() -> None:
    first = _schema(constraints=[{"unique": ["name", "address.city"]}])
    second = _schema(constraints=[{"unique": [{"field": "name"}, {"field": "address.city"}]}])
    ((index, paths),) = first.uniques
    assert paths == [["name"], ["address", "city"]]
    assert index.storage_name.startswith("#unique:")
    assert second.uniques[0][0].storage_name == index.storage_name


def test_the_echoed_definition_adds_order_queryable_and_status() -> None:
    echoed = normalized_definition(
        {
            "indexes": {"byAge": {"values": [{"field": "age"}]}},
            "constraints": [{"unique": ["name"]}, {"check": {"name": "a", "body": "(.x)"}}],
        }
    )
    assert echoed["indexes"] == {
        "byAge": {
            "values": [{"field": "age", "order": "asc"}],
            "queryable": True,
            "status": "complete",
        }
    }
    assert echoed["constraints"] == [
        {"unique": ["name"], "status": "active"},
        {"check": {"name": "a", "body": "(.x)"}},
    ]


def test_invalid_declarations() -> None:
    failures = schema_failures(
        {
            "indexes": {
                "a": {"terms": [{"field": ""}]},
                "b": {"terms": [{"field": "id"}], "values": [{"field": "coll"}]},
                "c": {"values": [{"field": "x", "order": "up"}], "other": 1},
                "d": {},
            },
            "constraints": [
                {"check": {"name": "c", "body": "(a, b) => true"}},
                {"check": {"name": "k", "body": "doc => true"}},
                {"check": {"name": "foo bar", "body": "doc => true"}},
                {"unique": "x"},
            ],
            "computed_fields": {"f": {"body": "1 + "}},
        }
    )
    paths = [tuple(path) for path, _ in failures]
    assert ("indexes", "a", "terms", 0, "field") in paths
    assert ("indexes", "b", "terms", 0, "field") in paths
    assert ("indexes", "b", "values", 0, "field") in paths
    assert ("indexes", "c", "values", 0, "order") in paths
    assert ("indexes", "c", "other") in paths
    assert ("indexes", "d") in paths
    assert ("constraints", 0, "check", "body") in paths
    assert ("constraints", 2, "check", "name") in paths
    assert ("constraints", 3, "unique") in paths
    assert ("computed_fields", "f", "body") in paths
    assert ("constraints", 1, "check", "name") not in paths
    assert (["constraints", 2, "check", "name"], "Invalid identifier.") in failures


def test_redundant_constraints_are_refused_once_the_definition_is_well_formed() -> None:
    # FaunaDB's CollectionSchemaHooks.validateCollection: all on the `constraints` path.
    constraints = [
        {"check": {"name": "ok", "body": "doc => true"}},
        {"check": {"name": "ok", "body": "doc => true"}},
        {"check": {"name": "ko", "body": "doc => true"}},
        {"check": {"name": "ko", "body": "doc => true"}},
        {"unique": []},
        {"unique": ["foo", "bar"]},
        {"unique": [".foo", {"field": "bar", "mva": True}]},
        {"unique": ["name"]},
        {"unique": [".['name']"]},
    ]
    assert schema_failures({"constraints": constraints}) == [
        # The order of FaunaDB's hash map of names (its spec expects 'ko' first).
        (["constraints"], "Duplicate check constraint name 'ko'"),
        (["constraints"], "Duplicate check constraint name 'ok'"),
        (["constraints"], "Unique constraints must have at least one term"),
        (["constraints"], "Duplicate unique constraint on path [.foo, .bar]"),
        (["constraints"], "Duplicate unique constraint on path [.name]"),
    ]
    # A malformed definition reports only its malformed parts.
    assert schema_failures({"constraints": [*constraints, {"unique": "x"}]}) == [
        (["constraints", 9, "unique"], f"Expected {_UNIQUE_TYPE}, provided String")
    ]
