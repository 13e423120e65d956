"""The synchronous FaunaDB client: a thin I/O shell over the protocol core.

Everything about *what* to send and *what a response means* lives in the
private, I/O-free modules of this package (``_config``, ``_requests``,
``_responses``, ``_retry``, ``_pagination``, ``_streams``, ``_feeds``). This
module only sends requests with httpx, sleeps between retries, and keeps the
connection pool.

Pool ownership: a client creates (and on ``close()`` closes) its own
``httpx.Client`` unless it is given one through ``http_client`` (an
``httpx.Client`` or any ``fauna.http.HTTPClient``) or finds one a user put in
``fauna.global_http_client``. A pool the client did not create is never
closed by it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import timedelta
from types import TracebackType
from typing import Any, Protocol

import httpx

import fauna
from fauna.client._config import resolve_config
from fauna.client._debug import (
    configure_from_env,
    log_request,
    log_response,
    log_retry,
    log_stream_line,
    logger,
)
from fauna.client._feeds import FeedPage, FeedState
from fauna.client._options import (
    DefaultClientBufferTimeout,
    DefaultHttpConnectTimeout,
    DefaultHttpPoolTimeout,
    DefaultHttpReadTimeout,
    DefaultHttpWriteTimeout,
    DefaultIdleConnectionTimeout,
    DefaultMaxAttempts,
    DefaultMaxBackoff,
    DefaultMaxConnections,
    DefaultMaxIdleConnections,
    DefaultQueryTimeout,
    FeedOptions,
    QueryOptions,
    StreamOptions,
)
from fauna.client._pagination import SetPagination
from fauna.client._requests import PreparedRequest, build_query_request, require_query
from fauna.client._responses import complete_query, note_attempts, parse_query_response
from fauna.client._retry import RetryPolicy
from fauna.client._streams import StreamState, validate_stream_options
from fauna.client.utils import LastTxnTs, _Environment
from fauna.encoding import QuerySuccess
from fauna.errors import ClientError, FaunaException, NetworkError, RetryableFaunaException
from fauna.http import HTTPClient, HTTPXClient
from fauna.query import EventSource, Page, Query

__all__ = [
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

_Response = tuple[int, Mapping[str, str], bytes]


def _network_error(error: httpx.TransportError, url: str) -> NetworkError:
    return NetworkError(f"{type(error).__name__} while calling {url}: {error}")


class Client:
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
    run the query already.

    Keyword-only extras: ``performance_hints`` (``X-Performance-Hints`` on
    every query) and ``transport``, an ``httpx.BaseTransport`` for the pool
    this client creates (tests use ``httpx.MockTransport``).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        secret: str | None = None,
        http_client: HTTPClient | httpx.Client | None = None,
        query_tags: Mapping[str, str] | None = None,
        linearized: bool | None = None,
        max_contention_retries: int | None = None,
        typecheck: bool | None = None,
        additional_headers: dict[str, str] | None = None,
        query_timeout: timedelta | None = DefaultQueryTimeout,
        client_buffer_timeout: timedelta | None = DefaultClientBufferTimeout,
        http_read_timeout: timedelta | None = DefaultHttpReadTimeout,
        http_write_timeout: timedelta | None = DefaultHttpWriteTimeout,
        http_connect_timeout: timedelta | None = DefaultHttpConnectTimeout,
        http_pool_timeout: timedelta | None = DefaultHttpPoolTimeout,
        http_idle_timeout: timedelta | None = DefaultIdleConnectionTimeout,
        max_attempts: int = DefaultMaxAttempts,
        max_backoff: int = DefaultMaxBackoff,
        *,
        performance_hints: bool | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        configure_from_env(_Environment.EnvFaunaDebug())
        self._config = resolve_config(
            endpoint=endpoint,
            secret=secret,
            query_tags=query_tags,
            linearized=linearized,
            max_contention_retries=max_contention_retries,
            typecheck=typecheck,
            additional_headers=additional_headers,
            query_timeout=query_timeout,
            client_buffer_timeout=client_buffer_timeout,
            http_read_timeout=http_read_timeout,
            http_write_timeout=http_write_timeout,
            http_connect_timeout=http_connect_timeout,
            http_pool_timeout=http_pool_timeout,
            http_idle_timeout=http_idle_timeout,
            max_attempts=max_attempts,
            max_backoff=max_backoff,
            performance_hints=performance_hints,
        )
        self._last_txn_ts = LastTxnTs()
        self._retry_policy = RetryPolicy(max_attempts=max_attempts, max_backoff=max_backoff)
        self._closed = False
        # Per-client so tests can make backoff instant without patching the time module.
        self._sleep = time.sleep
        # Names kept from the original driver, which existing tests inspect.
        self._endpoint = self._config.endpoint
        self._auth = self._config.auth
        self._query_timeout_ms = self._config.query_timeout_ms
        self._query_tags = self._config.query_tags
        self._headers = self._config.base_headers
        self._max_attempts = max_attempts
        self._max_backoff = max_backoff
        self._session, self._httpx, self._owns_session = self._connect(http_client, transport)

    def _connect(
        self, http_client: HTTPClient | httpx.Client | None, transport: httpx.BaseTransport | None
    ) -> tuple[HTTPClient, httpx.Client | None, bool]:
        """Pick the pool: the given one, a user-set global one, or a new one we own."""
        if http_client is not None and transport is not None:
            raise TypeError("Pass either 'http_client' or 'transport', not both.")
        if http_client is None and transport is None:
            http_client = getattr(fauna, "global_http_client", None)
        if http_client is None:
            own = httpx.Client(
                http1=True,
                http2=False,
                timeout=self._config.query_timeout,
                limits=self._config.limits(),
                transport=transport,
                # Headers common to every request live on the pool, so each request
                # only carries (and httpx only merges) the few that vary.
                headers=self._config.request_headers,
            )
            return HTTPXClient(own), own, True
        if isinstance(http_client, httpx.Client):
            return HTTPXClient(http_client), http_client, False
        if isinstance(http_client, HTTPXClient):
            return http_client, http_client.client, False
        if isinstance(http_client, HTTPClient):
            return http_client, None, False
        raise TypeError(
            f"'http_client' must be an httpx.Client or a fauna.http.HTTPClient but was a "
            f"{type(http_client)}."
        )

    # -- settings -------------------------------------------------------------------------

    def get_query_timeout(self) -> timedelta | None:
        """The client's query timeout."""
        ms = self._config.query_timeout_ms
        return None if ms is None else timedelta(milliseconds=ms)

    def get_last_txn_ts(self) -> int | None:
        """The largest transaction timestamp (µs) seen, sent as ``X-Last-Txn-Ts``."""
        return self._last_txn_ts.time

    def set_last_txn_ts(self, txn_ts: int) -> None:
        """Move the last transaction timestamp forward; an older value is ignored."""
        self._last_txn_ts.update_txn_time(txn_ts)

    # -- queries --------------------------------------------------------------------------

    def query(self, fql: Query, opts: QueryOptions | None = None) -> QuerySuccess:
        """Run ``fql`` and return its result, retrying while FaunaDB throttles it."""
        request = build_query_request(self._config, fql, opts, self._last_txn_ts.time)
        attempt = 0
        while True:
            attempt += 1
            status, headers, body = self._send(request)
            try:
                result = parse_query_response(status, headers, body, request.url)
            except FaunaException as error:
                delay = self._retry_policy.next_delay(attempt, error)
                if delay is None:
                    note_attempts(error, attempt)
                    raise
                log_retry("query", request.url, attempt, delay, error)
                self._sleep(delay)
                continue
            return complete_query(result, attempt, self._last_txn_ts)

    def paginate(self, fql: Query | Page, opts: QueryOptions | None = None) -> QueryIterator:
        """Iterate over the pages of the set ``fql`` returns, or that ``fql`` (a Page) starts.

        Nothing is sent until iteration starts; ``opts`` apply to every page.
        """
        return QueryIterator(self, fql, opts)

    def stream(self, fql: EventSource | Query, opts: StreamOptions | None = None) -> StreamIterator:
        """Subscribe to an event source (or a query returning one).

        A query is run right away; the stream itself opens on first iteration.
        """
        opts = opts if opts is not None else StreamOptions()
        validate_stream_options(opts, from_query=isinstance(fql, Query))
        source = self.query(fql).data if isinstance(fql, Query) else fql
        if not isinstance(source, EventSource):
            raise TypeError(
                "'fql' must be an EventSource, or a Query that returns an EventSource but was "
                f"a {type(source)}."
            )
        return StreamIterator(
            self, StreamState(self._config, source.token, opts, self._last_txn_ts)
        )

    def feed(self, source: EventSource | Query, opts: FeedOptions | None = None) -> FeedIterator:
        """Poll an event source (or a query returning one) page by page."""
        opts = opts if opts is not None else FeedOptions()
        if opts.start_ts is not None and opts.cursor is not None:
            raise TypeError("Only one of 'start_ts' or 'cursor' can be defined in the FeedOptions.")
        resolved = self.query(source).data if isinstance(source, Query) else source
        if not isinstance(resolved, EventSource):
            raise TypeError(
                "'source' must be an EventSource, or a Query that returns an EventSource but "
                f"was a {type(resolved)}."
            )
        return FeedIterator(self, FeedState(self._config, resolved.token, opts, self._last_txn_ts))

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Release the connection pool if this client created it; later calls fail."""
        self._closed = True
        if self._owns_session:
            self._session.close()

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

    def _check_open(self) -> None:
        if self._closed:
            raise ClientError("This Client is closed; create a new one to send requests.")

    def _send(self, request: PreparedRequest) -> _Response:
        """Send ``request`` and read the whole response."""
        self._check_open()
        log_request(request.method, request.url, request.headers, request.content)
        if self._httpx is None:
            legacy = self._session.request(
                request.method, request.url, request.headers, request.body
            )
            status, headers, body = legacy.status_code(), legacy.headers(), legacy.read()
        else:
            try:
                response = self._httpx.request(
                    request.method,
                    request.url,
                    content=request.content,
                    headers=self._headers_to_send(request.headers),
                    timeout=request.timeout,
                )
            except httpx.InvalidURL as error:
                raise ClientError("Invalid URL Format") from error
            except httpx.TransportError as error:
                raise _network_error(error, request.url) from error
            status, headers, body = response.status_code, response.headers, response.content
        log_response(request.url, status, headers, body)
        return status, headers, body

    def _headers_to_send(self, headers: dict[str, str]) -> dict[str, str]:
        """The headers the pool does not already add by default."""
        if not self._owns_session:
            return headers
        defaults = self._config.request_headers
        return {name: value for name, value in headers.items() if defaults.get(name) != value}

    def _open_stream(self, request: PreparedRequest) -> _StreamConnection:
        self._check_open()
        log_request(request.method, request.url, request.headers, request.content)
        if self._httpx is None:
            return _LegacyStreamConnection(self._session, request)
        return _HttpxStreamConnection(self._httpx, request)


class QueryIterator:
    """Pages (lists) of a set; ``flatten()`` gives the items one by one."""

    def __init__(self, client: Client, fql: Query | Page, opts: QueryOptions | None = None):
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

    def __iter__(self) -> Iterator[list[Any]]:
        return self.iter()

    def iter(self) -> Iterator[list[Any]]:
        """Yield each page as a list, fetching the next one when asked for it."""
        pagination = SetPagination(self.fql)
        initial = pagination.initial_page()
        if initial is not None:
            yield initial
        while (query := pagination.next_query()) is not None:
            yield pagination.accept(self.client.query(query, self.opts).data)

    def flatten(self) -> Iterator[Any]:
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
            raise ClientError("Invalid URL Format") from error
        except httpx.TransportError as error:
            raise _network_error(error, request.url) from error

    @property
    def status(self) -> int:
        return self._response.status_code

    def read(self) -> bytes:
        try:
            return self._response.read()
        except httpx.TransportError as error:
            raise _network_error(error, self._url) from error

    def lines(self) -> Iterator[str | dict[str, Any]]:
        try:
            for line in self._response.iter_lines():
                log_stream_line(self._url, line)
                yield line
        except httpx.TransportError as error:
            raise _network_error(error, self._url) from error

    def close(self) -> None:
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
    mapped exception. ``close()`` may be called inside the loop.
    """

    def __init__(self, client: Client, state: StreamState) -> None:
        self._client = client
        self._state = state
        self._connection: _StreamConnection | None = None
        self._lines: Iterator[str | dict[str, Any]] | None = None

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
        while not self._state.closed:
            failure: FaunaException | None
            try:
                event = self._read_event()
            except (NetworkError, RetryableFaunaException) as error:
                failure = error
            except BaseException:
                if self._state.closed:
                    # close() from another thread broke the read: a normal end.
                    break
                self.close()
                raise
            else:
                if event is not None:
                    return event
                failure = None
            if self._state.closed:
                break
            self._reconnect_after(failure)
        self._drop_connection()
        raise StopIteration

    def _read_event(self) -> dict[str, Any] | None:
        """The next event to deliver, or ``None`` when the response body ended."""
        if self._lines is None:
            self._open()
        assert self._lines is not None
        for line in self._lines:
            event = self._state.accept(line)
            if event is not None:
                return event
        return None

    def _open(self) -> None:
        connection = self._client._open_stream(self._state.request())
        self._connection = connection
        if connection.status != 200:
            body = connection.read()
            self._drop_connection()
            self._state.reject_response(connection.status, body)
        self._lines = connection.lines()

    def _reconnect_after(self, error: FaunaException | None) -> None:
        """Wait before the next connection, or raise if the stream must give up."""
        self._drop_connection()
        try:
            delay = self._state.on_disconnect(error)
        except BaseException:
            self._state.close()
            raise
        log_retry("stream", self._state.url, 0, delay, error or EOFError("end of stream"))
        self._client._sleep(delay)

    def _drop_connection(self) -> None:
        connection, self._connection, self._lines = self._connection, None, None
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


class FeedIterator:
    """Pages of an event feed (``FeedPage``); ``flatten()`` gives the events.

    Iterating again later resumes from the last cursor and returns only new
    events. ``cursor`` can be stored and passed to ``FeedOptions(cursor=...)``.
    """

    def __init__(self, client: Client, state: FeedState) -> None:
        self._client = client
        self._state = state

    @property
    def cursor(self) -> str | None:
        """Where the next page starts."""
        return self._state.cursor

    def __iter__(self) -> FeedIterator:
        self._state.restart()
        return self

    def __next__(self) -> FeedPage:
        request = self._state.next_request()
        if request is None:
            raise StopIteration
        attempt = 0
        while True:
            attempt += 1
            status, _, body = self._client._send(request)
            try:
                return self._state.accept_page(status, body)
            except FaunaException as error:
                delay = self._state.policy.next_delay(attempt, error)
                if delay is None:
                    raise
                log_retry("feed", request.url, attempt, delay, error)
                self._client._sleep(delay)

    def flatten(self) -> Iterator[Any]:
        """Yield the events of every page."""
        for page in self:
            yield from page
