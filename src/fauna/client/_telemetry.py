"""OpenTelemetry for both clients: spans, the operation-duration histogram, ``traceparent``.

What a span records follows the stable OpenTelemetry database client
conventions: kind CLIENT, ``db.system.name`` "fauna" (FaunaDB is not in the
conventions' list of well-known systems, which then asks for the product's
name in lower case), ``db.operation.name`` (``query``, ``paginate`` for each
page of a set, ``feed`` for each feed page, ``stream`` for a whole stream),
``db.query.text`` with every template argument left out as ``?``,
``db.namespace`` when a scoped secret names the database,
``server.address``/``server.port``, and on failure ``error.type`` (FaunaDB's
error code, such as ``invalid_query``, else the exception's class name) and
``db.response.status_code`` (the HTTP status). FaunaDB's own figures go under
``fauna.*``: the query stats, the attempts, ``txn_ts`` and ``schema_version``.

Telemetry is off until it is asked for (``fauna.telemetry.instrument()`` or
``Client(telemetry=...)``), and nothing here imports ``opentelemetry`` before
then: a client without it pays one attribute check per operation.

Not here: when the clients call this (their ``query``/``feed``/``stream``
code), and the wire itself; requests get their ``traceparent`` through
``Instruments.inject`` just before they are sent.
"""

from __future__ import annotations

import dataclasses
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fauna.client._config import ClientConfig
from fauna.client._requests import PreparedRequest
from fauna.encoding import QueryStats
from fauna.errors import FaunaError, ProtocolError
from fauna.query import Query
from fauna.query.query_builder import LiteralFragment

if TYPE_CHECKING:
    from opentelemetry.metrics import Histogram
    from opentelemetry.trace import Span, Tracer

SYSTEM_NAME = "fauna"
DURATION_METRIC = "db.client.operation.duration"
# The conventions' advice for db.client.operation.duration, in seconds.
DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0)
QUERY_TEXT_LIMIT = 4096
_INSTRUMENTATION_NAME = "fauna"
_MISSING_OTEL = (
    "OpenTelemetry is not installed: install the driver's 'otel' extra "
    "(pip install 'fauna[otel]') to turn telemetry on."
)


@dataclass(frozen=True)
class Telemetry:
    """Where a client's spans and metrics go.

    ``None`` providers mean OpenTelemetry's global ones (whatever the
    application set with ``trace.set_tracer_provider``). ``query_text=False``
    leaves ``db.query.text`` out, for applications that write secrets into
    the FQL text itself rather than passing them as arguments.
    """

    tracer_provider: Any = None
    meter_provider: Any = None
    query_text: bool = True


_installed: Telemetry | None = None
"""What ``instrument()`` turned on for every client not told otherwise."""


def instrument(
    tracer_provider: Any = None, meter_provider: Any = None, *, query_text: bool = True
) -> Telemetry:
    """Turn telemetry on for every client made with ``telemetry=None`` (the default)."""
    global _installed
    require_opentelemetry()
    _installed = Telemetry(tracer_provider, meter_provider, query_text)
    return _installed


def uninstrument() -> None:
    """Turn off what ``instrument()`` turned on; clients with their own ``telemetry`` keep it."""
    global _installed
    _installed = None


def require_opentelemetry() -> None:
    try:
        import opentelemetry.trace  # noqa: F401
    except ImportError as error:
        raise ImportError(_MISSING_OTEL) from error


class TelemetrySwitch:
    """One client's choice (``telemetry=``) and the instruments built for it.

    ``None`` follows ``instrument()``/``uninstrument()`` at each operation;
    ``False`` is off for good; ``True`` uses the global providers.
    """

    __slots__ = ("_built", "_built_for", "_choice", "_config")

    def __init__(self, choice: Telemetry | bool | None, config: ClientConfig) -> None:
        if choice is True:
            choice = Telemetry()
        if choice is not None and choice is not False and not isinstance(choice, Telemetry):
            raise TypeError(
                "'telemetry' must be True, False, None or a fauna.telemetry.Telemetry but was "
                f"a {type(choice)}."
            )
        if isinstance(choice, Telemetry):
            require_opentelemetry()
        self._choice = choice
        self._config = config
        self._built: Instruments | None = None
        self._built_for: Telemetry | None = None

    def current(self) -> Instruments | None:
        """The instruments to record with now, or ``None`` when telemetry is off."""
        choice = self._choice
        telemetry = _installed if choice is None else choice
        if not telemetry:
            return None
        assert isinstance(telemetry, Telemetry)
        if telemetry is not self._built_for:
            self._built = Instruments(telemetry, self._config)
            self._built_for = telemetry
        return self._built


