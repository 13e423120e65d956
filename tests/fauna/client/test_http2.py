"""``http2=True`` for both clients: over a real HTTP/2 server on loopback, through GOAWAY and resets.

The scripted server (``h2_server``) says which requests it took as run, so
each test checks the one rule that matters: a request is sent again only
when HTTP/2 proves it was not run (``REFUSED_STREAM``, ``GOAWAY`` below its
stream); a request whose fate is unknown fails with ``NetworkError`` and is
never re-sent. The end of the file runs the clients over HTTP/2 against
faunalite (Hypercorn, h2c).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import cast

import h2.errors
import h2.events
import httpx
import pytest
from client_kinds import SyncDriven
from h2_server import (
    Action,
    H2Server,
    answer,
    answer_then_close,
    answer_then_goaway,
    goaway_after_running,
    goaway_then_answer,
    goaway_then_answer_held,
    goaway_unprocessed,
    hold,
    refuse,
    reset_after_running,
)

from fauna import fql
from fauna.client import Client, PoolStats, RetryPolicy, StreamOptions
from fauna.client._config import resolve_config
from fauna.client._http2 import MAX_SENDS, SendProgress, unprocessed
from fauna.encoding import QuerySuccess
from fauna.errors import NetworkError
from faunalite.testing import BackgroundServer


@pytest.fixture
def serve() -> Iterator[Callable[..., H2Server]]:
    servers: list[H2Server] = []

    def start(*script: Action) -> H2Server:
        server = H2Server(list(script)).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def over_h2(make_client: Callable[..., Client]) -> Callable[[H2Server], Client]:
    def build(server: H2Server) -> Client:
        return make_client(endpoint=server.endpoint, secret="secret", transport=None, http2=True)

    return build


def test_queries_share_one_http2_connection(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(answer())
    client = over_h2(server)
    assert [client.query(fql("1")).data for _ in range(3)] == [1, 1, 1]
    assert server.connections == 1
    assert [exchange.stream_id for exchange in server.exchanges] == [1, 3, 5]
    assert {exchange.path for exchange in server.exchanges} == {"/query/1"}


def test_a_goaway_after_an_answer_moves_the_next_query_to_a_new_connection(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(answer_then_goaway(), answer())
    client = over_h2(server)
    assert client.query(fql("1")).data == 1
    assert client.query(fql("2")).data == 1
    assert server.connections == 2
    assert [(e.connection, e.stream_id) for e in server.ran] == [(1, 1), (2, 1)]


@pytest.mark.parametrize("goaway", [True, False], ids=["goaway", "no-goaway"])
def test_a_connection_the_server_closed_while_idle_is_replaced(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client], goaway: bool
) -> None:
    server = serve(answer_then_close(goaway), answer_then_close(goaway), answer())
    client = over_h2(server)
    for _ in range(3):
        assert client.query(fql("1")).data == 1
        # Let the close reach the client before its next request.
        time.sleep(0.05)
    assert server.connections == 3
    assert len(server.exchanges) == len(server.ran) == 3


def test_a_goaway_that_ran_nothing_is_sent_again_on_a_new_connection(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(goaway_unprocessed(), answer())
    client = over_h2(server)
    assert client.query(fql("1")).data == 1
    assert server.connections == 2
    assert len(server.exchanges) == 2 and len(server.ran) == 1


def test_a_refused_stream_is_sent_again(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(refuse(), answer())
    client = over_h2(server)
    assert client.query(fql("1")).data == 1
    assert len(server.exchanges) == 2 and len(server.ran) == 1


def test_refusals_stop_after_a_few_sends(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(refuse())
    client = over_h2(server)
    with pytest.raises(NetworkError):
        client.query(fql("1"))
    assert len(server.exchanges) == MAX_SENDS and server.ran == []


def test_a_reset_after_the_query_ran_is_not_sent_again(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(reset_after_running(), answer())
    client = over_h2(server)
    with pytest.raises(NetworkError):
        client.query(fql("Things.create({})"))
    assert len(server.exchanges) == 1
    # The connection itself is still good.
    assert client.query(fql("1")).data == 1


def test_a_goaway_covering_the_query_is_not_sent_again(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(goaway_after_running(), answer())
    client = over_h2(server)
    with pytest.raises(NetworkError):
        client.query(fql("Things.create({})"))
    assert len(server.exchanges) == 1
    assert client.query(fql("1")).data == 1
    assert server.connections == 2


def test_a_query_in_flight_when_a_graceful_goaway_arrives_gets_its_answer(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    # GOAWAY (NO_ERROR) covering the query's stream, the answer after it: the query
    # completes, is sent once, and the next query goes to a new connection.
    server = serve(goaway_then_answer(), answer())
    client = over_h2(server)
    assert client.query(fql("Things.create({})")).data == 1
    assert len(server.exchanges) == len(server.ran) == 1
    assert client.query(fql("1")).data == 1
    assert server.connections == 2
    assert [(e.connection, e.stream_id) for e in server.ran] == [(1, 1), (2, 1)]


def test_a_goaway_with_an_error_ends_the_query_in_flight_without_a_resend(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    # Not graceful (INTERNAL_ERROR): the connection is over at once, the answer that follows
    # is too late, and the query, which may have run, is not sent again.
    server = serve(goaway_then_answer(h2.errors.ErrorCodes.INTERNAL_ERROR), answer())
    client = over_h2(server)
    with pytest.raises(NetworkError, match="ConnectionTerminated"):
        client.query(fql("Things.create({})"))
    assert len(server.exchanges) == 1
    assert client.query(fql("1")).data == 1
    assert server.connections == 2


def _two_queries_one_after_the_other(client: Client, server: H2Server) -> list[object]:
    """``fql("1")`` and then, once the server has it, ``fql("2")``, both in flight at once."""
    first, second = fql("Things.create({n: 1})"), fql("Things.create({n: 2})")

    def first_arrived() -> bool:
        return len(server.exchanges) >= 1

    if getattr(client, "kind", "sync") == "async":
        driven = cast(SyncDriven, client)

        async def run_both() -> list[object]:
            task = asyncio.ensure_future(driven.inner.query(first))
            while not first_arrived():
                await asyncio.sleep(0.01)
            later = await driven.inner.query(second)
            return [await task, later]

        results = driven.run(run_both())
    else:
        with ThreadPoolExecutor(2) as pool:
            future = pool.submit(client.query, first)
            while not first_arrived():
                time.sleep(0.01)
            later = client.query(second)
            results = [future.result(), later]
    return [result.data for result in cast(list[QuerySuccess], results)]


def test_a_graceful_goaway_answers_the_streams_it_covers_and_refuses_later_ones(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    # Stream 1 is held by the server; stream 3 draws a GOAWAY whose last stream is 1:
    # stream 1 gets its answer on the old connection, and stream 3, never processed, is
    # sent again on a new connection and answered there. Each query runs once.
    server = serve(hold(), goaway_then_answer_held(), answer())
    client = over_h2(server)
    assert _two_queries_one_after_the_other(client, server) == [1, 1]
    assert server.connections == 2
    assert [(e.connection, e.stream_id) for e in server.exchanges] == [(1, 1), (1, 3), (2, 1)]
    ran = [(e.connection, e.stream_id, e.body) for e in server.ran]
    assert [(connection, stream) for connection, stream, _ in ran] == [(1, 1), (2, 1)]
    assert b"n: 1" in ran[0][2] and b"n: 2" in ran[1][2]


def test_a_query_whose_fate_is_unknown_is_sent_again_only_when_the_policy_says_so(
    serve: Callable[..., H2Server], make_client: Callable[..., Client]
) -> None:
    # GOAWAY covering the query, then no answer: it may have run. The default policy does not
    # re-send it (test_a_goaway_covering_the_query_is_not_sent_again); one that retries
    # NetworkError (for reads safe to repeat) does, on a new connection.
    server = serve(goaway_after_running(), answer())
    client = make_client(
        endpoint=server.endpoint,
        secret="secret",
        transport=None,
        http2=True,
        retry_policy=RetryPolicy(max_backoff=0, retry_on=lambda e: isinstance(e, NetworkError)),
    )
    result = client.query(fql("Things.all().count()"))
    assert (result.data, result.stats.attempts) == (1, 2)
    assert [(e.connection, e.stream_id) for e in server.ran] == [(1, 1), (2, 1)]


def test_concurrent_queries_across_a_goaway_run_at_most_once(
    serve: Callable[..., H2Server], over_h2: Callable[[H2Server], Client]
) -> None:
    server = serve(*[answer()] * 10, answer_then_goaway(), answer())
    client = over_h2(server)
    queries = [fql("${n}", n=n) for n in range(40)]
    outcomes: list[object]
    if getattr(client, "kind", "sync") == "async":
        driven = cast(SyncDriven, client)

        async def run_all() -> list[object]:
            calls = (driven.inner.query(q) for q in queries)
            return list(await asyncio.gather(*calls, return_exceptions=True))

        outcomes = driven.run(run_all())
    else:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client.query, q) for q in queries]
            outcomes = [f.exception() or f.result() for f in futures]
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(f, NetworkError) for f in failures), failures
    ran = [exchange.body for exchange in server.ran]
    assert len(ran) == len(set(ran)), "a query ran twice"
    assert len(ran) >= len(queries) - len(failures)
    assert server.connections >= 2


def test_an_idle_connection_is_replaced(
    serve: Callable[..., H2Server], make_client: Callable[..., Client]
) -> None:
    server = serve(answer())
    client = make_client(
        endpoint=server.endpoint,
        secret="secret",
        transport=None,
        http2=True,
        http_idle_timeout=timedelta(milliseconds=1),
    )
    client.query(fql("1"))
    time.sleep(0.05)
    client.query(fql("1"))
    assert server.connections == 2


def test_pool_stats_see_the_http2_pool(
    serve: Callable[..., H2Server],
    over_h2: Callable[[H2Server], Client],
    make_client: Callable[..., Client],
) -> None:
    server = serve(answer())
    client = over_h2(server)
    # The same limit as the same kind of client's HTTP/1.1 pool.
    http11 = make_client(endpoint=server.endpoint, secret="secret", transport=None)
    stats = http11.pool_stats()
    assert stats is not None
    limit = stats.max_connections
    assert client.pool_stats() == PoolStats(open=0, idle=0, in_use=0, max_connections=limit)
    client.query(fql("1"))
    assert client.pool_stats() == PoolStats(open=1, idle=1, in_use=0, max_connections=limit)


def test_http2_is_for_pools_the_client_creates(make_client: Callable[..., Client]) -> None:
    with (
        httpx.Client() as own,
        pytest.raises(TypeError, match="'http2' applies to a pool the client creates"),
    ):
        make_client(http_client=own, http2=True)


def test_cleartext_http2_is_prior_knowledge() -> None:
    cleartext = resolve_config(endpoint="http://localhost:8443", http2=True)
    assert (cleartext.pool_options(1)["http1"], cleartext.pool_options(1)["http2"]) == (
        False,
        True,
    )
    tls = resolve_config(endpoint="https://db.fauna.com", http2=True)
    assert (tls.pool_options(1)["http1"], tls.pool_options(1)["http2"]) == (True, True)
    default = resolve_config(endpoint="http://localhost:8443")
    assert (default.pool_options(1)["http1"], default.pool_options(1)["http2"]) == (True, False)


def _failure(event: object) -> httpx.RemoteProtocolError:
    """What httpx raises for an h2 event httpcore gave up on."""
    try:
        try:
            raise RuntimeError(event)
        except RuntimeError as cause:
            raise httpx.RemoteProtocolError(str(event)) from cause
    except httpx.RemoteProtocolError as error:
        return error


def _goaway(last_stream_id: int) -> h2.events.ConnectionTerminated:
    event = h2.events.ConnectionTerminated()
    event.error_code = h2.errors.ErrorCodes.NO_ERROR
    event.last_stream_id = last_stream_id
    return event


def _reset(code: h2.errors.ErrorCodes) -> h2.events.StreamReset:
    return h2.events.StreamReset(stream_id=1, error_code=code)


def _progress(stream_id: int, headers_sent: bool) -> SendProgress:
    progress = SendProgress()
    progress.trace("http2.send_request_headers.started", {"stream_id": stream_id})
    if headers_sent:
        progress.trace("http2.send_request_headers.complete", {"stream_id": stream_id})
    return progress


def test_only_proof_of_no_processing_allows_a_resend() -> None:
    assert unprocessed(_failure(_goaway(0)))
    assert unprocessed(_failure(_reset(h2.errors.ErrorCodes.REFUSED_STREAM)))
    assert not unprocessed(_failure(_goaway(5)))
    assert not unprocessed(_failure(_reset(h2.errors.ErrorCodes.CANCEL)))
    assert not unprocessed(httpx.ReadError("connection reset by peer"))
    # With the stream id (httpcore's trace extension), a GOAWAY below it is proof too.
    assert unprocessed(_failure(_goaway(5)), _progress(7, headers_sent=True))
    assert not unprocessed(_failure(_goaway(7)), _progress(7, headers_sent=True))
    # Headers that never went out whole: the server cannot have the request.
    assert unprocessed(httpx.WriteError("broken pipe"), _progress(7, headers_sent=False))
    assert not unprocessed(httpx.ReadError("reset"), _progress(7, headers_sent=True))
    # A failure before the request reached a connection is not this module's to retry.
    assert not unprocessed(httpx.ConnectError("refused"), SendProgress())


@pytest.fixture
def live_h2(make_client: Callable[..., Client], faunalite_server: BackgroundServer) -> Client:
    return make_client(
        endpoint=faunalite_server.endpoint,
        secret=faunalite_server.secret,
        transport=None,
        http2=True,
    )


def test_faunalite_closing_an_idle_connection(
    make_client: Callable[..., Client], faunalite_server: BackgroundServer
) -> None:
    client = make_client(
        endpoint=faunalite_server.endpoint,
        secret=faunalite_server.secret,
        transport=None,
        http2=True,
        http_idle_timeout=None,
    )
    client.query(fql("1"))
    # Hypercorn closes an HTTP/2 connection idle for its keep-alive timeout (5 s).
    time.sleep(5.5)
    assert client.query(fql("2")).data == 2


def test_faunalite_over_http2(live_h2: Client) -> None:
    name = f"H2{uuid.uuid4().hex[:10]}"
    live_h2.query(fql("Collection.create({ name: ${name} })", name=name))
    live_h2.query(fql(f"{name}.create({{ n: 1 }})"))
    source = live_h2.query(fql(f"{name}.all().eventSource()")).data
    assert live_h2.query(fql(f"{name}.all().count()")).data == 1
    assert [len(page) for page in live_h2.feed(source)] == [0]
    pages = list(live_h2.paginate(fql(f"{name}.all().pageSize(1)")))
    assert len(pages) == 1


def test_streams_run_beside_http2_queries(live_h2: Client) -> None:
    name = f"H2S{uuid.uuid4().hex[:10]}"
    live_h2.query(fql("Collection.create({ name: ${name} })", name=name))
    source = live_h2.query(fql(f"{name}.all().eventSource()")).data
    start = live_h2.get_last_txn_ts()
    live_h2.query(fql(f"{name}.create({{ n: 7 }})"))
    with live_h2.stream(source, StreamOptions(start_ts=start)) as stream:
        event = next(stream)
        assert (event["type"], event["data"]["n"]) == ("add", 7)
        assert live_h2.query(fql("1 + 1")).data == 2
    assert live_h2.query(fql(f"{name}.all().count()")).data == 1


def test_closing_a_stream_from_elsewhere_ends_its_wait(live_h2: Client) -> None:
    # Streams keep to HTTP/1.1 beside HTTP/2 queries, so close() can still wake a
    # reader blocked on the stream's own socket.
    name = f"H2C{uuid.uuid4().hex[:10]}"
    live_h2.query(fql("Collection.create({ name: ${name} })", name=name))
    source = live_h2.query(fql(f"{name}.all().eventSource()")).data
    if getattr(live_h2, "kind", "sync") == "async":
        driven = cast(SyncDriven, live_h2)

        async def close_from_another_task() -> None:
            stream = driven.inner.stream(source)
            await stream.__aenter__()
            waiting = asyncio.ensure_future(anext(stream, None))
            await asyncio.sleep(0.2)
            await stream.close()
            assert await asyncio.wait_for(waiting, 5) is None

        driven.run(close_from_another_task())
        return
    stream = live_h2.stream(source)
    ended = threading.Event()

    def consume() -> None:
        for _ in stream:
            pass
        ended.set()

    threading.Thread(target=consume, daemon=True).start()
    time.sleep(0.2)
    stream.close()
    assert ended.wait(5)
