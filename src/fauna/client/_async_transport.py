"""A lean HTTP/1.1 connection pool on asyncio streams: the ``AsyncClient``'s default transport.

Why not httpx's own: its async pool (httpcore) matches every queued request
against every connection each time one finishes, so at a few hundred
concurrent queries the pool itself eats the CPU (measured: under 100
queries/s at 200-way concurrency on a 20 ms round trip); and each request
pays for anyio's cancel scopes. A client that talks to one FaunaDB endpoint
needs much less: keep-alive connections per origin, a bound on how many are
open, per-phase timeouts, and responses framed by Content-Length, chunked
encoding or connection close.

Cancellation and timeouts: a connection goes back to the pool only after
its response was read to the end; anything else (a cancelled task, a timeout,
a half-read body) closes it. Timeouts are timers that close the connection
and turn the failed read or write into ``httpx.ReadTimeout``/``WriteTimeout``,
so the common path creates no extra task.

Not here: HTTP/2, proxies, ``Expect: 100-continue``, request bodies that
are not in memory. A user who needs them passes their own
``httpx.AsyncClient`` as ``http_client``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

_Origin = tuple[bytes, str, int]
_MAX_HEAD_BYTES = 64 * 1024
_READ_SIZE = 64 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})


class _Connection:
    """One TCP (or TLS) connection and when it last became idle."""

    __slots__ = ("idle_since", "reader", "timed_out", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0
        self.timed_out = False

    def reusable(self, now: float, expiry: float | None) -> bool:
        if self.writer.is_closing() or self.reader.at_eof():
            return False
        return expiry is None or now - self.idle_since < expiry

    def close(self) -> None:
        # No wait_closed(): this also runs in cancelled tasks, which must not await.
        self.writer.close()

    def arm(self, seconds: float | None) -> asyncio.TimerHandle | None:
        """Close the connection in ``seconds`` unless the returned timer is cancelled."""
        if seconds is None:
            return None
        return asyncio.get_running_loop().call_later(seconds, self._expire)

    def _expire(self) -> None:
        self.timed_out = True
        self.writer.transport.abort()


def _header_value(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class AsyncHTTP11Transport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 for ``httpx.AsyncClient``, bounded by ``limits``."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        unbounded = 1_000_000
        self._max_idle = limits.max_keepalive_connections or unbounded
        self._keepalive_expiry = limits.keepalive_expiry
        self._slots = asyncio.Semaphore(limits.max_connections or unbounded)
        self.max_connections = limits.max_connections
        self._ssl_context = ssl_context
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._closed = False

    @property
    def idle_connections(self) -> int:
        return sum(len(connections) for connections in self._idle.values())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the connection pool is closed")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        await self._take_slot(timeouts.get("pool"))
        url = request.url
        origin: _Origin = (
            url.raw_scheme,
            url.host,
            url.port or (443 if url.scheme == "https" else 80),
        )
        connection: _Connection | None = None
        try:
            connection = self._idle_connection(origin) or await self._connect(
                origin, timeouts.get("connect")
            )
            await self._write_request(connection, request, timeouts.get("write"))
            status, headers = await self._read_head(connection, timeouts.get("read"))
        except BaseException:
            if connection is not None:
                connection.close()
            self._slots.release()
            raise
        stream = _ResponseBody(self, origin, connection, request.method, status, headers, timeouts)
        return httpx.Response(
            status, headers=headers, stream=stream, extensions={"http_version": b"HTTP/1.1"}
        )

    async def _take_slot(self, timeout: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except asyncio.TimeoutError:
            raise httpx.PoolTimeout("no connection became free in time") from None

    def _idle_connection(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now, self._keepalive_expiry):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: _Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        context: ssl.SSLContext | None = None
        if scheme == b"https":
            if self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
            context = self._ssl_context
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context else None,
                    limit=_MAX_HEAD_BYTES,
                ),
                timeout,
            )
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as error:
            raise httpx.ConnectError(str(error)) from error
        return _Connection(reader, writer)

    async def _write_request(
        self, connection: _Connection, request: httpx.Request, timeout: float | None
    ) -> None:
        body = await request.aread()
        head = [b"%s %s HTTP/1.1\r\n" % (request.method.encode(), request.url.raw_path)]
        head.extend(b"%s: %s\r\n" % (name, value) for name, value in request.headers.raw)
        head.append(b"\r\n")
        head.append(body)
        timer = connection.arm(timeout)
        try:
            connection.writer.write(b"".join(head))
            await connection.writer.drain()
        except OSError as error:
            if connection.timed_out:
                raise httpx.WriteTimeout("writing the request timed out") from error
            raise httpx.WriteError(str(error)) from error
        finally:
            if timer is not None:
                timer.cancel()

    async def _read_head(
        self, connection: _Connection, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        timer = connection.arm(timeout)
        try:
            head = await connection.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            if connection.timed_out:
                raise httpx.ReadTimeout("waiting for the response timed out") from error
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response."
            ) from error
        finally:
            if timer is not None:
                timer.cancel()
        status_line, *lines = head[:-4].split(b"\r\n")
        try:
            status = int(status_line.split(b" ", 2)[1])
            headers = [_split_header(line) for line in lines]
        except (IndexError, ValueError) as error:
            raise httpx.RemoteProtocolError(f"malformed response head {head[:200]!r}") from error
        return status, headers

    def _release(self, origin: _Origin, connection: _Connection | None) -> None:
        """Give back the slot, and ``connection`` (fully read, reusable) to the idle list."""
        self._slots.release()
        if connection is None:
            return
        idle = self._idle.setdefault(origin, [])
        if self._closed or len(idle) >= self._max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def _split_header(line: bytes) -> tuple[bytes, bytes]:
    name, value = line.split(b":", 1)
    return name.strip(), value.strip()


class _ResponseBody(httpx.AsyncByteStream):
    """The body of one response, read from its connection as httpx asks for it."""

    def __init__(
        self,
        pool: AsyncHTTP11Transport,
        origin: _Origin,
        connection: _Connection,
        method: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        timeouts: dict[str, Any],
    ) -> None:
        self._pool = pool
        self._origin = origin
        self._connection: _Connection | None = connection
        self._read_timeout: float | None = timeouts.get("read")
        self._complete = False
        connection_header = (_header_value(headers, b"connection") or b"").lower()
        self._keep_alive = connection_header != b"close"
        length = _header_value(headers, b"content-length")
        encoding = (_header_value(headers, b"transfer-encoding") or b"").lower()
        if method == "HEAD" or status in _NO_BODY_STATUSES or status < 200:
            self._framing, self._length = "none", 0
        elif b"chunked" in encoding:
            self._framing, self._length = "chunked", 0
        elif length is not None:
            self._framing, self._length = "length", int(length)
        else:
            # Only the end of the connection marks the end of this body.
            self._framing, self._length, self._keep_alive = "close", 0, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            raise httpx.StreamClosed()
        reader = connection.reader
        if self._framing == "length":
            remaining = self._length
            while remaining > 0:
                chunk = await self._read(connection, reader.read(min(remaining, _READ_SIZE)))
                if not chunk:
                    raise httpx.RemoteProtocolError("connection closed in the middle of a body")
                remaining -= len(chunk)
                yield chunk
        elif self._framing == "chunked":
            while True:
                size_line = await self._read(connection, reader.readline())
                try:
                    size = int(size_line.split(b";", 1)[0], 16)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad chunk size {size_line!r}") from None
                if size == 0:
                    while (await self._read(connection, reader.readline())) not in (b"\r\n", b""):
                        pass
                    break
                chunk = await self._read(connection, reader.readexactly(size + 2))
                yield chunk[:-2]
        elif self._framing == "close":
            while chunk := await self._read(connection, reader.read(_READ_SIZE)):
                yield chunk
        self._complete = True

    async def _read(self, connection: _Connection, read: Any) -> bytes:
        timer = connection.arm(self._read_timeout)
        try:
            data: bytes = await read
            return data
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            if connection.timed_out:
                raise httpx.ReadTimeout("reading the response timed out") from error
            raise httpx.ReadError(f"reading the response failed: {error!r}") from error
        finally:
            if timer is not None:
                timer.cancel()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._complete and self._keep_alive:
            self._pool._release(self._origin, connection)
        else:
            connection.close()
            self._pool._release(self._origin, None)
