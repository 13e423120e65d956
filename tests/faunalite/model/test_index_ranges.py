"""Index ranges as FaunaDB bounds them: ``null`` is the greatest value, bounds on a covered
``id`` are document ids, an array bound of a one-value index is that value.

The cases are FaunaDB's ``FQL2IndexSpec.scala`` ("documents with null value come after
documents in unbounded to queries...", its descending twin, "indexes can cover id", "non-MVA")
and the rules of ``CollectionIndexMethod.collectRange``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.wire.request import parse_query_body

PRODUCTS = """Collection.create({ name: "Products", indexes: {
  byPrice: { terms: [{ field: "category" }], values: [{ field: "price" }, { field: "count" }] },
  byPriceDesc: { terms: [{ field: "category" }],
    values: [{ field: "price", order: "desc" }, { field: "count", order: "desc" }] } } })"""
PERSON = """Collection.create({ name: "Person", indexes: {
  byID: { values: [{ field: "id" }] },
  byIDDesc: { values: [{ field: "id", order: "desc" }] },
  byIDAnd: { values: [{ field: "id" }, { field: "name" }] },
  byB: { terms: [{ field: "a" }], values: [{ field: "b" }] },
  byA: { terms: [{ field: "a" }] } } })"""


def answer(engine: Engine, query: str) -> tuple[int, Any]:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body, timeout_ms=5000, received_at=time.monotonic()))
    payload = result.body
    assert isinstance(payload, dict)
    return result.status, payload["data"] if "data" in payload else payload["error"]


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    running = Engine()
    for query in (
        PRODUCTS,
        PERSON,
        "Products.create({ category: 'sports', n: 'null' })",
        "Products.create({ category: 'sports', price: 1000, n: 'price' })",
        "Products.create({ category: 'sports', count: 200, n: 'count' })",
        "Products.create({ category: 'sports', price: 300, count: 300, n: 'all' })",
        "Person.create({ id: '123', name: 'John' })",
        "Person.create({ id: '456', name: 'Alice' })",
        "Person.create({ id: 1, a: 'arr', b: [1, 2] })",
        "Person.create({ id: 2, a: 'arr', b: [3, 4] })",
        "Person.create({ id: 3, a: 'arr', b: [5, 6] })",
        "Person.create({ id: 4, a: 'arr', b: [7, 8] })",
    ):
        status, _ = answer(running, query)
        assert status == 200
    yield running
    running.close()


def names(engine: Engine, index: str, bounds: str) -> list[str]:
    status, value = answer(engine, f"Products.{index}('sports', {bounds}).toArray().map(.n)")
    assert status == 200
    return list(value)


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ("{ from: 100 }", ["all", "price", "count", "null"]),
        ("{ from: (100, 100) }", ["all", "price", "count", "null"]),
        ("{ from: null }", ["count", "null"]),
        ("{ from: (null, null) }", ["null"]),
        ("{ to: 1000 }", ["all", "price"]),
        ("{ to: (1000, 1000) }", ["all"]),
        ("{ to: null }", ["all", "price", "count", "null"]),
        ("{ to: (null, null) }", ["all", "price", "count", "null"]),
    ],
)
def test_null_is_the_greatest_value_ascending(
    engine: Engine, bounds: str, expected: list[str]
) -> None:
    assert names(engine, "byPrice", bounds) == expected


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ("{ to: 100 }", ["null", "count", "price", "all"]),
        ("{ to: (100, 100) }", ["null", "count", "price", "all"]),
        ("{ to: null }", ["null", "count"]),
        ("{ to: (null, null) }", ["null"]),
        ("{ from: 1000 }", ["price", "all"]),
        ("{ from: (1000, 1000) }", ["all"]),
        ("{ from: null }", ["null", "count", "price", "all"]),
        ("{ from: (null, null) }", ["null", "count", "price", "all"]),
    ],
)
def test_null_comes_first_descending(engine: Engine, bounds: str, expected: list[str]) -> None:
    assert names(engine, "byPriceDesc", bounds) == expected


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("Person.byID().where(.name != null)", ["123", "456"]),
        ("Person.byID({ from: '124' })", ["456"]),
        ("Person.byID({ from: 124 })", ["456"]),
        ("Person.byID({ from: ID('124') })", ["456"]),
        ("Person.byID({ from: Person.byId(124) })", ["456"]),
        # Not an id: after every id. null: before every id.
        ("Person.byID({ from: 'a' })", []),
        ("Person.byID({ from: null }).where(.name != null)", ["123", "456"]),
        ("Person.byIDDesc({ from: 'a' }).where(.name != null)", ["456", "123"]),
        ("Person.byIDDesc({ from: null })", []),
        ("Person.byIDAnd({ from: ['a'] })", []),
        ("Person.byIDAnd({ from: [null] }).where(.name != null)", ["123", "456"]),
        ("Person.byIDAnd({ from: [123, 'K'], to: [456, 'B'] })", ["456"]),
    ],
)
def test_bounds_on_a_covered_id_are_document_ids(
    engine: Engine, query: str, ids: list[str]
) -> None:
    assert answer(engine, f"{query}.toArray().map(.id)") == (200, ids)


@pytest.mark.parametrize(
    ("bounds", "ids"),
    [
        ("{ from: [3, 4], to: [5, 6] }", ["2", "3"]),
        # An array bound of a one-value index is that array; `to` takes in what it begins.
        ("{ from: [3], to: [5] }", ["2", "3"]),
        ("{ to: [1] }", ["1"]),
    ],
)
def test_an_array_bound_of_one_value_is_the_value(
    engine: Engine, bounds: str, ids: list[str]
) -> None:
    assert answer(engine, f"Person.byB('arr', {bounds}).toArray().map(.id)") == (200, ids)


def test_ranges_without_values_are_document_ids(engine: Engine) -> None:
    assert answer(engine, "Person.byA('arr', { from: 2, to: '3' }).toArray().map(.id)") == (
        200,
        ["2", "3"],
    )
    for bound in ("null", "[2]", "'x'"):
        assert answer(engine, f"Person.byA('arr', {{ from: {bound} }})") == (
            400,
            {
                "code": "invalid_argument",
                "message": "invalid argument `range`: The `from` field must be a document id.",
            },
        )


def test_a_bound_longer_than_the_values_is_refused(engine: Engine) -> None:
    assert answer(engine, "Products.byPrice('sports', { to: [1, 2, 3] })") == (
        400,
        {
            "code": "invalid_argument",
            "message": "invalid argument `range`: The field `to` can have at most 2 values",
        },
    )
