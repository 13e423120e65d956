"""Functions, roles and access providers as FQL definition documents and back, and the
``main.fsl`` FaunaDB generates for a schema made with FQL."""

from __future__ import annotations

import json
import time
from typing import Any

from fsl_strategies import access_provider, function, role
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.engine import Engine, QueryRequest
from faunalite.schema import (
    PREAMBLE,
    access_provider_definition,
    access_provider_from_definition,
    collection_from_definition,
    function_definition,
    function_from_definition,
    generated_schema,
    parse_fsl,
    role_definition,
    role_from_definition,
)
from faunalite.schema import fsl_ast as f
from faunalite.wire.request import parse_query_body


def run(engine: Engine, query: str) -> Any:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body, timeout_ms=5000, received_at=time.monotonic()))
    assert result.status == 200, result.body
    return result.body["data"]


def only(text: str) -> Any:
    (item,) = parse_fsl(text).items
    return item


def test_function_definition_is_faunadbs_udf_form() -> None:
    typed = only("@alias(plus)\n@role(admin)\nfunction add(a: Int, ...b: Int): Int {\n  42\n}")
    assert function_definition(typed) == {
        "name": "add",
        "body": "(a, ...b) => {\n  42\n}",
        "signature": "(a: Int, b: ...Int) => Int",
        "alias": "plus",
        "role": "admin",
    }
    assert function_definition(only("function foo(a, b) { 42 }")) == {
        "name": "foo",
        "body": "(a, b) => { 42 }",
    }


def test_function_made_in_fql_is_an_fsl_function_with_a_block(engine: Engine) -> None:
    run(engine, 'Function.create({ name: "double", body: "x => x * 2" })')
    stored = run(engine, 'Function.byName("double")')
    assert function_from_definition(stored) == f.Function(
        f.Name("double"), (f.Argument(f.Name("x")),), f.FQLExpr("{\n  x * 2\n}")
    )


def test_typed_function_through_the_model_and_back(engine: Engine) -> None:
    declared = only("function add(a: Int, b: Int): Int {\n  a + b\n}")
    run(engine, f"Function.create({json.dumps(function_definition(declared))}) {{ name }}")
    stored = run(engine, 'Function.byName("add")')
    assert function_from_definition(stored) == declared
    assert run(engine, "add(1, 2)") == 3


def test_role_definition_and_back() -> None:
    declared = only(
        "role manager {\n"
        "  privileges User {\n"
        "    read\n"
        "    write {\n"
        "      predicate ((old, new) => old.owner == new.owner)\n"
        "    }\n"
        "  }\n"
        "  membership Staff {\n"
        "    predicate (.admin)\n"
        "  }\n"
        "  membership Other\n"
        "}"
    )
    document = role_definition(declared)
    assert document == {
        "name": "manager",
        "privileges": [
            {
                "resource": "User",
                "actions": {"read": True, "write": "(old, new) => old.owner == new.owner"},
            }
        ],
        "membership": [{"resource": "Staff", "predicate": "(.admin)"}, {"resource": "Other"}],
    }
    assert role_from_definition(document) == declared


def test_role_from_fql_leaves_out_disallowed_actions_and_takes_single_entries() -> None:
    document = {
        "name": "r",
        "privileges": {"resource": "C", "actions": {"read": True, "delete": False}},
        "membership": {"resource": "U"},
    }
    assert role_from_definition(document) == f.Role(
        f.Name("r"),
        (f.Privileges(f.Name("C"), (f.Privilege("read"),)),),
        (f.Membership(f.Name("U")),),
    )


def test_access_provider_definition_and_back() -> None:
    declared = only(
        'access provider auth0 {\n  issuer "https://a/"\n  jwks_uri "https://a/jwks"\n'
        "  role customer\n  role manager {\n    predicate (jwt => jwt!.admin)\n  }\n}"
    )
    document = access_provider_definition(declared)
    assert document == {
        "name": "auth0",
        "issuer": "https://a/",
        "jwks_uri": "https://a/jwks",
        "roles": ["customer", {"role": "manager", "predicate": "jwt => jwt!.admin"}],
    }
    assert access_provider_from_definition(document) == declared
    assert access_provider_from_definition({**document, "roles": "customer"}).roles == (
        f.ProviderRole(f.Name("customer")),
    )


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_item_converts_back(data: st.DataObject) -> None:
    declared_function = data.draw(function("fn", None))
    assert function_from_definition(function_definition(declared_function)) == declared_function
    declared_role = data.draw(role("r"))
    assert role_from_definition(role_definition(declared_role)) == declared_role
    declared_provider = data.draw(access_provider("p"))
    assert (
        access_provider_from_definition(access_provider_definition(declared_provider))
        == declared_provider
    )


def test_generated_main_fsl(engine: Engine) -> None:
    run(
        engine,
        'Collection.create({ name: "User", indexes: { byName: { terms: [{ field: "name" }] } } })',
    )
    run(engine, 'Function.create({ name: "hello", body: "() => \\"hi\\"" })')
    collection = collection_from_definition(run(engine, 'Collection.byName("User")'))
    # FaunaDB refuses a new function named like a collection, but older schema may hold one.
    legacy = function_from_definition({"name": "User", "body": "(x) => x"})
    functions = [legacy, function_from_definition(run(engine, 'Function.byName("hello")'))]
    text = generated_schema([*functions, collection])
    assert text == (
        PREAMBLE + "\n"
        "collection User {\n"
        "  index byName {\n"
        "    terms [.name]\n"
        "  }\n"
        "}\n"
        "\n"
        "@alias(UserFunction)\n"
        "function User(x) {\n"
        "  x\n"
        "}\n"
        "\n"
        "function hello() {\n"
        '  "hi"\n'
        "}\n"
    )
    assert len(parse_fsl(text).items) == 3
    assert generated_schema([]) == ""
