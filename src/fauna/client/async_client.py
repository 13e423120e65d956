"""The asyncio FaunaDB client: the same API as ``Client``, awaited.

Like the sync client this is only an I/O shell: it carries out the commands
of the protocol loops in ``fauna.client._exchanges`` with
``httpx.AsyncClient`` and ``asyncio.sleep``; requests, responses, retries
and cursors are the same code the sync client runs.

Cancellation: every response is closed in a ``finally`` block, so a query or
stream cancelled mid-request (``asyncio.wait_for``, ``TaskGroup``, Ctrl-C)
gives its connection back, discarded if half read, and the client stays
usable. Backoff waits are ``asyncio.sleep`` and cancel at once.

Pool: an ``AsyncClient`` creates (and on ``close()`` closes) its own
``httpx.AsyncClient`` over a lean keep-alive HTTP/1.1 transport
(``_async_transport``, which requests go straight to, see ``_pools``) with
room for ``max_connections`` (default 100) concurrent requests, unless
given one through ``http_client``, which it never closes, or a
``transport``. ``fauna.global_http_client`` (a sync
pool) is not used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

import httpx

from fauna.client._async_transport import AsyncHTTP11Transport
from fauna.client._client_base import (
    ClientBase,
    checked_feed_options,
    checked_stream_options,
    invalid_url,
    network_error,
)
from fauna.client._debug import log_request, log_response, log_stream_line, logger
from fauna.client._exchanges import (
    Command,
    Connect,
    Conversation,
    Deliver,
    Disconnect,
    ReadBody,
    ReadLine,
    Response,
    ResultT,
    RunQuery,
    Send,
    Sleep,
    feed_page_steps,
    pages_steps,
    stream_steps,
)
from fauna.client._feeds import FeedPage, FeedState
from fauna.client._http2 import AsyncHTTP2Transport
from fauna.client._options import (
    DefaultAsyncMaxConnections,
    FeedOptions,
    QueryOptions,
    StreamOptions,
)
from fauna.client._pool_stats import PoolStats, stats_of
from fauna.client._pools import AsyncPool, environment_names_proxies
from fauna.client._requests import PreparedRequest, require_query
from fauna.client._streams import StreamState
from fauna.client._typed import (
    event_target,
    page_target,
    result_target,
    typed_deliveries,
    typed_event,
    typed_feed_page,
    typed_success,
)
from fauna.encoding import QuerySuccess
from fauna.encoding._typed import IntoType
from fauna.query import EventSource, Page, Query

T = TypeVar("T")

__all__ = ["AsyncClient", "AsyncFeedIterator", "AsyncQueryIterator", "AsyncStreamIterator"]


class AsyncClient(ClientBase[httpx.AsyncClient, httpx.AsyncBaseTransport]):
    """A FaunaDB client for asyncio; one instance serves any number of concurrent tasks.

    Takes exactly the options of ``fauna.client.Client`` (endpoint, secret,
    ``FAUNA_*`` environment variables, timeouts, retries, ``max_connections``)
    except that ``http_client`` is an ``httpx.AsyncClient`` and ``transport``
    an ``httpx.AsyncBaseTransport``. Use it as ``async with AsyncClient() as
    client:`` or call ``await client.close()``.
    """

    def _setup_pool(
        self, http_client: httpx.AsyncClient | None, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        # Per-client so tests can record backoff delays instead of waiting them out.
        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        self._stream_pool: AsyncPool | None = None
        if http_client is None:
            options = self._config.pool_options(DefaultAsyncMaxConnections)
            if transport is None and not environment_names_proxies():
                # Our lean pool speaks to the endpoint directly (HTTP/2: httpx's, made
                # GOAWAY-safe); with proxies named in the environment, httpx builds its own
                # transports and applies them.
                limits = self._config.limits(DefaultAsyncMaxConnections)
                if self._config.http2:
                    transport = AsyncHTTP2Transport(options)
                    # Event streams keep to HTTP/1.1 (see _open).
                    http11 = {**options, "http1": True, "http2": False}
                    self._stream_pool = AsyncPool.owned(AsyncHTTP11Transport(limits), http11)
                else:
                    transport = AsyncHTTP11Transport(limits)
            self._pool = AsyncPool.owned(transport, options)
            self._owns_pool = True
        elif isinstance(http_client, httpx.AsyncClient):
            self._pool = AsyncPool(http_client)
        else:
            raise TypeError(
                f"'http_client' must be an httpx.AsyncClient but was a {type(http_client)}."
            )

    # -- queries --------------------------------------------------------------------------

    @overload
    async def query(self, fql: Query, opts: QueryOptions | None = None) -> QuerySuccess[Any]: ...
    @overload
    async def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: type[T]
    ) -> QuerySuccess[T]: ...
    @overload
    async def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: object
    ) -> QuerySuccess[Any]: ...

    async def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: object = None
    ) -> QuerySuccess[Any]:
        """Run ``fql`` and return its result, retrying while FaunaDB throttles it.

        ``into=T`` converts the result's ``data`` as ``Client.query`` does.
        """
        target = result_target(into)
        if target is None:
            return await self._query(fql, opts, "query")
        result = await self._query(fql, opts, "query", for_models=target.for_models)
        return typed_success(result, target)

    async def _query(
        self, fql: Query, opts: QueryOptions | None, operation: str, for_models: bool = False
    ) -> QuerySuccess[Any]:
        instruments = self._telemetry.current()
        if instruments is None:
            return await self._converse(self._query_conversation(fql, opts, for_models))
        with instruments.operation(operation, fql) as traced:
            result = await self._converse(self._query_conversation(fql, opts, for_models))
            traced.succeeded(result)
            return result

    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None
    ) -> AsyncQueryIterator[Any]: ...
    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: type[T]
    ) -> AsyncQueryIterator[T]: ...
    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: object
    ) -> AsyncQueryIterator[Any]: ...

    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: object = None
    ) -> AsyncQueryIterator[Any]:
        """Pages of the set ``fql`` returns (or that the Page ``fql`` starts): ``async for``.

        Nothing is sent until iteration starts; ``opts`` apply to every page. With
        ``into=T`` each page is a ``list[T]``.
        """
        return AsyncQueryIterator(self, fql, opts, into=into)

    def stream(
        self, fql: EventSource | Query, opts: StreamOptions | None = None, *, into: object = None
    ) -> AsyncStreamIterator:
        """Subscribe to an event source (or a query returning one)::

            async with client.stream(source) as stream:
                async for event in stream:
                    ...

        Options are checked now; a query runs on entering the ``async with``
        (or on the first ``async for`` step), the stream opens on the first step.
        With ``into=T`` each event's ``data`` is converted into ``T``.
        """
        opts = checked_stream_options(fql, opts)
        return AsyncStreamIterator(self, fql, opts, event_target(into))

    def feed(
        self, source: EventSource | Query, opts: FeedOptions | None = None, *, into: object = None
    ) -> AsyncFeedIterator:
        """Poll an event source (or a query returning one) page by page: ``async for``.

        Options are checked now; a query runs when the first page is asked for. With
        ``into=T`` each event's ``data`` is converted into ``T``.
        """
        opts = checked_feed_options(opts)
        return AsyncFeedIterator(self, source, opts, event_target(into))

    # -- lifecycle ------------------------------------------------------------------------

    def pool_stats(self) -> PoolStats | None:
        """Open, idle and in-use connections of the pool, as ``Client.pool_stats``."""
        return stats_of(self._pool)

    async def close(self) -> None:
        """Release the connection pool if this client created it; later calls fail."""
        self._closed = True
        if self._owns_pool:
            await self._pool.client.aclose()
            if self._stream_pool is not None:
                await self._stream_pool.client.aclose()

    aclose = close

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- I/O ------------------------------------------------------------------------------

    async def _converse(self, conversation: Conversation[ResultT]) -> ResultT:
        """Carry out a request/retry conversation (a query, a feed page) to its result."""
        while (command := conversation.next_command()) is not None:
            try:
                conversation.reply(await self._perform(command))
            except Exception as error:
                conversation.fail(error)
        return conversation.result

    async def _perform(self, command: Command) -> Any:
        """Carry out a ``Send`` or ``Sleep`` command; see ``_exchanges``."""
        if isinstance(command, Send):
            return await self._send(command.request)
        if isinstance(command, Sleep):
            await self._sleep(command.seconds)
            return None
        raise AssertionError(f"{command!r} is carried out by the iterator that asked for it")

    async def _send(self, request: PreparedRequest) -> Response:
        """Send ``request`` and read the whole response."""
        response = await self._open(request)
        try:
            body = await response.aread()
        except httpx.TransportError as error:
            raise network_error(error, request.url) from error
        finally:
            # Also on cancellation: a half-read connection must not go back to the pool.
            await response.aclose()
        log_response(request.url, response.status_code, response.headers, body)
        return response.status_code, response.headers, body

    async def _open(self, request: PreparedRequest, stream: bool = False) -> httpx.Response:
        """Send ``request`` and return the response once its headers have arrived.

        An event ``stream`` goes over HTTP/1.1 even when queries use HTTP/2: on a
        shared HTTP/2 connection, closing it from another task would leave that
        task's read waiting (httpcore drops the closed stream's frames) until the
        stream's six-minute read timeout.
        """
        self._check_open()
        if (instruments := self._telemetry.current()) is not None:
            request = instruments.inject(request)
        log_request(request.method, request.url, request.headers, request.content)
        try:
            pool = self._stream_pool if stream and self._stream_pool is not None else self._pool
            return await pool.open(request)
        except httpx.InvalidURL as error:
            raise invalid_url() from error
        except httpx.TransportError as error:
            raise network_error(error, request.url) from error


class AsyncQueryIterator(Generic[T]):
    """Pages (lists) of a set, for ``async for``; ``flatten()`` gives the items one by one."""

    def __init__(
        self,
        client: AsyncClient,
        fql: Query | Page,
        opts: QueryOptions | None = None,
        *,
        into: object = None,
    ) -> None:
        if not isinstance(client, AsyncClient):
            raise TypeError(f"'client' must be an AsyncClient but was a {type(client)}.")
        if not isinstance(fql, Page):
            require_query(fql)
        self.client = client
        self.fql = fql
        self.opts = opts
        self._target = page_target(into)
        # Pages into pydantic models are decoded for them (see ``IntoType.for_models``).
        self._for_models = self._target is not None and self._target.for_models

    def __aiter__(self) -> AsyncIterator[list[T]]:
        return self.iter()

    async def iter(self) -> AsyncIterator[list[T]]:
        """Yield each page as a list, fetching the next one when asked for it."""
        steps = pages_steps(self.fql)
        if self._target is not None:
            steps = typed_deliveries(steps, self._target.convert)
        conversation = Conversation(steps)
        while (command := conversation.next_command()) is not None:
            if isinstance(command, Deliver):
                yield command.item
            elif isinstance(command, RunQuery):
                page = await self.client._query(
                    command.fql, self.opts, "paginate", self._for_models
                )
                conversation.reply(page.data)

    async def flatten(self) -> AsyncIterator[T]:
        """Yield the items of every page."""
        async for page in self.iter():
            for item in page:
                yield item


class _AsyncStreamConnection:
    """One open ``/stream/1`` response, read line by line."""

    def __init__(self, response: httpx.Response, url: str) -> None:
        self._response = response
        self._url = url
        self._lines = response.aiter_lines()

    @property
    def status(self) -> int:
        return self._response.status_code

    async def read(self) -> bytes:
        try:
            return await self._response.aread()
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error

    async def next_line(self) -> str | None:
        try:
            line = await anext(self._lines, None)
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error
        if line is not None:
            log_stream_line(self._url, line)
        return line

    async def close(self) -> None:
        try:
            if isinstance(self._lines, AsyncGenerator):
                await self._lines.aclose()
        except RuntimeError:
            # Another task is inside the generator: closing the response below ends its read.
            pass
        finally:
            await self._response.aclose()


class AsyncStreamIterator:
    """Events of one stream, in order, for ``async with`` and ``async for``.

    The same events, reconnects (from the last cursor), ``start_ts``,
    ``cursor`` and ``status_events`` behaviour as ``StreamIterator``.
    ``await stream.close()`` (or ``aclose()``) may be called inside the loop
    or from another task; iteration then ends.
    """

    def __init__(
        self,
        client: AsyncClient,
        fql: EventSource | Query,
        opts: StreamOptions,
        into: IntoType[Any] | None = None,
    ) -> None:
        self._client = client
        self._fql = fql
        self._opts = opts
        self._into = into
        self._state: StreamState | None = None
        self._conversation: Conversation[None] | None = None
        self._connection: _AsyncStreamConnection | None = None
        self._closed_early = False
        instruments = client._telemetry.current()
        self._span = instruments.stream() if instruments is not None else None

    @property
    def last_ts(self) -> int | None:
        """Transaction time of the last event received."""
        return self._state.last_ts if self._state is not None else self._opts.start_ts

    @property
    def last_cursor(self) -> str | None:
        """Cursor of the last event received; store it to resume later."""
        return self._state.last_cursor if self._state is not None else self._opts.cursor

    async def _start(self) -> Conversation[None]:
        """Resolve a query source (once) and set up the stream's state."""
        if self._conversation is None:
            fql = self._fql
            source = (await self._client.query(fql)).data if isinstance(fql, Query) else fql
            self._state = self._client._stream_state(source, self._opts)
            if self._closed_early:
                self._state.close()
            steps = stream_steps(self._state)
            into = self._into
            if into is not None:
                steps = typed_deliveries(steps, lambda event: typed_event(event, into))
            self._conversation = Conversation(steps)
        return self._conversation

    async def __aenter__(self) -> AsyncStreamIterator:
        await self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncStreamIterator:
        return self

    async def __anext__(self) -> dict[str, Any]:
        conversation = await self._start()
        try:
            while (command := conversation.next_command()) is not None:
                if isinstance(command, Deliver):
                    event: dict[str, Any] = command.item
                    if self._span is not None:
                        self._span.delivered()
                    return event
                try:
                    conversation.reply(await self._perform(command))
                except Exception as error:
                    conversation.fail(error)
        except BaseException as error:
            # A failed or cancelled stream holds no connection afterwards.
            if self._span is not None:
                self._span.finish(error)
            await self.close()
            raise
        await self._drop_connection()
        if self._span is not None:
            self._span.finish()
        raise StopAsyncIteration

    async def _perform(self, command: Command) -> Any:
        if isinstance(command, ReadLine):
            return await self._connection.next_line() if self._connection is not None else None
        if isinstance(command, Connect):
            request = command.request
            if self._span is not None:
                with self._span.connecting():
                    response = await self._client._open(request, stream=True)
            else:
                response = await self._client._open(request, stream=True)
            self._connection = _AsyncStreamConnection(response, request.url)
            return response.status_code
        if isinstance(command, ReadBody):
            return await self._connection.read() if self._connection is not None else b""
        if isinstance(command, Disconnect):
            await self._drop_connection()
            return None
        return await self._client._perform(command)

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                # Closing a broken connection can fail again; it is gone either way.
                logger.debug("ignored error while closing a stream", exc_info=True)

    async def close(self) -> None:
        """Stop the stream; iteration then ends."""
        if self._state is None:
            self._closed_early = True
        else:
            self._state.close()
        await self._drop_connection()
        if self._span is not None:
            self._span.finish()

    aclose = close


