"""Client.query over a scripted FaunaDB: headers, bodies, results, errors, retries, timeouts."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fauna_fakes import (
    TRACEPARENT,
    TXN_TS,
    FakeFauna,
    json_response,
    protocol_failure,
    query_failure,
    query_success,
    tagged_doc,
)

import fauna
from conftest import ENDPOINT, SECRET
from fauna import fql
from fauna.client import Client, Header, QueryOptions
from fauna.client._async_transport import AsyncHTTP11Transport
from fauna.errors import (
    AbortError,
    AuthenticationError,
    AuthorizationError,
    ClientError,
    ContendedTransactionError,
    InvalidRequestError,
    NetworkError,
    ProtocolError,
    QueryCheckError,
    QueryRuntimeError,
    QueryTimeoutError,
    ServiceError,
    ServiceInternalError,
    ServiceTimeoutError,
    ThrottlingError,
)
from fauna.query import Document, Module


def test_query_returns_decoded_data_and_metadata(client: Client, fake: FakeFauna) -> None:
    fake.query(
        query_success(
            tagged_doc("123", "Dogs", name="Scout", age={"@int": "3"}),
            static_type="Dogs",
            summary="all good",
            query_tags="b=2,a=1",
            schema_version=42,
        )
    )
    result = client.query(fql('Dogs.create({ name: "Scout" })'))
    assert isinstance(result.data, Document)
    assert result.data.id == "123"
    assert result.data.coll == Module("Dogs")
    assert result.data["name"] == "Scout"
    assert result.data["age"] == 3
    assert result.static_type == "Dogs"
    assert result.summary == "all good"
    assert result.query_tags == {"a": "1", "b": "2"}
    assert result.schema_version == 42
    assert result.txn_ts == TXN_TS
    assert result.traceparent == TRACEPARENT
    assert result.stats.compute_ops == 1
    assert result.stats.attempts == 1


def test_request_line_body_and_default_headers(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success({"@int": "8"}))
    client.query(fql("${x} + 1", x=7))
    (request,) = fake.sent()
    assert request.method == "POST"
    assert str(request.url) == f"{ENDPOINT}/query/1"
    assert json.loads(request.content) == {
        "query": {"fql": [{"value": {"@int": "7"}}, " + 1"]},
        "arguments": {},
    }
    headers = request.headers
    assert headers["Authorization"] == f"Bearer {SECRET}"
    assert headers["X-Format"] == "tagged"
    assert headers["X-Driver"] == "python"
    assert headers["X-Driver-Env"].startswith("driver=python-")
    assert headers["Content-Type"] == "application/json;charset=utf-8"
    assert headers["X-Query-Timeout-Ms"] == "5000"
    for absent in ("X-Last-Txn-Ts", "X-Linearized", "X-Typecheck", "X-Query-Tags", "Traceparent"):
        assert absent not in headers


def test_client_level_settings_become_headers(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(
        linearized=True,
        typecheck=False,
        max_contention_retries=0,
        performance_hints=True,
        query_tags={"project": "teapot"},
        query_timeout=timedelta(seconds=20),
        additional_headers={"X-Custom": "yes"},
    )
    fake.query(query_success(None))
    client.query(fql("1"))
    headers = fake.sent()[0].headers
    assert headers["X-Linearized"] == "true"
    assert headers["X-Typecheck"] == "false"
    assert headers["X-Max-Contention-Retries"] == "0"
    assert headers["X-Performance-Hints"] == "true"
    assert headers["X-Query-Tags"] == "project=teapot"
    assert headers["X-Query-Timeout-Ms"] == "20000"
    assert headers["X-Custom"] == "yes"


def test_query_options_override_only_what_they_set(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(query_timeout=timedelta(seconds=20), query_tags={"project": "teapot"})
    fake.query(query_success(None), query_success(None))
    client.query(fql("1"), QueryOptions(linearized=True))
    client.query(
        fql("1"),
        QueryOptions(
            query_timeout=timedelta(milliseconds=1500),
            query_tags={"project": "kettle", "hello": "world"},
            traceparent=TRACEPARENT,
            typecheck=True,
            max_contention_retries=2,
            performance_hints=False,
            additional_headers={"X-Extra": "1"},
        ),
    )
    first, second = (r.headers for r in fake.sent())
    # The original driver reset the timeout to 5 s whenever QueryOptions was passed.
    assert first["X-Query-Timeout-Ms"] == "20000"
    assert first["X-Linearized"] == "true"
    assert second["X-Query-Timeout-Ms"] == "1500"
    assert second["X-Query-Tags"] == "project=kettle,hello=world"
    assert second["Traceparent"] == TRACEPARENT
    assert second["X-Typecheck"] == "true"
    assert second["X-Max-Contention-Retries"] == "2"
    assert second["X-Performance-Hints"] == "false"
    assert second["X-Extra"] == "1"


def test_last_txn_ts_is_sent_after_first_response(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success(1, txn_ts=1679321651600296), query_success(2, txn_ts=5))
    assert client.get_last_txn_ts() is None
    client.query(fql("1"))
    client.query(fql("2"))
    assert "X-Last-Txn-Ts" not in fake.sent()[0].headers
    assert fake.sent()[1].headers["X-Last-Txn-Ts"] == "1679321651600296"
    # An older txn_ts never moves it backwards.
    assert client.get_last_txn_ts() == 1679321651600296


def test_error_responses_do_not_move_last_txn_ts(client: Client, fake: FakeFauna) -> None:
    fake.query(query_failure("abort", "Query aborted.", abort={"@int": "1"}), status=400)
    with pytest.raises(AbortError):
        client.query(fql("abort(1)"))
    assert client.get_last_txn_ts() is None


def test_last_txn_ts_is_monotonic_across_threads(fake: FakeFauna) -> None:
    # Threads share a sync Client; the AsyncClient's counterpart is in test_async_client.py.
    client = Client(endpoint=ENDPOINT, secret=SECRET, transport=fake.transport())
    timestamps = list(range(1, 201))
    for ts in timestamps:
        fake.query(query_success(None, txn_ts=ts))
    barrier = threading.Barrier(8)

    def run(count: int) -> None:
        barrier.wait()
        for _ in range(count):
            client.query(fql("1"))

    threads = [threading.Thread(target=run, args=(25,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.get_last_txn_ts() == 200
    client.set_last_txn_ts(10)
    assert client.get_last_txn_ts() == 200
    client.close()


def test_clients_track_txn_ts_independently(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    first, second = make_client(), make_client()
    fake.query(query_success(None, txn_ts=99))
    first.query(fql("1"))
    assert first.get_last_txn_ts() == 99
    assert second.get_last_txn_ts() is None


@pytest.mark.parametrize(
    ("status", "body", "expected", "status_code"),
    [
        (
            400,
            query_failure("invalid_query", "The query failed 1 validation check"),
            QueryCheckError,
            400,
        ),
        (
            400,
            protocol_failure("invalid_request", "Invalid request body"),
            InvalidRequestError,
            400,
        ),
        (400, query_failure("abort", "Query aborted.", abort={"@int": "1"}), AbortError, 400),
        (401, protocol_failure("unauthorized", "Access token required"), AuthenticationError, 401),
        (403, protocol_failure("forbidden", "nope"), AuthorizationError, 403),
        (
            409,
            protocol_failure("contended_transaction", "contention"),
            ContendedTransactionError,
            409,
        ),
        (400, query_failure("divide_by_zero", "Division by zero"), QueryRuntimeError, 400),
        (440, protocol_failure("time_out", "aggressive deadline"), QueryTimeoutError, 440),
        (500, protocol_failure("internal_error", "boom"), ServiceInternalError, 500),
        (503, protocol_failure("time_out", "Read timed out"), ServiceTimeoutError, 503),
        (502, protocol_failure("bad_gateway", "bad gateway"), ServiceError, 502),
    ],
)
def test_error_statuses_map_to_exceptions(
    client: Client,
    fake: FakeFauna,
    status: int,
    body: dict[str, object],
    expected: type[Exception],
    status_code: int,
) -> None:
    fake.query(body, status=status)
    with pytest.raises(expected) as raised:
        client.query(fql("1"))
    assert raised.value.status_code == status_code  # type: ignore[attr-defined]
    assert len(fake.sent()) == 1, "only throttling is retried"


def test_abort_value_and_error_metadata_are_decoded(client: Client, fake: FakeFauna) -> None:
    fake.query(query_failure("abort", "Query aborted.", abort={"@int": "42"}), status=400)
    with pytest.raises(AbortError) as raised:
        client.query(fql("abort(42)"))
    assert raised.value.abort == 42
    assert raised.value.txn_ts == TXN_TS
    assert raised.value.stats.attempts == 1


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (200, b"<html>not fauna</html>"),
        (502, b"Bad Gateway"),
        (200, b'{"nodata": 1}'),
        (400, b'{"error": "bad request"}'),
    ],
)
def test_malformed_responses_raise_protocol_error_naming_endpoint(
    client: Client, fake: FakeFauna, status: int, content: bytes
) -> None:
    fake.reply("/query/1", httpx.Response(status, content=content))
    with pytest.raises(ProtocolError) as raised:
        client.query(fql("1"))
    assert raised.value.status_code == status
    assert f"{ENDPOINT}/query/1" in str(raised.value)


def test_throttled_queries_are_retried_with_backoff(
    client: Client, fake: FakeFauna, sleeps: list[float]
) -> None:
    throttled = protocol_failure("limit_exceeded", "Rate limit exceeded", with_stats=True)
    fake.query(throttled, throttled, status=429).query(query_success({"@int": "1"}))
    result = client.query(fql("1"))
    assert result.data == 1
    assert result.stats.attempts == 3
    assert len(fake.sent()) == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1 and 0 <= sleeps[1] <= 2


def test_throttling_gives_up_after_max_attempts(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(max_attempts=2)
    fake.always("/query/1", json_response(429, protocol_failure("limit_exceeded", "slow down")))
    with pytest.raises(ThrottlingError) as raised:
        client.query(fql("1"))
    assert len(fake.sent()) == 2
    assert raised.value.stats.attempts == 2


def test_max_attempts_one_disables_retries(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(max_attempts=1)
    fake.always("/query/1", json_response(429, protocol_failure("limit_exceeded", "slow down")))
    with pytest.raises(ThrottlingError):
        client.query(fql("1"))
    assert len(fake.sent()) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("reset"),
        httpx.ConnectError("refused"),
    ],
)
def test_transport_failures_raise_network_error_without_retry(
    client: Client, fake: FakeFauna, failure: Exception
) -> None:
    fake.always("/query/1", failure)
    with pytest.raises(NetworkError) as raised:
        client.query(fql("1"))
    assert raised.value.__cause__ is failure
    assert len(fake.sent()) == 1


def test_timeouts_are_enforced_per_request(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(
        query_timeout=timedelta(seconds=20),
        client_buffer_timeout=timedelta(seconds=3),
        http_connect_timeout=timedelta(seconds=4),
        http_write_timeout=timedelta(seconds=6),
        http_pool_timeout=timedelta(seconds=7),
    )
    fake.query(query_success(None), query_success(None))
    client.query(fql("1"))
    client.query(fql("1"), QueryOptions(query_timeout=timedelta(seconds=2)))
    first, second = (r.extensions["timeout"] for r in fake.sent())
    assert first == {"connect": 4.0, "read": 23.0, "write": 6.0, "pool": 7.0}
    assert second["read"] == 5.0


def test_explicit_read_timeout_wins(make_client: Callable[..., Client], fake: FakeFauna) -> None:
    client = make_client(http_read_timeout=timedelta(seconds=1))
    fake.query(query_success(None))
    client.query(fql("1"))
    assert fake.sent()[0].extensions["timeout"]["read"] == 1.0


def test_default_timeouts(client: Client, fake: FakeFauna) -> None:
    fake.query(query_success(None))
    client.query(fql("1"))
    # Client timeout = 5 s query timeout + 5 s buffer; the original waited forever.
    assert fake.sent()[0].extensions["timeout"] == {
        "connect": 5.0,
        "read": 10.0,
        "write": 5.0,
        "pool": 5.0,
    }


def test_no_query_timeout_waits_for_server_default(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(query_timeout=None)
    fake.query(query_success(None))
    client.query(fql("1"))
    request = fake.sent()[0]
    assert "X-Query-Timeout-Ms" not in request.headers
    assert request.extensions["timeout"]["read"] == 125.0
    assert client.get_query_timeout() is None


def test_own_pool_is_configured_from_settings(
    make_client: Callable[..., Client], client_kind: str
) -> None:
    client = make_client(transport=None, http_idle_timeout=timedelta(seconds=6))
    pool_class = httpx.Client if client_kind == "sync" else httpx.AsyncClient
    assert isinstance(client._pool.client, pool_class)
    assert client._pool.client.timeout == httpx.Timeout(connect=5, read=10, write=5, pool=5)
    assert pool_limits(client) == ((20, 20, 6.0) if client_kind == "sync" else (100, 100, 6.0))


def test_pool_size_is_configurable(make_client: Callable[..., Client]) -> None:
    client = make_client(transport=None, max_connections=7)
    assert pool_limits(client)[:2] == (7, 7)


def pool_limits(client: Any) -> tuple[int, int, float]:
    """(max connections, max idle connections, idle expiry) of the pool a client built."""
    transport = client._pool.client._transport
    if isinstance(transport, AsyncHTTP11Transport):
        return (transport.max_connections, transport._max_idle, transport._keepalive_expiry)
    pool = transport._pool
    return (pool._max_connections, pool._max_keepalive_connections, pool._keepalive_expiry)


def test_encoding_failure_is_client_error(client: Client, fake: FakeFauna) -> None:
    with pytest.raises(ClientError, match="Failed to encode Query"):
        client.query(fql("${x}", x=object()))
    assert fake.sent() == []


def test_non_query_is_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match="'fql' must be a Query but was a <class 'str'>"):
        client.query("1")  # type: ignore[arg-type]


def test_missing_secret_fails_before_sending(
    make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    client = make_client(secret=None)
    with pytest.raises(ClientError, match="FAUNA_SECRET"):
        client.query(fql("1"))
    assert fake.sent() == []


def test_environment_configures_endpoint_and_secret(
    monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., Client], fake: FakeFauna
) -> None:
    monkeypatch.setenv("FAUNA_ENDPOINT", "http://env.test:9000/")
    monkeypatch.setenv("FAUNA_SECRET", "from-env")
    fake.query(query_success(None))
    with make_client(endpoint=None, secret=None) as client:
        client.query(fql("1"))
    request = fake.sent()[0]
    assert str(request.url) == "http://env.test:9000/query/1"
    assert request.headers["Authorization"] == "Bearer from-env"


def test_default_endpoint_is_local(make_client: Callable[..., Client]) -> None:
    with make_client(endpoint=None) as client:
        assert client._endpoint == "http://localhost:8443"


def test_closing_never_touches_a_pool_it_does_not_own(
    make_client: Callable[..., Client], fake: FakeFauna, client_kind: str
) -> None:
    pool_class = httpx.Client if client_kind == "sync" else httpx.AsyncClient
    shared = pool_class(transport=fake.transport())
    fake.query(query_success(None))
    with make_client(http_client=shared):
        pass
    with make_client(http_client=shared) as second:
        second.query(fql("1"))
        assert not shared.is_closed
    assert not shared.is_closed


def test_wrong_pool_type_is_rejected(make_client: Callable[..., Client], client_kind: str) -> None:
    wrong = httpx.AsyncClient() if client_kind == "sync" else httpx.Client()
    with pytest.raises(TypeError, match="'http_client' must be an httpx"):
        make_client(http_client=wrong)


def test_closed_client_refuses_requests(client: Client, fake: FakeFauna) -> None:
    client.close()
    with pytest.raises(ClientError, match="closed"):
        client.query(fql("1"))
    assert fake.sent() == []


def test_user_set_global_pool_is_used_and_kept_open(
    monkeypatch: pytest.MonkeyPatch, fake: FakeFauna
) -> None:
    # Sync only: fauna.global_http_client holds a blocking pool.
    from fauna.http import HTTPXClient

    shared = HTTPXClient(httpx.Client(transport=fake.transport()))
    monkeypatch.setattr(fauna, "global_http_client", shared, raising=False)
    fake.query(query_success(None))
    with Client(endpoint=ENDPOINT, secret="s") as client:
        client.query(fql("1"))
    assert not shared.client.is_closed
    assert len(fake.sent()) == 1


def test_fauna_debug_logs_requests_with_secret_redacted(
    monkeypatch: pytest.MonkeyPatch,
    make_client: Callable[..., Client],
    fake: FakeFauna,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("FAUNA_DEBUG", "1")
    logger = logging.getLogger("fauna")
    monkeypatch.setattr(logger, "level", logger.level)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    client = make_client()
    assert logger.level == logging.DEBUG
    fake.query(query_success({"@int": "1"}))
    with caplog.at_level(logging.DEBUG, logger="fauna"):
        client.query(fql("1"))
    text = caplog.text
    assert "/query/1" in text and "status=200" in text
    assert SECRET not in text
    assert "Bearer ***" in text


def test_fauna_debug_redacts_secrets_in_response_bodies(
    monkeypatch: pytest.MonkeyPatch,
    make_client: Callable[..., Client],
    fake: FakeFauna,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("FAUNA_DEBUG", "1")
    logger = logging.getLogger("fauna")
    monkeypatch.setattr(logger, "level", logger.level)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    key_secret = "fnAFkey-secret-from-Key.create"
    key = tagged_doc("401", "Key", role="admin", secret=key_secret)
    fake.query(query_success(key))
    client = make_client()
    with caplog.at_level(logging.DEBUG, logger="fauna"):
        assert client.query(fql("Key.create({ role: 'admin' })")).data["secret"] == key_secret
    assert key_secret not in caplog.text
    assert '"secret": "***"' in caplog.text and '"role": "admin"' in caplog.text


def test_header_names() -> None:
    assert Header.LastTxnTs == "X-Last-Txn-Ts"
    assert Header.QueryTimeoutMs == "X-Query-Timeout-Ms"
    assert Header.Tags == "X-Query-Tags"
    assert Header.PerformanceHints == "X-Performance-Hints"


def test_invalid_url_is_client_error(make_client: Callable[..., Client]) -> None:
    client = make_client(endpoint="http://\x00")
    with pytest.raises(ClientError, match="Invalid URL"):
        client.query(fql("1"))
