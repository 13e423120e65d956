"""A scripted FaunaDB for HTTP-level tests, usable by sync and async clients alike.

``FakeFauna`` is an ``httpx.MockTransport`` handler: tests queue responses
per path (``/query/1``, ``/stream/1``, ``/feed/1``) and read back the
requests the driver sent. Bodies are shaped as wire-protocol.md describes.
``ChunkStream`` serves a body in pieces (optionally failing mid-way) to both
``httpx.Client`` and ``httpx.AsyncClient``.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import httpx

TXN_TS = 1_700_000_000_000_000
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"


def stats(**overrides: Any) -> dict[str, Any]:
    """A ``/query/1`` stats object, all zeros but one compute op."""
    base: dict[str, Any] = {
        "compute_ops": 1,
        "read_ops": 0,
        "write_ops": 0,
        "query_time_ms": 1,
        "contention_retries": 0,
        "storage_bytes_read": 0,
        "storage_bytes_write": 0,
        "rate_limits_hit": [],
    }
    base.update(overrides)
    return base


def query_success(
    data: Any,
    *,
    txn_ts: int = TXN_TS,
    static_type: str | None = None,
    summary: str = "",
    query_tags: str | None = None,
    schema_version: int = 0,
    stats_: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A 200 ``/query/1`` body; ``data`` must already be in tagged form."""
    body: dict[str, Any] = {"data": data}
    if static_type is not None:
        body["static_type"] = static_type
    body.update(summary=summary, txn_ts=txn_ts, stats=stats_ or stats())
    if query_tags is not None:
        body["query_tags"] = query_tags
    body["schema_version"] = schema_version
    return body


def query_failure(
    code: str, message: str, *, abort: Any = None, constraint_failures: Any = None
) -> dict[str, Any]:
    """A query-error body (HTTP 400): error plus summary, txn_ts, stats, schema_version."""
    error: dict[str, Any] = {"code": code, "message": message}
    if constraint_failures is not None:
        error["constraint_failures"] = constraint_failures
    if abort is not None:
        error["abort"] = abort
    return {
        "error": error,
        "summary": f"error: {message}",
        "txn_ts": TXN_TS,
        "stats": stats(),
        "schema_version": 0,
    }


def protocol_failure(code: str, message: str, *, with_stats: bool = False) -> dict[str, Any]:
    """A protocol-error body: only ``error`` (and ``stats`` for 429s)."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if with_stats:
        body["stats"] = stats(rate_limits_hit=["compute"])
    return body


def tagged_doc(doc_id: str, coll: str, **fields: Any) -> dict[str, Any]:
    """A live document in tagged form."""
    return {
        "@doc": {
            "id": doc_id,
            "coll": {"@mod": coll},
            "ts": {"@time": "2024-01-01T00:00:00.000001Z"},
            **fields,
        }
    }


def event_stats() -> dict[str, Any]:
    return {
        "read_ops": 0,
        "storage_bytes_read": 0,
        "compute_ops": 1,
        "processing_time_ms": 0,
        "rate_limits_hit": [],
    }


def status_event(txn_ts: int, cursor: str) -> dict[str, Any]:
    return {"type": "status", "txn_ts": txn_ts, "cursor": cursor, "stats": event_stats()}


def data_event(kind: str, data: Any, txn_ts: int, cursor: str) -> dict[str, Any]:
    return {
        "type": kind,
        "data": data,
        "txn_ts": txn_ts,
        "cursor": cursor,
        "stats": event_stats(),
    }


def error_event(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"code": code, "message": message, **extra},
        "stats": event_stats(),
    }


def feed_page(events: list[dict[str, Any]], cursor: str, has_next: bool) -> dict[str, Any]:
    return {"events": events, "cursor": cursor, "has_next": has_next, "stats": stats()}


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body served chunk by chunk, then optionally failing like a dropped link."""

    def __init__(self, chunks: Iterable[bytes], fail_with: Exception | None = None) -> None:
        self._chunks = list(chunks)
        self._fail_with = fail_with

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._fail_with is not None:
            raise self._fail_with

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._fail_with is not None:
            raise self._fail_with


def stream_response(
    events: Iterable[dict[str, Any]], *, drop: bool = False, status: int = 200
) -> httpx.Response:
    """A ``/stream/1`` reply: one JSON event per ``\\r\\n``-terminated line."""
    chunks = [json.dumps(event).encode() + b"\r\n" for event in events]
    failure = httpx.ReadError("connection reset by peer") if drop else None
    return httpx.Response(
        status,
        headers={"content-type": "application/json;charset=utf-8", "x-fauna-stream-id": "1"},
        stream=ChunkStream(chunks, failure),
    )


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={
            "content-type": "application/json;charset=utf-8",
            "traceparent": TRACEPARENT,
            **(headers or {}),
        },
    )


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeFauna:
    """Serves queued replies per path and records every request it receives.

    A queued ``Exception`` is raised as the transport failure; a callable is
    called with the request. When a path's queue is empty, its fallback is
    used (if set), else the test fails with a clear message.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._queues: dict[str, deque[Reply]] = defaultdict(deque)
        self._fallbacks: dict[str, Reply] = {}

    def reply(self, path: str, *replies: Reply) -> FakeFauna:
        self._queues[path].extend(replies)
        return self

    def query(self, *bodies: dict[str, Any], status: int = 200) -> FakeFauna:
        return self.reply("/query/1", *(json_response(status, body) for body in bodies))

    def always(self, path: str, reply: Reply) -> FakeFauna:
        self._fallbacks[path] = reply
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self._queues[request.url.path]
        if queue:
            reply = queue.popleft()
        elif request.url.path in self._fallbacks:
            reply = self._fallbacks[request.url.path]
        else:
            raise AssertionError(f"FakeFauna has no reply queued for {request.url.path}")
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def sent(self, path: str | None = None) -> list[httpx.Request]:
        return [r for r in self.requests if path is None or r.url.path == path]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.sent(path)]
