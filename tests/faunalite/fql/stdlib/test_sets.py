"""Every Set method and the ``Set`` module: a value per method and its main errors.

Sets here are built from arrays (``toSet()``) and ``Set.sequence`` so that no storage is needed;
``toArray()`` (or ``paginate``) makes the lazy result visible.
"""

from __future__ import annotations

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time


def evaluate(source: str, context: QueryContext | None = None) -> object:
    ctx = context if context is not None else QueryContext(snapshot_time=Time(0))
    return run_query(parse_query(source), ctx)


def failure(source: str) -> QueryError:
    with pytest.raises(QueryError) as raised:
        evaluate(source)
    return raised.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # sources
        ("Set.sequence(0, 4).toArray()", "[0, 1, 2, 3]"),
        ("Set.sequence(3, 1).toArray()", "[]"),
        ("Set.single(5).toArray()", "[5]"),
        ("[1, 2].toSet().toArray()", "[1, 2]"),
        ("[].toSet().toArray()", "[]"),
        # lazy methods
        ("[1, 2, 3].toSet().map(x => x * 10).toArray()", "[10, 20, 30]"),
        ("[1, 2, 3].toSet().where(x => x != 2).toArray()", "[1, 3]"),
        ("[1, 2, 3].toSet().where(x => if (x == 2) null else true).toArray()", "[1, 3]"),
        ("[1, 2, 3].toSet().filter(x => x > 1).toArray()", "[2, 3]"),
        ("Set.sequence(1, 4).flatMap(x => Set.sequence(0, x)).toArray()", "[0, 0, 1, 0, 1, 2]"),
        ("[3, 1, 2].toSet().order().toArray()", "[1, 2, 3]"),
        ("[3, 1, 2].toSet().order(desc(x => x)).toArray()", "[3, 2, 1]"),
        ("[3, 1, 2].toSet().order(asc(x => x)).toArray()", "[1, 2, 3]"),
        ("['bb', 'a', 'ccc'].toSet().order(.length).toArray()", '["a", "bb", "ccc"]'),
        (
            "[{a: 1, b: 2}, {a: 0, b: 2}, {a: 1, b: 1}].toSet().order(.b, desc(.a)).toArray()",
            "[{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 0, b: 2 }]",
        ),
        ("[null, 'a', 1, true].toSet().order().toArray()", '[1, "a", true, null]'),
        ("[3, 1, 3, 2, 1.0].toSet().distinct().toArray()", "[1, 2, 3]"),
        ("Set.sequence(0, 4).reverse().toArray()", "[3, 2, 1, 0]"),
        ("[1, 2, 3].toSet().take(2).reverse().toArray()", "[2, 1]"),
        ("Set.sequence(0, 10).take(3).toArray()", "[0, 1, 2]"),
        ("Set.sequence(0, 10).take(0).toArray()", "[]"),
        ("Set.sequence(0, 5).drop(3).toArray()", "[3, 4]"),
        ("Set.sequence(0, 5).drop(-1).toArray()", "[0, 1, 2, 3, 4]"),
        ("Set.sequence(0, 2).concat([7, 8].toSet()).toArray()", "[0, 1, 7, 8]"),
        ("Set.sequence(0, 2).concat([7].toSet()).reverse().toArray()", "[7, 1, 0]"),
        ("Set.sequence(0, 3).pageSize(2).toArray()", "[0, 1, 2]"),
        ("Set.sequence(0, 3).toSet().toArray()", "[0, 1, 2]"),
        ("Set.sequence(0, 3).toString()", '"[set]"'),
        ("Set.sequence(0, 3)", "[set]"),
        ("'x: ' + Set.sequence(0, 3).toString()", '"x: [set]"'),
        # eager methods
        ("Set.sequence(4, 9).first()", "4"),
        ("[].toSet().first()", "null"),
        ("Set.sequence(4, 9).last()", "8"),
        ("Set.sequence(0, 9).take(4).last()", "3"),
        ("[].toSet().last()", "null"),
        ("Set.sequence(0, 9).firstWhere(x => x > 5)", "6"),
        ("Set.sequence(0, 9).lastWhere(x => x < 5)", "4"),
        ("Set.sequence(0, 9).firstWhere(x => x > 50)", "null"),
        ("Set.sequence(0, 9).count()", "9"),
        ("Set.sequence(0, 100000).count()", "100000"),
        ("[].toSet().isEmpty()", "true"),
        ("[1].toSet().isEmpty()", "false"),
        ("[1].toSet().nonEmpty()", "true"),
        ("[1, [2]].toSet().includes([2])", "true"),
        ("[1, 2].toSet().includes(3)", "false"),
        ("[1, 2].toSet().any(x => x > 1)", "true"),
        ("[1, 2].toSet().any(x => null)", "false"),
        ("[1, 2].toSet().every(x => x > 1)", "false"),
        ("[].toSet().every(x => false)", "true"),
        ("['a', 'b'].toSet().fold('>', (acc, x) => acc + x)", '">ab"'),
        ("['a', 'b'].toSet().foldRight('>', (acc, x) => acc + x)", '">ba"'),
        ("['a', 'b', 'c'].toSet().reduce((acc, x) => acc + x)", '"abc"'),
        ("['a', 'b', 'c'].toSet().reduceRight((acc, x) => acc + x)", '"cba"'),
        ("[].toSet().reduce((a, b) => a)", "null"),
        ("['a', 'b', 'c'].toSet().aggregate('s', (x, y) => x + y)", '"abcs"'),
        ("[].toSet().aggregate(0, (x, y) => x + y)", "0"),
        ("[1, 2].toSet().forEach(x => x)", "null"),
        ("Set.sequence(0, 5).paginate(2).data", "[0, 1]"),
        ("Set.sequence(0, 2).paginate(2)", "{ data: [0, 1] }"),
        ("Set.sequence(0, 20).paginate().data.length", "16"),
        ("Set.sequence(0, 20).pageSize(3).paginate().data", "[0, 1, 2]"),
        # projection goes through map
        (
            "let s = [{a: 1, b: 2}, {a: 3, b: 4}].toSet() { a }\n s.toArray()",
            "[{ a: 1 }, { a: 3 }]",
        ),
    ],
)
def test_set_method_values(source: str, expected: str) -> None:
    assert debug(evaluate(source)) == expected


