"""FQL Sets: lazy, resumable sequences built from sources (``set_sources``) and operations.

A ``SetValue`` is what FQL code holds: a *plan* (a tree of ``SetNode`` operations over
``SetSource`` leaves) plus the page size chosen with ``pageSize``. Nothing is read or computed
when a Set is built; elements are produced only when something iterates the plan (an eager
method such as ``toArray``, a page of ``paginate``, or the query result). So
``Set.sequence(0, 1000000).map(f).take(2)`` calls ``f`` twice.

Every node yields ``(position, element)`` pairs and can start again strictly after any position
it yielded; that is how a page ends and a cursor (``set_cursors``) continues it in a later
query. Operations that need the whole set first (``order``, ``distinct``, ``reverse`` of a set
that cannot be read backwards) materialise at most ``MAX_SET_ELEMENTS`` elements and use list
indexes as positions.

Set functions: lambdas run lazily by ``map``/``where``/``flatMap``/``order`` (and by
predicates of the eager searches) run with ``QueryContext.set_function_depth`` raised, and may
not write. Every write path (``create``, ``update``, ``delete``...) must call
``check_write_allowed(ctx, "<name>")`` first.

Not here: the FQL method table (``faunalite.fql.stdlib.sets``), pages and cursors
(``faunalite.model.set_cursors``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from faunalite.fql.compare import total_compare
from faunalite.fql.context import QueryTimedOut
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.iterables import Ordering, predicate_holds, sort_by, type_mismatch
from faunalite.fql.values import Function, StorageValue, Value
from faunalite.model.set_sources import (
    Position,
    SequenceSource,
    SetSource,
    SingleSource,
    list_source,
)

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

MAX_SET_ELEMENTS = 16_000
"""The most elements an eager whole-set operation materialises (``ValueSet.MaximumElements``)."""

DEFAULT_PAGE_SIZE = 16
"""Elements in a page when no ``pageSize``/``paginate`` size was given."""

SetElements = Iterator[tuple[Position, Value]]


def too_many_elements() -> QueryError:
    return QueryError(
        "value_too_large",
        f"Value too large: exceeded maximum number of elements (limit={MAX_SET_ELEMENTS}).",
    )


# -- set functions may not write -------------------------------------------------------------------


def check_write_allowed(ctx: Any, effect: str) -> None:
    """Raise FaunaDB's ``invalid_effect`` if a set function is running; ``effect`` is the
    name of the writing method (``create``, ``update``, ``delete``...). Call it before every
    write. ``ctx`` is the ``QueryContext`` (any object without the counter is never inside a
    set function)."""
    if getattr(ctx, "set_function_depth", 0) > 0:
        raise QueryError(
            "invalid_effect",
            f"`{effect}` performs a write, which is not allowed in set functions.",
        )


def call_set_function(ctx: QueryContext, function: Function, args: list[Value]) -> Value:
    """Call ``function`` as a set function: any write it attempts fails (``invalid_effect``)."""
    ctx.set_function_depth += 1
    try:
        return ctx.call(function, args)
    finally:
        ctx.set_function_depth -= 1


def _pure_caller(ctx: QueryContext) -> Any:
    def call(function: Function, args: list[Value]) -> Value:
        return call_set_function(ctx, function, args)

    return call


# -- the plan ---------------------------------------------------------------------------------------


class SetNode(ABC):
    """One operation of a Set's plan. Nodes are immutable and may be iterated many times."""

    __slots__ = ()

    @abstractmethod
    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        """``(position, element)`` pairs strictly after ``after`` (``None``: from the start)."""

    def reversed_node(self) -> SetNode | None:
        """The same elements in reverse order, read lazily; ``None`` if that needs the whole
        set in memory (the caller then materialises)."""
        return None

    def stream_source(self) -> SetSource | None:
        """The source an event stream would follow, ``None`` if streams are not allowed."""
        return None

    @property
    def stream_blocker(self) -> str:
        """The operation that forbids streaming (``distinct``, ``order``...), for messages."""
        return type(self).__name__.removesuffix("Node").lower()


DEADLINE_CHECK_ELEMENTS = 1024
"""Elements read from a source between two looks at the clock."""


def _until_deadline(elements: SetElements, deadline: float) -> SetElements:
    """``elements``, stopping with ``QueryTimedOut`` past ``deadline``: counting or scanning
    a huge set calls no lambda, so the interpreter's own deadline check would never run."""
    for count, pair in enumerate(elements, 1):
        if count % DEADLINE_CHECK_ELEMENTS == 0 and time.monotonic() > deadline:
            raise QueryTimedOut()
        yield pair


