"""The synchronous FaunaDB client: a thin I/O shell over the protocol core.

Everything about *what* to send and *what a response means* lives in the
private, I/O-free modules of this package (``_config``, ``_requests``,
``_responses``, ``_retry``, ``_pagination``, ``_streams``, ``_feeds``). This
module only sends requests with httpx, sleeps between retries, and keeps the
connection pool.

Pool ownership: a client creates (and on ``close()`` closes) its own
``httpx.Client`` (and sends queries straight to its transport, see
``_pools``) unless it is given one through ``http_client`` (an
``httpx.Client`` or any ``fauna.http.HTTPClient``) or finds one a user put in
``fauna.global_http_client``. A pool the client did not create is never
closed by it.

The ``import X as X`` lines re-export what the original driver's
``fauna.client.client`` imported (``Retryable``, ``LastTxnTs``, ``Header``,
...), since code and tests import those names from here.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, overload

import httpx

import fauna
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
from fauna.client._http2 import HTTP2Transport
from fauna.client._options import (
    DefaultClientBufferTimeout,
    DefaultHttpConnectTimeout,
    DefaultHttpPoolTimeout,
    DefaultHttpReadTimeout,
    DefaultHttpWriteTimeout,
    DefaultIdleConnectionTimeout,
    DefaultMaxConnections,
    DefaultMaxIdleConnections,
    DefaultQueryTimeout,
    FeedOptions,
    QueryOptions,
    StreamOptions,
)
from fauna.client._pool_stats import PoolStats, stats_of
from fauna.client._pools import SyncPool, environment_names_proxies
from fauna.client._requests import PreparedRequest, require_query
from fauna.client._sessions import session_exchange, streams_through
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
from fauna.client.async_client import AsyncClient
from fauna.client.headers import Header as Header
from fauna.client.headers import _Auth as _Auth
from fauna.client.headers import _DriverEnvironment as _DriverEnvironment
from fauna.client.headers import _Header as _Header
from fauna.client.retryable import Retryable as Retryable
from fauna.client.retryable import backoff_sleep
from fauna.client.utils import LastTxnTs as LastTxnTs
from fauna.client.utils import _Environment as _Environment
from fauna.encoding import FaunaDecoder as FaunaDecoder
from fauna.encoding import FaunaEncoder as FaunaEncoder
from fauna.encoding import QueryStats as QueryStats
from fauna.encoding import QuerySuccess
from fauna.encoding import QueryTags as QueryTags
from fauna.encoding._typed import IntoType
from fauna.errors import ClientError as ClientError
from fauna.errors import FaunaError as FaunaError
from fauna.errors import NetworkError as NetworkError
from fauna.errors import ProtocolError as ProtocolError
from fauna.errors import RetryableFaunaException as RetryableFaunaException
from fauna.http import HTTPClient, HTTPXClient
from fauna.query import EventSource, Page, Query
from fauna.query import fql as fql

T = TypeVar("T")

__all__ = [
    "AsyncClient",
    "Client",
    "DefaultClientBufferTimeout",
    "DefaultHttpConnectTimeout",
    "DefaultHttpPoolTimeout",
    "DefaultHttpReadTimeout",
    "DefaultHttpWriteTimeout",
    "DefaultIdleConnectionTimeout",
    "DefaultMaxConnections",
    "DefaultMaxIdleConnections",
    "DefaultQueryTimeout",
    "FeedIterator",
    "FeedOptions",
    "FeedPage",
    "QueryIterator",
    "QueryOptions",
    "StreamIterator",
    "StreamOptions",
    "logger",
]


class Client(ClientBase[HTTPClient | httpx.Client, httpx.BaseTransport]):
    """A FaunaDB client. Safe to share between threads.

    ``endpoint`` defaults to ``FAUNA_ENDPOINT``, else ``http://localhost:8443``;
    ``secret`` to ``FAUNA_SECRET``. A missing secret raises ``ClientError``
    when a request is attempted (not at construction, so a client can be
    built before the environment is ready). ``FAUNA_DEBUG`` turns on request
    logging on the ``fauna`` logger (see ``fauna.client._debug``).

    Timeouts: ``query_timeout`` is sent to FaunaDB as ``X-Query-Timeout-Ms``.
    The client timeout, query timeout plus ``client_buffer_timeout``, bounds
    each read of a query response unless ``http_read_timeout`` is given; it
    fires as ``NetworkError``. Streams instead allow six minutes of silence
    (FaunaDB sends a heartbeat every five) before they reconnect.

    Retries: throttled queries (HTTP 429) are retried up to ``max_attempts``
    attempts in all, with jittered exponential backoff capped at
    ``max_backoff`` seconds. Nothing else is retried, since FaunaDB may have
    run the query already, unless a ``retry_policy``
    (``fauna.client.RetryPolicy``) says otherwise.

    ``scoped(database, role)`` gives a client for a child database on the
    same pool; ``pool_stats()`` counts the pool's connections.

    Keyword-only extras: ``performance_hints`` (``X-Performance-Hints`` on
    every query), ``max_connections`` (size of the pool this client creates,
    default 20), ``transport``, an ``httpx.BaseTransport`` for that pool
    (tests use ``httpx.MockTransport``), and ``retry_policy``. ``http2=True`` makes a pool
    this client creates speak HTTP/2 (prior knowledge on ``http://``; needs the
    ``http2`` extra; see ``fauna.client._http2`` for what is re-sent after a
    GOAWAY or a reset). ``telemetry`` picks OpenTelemetry for this client:
    ``None`` follows ``fauna.telemetry.instrument()``, ``False`` is off,
    ``True`` or a ``fauna.telemetry.Telemetry`` is on (the ``otel`` extra).
    ``fauna.client.AsyncClient`` takes the same options.
    """

    def _setup_pool(
        self, http_client: HTTPClient | httpx.Client | None, transport: httpx.BaseTransport | None
    ) -> None:
        """Pick the pool: the given one, a user-set global one, or a new one we own."""
        # Per-client so tests can make backoff instant; by default the original driver's hook.
        self._sleep: Callable[[float], object] = backoff_sleep
        # Event streams' own HTTP/1.1 pool when queries go over HTTP/2 (see _open_stream).
        self._stream_http: httpx.Client | None = None
        self._pool, self._session = self._pick_pool(http_client, transport)

    def _pick_pool(
        self, http_client: HTTPClient | httpx.Client | None, transport: httpx.BaseTransport | None
    ) -> tuple[SyncPool | None, HTTPClient]:
        """The pool this client built (``None`` for a user's), and the session to send through."""
        if http_client is None and transport is None and not self._config.http2:
            http_client = getattr(fauna, "global_http_client", None)
        if http_client is None:
            self._owns_pool = True
            options = self._config.pool_options(DefaultMaxConnections)
            if transport is None and self._config.http2 and not environment_names_proxies():
                transport = HTTP2Transport(options)
                http11 = {**options, "http1": True, "http2": False}
                self._stream_http = SyncPool.owned(None, http11).client
            pool = SyncPool.owned(transport, options)
            return pool, HTTPXClient(pool.client)
        if isinstance(http_client, httpx.Client):
            return None, HTTPXClient(http_client)
        if isinstance(http_client, HTTPClient):
            return None, http_client
        raise TypeError(
            f"'http_client' must be an httpx.Client or a fauna.http.HTTPClient but was a "
            f"{type(http_client)}."
        )

    # -- queries --------------------------------------------------------------------------

    @overload
    def query(self, fql: Query, opts: QueryOptions | None = None) -> QuerySuccess[Any]: ...
    @overload
    def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: type[T]
    ) -> QuerySuccess[T]: ...
    @overload
    def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: object
    ) -> QuerySuccess[Any]: ...

    def query(
        self, fql: Query, opts: QueryOptions | None = None, *, into: object = None
    ) -> QuerySuccess[Any]:
        """Run ``fql`` and return its result, retrying while FaunaDB throttles it.

        With ``into=T`` the result's ``data`` is converted into ``T`` (a dataclass, pydantic
        model, TypedDict, ``list[T]``, ...; see ``fauna.encoding.decode_into``); a value that
        does not fit raises ``fauna.errors.ResultTypeError`` naming its path.
        """
        target = result_target(into)
        if target is None:
            return self._query(fql, opts, "query")
        result = self._query(fql, opts, "query", for_models=target.for_models)
        return typed_success(result, target)

    def _query(
        self, fql: Query, opts: QueryOptions | None, operation: str, for_models: bool = False
    ) -> QuerySuccess[Any]:
        instruments = self._telemetry.current()
        if instruments is None:
            return self._converse(self._query_conversation(fql, opts, for_models))
        with instruments.operation(operation, fql) as traced:
            result = self._converse(self._query_conversation(fql, opts, for_models))
            traced.succeeded(result)
            return result

    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None
    ) -> QueryIterator[Any]: ...
    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: type[T]
    ) -> QueryIterator[T]: ...
    @overload
    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: object
    ) -> QueryIterator[Any]: ...

    def paginate(
        self, fql: Query | Page, opts: QueryOptions | None = None, *, into: object = None
    ) -> QueryIterator[Any]:
        """Iterate over the pages of the set ``fql`` returns, or that ``fql`` (a Page) starts.

        Nothing is sent until iteration starts; ``opts`` apply to every page. With
        ``into=T`` each page is a ``list[T]``.
        """
        return QueryIterator(self, fql, opts, into=into)

    def stream(
        self, fql: EventSource | Query, opts: StreamOptions | None = None, *, into: object = None
    ) -> StreamIterator:
        """Subscribe to an event source (or a query returning one).

        A query is run right away; the stream itself opens on first iteration. With
        ``into=T`` each event's ``data`` is converted into ``T``.
        """
        opts = checked_stream_options(fql, opts)
        target = event_target(into)
        source = self.query(fql).data if isinstance(fql, Query) else fql
        return StreamIterator(self, self._stream_state(source, opts), target)

    def feed(
        self, source: EventSource | Query, opts: FeedOptions | None = None, *, into: object = None
    ) -> FeedIterator:
        """Poll an event source (or a query returning one) page by page.

        With ``into=T`` each event's ``data`` is converted into ``T``.
        """
        opts = checked_feed_options(opts)
        target = event_target(into)
        resolved = self.query(source).data if isinstance(source, Query) else source
        return FeedIterator(self, self._feed_state(resolved, opts), target)

    # -- lifecycle ------------------------------------------------------------------------

    def pool_stats(self) -> PoolStats | None:
        """Open, idle and in-use connections of the pool (``None``: a custom ``HTTPClient``'s)."""
        return stats_of(self._pool if self._pool is not None else self._session)

    def close(self) -> None:
        """Release the connection pool if this client created it; later calls fail."""
        self._closed = True
        if self._owns_pool:
            self._session.close()
            if self._stream_http is not None:
                self._stream_http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- I/O ------------------------------------------------------------------------------

    def _converse(self, conversation: Conversation[ResultT]) -> ResultT:
        """Carry out a request/retry conversation (a query, a feed page) to its result."""
        while (command := conversation.next_command()) is not None:
            try:
                conversation.reply(self._perform(command))
            except Exception as error:
                conversation.fail(error)
        return conversation.result

    def _perform(self, command: Command) -> Any:
        """Carry out a ``Send`` or ``Sleep`` command; see ``_exchanges``."""
        if isinstance(command, Send):
            return self._send(command.request)
        if isinstance(command, Sleep):
            self._sleep(command.seconds)
            return None
        raise AssertionError(f"{command!r} is carried out by the iterator that asked for it")

    def _send(self, request: PreparedRequest) -> Response:
        """Send ``request`` and read the whole response."""
        self._check_open()
        if (instruments := self._telemetry.current()) is not None:
            request = instruments.inject(request)
        log_request(request.method, request.url, request.headers, request.content)
        if self._pool is None:
            status, headers, body = session_exchange(self._session, request)
        else:
            try:
                response = self._pool.send(request)
            except httpx.InvalidURL as error:
                raise invalid_url() from error
            except httpx.TransportError as error:
                raise network_error(error, request.url) from error
            status, headers, body = response.status_code, response.headers, response.content
        log_response(request.url, status, headers, body)
        return status, headers, body

    def _open_stream(self, request: PreparedRequest) -> _StreamConnection:
        self._check_open()
        if (instruments := self._telemetry.current()) is not None:
            request = instruments.inject(request)
        log_request(request.method, request.url, request.headers, request.content)
        if self._pool is None:
            http = streams_through(self._session)
            if http is None:
                return _LegacyStreamConnection(self._session, request)
            return _HttpxStreamConnection(http, request)
        # Over HTTP/2 a stream would share its socket, so close() could not shut it down
        # to wake a reader blocked on it: streams keep to HTTP/1.1 connections of their own.
        http = self._stream_http if self._stream_http is not None else self._pool.client
        return _HttpxStreamConnection(http, request)


