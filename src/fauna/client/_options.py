"""Default settings and the per-call option dataclasses.

An option left at ``None`` never overrides what the client was configured
with; that is how every field here is read by ``fauna.client._requests``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

DefaultHttpConnectTimeout = timedelta(seconds=5)
DefaultHttpReadTimeout: timedelta | None = None
"""``None`` means: wait as long as the client timeout (query timeout + buffer)."""
DefaultHttpWriteTimeout = timedelta(seconds=5)
DefaultHttpPoolTimeout = timedelta(seconds=5)
DefaultIdleConnectionTimeout = timedelta(seconds=5)
DefaultQueryTimeout = timedelta(seconds=5)
DefaultClientBufferTimeout = timedelta(seconds=5)
DefaultMaxConnections = 20
DefaultMaxIdleConnections = 20
DefaultAsyncMaxConnections = 100
"""The ``AsyncClient``'s pool size: one event loop runs hundreds of queries at once,
and with only 20 connections all but 20 of them would wait for a free one."""
DefaultMaxAttempts = 3
DefaultMaxBackoff = 20

ServerDefaultQueryTimeout = timedelta(seconds=120)
"""What FaunaDB applies when no ``X-Query-Timeout-Ms`` is sent."""

StreamIdleTimeout = timedelta(minutes=6)
"""How long a stream may stay silent before it counts as dropped.

FaunaDB sends a ``status`` heartbeat on an idle stream about every five
minutes (checked once a minute), so six minutes of silence means the
connection is gone and the stream should reconnect from its cursor.
"""


@dataclass
class QueryOptions:
    """Per-query settings; each one left at ``None`` keeps the client's value.

    ``query_tags`` are merged into the client's tags (these win on a clash).
    ``additional_headers`` are applied last and may override any header.
    """

    linearized: bool | None = None
    max_contention_retries: int | None = None
    query_timeout: timedelta | None = None
    query_tags: Mapping[str, str] | None = None
    traceparent: str | None = None
    typecheck: bool | None = None
    additional_headers: dict[str, str] | None = None
    performance_hints: bool | None = None


@dataclass
class StreamOptions:
    """Settings for ``Client.stream``.

    ``max_attempts``/``max_backoff`` default to the client's and govern
    reconnection. ``start_ts`` (µs) and ``cursor`` pick where the stream
    starts (exclusive); give at most one. ``status_events`` delivers the
    server's ``status`` heartbeats, which are dropped otherwise.
    """

    max_attempts: int | None = None
    max_backoff: int | None = None
    start_ts: int | None = None
    cursor: str | None = None
    status_events: bool = False


@dataclass
class FeedOptions:
    """Settings for ``Client.feed``.

    ``page_size`` is 1..16000 (server default 16). ``start_ts`` (µs) and
    ``cursor`` pick where the feed starts (exclusive); give at most one.
    ``query_timeout`` defaults to the client's.
    """

    max_attempts: int | None = None
    max_backoff: int | None = None
    query_timeout: timedelta | None = None
    page_size: int | None = None
    start_ts: int | None = None
    cursor: str | None = None
