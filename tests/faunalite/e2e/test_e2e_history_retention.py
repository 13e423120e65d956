"""History retention through the driver: ``at (ts)`` reads, streams and feeds across the window
a collection keeps (``history_days`` plus FaunaDB's 15 minutes, ``faunalite.model.retention``).

Days pass without sleeping: each test runs its own server and moves the clock every store
takes its timestamps from (``faunalite.storage.clock.wall_clock_us``) forward. Time only ever
moves forward, as commit timestamps must.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from fauna import fql
from fauna.client import Client, FeedOptions, StreamOptions
from fauna.errors import InvalidRequestError, QueryRuntimeError
from faunalite.storage import clock
from faunalite.testing import BackgroundServer, serve_in_background

from .stream_consumer import StreamConsumer

MINUTE_US = 60 * 1_000_000
DAY_US = 24 * 60 * MINUTE_US


class MovableClock:
    """The stores' wall clock, ``offset_us`` ahead of the real one."""

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
def server(movable_clock: MovableClock) -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as running:
        # Prune on every write query, so the tests see what pruning leaves.
        running.engine.model.history_gc_interval_s = 0
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[Client]:
    with Client(endpoint=server.endpoint, secret="secret", max_attempts=1) as connected:
        yield connected


def java_instant(txn_ts: int) -> str:
    """A µs timestamp as FaunaDB prints one in messages (Java ``Instant.toString``)."""
    seconds, micros = divmod(txn_ts, 1_000_000)
    text = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if micros:
        fraction = f"{micros:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def at_name(client: Client, ts: int) -> object:
    return client.query(fql('at (Time(${t})) { Dogs.byId("1")!.name }', t=java_instant(ts))).data


def test_at_reads_inside_history_days_and_fails_before_it(
    client: Client, movable_clock: MovableClock
) -> None:
    client.query(fql('Collection.create({ name: "Dogs", history_days: 1 })'))
    created = client.query(fql('Dogs.create({ id: "1", name: "Scout" })')).txn_ts
    movable_clock.advance(10 * MINUTE_US)
    client.query(fql('Dogs("1")!.update({ name: "Rex" })'))

    # A day and 10 minutes on, the creation is still inside the day and 15 minutes kept.
    movable_clock.advance(DAY_US)
    assert at_name(client, created) == "Scout"

    # Ten minutes more and it is not: FaunaDB's 400, with no summary.
    movable_clock.advance(10 * MINUTE_US)
    with pytest.raises(InvalidRequestError) as raised:
        at_name(client, created)
    assert raised.value.status_code == 400
    assert raised.value.code == "invalid_request"
    pattern = (
        rf"Requested timestamp {re.escape(java_instant(created))} less than minimum allowed "
        r"timestamp \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z\."
    )
    assert re.fullmatch(pattern, raised.value.message)

    # The version live at the window's edge stays readable after pruning (a write prunes).
    client.query(fql('Dogs.create({ id: "2", name: "Later" })'))
    assert at_name(client, created + 6 * MINUTE_US) == "Scout"
    assert client.query(fql('Dogs.byId("1")!.name')).data == "Rex"


def test_sets_read_at_an_expired_time_fail_too(client: Client, movable_clock: MovableClock) -> None:
    client.query(
        fql(
            'Collection.create({ name: "Dogs", indexes: { byName: { terms: [{ field: ".name" }] } } })'
        )
    )
    created = client.query(fql('Dogs.create({ name: "Scout" })')).txn_ts
    movable_clock.advance(16 * MINUTE_US)
    for body in ("Dogs.all().count()", 'Dogs.byName("Scout").count()'):
        with pytest.raises(InvalidRequestError) as raised:
            client.query(fql(f"at (Time(${{t}})) {{ {body} }}", t=java_instant(created)))
        assert raised.value.message.startswith(
            f"Requested timestamp {java_instant(created)} less than minimum allowed timestamp "
        )
    # Fourteen minutes back is inside the 15 minutes every collection keeps.
    recent = java_instant(created + 2 * MINUTE_US)
    assert client.query(fql("at (Time(${t})) { Dogs.all().count() }", t=recent)).data == 1


def test_a_stream_or_feed_starting_before_the_history_kept_fails(
    client: Client, movable_clock: MovableClock
) -> None:
    client.query(fql('Collection.create({ name: "Dogs" })'))
    source = client.query(fql("Dogs.all().eventSource()")).data
    first = client.query(fql('Dogs.create({ name: "Scout" })')).txn_ts
    movable_clock.advance(20 * MINUTE_US)
    expected = {
        "code": "invalid_stream_start_time",
        "message": f"Stream start time {java_instant(first)} is too far in the past."
        " Recreate the stream and try again.",
    }

    with StreamConsumer(client, source, StreamOptions(start_ts=first)) as consumer:
        error = consumer.wait_for_error()
    assert isinstance(error, QueryRuntimeError)
    assert (error.code, error.message) == (expected["code"], expected["message"])

    page = next(iter(client.feed(source, FeedOptions(start_ts=first))))
    assert [event["error"] for event in page.events] == [expected]
    assert not page.has_next


def test_a_stream_or_feed_starting_inside_the_history_kept_replays(
    client: Client, movable_clock: MovableClock
) -> None:
    client.query(fql('Collection.create({ name: "Dogs" })'))
    source = client.query(fql("Dogs.all().eventSource()")).data
    movable_clock.advance(20 * MINUTE_US)
    recent = client.query(fql('Dogs.create({ name: "Scout" })')).txn_ts
    start = recent - 1

    with StreamConsumer(client, source, StreamOptions(start_ts=start)) as consumer:
        [added] = consumer.wait_for(1)
    assert (added["type"], added["data"]["name"]) == ("add", "Scout")

    [page] = list(client.feed(source, FeedOptions(start_ts=start)))
    assert [(event["type"], event["data"]["name"]) for event in page] == [("add", "Scout")]