def namespace_of(secret: str) -> str | None:
    """The database a scoped secret (``key:path/to/db:role``) names, else ``None``."""
    parts = secret.split(":")
    if len(parts) < 3 or not parts[1]:
        return None
    return ":".join(parts[1:-1])


def query_text(fql: Query) -> str:
    """``fql`` as FQL source, each argument (not a nested query) left out as ``?``."""
    pieces: list[str] = []
    _render(fql, pieces)
    text = "".join(pieces)
    return text if len(text) <= QUERY_TEXT_LIMIT else text[:QUERY_TEXT_LIMIT]


def _render(fql: Query, pieces: list[str]) -> None:
    for fragment in fql.fragments:
        if isinstance(fragment, LiteralFragment):
            pieces.append(fragment.get())
        else:
            value = fragment.get()
            if isinstance(value, Query):
                _render(value, pieces)
            else:
                pieces.append("?")


def error_type(error: BaseException) -> str:
    """``error.type``: FaunaDB's error code when it gave one, else the exception's class."""
    if isinstance(error, FaunaError) and error.code:
        return error.code
    return type(error).__qualname__


def stats_attributes(stats: QueryStats) -> dict[str, int]:
    return {
        "fauna.stats.compute_ops": stats.compute_ops,
        "fauna.stats.read_ops": stats.read_ops,
        "fauna.stats.write_ops": stats.write_ops,
        "fauna.stats.query_time_ms": stats.query_time_ms,
        "fauna.stats.storage_bytes_read": stats.storage_bytes_read,
        "fauna.stats.storage_bytes_write": stats.storage_bytes_write,
        "fauna.stats.contention_retries": stats.contention_retries,
        "fauna.stats.attempts": stats.attempts,
    }


def result_attributes(result: object) -> dict[str, Any]:
    """``fauna.*`` attributes of a ``QuerySuccess``, a ``FeedPage`` or a ``ServiceError``."""
    attributes: dict[str, Any] = {}
    stats = getattr(result, "stats", None)
    if isinstance(stats, QueryStats):
        attributes.update(stats_attributes(stats))
    txn_ts = getattr(result, "txn_ts", None)
    if isinstance(txn_ts, int):
        attributes["fauna.txn_ts"] = txn_ts
    schema_version = getattr(result, "schema_version", None)
    if isinstance(schema_version, int):
        attributes["fauna.schema_version"] = schema_version
    return attributes


