"""``/stream/1`` and ``/feed/1``: FaunaDB's event streams and event feeds over HTTP.

Both take ``{"token", "start_ts"?, "cursor"?}`` (feeds also ``page_size``), authenticate like
``/query/1``, verify the token (``faunalite.events.sources``) and read the source's events with
an ``EventReader`` in a worker thread. Errors before any event are
``{"error": {code, message}}`` replies with FaunaDB's messages (wire-protocol §7, §8).

A stream is one asyncio task per connection. It subscribes to commit notifications *before*
replaying, then: a ``status`` event, the replayed events (at most ``STREAM_REPLAY_LIMIT``),
then live events, read as soon as a commit touching the source's collection is announced (no
polling). Each event is one compact JSON line ending in ``\\r\\n``. The stream ends after an
``error`` event, when the client disconnects, or when the server closes its streams
(``StreamHub.close_all``, e.g. on shutdown): then the body just ends, and the client
reconnects with its last cursor. An idle stream sends a ``status`` heartbeat every
``HEARTBEAT_SECONDS``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from faunalite.engine import (
    Engine,
    QueryResult,
    deadline_unmeetable,
    protocol_error,
    timed_out,
)
from faunalite.events.sources import EventSourceSpec, InvalidToken, decode_token, signing_key
from faunalite.events.translate import (
    EventReader,
    InvalidCursor,
    ReadResult,
    SourceUnavailable,
    decode_cursor,
    encode_cursor,
    error_event,
    status_event,
)
from faunalite.fql.values import INT64_MAX, INT64_MIN
from faunalite.server.auth import JwtLookup, authenticate
from faunalite.server.body import BodyTooLarge, read_body
from faunalite.server.failures import log_unexpected
from faunalite.server.headers import InvalidHeader, read_query_headers
from faunalite.storage.interface import CommitInfo, EventCursor
from faunalite.wire.request import exceeds_nesting_limit

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STREAM_REPLAY_LIMIT = 128
"""Most events a stream replays from the past (FaunaDB's ``stream_event_replay_limit``)."""
HEARTBEAT_SECONDS = 300.0
"""Idle time after which a stream sends a ``status`` event (FaunaDB: 5 minutes)."""
LIVE_BATCH = 64
"""Events read (and written in one chunk) at a time once a stream is live."""
DEFAULT_PAGE_SIZE = 16
MAX_PAGE_SIZE = 16_000
FEED_HEADERS = ("x-query-timeout-ms", "x-last-txn-ts", "x-max-contention-retries")
"""The headers ``/feed/1`` validates; it ignores the others."""
EVENT_SEPARATOR = b"\r\n"
DATABASE_COLLECTION = "Database"
_AUTHORITY_COLLECTIONS = frozenset({DATABASE_COLLECTION, "Key", "Token", "Role", "AccessProvider"})
"""Commits to these may take a stream's authority away (a database, key or token deleted, a
role changed or deleted): they wake every stream."""

Wakeups = asyncio.Queue["CommitInfo | None"]
"""What wakes a stream: a commit touching its collection, or ``None`` to end it."""

logger = logging.getLogger("faunalite.server")


class _Rejected(Exception):
    """The request is refused before any event: ``result`` is the HTTP reply."""

    def __init__(self, result: QueryResult) -> None:
        super().__init__(result.body)
        self.result = result


def _invalid_body(detail: str) -> _Rejected:
    return _Rejected(protocol_error("invalid_request", f"Invalid request body: {detail}"))


def _unauthorized() -> _Rejected:
    return _Rejected(
        protocol_error("unauthorized", "Invalid token, unable to authenticate request")
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, float):
        return "double"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


@dataclass(frozen=True, slots=True)
class EventRequest:
    """A parsed, authenticated, verified stream or feed request."""

    reader: EventReader
    start: EventCursor
    page_size: int = DEFAULT_PAGE_SIZE


class EventEndpoints:
    """The two endpoints, for one engine and root secret."""

    def __init__(self, engine: Engine, root_secret: str, jwt: JwtLookup | None = None) -> None:
        self.engine = engine
        self.root_secret = root_secret
        self.jwt = jwt
        """Verifies JWT bearers (access providers); without it they are refused."""
        self.streams = StreamHub()
        self.heartbeat_seconds = HEARTBEAT_SECONDS
        self.replay_limit = STREAM_REPLAY_LIMIT

    # -- requests ---------------------------------------------------------------------------

    def _parse(self, headers: dict[str, str], raw_body: bytes, *, feed: bool) -> EventRequest:
        """Blocking (reads storage): run in a worker thread."""
        authorization = headers.get("authorization")
        keys = self.engine.principal_for_key
        principal = authenticate(authorization, self.root_secret, keys, self.jwt)
        if principal is None:
            raise _unauthorized()

        def still_authorized() -> bool:
            # A deleted or expired key or token, or an expired JWT, grants nothing any more.
            again = authenticate(authorization, self.root_secret, keys, self.jwt)
            return again == principal

        if exceeds_nesting_limit(raw_body):
            # Refused unparsed: the parser recurses once per level.
            raise _invalid_body("JSON exceeds nesting limit")
        try:
            body = json.loads(raw_body)
        except (ValueError, UnicodeDecodeError):
            raise _invalid_body("Invalid JSON.") from None
        if not isinstance(body, dict):
            raise _invalid_body(f"Unexpected {_json_kind(body)} value.")
        token = body.get("token")
        if token is None:
            raise _invalid_body("Value for key token not found.")
        period = "." if feed else ""
        if "start_ts" in body and "cursor" in body:
            raise _invalid_body(f"can not provide both `start_ts` and `cursor`{period}")
        start_ts = body.get("start_ts")
        if start_ts is not None and (type(start_ts) is not int):
            raise _invalid_body(f"Unexpected {_json_kind(start_ts)} value '{start_ts}'.")
        if start_ts is not None and not INT64_MIN <= start_ts <= INT64_MAX:
            # FaunaDB reads it as a Long; storage holds nothing wider either.
            raise _invalid_body(
                f"Numeric value ({start_ts}) out of range of long ({INT64_MIN} - {INT64_MAX})"
            )
        cursor_text = body.get("cursor")
        cursor = None
        if cursor_text is not None:
            try:
                if not isinstance(cursor_text, str):
                    raise InvalidCursor(str(cursor_text))
                cursor = decode_cursor(cursor_text)
            except InvalidCursor:
                raise _invalid_body(f"invalid event cursor provided{period}") from None
        page_size = self._page_size(body) if feed else DEFAULT_PAGE_SIZE
        storage = self.engine.model.storage
        with storage.transaction() as txn:
            database = txn.find_database(principal.database)
            key = signing_key(txn, create=False)
        if database is None:
            raise _unauthorized()
        try:
            if not isinstance(token, str):
                raise InvalidToken("not a string")
            spec = decode_token(token, key)
        except InvalidToken:
            raise _invalid_body(f"invalid event source provided{period}") from None
        what = "event source" if feed else "stream"
        if spec.scope != database.scope:
            raise _Rejected(
                protocol_error(
                    "invalid_request",
                    f"Error evaluating provided {what}, "
                    "the event source belongs to another database.",
                )
            )
        reader = EventReader(storage, spec, principal, still_authorized)
        try:
            reader.check()
        except SourceUnavailable as error:
            raise _Rejected(
                protocol_error(
                    "invalid_request", f"Error evaluating provided {what}, {error.message}"
                )
            ) from None
        return EventRequest(reader, self._start(spec, start_ts, cursor, feed), page_size)

    @staticmethod
    def _page_size(body: dict[str, Any]) -> int:
        size = body.get("page_size", DEFAULT_PAGE_SIZE)
        if type(size) is not int:
            raise _invalid_body(f"Unexpected {_json_kind(size)} value '{size}'.")
        if size < 1:
            raise _invalid_body("page size must be greater than zero.")
        if size > MAX_PAGE_SIZE:
            raise _invalid_body(f"page size can not be greater than {MAX_PAGE_SIZE}.")
        return size

    @staticmethod
    def _start(
        spec: EventSourceSpec, start_ts: int | None, cursor: EventCursor | None, feed: bool
    ) -> EventCursor:
        if cursor is not None:
            return cursor
        if start_ts is None:
            return EventCursor.after_ts(spec.created_ts)
        if start_ts < spec.created_ts and not feed:
            raise _Rejected(
                protocol_error(
                    "invalid_request",
                    "Invalid stream start time: "
                    "Stream start time can not be before the stream create time.",
                )
            )
        return EventCursor.after_ts(start_ts)

    async def _accept(
        self, headers: dict[str, str], receive: Receive, *, feed: bool
    ) -> EventRequest:
        try:
            raw_body = await read_body(headers, receive)
        except BodyTooLarge:
            raise _Rejected(
                protocol_error("request_size_exceeded", "Request entity is too large")
            ) from None
        request: EventRequest = await anyio.to_thread.run_sync(
            lambda: self._parse(headers, raw_body, feed=feed)
        )
        return request

    # -- /feed/1 ----------------------------------------------------------------------------

    async def feed(self, headers: dict[str, str], receive: Receive) -> QueryResult:
        """One page of events. A deadline FaunaDB could never meet is refused once the
        request is accepted, as ``/query/1`` refuses it (``faunalite.engine.timed_out``)."""
        received_at = time.monotonic()
        try:
            options = read_query_headers(
                {name: headers[name] for name in FEED_HEADERS if name in headers}
            )
        except InvalidHeader as error:
            return protocol_error("invalid_request", f"Invalid headers: {error.message}")
        try:
            request = await self._accept(headers, receive, feed=True)
            if deadline_unmeetable(options.timeout_ms):
                return timed_out(received_at, options.timeout_ms)
            result: ReadResult = await anyio.to_thread.run_sync(
                lambda: request.reader.read(request.start, max_events=request.page_size)
            )
        except _Rejected as rejected:
            return rejected.result
        except SourceUnavailable as error:
            return protocol_error(
                "invalid_request", f"Error evaluating provided event source, {error.message}"
            )
        body = {
            "events": result.events,
            "cursor": encode_cursor(result.position),
            "has_next": result.more,
            "stats": result.stats.to_json(),
        }
        return QueryResult(200, body)

    # -- /stream/1 --------------------------------------------------------------------------

    async def stream(
        self,
        headers: dict[str, str],
        receive: Receive,
        send: Send,
        reply: Callable[[QueryResult], Awaitable[None]],
        response_headers: list[tuple[bytes, bytes]],
    ) -> None:
        """Serve one stream until it ends (see the module docstring). ``reply`` sends a
        refusal; ``response_headers`` go with the 200."""
        try:
            request = await self._accept(headers, receive, feed=False)
        except _Rejected as rejected:
            await reply(rejected.result)
            return
        storage = self.engine.model.storage
        loop = asyncio.get_running_loop()
        commits: Wakeups = asyncio.Queue()
        watched = (request.reader.spec.scope, request.reader.spec.root.collection)

        def on_commit(info: CommitInfo) -> None:
            # Runs on the committing thread: only commits touching the source wake the
            # stream, or ones that may have taken its rights away (then the stream ends with
            # ``permission_loss``).
            if watched in info.collections or any(
                collection in _AUTHORITY_COLLECTIONS for _, collection in info.collections
            ):
                loop.call_soon_threadsafe(commits.put_nowait, info)

        unsubscribe = storage.subscribe(on_commit)
        stream_id = self.streams.add(commits)
        watcher = loop.create_task(_watch_disconnect(receive, commits))
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [*response_headers, (b"x-fauna-stream-id", str(stream_id).encode())],
                }
            )
            subscription = _Subscription(
                request, commits, send, self.heartbeat_seconds, self.replay_limit
            )
            try:
                await subscription.run()
            except Exception as error:
                # The response has started: a bug can only be reported as an error event.
                log_unexpected(error, "in a stream")
                message = f"{type(error).__name__}: {error} (a faunalite bug)"
                await subscription.write([error_event("internal_error", message)])
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            unsubscribe()
            self.streams.remove(stream_id)
            watcher.cancel()


