"""Numbers, equality and ordering as queries see them (reference §2.2, §2.9, §7)."""

from __future__ import annotations

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.compare import compare, equal, total_compare
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import ID, Date, Module, Null, Time


def run(source: str) -> str:
    value = run_query(parse_query(source), QueryContext(snapshot_time=Time(0)))
    return debug(value)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1000000000 + 2000000000", "3000000000"),
        ("9000000000000000000 + 9000000000000000000", "1.8E19"),
        ("-9000000000000000000 - 9000000000000000000", "-1.8E19"),
        ("4000000000 * 4000000000", "1.6E19"),
        ("9223372036854775808", "9.223372036854776E18"),
        ("1 + 2.0", "3.0"),
        ("7 / 2", "3"),
        ("-7 / 2", "-3"),
        ("7 / 2.0", "3.5"),
        ("234 / 0.0", "Infinity"),
        ("2.34 / 0", "Infinity"),
        ("0.0 / 0", "NaN"),
        ("-7 % 3", "-1"),
        ("7 % -3", "1"),
        ("7.5 % 2", "1.5"),
        ("1.0 % 0", "NaN"),
        ("2 ** 10", "1024"),
        ("2 ** 62", "4611686018427387904"),
        ("2 ** 64", "1.8446744073709552E19"),
        ("2 ** -1", "0.5"),
        ("0 ** 0", "1"),
        ("0 ** -1", "Infinity"),
        ("-1 ** 3", "-1"),
        ("2 ** 3 ** 2", "512"),
        ("2.0 ** 2", "4.0"),
        ("10 ** 400", "Infinity"),
        ("6 & 3", "2"),
        ("6 | 3", "7"),
        ("6 ^ 3", "5"),
        ("6.9 & 3", "2"),
        ("~0", "-1"),
        ("~1.5", "-2"),
        ("-(2.5)", "-2.5"),
        ("-(-2147483648)", "-2147483648"),
        ("!true", "false"),
        ("(2.0).toString()", '"2"'),
        ("1e21.toString()", '"1000000000000000000000"'),
        ("1.5e-7.toString()", '"1.5E-7"'),
    ],
)
def test_numeric_semantics(source: str, expected: str) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 == 1.0", "true"),
        ("1 == 1", "true"),
        ("'a' == 'a'", "true"),
        ("1 == '1'", "false"),
        ("null == null", "true"),
        ("null == 0", "false"),
        ("[1, [2]] == [1.0, [2]]", "true"),
        ("[1] == [1, 2]", "false"),
        ("{ a: 1, b: 2 } == { b: 2, a: 1 }", "true"),
        ("{ a: 1 } == { a: 2 }", "false"),
        ("ID(5) == '5'", "true"),
        ("ID(5) == 5", "true"),
        ("Math == Math", "true"),
        ("TransactionTime() == TransactionTime()", "true"),
        ("Math.NaN == Math.NaN", "true"),
        ("1 != 2", "true"),
        ("2 < 'x'", "false"),
        ("2 > 'x'", "false"),
        ("1 < true", "false"),
        ("null < 1", "false"),
        ("null <= null", "true"),
        ("'a' < 'b'", "true"),
        ("'Z' < 'a'", "true"),
        ("false < true", "true"),
        ("1 < 1.5", "true"),
        ("5000000000 > 1", "true"),
        ("[1, 2] < [1, 3]", "true"),
        ("[1] < [1]", "true"),
        ("let a = [1]; a < a", "false"),
        ("{} < {}", "true"),
        ("Date('2023-01-01') < Date('2023-01-02')", "true"),
        ("Time('2023-01-01T00:00:00Z') >= Time('2023-01-01T00:00:00Z')", "true"),
        ("ID(2) > '1'", "true"),
    ],
)
def test_equality_and_comparison(source: str, expected: str) -> None:
    assert run(source) == expected


def test_total_order_ranks_kinds_and_puts_null_last() -> None:
    mixed = [Null(), True, Date(1), Time(1), ID(1), {"a": 1}, [1], "s", b"b", 2.5, 1, Module("M")]
    ordered = sorted(mixed, key=lambda v: [total_compare(v, w) for w in mixed].count(1))
    assert [type(v).__name__ for v in ordered] == [
        "int",
        "float",
        "bytes",
        "str",
        "list",
        "dict",
        "ID",
        "Time",
        "Date",
        "bool",
        "Module",
        "Null",
    ]


def test_total_order_is_exact_for_arrays_unlike_the_operator() -> None:
    assert total_compare([1], [1]) == 0
    assert compare([1], [1.0]) == -1
    assert total_compare([1], [1, 0]) == -1
    assert total_compare({"a": 1}, {"a": 2}) == -1


def test_strings_compare_by_utf16_code_units() -> None:
    assert compare("\U0001f600", "\uffff") == -1
    assert total_compare("\U0001f600", "\uffff") == -1


def test_java_double_equality_edges() -> None:
    assert equal(float("nan"), float("nan"))
    assert not equal(0, -0.0)
    assert equal(0.0, 0)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[3, 'b', null, 1, 'a', [0], true].order()", '[1, 3, "a", "b", [0], true, null]'),
        ("[3, 1, 2].order(desc(x => x))", "[3, 2, 1]"),
        (
            "[{ a: 2, b: 1 }, { a: 1, b: 2 }, { a: 2, b: 0 }].order(.a, desc(.b))",
            "[{ a: 1, b: 2 }, { a: 2, b: 1 }, { a: 2, b: 0 }]",
        ),
        ("[{ a: 1, i: 0 }, { a: 0, i: 1 }, { a: 1, i: 2 }].order(asc(.a)).map(.i)", "[1, 0, 2]"),
        ("[null, 1].order(desc(x => x))", "[null, 1]"),
    ],
)
def test_order_uses_the_stable_total_order(source: str, expected: str) -> None:
    assert run(source) == expected
