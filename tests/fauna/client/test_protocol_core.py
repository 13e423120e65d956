"""The I/O-free core used by every client shell: requests, responses, retries, state machines."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from fauna import fql
from fauna.client import QueryOptions, StreamOptions
from fauna.client._config import resolve_config
from fauna.client._debug import level_from_env, redact
from fauna.client._feeds import FeedState
from fauna.client._options import FeedOptions
from fauna.client._pagination import SetPagination
from fauna.client._requests import build_query_request, build_stream_request
from fauna.client._responses import parse_query_response
from fauna.client._retry import RetryPolicy
from fauna.client._streams import StreamState
from fauna.client.headers import _DriverEnvironment
from fauna.client.retryable import ExponentialBackoffStrategy, Retryable
from fauna.client.utils import LastTxnTs
from fauna.errors import AbortError, NetworkError, ProtocolError, ThrottlingError
from fauna.query import Page

CONFIG = resolve_config(endpoint="http://db.test/", secret="s")


def throttling() -> ThrottlingError:
    return ThrottlingError(429, "limit_exceeded", "slow down")


def test_retry_policy_only_retries_throttling_within_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, max_backoff=20, random=lambda: 1.0)
    assert policy.next_delay(1, throttling()) == 1.0
    assert policy.next_delay(2, throttling()) == 2.0
    assert policy.next_delay(3, throttling()) is None
    assert policy.next_delay(1, NetworkError("reset")) is None
    assert RetryPolicy(max_attempts=1).next_delay(1, throttling()) is None


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(max_backoff=5)
    for attempt, bound in [(1, 1), (2, 2), (3, 4), (4, 5), (10, 5), (5000, 5)]:
        assert 0 <= policy.backoff(attempt) <= bound
    strategy = ExponentialBackoffStrategy(max_backoff=5)
    assert [strategy.wait() <= b for b in (1, 2, 4, 5, 5)] == [True] * 5


def test_retryable_counts_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fauna.client.retryable.sleep", lambda _: None)
    outcomes: list[object] = [throttling(), "done"]

    def call() -> object:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result = Retryable[object](3, 20, call).run()
    assert (result.attempts, result.response) == (2, "done")


def test_build_query_request_is_ready_to_send() -> None:
    request = build_query_request(CONFIG, fql("1"), QueryOptions(query_tags={"a": "b"}), 77)
    assert request.url == "http://db.test/query/1"
    assert json.loads(request.content) == request.body == {"query": {"fql": ["1"]}, "arguments": {}}
    assert request.headers["X-Last-Txn-Ts"] == "77"
    assert request.headers["X-Query-Tags"] == "a=b"
    assert request.timeout.read == 10.0


def test_query_timeout_header_is_integer_ms() -> None:
    config = resolve_config(secret="s", query_timeout=timedelta(seconds=1.2345))
    assert config.query_headers["X-Query-Timeout-Ms"] == "1234"


def test_client_headers_cannot_override_authorization() -> None:
    config = resolve_config(
        secret="s", additional_headers={"Authorization": "x", "X-Driver": "mine"}
    )
    assert config.request_headers["Authorization"] == "Bearer s"
    assert config.request_headers["X-Driver"] == "mine"


def test_parse_query_response_success_and_errors() -> None:
    body = json.dumps({"data": {"@int": "1"}, "txn_ts": 5, "stats": {"compute_ops": 2}}).encode()
    result = parse_query_response(200, {"traceparent": "tp"}, body, "u")
    assert (result.data, result.txn_ts, result.traceparent, result.stats.compute_ops) == (
        1,
        5,
        "tp",
        2,
    )
    error = json.dumps(
        {"error": {"code": "abort", "message": "m", "abort": {"@int": "3"}}}
    ).encode()
    with pytest.raises(AbortError) as raised:
        parse_query_response(400, {}, error, "u")
    assert raised.value.abort == 3
    with pytest.raises(ProtocolError, match="http://x/query/1"):
        parse_query_response(200, {}, b"nope", "http://x/query/1")


def test_stream_state_tracks_cursor_and_reconnect_request() -> None:
    txn = LastTxnTs()
    state = StreamState(CONFIG, "tok", StreamOptions(start_ts=3), txn)
    assert state.request().body == {"token": "tok", "start_ts": 3}
    status = {"type": "status", "txn_ts": 10, "cursor": "a", "stats": {}}
    assert state.accept(json.dumps(status)) is None
    assert state.accept("") is None
    add = {"type": "add", "data": {"@int": "1"}, "txn_ts": 11, "cursor": "b", "stats": {}}
    assert state.accept(json.dumps(add).encode())["data"] == 1  # type: ignore[index]
    assert state.request().body == {"token": "tok", "cursor": "b"}
    assert txn.time == 11
    assert state.on_disconnect(None) >= 0
    with pytest.raises(ValueError):
        state.on_disconnect(ValueError("not transient"))  # type: ignore[arg-type]


def test_stream_state_bounds_consecutive_failures() -> None:
    state = StreamState(CONFIG, "tok", StreamOptions(max_attempts=2), LastTxnTs())
    state.on_disconnect(NetworkError("x"))
    with pytest.raises(NetworkError):
        state.on_disconnect(NetworkError("y"))


def test_stream_request_prefers_cursor() -> None:
    assert build_stream_request(CONFIG, "t", cursor="c", start_ts=1).body == {
        "token": "t",
        "cursor": "c",
    }


def test_feed_state_moves_cursor_and_stops() -> None:
    state = FeedState(CONFIG, "tok", FeedOptions(page_size=5, start_ts=1), LastTxnTs())
    assert state.next_request().body == {"token": "tok", "page_size": 5, "start_ts": 1}  # type: ignore[union-attr]
    page = state.accept_page(
        200, json.dumps({"events": [], "cursor": "c1", "has_next": False, "stats": {}}).encode()
    )
    assert (page.cursor, page.has_next, len(page)) == ("c1", False, 0)
    assert state.next_request() is None
    state.restart()
    assert state.next_request().body == {"token": "tok", "page_size": 5, "cursor": "c1"}  # type: ignore[union-attr]


def test_set_pagination_from_query_and_page() -> None:
    query = fql("X.all()")
    pagination = SetPagination(query)
    assert pagination.initial_page() is None
    assert pagination.next_query() is query
    assert pagination.accept(Page(data=[1], after="a")) == [1]
    assert pagination.next_query() is not None
    assert pagination.accept({"data": [2]}) == [2]
    assert pagination.next_query() is None
    from_page = SetPagination(Page(data=[9]))
    assert from_page.initial_page() == [9]
    assert from_page.next_query() is None


def test_last_txn_ts_never_moves_backwards() -> None:
    ts = LastTxnTs()
    assert ts.request_header == {}
    ts.update_txn_time(10)
    ts.update_txn_time(3)
    assert ts.time == 10
    assert ts.request_header == {"X-Last-Txn-Ts": "10"}


def test_driver_environment_fingerprint() -> None:
    env = _DriverEnvironment({"VERCEL": "1"})
    assert env.env == "Vercel"
    text = str(env)
    assert text.startswith("driver=python-") and "; env=vercel; os=" in text
    assert _DriverEnvironment({}).env == "Unknown"


def test_debug_settings_and_redaction() -> None:
    assert level_from_env("1") == 10 and level_from_env("info") == 20
    assert level_from_env("") is None and level_from_env("false") is None
    assert redact({"authorization": "Bearer s", "X": "y"}) == {
        "authorization": "Bearer ***",
        "X": "y",
    }
