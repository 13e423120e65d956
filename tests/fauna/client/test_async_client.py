"""What only an ``AsyncClient`` can show: concurrency, cancellation, timeouts, native ``async``.

Everything both clients share (headers, results, errors, retries, streams,
feeds, pagination) is tested once for both by the parametrised tests next to
this file. Cancellation is tested over real sockets (a small HTTP/1.1 server
on the test's event loop), since a leaked or half-read connection only
exists there; the server counts open connections so the tests can see each
one come back.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
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
from fauna.client import AsyncClient, QueryOptions
from fauna.client._retry import RetryPolicy
from fauna.errors import NetworkError, ThrottlingError
from fauna.query import EventSource

SOURCE = EventSource("tok")
SLOW = QueryOptions(additional_headers={"X-Test-Delay": "30"})
SLOW_BODY = QueryOptions(additional_headers={"X-Test-Body-Delay": "30"})


class LoopbackFauna:
    """A minimal keep-alive HTTP/1.1 server.

    ``/query/1`` answers ``1`` after ``X-Test-Delay`` seconds, or sends the
    headers and half the body and waits ``X-Test-Body-Delay`` seconds before
    the rest; ``/stream/1`` sends one event, then holds the connection open
    until the client leaves.
    """

    def __init__(self) -> None:
        self.open_connections = 0
        self.served = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> LoopbackFauna:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if line
                )
                lowered = {name.lower(): value for name, value in headers.items()}
                await reader.readexactly(int(lowered.get("content-length", "0")))
                if await self._client_left_during(float(lowered.get("x-test-delay", "0")), reader):
                    return
                if head.startswith(b"POST /stream/1"):
                    await self._stream(reader, writer)
                    return
                body = json.dumps(query_success({"@int": "1"})).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body[:10])
                )
                await writer.drain()
                body_delay = float(lowered.get("x-test-body-delay", "0"))
                if await self._client_left_during(body_delay, reader):
                    return
                writer.write(body[10:])
                await writer.drain()
                self.served += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_connections -= 1
            writer.close()

    @staticmethod
    async def _client_left_during(delay: float, reader: asyncio.StreamReader) -> bool:
        """Wait ``delay`` seconds, or less if the client hangs up (then return True)."""
        if delay <= 0:
            return False
        try:
            await asyncio.wait_for(reader.read(1), delay)
        except asyncio.TimeoutError:
            return False
        return True

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        event = json.dumps(data_event("add", {"@int": "1"}, txn_ts=5, cursor="c1")).encode()
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        writer.write(b"%x\r\n%s\r\n\r\n" % (len(event) + 2, event))
        await writer.drain()
        await reader.read()  # returns when the client closes its end

    async def until_closed(self, connections: int = 0) -> None:
        """Wait (up to 2 s) until at most ``connections`` connections are open."""
        for _ in range(200):
            if self.open_connections <= connections:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self.open_connections} connections still open")


@pytest.fixture
async def server() -> AsyncIterator[LoopbackFauna]:
    async with LoopbackFauna() as running:
        yield running


@pytest.fixture
async def small_pool(server: LoopbackFauna) -> AsyncIterator[AsyncClient]:
    """Two connections at most, and a short wait for one: a leaked connection shows at once."""
    async with AsyncClient(
        endpoint=server.endpoint,
        secret="s",
        max_connections=2,
        http_pool_timeout=timedelta(seconds=1),
    ) as client:
        yield client


@pytest.mark.parametrize("slow", [SLOW, SLOW_BODY], ids=["before-headers", "mid-body"])
async def test_cancelled_queries_do_not_poison_the_pool(
    small_pool: AsyncClient, server: LoopbackFauna, slow: QueryOptions
) -> None:
    for _ in range(5):
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(small_pool.query(fql("1"), slow), 0.05)
    # Five cancelled requests on a two-connection pool: had one kept its
    # connection, these would wait for the pool and fail after 1 s.
    results = await asyncio.gather(*(small_pool.query(fql("1")) for _ in range(4)))
    assert [r.data for r in results] == [1, 1, 1, 1]
    # A half-read connection is discarded, never reused for the next request.
    await server.until_closed(connections=2)


async def test_cancelled_task_releases_its_connection(
    small_pool: AsyncClient, server: LoopbackFauna
) -> None:
    task = asyncio.create_task(small_pool.query(fql("1"), SLOW))
    while server.open_connections == 0:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await server.until_closed()
    assert (await small_pool.query(fql("1"))).data == 1


async def test_cancelled_stream_releases_its_connection(server: LoopbackFauna) -> None:
    async with (
        AsyncClient(
            endpoint=server.endpoint, secret="s", max_connections=1, http_pool_timeout=timedelta(1)
        ) as client,
        client.stream(SOURCE) as stream,
    ):
        first = await anext(stream)
        assert first["data"] == 1
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(anext(stream), 0.05)
        await server.until_closed()
        # The only connection is free again: a query goes through.
        assert (await client.query(fql("1"))).data == 1
        with pytest.raises(StopAsyncIteration):
            await anext(stream)


async def test_close_from_another_task_ends_the_loop(server: LoopbackFauna) -> None:
    async with AsyncClient(endpoint=server.endpoint, secret="s") as client:
        stream = client.stream(SOURCE)
        received: list[Any] = []

        async def consume() -> None:
            async for event in stream:
                received.append(event["data"])

        consumer = asyncio.create_task(consume())
        while not received:
            await asyncio.sleep(0.005)
        await stream.aclose()
        await asyncio.wait_for(consumer, 1)
        assert received == [1]
        await server.until_closed()


async def test_read_timeout_is_a_network_error_and_client_stays_usable(
    server: LoopbackFauna,
) -> None:
    async with AsyncClient(
        endpoint=server.endpoint, secret="s", http_read_timeout=timedelta(milliseconds=50)
    ) as client:
        with pytest.raises(NetworkError, match="ReadTimeout"):
            await client.query(fql("1"), SLOW)
        assert (await client.query(fql("1"))).data == 1


async def test_backoff_sleep_is_cancellable(fake: FakeFauna) -> None:
    fake.always("/query/1", json_response(429, protocol_failure("limit_exceeded", "slow down")))
    async with AsyncClient(
        endpoint="http://fauna.test", secret="s", transport=fake.transport()
    ) as client:
        # Deterministic backoff: 1 s after the first throttled attempt.
        client._retry_policy = RetryPolicy(max_attempts=5, max_backoff=30, random=lambda: 1.0)
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.query(fql("1")), 0.1)
        assert time.monotonic() - started < 0.5
        assert len(fake.sent()) == 1


async def test_throttling_waits_with_asyncio_sleep(fake: FakeFauna) -> None:
    throttled = protocol_failure("limit_exceeded", "slow down")
    fake.query(throttled, status=429).query(query_success({"@int": "2"}))
    async with AsyncClient(
        endpoint="http://fauna.test", secret="s", transport=fake.transport()
    ) as client:
        client._retry_policy = RetryPolicy(random=lambda: 0.01)
        others_ran = 0

        async def other_task() -> None:
            nonlocal others_ran
            while True:
                others_ran += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(other_task())
        result = await client.query(fql("1"))
        ticker.cancel()
        assert result.data == 2 and result.stats.attempts == 2
        assert others_ran > 1, "the event loop kept running during the backoff"
        with pytest.raises(ThrottlingError):
            fake.always("/query/1", json_response(429, throttled))
            await client.query(fql("1"))


async def test_concurrent_queries_share_one_client(fake: FakeFauna) -> None:
    for ts in range(1, 201):
        fake.query(query_success({"@int": str(ts)}, txn_ts=ts))
    async with AsyncClient(
        endpoint="http://fauna.test", secret="s", transport=fake.transport()
    ) as client:
        results = await asyncio.gather(*(client.query(fql("1")) for _ in range(200)))
        assert sorted(r.data for r in results) == list(range(1, 201))
        assert client.get_last_txn_ts() == 200
        client.set_last_txn_ts(10)
        assert client.get_last_txn_ts() == 200


async def test_native_async_iteration(fake: FakeFauna) -> None:
    fake.query(
        query_success({"@set": {"data": [{"@int": "1"}], "after": "a"}}),
        query_success({"data": [{"@int": "2"}]}),
    )
    fake.reply("/stream/1", stream_response([data_event("add", {"@int": "3"}, 9, "c9")]))
    async with AsyncClient(
        endpoint="http://fauna.test", secret="s", transport=fake.transport()
    ) as client:
        assert [item async for item in client.paginate(fql("Nums.all()")).flatten()] == [1, 2]
        stream = client.stream(SOURCE)
        # No ``async with``: iteration alone opens the stream; close() ends it.
        async for event in stream:
            assert event["data"] == 3
            await stream.close()
        assert stream.last_cursor == "c9"
    assert client._pool.client.is_closed


async def test_closing_before_iterating_sends_nothing(fake: FakeFauna) -> None:
    async with AsyncClient(
        endpoint="http://fauna.test", secret="s", transport=fake.transport()
    ) as client:
        stream = client.stream(SOURCE)
        await stream.close()
        assert [event async for event in stream] == []
    assert fake.sent() == []


async def test_import_paths() -> None:
    from fauna.client import client as sync_module

    assert sync_module.AsyncClient is AsyncClient
    with pytest.raises(TypeError, match=r"must be an httpx\.AsyncClient"):
        AsyncClient(secret="s", http_client=httpx.Client())  # type: ignore[arg-type]


async def test_connections_are_kept_alive_and_bounded(
    small_pool: AsyncClient, server: LoopbackFauna
) -> None:
    for _ in range(5):
        assert (await small_pool.query(fql("1"))).data == 1
    assert server.open_connections == 1, "one connection, reused"
    results = await asyncio.gather(*(small_pool.query(fql("1")) for _ in range(10)))
    assert len(results) == 10
    assert server.open_connections <= 2, "never more than max_connections"


async def test_full_pool_times_out(server: LoopbackFauna) -> None:
    async with AsyncClient(
        endpoint=server.endpoint,
        secret="s",
        max_connections=1,
        http_pool_timeout=timedelta(milliseconds=50),
    ) as client:
        blocked = asyncio.create_task(client.query(fql("1"), SLOW))
        while server.open_connections == 0:
            await asyncio.sleep(0.005)
        with pytest.raises(NetworkError, match="PoolTimeout"):
            await client.query(fql("1"))
        blocked.cancel()
        with pytest.raises(asyncio.CancelledError):
            await blocked
        assert (await client.query(fql("1"))).data == 1
