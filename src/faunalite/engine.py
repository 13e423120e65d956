"""The façade between the HTTP server and the FQL engine: one request in, one result out.

``Engine.run(QueryRequest) -> QueryResult`` does what FaunaDB's ``/query/1`` endpoint does
after the HTTP layer has read the headers and the body: decode the arguments, parse the query,
bind the template values, evaluate under the deadline, encode the result in the requested
format, render the ``summary``, count ``stats`` and stamp a ``txn_ts``. The deadline is
checked after parsing, during evaluation, after it and after encoding: a query past it
answers ``time_out`` and commits nothing. The result is the HTTP
status and the JSON body FaunaDB would send; there is no HTTP here, so the engine can be
driven directly (tests, embedding). Parsed queries are cached by text (``parse_cache``), as
drivers repeat the same text with different arguments.

One ``Engine`` serves one data directory (or memory) for the life of a server. Databases are
addressed by the principal's path. Each query runs in one storage transaction
(``faunalite.model.hooks.DataModel.query_session``). A query is first tried on a snapshot
reader (unless it names a write method), and readers run concurrently with each other and
with the writer; one that writes is rolled back and run again as a writer. Writers on one
database are serialised in arrival order (``FairLock``; a writer gives up at its deadline),
and the storage's single writer lock, fair too, orders writes across databases,
so every query sees one consistent snapshot and writes commit one at a time (serializable).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from faunalite.fql.ast import QueryTree
    from faunalite.model.session import QuerySession

from faunalite.fql.context import QueryTimedOut
from faunalite.fql.errors import CheckDiagnostic, QueryCheckError, QueryError, RequestLevelError
from faunalite.fql.span import QUERY_SOURCE_NAME, Source, Span
from faunalite.fql.values import Time, Value
from faunalite.fql.walk_clock import walks_bounded_by
from faunalite.storage.fair_lock import FairLock
from faunalite.wire.decoding import (
    InvalidValue,
    ValueResolver,
    decode_simple,
    decode_tagged,
)
from faunalite.wire.encoding import JSON, EncodingTimedOut, ValueEncoder
from faunalite.wire.request import QueryBody

WireFormat = Literal["simple", "tagged", "decorated"]

DEFAULT_TIMEOUT_MS = 120_000
"""FaunaDB's query deadline when ``X-Query-Timeout-Ms`` is not sent (2 minutes)."""
AGGRESSIVE_TIMEOUT_MS = 1000
"""A deadline that runs out sooner than this after the request started is the client's fault
(440); a later one is the server's (503)."""
MIN_QUERY_TIME_MS = 2
"""FaunaDB cannot answer any query, however trivial, within a 1 ms deadline (its own protocol
test counts on ``x-query-timeout-ms: 1`` always giving 440), while faunalite sometimes can. A
deadline shorter than this is therefore refused before the query runs, as FaunaDB would time
it out; longer ones are met or missed by the clock, as there."""

