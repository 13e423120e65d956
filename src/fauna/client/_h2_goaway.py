"""Graceful HTTP/2 ``GOAWAY``: the streams the server said it will finish are left to finish.

RFC 9113 §6.8: a ``GOAWAY`` with ``NO_ERROR`` and last stream id N says the
server takes no new stream, yet may still complete those up to N (a server
going away gracefully does, and answers them). h2, under httpcore, ends the
connection when it reads a ``GOAWAY``: every frame after it is a protocol
error to h2, and httpcore fails every stream still waiting with
``RemoteProtocolError``. The query's answer, already on its way, was lost.

So between the socket and httpcore sits a frame filter, ``GoawayHold`` (no
I/O: bytes in, bytes out). On an HTTP/2 connection (one whose first bytes out
are the HTTP/2 preface) it follows which of the client's streams still wait
for their response, and holds back a graceful ``GOAWAY`` while any of them at
or below its last stream id does; h2 meanwhile takes their answers as on any
open connection. Once they have all ended, or the server hangs up, the
``GOAWAY`` goes on to h2 and httpcore's handling applies: a stream above the
last stream id was never processed, so httpcore moves it to a new connection
(or ``_http2.unprocessed`` proves it refused), and the connection is not
used again. A ``GOAWAY`` with an error code is handed on at once, as before.

A request that starts while a ``GOAWAY`` is held goes out on the connection
(h2 does not know it is going away yet) and, being above the last stream id,
is refused and re-sent once the held streams are done.

``HoldingBackend``/``AsyncHoldingBackend`` are httpcore network backends
(public httpcore API) whose streams apply the filter; ``HoldingTransport`` and
``AsyncHoldingTransport`` are httpx transports over httpcore pools built with
them, in place of ``httpx.HTTPTransport`` (which offers no way to pass a
backend). Not here: when a request may be sent again (``_http2``).
"""

from __future__ import annotations

import ssl
import typing
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

__all__ = [
    "AsyncHoldingBackend",
    "AsyncHoldingTransport",
    "GoawayHold",
    "HoldingBackend",
    "HoldingTransport",
]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_FRAME_HEAD = 9
_DATA, _HEADERS, _RST_STREAM, _GOAWAY, _CONTINUATION = 0x0, 0x1, 0x3, 0x7, 0x9
_END_STREAM, _END_HEADERS = 0x1, 0x4
_NO_ERROR = 0x0


def _frames(buffer: bytearray) -> Iterator[tuple[int, int, int, bytes]]:
    """Complete frames at the front of ``buffer`` (removed from it): type, flags, stream, bytes."""
    offset = 0
    while len(buffer) - offset >= _FRAME_HEAD:
        length = int.from_bytes(buffer[offset : offset + 3], "big")
        end = offset + _FRAME_HEAD + length
        if len(buffer) < end:
            break
        frame = bytes(buffer[offset:end])
        stream_id = int.from_bytes(frame[5:9], "big") & 0x7FFF_FFFF
        yield frame[3], frame[4], stream_id, frame
        offset = end
    del buffer[:offset]