class QueryIterator(Generic[T]):
    """Pages (lists) of a set; ``flatten()`` gives the items one by one."""

    def __init__(
        self,
        client: Client,
        fql: Query | Page,
        opts: QueryOptions | None = None,
        *,
        into: object = None,
    ):
        if not isinstance(client, Client):
            raise TypeError(
                f"'client' must be a Client but was a {type(client)}. You can build a Client "
                "by calling fauna.client.Client()"
            )
        if not isinstance(fql, Page):
            require_query(fql)
        self.client = client
        self.fql = fql
        self.opts = opts
        self._target = page_target(into)
        # Pages into pydantic models are decoded for them (see ``IntoType.for_models``).
        self._for_models = self._target is not None and self._target.for_models

    def __iter__(self) -> Iterator[list[T]]:
        return self.iter()

    def iter(self) -> Iterator[list[T]]:
        """Yield each page as a list, fetching the next one when asked for it."""
        steps = pages_steps(self.fql)
        if self._target is not None:
            steps = typed_deliveries(steps, self._target.convert)
        conversation = Conversation(steps)
        while (command := conversation.next_command()) is not None:
            if isinstance(command, Deliver):
                yield command.item
            elif isinstance(command, RunQuery):
                result = self.client._query(command.fql, self.opts, "paginate", self._for_models)
                conversation.reply(result.data)

    def flatten(self) -> Iterator[T]:
        """Yield the items of every page."""
        for page in self.iter():
            yield from page