@pytest.mark.parametrize(
    ("source", "code", "message"),
    [
        (
            "Set.sequence(0, 3).take(-1)",
            "invalid_bounds",
            "expected `limit` to be greater than 0, received -1",
        ),
        (
            "Set.sequence(0, 3).pageSize(0)",
            "invalid_bounds",
            "expected `size` to be between 1 and 16000 (inclusive), received 0",
        ),
        (
            "Set.sequence(0, 3).pageSize(16001)",
            "invalid_bounds",
            "expected `size` to be between 1 and 16000 (inclusive), received 16001",
        ),
        (
            "Set.sequence(0, 3).paginate(-1)",
            "invalid_bounds",
            "expected `size` to be between 1 and 16000 (inclusive), received -1",
        ),
        (
            "Set.sequence(0, 16001).toArray()",
            "value_too_large",
            "Value too large: exceeded maximum number of elements (limit=16000).",
        ),
        (
            "Set.sequence(0, 16001).order().first()",
            "value_too_large",
            "Value too large: exceeded maximum number of elements (limit=16000).",
        ),
        (
            "Set.sequence(0, 16001).distinct().first()",
            "value_too_large",
            "Value too large: exceeded maximum number of elements (limit=16000).",
        ),
        (
            "Set.sequence(0, 3).where(x => x).toArray()",
            "type_mismatch",
            "expected type: Boolean, received Int",
        ),
        (
            "Set.sequence(0, 3).flatMap(x => [x]).toArray()",
            "type_mismatch",
            "expected type: Set<Any>, received Array<Any>",
        ),
        (
            "Set.sequence(0, 3).map(1)",
            "invalid_argument",
            "expected value for `mapper` of type A => B, received Int",
        ),
        (
            "Set.sequence(0, 3).fold(0, x => x)",
            "invalid_argument",
            "`reducer` should accept 2 parameters, provided function requires exactly 1 parameter.",
        ),
        (
            "Set.sequence(0, 3).concat([1])",
            "invalid_argument",
            "expected value for `other` of type Set<Any>, received Array<Any>",
        ),
        (
            "Set.sequence(0, 3).order(1)",
            "invalid_argument",
            "expected value for `ordering0` of type Function, received Int",
        ),
        ("Set.paginate('nope')", "invalid_cursor", "Cursor cursor is invalid or expired."),
        (
            "Set.paginate(1)",
            "invalid_argument",
            "expected value for `cursor` of type String | SetCursor, received Int",
        ),
    ],
)
def test_set_method_errors(source: str, code: str, message: str) -> None:
    error = failure(source)
    assert (error.code, error.message) == (code, message)


def test_take_is_lazy_over_a_huge_sequence() -> None:
    ctx = QueryContext(snapshot_time=Time(0))
    result = evaluate("Set.sequence(0, 1000000).map(x => x + 1).take(2).toArray()", ctx)
    assert result == [1, 2]
    # Two mapper calls plus a handful of native calls, not a million.
    assert ctx.stats.compute_calls < 20


def test_lazy_methods_do_not_run_their_lambdas() -> None:
    ctx = QueryContext(snapshot_time=Time(0))
    evaluate("Set.sequence(0, 10).map(x => log(x)).where(x => true).order(x => x); 1", ctx)
    assert ctx.diagnostics == []


def test_first_reads_one_element() -> None:
    ctx = QueryContext(snapshot_time=Time(0))
    assert evaluate("Set.sequence(0, 1000000).map(x => { log(x); x }).first()", ctx) == 0
    assert [entry.message for entry in ctx.diagnostics] == ["0"]


def test_last_reads_backwards_without_materialising() -> None:
    assert evaluate("Set.sequence(0, 1000000).map(x => x * 2).last()") == 1999998


def test_order_is_stable() -> None:
    source = "[{k: 1, i: 0}, {k: 0, i: 1}, {k: 1, i: 2}, {k: 0, i: 3}].toSet().order(.k)"
    assert debug(evaluate(source + ".map(.i).toArray()")) == "[1, 3, 0, 2]"


def test_set_values_report_their_type() -> None:
    error = failure("Set.sequence(0, 1) + 1")
    assert error.code == "invalid_function_invocation"
    assert error.message == "The function `+` does not exist on `Set<Any>`"


def test_counting_a_huge_set_stops_at_the_deadline() -> None:
    from faunalite.fql.context import QueryTimedOut

    ctx = QueryContext(snapshot_time=Time(0), deadline=0.0)
    with pytest.raises(QueryTimedOut):
        evaluate("Set.sequence(0, 2147483647).count()", ctx)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Set.sequence(0, 1) isa Set", True),
        ("[1].toSet().map(x => x) isa Set", True),
        ("[1] isa Set", False),
    ],
)
def test_sets_are_members_of_set(source: str, expected: bool) -> None:
    assert evaluate(source) is expected
