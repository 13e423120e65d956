"""An FSL collection as its FQL definition document and back, alone and through the engine."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
from fsl_strategies import collection
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.engine import Engine, QueryRequest
from faunalite.schema import (
    SchemaError,
    collection_definition,
    collection_from_definition,
    parse_fsl,
    print_fsl,
)
from faunalite.schema import fsl_ast as f
from faunalite.wire.request import parse_query_body


def run(engine: Engine, query: str) -> Any:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body, timeout_ms=5000, received_at=time.monotonic()))
    assert result.status == 200, result.body
    return result.body["data"]


def only_collection(text: str) -> f.Collection:
    (item,) = parse_fsl(text).items
    assert isinstance(item, f.Collection)
    return item


def canonical(item: f.Collection) -> f.Collection:
    """``item`` as a definition gives it back: defined fields, then computed, then the
    wildcard; ``history_days 0`` (the default) left implicit."""
    order = {f.DefinedField: 0, f.ComputedField: 1, f.WildcardField: 2}
    fields = tuple(sorted(item.fields, key=lambda field: order[type(field)]))
    history_days = item.history_days or None
    return dataclasses.replace(item, fields=fields, history_days=history_days)


MIGRATING = """\
collection Foo {
  foo: Int | Null
  bar: String
  dump: { *: Any }?
  migrations {
    add .foo
    backfill .foo = 3
    drop .tmp
    move .zzz -> .yyy
    split .yyy -> .bar, .baz
    backfill .bar = ""
    add_wildcard
    move_conflicts .dump
    move_wildcard .dump
  }
}
"""


def test_definition_has_faunadbs_shape() -> None:
    definition = collection_definition(only_collection(MIGRATING))
    assert definition == {
        "name": "Foo",
        "history_days": 0,
        "indexes": {},
        "constraints": [],
        "fields": {
            "foo": {"signature": "Int | Null"},
            "bar": {"signature": "String"},
            "dump": {"signature": "{ *: Any }?"},
        },
        "migrations": [
            {"add": {"field": ".foo"}},
            {"backfill": {"field": ".foo", "value": "3"}},
            {"drop": {"field": ".tmp"}},
            {"move": {"field": ".zzz", "to": ".yyy"}},
            {"split": {"field": ".yyy", "to": [".bar", ".baz"]}},
            {"backfill": {"field": ".bar", "value": '""'}},
            {"add_wildcard": {}},
            {"move_conflicts": {"into": ".dump"}},
            {"move_wildcard": {"into": ".dump"}},
        ],
    }


def test_definition_of_indexes_constraints_and_computed_fields() -> None:
    definition = collection_definition(
        only_collection(
            """
