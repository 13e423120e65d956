"""Migrations on existing documents: each kind run on data (the cases of FaunaDB's
``SchemaMigrationSpec``), which migrations are new, refusals with FaunaDB's messages, and a
refused change leaving schema and documents as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest, QueryResult
from faunalite.model.migration_checks import new_migrations
from faunalite.wire.request import parse_query_body

REFUSED = "Invalid database schema update."


def run(engine: Engine, query: str) -> QueryResult:
    body = parse_query_body(json.dumps({"query": query}).encode())
    return engine.run(QueryRequest(body=body, timeout_ms=5000))


def ok(engine: Engine, query: str) -> Any:
    result = run(engine, query)
    assert result.status == 200, result.body
    return result.body["data"]


def define(
    engine: Engine,
    fields: dict[str, str],
    migrations: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> QueryResult:
    """Replace (or create) collection ``User`` with exactly this definition, as a push does."""
    definition: dict[str, Any] = {
        "name": "User",
        "fields": {name: {"signature": signature} for name, signature in fields.items()},
        **extra,
    }
    if migrations is not None:
        definition["migrations"] = migrations
    text = json.dumps(definition)
    exists = ok(engine, 'Collection.byName("User") != null')
    if exists:
        return run(engine, f'Collection.byName("User")!.replace({text})')
    return run(engine, f"Collection.create({text})")


def defined(engine: Engine, fields: dict[str, str], migrations: Any = None, **extra: Any) -> None:
    result = define(engine, fields, migrations, **extra)
    assert result.status == 200, result.body


def refusal(result: QueryResult) -> list[str]:
    """The ``error:`` lines of an ``invalid_schema`` refusal."""
    assert result.status == 400, result.body
    error = result.body["error"]
    assert error["code"] == "invalid_schema"
    lines = error["message"].split("\n")
    assert lines[0] == REFUSED
    return [line.removeprefix("    error: ") for line in lines if line.startswith("    error: ")]


def docs(engine: Engine) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(
        engine, "User.all().toArray().map(doc => Object.assign({}, doc) { foo, bar, conflicts })"
    )
    return found


def data_of(engine: Engine) -> list[Any]:
    return ok(engine, "User.all().toArray().map(doc => doc.data)")


@pytest.fixture
def engine() -> Iterator[Engine]:
    running = Engine()
    yield running
    running.close()


# -- which migrations are new ---------------------------------------------------------------------


def test_only_the_migrations_after_the_live_list_are_new() -> None:
    a, b, c = {"add": {"field": ".a"}}, {"drop": {"field": ".b"}}, {"add": {"field": ".c"}}
    assert new_migrations([], [a, b]) == [a, b]
    assert new_migrations([a, b], [a, b, c]) == [c]
    assert new_migrations([a, b], [a, b]) == []
    # The submitted list may forget its oldest migrations: it continues the live one.
    assert new_migrations([a, b], [b, c]) == [c]
    assert new_migrations([a], [b, c]) == [b, c]


# -- each kind on existing documents ---------------------------------------------------------------


def test_add_with_backfill_fills_existing_documents(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null"})
    ok(engine, "User.create({})")
    defined(
        engine,
        {"_no_wildcard": "Null", "foo": "Int"},
        [{"add": {"field": ".foo"}}, {"backfill": {"field": ".foo", "value": "3"}}],
    )
    assert ok(engine, "User.all().first()!.foo") == 3
    # New documents are checked against the new field.
    assert run(engine, "User.create({})").body["error"]["code"] == "constraint_failure"


def test_add_uses_the_field_default_without_a_backfill(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null"})
    ok(engine, "User.create({})")
    result = run(
        engine,
        'Collection.byName("User")!.update({ fields: { foo: { signature: "Int", default: "7" } },'
        ' migrations: [{ add: { field: ".foo" } }] })',
    )
    assert result.status == 200, result.body
    assert ok(engine, "User.all().first()!.foo") == 7


def test_add_of_a_nested_field_creates_the_object_around_it(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Int?"})
    ok(engine, "User.create({ id: 1 })")
    defined(
        engine,
        {"_no_wildcard": "Int?", "address": "{ street: String }"},
        [
            {"add": {"field": ".address.street"}},
            {"backfill": {"field": ".address.street", "value": '""'}},
        ],
    )
    assert ok(engine, "User(1)!.data") == {"address": {"street": ""}}


def test_drop_removes_the_field_from_every_document(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null", "foo": "Int"})
    ok(engine, "User.create({ foo: 3 })")
    ok(engine, "User.create({ foo: 4 })")
    defined(engine, {"_no_wildcard": "Null"}, [{"drop": {"field": ".foo"}}])
    assert data_of(engine) == [{}, {}]


def test_move_renames_the_field(engine: Engine) -> None:
    defined(engine, {"foo": "Int"})
    ok(engine, "User.create({ foo: 3 })")
    defined(engine, {"bar": "Int"}, [{"move": {"field": ".foo", "to": ".bar"}}])
    assert data_of(engine) == [{"bar": 3}]


def test_split_sends_each_value_to_the_field_of_its_type(engine: Engine) -> None:
    defined(engine, {"foo": "Int | String"})
    ok(engine, "User.create({ id: 1, foo: 3 })")
    ok(engine, "User.create({ id: 2, foo: 'hi' })")
    defined(
        engine,
        {"foo": "String", "bar": "Int"},
        [
            {"split": {"field": ".foo", "to": [".foo", ".bar"]}},
            {"backfill": {"field": ".foo", "value": '"default"'}},
            {"backfill": {"field": ".bar", "value": "0"}},
        ],
    )
    assert ok(engine, "User(1)!.data") == {"foo": "default", "bar": 3}
    assert ok(engine, "User(2)!.data") == {"foo": "hi", "bar": 0}


def test_move_conflicts_keeps_values_the_new_field_cannot_hold(engine: Engine) -> None:
    defined(engine, {}, wildcard="Any")
    ok(engine, "User.create({ id: 1, foo: 3, bar: 10 })")
    ok(engine, "User.create({ id: 2, foo: 'hi', bar: 10 })")
    defined(
        engine,
        {"foo": "Int", "conflicts": "{ *: Any }?"},
        [
            {"add": {"field": ".foo"}},
            {"backfill": {"field": ".foo", "value": "0"}},
            {"add": {"field": ".conflicts"}},
            {"move_conflicts": {"into": ".conflicts"}},
        ],
        wildcard="Any",
    )
    assert ok(engine, "User(1)!.data") == {"foo": 3, "bar": 10}
    assert ok(engine, "User(2)!.data") == {"foo": 0, "bar": 10, "conflicts": {"foo": "hi"}}


def test_move_wildcard_puts_undeclared_fields_under_the_conflicts_field(engine: Engine) -> None:
    defined(engine, {}, wildcard="Any")
    ok(engine, "User.create({ id: 1, foo: 3, bar: 10 })")
    ok(engine, "User.create({ id: 2, foo: 'hi' })")
    defined(
        engine,
        {"foo": "Int", "conflicts": "{ *: Any }?"},
        [
            {"add": {"field": ".foo"}},
            {"backfill": {"field": ".foo", "value": "0"}},
            {"add": {"field": ".conflicts"}},
            {"move_conflicts": {"into": ".conflicts"}},
            {"move_wildcard": {"into": ".conflicts"}},
        ],
    )
    assert ok(engine, "User(1)!.data") == {"foo": 3, "conflicts": {"bar": 10}}
    assert ok(engine, "User(2)!.data") == {"foo": 0, "conflicts": {"foo": "hi"}}
    # Without a wildcard, undeclared fields are refused from now on.
    assert run(engine, "User.create({ foo: 1, baz: 2 })").status == 400


def test_add_wildcard_lets_undeclared_fields_in(engine: Engine) -> None:
    defined(engine, {"foo": "Int"})
    ok(engine, "User.create({ foo: 3 })")
    assert run(engine, "User.create({ foo: 3, bar: 5 })").status == 400
    defined(engine, {"foo": "Int"}, [{"add_wildcard": {}}], wildcard="Any")
    ok(engine, "User.create({ foo: 3, bar: 5 })")


def test_migrations_already_applied_do_not_run_again(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null"})
    ok(engine, "User.create({ id: 1 })")
    first = [{"add": {"field": ".foo"}}, {"backfill": {"field": ".foo", "value": "3"}}]
    defined(engine, {"_no_wildcard": "Null", "foo": "Int"}, first)
    ok(engine, "User(1)!.update({ foo: 9 })")
    ok(engine, "User.create({ id: 2, foo: 5 })")
    defined(
        engine,
        {"_no_wildcard": "Null", "bar": "Int"},
        [*first, {"move": {"field": ".foo", "to": ".bar"}}],
    )
    # The add did not run again: documents keep the values they had.
    assert ok(engine, "User(1)!.data") == {"bar": 9}
    assert ok(engine, "User(2)!.data") == {"bar": 5}


def test_indexes_follow_migrated_fields(engine: Engine) -> None:
    defined(engine, {"foo": "Int"}, indexes={"byBar": {"terms": [{"field": ".bar"}]}})
    ok(engine, "User.create({ id: 1, foo: 3 })")
    defined(
        engine,
        {"bar": "Int"},
        [{"move": {"field": ".foo", "to": ".bar"}}],
        indexes={"byBar": {"terms": [{"field": ".bar"}]}},
    )
    assert ok(engine, "User.byBar(3).toArray().map(.id)") == ["1"]


# -- refusals ---------------------------------------------------------------------------------------


def test_a_new_field_without_a_migration_is_refused_when_documents_exist(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null"})
    # No documents: nothing to migrate, the change is accepted.
    defined(engine, {"_no_wildcard": "Null", "early": "Int"})
    ok(engine, "User.create({ early: 1 })")
    result = define(engine, {"_no_wildcard": "Null", "early": "Int", "foo": "Int"})
    assert refusal(result) == ["Field `.foo` is not present in the live schema"]
    message = result.body["error"]["message"]
    assert "    hint: Provide an `add` migration for this field" in message
    assert "    hint: Make the field nullable" in message


def test_a_removed_field_without_a_drop_is_refused(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null", "foo": "Int"})
    ok(engine, "User.create({ foo: 1 })")
    assert refusal(define(engine, {"_no_wildcard": "Null"})) == [
        "Field `.foo` is missing from the submitted schema"
    ]


def test_a_changed_type_the_data_does_not_fit_is_refused(engine: Engine) -> None:
    defined(engine, {"foo": "Int"})
    ok(engine, "User.create({ foo: 1 })")
    assert refusal(define(engine, {"foo": "String"})) == [
        "Field `.foo` of type `String` does not match the live type `Int`"
    ]


def test_first_fields_on_a_schemaless_collection_need_a_wildcard(engine: Engine) -> None:
    ok(engine, 'Collection.create({ name: "User" })')
    ok(engine, "User.create({ foo: 1 })")
    result = define(
        engine,
        {"foo": "Int"},
        [{"add": {"field": ".foo"}}, {"backfill": {"field": ".foo", "value": "0"}}],
    )
    assert "Missing wildcard definition" in refusal(result)


@pytest.mark.parametrize(
    ("fields", "migrations", "errors"),
    [
        (
            {"_no_wildcard": "Null"},
            [{"add": {"field": ".foo"}}],
            ["Cannot add field, as `.foo` is not in the submitted schema"],
        ),
        (
            {"_no_wildcard": "Null", "foo": "Int"},
            [{"add": {"field": ".foo"}}],
            ["Cannot declare non-nullable field `.foo`: it has no default and no backfill value"],
        ),
        (
            {"_no_wildcard": "Null", "foo": "Int"},
            [{"add": {"field": ".foo"}}, {"add": {"field": ".foo"}}],
            # FaunaDB rewinds from the last migration: the later add is met first.
            [
                "Cannot declare non-nullable field `.foo`: it has no default and no backfill value",
                "Cannot add field `.foo` twice",
            ],
        ),
        (
            {"_no_wildcard": "Null", "foo": "Int?"},
            [{"drop": {"field": ".foo"}}],
            ["Cannot drop field `.foo`. Dropped fields must be removed from schema"],
        ),
        (
            {"_no_wildcard": "Null", "foo": "Int?"},
            [{"backfill": {"field": ".foo", "value": "1"}}],
            ["Field `.foo` is backfilled without being declared by an `add` or `split` migration"],
        ),
        (
            {"_no_wildcard": "Null"},
            [{"backfill": {"field": ".foo", "value": "1"}}],
            ["Cannot backfill field `.foo`, as it is not in the submitted schema"],
        ),
        (
            {"_no_wildcard": "Null", "foo": "Int?"},
            [{"move": {"field": ".foo", "to": ".foo"}}],
            ["Cannot move a field to itself"],
        ),
        (
            {"_no_wildcard": "Null"},
            [{"move": {"field": ".foo", "to": ".bar"}}],
            ["Cannot move field `.foo`, as it is not in the live schema"],
        ),
        (
            {"_no_wildcard": "Null", "a": "Int?"},
            [{"split": {"field": ".foo", "to": [".a", ".b"]}}],
            ["Cannot split field, as `.b` is not in the submitted schema"],
        ),
        (
            {"_no_wildcard": "Null", "c": "{ *: Any }?"},
            [{"move_conflicts": {"into": ".c"}}],
            ["Cannot move wildcard conflicts, as there is no wildcard in the submitted schema"],
        ),
        (
            {"_no_wildcard": "Null"},
            [{"add_wildcard": {}}],
            ["Cannot add wildcard, as the submitted schema lacks a wildcard"],
        ),
    ],
)
def test_invalid_migrations_are_refused_with_faunadb_s_message(
    engine: Engine, fields: dict[str, str], migrations: list[dict[str, Any]], errors: list[str]
) -> None:
    assert refusal(define(engine, fields, migrations)) == errors


def test_adding_a_field_over_a_wildcard_needs_move_conflicts(engine: Engine) -> None:
    defined(engine, {}, wildcard="Any")
    ok(engine, "User.create({ foo: 'hi' })")
    result = define(
        engine,
        {"foo": "Int"},
        [{"add": {"field": ".foo"}}, {"backfill": {"field": ".foo", "value": "0"}}],
        wildcard="Any",
    )
    assert refusal(result) == ["Cannot add field, as `.foo` conflicts with the wildcard"]


def test_a_backfill_of_the_wrong_type_is_refused(engine: Engine) -> None:
    defined(engine, {"_no_wildcard": "Null"})
    ok(engine, "User.create({})")
    result = define(
        engine,
        {"_no_wildcard": "Null", "foo": "Int"},
        [{"add": {"field": ".foo"}}, {"backfill": {"field": ".foo", "value": "'x'"}}],
    )
    assert result.status == 400
    error = result.body["error"]
    assert (error["code"], error["message"]) == (
        "constraint_failure",
        "Failed to convert backfill value.",
    )
    assert error["constraint_failures"] == [
        {"paths": [["foo"]], "message": "Expected Int, provided String"}
    ]


# -- atomicity -----------------------------------------------------------------------------------


def test_a_refused_migration_leaves_schema_and_documents_as_they_were(engine: Engine) -> None:
    defined(engine, {"foo": "Int | String"}, indexes={"byFoo": {"terms": [{"field": ".foo"}]}})
    ok(engine, "User.create({ id: 1, foo: 3 })")
    ok(engine, "User.create({ id: 2, foo: 'hi' })")
    before = ok(engine, "User.definition { fields, migrations }")
    # The move runs on every document, then the new type refuses the string: nothing stays.
    result = define(
        engine,
        {"bar": "Int"},
        [{"move": {"field": ".foo", "to": ".bar"}}],
        indexes={"byFoo": {"terms": [{"field": ".foo"}]}},
    )
    assert refusal(result) == ["Submitted schema is not compatible with the live schema"]
    assert ok(engine, "User.definition { fields, migrations }") == before
    assert data_of(engine) == [{"foo": 3}, {"foo": "hi"}]
    assert ok(engine, "User.byFoo(3).toArray().map(.id)") == ["1"]


def test_the_top_level_wildcard_must_be_any(engine: Engine) -> None:
    result = run(engine, 'Collection.create({ name: "Foo", wildcard: "String" })')
    assert refusal(result) == ["Top-level wildcard must have type `Any`"]
    ok(engine, 'Collection.create({ name: "Foo", wildcard: "Any" })')


def test_field_types_a_document_cannot_store_are_refused(engine: Engine) -> None:
    ok(engine, 'Collection.create({ name: "Bar" })')
    result = run(
        engine,
        'Collection.create({ name: "Foo", fields: { a: { signature: "ID" },'
        ' b: { signature: "Bar | NullBar2" }, c: { signature: "String => Number" } } })',
    )
    assert result.body["error"]["message"] == (
        # FaunaDB's causes and hints (FQL2DefinedFieldsSpec), without their FSL excerpts.
        "Invalid database schema update.\n"
        "    error: Field `a` in collection Foo is not persistable\n"
        "    at <no source>\n"
        "    cause: Type ID is not persistable\n"
        "    error: Field `b` in collection Foo is not persistable\n"
        "    at <no source>\n"
        "    cause: Type Bar is not persistable\n"
        "    hint: Use Ref<Bar> as the type of a reference to a Bar document\n"
        "    cause: Type NullBar2 is not persistable\n"
        "    hint: Use Ref<Bar2> as the type of a reference to a Bar2 document\n"
        "    error: Field `c` in collection Foo is not persistable\n"
        "    at <no source>\n"
        "    cause: Type String => Number is not persistable"
    )
    # A document type paired with its null document type is a reference, and persistable.
    ok(
        engine,
        'Collection.create({ name: "Foo", fields: { a: { signature: "Bar | NullBar | Number" },'
        ' b: { signature: "Array<Bar | NullBar> | String" }, c: { signature: "Ref<Bar>?" } } })',
    )
