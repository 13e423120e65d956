"""Longs that would fit an Int (``"5".parseLong()``, a ``{"@long": "5"}`` argument) keep their
representation as in FaunaDB: ``@long`` on the wire and ``isa Long``, until arithmetic or
storage normalises them (``Value.Number``, ``LongV``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.fql.values import Long, number_kind, type_name
from faunalite.wire.request import parse_query_body


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    running = Engine()
    running.run(_request('Collection.create({ name: "Numbers" })'))
    yield running
    running.close()


def _request(query: str, arguments: dict[str, Any] | None = None) -> QueryRequest:
    body = json.dumps({"query": query, "arguments": arguments or {}}).encode()
    return QueryRequest(body=parse_query_body(body), format="tagged")


def data(engine: Engine, query: str, arguments: dict[str, Any] | None = None) -> Any:
    result = engine.run(_request(query, arguments))
    assert result.status == 200, result.body
    return result.body["data"]


def test_a_small_long_is_a_long() -> None:
    assert (number_kind(Long(5)), type_name(Long(5)), number_kind(5)) == ("Long", "Long", "Int")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"5".parseLong()', {"@long": "5"}),
        ('"ff".parseLong(16)', {"@long": "255"}),
        ('-"5".parseLong()', {"@long": "-5"}),
        ('{ n: "5".parseLong() }', {"n": {"@long": "5"}}),
        ('"5".parseLong() + 1', {"@int": "6"}),
        ('"5".parseLong() * 2.0', {"@double": "10.0"}),
        ('"5".parseInt()', {"@int": "5"}),
        ('"5".parseNumber()', {"@int": "5"}),
    ],
)
def test_the_wire_keeps_long_until_arithmetic(engine: Engine, query: str, expected: Any) -> None:
    assert data(engine, query) == expected


def test_a_long_is_a_long_number_not_an_int(engine: Engine) -> None:
    query = 'let n = "5".parseLong()\n[n isa Long, n isa Int, n isa Number, n == 5, "#{n}"]'
    assert data(engine, query) == [True, False, True, True, "5"]


def test_a_long_argument_stays_a_long(engine: Engine) -> None:
    assert data(engine, "n", {"n": {"@long": "7"}}) == {"@long": "7"}
    assert data(engine, "n + 1", {"n": {"@long": "7"}}) == {"@int": "8"}


def test_a_stored_long_reads_back_normalised(engine: Engine) -> None:
    # FaunaDB stores every integer as a LongV and reads it back as the narrowest number.
    assert data(engine, 'Numbers.create({ n: "5".parseLong() }).n') == {"@int": "5"}
    assert data(engine, 'Numbers.where(.n == "5".parseLong()).count()') == {"@int": "1"}


def test_a_long_is_accepted_where_an_int_is(engine: Engine) -> None:
    assert data(engine, '[1, 2, 3].take("2".parseLong())') == [{"@int": "1"}, {"@int": "2"}]
    assert data(engine, 'Math.sum(["5".parseLong(), 1])') == {"@int": "6"}