class Instruments:
    """A tracer and the duration histogram, with the attributes every span of a client shares."""

    def __init__(self, telemetry: Telemetry, config: ClientConfig) -> None:
        from opentelemetry import context, metrics, propagate, trace

        from fauna import __version__

        # Looked up once: these run for every operation.
        self.attach = context.attach
        self.detach = context.detach
        self.in_context = trace.set_span_in_context
        self._inject = propagate.inject
        self._client_kind = trace.SpanKind.CLIENT

        self.tracer: Tracer = trace.get_tracer(
            _INSTRUMENTATION_NAME, __version__, tracer_provider=telemetry.tracer_provider
        )
        meter = metrics.get_meter(
            _INSTRUMENTATION_NAME, __version__, meter_provider=telemetry.meter_provider
        )
        self.duration: Histogram = meter.create_histogram(
            DURATION_METRIC,
            unit="s",
            description="Duration of database client operations.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.query_text = telemetry.query_text
        url = urllib.parse.urlsplit(config.endpoint)
        port = url.port or (443 if url.scheme == "https" else 80)
        self.common: dict[str, Any] = {"db.system.name": SYSTEM_NAME}
        namespace = namespace_of(config.secret)
        if namespace is not None:
            self.common["db.namespace"] = namespace
        self.common["server.address"] = url.hostname or ""
        self.common["server.port"] = port
        self._target = namespace if namespace is not None else f"{url.hostname}:{port}"

    def span_name(self, operation: str) -> str:
        return f"{operation} {self._target}"

    def operation(self, name: str, fql: Query | None = None) -> Operation:
        """A span (current while the operation runs) and a duration, for ``with``."""
        return Operation(self, name, fql)

    def stream(self) -> StreamSpan:
        return StreamSpan(self)

    def start_span(self, operation: str, fql: Query | None) -> Span:
        attributes = dict(self.common)
        attributes["db.operation.name"] = operation
        if fql is not None and self.query_text:
            attributes["db.query.text"] = query_text(fql)
        return self.tracer.start_span(
            self.span_name(operation),
            kind=self._client_kind,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        )

    def inject(self, request: PreparedRequest) -> PreparedRequest:
        """``request`` with the current trace context, unless the caller gave a traceparent."""
        headers = request.headers
        if "Traceparent" in headers or "traceparent" in headers:
            return request
        carrier: dict[str, str] = {}
        self._inject(carrier)
        if not carrier:
            return request
        return dataclasses.replace(request, headers={**headers, **carrier})


def record_failure(span: Span, error: BaseException) -> dict[str, Any]:
    """Mark ``span`` failed by ``error``; returns the attributes the histogram records too."""
    from opentelemetry.trace import Status, StatusCode

    attributes: dict[str, Any] = {"error.type": error_type(error)}
    if isinstance(error, FaunaError | ProtocolError):
        attributes["db.response.status_code"] = str(error.status_code)
    span.set_attributes(attributes)
    span.set_attributes(result_attributes(error))
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, str(error) or type(error).__name__))
    return attributes


class Operation:
    """One query, page or feed page: its span, current while it runs, and its duration."""

    __slots__ = ("_fql", "_instruments", "_name", "_span", "_start", "_token")

    def __init__(self, instruments: Instruments, name: str, fql: Query | None) -> None:
        self._instruments = instruments
        self._name = name
        self._fql = fql

    def __enter__(self) -> Operation:
        instruments = self._instruments
        self._start = time.perf_counter()
        self._span = instruments.start_span(self._name, self._fql)
        self._token = instruments.attach(instruments.in_context(self._span))
        return self

    def succeeded(self, result: object) -> None:
        """Note what FaunaDB reported for the result (stats, ``txn_ts``, ...)."""
        self._span.set_attributes(result_attributes(result))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        instruments = self._instruments
        attributes = dict(instruments.common)
        attributes["db.operation.name"] = self._name
        if error is not None:
            attributes.update(record_failure(self._span, error))
        instruments.detach(self._token)
        self._span.end()
        instruments.duration.record(time.perf_counter() - self._start, attributes)


class StreamSpan:
    """The span of one stream, from its first connection to its end; never left current.

    It is current only while a connection opens (so that connection's
    request carries it as ``traceparent``). It counts the connections and
    the events delivered; a stream's duration is how long a consumer kept it
    open, so it does not go into the operation-duration histogram.
    """

    __slots__ = ("_connections", "_events", "_instruments", "_span")

    def __init__(self, instruments: Instruments) -> None:
        self._instruments = instruments
        self._span: Span | None = None
        self._connections = 0
        self._events = 0

    @contextmanager
    def connecting(self) -> Iterator[None]:
        instruments = self._instruments
        if self._span is None:
            self._span = instruments.start_span("stream", None)
        self._connections += 1
        token = instruments.attach(instruments.in_context(self._span))
        try:
            yield
        finally:
            instruments.detach(token)

    def delivered(self) -> None:
        self._events += 1

    def finish(self, error: BaseException | None = None) -> None:
        """End the span (once); ``error`` is what ended the stream, if it failed."""
        span, self._span = self._span, None
        if span is None:
            return
        span.set_attributes(
            {"fauna.stream.connections": self._connections, "fauna.stream.events": self._events}
        )
        if error is not None:
            record_failure(span, error)
        span.end()
