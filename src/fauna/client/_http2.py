"""HTTP/2 for ``Client(http2=True)`` and ``AsyncClient(http2=True)``: httpx's pools, made GOAWAY-safe.

The HTTP/2 itself is httpx's (httpcore over ``h2``). What this module adds is
the one decision httpcore leaves to its caller: after a failure, may the
request go out again? Only when HTTP/2 proves FaunaDB never started on it:

* ``GOAWAY`` whose last stream id is below the request's stream (RFC 9113
  §6.8: such streams were not processed). httpcore moves some of those
  requests to a new connection itself, but raises for others (a last stream
  id of 0, or a request whose headers h2 would no longer send once it had
  read the GOAWAY); the request's stream id comes from httpcore's ``trace``
  extension (``SendProgress``).
* ``RST_STREAM`` with ``REFUSED_STREAM`` (RFC 9113 §8.7).
* A HEADERS frame that never went out whole: the body follows the headers,
  so the server cannot hold the request.

Anything else (a reset with another code, a ``GOAWAY`` that covers the
request's stream, a connection dropped mid-response) leaves the query's fate
unknown: it may have run, so it is never re-sent (unless the retry policy's
``retry_on`` says so) and the caller gets a ``NetworkError``. A query in flight
when a graceful ``GOAWAY`` covering its stream arrives is not lost: the
connections hold such a ``GOAWAY`` back from h2 until the streams it covers
have their answers (``_h2_goaway``; h2 alone gives up the whole connection on
a ``GOAWAY``, the reason the original driver turned HTTP/2 off). A connection
that received ``GOAWAY`` is never used again
(httpcore closes it once its streams end); an idle one is closed after
``http_idle_timeout``, and one the server hung up on while it sat idle is
replaced before a request goes out on it (``IdlePeers``).

Cleartext endpoints (``http://``) speak HTTP/2 with prior knowledge, since
httpx would otherwise stay on HTTP/1.1 for them (see ``ClientConfig.pool_options``).

Event streams keep to HTTP/1.1 connections of their own (the clients'
``_open_stream``/``_open``): on a shared HTTP/2 connection, closing a stream
from another thread or task cannot wake the read waiting on it.

Not here: HTTP/2 when the environment names proxies (the pool is then built
by httpx itself, as for HTTP/1.1), and re-sending for any other reason,
which is the retry policy's business.
"""

from __future__ import annotations

import os
import select
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol

import httpx

from fauna.client._debug import logger
from fauna.client._h2_goaway import AsyncHoldingTransport, HoldingTransport

MAX_SENDS = 3
"""Sends of one request at most, when every earlier one was refused unprocessed."""

_REFUSED_STREAM = 0x7
_GOAWAY = 0x7
_FRAME_HEAD = 9
_PEEK_BYTES = 16 * 1024


class SendProgress:
    """How far one send of a request got, from httpcore's ``trace`` extension (public API).

    ``stream_id``: the HTTP/2 stream it was given; ``headers_sent``: its
    HEADERS frame was written out whole.
    """

    __slots__ = ("headers_sent", "headers_started", "stream_id")

    def __init__(self) -> None:
        self.stream_id: int | None = None
        self.headers_started = False
        self.headers_sent = False

    def note(self, name: str, info: dict[str, Any]) -> None:
        if name == "http2.send_request_headers.started":
            self.headers_started = True
            stream_id = info.get("stream_id")
            self.stream_id = stream_id if isinstance(stream_id, int) else None
        elif name == "http2.send_request_headers.complete":
            self.headers_sent = True

    def trace(self, name: str, info: dict[str, Any]) -> None:
        self.note(name, info)

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        self.note(name, info)


def unprocessed(error: BaseException, progress: SendProgress | None = None) -> bool:
    """Whether HTTP/2 proves the server never processed the request that failed with ``error``.

    Proof is: ``REFUSED_STREAM``; a ``GOAWAY`` whose last stream id is below
    the request's stream (0: nothing was processed); or, once the request
    was on an HTTP/2 connection, a HEADERS frame that never went out whole
    (a request body follows its headers, so the server cannot hold the
    whole request).
    """
    if progress is not None and progress.headers_started and not progress.headers_sent:
        return True
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for arg in cause.args:
            if _is_refusal(arg, progress):
                return True
        cause = cause.__cause__ or cause.__context__
    return False


def _is_refusal(event: object, progress: SendProgress | None) -> bool:
    # h2's event objects, matched by name and fields so that h2 need not be importable here.
    kind = type(event).__name__
    if kind == "ConnectionTerminated":
        last = getattr(event, "last_stream_id", None)
        if not isinstance(last, int):
            return False
        stream_id = progress.stream_id if progress is not None else None
        return last == 0 or (stream_id is not None and stream_id > last)
    if kind == "StreamReset":
        return int(getattr(event, "error_code", -1)) == _REFUSED_STREAM
    return False


def require_h2() -> None:
    try:
        import h2  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "HTTP/2 needs the 'h2' package: install the driver's 'http2' extra "
            "(pip install 'fauna[http2]')."
        ) from error


def _note_resend(request: httpx.Request, error: BaseException, send: int) -> None:
    logger.debug(
        "fauna: %s %s was refused unprocessed over HTTP/2 (%s); sending it again (%d of %d)",
        request.method,
        request.url,
        error,
        send + 1,
        MAX_SENDS,
    )


