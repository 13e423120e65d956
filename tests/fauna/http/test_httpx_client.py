"""HTTPXClient, the original driver's HTTPClient over httpx, and Client on a custom HTTPClient."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fauna_fakes import (
    FakeFauna,
    data_event,
    json_response,
    protocol_failure,
    query_success,
    stream_response,
)

from fauna import fql
from fauna.client import Client, StreamOptions
from fauna.errors import (
    AuthenticationError,
    ClientError,
    NetworkError,
    RetryableFaunaException,
)
from fauna.http import HTTPClient, HTTPResponse, HTTPXClient
from fauna.query import EventSource

URL = "http://fauna.test/query/1"


def test_request_sends_json_and_wraps_response(fake: FakeFauna) -> None:
    fake.query(query_success({"@int": "1"}))
    http = HTTPXClient(httpx.Client(transport=fake.transport()))
    with http.request("POST", URL, {"X-Format": "tagged"}, {"query": "1"}) as response:
        assert response.status_code() == 200
        assert response.json()["data"] == {"@int": "1"}
        assert response.headers()["content-type"].startswith("application/json")
    assert json.loads(fake.sent()[0].content) == {"query": "1"}
    http.close()


def test_transport_failure_is_network_error(fake: FakeFauna) -> None:
    failure = httpx.ConnectError("refused")
    fake.always("/query/1", failure)
    http = HTTPXClient(httpx.Client(transport=fake.transport()))
    with pytest.raises(NetworkError) as raised:
        http.request("POST", URL, {}, {})
    assert raised.value.__cause__ is failure


def test_invalid_url_is_client_error() -> None:
    http = HTTPXClient(httpx.Client())
    with pytest.raises(ClientError, match="Invalid URL"):
        http.request("POST", "http://\x00/", {}, {})


def test_stream_yields_parsed_events_and_checks_status(fake: FakeFauna) -> None:
    fake.reply(
        "/stream/1",
        stream_response([data_event("add", "x", 1, "c1")]),
        json_response(401, protocol_failure("unauthorized", "Invalid token")),
    )
    http = HTTPXClient(httpx.Client(transport=fake.transport()))
    with http.stream("http://fauna.test/stream/1", {}, {"token": "t"}) as events:
        assert [e["cursor"] for e in events] == ["c1"]
    with (
        pytest.raises(AuthenticationError),
        http.stream("http://fauna.test/stream/1", {}, {"token": "t"}),
    ):
        pass


class _CannedResponse(HTTPResponse):
    def __init__(self, status: int, body: Any) -> None:
        self._status = status
        self._body = json.dumps(body).encode()

    def headers(self) -> Mapping[str, str]:
        return {"traceparent": "tp"}

    def status_code(self) -> int:
        return self._status

    def json(self) -> Any:
        return json.loads(self._body)

    def text(self) -> str:
        return self._body.decode()

    def read(self) -> bytes:
        return self._body

    def iter_bytes(self) -> Iterator[bytes]:
        yield self._body

    def close(self) -> None:
        pass


class RecordingHTTPClient(HTTPClient):
    """A custom HTTPClient, as users of the original driver could write."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Mapping[str, Any]]] = []
        self.closed = False

    def request(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> HTTPResponse:
        self.calls.append((url, data))
        return _CannedResponse(200, query_success({"@int": "5"}))

    @contextmanager
    def stream(
        self, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> Iterator[Iterator[Any]]:
        self.calls.append((url, data))
        yield iter([data_event("add", {"@int": "1"}, 10, "c1")])

    def close(self) -> None:
        self.closed = True


def test_client_works_over_a_custom_http_client() -> None:
    custom = RecordingHTTPClient()
    with Client(endpoint="http://custom.test", secret="s", http_client=custom) as client:
        result = client.query(fql("5"))
        assert (result.data, result.traceparent) == (5, "tp")
        with client.stream(EventSource("tok")) as stream:
            assert next(stream)["data"] == 1
    assert custom.calls[0] == (
        "http://custom.test/query/1",
        {"query": {"fql": ["5"]}, "arguments": {}},
    )
    assert custom.calls[1] == ("http://custom.test/stream/1", {"token": "tok"})
    assert not custom.closed, "a pool the client did not create is left open"


def _recording_send(http: httpx.Client, calls: list[dict[str, Any]]) -> None:
    """Wrap ``http.send`` the way the original driver's integration tests do."""
    original = http.send

    def send(*args: Any, **kwargs: Any) -> httpx.Response:
        calls.append(kwargs)
        return original(*args, **kwargs)

    http.send = send  # type: ignore[method-assign]


@pytest.mark.parametrize("wrap", [False, True], ids=["httpx.Client", "HTTPXClient"])
def test_a_user_pool_is_driven_through_send(fake: FakeFauna, wrap: bool) -> None:
    fake.query(query_success({"@int": "1"}))
    fake.reply("/stream/1", stream_response([data_event("add", {"@int": "2"}, 10, "c1")]))
    http = httpx.Client(transport=fake.transport())
    calls: list[dict[str, Any]] = []
    _recording_send(http, calls)
    pool: httpx.Client | HTTPXClient = HTTPXClient(http) if wrap else http
    with Client(endpoint="http://fauna.test", secret="s", http_client=pool) as client:
        assert client.query(fql("1")).data == 1
        with client.stream(EventSource("tok")) as stream:
            assert next(stream)["data"] == 2
    assert [call["stream"] for call in calls] == [False, True]
    query, _ = fake.sent()
    # The driver's per-request timeouts still apply: query timeout plus buffer.
    assert query.extensions["timeout"]["read"] == 10.0
    assert not http.is_closed


def test_original_max_retries_shape_raises_retryable_after_max_attempts(
    fake: FakeFauna, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fauna.client.retryable.sleep", lambda seconds: None)
    http = httpx.Client(transport=fake.transport())
    original = http.send
    opened = [0]

    def send(*args: Any, **kwargs: Any) -> httpx.Response:
        if not kwargs["stream"]:
            return original(*args, **kwargs)
        opened[0] += 1
        raise NetworkError("foo")

    http.send = send  # type: ignore[method-assign]
    client = Client(
        endpoint="http://fauna.test",
        secret="s",
        http_client=HTTPXClient(http),
        max_attempts=3,
        max_backoff=0,
    )
    with pytest.raises(RetryableFaunaException), client.stream(EventSource("tok")) as stream:
        next(stream)
    assert opened[0] == 3
    opened[0] = 0
    with (
        pytest.raises(NetworkError),
        client.stream(EventSource("tok"), StreamOptions(max_attempts=5)) as stream,
    ):
        next(stream)
    assert opened[0] == 5


class _OverridingHTTPXClient(HTTPXClient):
    def __init__(self, http: httpx.Client) -> None:
        super().__init__(http)
        self.requests: list[str] = []

    def request(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
    ) -> HTTPResponse:
        self.requests.append(url)
        return super().request(method, url, headers, data)


def test_an_httpx_client_subclass_overriding_request_is_called(fake: FakeFauna) -> None:
    fake.query(query_success({"@int": "3"}))
    pool = _OverridingHTTPXClient(httpx.Client(transport=fake.transport()))
    with Client(endpoint="http://fauna.test", secret="s", http_client=pool) as client:
        assert client.query(fql("3")).data == 3
    assert pool.requests == ["http://fauna.test/query/1"]


class _JsonOnlyResponse(HTTPResponse):
    """A response as some custom clients of the original driver wrote them: json() only."""

    def __init__(self, body: Any) -> None:
        self._body = body
        self.closed = False

    def headers(self) -> Mapping[str, str]:
        return {}

    def status_code(self) -> int:
        return 200

    def json(self) -> Any:
        return self._body

    def text(self) -> str:
        raise NotImplementedError

    def read(self) -> bytes:
        raise NotImplementedError

    def iter_bytes(self) -> Iterator[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


def test_a_custom_response_is_read_with_json_and_closed() -> None:
    response = _JsonOnlyResponse(query_success({"@int": "7"}, txn_ts=42))

    class JsonOnlyClient(RecordingHTTPClient):
        def request(
            self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
        ) -> HTTPResponse:
            return response

    with Client(endpoint="http://custom.test", secret="s", http_client=JsonOnlyClient()) as client:
        result = client.query(fql("7"))
        assert (result.data, client.get_last_txn_ts()) == (7, 42)
    assert response.closed


def test_pool_stats_are_unknown_for_pools_the_driver_cannot_see(fake: FakeFauna) -> None:
    with Client(endpoint="http://custom.test", secret="s", http_client=RecordingHTTPClient()) as c:
        assert c.pool_stats() is None
    with Client(endpoint="http://fauna.test", secret="s", transport=fake.transport()) as c:
        assert c.pool_stats() is None


def test_pool_stats_of_a_user_httpx_client() -> None:
    with Client(endpoint="http://fauna.test", secret="s", http_client=httpx.Client()) as c:
        stats = c.pool_stats()
        assert stats is not None and (stats.open, stats.in_use, stats.max_connections) == (
            0,
            0,
            100,
        )


def test_stream_can_also_be_iterated_directly(fake: FakeFauna) -> None:
    lines = [{"@int": "10"}, {"@long": "20"}]
    fake.reply("/stream/1", stream_response(lines))
    http = HTTPXClient(httpx.Client(transport=fake.transport()))
    assert list(http.stream("http://fauna.test/stream/1", {}, {})) == lines
    fake.reply("/stream/1", json_response(401, protocol_failure("unauthorized", "Invalid token")))
    with pytest.raises(AuthenticationError):
        list(http.stream("http://fauna.test/stream/1", {}, {}))


def test_a_custom_response_without_json_is_read_as_bytes() -> None:
    class BytesOnlyResponse(_CannedResponse):
        def json(self) -> Any:
            raise NotImplementedError

    class BytesOnlyClient(RecordingHTTPClient):
        def request(
            self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, Any]
        ) -> HTTPResponse:
            return BytesOnlyResponse(200, query_success({"@int": "9"}))

    with Client(endpoint="http://custom.test", secret="s", http_client=BytesOnlyClient()) as client:
        assert client.query(fql("9")).data == 9
