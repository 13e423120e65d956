"""What the sync ``Client`` and the ``AsyncClient`` share, apart from the protocol loops.

The constructor (so both take the same options, defaults and environment
variables), the settings accessors, the checks on ``stream``/``feed``
arguments and the mapping of httpx failures. Each client only adds its pool
(``_setup_pool``) and the I/O that carries out ``fauna.client._exchanges``
commands. Not here: anything that blocks or awaits.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Generic, TypeVar

import httpx

from fauna.client._config import resolve_config
from fauna.client._debug import configure_from_env
from fauna.client._exchanges import Conversation, query_steps
from fauna.client._feeds import FeedState
from fauna.client._options import (
    DefaultClientBufferTimeout,
    DefaultHttpConnectTimeout,
    DefaultHttpPoolTimeout,
    DefaultHttpReadTimeout,
    DefaultHttpWriteTimeout,
    DefaultIdleConnectionTimeout,
    DefaultMaxAttempts,
    DefaultMaxBackoff,
    DefaultQueryTimeout,
    FeedOptions,
    QueryOptions,
    StreamOptions,
)
from fauna.client._retry import RetryPolicy
from fauna.client._scopes import derive as derive_scoped
from fauna.client._signatures import concrete_signature
from fauna.client._streams import StreamState, validate_stream_options
from fauna.client._telemetry import Telemetry, TelemetrySwitch
from fauna.client.utils import LastTxnTs, _Environment
from fauna.encoding import QuerySuccess
from fauna.errors import ClientError, NetworkError
from fauna.query import EventSource, Query

PoolT = TypeVar("PoolT")
TransportT = TypeVar("TransportT")
ClientT = TypeVar("ClientT", bound="ClientBase[Any, Any]")


def network_error(error: httpx.TransportError, url: str) -> NetworkError:
    """The ``NetworkError`` a user sees for an httpx transport failure."""
    return NetworkError(f"{type(error).__name__} while calling {url}: {error}")


def invalid_url() -> ClientError:
    return ClientError("Invalid URL Format")


def checked_stream_options(fql: EventSource | Query, opts: StreamOptions | None) -> StreamOptions:
    """``opts`` (or the defaults), rejected before any request if they do not fit ``fql``."""
    opts = opts if opts is not None else StreamOptions()
    validate_stream_options(opts, from_query=isinstance(fql, Query))
    return opts


def checked_feed_options(opts: FeedOptions | None) -> FeedOptions:
    opts = opts if opts is not None else FeedOptions()
    if opts.start_ts is not None and opts.cursor is not None:
        raise TypeError("Only one of 'start_ts' or 'cursor' can be defined in the FeedOptions.")
    return opts


def require_event_source(value: object, argument: str) -> EventSource:
    if not isinstance(value, EventSource):
        raise TypeError(
            f"'{argument}' must be an EventSource, or a Query that returns an EventSource but "
            f"was a {type(value)}."
        )
    return value


class ClientBase(abc.ABC, Generic[PoolT, TransportT]):
    """Configuration and state common to both clients; see ``Client`` for the options."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            # A subclass with its own constructor shows that one, not an inherited signature.
            cls.__signature__ = None  # type: ignore[attr-defined]
            return
        # help(Client) shows Client's own pool and transport types, not PoolT/TransportT.
        for base in cls.__dict__.get("__orig_bases__", ()):
            if getattr(base, "__origin__", None) is ClientBase:
                variables = getattr(ClientBase, "__parameters__", ())
                signature = concrete_signature(ClientBase.__init__, base, variables)
                if signature is not None:
                    cls.__signature__ = signature  # type: ignore[attr-defined]

    def __init__(
        self,
        endpoint: str | None = None,
        secret: str | None = None,
        http_client: PoolT | None = None,
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
        max_connections: int | None = None,
        transport: TransportT | None = None,
        retry_policy: RetryPolicy | None = None,
        http2: bool = False,
        telemetry: Telemetry | bool | None = None,
    ) -> None:
        """Configure a client; every argument may be given by keyword.

        :param endpoint: Base URL of FaunaDB. Defaults to the ``FAUNA_ENDPOINT``
            environment variable, else ``http://localhost:8443``. One trailing
            ``/`` is dropped.
        :param secret: The key or token to authenticate with. Defaults to
            ``FAUNA_SECRET``; a request without any raises ``ClientError``.
        :param http_client: A connection pool to send through, which the client
            never closes: for ``Client`` an ``httpx.Client`` or any
            ``fauna.http.HTTPClient`` (such as ``HTTPXClient``), for
            ``AsyncClient`` an ``httpx.AsyncClient``. Defaults to a pool of the
            client's own (or, for ``Client``, ``fauna.global_http_client`` when set).
        :param query_tags: Tags sent with every query (``X-Query-Tags``), shown
            in FaunaDB's query logs; per-query tags are merged in.
        :param linearized: If true, run every query strictly serialized, reads
            included (writes always are).
        :param max_contention_retries: How many times FaunaDB retries a query
            that hits transaction contention, before it fails.
        :param typecheck: Turn FQL type checking on or off for every query;
            ``None`` leaves it to the database's setting.
        :param additional_headers: Extra HTTP headers for every request; they
            may override the driver's own.
        :param query_timeout: How long FaunaDB may run a query before failing it
            with ``QueryTimeoutError`` (``X-Query-Timeout-Ms``). Default 5 s;
            ``None`` sends none (FaunaDB's own limit applies).
        :param client_buffer_timeout: Added to the query timeout to give how long
            the client waits for a response before a ``NetworkError``. Default 5 s.
        :param http_read_timeout: Wait for each read of a response at most this
            long, instead of the query timeout plus the buffer. Default ``None``.
        :param http_write_timeout: Time allowed to send a request. Default 5 s.
        :param http_connect_timeout: Time allowed to open a connection. Default 5 s.
        :param http_pool_timeout: Time to wait for a free connection of the
            pool. Default 5 s.
        :param http_idle_timeout: How long an idle connection is kept open for
            reuse. Default 5 s.
        :param max_attempts: Attempts in all (the first included) for a
            throttled query or feed page, and for consecutive stream
            reconnects. Default 3; 1 disables retries.
        :param max_backoff: The longest wait between two attempts, in seconds.
            Default 20.
        :param performance_hints: Ask FaunaDB for performance hints in each
            query's summary (``X-Performance-Hints``).
        :param max_connections: Size of the pool the client creates (default 20
            for ``Client``, 100 for ``AsyncClient``).
        :param transport: An ``httpx`` transport for the pool the client
            creates (``httpx.MockTransport`` in tests); not with ``http_client``.
        :param retry_policy: A ``fauna.client.RetryPolicy`` saying what is
            retried and how; it replaces ``max_attempts`` and ``max_backoff``.
        :param http2: Make the pool the client creates speak HTTP/2 (prior knowledge
            on ``http://``; the ``http2`` extra). A query is re-sent only when the
            server proves it never ran it; event streams keep to HTTP/1.1.
        :param telemetry: OpenTelemetry for this client: ``None`` follows
            ``fauna.telemetry.instrument()``, ``False`` is off, ``True`` uses the
            global providers, a ``fauna.telemetry.Telemetry`` names its own.
        """
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
            max_connections=max_connections,
            retry_policy=retry_policy,
            http2=http2,
        )
        self._telemetry = TelemetrySwitch(telemetry, self._config)
        self._last_txn_ts = LastTxnTs()
        self._retry_policy = self._config.retry_policy
        self._closed = False
        self._owns_pool = False
        self._scope_parent: ClientBase[PoolT, TransportT] | None = None
        # Names kept from the original driver, which existing tests inspect.
        self._endpoint = self._config.endpoint
        self._auth = self._config.auth
        self._query_timeout_ms = self._config.query_timeout_ms
        self._query_tags = self._config.query_tags
        self._headers = self._config.base_headers
        self._max_attempts = self._retry_policy.max_attempts
        self._max_backoff = self._retry_policy.max_backoff
        if http_client is not None and transport is not None:
            raise TypeError("Pass either 'http_client' or 'transport', not both.")
        if http2 and http_client is not None:
            raise TypeError(
                "'http2' applies to a pool the client creates; turn HTTP/2 on in the "
                "'http_client' you pass instead."
            )
        self._setup_pool(http_client, transport)

    @abc.abstractmethod
    def _setup_pool(self, http_client: PoolT | None, transport: TransportT | None) -> None:
        """Adopt ``http_client`` or build a pool (over ``transport``, if given)."""

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

    def scoped(self: ClientT, database: str, role: str = "admin") -> ClientT:
        """A client of the same kind acting in the child ``database`` as ``role``.

        It sends ``<secret>:<database>:<role>`` on this client's connection pool:
        ``database`` may be a path (``"app/staging"``, below any database this
        secret is already scoped to); ``role`` is ``admin``, ``server``,
        ``server-readonly``, ``client``, ``"@role/<Name>"`` or
        ``"@doc/<Collection>/<id>"``. Closing it leaves the pool open; closing
        this client ends it too. Raises ``ValueError`` for a malformed argument.
        """
        return derive_scoped(self, database, role)

    # -- shared steps ---------------------------------------------------------------------

    def _check_open(self) -> None:
        client: ClientBase[PoolT, TransportT] | None = self
        # A scoped client ends with any client it was scoped from.
        while client is not None:
            if client._closed:
                name = type(self).__name__
                raise ClientError(f"This {name} is closed; create a new one to send requests.")
            client = client._scope_parent

    def _query_conversation(
        self, fql: Query, opts: QueryOptions | None, for_models: bool = False
    ) -> Conversation[QuerySuccess]:
        steps = query_steps(
            self._config, fql, opts, self._last_txn_ts, self._retry_policy, for_models
        )
        return Conversation(steps)

    def _stream_state(self, source: object, opts: StreamOptions) -> StreamState:
        token = require_event_source(source, "fql").token
        return StreamState(self._config, token, opts, self._last_txn_ts)

    def _feed_state(self, source: object, opts: FeedOptions) -> FeedState:
        token = require_event_source(source, "source").token
        return FeedState(self._config, token, opts, self._last_txn_ts)
