"""The change log of an event source, read as FaunaDB's ``add``/``update``/``remove`` events.

``EventReader`` is the synchronous core shared by ``/stream/1`` and ``/feed/1``: given a token's
spec and the requesting principal, ``read(after, ...)`` opens one read-only transaction, reads
the source's collection's change log strictly after a cursor, and translates each change:

* the document before and after the change is run through the source's steps (``where``
  filters, ``map`` transforms, in order); "in the set" means no ``where`` dropped it;
* in before and after: ``update`` (dropped when ``eventsOn`` paths are given and none of them
  changed); only after: ``add``; only before: ``remove`` with the *previous* state as data;
  neither: no event (but the cursor still moves past it);
* a principal with a user-defined role (a ``Role``, a document identity's membership roles, a
  JWT's provider roles) sees only the versions its ``read`` privilege grants, each judged with
  that version: an unreadable version counts as not in the set, so a document becoming
  readable is an ``add`` and one becoming unreadable a ``remove`` (with the last readable
  data), and a change the role reads neither side of is skipped;
* a start (or cursor) older than the collection's retained history (``history_days`` plus
  15 minutes, ``faunalite.model.retention``) gives one ``invalid_stream_start_time`` error
  event, as FaunaDB's replay does;
* a query failure while evaluating (an ``abort`` in a predicate, a write attempt...) becomes an
  ``error`` event, and reading stops there.

Event objects are plain JSON in FaunaDB's key order, ``data`` always in the tagged format.
Documents are read at the instant of the change (``txn_ts - 1`` for before, ``txn_ts`` for
after), so an event shows the document as that transaction left it even when it is read later.

Cursors are ``EventCursor`` positions written as opaque base64 text. Blocking I/O: call from a
worker thread.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faunalite.events.capture import restore_function
from faunalite.events.sources import EventSourceSpec, FieldPath
from faunalite.fql.compare import equal
from faunalite.fql.context import COMPUTE_CALLS_PER_OP, QueryContext, QueryStats
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.iterables import predicate_holds
from faunalite.fql.values import NULL, Function, Null, Time, Value
from faunalite.model.retention import stored_min_valid_ts, too_far_in_the_past
from faunalite.storage.interface import (
    MAX_ORDINAL,
    ChangeEvent,
    DocKey,
    EventCursor,
    Storage,
    StoredValue,
    Transaction,
)
from faunalite.storage.keys import tuple_key
from faunalite.wire.encoding import JSON, ValueEncoder

if TYPE_CHECKING:
    from faunalite.engine import Principal
    from faunalite.model.access import UserRole
    from faunalite.model.documents import DocValue
    from faunalite.model.session import QuerySession

EVENT_QUERY_TIMEOUT_SECONDS = 10.0
"""How long evaluating the steps for one event may take (FaunaDB's ``StreamQueryTimeout``)."""
READ_BATCH = 64
"""Change-log entries read from storage at a time."""


class InvalidCursor(Exception):
    """A cursor string that is not one of ours."""


def encode_cursor(cursor: EventCursor) -> str:
    return base64.b64encode(f"{cursor.txn_ts}.{cursor.ordinal}".encode()).decode("ascii")


def decode_cursor(text: str) -> EventCursor:
    try:
        ts_text, _, ordinal_text = base64.b64decode(text, validate=True).decode().partition(".")
        cursor = EventCursor(int(ts_text), int(ordinal_text))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(text) from None
    if cursor.txn_ts < 0 or not 0 <= cursor.ordinal <= MAX_ORDINAL:
        raise InvalidCursor(text)
    return cursor


class SourceUnavailable(Exception):
    """The source can no longer be evaluated for this principal (database gone, collection
    gone, no read permission, captured code that no longer evaluates): ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def permission_loss() -> SourceUnavailable:
    """The principal that opened a source no longer holds what it did: the source ends."""
    return SourceUnavailable("permission_loss", "Stream authentication is no longer valid.")


@dataclass(slots=True)
class EventStats:
    """The ``stats`` of an event or a page (FaunaDB's stream stats keys)."""

    read_ops: int = 0
    storage_bytes_read: int = 0
    compute_calls: int = 0
    processing_ms: float = 0.0

    def add(self, other: EventStats) -> None:
        self.read_ops += other.read_ops
        self.storage_bytes_read += other.storage_bytes_read
        self.compute_calls += other.compute_calls
        self.processing_ms += other.processing_ms

    def to_json(self) -> dict[str, JSON]:
        return {
            "read_ops": self.read_ops,
            "storage_bytes_read": self.storage_bytes_read,
            "compute_ops": max(1, math.ceil(self.compute_calls / COMPUTE_CALLS_PER_OP)),
            "processing_time_ms": int(self.processing_ms),
            "rate_limits_hit": [],
        }


@dataclass(slots=True)
class ReadResult:
    """What one ``EventReader.read`` produced."""

    events: list[dict[str, JSON]] = field(default_factory=list)
    position: EventCursor = field(default_factory=lambda: EventCursor(0, 0))
    """Past the last change examined (emitted or filtered); where the next read starts."""
    snapshot_ts: int = 0
    """The newest commit the read could see."""
    more: bool = False
    """Whether the change log holds entries past ``position`` (within the snapshot)."""
    failed: bool = False
    """The last event is an ``error`` event: the stream ends, the page stops."""
    stats: EventStats = field(default_factory=EventStats)


def status_event(
    txn_ts: int, cursor: EventCursor, stats: EventStats | None = None
) -> dict[str, JSON]:
    return {
        "type": "status",
        "txn_ts": txn_ts,
        "cursor": encode_cursor(cursor),
        "stats": (stats or EventStats()).to_json(),
    }


def error_event(
    code: str, message: str, abort: JSON = None, stats: EventStats | None = None
) -> dict[str, JSON]:
    error: dict[str, JSON] = {"code": code, "message": message}
    if abort is not None:
        error["abort"] = abort
    return {"type": "error", "error": error, "stats": (stats or EventStats()).to_json()}


class EventReader:
    """Reads one event source's events for one principal (see the module docstring)."""

    def __init__(
        self,
        storage: Storage,
        spec: EventSourceSpec,
        principal: Principal,
        still_authorized: Callable[[], bool] | None = None,
    ) -> None:
        self.storage = storage
        self.spec = spec
        self.principal = principal
        self.still_authorized = still_authorized
        """Asked before every read: ``False`` once the secret that opened the source no
        longer grants what it did (its key or token deleted or expired), which ends it."""
        self.opened = False
        """Set once ``check`` passed: from then on a lost right is ``permission_loss``."""
        self.granted: UserRole | None = None
        """The user-defined privileges the source was opened with: once they differ (the
        ``Role`` updated, a membership that no longer applies), the source ends, as
        FaunaDB's ``Auth.revalidate`` compares the roles' evaluation context."""

    def _check_authorized(self) -> None:
        if self.still_authorized is not None and not self.still_authorized():
            raise permission_loss()

    def check(self) -> int:
        """Evaluate the source once now: raises ``SourceUnavailable`` if it cannot run.
        Returns the latest commit ts."""
        self._check_authorized()
        with self.storage.transaction() as txn:
            translation = _Translation(self, txn)
            self.granted = translation.session.user_role
            self.opened = True
            return txn.snapshot_ts

    def read(
        self, after: EventCursor, *, max_events: int, max_changes: int | None = None
    ) -> ReadResult:
        """Events strictly after ``after``: stops after ``max_events`` events, ``max_changes``
        change-log entries, the first error event, or the end of the log."""
        self._check_authorized()
        result = ReadResult(position=after)
        with self.storage.transaction() as txn:
            result.snapshot_ts = txn.snapshot_ts
            if after.txn_ts < stored_min_valid_ts(txn, self.spec.scope, self.spec.root.collection):
                # The history to replay is gone, or may be: FaunaDB's ``canReadAt``.
                result.events.append(
                    error_event("invalid_stream_start_time", too_far_in_the_past(after.txn_ts))
                )
                result.failed = True
                return result
            translation = _Translation(self, txn)
            examined = 0
            while True:
                batch = txn.events_after(
                    self.spec.scope, [self.spec.root.collection], result.position, limit=READ_BATCH
                )
                for change in batch:
                    if len(result.events) >= max_events or (
                        max_changes is not None and examined >= max_changes
                    ):
                        result.more = True
                        return result
                    examined += 1
                    event = translation.translate(change)
                    result.position = change.cursor
                    if event is None:
                        continue
                    result.events.append(event.body)
                    result.stats.add(event.stats)
                    if event.failed:
                        result.failed = True
                        result.more = True
                        return result
                if len(batch) < READ_BATCH:
                    # Every change up to the snapshot was examined: later reads may start
                    # there, so that idle sources do not hold on to old history.
                    result.position = max(result.position, EventCursor.after_ts(result.snapshot_ts))
                    return result


@dataclass(slots=True)
class _Event:
    body: dict[str, JSON]
    stats: EventStats
    failed: bool = False


class _Translation:
    """The evaluation state of one read: a session on the read transaction, the source's
    steps rebuilt in it, and the context their functions run in."""

    def __init__(self, reader: EventReader, txn: Transaction) -> None:
        from faunalite.fql.interpreter import Interpreter
        from faunalite.model.hooks import open_session

        spec = reader.spec
        self.spec = spec
        database = txn.database(spec.scope)
        if database is None:
            raise permission_loss()
        principal = reader.principal
        session = open_session(
            txn,
            database,
            principal.role,
            reader.storage.new_id,
            token=principal.token,
            claims=principal.claims,
        )
        if session is None:
            # Its Role, identity document or JWT's provider roles are gone.
            raise permission_loss()
        session.snapshot_reads = True
        self.session: QuerySession = session
        self.ctx = QueryContext(
            snapshot_time=Time(txn.snapshot_ts * 1000),
            storage=self.session,
            deadline=time.monotonic() + EVENT_QUERY_TIMEOUT_SECONDS,
        )
        self.session.stats = self.ctx.stats
        self.session.query_context = self.ctx
        self.ctx.interpreter = Interpreter(self.ctx)
        self._check_reads(reader)
        self.encoder = ValueEncoder(tagged=True, transaction_time=Time(txn.snapshot_ts * 1000))
        if spec.root.kind != "single" and self.session.resolve_global(spec.root.collection) is None:
            raise SourceUnavailable(
                "invalid_request", f"Collection `{spec.root.collection}` does not exist."
            )
        try:
            self.steps: list[tuple[str, Function]] = [
                (step.kind, restore_function(self.ctx, self.session, step.function.to_json()))
                for step in spec.steps
            ]
        except QueryError as error:
            raise SourceUnavailable("invalid_request", error.message) from None

    def _check_reads(self, reader: EventReader) -> None:
        """The principal reads the source's collection: the built-in roles that read every
        collection, or a user role (a ``Role``, a document identity's membership roles, a
        JWT's provider roles) holding ``read`` on it. Refused when the source is opened
        (``permission_denied``, as a Set is refused); privileges that changed since then
        end it (``permission_loss``)."""
        from faunalite.model.session import permission_denied

        role = self.session.user_role
        if reader.opened and role != reader.granted:
            raise permission_loss()
        if role is None:
            allowed = self.session.role in ("admin", "server", "server-readonly")
        else:
            allowed = self.session.may_read(self.spec.root.collection)
        if allowed:
            return
        if reader.opened:
            raise permission_loss()
        raise SourceUnavailable("permission_denied", permission_denied().message)

    def _version(self, collection: str, key: DocKey, ts: int) -> DocValue | None:
        """The document as it was at ``ts``, ``None`` when the principal may not read it: a
        user role's ``read`` privilege decides, its predicate getting that version (the
        session's ``snapshot_reads``); built-in roles read every version."""
        from faunalite.model.documents import make_doc

        doc = make_doc(self.session, collection, key, ts)
        if self.session.user_role is not None and not self.session.may_read_document(doc):
            return None
        return doc

    # -- one change -------------------------------------------------------------------------

    def translate(self, change: ChangeEvent) -> _Event | None:
        root = self.spec.root
        if root.kind == "single" and change.key != root.key:
            return None
        started = time.perf_counter()
        stats = self.ctx.stats
        self.ctx.stats = self.session.stats = QueryStats()
        self.ctx.deadline = time.monotonic() + EVENT_QUERY_TIMEOUT_SECONDS
        try:
            event = self._classify(change)
        except QueryError as error:
            abort = None
            message = error.message
            if error.code == "abort":
                abort = self.encoder.encode(error.abort)
            elif error.code == "invalid_effect":
                message = "Writes are disallowed in stream subscriptions."
            event = _Event(error_event(error.code, message, abort), EventStats(), True)
        finally:
            counters = self.ctx.stats
            self.ctx.stats = self.session.stats = stats
        if event is None:
            return None
        event.stats = EventStats(
            counters.read_ops,
            counters.storage_bytes_read,
            counters.compute_calls,
            (time.perf_counter() - started) * 1000,
        )
        event.body["stats"] = event.stats.to_json()
        return event

    def _classify(self, change: ChangeEvent) -> _Event | None:
        ts = change.cursor.txn_ts
        before_doc = after_doc = before = after = None
        in_before = in_after = False
        if change.before is not None and self._in_root(change.key, change.before, ts):
            before_doc = self._version(change.collection, change.key, ts - 1)
            if before_doc is not None:
                in_before, before = self._run_steps(before_doc)
        if change.after is not None and self._in_root(change.key, change.after, ts):
            after_doc = self._version(change.collection, change.key, ts)
            if after_doc is not None:
                in_after, after = self._run_steps(after_doc)
        if in_before and in_after and not self._watched_changed(before_doc, after_doc):
            return None
        if in_after:
            kind, data = ("update" if in_before else "add"), after
        elif in_before:
            kind, data = "remove", before
        else:
            return None
        body: dict[str, JSON] = {
            "type": kind,
            "data": self.encoder.encode(data),
            "txn_ts": ts,
            "cursor": encode_cursor(change.cursor),
        }
        return _Event(body, EventStats())

    def _in_root(self, key: DocKey, stored: StoredValue, ts: int) -> bool:
        """Whether a document version belongs to an index root (always, for other roots)."""
        root = self.spec.root
        if root.kind != "index":
            return True
        from faunalite.model.indexes import collection_schema

        schema = collection_schema(self.session, root.collection)
        index = None
        if schema is not None:
            index = next(
                (found for found in schema.storage_indexes() if found.storage_name == root.index),
                None,
            )
        if index is None:
            raise QueryError("invalid_request", f"The index `{root.text}` no longer exists.")
        wanted = tuple_key(root.terms)
        return any(tuple_key(entry.terms) == wanted for entry in index.entries(key, stored, ts))

    def _run_steps(self, element: Value) -> tuple[bool, Value]:
        """Whether ``element`` stays in the set, and what it becomes."""
        from faunalite.model.sets import call_set_function

        ctx = self.ctx

        def call(function: Function, args: list[Value]) -> Value:
            return call_set_function(ctx, function, args)

        for kind, function in self.steps:
            if kind == "where":
                if not predicate_holds(call, function, element):
                    return False, None
            else:
                element = call(function, [element])
        return True, element

    def _watched_changed(self, before: Value, after: Value) -> bool:
        watched = self.spec.watched
        if watched is None:
            return True
        return any(not equal(_read_path(before, path), _read_path(after, path)) for path in watched)


def _read_path(value: Value, path: FieldPath) -> Value:
    """The value at ``path`` in a document or object; null where the path leads nowhere."""
    from faunalite.model.documents import DocValue

    for step in path:
        if isinstance(step, int):
            value = value[step] if type(value) is list and step < len(value) else NULL
        elif type(value) is dict:
            value = value.get(step, NULL)
        elif isinstance(value, DocValue):
            found = value.fql_get_field(step)
            value = NULL if found is None else found
        else:
            return NULL
        if isinstance(value, Null):
            return NULL
    return value
