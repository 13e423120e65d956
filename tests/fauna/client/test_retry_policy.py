"""RetryPolicy: what a client retries, how often and how long it waits, for both clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    feed_page,
    json_response,
    protocol_failure,
    query_success,
)

from fauna import fql
from fauna.client import RetryPolicy, StreamOptions
from fauna.errors import (
    ClientError,
    NetworkError,
    ServiceInternalError,
    ThrottlingError,
)
from fauna.query import EventSource


def throttled() -> httpx.Response:
    return json_response(429, protocol_failure("limit_exceeded", "slow down", with_stats=True))


def test_default_policy_retries_throttling_only(
    make_client: Callable[..., Any], fake: FakeFauna, sleeps: list[float]
) -> None:
    client = make_client(retry_policy=RetryPolicy())
    fake.reply("/query/1", throttled(), json_response(200, query_success({"@int": "1"})))
    assert client.query(fql("1")).stats.attempts == 2
    fake.reply("/query/1", httpx.ConnectError("refused"))
    with pytest.raises(NetworkError):
        client.query(fql("1"))
    assert len(fake.sent()) == 3 and len(sleeps) == 1


def test_retry_on_may_retry_network_errors_and_5xx(
    make_client: Callable[..., Any], fake: FakeFauna, sleeps: list[float]
) -> None:
    seen: list[type[BaseException]] = []

    def retry_on(error: BaseException) -> bool:
        seen.append(type(error))
        return isinstance(error, (NetworkError, ServiceInternalError))

    client = make_client(retry_policy=RetryPolicy(max_attempts=4, max_backoff=3, retry_on=retry_on))
    fake.reply(
        "/query/1",
        httpx.ConnectError("refused"),
        json_response(500, protocol_failure("internal_error", "boom")),
        json_response(200, query_success({"@int": "7"})),
    )
    result = client.query(fql("7"))
    assert (result.data, result.stats.attempts) == (7, 3)
    assert seen == [NetworkError, ServiceInternalError]
    assert len(sleeps) == 2 and all(0 <= wait <= 3 for wait in sleeps)


def test_retry_on_may_refuse_throttling(make_client: Callable[..., Any], fake: FakeFauna) -> None:
    client = make_client(retry_policy=RetryPolicy(retry_on=lambda error: False))
    fake.always("/query/1", throttled())
    with pytest.raises(ThrottlingError) as raised:
        client.query(fql("1"))
    assert len(fake.sent()) == 1 and raised.value.stats.attempts == 1


def test_client_errors_are_never_retried(make_client: Callable[..., Any], fake: FakeFauna) -> None:
    calls: list[BaseException] = []
    client = make_client(retry_policy=RetryPolicy(retry_on=lambda e: calls.append(e) or True))
    client.close()
    with pytest.raises(ClientError, match="closed"):
        client.query(fql("1"))
    assert calls == [] and fake.sent() == []


def test_max_attempts_bounds_retries(
    make_client: Callable[..., Any], fake: FakeFauna, sleeps: list[float]
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_attempts=2, retry_on=lambda e: True))
    fake.always("/query/1", httpx.ConnectError("refused"))
    with pytest.raises(NetworkError):
        client.query(fql("1"))
    assert len(fake.sent()) == 2 and len(sleeps) == 1


def test_feeds_follow_the_policy(
    make_client: Callable[..., Any], fake: FakeFauna, sleeps: list[float]
) -> None:
    policy = RetryPolicy(retry_on=lambda error: isinstance(error, NetworkError))
    client = make_client(retry_policy=policy)
    page = feed_page([data_event("add", {"@int": "1"}, 10, "c1")], "c1", has_next=False)
    fake.reply("/feed/1", httpx.ReadError("reset"), json_response(200, page))
    pages = list(client.feed(EventSource("tok")))
    assert [event["data"] for event in pages[0]] == [1]
    assert len(fake.sent("/feed/1")) == 2 and len(sleeps) == 1


def test_streams_take_attempts_and_backoff_from_the_policy(
    make_client: Callable[..., Any], fake: FakeFauna, sleeps: list[float]
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_attempts=4, max_backoff=0.5))
    fake.always("/stream/1", httpx.ConnectError("refused"))
    with client.stream(EventSource("tok")) as stream, pytest.raises(NetworkError):
        next(stream)
    assert len(fake.sent("/stream/1")) == 4
    assert all(0 <= wait <= 0.5 for wait in sleeps)
    with (
        client.stream(EventSource("tok"), StreamOptions(max_attempts=2)) as stream,
        pytest.raises(NetworkError),
    ):
        next(stream)
    assert len(fake.sent("/stream/1")) == 6


def test_policy_and_max_attempts_together_are_refused(make_client: Callable[..., Any]) -> None:
    with pytest.raises(TypeError, match="either 'retry_policy' or 'max_attempts'"):
        make_client(retry_policy=RetryPolicy(), max_attempts=5)
    with pytest.raises(TypeError, match=r"must be a fauna\.client\.RetryPolicy"):
        make_client(retry_policy={"max_attempts": 2})


def test_the_original_parameters_still_configure_retries(
    make_client: Callable[..., Any],
) -> None:
    client = make_client(max_attempts=5, max_backoff=2)
    assert client._retry_policy == RetryPolicy(max_attempts=5, max_backoff=2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_attempts": "3"}, TypeError, "'max_attempts' must be an int"),
        ({"max_attempts": True}, TypeError, "'max_attempts' must be an int"),
        ({"max_backoff": -1}, ValueError, "'max_backoff' must be a number"),
        ({"retry_on": "network"}, TypeError, "'retry_on' must be callable"),
    ],
)
def test_policy_arguments_are_checked(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        RetryPolicy(**kwargs)