class _StreamConnection(Protocol):
    """One open ``/stream/1`` response: status, body lines, and a way to drop it."""

    @property
    def status(self) -> int: ...

    def read(self) -> bytes: ...

    def lines(self) -> Iterator[str | dict[str, Any]]: ...

    def close(self) -> None: ...


class _HttpxStreamConnection:
    def __init__(self, http: httpx.Client, request: PreparedRequest) -> None:
        self._url = request.url
        try:
            built = http.build_request(
                request.method,
                request.url,
                content=request.content,
                headers=request.headers,
                timeout=request.timeout,
            )
            self._response = http.send(built, stream=True)
        except httpx.InvalidURL as error:
            raise invalid_url() from error
        except httpx.TransportError as error:
            raise network_error(error, request.url) from error

    @property
    def status(self) -> int:
        return self._response.status_code

    def read(self) -> bytes:
        try:
            return self._response.read()
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error

    def lines(self) -> Iterator[str | dict[str, Any]]:
        try:
            for line in self._response.iter_lines():
                log_stream_line(self._url, line)
                yield line
        except httpx.TransportError as error:
            raise network_error(error, self._url) from error

    def close(self) -> None:
        if self._response.http_version == "HTTP/2":
            # A user's own HTTP/2 pool: the socket carries other requests too.
            self._response.close()
            return
        # A thread blocked reading this stream only wakes when the socket itself is shut
        # down; closing the response alone leaves its recv() waiting for the next event.
        network_stream = self._response.extensions.get("network_stream")
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._response.close()