@dataclass(frozen=True, slots=True)
class SourceNode(SetNode):
    """The leaf: the elements of a ``SetSource``, forward or backward."""

    source: SetSource
    reverse: bool = False

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        deadline = getattr(ctx, "deadline", None)
        elements = self.source.elements(ctx, after, self.reverse)
        if deadline is None:
            return elements
        return _until_deadline(elements, deadline)

    def reversed_node(self) -> SetNode | None:
        return SourceNode(self.source, not self.reverse)

    def stream_source(self) -> SetSource | None:
        return self.source if self.source.stream_root is not None and not self.reverse else None

    @property
    def stream_blocker(self) -> str:
        return "reverse" if self.reverse else "source"


@dataclass(frozen=True, slots=True)
class MapNode(SetNode):
    inner: SetNode
    mapper: Function

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        for position, element in self.inner.iterate(ctx, after):
            yield position, call_set_function(ctx, self.mapper, [element])

    def reversed_node(self) -> SetNode | None:
        inner = self.inner.reversed_node()
        return None if inner is None else MapNode(inner, self.mapper)

    def stream_source(self) -> SetSource | None:
        return self.inner.stream_source()


@dataclass(frozen=True, slots=True)
class WhereNode(SetNode):
    inner: SetNode
    predicate: Function

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        call = _pure_caller(ctx)
        for position, element in self.inner.iterate(ctx, after):
            if predicate_holds(call, self.predicate, element):
                yield position, element

    def reversed_node(self) -> SetNode | None:
        inner = self.inner.reversed_node()
        return None if inner is None else WhereNode(inner, self.predicate)

    def stream_source(self) -> SetSource | None:
        return self.inner.stream_source()


@dataclass(frozen=True, slots=True)
class FlatMapNode(SetNode):
    """Positions are ``(where the outer element was reached from, inner position)``: resuming
    maps the same outer element again and continues its set after the inner position."""

    inner: SetNode
    mapper: Function

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        outer_after, inner_after = after if after is not None else (None, None)
        for outer_position, element in self.inner.iterate(ctx, outer_after):
            mapped = call_set_function(ctx, self.mapper, [element])
            if not isinstance(mapped, SetValue):
                raise type_mismatch("Set<Any>", mapped)
            for position, item in mapped.node.iterate(ctx, inner_after):
                yield (outer_after, position), item
            outer_after, inner_after = outer_position, None


@dataclass(frozen=True, slots=True)
class TakeNode(SetNode):
    """Positions are ``(inner position, elements taken so far)``."""

    inner: SetNode
    limit: int

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        inner_after, taken = after if after is not None else (None, 0)
        if taken >= self.limit:
            return
        for position, element in self.inner.iterate(ctx, inner_after):
            taken += 1
            yield (position, taken), element
            # Stop before asking for one more: the next element may be costly or effectful.
            if taken >= self.limit:
                return


@dataclass(frozen=True, slots=True)
class DropNode(SetNode):
    """Skips ``amount`` elements at the start; positions are the inner ones, since resuming
    after any yielded element is already past the dropped ones."""

    inner: SetNode
    amount: int

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        skip = self.amount if after is None else 0
        for position, element in self.inner.iterate(ctx, after):
            if skip > 0:
                skip -= 1
                continue
            yield position, element


@dataclass(frozen=True, slots=True)
class ConcatNode(SetNode):
    """Positions are ``(0, position in first)`` or ``(1, position in second)``."""

    first: SetNode
    second: SetNode

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        part, inner_after = after if after is not None else (0, None)
        if part == 0:
            for position, element in self.first.iterate(ctx, inner_after):
                yield (0, position), element
            inner_after = None
        for position, element in self.second.iterate(ctx, inner_after):
            yield (1, position), element

    def reversed_node(self) -> SetNode | None:
        first, second = self.first.reversed_node(), self.second.reversed_node()
        if first is None or second is None:
            return None
        return ConcatNode(second, first)


class MaterializedNode(SetNode):
    """An operation on the whole set: the inner elements are read (at most
    ``MAX_SET_ELEMENTS``), transformed by ``build``, and served by list index. Each iteration
    rebuilds the list, so a later page sees the same result as long as it reads the same
    snapshot (which cursors ensure)."""

    __slots__ = ()

    @abstractmethod
    def build(self, ctx: QueryContext) -> list[Value]: ...

    def iterate(self, ctx: QueryContext, after: Position | None) -> SetElements:
        items = self.build(ctx)
        for index in range(0 if after is None else int(after) + 1, len(items)):
            yield index, items[index]


