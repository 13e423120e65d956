"""Every Array method and ``Array.sequence``: a value per method and its main errors."""

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
        ("[1, 2, 3].length", "3"),
        ("[1, 2].at(1)", "2"),
        ("[1, 2].first()", "1"),
        ("[1, 2].last()", "2"),
        ("[].first()", "null"),
        ("[1, 2, 3].firstWhere(x => x > 1)", "2"),
        ("[1, 2, 3].lastWhere(x => x < 3)", "2"),
        ("[1, 2].firstWhere(x => x > 5)", "null"),
        ("[1, 2, 3].where(x => x != 2)", "[1, 3]"),
        ("[1, 2, 3].filter(x => if (x == 2) null else true)", "[1, 3]"),
        ("[1, 2].map(x => x * 10)", "[10, 20]"),
        ("[1, 2].flatMap(x => [x, x])", "[1, 1, 2, 2]"),
        ("[[1], [2, [3]]].flatten()", "[1, 2, [3]]"),
        ("[1, 2].forEach(x => x)", "null"),
        ("['a', 'b'].fold('>', (acc, x) => acc + x)", '">ab"'),
        ("['a', 'b'].foldRight('>', (acc, x) => acc + x)", '">ba"'),
        ("['a', 'b', 'c'].reduce((acc, x) => acc + x)", '"abc"'),
        ("['a', 'b', 'c'].reduceRight((acc, x) => acc + x)", '"cba"'),
        ("[].reduce((a, b) => a)", "null"),
        ("['a', 'b', 'c'].aggregate('s', (x, y) => x + y)", '"abcs"'),
        ("[].aggregate(0, (x, y) => x + y)", "0"),
        ("[1, 2].any(x => x > 1)", "true"),
        ("[1, 2].any(x => null)", "false"),
        ("[1, 2].every(x => x > 1)", "false"),
        ("[].every(x => false)", "true"),
        ("[1, [2]].includes([2.0])", "true"),
        ("[1, 2, 1].indexOf(1)", "0"),
        ("[1, 2, 1].indexOf(1, 1)", "2"),
        ("[1, 2].indexOf(3)", "null"),
        ("[1, 2, 1].lastIndexOf(1)", "2"),
        ("[1, 2, 1].lastIndexOf(1, 1)", "0"),
        ("[1, 2, 3].indexWhere(x => x > 1)", "1"),
        ("[1, 2, 3].indexWhere(x => x > 1, 2)", "2"),
        ("[1, 2, 3].lastIndexWhere(x => x < 3)", "1"),
        ("[1, 2, 3].lastIndexWhere(x => x < 3, 0)", "0"),
        ("[].isEmpty()", "true"),
        ("[1].nonEmpty()", "true"),
        ("[1].append(2)", "[1, 2]"),
        ("[1].prepend(0)", "[0, 1]"),
        ("[1].concat([2, 3])", "[1, 2, 3]"),
        ("[1, 2].reverse()", "[2, 1]"),
        ("[1, 2, 1.0, 'a', 'a', [1], [1]].distinct()", '[1, 2, "a", [1]]'),
        ("[1, 2, 3].take(2)", "[1, 2]"),
        ("[1, 2, 3].take(-1)", "[]"),
        ("[1, 2].take(1.0)", "[1]"),
        ("[1, 2, 3].drop(2)", "[3]"),
        ("[1, 2, 3].drop(-1)", "[1, 2, 3]"),
        ("[1, 2, 3].slice(1)", "[2, 3]"),
        ("[1, 2, 3].slice(-5, 2)", "[1, 2]"),
        ("[1, 2, 3].slice(2, 1)", "[]"),
        ("[2, 1].order()", "[1, 2]"),
        ("['a', 'b'].entries()", '[[0, "a"], [1, "b"]]'),
        ("[1, 'a'].toString()", '"[1, \\"a\\"]"'),
        ("Array.sequence(1, 4)", "[1, 2, 3]"),
        ("Array.sequence(4, 1)", "[]"),
    ],
)
def test_array_methods(source: str, expected: str) -> None:
    assert debug(evaluate(source)) == expected


