"""Both clients against a real server (faunalite over loopback HTTP): queries, errors, sets.

Each test runs once with ``Client`` and once with ``AsyncClient`` (see
``client_kinds``). Collections get unique names, since one faunalite server
serves the whole session.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from fauna import fql
from fauna.client import Client, PoolStats, QueryOptions
from fauna.errors import (
    AbortError,
    AuthenticationError,
    QueryCheckError,
    QueryRuntimeError,
)
from fauna.query import Document, EventSource, Page
from faunalite.testing import BackgroundServer


@pytest.fixture
def live(make_client: Callable[..., Client], faunalite_server: BackgroundServer) -> Client:
    return make_client(
        endpoint=faunalite_server.endpoint, secret=faunalite_server.secret, transport=None
    )


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def test_query_values(live: Client) -> None:
    assert live.query(fql("Math.abs(-5)")).data == 5
    result = live.query(fql('[1, "two", { three: ${x} }]', x=3.5))
    assert result.data == [1, "two", {"three": 3.5}]
    assert result.stats.attempts == 1
    assert live.get_last_txn_ts() is not None


def test_options_are_accepted(live: Client) -> None:
    opts = QueryOptions(typecheck=False, linearized=True, query_tags={"app": "e2e"})
    assert live.query(fql("1 + 1"), opts).data == 2


def test_abort_carries_its_data(live: Client) -> None:
    with pytest.raises(AbortError) as raised:
        live.query(fql('abort({ code: 7, why: "nope" })'))
    assert raised.value.abort == {"code": 7, "why": "nope"}
    assert raised.value.status_code == 400


def test_check_and_runtime_errors(live: Client) -> None:
    with pytest.raises(QueryCheckError):
        live.query(fql("foo("))
    with pytest.raises(QueryRuntimeError) as raised:
        live.query(fql("1 / 0"))
    assert raised.value.code == "divide_by_zero"


def test_wrong_secret(
    make_client: Callable[..., Client], faunalite_server: BackgroundServer
) -> None:
    client = make_client(endpoint=faunalite_server.endpoint, secret="wrong", transport=None)
    with pytest.raises(AuthenticationError):
        client.query(fql("1"))


def test_paginate_a_set(live: Client) -> None:
    pages = list(live.paginate(fql("Set.sequence(0, 30)")))
    assert [len(page) for page in pages] == [16, 14]
    assert list(live.paginate(fql("Set.sequence(0, 30)")).flatten()) == list(range(30))


def test_documents_and_embedded_pages(live: Client) -> None:
    name = unique("Dogs")
    live.query(fql("Collection.create({ name: ${name} })", name=name))
    for n in range(20):
        live.query(fql("Collection(${name}).create({ n: ${n} })", name=name, n=n))
    created = live.query(fql("Collection(${name}).all().first()", name=name)).data
    assert isinstance(created, Document)
    page = live.query(fql("{ dogs: Collection(${name}).all() }", name=name)).data["dogs"]
    assert isinstance(page, Page)
    numbers = [doc["n"] for doc in live.paginate(page).flatten()]
    assert sorted(numbers) == list(range(20))


def test_stream_sees_a_write(live: Client) -> None:
    name = unique("Events")
    live.query(fql("Collection.create({ name: ${name} })", name=name))
    source: Any = live.query(fql("Collection(${name}).all().eventSource()", name=name)).data
    assert isinstance(source, EventSource)
    with live.stream(source) as stream:
        live.query(fql("Collection(${name}).create({ n: 1 })", name=name))
        event = next(stream)
    assert event["type"] == "add"
    assert event["data"]["n"] == 1


def test_sync_stream_closed_from_another_thread_stops_waiting(
    faunalite_server: BackgroundServer,
) -> None:
    # No event ever arrives, so the reading thread is blocked in the socket when close() runs.
    name = unique("Quiet")
    with Client(endpoint=faunalite_server.endpoint, secret=faunalite_server.secret) as client:
        client.query(fql("Collection.create({ name: ${n} })", n=name))
        source = client.query(fql(f"{name}.all().eventSource()")).data
        with client.stream(source) as stream:
            closer = threading.Timer(0.3, stream.close)
            closer.start()
            started = time.monotonic()
            assert list(stream) == []
            assert time.monotonic() - started < 5
            closer.join()
        assert client.query(fql("1 + 1")).data == 2


def test_scoped_clients_act_in_child_databases(live: Client) -> None:
    parent_db, child_db, coll = unique("Scoped"), unique("Nested"), unique("Things")
    live.query(fql("Database.create({ name: ${name} })", name=parent_db))
    scoped = live.scoped(parent_db)
    scoped.query(fql("Collection.create({ name: ${name} })", name=coll))
    scoped.query(fql(f"{coll}.create({{ n: 1 }})"))
    assert scoped.query(fql(f"{coll}.all().count()")).data == 1
    assert live.query(fql("Collection.byName(${name}) == null", name=coll)).data is True
    scoped.query(fql("Database.create({ name: ${name} })", name=child_db))
    nested = scoped.scoped(child_db, "server")
    assert nested.query(fql("Collection.byName(${name}) == null", name=coll)).data is True
    reader = live.scoped(parent_db, "server-readonly")
    assert reader.query(fql(f"{coll}.all().count()")).data == 1
    with pytest.raises(QueryRuntimeError) as denied:
        reader.query(fql(f"{coll}.create({{ n: 2 }})"))
    assert denied.value.code == "permission_denied"
    nested.close()
    assert scoped.query(fql(f"{coll}.all().count()")).data == 1


def test_pool_stats_count_idle_and_busy_connections(live: Client) -> None:
    assert live.pool_stats() == PoolStats(
        open=0, idle=0, in_use=0, max_connections=20 if isinstance(live, Client) else 100
    )
    live.query(fql("1"))
    after_query = live.pool_stats()
    assert after_query is not None
    assert (after_query.open, after_query.idle, after_query.in_use) == (1, 1, 0)
    coll = unique("Watched")
    live.query(fql("Collection.create({ name: ${name} })", name=coll))
    source = live.query(fql(f"{coll}.all().eventSource()")).data
    with live.stream(source) as stream:
        live.query(fql(f"{coll}.create({{}})"))
        next(stream)
        during = live.pool_stats()
        assert during is not None and during.in_use == 1 and during.open == during.idle + 1
        # A scoped client shares the pool, so it sees the same connections.
        assert live.scoped("anything").pool_stats() == during
    after = live.pool_stats()
    assert after is not None and after.in_use == 0


def test_lists_and_dicts_holding_queries_run(live: Client) -> None:
    composed = fql("${x}", x=[fql("1 + 1"), {"a": fql("2 * 3"), "b": [fql("'s'"), 4]}])
    assert live.query(composed).data == [2, {"a": 6, "b": ["s", 4]}]