class IdlePeers:
    """The sockets of a pool's HTTP/2 connections, and whether its server hung up on any idle one.

    httpcore notices a ``GOAWAY`` (or the end of the connection) only when a
    request reads from the connection, so a connection that sat idle while
    the server closed it (Hypercorn does after five idle seconds) would take
    the next request and fail it with a ``WriteError`` whose fate looks
    unknown. So before a request, when no request of this pool is in flight
    (every connection idle: nothing a replacement could cut off), the
    sockets are looked at: one with the end of the stream, a ``GOAWAY`` (or,
    under TLS, anything at all) waiting unread means the pool is replaced
    with a fresh one. While requests are in flight, httpcore's own handling
    applies. Thread-safe: the sync client's pool is shared between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[int, tuple[_Socket, bool]] = {}
        self.in_flight = 0

    def begin(self, replace: Callable[[], object]) -> None:
        """Count a request in, first calling ``replace()`` if the server hung up on the pool."""
        with self._lock:
            if self.in_flight == 0 and self._any_hung_up():
                self._sockets.clear()
                replace()
            self.in_flight += 1

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def saw(self, response: httpx.Response) -> None:
        """Note the connection ``response`` came over."""
        network_stream = response.extensions.get("network_stream")
        if network_stream is None:
            return
        sock = network_stream.get_extra_info("socket")
        # A socket.socket (sync) or asyncio's TransportSocket around one (async).
        if callable(getattr(sock, "fileno", None)):
            tls = network_stream.get_extra_info("ssl_object") is not None
            with self._lock:
                self._sockets[id(sock)] = (sock, tls)

    def _any_hung_up(self) -> bool:
        return any(hung_up(sock, tls) for sock, tls in self._sockets.values())


class _Socket(Protocol):
    def fileno(self) -> int: ...


def hung_up(sock: _Socket, tls: bool) -> bool:
    """Whether an idle HTTP/2 connection's server is done with it, judging by its unread bytes.

    A socket already closed counts too: asyncio closes its end as soon as it
    reads the server's, before httpcore learns of it (and when httpcore
    closed it, replacing an all-idle pool costs one reconnect).
    """
    fd = sock.fileno()
    if fd < 0:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], 0)
        if not readable:
            return False
        # A duplicate descriptor: asyncio's TransportSocket does not lend its recv().
        with socket.socket(fileno=os.dup(fd)) as peek:
            pending = peek.recv(_PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except (OSError, ValueError):
        return True
    # Under TLS the bytes are records, not frames: anything unread on an idle connection
    # (most likely close_notify or a GOAWAY) counts; a needless reconnect is the worst case.
    if not pending or tls:
        return True
    return has_goaway(pending)


def has_goaway(data: bytes) -> bool:
    """Whether the HTTP/2 frames in ``data`` (from a frame boundary) include a ``GOAWAY``."""
    offset = 0
    while offset + _FRAME_HEAD <= len(data):
        length = int.from_bytes(data[offset : offset + 3], "big")
        if data[offset + 3] == _GOAWAY:
            return True
        offset += _FRAME_HEAD + length
    return False


class _Counted(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that tells ``IdlePeers`` when its request is over."""

    def __init__(self, inner: Any, peers: IdlePeers) -> None:
        self._inner = inner
        self._peers: IdlePeers | None = peers

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    def _done(self) -> None:
        peers, self._peers = self._peers, None
        if peers is not None:
            peers.end()

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._done()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._done()


class HTTP2Transport(httpx.BaseTransport):
    """An HTTP/2 transport (``HoldingTransport``) that re-sends only refused-unprocessed requests."""

    def __init__(self, options: dict[str, Any]) -> None:
        require_h2()
        self._options = options
        self.inner = self._new_inner()
        self._peers = IdlePeers()

    def _new_inner(self) -> HoldingTransport:
        return HoldingTransport(self._options)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._peers.begin(self._replace_pool)
        try:
            response = self._send(self.inner, request)
        except BaseException:
            self._peers.end()
            raise
        self._peers.saw(response)
        response.stream = _Counted(response.stream, self._peers)
        return response

    def _replace_pool(self) -> None:
        stale, self.inner = self.inner, self._new_inner()
        stale.close()

    @staticmethod
    def _send(inner: HoldingTransport, request: httpx.Request) -> httpx.Response:
        send = 1
        extensions = request.extensions
        while True:
            progress = SendProgress()
            request.extensions = {**extensions, "trace": progress.trace}
            try:
                return inner.handle_request(request)
            except httpx.TransportError as error:
                if send >= MAX_SENDS or not unprocessed(error, progress):
                    raise
                _note_resend(request, error, send)
                send += 1

    def close(self) -> None:
        self.inner.close()


class AsyncHTTP2Transport(httpx.AsyncBaseTransport):
    """The asyncio twin of ``HTTP2Transport``."""

    def __init__(self, options: dict[str, Any]) -> None:
        require_h2()
        self._options = options
        self.inner = self._new_inner()
        self._peers = IdlePeers()

    def _new_inner(self) -> AsyncHoldingTransport:
        return AsyncHoldingTransport(self._options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        stale: list[AsyncHoldingTransport] = []
        self._peers.begin(lambda: stale.append(self._swap_pool()))
        for transport in stale:
            await transport.aclose()
        try:
            response = await self._send(self.inner, request)
        except BaseException:
            self._peers.end()
            raise
        self._peers.saw(response)
        response.stream = _Counted(response.stream, self._peers)
        return response

    def _swap_pool(self) -> AsyncHoldingTransport:
        stale, self.inner = self.inner, self._new_inner()
        return stale

    @staticmethod
    async def _send(inner: AsyncHoldingTransport, request: httpx.Request) -> httpx.Response:
        send = 1
        extensions = request.extensions
        while True:
            progress = SendProgress()
            request.extensions = {**extensions, "trace": progress.atrace}
            try:
                return await inner.handle_async_request(request)
            except httpx.TransportError as error:
                if send >= MAX_SENDS or not unprocessed(error, progress):
                    raise
                _note_resend(request, error, send)
                send += 1

    async def aclose(self) -> None:
        await self.inner.aclose()
