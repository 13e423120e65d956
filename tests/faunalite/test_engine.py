"""``Engine.run`` driven directly: deadlines in every phase, snapshot readers and writers."""

from __future__ import annotations

import json
import re
import time

import pytest

from faunalite.engine import Engine, QueryRequest, QueryResult
from faunalite.wire.request import parse_query_body

TIMED_OUT = {"error": {"code": "time_out", "message": "Read timed out"}}


def run(
    engine: Engine, query: str, *, started_ago: float = 0.0, timeout_ms: int = 5000
) -> QueryResult:
    body = parse_query_body(json.dumps({"query": query}).encode())
    request = QueryRequest(
        body=body, timeout_ms=timeout_ms, received_at=time.monotonic() - started_ago
    )
    return engine.run(request)


@pytest.mark.parametrize("query", ["1 + 1", "[1, 2, 3]", 'Collection.create({ name: "Late" })'])
def test_a_query_past_its_deadline_is_time_out_never_a_late_answer(
    engine: Engine, query: str
) -> None:
    # The deadline ran out before the engine got the request (e.g. while it queued).
    result = run(engine, query, started_ago=2.0, timeout_ms=1000)
    assert (result.status, result.body) == (503, TIMED_OUT)


def test_a_timed_out_write_commits_nothing(engine: Engine) -> None:
    run(engine, 'Collection.create({ name: "Late" })', started_ago=2.0, timeout_ms=1000)
    assert run(engine, 'Collection.byName("Late") == null').body["data"] is True


def test_a_query_in_time_answers(engine: Engine) -> None:
    result = run(engine, 'Collection.create({ name: "OnTime" }) { name }')
    assert (result.status, result.body["data"]) == (200, {"name": "OnTime"})
    assert run(engine, "OnTime.all().count()").body["data"] == 0


def test_a_read_reports_a_txn_ts_not_before_the_last_write(engine: Engine) -> None:
    written = run(engine, 'Collection.create({ name: "C" })').body["txn_ts"]
    read = run(engine, "1 + 1").body["txn_ts"]
    assert isinstance(written, int) and isinstance(read, int)
    assert read >= written


@pytest.mark.parametrize("query", ["1", 'Collection.create({ name: "TooQuick" })'])
def test_a_1ms_deadline_is_refused_however_trivial_the_query(engine: Engine, query: str) -> None:
    # FaunaDB cannot answer within 1 ms (its protocol test relies on this): 440, not a result.
    result = run(engine, query, timeout_ms=1)
    assert result.status == 440
    message = result.body["error"]["message"]
    # The figure is the time taken, at least the deadline: 1 ms, more on a busy machine.
    assert re.fullmatch(
        r"Client set aggressive deadline: query needs 1000, timed out within \d+", message
    )
    assert result.body == {"error": {"code": "time_out", "message": message}}
    assert run(engine, 'Collection.byName("TooQuick") == null').body["data"] is True


def test_a_2ms_deadline_is_left_to_the_clock(engine: Engine) -> None:
    # Not refused up front: met (200) or missed (440) by how long the query really takes.
    result = run(engine, "1", timeout_ms=2)
    assert result.status in (200, 440)


# `fold` doubling its accumulator: 2**26 arrays in the tree, a few kilobytes in memory. Each
# walk below visited every one of them (a minute or more) with no look at the clock.
SHARED = "Array.sequence(0, 26).fold([1], (acc, x) => [acc, acc])"


@pytest.mark.parametrize(
    "query",
    [
        f"let a = {SHARED}; let b = {SHARED}; a == b",
        f"let a = {SHARED}; let b = {SHARED}; a != b",
        f"let a = {SHARED}; let b = {SHARED}; [a].includes(b)",
        f"let a = {SHARED}; let b = {SHARED}; [a, b].distinct().length",
        f"let a = {SHARED}; let b = {SHARED}; [a, b].order().length",
        f"let a = {SHARED}; let b = {SHARED}; [a, b].toSet().distinct().count()",
        f"{SHARED}.toString().length",
        f'"#{{{SHARED}}}".length',
        f"log({SHARED}); 1",
    ],
)
def test_walks_over_a_value_sharing_its_parts_end_at_the_deadline(
    engine: Engine, query: str
) -> None:
    started = time.monotonic()
    result = run(engine, query, timeout_ms=1000)
    assert (result.status, result.body) == (503, TIMED_OUT)
    assert time.monotonic() - started < 3


def test_storing_a_value_sharing_its_parts_ends_at_the_deadline(engine: Engine) -> None:
    run(engine, 'Collection.create({ name: "Shared" })')
    started = time.monotonic()
    result = run(engine, f"Shared.create({{ tree: {SHARED} }}); 1", timeout_ms=1000)
    assert (result.status, result.body) == (503, TIMED_OUT)
    assert time.monotonic() - started < 3
    assert run(engine, "Shared.all().count()").body["data"] == 0
