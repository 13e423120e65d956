"""History retention in the data model: FaunaDB's minimum valid time (MVT) rule, and what the
pruning a write query triggers leaves in storage (``faunalite.model.retention``).

The clock every store takes its timestamps from is moved forward instead of sleeping.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.engine import Engine, QueryRequest
from faunalite.model.retention import DAY_US, MVT_OFFSET_US, min_valid_ts, stored_history_days
from faunalite.storage import clock
from faunalite.wire.request import parse_query_body

MINUTE_US = 60 * 1_000_000


class MovableClock:
    def __init__(self) -> None:
        self.offset_us = 0

    def now_us(self) -> int:
        return time.time_ns() // 1000 + self.offset_us

    def advance(self, micros: int) -> None:
        self.offset_us += micros


@pytest.fixture
def movable_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    moved = MovableClock()
    monkeypatch.setattr(clock, "wall_clock_us", moved.now_us)
    return moved


@pytest.fixture
def engine(movable_clock: MovableClock) -> Iterator[Engine]:
    running = Engine()
    running.model.history_gc_interval_s = 0
    yield running
    running.close()


def ok(engine: Engine, query: str) -> Any:
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = engine.run(QueryRequest(body=body, timeout_ms=5000))
    assert result.status == 200, result.body
    return result.body["data"]


def names_kept(engine: Engine, collection: str) -> list[list[str | None]]:
    """Per document, the ``name`` of each version storage still holds, newest first."""
    with engine.model.storage.transaction() as txn:
        root = txn.find_database(())
        assert root is not None
        return [
            [_stored_name(version.data) for version in txn.history(root.scope, collection, doc.key)]
            for doc in txn.scan(root.scope, collection)
        ]


def versions_kept(engine: Engine, collection: str, key: int) -> int:
    """How many versions (deletions included) storage holds of one document."""
    with engine.model.storage.transaction() as txn:
        root = txn.find_database(())
        assert root is not None
        return len(txn.history(root.scope, collection, key))


def _stored_name(stored: object) -> str | None:
    """A version's ``name`` field (``None`` for a deletion)."""
    if not isinstance(stored, dict) or not isinstance(stored.get("data"), dict):
        return None
    name = stored["data"].get("name")
    return name if isinstance(name, str) else None


def test_the_mvt_is_history_days_and_15_minutes_before_the_snapshot() -> None:
    now = 1_800_000_000_000_000
    assert MVT_OFFSET_US == 15 * MINUTE_US
    assert min_valid_ts(now, 0) == now - 15 * MINUTE_US
    assert min_valid_ts(now, 3) == now - 3 * DAY_US - 15 * MINUTE_US
    # Never before the epoch; no history_days at all keeps everything.
    assert min_valid_ts(10 * MINUTE_US, 0) == 0
    assert min_valid_ts(now, None) == 0


def test_history_days_is_read_from_the_stored_definition() -> None:
    assert stored_history_days({"name": "Dogs", "history_days": 4}) == 4
    assert stored_history_days({"name": "Dogs"}) is None
    assert stored_history_days({"history_days": True}) is None
    assert stored_history_days(None) is None


def test_a_write_prunes_versions_older_than_the_version_live_at_the_mvt(
    engine: Engine, movable_clock: MovableClock
) -> None:
    ok(engine, 'Collection.create({ name: "Dogs" })')
    ok(engine, 'Dogs.create({ id: "1", name: "v1" })')
    movable_clock.advance(MINUTE_US)
    ok(engine, 'Dogs("1")!.update({ name: "v2" })')
    movable_clock.advance(MINUTE_US)
    ok(engine, 'Dogs("1")!.update({ name: "v3" })')
    assert names_kept(engine, "Dogs") == [["v3", "v2", "v1"]]

    # 16 minutes after v1: the MVT lies between v2's start and v3's, so v1 goes.
    movable_clock.advance(14 * MINUTE_US)
    ok(engine, 'Collection.create({ name: "Other" })')
    assert names_kept(engine, "Dogs") == [["v3", "v2"]]

    # Long after, only the current version is left; a deleted document leaves nothing.
    ok(engine, 'Dogs.create({ id: "2", name: "gone" })')
    ok(engine, 'Dogs("2")!.delete()')
    assert versions_kept(engine, "Dogs", 2) == 2
    movable_clock.advance(30 * MINUTE_US)
    ok(engine, 'Other.create({ name: "write" })')
    assert names_kept(engine, "Dogs") == [["v3"]]
    assert versions_kept(engine, "Dogs", 2) == 0


def test_history_days_keeps_versions_for_that_many_days(
    engine: Engine, movable_clock: MovableClock
) -> None:
    ok(engine, 'Collection.create({ name: "Dogs", history_days: 2 })')
    ok(engine, 'Dogs.create({ id: "1", name: "v1" })')
    movable_clock.advance(MINUTE_US)
    ok(engine, 'Dogs("1")!.update({ name: "v2" })')
    movable_clock.advance(DAY_US)
    ok(engine, 'Dogs.create({ name: "write" })')
    assert names_kept(engine, "Dogs")[0] == ["v2", "v1"]
    movable_clock.advance(DAY_US + 20 * MINUTE_US)
    ok(engine, 'Dogs.create({ name: "write" })')
    assert names_kept(engine, "Dogs")[0] == ["v2"]


def test_pruning_runs_at_most_once_per_interval(
    engine: Engine, movable_clock: MovableClock
) -> None:
    engine.model.history_gc_interval_s = 3600
    ok(engine, 'Collection.create({ name: "Dogs" })')  # this write prunes (nothing yet)
    ok(engine, 'Dogs.create({ id: "1", name: "v1" })')
    movable_clock.advance(MINUTE_US)
    ok(engine, 'Dogs("1")!.update({ name: "v2" })')
    movable_clock.advance(20 * MINUTE_US)
    ok(engine, 'Dogs.create({ name: "write" })')
    assert names_kept(engine, "Dogs")[0] == ["v2", "v1"]
    engine.model.history_gc_interval_s = 0
    ok(engine, 'Dogs.create({ name: "write" })')
    assert names_kept(engine, "Dogs")[0] == ["v2"]
