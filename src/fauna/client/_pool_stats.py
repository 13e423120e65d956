"""``PoolStats``: how many connections a client's pool holds, idle and in use.

A snapshot for monitoring (a gauge, a health endpoint, a test that checks
nothing leaks), read from the pool without locking it, so it is exact only
when the pool is quiet. The pools the clients build are inspected through
their transports: httpx's own (httpcore) for ``Client`` and for a user's
``httpx.Client``/``httpx.AsyncClient``, the lean HTTP/1.1 pool of
``_async_transport`` for ``AsyncClient``, the httpcore pool under
``http2=True`` (``_http2``, ``_h2_goaway``). A pool behind a custom
``fauna.http.HTTPClient``, or a transport of unknown make, cannot be seen:
``stats_of`` returns ``None`` for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from fauna.client._async_transport import AsyncHTTP11Transport
from fauna.client._h2_goaway import AsyncHoldingTransport, HoldingTransport
from fauna.client._http2 import AsyncHTTP2Transport, HTTP2Transport
from fauna.client._pools import AsyncPool, SyncPool
from fauna.http import HTTPXClient


@dataclass(frozen=True)
class PoolStats:
    """Connections of a client's pool at one moment.

    :param open: connections open now, ``idle + in_use``.
    :param idle: open connections waiting for a request (kept alive).
    :param in_use: connections carrying a request or an open stream.
    :param max_connections: the most the pool opens at once (``None``: unbounded or unknown).
    """

    open: int
    idle: int
    in_use: int
    max_connections: int | None = None


def stats_of(pool: object) -> PoolStats | None:
    """The stats of ``pool`` (a client's pool, ``httpx`` client or transport), if visible."""
    if isinstance(pool, (SyncPool, AsyncPool)):
        return stats_of(pool.direct if pool.direct is not None else pool.client)
    if isinstance(pool, HTTPXClient):
        return stats_of(pool.client)
    if isinstance(pool, (httpx.Client, httpx.AsyncClient)):
        # httpx keeps a client's transport private; without one there is nothing to report.
        return stats_of(getattr(pool, "_transport", None))
    if isinstance(pool, AsyncHTTP11Transport):
        return PoolStats(
            open=pool.idle_connections + pool.in_use,
            idle=pool.idle_connections,
            in_use=pool.in_use,
            max_connections=pool.max_connections,
        )
    if isinstance(pool, (httpx.HTTPTransport, httpx.AsyncHTTPTransport)):
        return _httpcore_stats(getattr(pool, "_pool", None))
    if isinstance(pool, (HTTP2Transport, AsyncHTTP2Transport)):
        return stats_of(pool.inner)
    if isinstance(pool, (HoldingTransport, AsyncHoldingTransport)):
        return _httpcore_stats(pool.pool)
    return None


def _httpcore_stats(pool: Any) -> PoolStats | None:
    if not isinstance(pool, (httpcore.ConnectionPool, httpcore.AsyncConnectionPool)):
        return None
    connections = [connection for connection in pool.connections if not connection.is_closed()]
    idle = sum(1 for connection in connections if connection.is_idle())
    limit = getattr(pool, "_max_connections", None)
    return PoolStats(
        open=len(connections),
        idle=idle,
        in_use=len(connections) - idle,
        max_connections=limit if isinstance(limit, int) else None,
    )