class _LegacyStreamConnection:
    """A stream through a custom ``HTTPClient``; it checks the status itself."""

    def __init__(self, session: HTTPClient, request: PreparedRequest) -> None:
        self._context = session.stream(request.url, request.headers, request.body)
        self._events = self._context.__enter__()

    @property
    def status(self) -> int:
        # A custom HTTPClient raises for a failed stream itself, so an open one is a 200.
        return 200

    def read(self) -> bytes:
        return b""

    def lines(self) -> Iterator[dict[str, Any]]:
        yield from self._events

    def close(self) -> None:
        self._context.__exit__(None, None, None)


class StreamIterator:
    """Events of one stream, in order; use it as a context manager.

    Each event is a dict with ``type``, ``data`` (decoded), ``txn_ts``,
    ``cursor`` and ``stats``. A dropped connection or an ended body is
    reconnected from the last event's cursor; an ``error`` event raises the
    mapped exception. ``close()`` may be called inside the loop, or from
    another thread to end a loop that waits for events.
    """

    def __init__(
        self, client: Client, state: StreamState, into: IntoType[Any] | None = None
    ) -> None:
        self._client = client
        self._state = state
        steps = stream_steps(state)
        if into is not None:
            steps = typed_deliveries(steps, lambda event: typed_event(event, into))
        self._conversation = Conversation(steps)
        self._connection: _StreamConnection | None = None
        self._lines: Iterator[str | dict[str, Any]] = iter(())
        instruments = client._telemetry.current()
        self._span = instruments.stream() if instruments is not None else None

    @property
    def last_ts(self) -> int | None:
        """Transaction time of the last event received."""
        return self._state.last_ts

    @property
    def last_cursor(self) -> str | None:
        """Cursor of the last event received; store it to resume later."""
        return self._state.last_cursor

    def __enter__(self) -> StreamIterator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> StreamIterator:
        return self

    def __next__(self) -> dict[str, Any]:
        conversation = self._conversation
        try:
            while (command := conversation.next_command()) is not None:
                if isinstance(command, Deliver):
                    event: dict[str, Any] = command.item
                    if self._span is not None:
                        self._span.delivered()
                    return event
                try:
                    conversation.reply(self._perform(command))
                except Exception as error:
                    conversation.fail(error)
        except BaseException as error:
            # A failed stream (or an interrupted wait) holds no connection afterwards.
            if self._span is not None:
                self._span.finish(error)
            self.close()
            raise
        self._drop_connection()
        if self._span is not None:
            self._span.finish()
        raise StopIteration

    def _perform(self, command: Command) -> Any:
        if isinstance(command, ReadLine):
            return next(self._lines, None)
        if isinstance(command, Connect):
            if self._span is not None:
                with self._span.connecting():
                    self._connection = self._client._open_stream(command.request)
            else:
                self._connection = self._client._open_stream(command.request)
            self._lines = self._connection.lines()
            return self._connection.status
        if isinstance(command, ReadBody):
            return self._connection.read() if self._connection is not None else b""
        if isinstance(command, Disconnect):
            self._drop_connection()
            return None
        return self._client._perform(command)

    def _drop_connection(self) -> None:
        connection, self._connection, self._lines = self._connection, None, iter(())
        if connection is not None:
            try:
                connection.close()
            except Exception:
                # Closing a broken connection can fail again; it is gone either way.
                logger.debug("ignored error while closing a stream", exc_info=True)

    def close(self) -> None:
        """Stop the stream; iteration then ends."""
        self._state.close()
        self._drop_connection()
        if self._span is not None:
            self._span.finish()


class FeedIterator:
    """Pages of an event feed (``FeedPage``); ``flatten()`` gives the events.

    Iterating again later resumes from the last cursor and returns only new
    events. ``cursor`` can be stored and passed to ``FeedOptions(cursor=...)``.
    """

    def __init__(self, client: Client, state: FeedState, into: IntoType[Any] | None = None) -> None:
        self._client = client
        self._state = state
        self._into = into

    @property
    def cursor(self) -> str | None:
        """Where the next page starts."""
        return self._state.cursor

    def __iter__(self) -> FeedIterator:
        self._state.restart()
        return self

    def __next__(self) -> FeedPage:
        instruments = self._client._telemetry.current()
        if instruments is None or self._state.done:
            page = self._client._converse(Conversation(feed_page_steps(self._state)))
        else:
            with instruments.operation("feed") as traced:
                page = self._client._converse(Conversation(feed_page_steps(self._state)))
                traced.succeeded(page)
        if page is None:
            raise StopIteration
        return page if self._into is None else typed_feed_page(page, self._into)

    def flatten(self) -> Iterator[Any]:
        """Yield the events of every page."""
        for page in self:
            yield from page
