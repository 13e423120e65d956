"""A lean HTTP/1.1 connection pool on asyncio streams: the ``AsyncClient``'s default transport.

Why not httpx's own: its async pool (httpcore) matches every queued request
against every connection each time one finishes, so at a few hundred
concurrent queries the pool itself eats the CPU (measured: under 100
queries/s at 200-way concurrency on a 20 ms round trip); and each request
pays for anyio's cancel scopes. A client that talks to one FaunaDB endpoint
needs much less: keep-alive connections per origin, a bound on how many are
open, and per-phase timeouts. HTTP/1.1 itself (writing requests, parsing
responses, body framing, whether a connection can be reused) is ``h11``'s,
the same state machine httpcore uses; this module only moves bytes.

Cancellation and timeouts: a connection goes back to the pool only after
its response was read to the end; anything else (a cancelled task, a timeout,
a half-read body) closes it. Timeouts are timers that close the connection
and turn the failed read or write into ``httpx.ReadTimeout``/``WriteTimeout``,
so the common path creates no extra task.

Not here: HTTP/2, proxies, ``Expect: 100-continue``, request bodies that
are not in memory. When the environment names proxies the ``AsyncClient``
uses httpx's own pool instead, which applies them; a user who needs the rest
passes their own ``httpx.AsyncClient`` as ``http_client``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx

_Origin = tuple[bytes, str, int]
_MAX_HEAD_BYTES = 64 * 1024
_READ_SIZE = 64 * 1024


class _Connection:
    """One TCP (or TLS) connection, its HTTP/1.1 state, and when it last became idle."""

    __slots__ = ("h11", "idle_since", "reader", "timed_out", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD_BYTES)
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

    async def receive(self, timeout: float | None) -> bool:
        """Feed h11 the next bytes from the socket; False if the socket had ended.

        A timer that runs out aborts the transport, which ends the stream (or fails the
        read with ``OSError``); the caller tells that from a peer's doing by ``timed_out``.
        """
        timer = self.arm(timeout)
        try:
            data = await self.reader.read(_READ_SIZE)
        finally:
            if timer is not None:
                timer.cancel()
        self.h11.receive_data(data)
        return bool(data)

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        """h11's next event (or ``NEED_DATA``); its protocol errors as httpx's."""
        try:
            return self.h11.next_event()
        except h11.RemoteProtocolError as error:
            raise httpx.RemoteProtocolError(str(error)) from error

    def reuse(self) -> bool:
        """Whether the exchange ended cleanly and the connection may carry another one."""
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            return True
        return False


class AsyncHTTP11Transport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 for ``httpx.AsyncClient``, bounded by ``limits``."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        unbounded = 1_000_000
        self._max_idle = limits.max_keepalive_connections or unbounded
        self._keepalive_expiry = limits.keepalive_expiry
        self._slots = asyncio.Semaphore(limits.max_connections or unbounded)
        self.max_connections = limits.max_connections
        self.in_use = 0
        """Connections carrying a request now (from its send until its body is closed)."""
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
            self.in_use += 1
            await self._write_request(connection, request, timeouts.get("write"))
            response = await self._read_head(connection, timeouts.get("read"))
        except BaseException:
            if connection is not None:
                connection.close()
                self.in_use -= 1
            self._slots.release()
            raise
        stream = _ResponseBody(self, origin, connection, timeouts)
        return httpx.Response(
            response.status_code,
            headers=response.headers.raw_items(),
            stream=stream,
            extensions={"http_version": b"HTTP/1.1"},
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
        state = connection.h11
        try:
            head = state.send(
                h11.Request(
                    method=request.method,
                    target=request.url.raw_path,
                    headers=request.headers.raw,
                )
            )
            data = state.send(h11.Data(data=body)) if body else b""
            end = state.send(h11.EndOfMessage())
        except h11.LocalProtocolError as error:
            raise httpx.LocalProtocolError(str(error)) from error
        timer = connection.arm(timeout)
        try:
            connection.writer.write(b"".join((head or b"", data or b"", end or b"")))
            await connection.writer.drain()
        except OSError as error:
            if connection.timed_out:
                raise httpx.WriteTimeout("writing the request timed out") from error
            raise httpx.WriteError(str(error)) from error
        finally:
            if timer is not None:
                timer.cancel()

    async def _read_head(self, connection: _Connection, timeout: float | None) -> h11.Response:
        """The final response's head (informational 1xx responses are skipped)."""
        timer = connection.arm(timeout)
        try:
            while True:
                event = connection.next_event()
                if isinstance(event, h11.Response):
                    return event
                if event is h11.NEED_DATA:
                    if not await connection.receive(None):
                        raise OSError("the connection was closed")
                elif not isinstance(event, h11.InformationalResponse):
                    raise httpx.RemoteProtocolError(f"unexpected {event!r} before a response")
        except OSError as error:
            if connection.timed_out:
                raise httpx.ReadTimeout("waiting for the response timed out") from error
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response."
            ) from error
        finally:
            if timer is not None:
                timer.cancel()

    def _release(self, origin: _Origin, connection: _Connection | None) -> None:
        """Give back the slot, and ``connection`` (fully read, reusable) to the idle list."""
        self._slots.release()
        self.in_use -= 1
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


class _ResponseBody(httpx.AsyncByteStream):
    """The body of one response, read from its connection as httpx asks for it."""

    def __init__(
        self,
        pool: AsyncHTTP11Transport,
        origin: _Origin,
        connection: _Connection,
        timeouts: dict[str, Any],
    ) -> None:
        self._pool = pool
        self._origin = origin
        self._connection: _Connection | None = connection
        self._read_timeout: float | None = timeouts.get("read")
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            raise httpx.StreamClosed()
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
            elif event is h11.NEED_DATA:
                # At the end of the stream h11 ends a close-framed body, or raises.
                try:
                    ended = not await connection.receive(self._read_timeout)
                except OSError as error:
                    if connection.timed_out:
                        raise httpx.ReadTimeout("reading the response timed out") from error
                    raise httpx.ReadError(f"reading the response failed: {error!r}") from error
                if ended and connection.timed_out:
                    raise httpx.ReadTimeout("reading the response timed out")
            else:
                raise httpx.RemoteProtocolError(f"unexpected {event!r} in a response body")
        self._complete = True

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._complete and connection.reuse():
            self._pool._release(self._origin, connection)
        else:
            connection.close()
            self._pool._release(self._origin, None)
