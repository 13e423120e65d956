"""The interpreter's fast paths (Int arithmetic, lambda calls) answer as the general ones do."""

from __future__ import annotations

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext, QueryTimedOut
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import DEADLINE_CHECK_INTERVAL, run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time

SNAPSHOT = Time(1_700_000_000_000_000_000)


def evaluate(source: str, context: QueryContext | None = None) -> object:
    return run_query(parse_query(source), context or QueryContext(snapshot_time=SNAPSHOT))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("2 * 3 + 4 - 1", "9"),
        ("9223372036854775807 + 1", "9.223372036854776E18"),  # past 64 bits: a Double
        ("-9223372036854775807 - 2", "-9.223372036854776E18"),
        ("4294967296 * 4294967296", "1.8446744073709552E19"),
        ('1 + "5".parseLong()', "6"),
        ("1 + 2.5", "3.5"),
        ("true && 1 == 1", "true"),
        ("null ?? 1 + 1", "2"),
        ("Array.sequence(0, 100).map(x => x * 2).fold(0, (a, b) => a + b)", "9900"),
        ("((...xs) => xs)(1, 2)", "[1, 2]"),
        ("((a, ...xs) => [a, xs])(1)", "[1, []]"),
        ("((_, b) => b)(1, 2)", "2"),
    ],
)
def test_arithmetic_and_calls(source: str, expected: str) -> None:
    assert debug(evaluate(source)) == expected


def test_a_long_operand_takes_the_general_path() -> None:
    assert evaluate('"5".parseLong() + 1') == 6
    assert evaluate('"5".parseLong() * "2".parseLong()') == 10


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("((a) => a)(1, 2)", "callee function expects exactly 1 argument, but 2 were provided."),
        ("((a, ...b) => a)()", "callee function expects at least 1 argument, but 0 were provided."),
        ("1 + true", "expected value for `other` of type Number, received Boolean"),
    ],
)
def test_errors_are_those_of_the_general_path(source: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        evaluate(source)
    assert message in caught.value.message


def test_every_operator_and_call_counts_towards_the_deadline_check() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT)
    evaluate("Array.sequence(0, 10).map(x => x * 2).fold(0, (a, b) => a + b)", context)
    # 10 map calls + 10 multiplications + 10 fold calls + 10 additions + 3 method calls.
    assert context.stats.compute_calls == 43


def test_a_loop_of_lambdas_and_int_arithmetic_times_out() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT, deadline=0.0)
    with pytest.raises(QueryTimedOut):
        evaluate(f"Array.sequence(0, {DEADLINE_CHECK_INTERVAL * 4}).map(x => x + 1)", context)
