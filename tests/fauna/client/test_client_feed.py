"""Client.feed over a scripted FaunaDB: pages, has_next, cursors, page_size, errors, retries."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    error_event,
    feed_page,
    json_response,
    protocol_failure,
    query_success,
)

from fauna import fql
from fauna.client import Client, FeedOptions, FeedPage
from fauna.errors import AbortError, AuthenticationError, ThrottlingError
from fauna.query import EventSource

SOURCE = EventSource("tok")


def event(n: int) -> dict[str, object]:
    return data_event("add", {"n": {"@int": str(n)}}, txn_ts=200 + n, cursor=f"c{n}")


def test_pages_follow_cursor_until_has_next_is_false(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/feed/1",
        json_response(200, feed_page([event(1), event(2)], "c2", has_next=True)),
        json_response(200, feed_page([event(3)], "c3", has_next=False)),
    )
    feed = client.feed(SOURCE, FeedOptions(page_size=2, start_ts=10))
    pages = list(feed)
    assert [len(p) for p in pages] == [2, 1]
    assert [p.has_next for p in pages] == [True, False]
    assert [p.cursor for p in pages] == ["c2", "c3"]
    assert isinstance(pages[0], FeedPage)
    assert [e["data"]["n"] for e in pages[0]] == [1, 2]
    assert pages[0].stats.compute_ops == 1
    assert fake.bodies("/feed/1") == [
        {"token": "tok", "page_size": 2, "start_ts": 10},
        {"token": "tok", "page_size": 2, "cursor": "c2"},
    ]
    assert feed.cursor == "c3"
    assert client.get_last_txn_ts() == 203


def test_feed_headers_carry_query_timeout(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(query_timeout=timedelta(seconds=7))
    fake.reply("/feed/1", json_response(200, feed_page([], "c0", has_next=False)))
    fake.reply("/feed/1", json_response(200, feed_page([], "c0", has_next=False)))
    list(client.feed(SOURCE))
    list(client.feed(SOURCE, FeedOptions(query_timeout=timedelta(seconds=2))))
    first, second = fake.sent("/feed/1")
    assert first.headers["X-Query-Timeout-Ms"] == "7000"
    assert first.headers["X-Format"] == "tagged"
    assert second.headers["X-Query-Timeout-Ms"] == "2000"
    assert second.extensions["timeout"]["read"] == 7.0


def test_flatten_yields_events_across_pages(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/feed/1",
        json_response(200, feed_page([event(1)], "c1", has_next=True)),
        json_response(200, feed_page([event(2), event(3)], "c3", has_next=False)),
    )
    assert [e["data"]["n"] for e in client.feed(SOURCE).flatten()] == [1, 2, 3]


def test_iterating_again_resumes_from_last_cursor(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/feed/1",
        json_response(200, feed_page([event(1)], "c1", has_next=False)),
        json_response(200, feed_page([event(2)], "c2", has_next=False)),
    )
    feed = client.feed(SOURCE)
    assert [e["data"]["n"] for e in feed.flatten()] == [1]
    assert [e["data"]["n"] for e in feed.flatten()] == [2]
    assert fake.bodies("/feed/1")[1] == {"token": "tok", "cursor": "c1"}


def test_resume_from_stored_cursor(client: Client, fake: FakeFauna) -> None:
    fake.reply("/feed/1", json_response(200, feed_page([event(9)], "c9", has_next=False)))
    list(client.feed(SOURCE, FeedOptions(cursor="c8")))
    assert fake.bodies("/feed/1") == [{"token": "tok", "cursor": "c8"}]


def test_error_event_raises_only_when_reached(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/feed/1",
        json_response(
            200,
            feed_page(
                [event(1), error_event("abort", "Query aborted.", abort="x")], "c2", has_next=True
            ),
        ),
        json_response(200, feed_page([event(3)], "c3", has_next=False)),
    )
    feed = client.feed(SOURCE)
    seen: list[int] = []
    for page in feed:
        try:
            for item in page:
                seen.append(item["data"]["n"])
        except AbortError as error:
            assert error.abort == "x"
    assert seen == [1, 3]
    first_page_events = fake.bodies("/feed/1")
    assert first_page_events[1]["cursor"] == "c2"


def test_http_error_raises_mapped_error(client: Client, fake: FakeFauna) -> None:
    fake.reply("/feed/1", json_response(401, protocol_failure("unauthorized", "Invalid token")))
    with pytest.raises(AuthenticationError):
        next(iter(client.feed(SOURCE)))


def test_throttling_is_retried_then_gives_up(
    make_client: Callable[..., Client], fake: FakeFauna, sleeps: list[float]
) -> None:
    client = make_client()
    throttled = json_response(429, protocol_failure("limit_exceeded", "slow down"))
    fake.reply(
        "/feed/1", throttled, json_response(200, feed_page([event(1)], "c1", has_next=False))
    )
    assert len(next(iter(client.feed(SOURCE)))) == 1
    assert len(sleeps) == 1
    fake.always("/feed/1", throttled)
    with pytest.raises(ThrottlingError):
        next(iter(client.feed(SOURCE, FeedOptions(max_attempts=2))))
    assert len(fake.sent("/feed/1")) == 4


def test_feed_from_query_and_validation(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success({"@stream": "q-tok"}), query_success({"@int": "1"}))
    fake.reply("/feed/1", json_response(200, feed_page([], "c0", has_next=False)))
    list(client.feed(fql("Product.all().eventSource()")))
    assert json.loads(fake.sent("/feed/1")[0].content) == {"token": "q-tok"}
    # Client.feed runs the query at once; AsyncClient.feed when the first page is asked for.
    with pytest.raises(TypeError, match="was a <class 'int'>"):
        list(client.feed(fql("1")))
    with pytest.raises(TypeError, match="Only one of 'start_ts' or 'cursor'"):
        client.feed(SOURCE, FeedOptions(start_ts=1, cursor="c"))