PROTOCOL_STATUS = {
    "invalid_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "contended_transaction": 409,
    "request_size_exceeded": 413,
    "limit_exceeded": 429,
    "time_out": 503,
    "internal_error": 500,
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request runs as: a database (path of child database names from the root, ``()``
    for the root itself) and a role (``admin``, ``server``, ``server-readonly``, ``client``,
    ``@role/<name>`` or ``@doc/<Collection>/<id>``) and, for a token's secret, the token's id
    (``Query.token()``)."""

    database: tuple[str, ...] = ()
    role: str = "admin"
    token: int | None = None
    claims: Mapping[str, Any] | None = field(default=None, compare=False)
    """For a JWT (role ``@provider/<name>``): its verified payload, which the provider's role
    predicates read."""


ROOT_ADMIN = Principal()


@dataclass(slots=True)
class QueryRequest:
    """One ``/query/1`` request, its headers already validated (see ``faunalite.server``)."""

    body: QueryBody
    principal: Principal = ROOT_ADMIN
    format: WireFormat = "simple"
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    typecheck: bool | None = None
    linearized: bool = False
    performance_hints: bool = False
    last_txn_ts: int | None = None
    max_contention_retries: int | None = None
    query_tags: dict[str, str] = field(default_factory=dict)
    received_at: float = field(default_factory=time.monotonic)
    """``time.monotonic()`` when the request arrived: deadlines and ``query_time_ms`` count
    from here, as FaunaDB counts from the start of the request."""

    @property
    def deadline(self) -> float:
        """The ``time.monotonic()`` instant after which the query must answer ``time_out``."""
        return self.received_at + self.timeout_ms / 1000

    def past_deadline(self) -> bool:
        return time.monotonic() > self.deadline


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The reply: HTTP status, JSON body (keys in FaunaDB's order) and extra headers."""

    status: int
    body: dict[str, JSON]
    headers: tuple[tuple[str, str], ...] = ()


def render_query_tags(tags: dict[str, str]) -> str:
    """Tags as the ``query_tags`` string: ``k=v`` pairs joined by commas, in ``tags`` order."""
    return ",".join(f"{key}={value}" for key, value in tags.items())


def protocol_error(
    code: str,
    message: str,
    *,
    query_tags: dict[str, str] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    status: int | None = None,
) -> QueryResult:
    """FaunaDB's protocol-error reply ``{"error": {code, message}}`` (no summary, no stats).

    ``query_tags`` are echoed only for errors raised once the request was accepted
    (unauthorized, undecodable argument), as FaunaDB does.
    """
    body: dict[str, JSON] = {"error": {"code": code, "message": message}}
    if query_tags:
        body["query_tags"] = render_query_tags(query_tags)
    return QueryResult(status or PROTOCOL_STATUS[code], body, headers)


def unauthorized(query_tags: dict[str, str] | None = None) -> QueryResult:
    """401 ``unauthorized`` "Access token required", with ``WWW-Authenticate: Bearer``."""
    return protocol_error(
        "unauthorized",
        "Access token required",
        query_tags=query_tags,
        headers=(("www-authenticate", "Bearer"),),
    )


def deadline_unmeetable(timeout_ms: int) -> bool:
    """Whether FaunaDB could never answer within ``timeout_ms`` (see ``MIN_QUERY_TIME_MS``)."""
    return timeout_ms < MIN_QUERY_TIME_MS


def timed_out(received_at: float, timeout_ms: int) -> QueryResult:
    """FaunaDB's reply to a request whose deadline ran out: 440 when that happened within
    ``AGGRESSIVE_TIMEOUT_MS`` of its start (the client asked too much), else 503.

    The elapsed time reported is never less than the deadline: FaunaDB's timer fires only once
    the deadline has passed, even when faunalite refused the request before running it.
    """
    elapsed_ms = max(int((time.monotonic() - received_at) * 1000), timeout_ms)
    if elapsed_ms < AGGRESSIVE_TIMEOUT_MS:
        return protocol_error(
            "time_out",
            f"Client set aggressive deadline: query needs {AGGRESSIVE_TIMEOUT_MS}, "
            f"timed out within {elapsed_ms}",
            status=440,
        )
    return protocol_error("time_out", "Read timed out")


@dataclass(slots=True)
class _Evaluation:
    """What running one query produced, before it is rendered as a reply."""

    txn_ts: int
    context: Any = None
    value: Value = None
    error: QueryError | None = None
    schema_version: int = 0
    static_type: str | None = None
    """The result's inferred type, when the query was typechecked and its type is known."""


DEFAULT_TYPECHECKED = True
"""Whether a query is typechecked when neither ``X-Typecheck`` nor any database on its path
says: FaunaDB's default (``Database.isTypechecked``). faunalite's checker only rejects what
FaunaDB is known to reject and leaves ``static_type`` out where it cannot type the query
(see ``faunalite.fql.typer``), so being on by default never refuses a query FaunaDB takes."""

DATA_FILE_NAME = "faunalite.sqlite3"


def database_file(data_path: str | None) -> str:
    """The SQLite file for a data directory (created if missing), or ``:memory:``."""
    if data_path is None:
        return ":memory:"
    os.makedirs(data_path, exist_ok=True)
    return os.path.join(data_path, DATA_FILE_NAME)


class Engine:
    """The query engine of one faunalite server.

    ``data_path`` is the data directory (created if missing; the databases live in one SQLite
    file inside it), ``None`` for memory only. The data model
    (``faunalite.model.hooks.DataModel``) owns the storage.
    """

    def __init__(self, *, data_path: str | None = None) -> None:
        from faunalite.fql.parse_cache import ParseCache
        from faunalite.fql.typer import TypecheckCache
        from faunalite.model.hooks import DataModel
        from faunalite.storage import SQLiteStorage

        self.data_path = data_path
        self.parse_cache = ParseCache()
        """Trees of the query texts run lately: a repeated text is not parsed again."""
        self.typecheck_cache = TypecheckCache()
        """Checks of the queries run lately, per text, schema version and argument types."""
        self.model = DataModel(SQLiteStorage(database_file(data_path)))
        self._database_locks: dict[tuple[str, ...], FairLock] = {}
        self._locks_guard = threading.Lock()

    # -- databases and keys -------------------------------------------------------------------

    def database_exists(self, path: tuple[str, ...]) -> bool:
        """Whether a scoped secret's database path names a database."""
        return self.model.database_exists(path)

    def principal_for_key(self, secret: str) -> Principal | None:
        """The principal a live key's or token's secret grants, before any scope on it."""
        from faunalite.model.access import principal_role

        granted = self.model.principal_for_key(secret)
        if granted is not None:
            database, role = granted
            return Principal(database, principal_role(role))
        token = self.model.principal_for_token(secret)
        if token is None:
            return None
        database, role, token_id = token
        return Principal(database, role, token_id)

    def close(self) -> None:
        """Release what the engine holds: its storage."""
        self.model.close()

    # -- running queries ---------------------------------------------------------------------

    def run(self, request: QueryRequest) -> QueryResult:
        """Run one query and return FaunaDB's reply for it: one storage transaction, in the
        principal's database, committed on success and rolled back on any failure."""
        if deadline_unmeetable(request.timeout_ms):
            return self._timed_out(request)
        with walks_bounded_by(request.deadline):
            return self._run_as_reader_or_writer(request)

    def _run_as_reader_or_writer(self, request: QueryRequest) -> QueryResult:
        from faunalite.model.hooks import UnknownDatabase
        from faunalite.storage import ReadOnlyTransactionError

        principal = request.principal
        try:
            if _may_only_read(request):
                try:
                    with self.model.query_session(
                        principal.database,
                        principal.role,
                        write=False,
                        token=principal.token,
                        claims=principal.claims,
                    ) as session:
                        return self._run_in_session(request, session)
                except ReadOnlyTransactionError:
                    pass  # it writes after all: start again, as a writer
            # Writers queue for their database in arrival order, and no longer than their
            # deadline: behind a query that overran its own, they answer time_out in time.
            lock = self._database_lock(principal.database)
            if not lock.acquire(request.deadline):
                return self._timed_out(request)
            try:
                with self.model.query_session(
                    principal.database,
                    principal.role,
                    token=principal.token,
                    claims=principal.claims,
                ) as session:
                    return self._run_in_session(request, session)
            finally:
                lock.release()
        except UnknownDatabase:
            return unauthorized(request.query_tags)

    def _run_in_session(self, request: QueryRequest, session: QuerySession) -> QueryResult:
        resolver = self.model.resolver(session)
        arguments: dict[str, Value] = {}
        for name, data in request.body.arguments.items():
            try:
                if request.format == "simple":
                    arguments[name] = decode_simple(data)
                else:
                    arguments[name] = decode_tagged(data, resolver)
            except InvalidValue as error:
                session.rollback()
                return protocol_error(
                    "invalid_request",
                    f"Invalid argument '{name}': {error.reason}",
                    query_tags=request.query_tags,
                )
        evaluation = self._evaluate(request, arguments, resolver, session)
        if request.past_deadline():
            # Whatever the evaluation produced (a long literal or a native call runs without
            # deadline checks), a query past its deadline answers time_out.
            evaluation.error = QueryTimedOut()
        if evaluation.error is not None:
            session.rollback()
            if evaluation.error.code == "time_out":
                return self._timed_out(request)
            if isinstance(evaluation.error, RequestLevelError):
                return protocol_error(
                    evaluation.error.code,
                    evaluation.error.message,
                    query_tags=request.query_tags,
                )
        evaluation.schema_version = self.model.schema_version(session)
        # Encoded before the transaction ends: documents in the result are read lazily.
        try:
            result = self._reply(request, evaluation)
        except EncodingTimedOut:
            session.rollback()
            return self._timed_out(request)
        except QueryError as error:
            # The decorated format renders the result as FQL text, which can be too large.
            session.rollback()
            evaluation.error = error
            result = self._reply(request, evaluation)
        except RecursionError:
            from faunalite.fql.interpreter import stack_overflow

            # A value nested deeper than the encoder's walk can follow: the query fails with
            # stack_overflow, and a failed query commits nothing.
            session.rollback()
            evaluation.error = stack_overflow()
            result = self._reply(request, evaluation)
        if request.past_deadline():
            # Encoding ran out the clock: nothing is committed and the reply is time_out.
            session.rollback()
            return self._timed_out(request)
        return result

    def _database_lock(self, path: tuple[str, ...]) -> FairLock:
        with self._locks_guard:
            lock = self._database_locks.get(path)
            if lock is None:
                lock = self._database_locks[path] = FairLock()
            return lock

    def _evaluate(
        self,
        request: QueryRequest,
        arguments: dict[str, Value],
        resolver: ValueResolver,
        session: QuerySession,
    ) -> _Evaluation:
        from faunalite.fql.context import QueryContext
        from faunalite.fql.interpreter import run_query, stack_overflow
        from faunalite.model.set_cursors import materialize_result

        txn_ts = session.txn_ts
        flat = request.body.query
        context = QueryContext(
            snapshot_time=Time(txn_ts * 1000),
            deadline=request.deadline,
            id_source=self.model.storage.new_id,
            storage=session,
        )
        session.stats = context.stats
        session.query_context = context
        evaluation = _Evaluation(txn_ts, context)
        failures: list[CheckDiagnostic] = []
        tree: QueryTree | None = None
        try:
            tree = self.parse_cache.parse(flat.text, QUERY_SOURCE_NAME, deadline=request.deadline)
        except QueryCheckError as error:
            failures.extend(error.diagnostics)
        except QueryTimedOut as error:
            evaluation.error = error
            return evaluation
        if request.past_deadline():
            evaluation.error = QueryTimedOut()
            return evaluation
        # Template values are checked with the query: a bad one is an invalid_query located
        # at its placeholder, reported alongside any parse errors.
        source = Source(QUERY_SOURCE_NAME, flat.text)
        placeholders: dict[str, Value] = {}
        for placeholder in flat.placeholders:
            try:
                placeholders[placeholder.name] = decode_tagged(placeholder.data, resolver)
            except InvalidValue as error:
                end = placeholder.offset + len(placeholder.name)
                failures.append(
                    CheckDiagnostic(error.reason, Span(placeholder.offset, end, source))
                )
        if failures or tree is None:
            evaluation.error = QueryCheckError(failures)
            return evaluation
        # Placeholders win over an argument that happens to be called `$0`.
        context.bindings = {**arguments, **placeholders}
        if self._typechecked(request, session):
            from faunalite.fql.typer import static_type_of

            context.typechecked = True
            inference = self.typecheck_cache.check(
                tree,
                session.database.schema_version,
                context.bindings,
                session.knows_global,
                session.user_collection_table,
                session.database.scope,
            )
            if inference.errors:
                evaluation.error = QueryCheckError(inference.errors)
                return evaluation
            evaluation.static_type = static_type_of(inference)
        try:
            # Sets in the result become their first page now, while the query can still fail.
            evaluation.value = materialize_result(run_query(tree, context), context)
        except QueryError as error:
            evaluation.error = error
        except RecursionError:
            # A value built at run time nests deeper than the stack (materialising walks it).
            evaluation.error = stack_overflow().at(tree.body.span)
        return evaluation

    def _timed_out(self, request: QueryRequest) -> QueryResult:
        return timed_out(request.received_at, request.timeout_ms)

    @staticmethod
    def _typechecked(request: QueryRequest, session: QuerySession) -> bool:
        """The ``X-Typecheck`` header if sent, else the database's ``typechecked`` setting
        (inherited from its parents), else ``DEFAULT_TYPECHECKED``."""
        from faunalite.model.databases import database_typechecked

        if request.typecheck is not None:
            return request.typecheck
        setting = database_typechecked(session.txn, session.database.path)
        return DEFAULT_TYPECHECKED if setting is None else setting

    def _reply(self, request: QueryRequest, evaluation: _Evaluation) -> QueryResult:
        encoder = ValueEncoder(
            tagged=request.format != "simple",
            transaction_time=Time(evaluation.txn_ts * 1000),
            deadline=request.deadline,
        )
        error = evaluation.error
        body: dict[str, JSON]
        if error is None:
            body = {"data": _encode_result(encoder, request.format, evaluation.value)}
            if evaluation.static_type is not None:
                body["static_type"] = evaluation.static_type
            status = 200
        else:
            details: dict[str, JSON] = {"code": error.code, "message": error.message}
            if error.constraint_failures:
                details["constraint_failures"] = error.constraint_failures
            if error.code == "abort":
                details["abort"] = _encode_result(encoder, request.format, error.abort)
            body = {"error": details}
            status = 400
        body["summary"] = _summary(evaluation)
        body["txn_ts"] = evaluation.txn_ts
        body["stats"] = _stats(request, evaluation)
        if request.query_tags:
            body["query_tags"] = render_query_tags(request.query_tags)
        body["schema_version"] = evaluation.schema_version
        return QueryResult(status, body)


_WRITE_METHOD = re.compile(
    r"\b(?:create|createData|update|updateData|replace|replaceData|delete|upsert)\b"
)
"""Names of the write methods: a query naming one likely writes (only a hint, see below)."""


def _may_only_read(request: QueryRequest) -> bool:
    """Whether to try ``request`` on a snapshot reader first. Readers run concurrently with
    each other and with the writer; a query that turns out to write is rolled back and run
    again as a writer, so this guess only saves that second run, never changes an answer.
    Linearized queries always go through the writer (FaunaDB orders them in its log)."""
    return not request.linearized and _WRITE_METHOD.search(request.body.query.text) is None


def _encode_result(encoder: ValueEncoder, wire_format: WireFormat, value: Value) -> JSON:
    if wire_format == "decorated":
        from faunalite.fql.display import debug

        return debug(value)
    return encoder.encode(value)


def _summary(evaluation: _Evaluation) -> str:
    """The failure (with its check diagnostics), then the ``log``/``dbg`` output in order."""
    from faunalite.fql.context import LogEntry
    from faunalite.fql.diagnostics import join_summary, render_debug, render_error, render_log

    parts = [] if evaluation.error is None else [render_error(evaluation.error)]
    for entry in evaluation.context.diagnostics:
        if entry.span is None:
            # Only native code outside any call site logs without a position.
            parts.append(f"info: {entry.message}")
        elif isinstance(entry, LogEntry):
            parts.append(render_log(entry.span, entry.message))
        else:
            parts.append(render_debug(entry.span, entry.message))
    return join_summary(parts)


def _stats(request: QueryRequest, evaluation: _Evaluation) -> dict[str, JSON]:
    counters = evaluation.context.stats
    return {
        "compute_ops": counters.compute_ops,
        "read_ops": counters.read_ops,
        "write_ops": counters.write_ops,
        "query_time_ms": int((time.monotonic() - request.received_at) * 1000),
        "contention_retries": 0,
        "storage_bytes_read": counters.storage_bytes_read,
        "storage_bytes_write": counters.storage_bytes_write,
        "rate_limits_hit": [],
    }
