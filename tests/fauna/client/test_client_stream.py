"""Client.stream over a scripted FaunaDB: events, status swallowing, reconnects, errors, close."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    error_event,
    json_response,
    protocol_failure,
    query_success,
    status_event,
    stream_response,
)

from conftest import ENDPOINT
from fauna import fql
from fauna.client import Client, StreamOptions
from fauna.errors import (
    AbortError,
    AuthenticationError,
    ClientError,
    NetworkError,
    QueryRuntimeError,
)
from fauna.query import EventSource

SOURCE = EventSource("tok")


def doc_event(kind: str, n: int) -> dict[str, object]:
    return data_event(kind, {"n": {"@int": str(n)}}, txn_ts=100 + n, cursor=f"c{n}")


def test_events_in_order_with_status_swallowed(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response(
            [
                status_event(100, "c0"),
                doc_event("add", 1),
                doc_event("update", 2),
                doc_event("remove", 3),
            ]
        ),
    )
    with client.stream(SOURCE) as stream:
        events = [next(stream) for _ in range(3)]
    assert [e["type"] for e in events] == ["add", "update", "remove"]
    assert [e["data"]["n"] for e in events] == [1, 2, 3]
    assert events[0]["cursor"] == "c1" and events[0]["txn_ts"] == 101
    assert client.get_last_txn_ts() == 103
    (request,) = fake.sent("/stream/1")
    assert json.loads(request.content) == {"token": "tok"}
    assert request.headers["Authorization"] == "Bearer sekrit"
    assert request.headers["X-Format"] == "tagged"
    # Streams may stay idle for five minutes between heartbeats.
    assert request.extensions["timeout"]["read"] == 365.0


def test_status_events_delivered_when_asked(client: Client, fake: FakeFauna) -> None:
    fake.reply("/stream/1", stream_response([status_event(100, "c0"), doc_event("add", 1)]))
    with client.stream(SOURCE, StreamOptions(status_events=True)) as stream:
        assert next(stream)["type"] == "status"
        assert next(stream)["type"] == "add"


def test_start_events_are_dropped(client: Client, fake: FakeFauna) -> None:
    start = {"type": "start", "txn_ts": 99, "cursor": "c-start", "stats": {}}
    fake.reply("/stream/1", stream_response([start, doc_event("add", 1)]))
    with client.stream(SOURCE) as stream:
        assert next(stream)["type"] == "add"


def test_reconnects_after_eof_from_last_cursor(
    client: Client, fake: FakeFauna, sleeps: list[float]
) -> None:
    fake.reply(
        "/stream/1",
        stream_response([status_event(100, "c0"), doc_event("add", 1)]),
        stream_response([status_event(150, "c1b"), doc_event("add", 2)]),
    )
    with client.stream(SOURCE) as stream:
        assert [next(stream)["data"]["n"] for _ in range(2)] == [1, 2]
    bodies = fake.bodies("/stream/1")
    assert bodies == [{"token": "tok"}, {"token": "tok", "cursor": "c1"}]
    assert len(sleeps) == 1


def test_reconnects_after_dropped_connection(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response([status_event(100, "c0"), doc_event("add", 1)], drop=True),
        httpx.ConnectError("refused"),
        stream_response([doc_event("add", 2)]),
    )
    with client.stream(SOURCE, StreamOptions(start_ts=50)) as stream:
        assert [next(stream)["data"]["n"] for _ in range(2)] == [1, 2]
    assert fake.bodies("/stream/1") == [
        {"token": "tok", "start_ts": 50},
        {"token": "tok", "cursor": "c1"},
        {"token": "tok", "cursor": "c1"},
    ]


def test_gives_up_after_max_attempts_failed_connections(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(max_attempts=3)
    fake.always("/stream/1", httpx.ConnectError("refused"))
    with client.stream(SOURCE) as stream, pytest.raises(NetworkError):
        next(stream)
    assert len(fake.sent("/stream/1")) == 3


def test_stream_options_override_attempts(client: Client, fake: FakeFauna) -> None:
    fake.always("/stream/1", httpx.ConnectError("refused"))
    with (
        client.stream(SOURCE, StreamOptions(max_attempts=5)) as stream,
        pytest.raises(NetworkError),
    ):
        next(stream)
    assert len(fake.sent("/stream/1")) == 5


def test_error_event_raises_after_earlier_events(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response(
            [
                status_event(100, "c0"),
                doc_event("add", 1),
                error_event("abort", "Query aborted.", abort={"@int": "7"}),
            ]
        ),
    )
    received = []
    with pytest.raises(AbortError) as raised, client.stream(SOURCE) as stream:
        for event in stream:
            received.append(event["data"]["n"])
    assert received == [1]
    assert raised.value.abort == 7
    assert len(fake.sent("/stream/1")) == 1, "no reconnect after an error event"


def test_error_event_with_runtime_failure(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1", stream_response([error_event("invalid_effect", "Writes are disallowed")])
    )
    with pytest.raises(QueryRuntimeError), client.stream(SOURCE) as stream:
        next(stream)


def test_http_error_on_open_raises_mapped_error(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        json_response(
            401, protocol_failure("unauthorized", "Invalid token, unable to authenticate request")
        ),
    )
    with pytest.raises(AuthenticationError), client.stream(SOURCE) as stream:
        next(stream)
    assert len(fake.sent("/stream/1")) == 1


def test_throttled_open_is_retried(client: Client, fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        json_response(429, protocol_failure("limit_exceeded", "slow down")),
        stream_response([doc_event("add", 1)]),
    )
    with client.stream(SOURCE) as stream:
        assert next(stream)["data"]["n"] == 1


def test_close_inside_loop_ends_iteration(client: Client, fake: FakeFauna) -> None:
    fake.reply("/stream/1", stream_response([doc_event("add", n) for n in range(1, 6)]))
    seen = []
    with client.stream(SOURCE) as stream:
        for event in stream:
            seen.append(event["data"]["n"])
            if len(seen) == 2:
                stream.close()
    assert seen == [1, 2]
    assert len(fake.sent("/stream/1")) == 1


def test_exiting_without_iterating_sends_nothing(client: Client, fake: FakeFauna) -> None:
    with client.stream(SOURCE):
        pass
    assert fake.sent("/stream/1") == []


def test_stream_from_query_runs_it_first(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success({"@stream": "from-query"}))
    fake.reply("/stream/1", stream_response([doc_event("add", 1)]))
    with client.stream(fql("Product.all().toStream()")) as stream:
        assert next(stream)["type"] == "add"
    assert fake.bodies("/stream/1") == [{"token": "from-query"}]


def test_cursor_option_resumes_and_is_exposed(client: Client, fake: FakeFauna) -> None:
    fake.reply("/stream/1", stream_response([doc_event("add", 4)]))
    with client.stream(SOURCE, StreamOptions(cursor="c3")) as stream:
        assert stream.last_cursor == "c3"
        next(stream)
        assert stream.last_cursor == "c4"
        assert stream.last_ts == 104
    assert fake.bodies("/stream/1") == [{"token": "tok", "cursor": "c3"}]


def test_option_validation(client: Client, fake: FakeFauna) -> None:
    with pytest.raises(TypeError, match="Only one of 'start_ts' or 'cursor'"):
        client.stream(SOURCE, StreamOptions(start_ts=1, cursor="c"))
    with pytest.raises(ClientError, match="only be used with an event source"):
        client.stream(fql("x"), StreamOptions(cursor="c"))
    fake.query(query_success({"@int": "1"}))
    with pytest.raises(TypeError, match="must be an EventSource"):
        client.stream(fql("1"))
    assert str(fake.sent()[0].url) == f"{ENDPOINT}/query/1"


def test_bodies_that_keep_ending_without_news_count_against_max_attempts(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(max_attempts=3)
    start = {"type": "start", "txn_ts": 99, "cursor": "c-start", "stats": {}}
    fake.reply("/stream/1", stream_response([start, doc_event("add", 1)]))
    fake.always("/stream/1", lambda request: stream_response([start]))
    with client.stream(SOURCE) as stream:
        assert next(stream)["data"]["n"] == 1
        with pytest.raises(NetworkError, match="ended 3 times in a row"):
            next(stream)
    # The body that ended is the first of three attempts: two reconnects follow it.
    assert len(fake.sent("/stream/1")) == 3


def test_an_event_replayed_after_a_reconnect_is_not_delivered_again(
    client: Client, fake: FakeFauna
) -> None:
    fake.reply(
        "/stream/1",
        stream_response([doc_event("add", 1)]),
        stream_response([doc_event("add", 1), doc_event("add", 2)]),
    )
    with client.stream(SOURCE) as stream:
        assert [next(stream)["data"]["n"] for _ in range(2)] == [1, 2]
