"""``Engine.run`` driven directly: deadlines in every phase, snapshot readers and writers."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from faunalite.engine import Engine, QueryRequest, QueryResult
from faunalite.wire.request import parse_query_body

TIMED_OUT = {"error": {"code": "time_out", "message": "Read timed out"}}


def run(
    engine: Engine,
    query: str,
    *,
    started_ago: float = 0.0,
    timeout_ms: int = 5000,
    linearized: bool = False,
) -> QueryResult:
    body = parse_query_body(json.dumps({"query": query}).encode())
    request = QueryRequest(
        body=body,
        timeout_ms=timeout_ms,
        received_at=time.monotonic() - started_ago,
        linearized=linearized,
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


def test_a_linearized_read_under_write_load_waits_only_behind_the_writers_ahead(
    engine: Engine,
) -> None:
    # Linearized reads go through the writer. Under threading.Lock a writer that committed
    # and came straight back often took the lock again first, so a linearized query could wait
    # behind any number of later writes (more than 30 s under the fuzzer).
    run(engine, 'Collection.create({ name: "Busy" })')
    writers = 3
    stop = threading.Event()
    write_ts: list[int] = []

    def write() -> None:
        while not stop.is_set():
            result = run(
                engine, "Busy.create({ n: 1 }); Array.sequence(0, 300).fold(0, (a, b) => a + b)"
            )
            write_ts.append(result.body["txn_ts"])

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    try:
        while len(write_ts) < 20:
            time.sleep(0.01)
        ahead = []
        for _ in range(20):
            committed_before = engine.model.storage.last_txn_ts
            body = run(engine, "Busy.all().count()", linearized=True).body
            ahead.append(sum(committed_before < ts < body["txn_ts"] for ts in list(write_ts)))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    # At most one writer holds the lock and the others wait when the linearized query queues.
    assert max(ahead) <= writers, ahead


def test_a_writer_queued_behind_an_overrunning_query_answers_time_out_at_its_deadline(
    engine: Engine,
) -> None:
    # A query stuck past its deadline (in a native that cannot be interrupted) held the
    # database's lock, and every writer and linearized read queued behind it without limit.
    held = engine._database_lock(())
    held.acquire()
    overrunning = threading.Timer(3.0, held.release)  # it ends at last, 2 s past our deadline
    overrunning.start()
    started = time.monotonic()
    result = run(engine, "1 + 1", timeout_ms=1000, linearized=True)
    waited = time.monotonic() - started
    overrunning.join()
    assert (result.status, result.body) == (503, TIMED_OUT)
    assert waited < 2
    assert run(engine, "1 + 1", linearized=True).body["data"] == 2
