"""Inference per construct: the ``static_type`` FaunaDB gives, or unknown (``None``).

Every expected text is FaunaDB's answer in ``ext/fql/shared/src/test/scala/typer/
TyperCoreSpec.scala`` (its ``typecheck(query, expected)`` cases), except where noted, with one
systematic change: that spec runs against a test environment whose Int operators return
``Int``, while FaunaDB's real environment (``ext/api/src/test/resources/
static_environment_response_v1.json``) declares every number operator as
``(other: Number) => Number``, so its ``Int`` answers for arithmetic are ``Number`` here. Queries
the checker cannot type exactly must answer ``None`` and report nothing.
"""

from __future__ import annotations

import pytest

from faunalite.fql.parser import parse_query
from faunalite.fql.typer import check_query, static_type_of
from faunalite.fql.values import Value


def static_type(query: str, **bindings: Value) -> str | None:
    inference = check_query(parse_query(query), bindings)
    assert inference.errors == []
    return static_type_of(inference)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # literals
        ("123", "123"),
        ("'foo'", '"foo"'),
        ("true", "true"),
        ("false", "false"),
        # operators
        ("3 == 3", "Boolean"),
        ("3 != 3", "Boolean"),
        ("3 <= 3", "Boolean"),
        ("(if (true) 3 else 'hi') == 3", "Boolean"),
        ("(if (true) 3 else 'hi') >= 3", "Boolean"),
        ("1 + 2 + 3", "Number"),
        # ?? removes null from its left side and puts the right side first
        ("null ?? 1", "1"),
        ("1 ?? 2", "2 | 1"),
        ("1 ?? 'str'", '"str" | 1'),
        ("null ?? {x: 1}", "{ x: 1 }"),
        # if
        ("if (true) true else false", "Boolean"),
        # the official driver's test_handles_typecheck_format
        ("if (true) 42 else 41", "42 | 41"),
        # objects, arrays, tuples
        ("{}", "{}"),
        ("{ foo: 1 }", "{ foo: 1 }"),
        ("[1]", "[1]"),
        ("[1, 2]", "[1, 2]"),
        ("[]", "[]"),
        ("(1)", "1"),
        ("(1, 2)", "[1, 2]"),
        ("()", "[]"),
        # access
        ("{ foo: 1, bar: 2 }['foo']", "1"),
        ('{ foo: 1, bar: 2 }["foo"]', "1"),
        ("[1, 2][0]", "1"),
        # lambdas applied
        ("(x => x)(42)", "42"),
        ("((x) => { if (true) x + '2' else x })('hi')", "String"),
        ("{ let func = (x) => { if (true) x + '2' else x }; func('hi') }", "String"),
        ("(x => { let doubled = x + x\n doubled * 2 })(7)", "Number"),
        # let-polymorphism: a let-bound lambda is typed afresh at each call.
        ("{ let id = x => x; [id(1), id('a')] }", '[1, "a"]'),
        # projection
        ("({ foo: 1, bar: 2, baz: 3 }) { foo, bar }", "{ foo: 1, bar: 2 }"),
        (
            "({ foo: 1, bar: 2, baz: 3 }) { qux: .bar + .baz, foo, bar }",
            "{ qux: Number, foo: 1, bar: 2 }",
        ),
        ("[{ foo: 1, bar: 2, baz: 3 }] { foo, bar }", "Array<{ foo: 1, bar: 2 }>"),
        (
            "[{ foo: 1, bar: 2, baz: 3 }] { qux: .bar + .baz, foo, bar }",
            "Array<{ qux: Number, foo: 1, bar: 2 }>",
        ),
        ("null { foo, bar }", "Null"),
        ("null { qux: .bar + .baz, foo, bar }", "Null"),
    ],
)
def test_faunadb_static_types(query: str, expected: str) -> None:
    assert static_type(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Not quoted from a spec, but direct consequences of the rules above.
        ("if (true) 1", "1 | Null"),
        ("let x = 5\nx", "5"),
        ("{ let a = [1, 'b']; a[1] }", '"b"'),
        ("'a' + 'b'", "String"),
        ('"#{1} items"', "String"),
        ("!true", "Boolean"),
        ("-(1 + 1)", "Number"),
        ("true && false", "Boolean"),
        ("{ a: { b: 1 } }.a.b", "1"),
        ("{ a: if (true) 1 else null }.a!", "1"),
        ("1 isa Number", "Boolean"),
        ("{ a: 1 }?.a", "1"),
        # TyperCoreSpec: `User.byId('1234')?.name` is `String | Null`.
        ("(if (true) { a: 1 } else null)?.a", "1 | Null"),
        ("null?.a", "Null"),
    ],
)
def test_derived_static_types(query: str, expected: str) -> None:
    assert static_type(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Monomorphic stdlib signatures, as declared in the stdlib tables (FaunaDB's
        # ext/api/src/test/resources/static_environment_response_v1.json).
        ("'foo'.length", "Number"),
        ("'a'.concat('b')", "String"),
        ("'abc'.indexOf('b')", "Number | Null"),
        ("1.toString()", "String"),
        ("Math.abs(-1)", "Number"),
        ("Math.PI", "Number"),
        ("Query.isEnvTypechecked()", "Boolean"),
        ("Time.now()", "Time"),
        ("newId()", "ID"),
        ("Time('2020-01-01T00:00:00Z')", "Time"),  # calling a module: its `apply`
        ("Array.sequence(0, 3).map(x => x * 2)", "Array<Number>"),
        ("'a,b'.splitAt(1)", "[String, String]"),
    ],
)
def test_stdlib_members_type_by_their_signatures(query: str, expected: str) -> None:
    assert static_type(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # TyperCoreSpec ("type operator overloads in lambdas", "typecheck map and +").
        ("[1, 2, 3].map(x => x + 1)", "Array<Number>"),
        ("[1, 2, 3].map(x => 1 + x)", "Array<Number>"),
        ("['a', 'b', 'c'].map(x => x + '1')", "Array<String>"),
        ("[1].map(v => (v + 0) * 0)", "Array<Number>"),
        ("[1].map(v => 0 * (v + 0))", "Array<Number>"),
        ("[1].flatMap((v) => [v * (v + 0)])", "Array<Number>"),
        ("[1].map((v) => v + (v + v * v))", "Array<Number>"),
        # The receiver's element type, as FaunaDB names a tuple used as an array
        # (TyperCoreSpec: "Type `Array<1 | 2>` does not have field `foo`").
        ("[1, 2].map(x => x)", "Array<1 | 2>"),
        ("[1, 2].where(x => x > 1)", "Array<1 | 2>"),
        ("[1, 2].first()", "1 | 2 | Null"),
        ("[1, 2].toSet()", "Set<1 | 2>"),
        ("[1, 2].includes(1)", "Boolean"),
        ("['a', 'b'].flatMap(x => [x.length, 0])", "Array<Number>"),
    ],
)
def test_generic_signatures_are_instantiated(query: str, expected: str) -> None:
    assert static_type(query) == expected