class AsyncFeedIterator:
    """Pages of an event feed (``FeedPage``) for ``async for``; ``flatten()`` gives the events.

    Iterating again later resumes from the last cursor and returns only new
    events. ``cursor`` can be stored and passed to ``FeedOptions(cursor=...)``.
    """

    def __init__(
        self,
        client: AsyncClient,
        source: EventSource | Query,
        opts: FeedOptions,
        into: IntoType[Any] | None = None,
    ):
        self._client = client
        self._source = source
        self._opts = opts
        self._into = into
        self._state: FeedState | None = None

    @property
    def cursor(self) -> str | None:
        """Where the next page starts."""
        return self._state.cursor if self._state is not None else self._opts.cursor

    async def _start(self) -> FeedState:
        if self._state is None:
            source = self._source
            resolved = (
                (await self._client.query(source)).data if isinstance(source, Query) else source
            )
            self._state = self._client._feed_state(resolved, self._opts)
        return self._state

    def __aiter__(self) -> AsyncFeedIterator:
        if self._state is not None:
            self._state.restart()
        return self

    async def __anext__(self) -> FeedPage:
        state = await self._start()
        instruments = self._client._telemetry.current()
        if instruments is None or state.done:
            page = await self._client._converse(Conversation(feed_page_steps(state)))
        else:
            with instruments.operation("feed") as traced:
                page = await self._client._converse(Conversation(feed_page_steps(state)))
                traced.succeeded(page)
        if page is None:
            raise StopAsyncIteration
        return page if self._into is None else typed_feed_page(page, self._into)

    async def flatten(self) -> AsyncIterator[Any]:
        """Yield the events of every page."""
        async for page in self:
            for event in page:
                yield event
