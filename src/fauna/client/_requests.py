"""Building requests: method, URL, headers, JSON body and timeouts, with no I/O.

Every function here returns a ``PreparedRequest`` that a sync or async shell
hands to httpx as it is. Header precedence follows the original driver:
client settings, then the per-query options, then ``additional_headers``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from fauna.client._config import ClientConfig, encode_tags
from fauna.client._options import FeedOptions, QueryOptions
from fauna.client.headers import Header
from fauna.encoding import FaunaEncoder
from fauna.errors import ClientError
from fauna.query import Query

QUERY_PATH = "/query/1"
STREAM_PATH = "/stream/1"
FEED_PATH = "/feed/1"

MISSING_SECRET_MESSAGE = (
    "No secret configured: pass secret=... to Client() or set the FAUNA_SECRET "
    "environment variable."
)


@dataclass(frozen=True)
class PreparedRequest:
    """One HTTP request, ready to send. ``content`` is ``body`` serialised."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    content: bytes
    timeout: httpx.Timeout


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _json_bytes(body: dict[str, Any]) -> bytes:
    # Same form httpx would produce for json=: compact, UTF-8, no NaN.
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def require_secret(config: ClientConfig) -> None:
    """Fail before sending anything when no secret was configured."""
    if not config.auth.secret:
        raise ClientError(MISSING_SECRET_MESSAGE)


def require_query(fql: object) -> Query:
    if not isinstance(fql, Query):
        raise TypeError(
            f"'fql' must be a Query but was a {type(fql)}. You can build a Query by "
            "calling fauna.fql()"
        )
    return fql


def encode_query(fql: Query) -> Any:
    """The wire form of ``fql``; any encoding failure becomes a ``ClientError``."""
    try:
        return FaunaEncoder.encode(fql)
    except Exception as error:
        raise ClientError("Failed to encode Query") from error


def build_query_request(
    config: ClientConfig,
    fql: Query,
    opts: QueryOptions | None = None,
    last_txn_ts: int | None = None,
) -> PreparedRequest:
    """The ``/query/1`` request for ``fql``; raises ``ClientError`` or ``TypeError``."""
    require_query(fql)
    require_secret(config)
    body = {"query": encode_query(fql), "arguments": {}}
    headers = dict(config.query_headers)
    if last_txn_ts is not None:
        headers[Header.LastTxnTs] = str(last_txn_ts)
    timeout = config.query_timeout
    if opts is not None:
        timeout = _apply_query_options(config, opts, headers)
    return PreparedRequest(
        "POST", config.endpoint + QUERY_PATH, headers, body, _json_bytes(body), timeout
    )


def _apply_query_options(
    config: ClientConfig, opts: QueryOptions, headers: dict[str, str]
) -> httpx.Timeout:
    """Layer ``opts`` onto ``headers``; returns the timeouts the query needs."""
    timeout = config.query_timeout
    if opts.linearized is not None:
        headers[Header.Linearized] = _bool(opts.linearized)
    if opts.max_contention_retries is not None:
        headers[Header.MaxContentionRetries] = str(opts.max_contention_retries)
    if opts.traceparent is not None:
        headers[Header.Traceparent] = opts.traceparent
    if opts.query_timeout is not None:
        timeout_ms = int(opts.query_timeout.total_seconds() * 1000)
        headers[Header.QueryTimeoutMs] = str(timeout_ms)
        timeout = config.timeout_for(timeout_ms)
    if opts.typecheck is not None:
        headers[Header.Typecheck] = _bool(opts.typecheck)
    if opts.performance_hints is not None:
        headers[Header.PerformanceHints] = _bool(opts.performance_hints)
    if opts.additional_headers:
        headers.update(opts.additional_headers)
    if opts.query_tags:
        # Per-query tags win on a clash; client tags keep their place in the order.
        headers[Header.Tags] = encode_tags({**config.query_tags, **opts.query_tags})
    return timeout


def build_stream_request(
    config: ClientConfig, token: str, cursor: str | None = None, start_ts: int | None = None
) -> PreparedRequest:
    """The ``/stream/1`` request; ``cursor`` wins over ``start_ts``."""
    require_secret(config)
    body: dict[str, Any] = {"token": token}
    if cursor is not None:
        body["cursor"] = cursor
    elif start_ts is not None:
        body["start_ts"] = start_ts
    return PreparedRequest(
        "POST",
        config.endpoint + STREAM_PATH,
        dict(config.request_headers),
        body,
        _json_bytes(body),
        config.stream_timeout,
    )


def build_feed_request(
    config: ClientConfig,
    token: str,
    opts: FeedOptions,
    cursor: str | None = None,
    start_ts: int | None = None,
) -> PreparedRequest:
    """The ``/feed/1`` request for one page; ``cursor`` wins over ``start_ts``."""
    require_secret(config)
    body: dict[str, Any] = {"token": token}
    if opts.page_size is not None:
        body["page_size"] = opts.page_size
    if cursor is not None:
        body["cursor"] = cursor
    elif start_ts is not None:
        body["start_ts"] = start_ts
    headers = dict(config.request_headers)
    timeout_ms = config.query_timeout_ms
    if opts.query_timeout is not None:
        timeout_ms = int(opts.query_timeout.total_seconds() * 1000)
    if timeout_ms is not None:
        headers[Header.QueryTimeoutMs] = str(timeout_ms)
    return PreparedRequest(
        "POST",
        config.endpoint + FEED_PATH,
        headers,
        body,
        _json_bytes(body),
        config.timeout_for(timeout_ms),
    )