@alias(People)
collection Person {
  *: Any
  compute upper: String = (.name.toUpperCase())
  compute lower = (doc => doc.name.toLowerCase())
  index byName {
    terms [mva(.tags)]
    values [desc(.age), .name]
  }
  unique [.email]
  check adult (doc => doc.age >= 18)
  history_days 3
  ttl_days 1
  document_ttls false
}
"""
        )
    )
    assert definition == {
        "name": "Person",
        "alias": "People",
        "history_days": 3,
        "ttl_days": 1,
        "wildcard": "Any",
        "document_ttls": False,
        "indexes": {
            "byName": {
                "terms": [{"field": ".tags", "mva": True}],
                "values": [
                    {"field": ".age", "order": "desc", "mva": False},
                    {"field": ".name", "order": "asc", "mva": False},
                ],
            }
        },
        "constraints": [
            {"unique": [{"field": ".email", "mva": False}]},
            {"check": {"name": "adult", "body": "doc => doc.age >= 18"}},
        ],
        "computed_fields": {
            "upper": {"body": "(.name.toUpperCase())", "signature": "String"},
            "lower": {"body": "doc => doc.name.toLowerCase()"},
        },
    }


def test_collection_made_in_fql_prints_as_faunadb_generates_it(engine: Engine) -> None:
    run(
        engine,
        """Collection.create({
  name: "Foo",
  fields: {
    foo: { signature: "Int | Null" },
    baz: { signature: "Boolean" },
    qux: { signature: "Time" },
    dump: { signature: "{ *: Any }?" }
  },
  migrations: [
    { drop: { field: "tmp" } },
    { move: { field: "zzz", to: "bar" } },
    { split: { field: "bar", to: ["baz", "qux"] } },
    { backfill: { field: "baz", value: "true" } },
    { backfill: { field: "qux", value: "Time.now()" } },
    { add: { field: "dump" } },
    { add_wildcard: {} },
    { move_conflicts: { into: "dump" } },
    { move_wildcard: { into: "dump" } },
  ]
})""",
    )
    stored = run(engine, 'Collection.byName("Foo")')
    assert print_fsl(collection_from_definition(stored)) == (
        "collection Foo {\n"
        "  foo: Int | Null\n"
        "  baz: Boolean\n"
        "  qux: Time\n"
        "  dump: { *: Any }?\n"
        "  migrations {\n"
        "    drop .tmp\n"
        "    move .zzz -> .bar\n"
        "    split .bar -> .baz, .qux\n"
        "    backfill .baz = true\n"
        "    backfill .qux = Time.now()\n"
        "    add .dump\n"
        "    add_wildcard\n"
        "    move_conflicts .dump\n"
        "    move_wildcard .dump\n"
        "  }\n"
        "}\n"
    )


def test_plain_fql_definition_prints_its_indexes_and_constraints(engine: Engine) -> None:
    run(
        engine,
        """Collection.create({
  name: "Book",
  indexes: { byTitle: { terms: [{ field: "title" }], values: [{ field: "year", order: "desc" }] } },
  constraints: [{ unique: ["isbn"] }, { check: { name: "positive", body: "(.pages > 0)" } }],
  computed_fields: { label: { body: "(b) => b.title", signature: "String" } },
  history_days: 0
})""",
    )
    stored = run(engine, 'Collection.byName("Book")')
    assert print_fsl(collection_from_definition(stored)) == (
        "collection Book {\n"
        "  compute label: String = (b) => b.title\n"
        "  index byTitle {\n"
        "    terms [.title]\n"
        "    values [desc(.year)]\n"
        "  }\n"
        "  unique [.isbn]\n"
        "  check positive (.pages > 0)\n"
        "}\n"
    )


# The model checks migrations against the fields, as FaunaDB does: `MIGRATING` splits into a
# field it does not declare, which a collection cannot be created with.
VALID_MIGRATING = MIGRATING.replace("  bar: String\n", "  bar: String\n  baz: Int?\n")

ROUND_TRIPS = [
    VALID_MIGRATING,
    """\
@alias(People)
collection Person {
  name: String
  email: String? = "a@b.c"
  address: { street: String, city: String = "NYC", *: Any }
  compute upper: String = doc => doc.name.toUpperCase()
  *: Any
  index byName {
    terms [.name, mva(.tags)]
    values [desc(.age), mva(.tags), .["odd key"], .x[0]]
  }
  unique [.email]
  check adult ((doc) => doc.age >= 18)
  history_days 30
  ttl_days 7
  document_ttls true
}
""",
]


@pytest.mark.parametrize("text", ROUND_TRIPS)
def test_fsl_through_the_model_and_back(engine: Engine, text: str) -> None:
    declared = only_collection(text)
    run(engine, f"Collection.create({json.dumps(collection_definition(declared))}) {{ name }}")
    stored = run(engine, f"Collection.byName({json.dumps(declared.name.text)})")
    assert collection_from_definition(stored) == canonical(declared)
    assert print_fsl(collection_from_definition(stored)) == text


def test_the_model_refuses_a_split_into_an_undeclared_field(engine: Engine) -> None:
    definition = json.dumps(collection_definition(only_collection(MIGRATING)))
    body = parse_query_body(json.dumps({"query": f"Collection.create({definition})"}).encode())
    error = engine.run(QueryRequest(body=body, timeout_ms=5000)).body["error"]
    assert error["code"] == "invalid_schema"
    assert error["message"].split("\n")[:2] == [
        "Invalid database schema update.",
        "    error: Cannot split field, as `.baz` is not in the submitted schema",
    ]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_definition_of_any_collection_converts_back(data: st.DataObject) -> None:
    declared = data.draw(collection("Generated", data.draw(st.one_of(st.none(), st.just("Gen")))))
    assert collection_from_definition(collection_definition(declared)) == canonical(declared)


def test_a_stored_type_that_does_not_parse_is_a_schema_error() -> None:
    with pytest.raises(SchemaError) as caught:
        collection_from_definition({"name": "C", "fields": {"a": {"signature": "Array<"}}})
    assert caught.value.diagnostics[0].span.source.name == "*field:C:a*"