@pytest.mark.parametrize(
    ("source", "code", "message"),
    [
        ("[1].at(1)", "index_out_of_bounds", "index 1 out of bounds for length 1"),
        (
            "[1].at('a')",
            "invalid_argument",
            "expected value for `index` of type Int, received String",
        ),
        (
            "[1].map((a, b) => a)",
            "invalid_argument",
            "`mapper` should accept 1 parameter, provided function requires exactly 2 parameters.",
        ),
        (
            "[1].map(1)",
            "invalid_argument",
            "expected value for `mapper` of type A => B, received Int",
        ),
        (
            "[1].where(() => true)",
            "invalid_argument",
            "`pred` should accept 1 parameter, provided function requires no parameters.",
        ),
        (
            "[1].filter(() => true)",
            "invalid_argument",
            "`predicate` should accept 1 parameter, provided function requires no parameters.",
        ),
        (
            "[1].forEach(() => 1)",
            "invalid_argument",
            "`fn` should accept 1 parameter, provided function requires no parameters.",
        ),
        (
            "[1].fold(0, x => x)",
            "invalid_argument",
            "`reducer` should accept 2 parameters, provided function requires exactly 1 parameter.",
        ),
        (
            "[1].reduce(x => x)",
            "invalid_argument",
            "`reducer` should accept 2 parameters, provided function requires exactly 1 parameter.",
        ),
        (
            "[1].aggregate(0, x => x)",
            "invalid_argument",
            "`combiner` should accept 2 parameters, provided function requires exactly 1 parameter.",
        ),
        (
            "[1].any((a, b, ...c) => true)",
            "invalid_argument",
            "`predicate` should accept 1 parameter, provided function requires at least 2 parameters.",
        ),
        ("[1].where(x => 1)", "type_mismatch", "expected type: Boolean, received Int"),
        ("['a'].filter(x => 1)", "type_mismatch", "expected type: Boolean, received String"),
        ("[1].flatMap(x => x)", "type_mismatch", "expected type: Array<Any>, received Int"),
        ("[1].flatten()", "type_mismatch", "expected type: Array<Any>, received Int"),
        ("[].indexOf(1, 0)", "index_out_of_bounds", "index 0 out of bounds for length 0"),
        (
            "[1].indexWhere(x => true, 3)",
            "index_out_of_bounds",
            "index 3 out of bounds for length 1",
        ),
        (
            "[1].concat(2)",
            "invalid_argument",
            "expected value for `other` of type Array<Any>, received Int",
        ),
        (
            "[1].order(1)",
            "invalid_argument",
            "expected value for `ordering0` of type Function, received Int",
        ),
        (
            "[1].order(.a, (a, b) => a)",
            "invalid_argument",
            "`ordering1` should accept 1 parameter, provided function requires exactly 2 parameters.",
        ),
        (
            "Array.sequence(0, 16001)",
            "value_too_large",
            "Value too large: range size 16001 exceeds limit 16000.",
        ),
        (
            "[1].map(x => x.foo())",
            "invalid_function_invocation",
            "The function `foo` does not exist on `Int`",
        ),
    ],
)
def test_array_errors(source: str, code: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        evaluate(source)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_predicates_run_for_every_element_and_null_counts_as_false() -> None:
    source = "let seen = [1, 2, 3].firstWhere(x => { log(x); x == 1 }); seen"
    context = QueryContext(snapshot_time=Time(0))
    assert run_query(parse_query(source), context) == 1
    assert [entry.message for entry in context.diagnostics] == ["1", "2", "3"]


def test_empty_array_null_explains_itself() -> None:
    with pytest.raises(QueryError) as caught:
        evaluate("[].last()!")
    assert caught.value.message == "Null value, due to empty array"


def test_errors_in_callbacks_carry_the_method_call_frame() -> None:
    source = "[1].map(x => x / 0)"
    with pytest.raises(QueryError) as caught:
        evaluate(source)
    err = caught.value
    assert err.span is not None
    assert source[err.span.start : err.span.end] == "0"
    assert [source[s.start : s.end] for s in err.trace] == ["(x => x / 0)"]
