"""End-to-end FQL queries over the String, Time, Date, ID and Bytes standard library."""

from __future__ import annotations

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time

SNAPSHOT = Time(1_676_030_400_000_000_000)  # 2023-02-10T12:00:00Z, a Friday


def run(source: str) -> str:
    """The debug form of the query's value."""
    return debug(run_query(parse_query(source), QueryContext(snapshot_time=SNAPSHOT)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"f😍😍".length', "3"),
        ('"f😍😍"[1]', '"😍"'),
        ('"a" + 2.0', '"a2"'),
        ('"x#{1.5e7}y"', '"x15000000y"'),
        ('"v: #{[2.0, ID(3)]}"', '"v: [2.0, ID(\\"3\\")]"'),
        ('"abc".replace("b", "x")', '"axc"'),
        ('"f b ".split(" ")', '["f", "b", ""]'),
        ('let up = "ab".toUpperCase; up()', '"AB"'),
        ('"42".parseInt() + 1', "43"),
        ('Time("2023-02-10T12:00:00+01:00")', 'Time("2023-02-10T11:00:00Z")'),
        ('Time("2023-02-10T12:00:00Z").add(1.5, "days").toString()', '"2023-02-12T00:00:00Z"'),
        ("Time.now().dayOfWeek", "5"),
        ('Time.now().difference(Time("2023-02-09T12:00:00.000000001Z"), "days")', "0"),
        ('Time.epoch(1, "second") < Time.now()', "true"),
        ('Date.today().add(1, "day")', 'Date("2023-02-11")'),
        ('"#{Date("2023-02-10")}"', '"2023-02-10"'),
        ('"#{TransactionTime()}"', '"[transaction time]"'),
        ('ID("12")', 'ID("12")'),
        ('Bytes("AP8=").toBase64()', '"AP8="'),
    ],
)
def test_queries(source: str, expected: str) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "code", "message"),
    [
        ('"abc".indexOf("z")!', "null_value", "Null value, due to no element found"),
        ('"x".parseInt()!', "null_value", "Null value, due to invalid number"),
        ('"abc".at(5)', "index_out_of_bounds", "index 5 out of bounds for length 3"),
        ('Time("x")', "invalid_time", "`x` is not a valid time."),
        ('Date("2023-02-30")', "invalid_date", "`2023-02-30` is not a valid date."),
        ('Date.today().add(1, "hour")', "invalid_unit", "`hour` is not a valid date unit."),
        ('ID("abc")', "invalid_id", '`"abc"` is not a valid ID.'),
        (
            '"a".matches("(")',
            "invalid_regex",
            "Invalid regular expression. Unclosed group at index 1",
        ),
    ],
)
def test_query_errors(source: str, code: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        run(source)
    assert (caught.value.code, caught.value.message) == (code, message)
