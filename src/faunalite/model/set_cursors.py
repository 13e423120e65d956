"""Pages of Sets and the cursors that continue them, in-query and on the wire.

A Set returned by a query becomes its first page (``materialize_result``), encoded as
``@set {data, after}``; ``set.paginate(n)`` returns a plain ``{data, after}`` object; the
``after`` cursor continues with ``Set.paginate(cursor)`` in the same or a later query, reading
**the snapshot of the query that created the set**, so pages stay consistent under later
writes.

Cursor design (a trade-off, chosen deliberately): a cursor is an opaque random token naming an
entry in a server-side ``CursorTable``. The entry keeps the live Set (its plan, including the
lambdas and the values they closed over), the position after the page's last element, the
snapshot time and the page size. FaunaDB instead serialises the reified set expression into
the token itself, so its cursors survive restarts and live forever. Serialising arbitrary
closures (documents, nested sets, functions) faithfully is a project of its own; the table is
exact for everything a running server does, at two costs: cursors die with the process, and
they expire (``CURSOR_TTL_SECONDS``). The table is bounded, since every paginated page adds
an entry that may hold large values: by count (``CURSOR_TABLE_CAPACITY``) and by the
approximate memory of what the entries hold (``CURSOR_TABLE_MAX_BYTES``); past either, the
least recently used cursors are forgotten. An unknown, expired, forgotten or malformed token
is FaunaDB's ``invalid_cursor`` ``Cursor cursor is invalid or expired.``, what FaunaDB
answers for a token it cannot use.
Entries are immutable, so a cursor can be followed any number of times.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from faunalite.fql.display import debug, quote_string
from faunalite.fql.environment import Scope
from faunalite.fql.errors import QueryError
from faunalite.fql.values import Lambda, StorageValue, Time, Value
from faunalite.model.set_sources import Position
from faunalite.model.sets import MAX_SET_ELEMENTS, SetValue
from faunalite.wire.encoding import JSON, ValueEncoder, register_storage_encoder

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

SET_MATERIALIZATION_DEPTH = 10
"""Sets nested deeper than this in a result are sent as bare cursors."""

CURSOR_TTL_SECONDS = 24 * 60 * 60
"""How long a cursor stays valid after it was issued."""

CURSOR_TABLE_CAPACITY = 50_000
"""The most live cursors kept; the least recently used are forgotten first."""

CURSOR_TABLE_MAX_BYTES = 256 * 1024**2
"""The most memory the live cursors' sets may hold, approximately (``approximate_bytes``)."""


def invalid_cursor() -> QueryError:
    return QueryError("invalid_cursor", "Cursor cursor is invalid or expired.")


def check_page_size(size: int) -> int:
    """A page size must be 1..16000 (``invalid_bounds`` otherwise)."""
    if not 1 <= size <= MAX_SET_ELEMENTS:
        raise QueryError(
            "invalid_bounds",
            f"expected `size` to be between 1 and {MAX_SET_ELEMENTS} (inclusive), received {size}",
        )
    return size


# -- the cursor table ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CursorEntry:
    """What a cursor continues: ``set_value`` after ``position`` (``None``: from its start),
    read at ``snapshot_ns``, ``page_size`` elements a page unless the caller gives a size."""

    set_value: SetValue
    position: Position | None
    snapshot_ns: int
    page_size: int
    expires_at: float
    size_bytes: int
    """What the entry holds, approximately (``approximate_bytes``)."""