@dataclass(frozen=True, slots=True)
class OrderNode(MaterializedNode):
    inner: SetNode
    rules: tuple[Ordering, ...]

    def build(self, ctx: QueryContext) -> list[Value]:
        return sort_by(_pure_caller(ctx), collect(ctx, self.inner), list(self.rules))


@dataclass(frozen=True, slots=True)
class DistinctNode(MaterializedNode):
    """FaunaDB's ``Set.distinct()`` sorts in the total order, then drops equal neighbours."""

    inner: SetNode

    def build(self, ctx: QueryContext) -> list[Value]:
        kept: list[Value] = []
        for element in sort_by(_pure_caller(ctx), collect(ctx, self.inner), [(None, False)]):
            if not kept or total_compare(kept[-1], element) != 0:
                kept.append(element)
        return kept


@dataclass(frozen=True, slots=True)
class ReverseNode(MaterializedNode):
    """The reverse of a set that cannot be read backwards lazily."""

    inner: SetNode

    def build(self, ctx: QueryContext) -> list[Value]:
        return collect(ctx, self.inner)[::-1]

    def reversed_node(self) -> SetNode | None:
        return self.inner


def reverse_node(node: SetNode) -> SetNode:
    """``node`` reversed: lazily when it can be read backwards, else materialised."""
    reversed_node = node.reversed_node()
    return reversed_node if reversed_node is not None else ReverseNode(node)


def collect(ctx: QueryContext, node: SetNode, limit: int = MAX_SET_ELEMENTS) -> list[Value]:
    """Every element of ``node``; more than ``limit`` is ``value_too_large``."""
    items: list[Value] = []
    for _, element in node.iterate(ctx, None):
        if len(items) == limit:
            raise too_many_elements()
        items.append(element)
    return items


# -- the FQL value ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class SetValue(StorageValue):
    """An FQL Set: a lazy plan and the page size its pages use (``None``: the default)."""

    fql_type_name: ClassVar[str] = "Set<Any>"
    order_rank: ClassVar[int] = 13

    node: SetNode
    page_size: int | None = None

    def derive(self, node: SetNode) -> SetValue:
        """A new Set over ``node``, keeping this one's page size."""
        return SetValue(node, self.page_size)

    def with_page_size(self, size: int) -> SetValue:
        return SetValue(self.node, size)

    @property
    def effective_page_size(self) -> int:
        return self.page_size if self.page_size is not None else DEFAULT_PAGE_SIZE

    def elements(self, ctx: QueryContext) -> Iterator[Value]:
        """The elements, lazily, from the start."""
        for _, element in self.node.iterate(ctx, None):
            yield element

    def reversed_elements(self, ctx: QueryContext) -> Iterator[Value]:
        """The elements from the last, lazily when the plan allows it."""
        for _, element in reverse_node(self.node).iterate(ctx, None):
            yield element

    def to_list(self, ctx: QueryContext) -> list[Value]:
        """All elements (at most ``MAX_SET_ELEMENTS``, else ``value_too_large``)."""
        return collect(ctx, self.node)

    def stream_source(self) -> SetSource | None:
        """The source an event stream on this Set follows: only a streamable source
        (``Coll.all()``, an index call, ``Set.single``) wrapped in ``where``/``map``."""
        return self.node.stream_source()

    # -- how the core renders and compares it ----------------------------------------------

    def fql_debug(self, nested: bool) -> str:
        return "[set]"

    def fql_display(self) -> str:
        return "[set]"

    def fql_equals(self, other: object) -> bool:
        # Sets have no structural equality in FaunaDB: a Set equals only itself.
        return self is other

    def fql_compare(self, other: object) -> int:
        return 0 if self is other else (-1 if id(self) < id(other) else 1)


def set_from_source(source: SetSource) -> SetValue:
    """The Set of a source's elements (``Coll.all()``, an index call...)."""
    return SetValue(SourceNode(source))


def set_from_array(items: list[Value]) -> SetValue:
    """``Array.toSet()``."""
    return set_from_source(list_source(items))


def single_set(element: Value) -> SetValue:
    """``Set.single(element)``."""
    return set_from_source(SingleSource(element))


def sequence_set(start: int, until: int) -> SetValue:
    """``Set.sequence(start, until)``: ``until`` exclusive, empty when ``until <= start``."""
    return set_from_source(SequenceSource(start, max(start, until)))