async def _watch_disconnect(receive: Receive, commits: Wakeups) -> None:
    """Wake the stream with ``None`` when the client goes away."""
    while (await receive())["type"] != "http.disconnect":
        pass
    commits.put_nowait(None)


def _lines(events: list[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + EVENT_SEPARATOR
        for event in events
    )


class _Subscription:
    """The life of one stream after its response started."""

    def __init__(
        self,
        request: EventRequest,
        commits: Wakeups,
        send: Send,
        heartbeat_seconds: float,
        replay_limit: int,
    ) -> None:
        self.reader = request.reader
        self.position = request.start
        self.commits = commits
        self.send = send
        self.heartbeat_seconds = heartbeat_seconds
        self.replay_limit = replay_limit

    async def write(self, events: list[dict[str, Any]]) -> None:
        await self.send({"type": "http.response.body", "body": _lines(events), "more_body": True})

    async def _read(self, max_events: int) -> ReadResult | None:
        """The next events, or ``None`` after writing the error event that ends the stream."""
        position = self.position
        try:
            result: ReadResult = await anyio.to_thread.run_sync(
                lambda: self.reader.read(position, max_events=max_events)
            )
        except SourceUnavailable as error:
            await self.write([error_event(error.code, error.message)])
            return None
        self.position = result.position
        return result

    async def run(self) -> None:
        start = self.position
        await self.write([status_event(start.txn_ts, start)])
        if not await self._replay():
            return
        while True:
            try:
                info = await asyncio.wait_for(self.commits.get(), self.heartbeat_seconds)
            except asyncio.TimeoutError:
                # Reading checks the source still works, and moves the cursor to now.
                if not await self._catch_up():
                    return
                await self.write([status_event(self.position.txn_ts, self.position)])
                continue
            # Several commits may have queued up: one read covers them all.
            while info is not None and not self.commits.empty():
                info = self.commits.get_nowait()
            if info is None:
                return  # the client left or the server closes its streams
            if not await self._catch_up():
                return

    async def _replay(self) -> bool:
        """Events from the start cursor up to now; ``False`` if the stream ended."""
        limit = self.replay_limit
        result = await self._read(limit + 1)
        if result is None:
            return False
        events = result.events
        if len(events) > limit:
            await self.write(
                [
                    *events[:limit],
                    error_event(
                        "stream_replay_volume_exceeded",
                        f"Stream would replay more than {limit} events. "
                        "Start it at a later time, or read past events with an event feed.",
                    ),
                ]
            )
            return False
        if events:
            await self.write(events)
        if result.failed:
            return False
        return not result.more or await self._catch_up()

    async def _catch_up(self) -> bool:
        """Everything committed since the last read; ``False`` if the stream ended."""
        while True:
            result = await self._read(LIVE_BATCH)
            if result is None:
                return False
            if result.events:
                await self.write(result.events)
            if result.failed:
                return False
            if not result.more:
                return True


class StreamHub:
    """The open streams of a server, so that they can all be ended at once."""

    def __init__(self) -> None:
        self._streams: dict[int, tuple[asyncio.AbstractEventLoop, Wakeups]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, queue: Wakeups) -> int:
        with self._lock:
            stream_id = next(self._ids)
            self._streams[stream_id] = (asyncio.get_running_loop(), queue)
        return stream_id

    def remove(self, stream_id: int) -> None:
        with self._lock:
            self._streams.pop(stream_id, None)

    def __len__(self) -> int:
        return len(self._streams)

    def close_all(self) -> None:
        """End every open stream (its body ends without an error event). Any thread."""
        with self._lock:
            streams = list(self._streams.values())
        for loop, queue in streams:
            loop.call_soon_threadsafe(queue.put_nowait, None)
