"""Declared field types on write: each type form accepted and refused with FaunaDB's
``constraint_failure`` (messages from FaunaDB's ``FQL2DefinedFieldsSpec``, ``SchemaValidationSpec``
and ``CollectionSchemaSpec``), defaults filled on create, and the wildcard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest, QueryResult
from faunalite.wire.request import parse_query_body

CREATE_FAILED = "Failed to create document in collection `Foo`."


def run(engine: Engine, query: str) -> QueryResult:
    body = parse_query_body(json.dumps({"query": query}).encode())
    return engine.run(QueryRequest(body=body, timeout_ms=5000))


def ok(engine: Engine, query: str) -> Any:
    result = run(engine, query)
    assert result.status == 200, result.body
    return result.body["data"]


def failures(engine: Engine, query: str, message: str = CREATE_FAILED) -> list[tuple[Any, str]]:
    result = run(engine, query)
    assert result.status == 400, result.body
    error = result.body["error"]
    assert (error["code"], error["message"]) == ("constraint_failure", message)
    return [(item["paths"], item["message"]) for item in error["constraint_failures"]]


def define(engine: Engine, fields: dict[str, str], **extra: Any) -> None:
    spec = {name: {"signature": signature} for name, signature in fields.items()}
    definition = {"name": "Foo", "fields": spec, **extra}
    ok(engine, f"Collection.create({json.dumps(definition)})")


@pytest.fixture
def engine() -> Iterator[Engine]:
    running = Engine()
    ok(running, 'Collection.create({ name: "Bar" })')
    ok(running, 'Collection.create({ name: "Baz" })')
    yield running
    running.close()


@pytest.mark.parametrize(
    ("signature", "accepted", "refused", "message"),
    [
        ("String", "'hi'", "3", "Expected String, provided Int"),
        ("Int", "5", "2147483648", "Expected Int, provided Long"),
        ("Int", "-5", "2.0", "Expected Int, provided Double"),
        ("Long", "2147483648", "2.0", "Expected Long, provided Double"),
        ("Double", "2.5", "0", "Expected Double, provided Int"),
        ("Number", "2.5", "'x'", "Expected Number, provided String"),
        ("Boolean", "true", "'true'", "Expected Boolean, provided String"),
        ("Time", "Time.now()", "2", "Expected Time, provided Int"),
        ("Date", "Date('2024-01-01')", "Time.now()", "Expected Date, provided Time"),
        ("String?", "'hi'", "3", "Expected String | Null, provided Int"),
        ("Int | String", "'a'", "2.5", "Expected Int | String, provided Double"),
        ("'a' | 'b'", "'b'", "'c'", 'Expected "a" | "b", provided "c"'),
        ("0 | 42", "42", "3", "Expected 0 | 42, provided Int"),
        ("true", "true", "false", "Expected true, provided false"),
        ("Array<Int>", "[1, 2]", "3", "Expected Array<Int>, provided Int"),
        ("Ref<Bar>", "Bar.create({})", "3", "Expected Bar | NullBar, provided Int"),
        ("Bar | NullBar", "Bar.create({})", "Baz.create({})", None),
        ("Any", "{ x: [1, 'a'] }", None, None),
    ],
)
def test_each_type_form_accepts_its_values_and_refuses_others(
    engine: Engine, signature: str, accepted: str, refused: str | None, message: str | None
) -> None:
    define(engine, {"a": signature})
    ok(engine, f"Foo.create({{ a: {accepted} }})")
    if refused is None:
        return
    expected = message or "Expected Bar | NullBar, provided Document"
    assert failures(engine, f"Foo.create({{ a: {refused} }})") == [([["a"]], expected)]


def test_a_reference_to_another_collection_is_refused(engine: Engine) -> None:
    define(engine, {"bar_ref": "Ref<Bar> | Int"})
    ok(engine, "Foo.create({ bar_ref: 3 })")
    assert failures(engine, "Foo.create({ bar_ref: Baz.create({}) })") == [
        ([["bar_ref"]], "Expected Bar | NullBar | Int, provided Document")
    ]


def test_array_elements_report_their_index(engine: Engine) -> None:
    define(engine, {"a": "Array<Int>"})
    ok(engine, "Foo.create({ a: [] })")
    assert failures(engine, "Foo.create({ a: ['bar', 3] })") == [
        ([["a", 0]], "Expected Int, provided String")
    ]


def test_tuples_check_arity_and_elements(engine: Engine) -> None:
    define(engine, {"a": "[Int, String]"})
    ok(engine, "Foo.create({ a: [2, 'hi'] })")
    assert failures(engine, "Foo.create({ a: [2, 3] })") == [
        ([["a", 1]], "Expected String, provided Int")
    ]
    assert failures(engine, "Foo.create({ a: [2] })") == [([["a"]], "Invalid tuple arity")]


def test_object_types_refuse_unknown_fields_and_need_required_ones(engine: Engine) -> None:
    define(engine, {"z": "{ a: Number, b: String? }"}, wildcard="Any")
    ok(engine, "Foo.create({ z: { a: 1 }, anything: 'goes' })")
    assert failures(engine, "Foo.create({ z: { a: 0, c: 'x' } })") == [
        ([["z", "c"]], "Unexpected field provided")
    ]
    assert failures(engine, "Foo.create({ z: {} })") == [
        ([["z", "a"]], "Missing required field of type Number")
    ]


def test_nested_wildcards_type_every_undeclared_field(engine: Engine) -> None:
    define(engine, {"z": "{ *: String }"})
    ok(engine, "Foo.create({ z: { foo: 'hi', bar: 'hello' } })")
    assert failures(engine, "Foo.create({ z: { foo: 3, bar: 'hi' } })") == [
        ([["z", "foo"]], "Expected String, provided Int")
    ]


def test_a_union_of_objects_names_the_fields_it_needs(engine: Engine) -> None:
    define(engine, {"foo": "{ a: String } | { b: String } | { c: String }"})
    ok(engine, "Foo.create({ foo: { b: 'hello' } })")
    assert failures(engine, "Foo.create({ foo: { d: 'hello' } })") == [
        ([["foo", "d"]], "Unexpected field provided"),
        ([["foo"]], "Union requires fields [a], [b], or [c]"),
    ]


def test_required_fields_must_be_present_and_nullable_ones_need_not(engine: Engine) -> None:
    define(engine, {"my_field": "Number", "maybe": "Number | Null"})
    assert failures(engine, "Foo.create({})") == [
        ([["my_field"]], "Missing required field of type Number")
    ]
    ok(engine, "Foo.create({ my_field: 1 })")


def test_without_a_wildcard_undeclared_fields_are_refused(engine: Engine) -> None:
    define(engine, {"a": "Int"})
    assert failures(engine, "Foo.create({ a: 1, b: 2 })") == [
        ([["b"]], "Unexpected field provided")
    ]
    # A user field named like document metadata keeps its `data` prefix (FaunaDB's rule).
    assert failures(engine, "Foo.createData({ a: 0, ttl: 0 })") == [
        ([["data", "ttl"]], "Unexpected field provided")
    ]


def test_a_collection_without_fields_takes_anything(engine: Engine) -> None:
    assert ok(engine, "Bar.create({ a: 1, b: 'two' }) { a, b }") == {"a": 1, "b": "two"}


def test_every_write_method_is_checked(engine: Engine) -> None:
    define(engine, {"a": "Int"})
    ok(engine, "Foo.create({ id: 1, a: 1 })")
    update_failed = "Failed to update document with id 1 in collection `Foo`."
    wrong = [([["a"]], "Expected Int, provided String")]
    for method in ("update", "replace", "updateData", "replaceData"):
        assert failures(engine, f"Foo(1)!.{method}({{ a: 'x' }})", update_failed) == wrong
    assert failures(engine, "Foo.createData({ a: 'x' })") == wrong
    assert failures(engine, "Foo(1)!.replace({})", update_failed) == [
        ([["a"]], "Missing required field of type Int")
    ]
    # An update that leaves a required field alone keeps it, and null removes it.
    ok(engine, "Foo(1)!.update({})")
    assert failures(engine, "Foo(1)!.update({ a: null })", update_failed) == [
        ([["a"]], "Missing required field of type Int")
    ]
    assert ok(engine, "Foo(1)!.a") == 1


def test_defaults_fill_missing_fields_on_create(engine: Engine) -> None:
    ok(
        engine,
        'Collection.create({ name: "Foo", fields: {'
        ' my_field: { signature: "Number", default: "1 + 2" },'
        ' tags: { signature: "Array<String>", default: "[]" } } })',
    )
    assert ok(engine, "Foo.create({}) { my_field, tags }") == {"my_field": 3, "tags": []}
    assert ok(engine, "Foo.create({ my_field: 5 }).my_field") == 5


def test_a_failing_default_is_reported_on_its_field(engine: Engine) -> None:
    ok(
        engine,
        'Collection.create({ name: "Foo", fields: {'
        ' my_field: { signature: "Number", default: "1/0" } } })',
    )
    assert run(engine, "Foo.create({}).my_field").body["summary"] == (
        # FaunaDB's rendering (FQL2DefinedFieldsSpec, "default evaluation fails").
        "error: Failed to create document in collection `Foo`.\n"
        "constraint failures:\n"
        "  my_field: Default field evaluation failed.\n"
        "      error: Attempted integer division by zero.\n"
        "      at *field:Foo:my_field*:1:3\n"
        "        |\n"
        "      1 | 1/0\n"
        "        |   ^\n"
        "        |\n"
        "at *query*:1:11\n"
        "  |\n"
        "1 | Foo.create({}).my_field\n"
        "  |           ^^^^\n"
        "  |"
    )
    # Providing a value skips the default.
    assert ok(engine, "Foo.create({ my_field: 5 }).my_field") == 5


def test_declared_fields_are_visible_through_fql(engine: Engine) -> None:
    define(engine, {"a": "Int"})
    assert ok(engine, 'Collection.byName("Foo")!.fields') == {"a": {"signature": "Int"}}


def test_a_signature_that_does_not_parse_is_refused_with_its_error(engine: Engine) -> None:
    result = run(
        engine, "Collection.create({ name: 'Foo', fields: { my_field: { signature: '2 $$ 3' } } })"
    )
    assert result.body["error"]["message"] == "Failed to create Collection."
    assert result.body["summary"].startswith(
        "error: Failed to create Collection.\n"
        "constraint failures:\n"
        "  fields.my_field.signature: Failed parsing user-provided signature.\n"
        "      error: Expected end-of-input\n"
        "      at *signature*:1:3\n"
        "        |\n"
        "      1 | 2 $$ 3\n"
        "        |   ^\n"
        "        |\n"
    )
    wildcard = run(engine, "Collection.create({ name: 'Foo', wildcard: '>%%%>' })")
    assert wildcard.body["error"]["constraint_failures"][0]["message"].startswith(
        "Failed parsing user-provided signature.\n  error: Expected type\n  at *wildcard*:1:1\n"
    )


def test_field_definitions_have_faunadb_s_shape(engine: Engine) -> None:
    result = run(
        engine,
        "Collection.create({ name: 'Foo', fields: {"
        " a: { signature: 'Number', default: 3 }, b: { signature: 'Int', x: 1 }, c: {} } })",
    )
    error = result.body["error"]
    assert (error["code"], error["message"]) == (
        "constraint_failure",
        "Failed to create Collection.",
    )
    assert [(item["paths"], item["message"]) for item in error["constraint_failures"]] == [
        ([["fields", "a", "default"]], "Expected String | Null, provided Int"),
        ([["fields", "b", "x"]], "Unexpected field provided"),
        ([["fields", "c", "signature"]], "Missing required field of type String"),
    ]