class GoawayHold:
    """The frame filter of one connection: ``outgoing`` notes what the client sends,
    ``incoming`` returns what of the server's bytes h2 may see now, ``end_of_input`` what is
    left when the server hung up.

    Until the client's first bytes show HTTP/2 (the preface), bytes pass untouched; on an
    HTTP/1.1 connection they always do.
    """

    __slots__ = ("_held", "_held_last", "_in", "_mode", "_open", "_out", "_unfinished_headers")

    def __init__(self) -> None:
        self._mode: str | None = None  # "h2", "other", or None until the first bytes out
        self._in = bytearray()
        self._out = bytearray()
        self._open: set[int] = set()
        self._unfinished_headers: int | None = None
        self._held: bytes | None = None
        self._held_last = 0

    @property
    def holding(self) -> bool:
        """Whether a graceful ``GOAWAY`` is being held back."""
        return self._held is not None

    @property
    def waiting_streams(self) -> frozenset[int]:
        """The client's streams whose response has not ended."""
        return frozenset(self._open)

    def outgoing(self, data: bytes) -> None:
        if self._mode is None:
            self._mode = "h2" if data.startswith(PREFACE) else "other"
            if self._mode == "h2":
                data = data[len(PREFACE) :]
        if self._mode != "h2":
            return
        self._out += data
        for kind, _flags, stream_id, _frame in _frames(self._out):
            if kind == _HEADERS and stream_id:
                self._open.add(stream_id)
            elif kind == _RST_STREAM:
                self._open.discard(stream_id)

    def incoming(self, data: bytes) -> bytes:
        if self._mode != "h2":
            return data
        self._in += data
        passed = bytearray()
        for kind, flags, stream_id, frame in _frames(self._in):
            if kind == _GOAWAY and self._graceful(frame):
                # A later GOAWAY replaces an earlier one (its last stream id is no higher).
                self._held = frame
                self._held_last = int.from_bytes(frame[9:13], "big") & 0x7FFF_FFFF
                continue
            if kind == _GOAWAY:
                self._held = None
            else:
                self._note_incoming(kind, flags, stream_id)
            passed += frame
        if self._held is not None and not any(s <= self._held_last for s in self._open):
            passed += self._held
            self._held = None
        return bytes(passed)

    def end_of_input(self) -> bytes:
        """What h2 has yet to see once the server closed: a held ``GOAWAY``, a partial frame."""
        left = (self._held or b"") + bytes(self._in)
        self._held = None
        self._in.clear()
        return left

    @staticmethod
    def _graceful(frame: bytes) -> bool:
        return len(frame) >= _FRAME_HEAD + 8 and int.from_bytes(frame[13:17], "big") == _NO_ERROR

    def _note_incoming(self, kind: int, flags: int, stream_id: int) -> None:
        if kind == _RST_STREAM or (kind == _DATA and flags & _END_STREAM):
            self._open.discard(stream_id)
        elif kind == _HEADERS and flags & _END_STREAM:
            if flags & _END_HEADERS:
                self._open.discard(stream_id)
            else:
                # The header block goes on in CONTINUATION frames: the stream ends with them.
                self._unfinished_headers = stream_id
        elif (
            kind == _CONTINUATION and flags & _END_HEADERS and self._unfinished_headers == stream_id
        ):
            self._open.discard(stream_id)
            self._unfinished_headers = None


class _HoldingStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._hold = GoawayHold()

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            data = self._inner.read(max_bytes, timeout)
            if not data:
                return self._hold.end_of_input()
            passed = self._hold.incoming(data)
            if passed:
                return passed

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._hold.outgoing(buffer)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _HoldingStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncHoldingStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._hold = GoawayHold()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            data = await self._inner.read(max_bytes, timeout)
            if not data:
                return self._hold.end_of_input()
            passed = self._hold.incoming(data)
            if passed:
                return passed

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._hold.outgoing(buffer)
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncHoldingStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


SocketOptions = Iterable[Any] | None


class HoldingBackend(httpcore.NetworkBackend):
    """httpcore's own sync backend, its streams wrapped in ``GoawayHold``."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _HoldingStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.NetworkStream:
        return _HoldingStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncHoldingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend (asyncio or trio), its streams wrapped in ``GoawayHold``."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncHoldingStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _AsyncHoldingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's exceptions and the httpx ones a transport raises for them (as httpx's own do).
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}


def reraise_as_httpx(error: Exception) -> typing.NoReturn:
    """Raise the httpx exception for an httpcore one (the most specific), as httpx's own
    transports do; any other exception as it is."""
    for kind in type(error).__mro__:
        mapped = _HTTPX_ERRORS.get(kind)
        if mapped is not None:
            raise mapped(str(error)) from error
    raise error


def _core_request(request: httpx.Request) -> httpcore.Request:
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        ),
        headers=request.headers.raw,
        content=request.stream,  # type: ignore[arg-type]
        extensions=request.extensions,
    )


def _pool_options(options: dict[str, Any]) -> dict[str, Any]:
    limits: httpx.Limits = options["limits"]
    return {
        "ssl_context": httpx.create_ssl_context(trust_env=True),
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": options["http1"],
        "http2": True,
    }


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except Exception as error:
            reraise_as_httpx(error)

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except Exception as error:
            reraise_as_httpx(error)

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()


class HoldingTransport(httpx.BaseTransport):
    """An httpx transport over an HTTP/2-capable httpcore pool (``pool``) whose connections
    hold graceful ``GOAWAY`` frames (``options``: ``ClientConfig.pool_options``)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.pool = httpcore.ConnectionPool(
            network_backend=HoldingBackend(), **_pool_options(options)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self.pool.handle_request(_core_request(request))
        except Exception as error:
            reraise_as_httpx(error)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.pool.close()


class AsyncHoldingTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of ``HoldingTransport``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            network_backend=AsyncHoldingBackend(), **_pool_options(options)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.pool.handle_async_request(_core_request(request))
        except Exception as error:
            reraise_as_httpx(error)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_AsyncBody(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