def test_arguments_are_typed_by_their_values() -> None:
    # MODELTEST/fql2/serialization/FQL2QueryTemplateSpec.scala: the value 5 types as `5`.
    assert static_type("x", x=5) == "5"
    assert static_type("x + 1", x=5) == "Number"
    assert static_type("x", x={"a": [1, "b", None]}) == '{ a: [1, "b", Null] }'


@pytest.mark.parametrize(
    "query",
    [
        "x => 42",  # function types are not rendered
        "x => x",
        "Collection.all()",  # schema types are not modelled
        "['foo', 'bar'].reduce((x, y) => x + y)",  # a type variable bound twice
        "[1, 2].includes(3)",
        "[1, 2].map(Math.abs)",  # a function value that is not a lambda
        # A lambda passed to a lambda is monomorphic in FaunaDB (TyperCoreSpec: "ib uses do
        # not get specific types w/ no let"): not re-typed per call here, so unknown.
        "((f) => [f(1), f('a')])(x => x)",
        "{ let n = 1; 'a'.concat(n) }",  # an argument not shown to fit its parameter
        "Math.nope",
        "let y: Number = 5\ny",  # FaunaDB types `y` as its annotation
        "Math.sum([1, 2])",  # two overloads of one arity: which one FaunaDB picks is not modelled
        "ID('123')",
        "unknownName",
        "1.5",  # Double literal rendering is unverified
        "'a' + 1",
        "1 + 1.5",
        "if (1) 2 else 3",
        "at (Time.now()) 1",
        "[1, 2][5]",
        "(if (true) { a: { b: 1 } } else null)?.a.b",  # a ?. chain going on past null
        "'say \"hi\"'",
    ],
)
def test_what_cannot_be_typed_exactly_is_unknown_and_never_an_error(query: str) -> None:
    assert static_type(query) is None


def test_unknown_inside_a_composite_makes_the_whole_type_unknown() -> None:
    assert static_type("[1, Collection.all()]") is None
    assert static_type("{ a: 1, b: x => x }") is None
    assert static_type("if (true) 1 else Collection.all()") is None


def test_exponentially_large_types_are_given_up_quickly() -> None:
    # Each let doubles the written-out type: 2**40 parts, never built out or printed.
    lets = ["let v0 = [1, 1]"] + [f"let v{n} = [v{n - 1}, v{n - 1}]" for n in range(1, 41)]
    query = "{ " + "; ".join(lets) + "; if (true) v40 else v40 }"
    assert static_type(query) is None


def test_exponentially_many_lambda_calls_are_given_up() -> None:
    lets = ["let f0 = x => x + 1"] + [
        f"let f{n} = x => f{n - 1}(f{n - 1}(x))" for n in range(1, 30)
    ]
    assert static_type("{ " + "; ".join(lets) + "; f29(1) }") is None


def test_a_big_array_literal_is_typed() -> None:
    elements = ", ".join(str(n) for n in range(5000))
    assert static_type(f"[{elements}].map(x => x + 1)") == "Array<Number>"