class CursorTable:
    """Live cursors by token, forgotten after ``ttl`` seconds, and least recently used first
    when there are more than ``capacity`` or they hold more than ``max_bytes``."""

    def __init__(
        self,
        *,
        ttl: float = CURSOR_TTL_SECONDS,
        capacity: int = CURSOR_TABLE_CAPACITY,
        max_bytes: int = CURSOR_TABLE_MAX_BYTES,
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, CursorEntry] = OrderedDict()
        """Least recently issued or followed first."""
        self._bytes = 0
        self._lock = threading.Lock()

    def issue(
        self, set_value: SetValue, position: Position | None, snapshot_ns: int, page_size: int
    ) -> SetCursor:
        # Standard padded base64, like FaunaDB's tokens; 24 random bytes cannot be guessed.
        token = base64.b64encode(secrets.token_bytes(24)).decode("ascii")
        # Measured outside the lock: the walk is bounded, but not free.
        size = approximate_bytes((set_value, position), self.max_bytes)
        now = time.monotonic()
        entry = CursorEntry(set_value, position, snapshot_ns, page_size, now + self.ttl, size)
        with self._lock:
            self._entries[token] = entry
            self._bytes += size
            self._forget_old(now)
        return SetCursor(token)

    def lookup(self, token: str) -> CursorEntry:
        """The live entry of ``token``, else ``invalid_cursor``. Following a cursor makes it
        the most recently used."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                raise invalid_cursor()
            if entry.expires_at < time.monotonic():
                self._forget(token)
                raise invalid_cursor()
            self._entries.move_to_end(token)
            return entry

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def held_bytes(self) -> int:
        """The approximate memory the live entries hold."""
        return self._bytes

    def _forget_old(self, now: float) -> None:
        """Drop expired entries at the old end, then the least recently used while over a
        bound; the newest entry stays even if it alone is over ``max_bytes``."""
        entries = self._entries
        while len(entries) > 1:
            token, entry = next(iter(entries.items()))
            over = len(entries) > self.capacity or self._bytes > self.max_bytes
            if entry.expires_at >= now and not over:
                return
            self._forget(token)
        if entries and next(iter(entries.values())).expires_at < now:
            self._forget(next(iter(entries)))

    def _forget(self, token: str) -> None:
        self._bytes -= self._entries.pop(token).size_bytes


_PLAN_MODULES = ("faunalite.model.sets", "faunalite.model.set_sources", "faunalite.fql.values")
"""Modules whose dataclasses (set plans, sources, values) ``approximate_bytes`` looks into."""


def approximate_bytes(root: object, limit: int) -> int:
    """About how much memory ``root`` holds, counting shared parts once and stopping once past
    ``limit``. Follows containers, set plans and sources, lambdas' closures (not their syntax
    trees, which the parse cache holds anyway) and nothing else: a document reference counts
    as itself, not as the session it reads through."""
    seen: set[int] = set()
    pending: list[object] = [root]
    total = 0
    while pending and total <= limit:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, Scope):
            pending += (item.value, item.parent)
        elif isinstance(item, Lambda):
            pending.append(item.closure)
        elif type(item).__module__ in _PLAN_MODULES and dataclasses.is_dataclass(item):
            pending.extend(getattr(item, field.name) for field in dataclasses.fields(item))
    return total


CURSORS = CursorTable()
"""The process-wide cursor table (one per server process)."""


@dataclass(frozen=True, slots=True)
class SetCursor(StorageValue):
    """An FQL ``SetCursor``: the ``after`` of a page. A string on the wire."""

    fql_type_name: ClassVar[str] = "SetCursor"
    order_rank: ClassVar[int] = 14

    token: str

    def fql_debug(self, nested: bool) -> str:
        return quote_string(self.token)

    def fql_display(self) -> str:
        return self.token

    def fql_compare(self, other: object) -> int:
        other_token = other.token if isinstance(other, SetCursor) else ""
        return (self.token > other_token) - (self.token < other_token)


# -- reading pages --------------------------------------------------------------------------------


@contextmanager
def _running(ctx: QueryContext) -> Iterator[None]:
    """Make ``ctx.call`` work outside ``run_query`` (result materialisation happens after the
    query body returned, and still runs the sets' lambdas)."""
    if ctx.interpreter is not None:
        yield
        return
    from faunalite.fql.interpreter import Interpreter

    ctx.interpreter = Interpreter(ctx)
    try:
        yield
    finally:
        ctx.interpreter = None


def _reading_snapshot(ctx: QueryContext, snapshot_ns: int) -> Any:
    """Reads at the snapshot a cursor was created at (nothing to do in the same snapshot)."""
    storage = ctx.storage
    if storage is None or snapshot_ns == ctx.snapshot_time.epoch_ns:
        return nullcontext()
    return storage.reading_at(Time(snapshot_ns))


def _read_page(
    ctx: QueryContext, set_value: SetValue, after: Position | None, size: int
) -> tuple[list[Value], Position | None, bool]:
    """Up to ``size`` elements after ``after``: (items, position of the last, more exist)."""
    items: list[Value] = []
    last = after
    elements = set_value.node.iterate(ctx, after)
    try:
        for position, element in elements:
            if len(items) == size:
                return items, last, True
            items.append(element)
            last = position
        return items, last, False
    finally:
        close = getattr(elements, "close", None)
        if close is not None:
            close()


def _page(
    ctx: QueryContext, set_value: SetValue, after: Position | None, size: int, snapshot_ns: int
) -> tuple[list[Value], SetCursor | None]:
    items, last, more = _read_page(ctx, set_value, after, size)
    cursor = CURSORS.issue(set_value, last, snapshot_ns, size) if more else None
    return items, cursor


def page_object(items: list[Value], cursor: SetCursor | None) -> dict[str, Value]:
    """The ``{ data, after }`` object of ``paginate``; ``after`` only when more exist."""
    return {"data": items, "after": cursor} if cursor is not None else {"data": items}


def paginate(ctx: QueryContext, set_value: SetValue, size: int | None) -> dict[str, Value]:
    """``set.paginate()`` / ``set.paginate(size)``."""
    page_size = check_page_size(size) if size is not None else set_value.effective_page_size
    items, cursor = _page(ctx, set_value, None, page_size, ctx.snapshot_time.epoch_ns)
    return page_object(items, cursor)


def continue_cursor(ctx: QueryContext, token: str, size: int | None) -> dict[str, Value]:
    """``Set.paginate(cursor)`` / ``Set.paginate(cursor, size)``: the next page, read at the
    cursor's snapshot."""
    entry = CURSORS.lookup(token)
    page_size = check_page_size(size) if size is not None else entry.page_size
    with _reading_snapshot(ctx, entry.snapshot_ns):
        items, cursor = _page(ctx, entry.set_value, entry.position, page_size, entry.snapshot_ns)
    return page_object(items, cursor)


# -- sets in query results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetPage(StorageValue):
    """A Set as a query result carries it: its first page and the cursor to the rest
    (``items`` is ``None`` for a set nested too deep, sent as a bare cursor)."""

    fql_type_name: ClassVar[str] = "Set<Any>"
    order_rank: ClassVar[int] = 13

    items: list[Value] | None
    after: SetCursor | None

    def fql_debug(self, nested: bool) -> str:
        if self.items is None:
            return debug(self.after, nested)
        return debug(page_object(self.items, self.after), nested)


def materialize_set(set_value: SetValue, ctx: QueryContext) -> tuple[list[Value], SetCursor | None]:
    """The first page of ``set_value`` and the cursor to the next (``None`` when exhausted)."""
    from faunalite.fql.interpreter import stack_overflow

    with _running(ctx):
        try:
            return _page(
                ctx, set_value, None, set_value.effective_page_size, ctx.snapshot_time.epoch_ns
            )
        except RecursionError:
            # A plan nested thousands deep; inside the query body run_query reports the same.
            raise stack_overflow() from None


def materialize_result(value: Value, ctx: QueryContext) -> Value:
    """``value`` with every Set inside it (through arrays, objects and set pages) replaced by
    a ``SetPage``, as FaunaDB materialises a query result. Runs the sets' lambdas, so it may
    raise ``QueryError``: call it while the query's transaction is still open. A value nested
    deeper than Python's recursion limit lets this walk follow is a ``stack_overflow``."""
    from faunalite.fql.interpreter import stack_overflow

    try:
        return _Materializer(ctx).value(value, 0)
    except RecursionError:
        raise stack_overflow() from None


class _Materializer:
    """One walk of ``materialize_result``. An array or object met again (a value built at run
    time may share one many times: ``fold(x, (acc, _) => [acc, acc])`` doubles the tree size
    per step) is materialised once, and one holding no set is kept as it is, not copied, so
    the walk is linear in the distinct arrays and objects."""

    def __init__(self, ctx: QueryContext) -> None:
        self.ctx = ctx
        self.done: dict[tuple[int, int], Value] = {}

    def value(self, value: Value, depth: int) -> Value:
        kind = type(value)
        if kind is list or kind is dict:
            known = self.done.get((id(value), depth))
            if known is None:
                known = self.done[id(value), depth] = self._container(value, depth)
            return known
        if kind is SetValue:
            return self._set(value, depth)
        return value

    def _container(self, value: Value, depth: int) -> Value:
        if type(value) is list:
            items = [self.value(item, depth) for item in value]
            return (
                value if all(new is old for new, old in zip(items, value, strict=True)) else items
            )
        fields = {key: self.value(item, depth) for key, item in value.items()}
        return value if all(fields[key] is item for key, item in value.items()) else fields

    def _set(self, value: SetValue, depth: int) -> Value:
        ctx = self.ctx
        if depth >= SET_MATERIALIZATION_DEPTH:
            cursor = CURSORS.issue(
                value, None, ctx.snapshot_time.epoch_ns, value.effective_page_size
            )
            return SetPage(None, cursor)
        items, after = materialize_set(value, ctx)
        return SetPage([self.value(item, depth + 1) for item in items], after)


# -- wire encoding ----------------------------------------------------------------------------------


def _encode_page(encoder: ValueEncoder, page: SetPage) -> JSON:
    if page.items is None:
        token = page.after.token if page.after is not None else ""
        return {"@set": token} if encoder.tagged else token
    body: dict[str, JSON] = {"data": [encoder.encode(item) for item in page.items]}
    if page.after is not None:
        body["after"] = page.after.token
    return {"@set": body} if encoder.tagged else body


def _encode_cursor(encoder: ValueEncoder, cursor: SetCursor) -> JSON:
    return cursor.token


def _encode_unmaterialized_set(encoder: ValueEncoder, set_value: SetValue) -> JSON:
    """A Set that reached the encoder without ``materialize_result`` (e.g. an ``abort``
    value): materialise it now, with the encoder's query context when there is one."""
    from faunalite.fql.context import QueryContext

    ctx = encoder.context
    if not isinstance(ctx, QueryContext):
        ctx = QueryContext(snapshot_time=encoder.transaction_time or Time(time.time_ns()))
    return _encode_page(encoder, materialize_result(set_value, ctx))


register_storage_encoder(SetPage, _encode_page)
register_storage_encoder(SetCursor, _encode_cursor)
register_storage_encoder(SetValue, _encode_unmaterialized_set)
