"""The Object and Math modules, Boolean/Null/Number ``toString`` and the global functions."""

from __future__ import annotations

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time


def evaluate(source: str) -> object:
    return run_query(parse_query(source), QueryContext(snapshot_time=Time(0)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Object.keys({ b: 1, a: 2 })", '["b", "a"]'),
        ("Object.values({ b: 1, a: 2 })", "[1, 2]"),
        ("Object.entries({ a: 1 })", '[["a", 1]]'),
        ("Object.fromEntries([['a', 1], ['b', 2], ['a', 3]])", "{ a: 3, b: 2 }"),
        ("Object.assign({ a: 1, b: 1 }, { b: 2, c: 3 })", "{ a: 1, b: 2, c: 3 }"),
        ("Object.select({ a: { b: 1 } }, ['a', 'b'])", "1"),
        ("Object.select({ a: { b: 1 } }, ['a', 'x'])", "null"),
        ("Object.hasPath({ a: { b: null } }, ['a', 'b'])", "true"),
        ("Object.hasPath({ a: 1 }, ['a', 'b'])", "false"),
        ("Object.toString({ a: 'x' })", '"{ a: \\"x\\" }"'),
        ("{ toString: 1 }.toString", "1"),
        ("Math.abs(-3)", "3"),
        ("Math.abs(-3.5)", "3.5"),
        ("Math.ceil(1.2)", "2.0"),
        ("Math.ceil(3)", "3"),
        ("Math.floor(-1.2)", "-2.0"),
        ("Math.max(1, 2)", "2"),
        ("Math.min(1, 2.0)", "1"),
        ("Math.pow(2, 3)", "8.0"),
        ("Math.sqrt(16)", "4.0"),
        ("Math.log10(100)", "2.0"),
        ("Math.hypot(3, 4)", "5.0"),
        ("Math.sign(-5)", "-1"),
        ("Math.sign(0.0)", "0"),
        ("Math.round(2.5, 0)", "3.0"),
        ("Math.round(1.2345, 2)", "1.23"),
        ("Math.round(1250, -2)", "1300"),
        ("Math.trunc(1.789, 1)", "1.7"),
        ("Math.trunc(-1.789, 0)", "-1.0"),
        ("Math.sum([1, 2, 3.5])", "6.5"),
        ("Math.sum([])", "0"),
        ("Math.mean([1, 2])", "1.5"),
        ("Math.cos(0)", "1.0"),
        ("Math.degrees(Math.PI)", "180.0"),
        ("Math.Infinity", "Infinity"),
        ("Math.E > 2.7", "true"),
        ("true.toString()", '"true"'),
        ("null.toString()", '"null"'),
        ("12.toString()", '"12"'),
        ("asc(x => x)", "{ asc: [function <lambda>] }"),
        ("desc(.a)", "{ desc: [function <lambda>] }"),
        ("dbg(1 + 1)", "2"),
        ("log('x')", "null"),
        ("newId() isa ID", "true"),
    ],
)
def test_values(source: str, expected: str) -> None:
    assert debug(evaluate(source)) == expected


@pytest.mark.parametrize(
    ("source", "code", "message"),
    [
        (
            "Object.keys(1)",
            "invalid_argument",
            "expected value for `object` of type { *: Any }, received Int",
        ),
        (
            "Object.fromEntries([1])",
            "invalid_argument",
            "invalid argument `entries`: expected an array for each element of the outer array, "
            "but saw type Int at index 0",
        ),
        (
            "Object.fromEntries([['a']])",
            "invalid_argument",
            "invalid argument `entries`: expected inner array of length 2 but saw length 1 at index 0",
        ),
        (
            "Object.fromEntries([[1, 2]])",
            "invalid_argument",
            "invalid argument `entries`: expected a string for the first element of each inner "
            "array, but saw type Int at index 0",
        ),
        (
            "Object.select({}, [1])",
            "invalid_argument",
            "invalid argument `path`: expected an array of strings",
        ),
        (
            "Object.select({}, ['a'])!",
            "null_value",
            "Null value, due to no value in object found at path",
        ),
        ("Math.acos(2)", "invalid_argument", "invalid argument `x`: argument must lie in [-1, 1]"),
        ("Math.log(0)", "invalid_argument", "invalid argument `x`: x must be positive"),
        ("Math.sqrt(-1)", "invalid_argument", "invalid argument `x`: x must be nonnegative"),
        (
            "Math.abs('a')",
            "invalid_argument",
            "expected value for `x` of type Number, received String",
        ),
        (
            "Math.sum([1, 'a'])",
            "invalid_argument",
            "invalid argument `numbers`: all array elements must be numbers",
        ),
        (
            "Math.foo()",
            "invalid_function_invocation",
            "The function `foo` does not exist on `Math`",
        ),
        (
            "asc((a, b) => a)",
            "invalid_argument",
            "`accessor` should accept 1 parameter, provided function requires exactly 2 parameters.",
        ),
        ("abort(1)", "abort", "Query aborted."),
    ],
)
def test_errors(source: str, code: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        evaluate(source)
    assert (caught.value.code, caught.value.message) == (code, message)
