"""Document ids from queries and tagged arguments: only a Long in ASCII digits names a
document; anything else is FaunaDB's designed 400, never an overflow inside storage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest, QueryResult, WireFormat
from faunalite.wire.request import parse_query_body

TOO_WIDE = "99999999999999999999"


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    running = Engine()
    assert run(running, 'Collection.create({ name: "Dogs" })').status == 200
    yield running
    running.close()


def run(
    engine: Engine, query: str, arguments: dict[str, Any] | None = None, wire: WireFormat = "simple"
) -> QueryResult:
    body = parse_query_body(json.dumps({"query": query, "arguments": arguments or {}}).encode())
    return engine.run(QueryRequest(body=body, format=wire, timeout_ms=5000))


def error_of(result: QueryResult) -> tuple[int, str, str]:
    error = result.body["error"]
    return result.status, error["code"], error["message"]


@pytest.mark.parametrize("text", [TOO_WIDE, "²", "١٢"])
def test_by_id_with_a_string_that_is_no_long_is_an_invalid_id(engine: Engine, text: str) -> None:
    result = run(engine, "Dogs.byId(x)", {"x": text})
    assert error_of(result) == (400, "invalid_id", f'`"{text}"` is not a valid ID.')


def test_create_with_a_non_ascii_digit_id_is_a_constraint_failure(engine: Engine) -> None:
    # Java's Long.parseLong refuses "²" (not a decimal digit): FaunaDB's failure on `id`.
    result = run(engine, 'Dogs.create({ id: "²" })')
    assert error_of(result) == (
        400,
        "constraint_failure",
        "Failed to create document in collection `Dogs`.",
    )
    assert result.body["error"]["constraint_failures"] == [
        {"paths": [["id"]], "message": "Expected ID | String | Long, provided String"}
    ]


@pytest.mark.parametrize(
    "reference",
    [
        {"coll": {"@mod": "Dogs"}, "id": TOO_WIDE},
        {"coll": {"@mod": "Dogs"}, "id": "²"},
        f"Dogs:{TOO_WIDE}",
        "Dogs:²",
    ],
)
def test_a_tagged_reference_whose_id_is_no_long_is_an_invalid_argument(
    engine: Engine, reference: Any
) -> None:
    result = run(engine, "x", {"x": {"@doc": reference}}, wire="tagged")
    message = "Invalid argument 'x': @doc field 'id' must be an integer"
    assert error_of(result) == (400, "invalid_request", message)


def test_the_largest_long_id_is_still_a_reference(engine: Engine) -> None:
    result = run(engine, "Dogs.byId(x).exists()", {"x": "9223372036854775807"})
    assert result.status == 200
    assert result.body["data"] is False
