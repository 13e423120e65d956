"""Where the elements of a Set come from: the ``SetSource`` interface and the built-in sources.

Every FQL Set is a chain of lazy operations (``map``, ``where``, ``take``...; see
``faunalite.model.sets``) rooted at one or more *sources*. A source produces elements in its
own order and can resume after any element it produced, which is what lets a page end and a
cursor continue later. This module defines that contract and the storage-free sources:
``ListSource`` (``Array.toSet()``), ``SingleSource`` (``Set.single(x)``) and
``SequenceSource`` (``Set.sequence(from, until)``).

The document layer plugs ``Coll.all()`` (a collection scan in id order) and index lookups
(``Coll.byX(term)`` with ranges) in here by implementing ``SetSource`` and wrapping the source
with ``faunalite.model.sets.set_from_source(source)``. Nothing else is needed for every Set
method, pagination and cursors to work on it.

Contract for implementers
-------------------------
* ``elements(ctx, after, reverse)`` yields ``(position, element)`` pairs lazily, in order
  (in reverse order when ``reverse``), starting strictly after ``after`` (from the first
  element when ``after`` is ``None``). The generator may be abandoned at any point: pages stop
  early and ``take(2)`` reads two elements, so read in batches (``storage.iter_pages``), never
  the whole collection up front.
* A *position* is opaque to everyone but the source that yielded it. It must never be
  ``None`` and should be plain immutable data (ints, strings, tuples of them, or a storage
  ``DocKey``/``IndexPosition``), so cursors can keep it across queries (and could one day be
  serialised). A position from a forward iteration is only ever given back with
  ``reverse=False``, and likewise for reverse.
* Snapshots: ``elements`` reads what ``ctx`` currently reads. When a cursor is followed in a
  later query, the cursor code wraps the iteration in ``ctx.storage.reading_at(<the original
  snapshot time>)``, so the source must read through that hook's view (the transaction's
  ``at_ts``) rather than the newest data. A source created inside ``at (ts) { ... }`` should
  remember ``ts`` itself and read at it, since the Set may be iterated after the ``at`` block
  ended (as the query result, for example).
* ``describe()`` is a short, stable FQL-like text of the source (``Set.sequence(0, 10)``,
  ``User.all()``, ``User.byName("x")``), used in diagnostics and by cursors to identify the
  source. It must not depend on the data.
* ``stream_root`` says whether an event stream may be built on this source: ``COLLECTION``
  (``Coll.all()`` without a range), ``INDEX`` (an index call without a range) or ``SINGLE``
  (``Set.single(doc)``; the stream code still checks the element is a document), ``None``
  when streams are not allowed (array sets, ``Set.sequence``, ranged calls). Sources must not
  do I/O here.
* Sources are immutable: one source object may be iterated many times, concurrently, by
  different queries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from faunalite.fql.display import debug
from faunalite.fql.values import Value

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

Position: TypeAlias = Any
"""Where an element sits in its source; resuming "after" it continues with the next one."""


class StreamRoot(enum.Enum):
    """The kinds of source an event stream may be rooted at (FaunaDB allows only these)."""

    COLLECTION = "collection"
    INDEX = "index"
    SINGLE = "single"


@runtime_checkable
class SetSource(Protocol):
    """The elements of a Set, in order, resumable after any element (see the module doc)."""

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        """``(position, element)`` pairs strictly after ``after``, lazily."""
        ...

    def describe(self) -> str:
        """A short FQL-like text identifying this source, e.g. ``User.all()``."""
        ...

    @property
    def stream_root(self) -> StreamRoot | None:
        """The kind of streamable root this is, ``None`` if streams are not allowed."""
        ...


def _start_index(after: Position | None, length: int, reverse: bool) -> range:
    """The indexes of a list of ``length`` after the index ``after``, forward or backward."""
    if reverse:
        first = length - 1 if after is None else int(after) - 1
        return range(first, -1, -1)
    return range(0 if after is None else int(after) + 1, length)


@dataclass(frozen=True, slots=True)
class ListSource:
    """The elements of an array (``Array.toSet()``); positions are list indexes."""

    items: tuple[Value, ...]

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        items = self.items
        for index in _start_index(after, len(items), reverse):
            yield index, items[index]

    def describe(self) -> str:
        return f"{debug(list(self.items))}.toSet()"

    @property
    def stream_root(self) -> StreamRoot | None:
        return None


@dataclass(frozen=True, slots=True)
class SingleSource:
    """``Set.single(element)``: exactly one element, at position 0."""

    element: Value

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        if after is None:
            yield 0, self.element

    def describe(self) -> str:
        return f"Set.single({debug(self.element)})"

    @property
    def stream_root(self) -> StreamRoot | None:
        return StreamRoot.SINGLE


@dataclass(frozen=True, slots=True)
class SequenceSource:
    """``Set.sequence(start, until)``: the integers ``start <= n < until``, computed on demand
    (so ``Set.sequence(0, 1000000).take(2)`` touches two numbers). Positions are the numbers."""

    start: int
    until: int

    def elements(
        self, ctx: QueryContext, after: Position | None, reverse: bool
    ) -> Iterator[tuple[Position, Value]]:
        if reverse:
            numbers = range(self.until - 1 if after is None else int(after) - 1, self.start - 1, -1)
        else:
            numbers = range(self.start if after is None else int(after) + 1, self.until)
        for number in numbers:
            yield number, number

    def describe(self) -> str:
        return f"Set.sequence({self.start}, {self.until})"

    @property
    def stream_root(self) -> StreamRoot | None:
        return None


def list_source(items: Sequence[Value]) -> ListSource:
    """A source over a snapshot of ``items`` (FQL arrays are never mutated, but be safe)."""
    return ListSource(tuple(items))
