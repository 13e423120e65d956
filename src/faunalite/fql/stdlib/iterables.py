"""Helpers shared by the two iterable types, Array (``arrays``) and Set (``sets``).

Both types take callbacks with the same arity checks, treat predicate results the same way
(true; false or null count as false; anything else is a ``type_mismatch``), return nulls with
the same causes for "no element", order with the same ``order()`` arguments and combine
``aggregate`` pairwise the same way. Keeping these here means the two tables cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faunalite.fql.arity import check_callback
from faunalite.fql.compare import total_order_key
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_function, wrong_type
from faunalite.fql.stdlib.registry import CallContext
from faunalite.fql.values import Function, Null, Value, type_name

Caller = Callable[[Function, list[Value]], Value]
"""How a helper calls an FQL function: ``ctx.call``, or a wrapper that forbids writes."""


def here(ctx: CallContext) -> Any:
    """Where the running call is, for the origin of the nulls it returns."""
    return getattr(ctx, "current_span", None)


def no_element(ctx: CallContext, reason: str) -> Null:
    """The null a search returns when nothing matched (``empty array``, ``no element found``)."""
    return Null(reason, here(ctx))


def type_mismatch(expected: str, received: Value) -> QueryError:
    return QueryError("type_mismatch", f"expected type: {expected}, received {type_name(received)}")


def callback(value: Value, param: str, signature: str, checked_as: str, count: int) -> Function:
    """A callback argument: a function (else ``invalid_argument`` naming ``param`` and
    ``signature``) that can take ``count`` arguments (else the arity error naming
    ``checked_as``, which is the name FaunaDB's own implementation gives the parameter)."""
    function = expect_function(value, param, signature)
    check_callback(function, checked_as, count)
    return function


def predicate_holds(call: Caller, predicate: Function, element: Value) -> bool:
    """A predicate's verdict: true, or false for false/null; anything else is an error."""
    result = call(predicate, [element])
    if result is True:
        return True
    if result is False or isinstance(result, Null):
        return False
    raise type_mismatch("Boolean", result)


def aggregate_pairwise(call: Caller, values: list[Value], seed: Value, combiner: Function) -> Value:
    """``aggregate``: neighbours combined pairwise until one value is left (a balanced tree of
    calls), then combined with ``seed``; ``seed`` alone when there are no values."""
    if not values:
        return seed
    level = values
    while len(level) > 1:
        paired = [call(combiner, [level[i], level[i + 1]]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            paired.append(level[-1])
        level = paired
    return call(combiner, [level[0], seed])


# -- order() --------------------------------------------------------------------------------------


class _Descending:
    """Wraps a sort key to invert its order."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.key == other.key)

    __hash__ = None  # type: ignore[assignment]


Ordering = tuple[Function | None, bool]
"""An accessor (``None`` for the element itself) and whether it sorts descending."""


def parse_ordering(value: Value, index: int) -> Ordering:
    """One ``order()`` argument: an accessor function, ``{ asc: f }`` or ``{ desc: f }``."""
    param = f"ordering{index}"
    if isinstance(value, Function):
        check_callback(value, param, 1)
        return value, False
    if type(value) is dict and len(value) == 1:
        for direction in ("asc", "desc"):
            accessor = value.get(direction)
            if isinstance(accessor, Function):
                check_callback(accessor, param, 1)
                return accessor, direction == "desc"
    raise wrong_type(param, "Function", value)


def parse_orderings(values: list[Value]) -> list[Ordering]:
    """All ``order()`` arguments; no argument means the elements' natural total order."""
    return [parse_ordering(value, index) for index, value in enumerate(values)] or [(None, False)]


def sort_by(call: Caller, values: list[Value], rules: list[Ordering]) -> list[Value]:
    """``values`` stably sorted by ``rules`` in FaunaDB's total order."""
    keyed = []
    for element in values:
        key: list[Any] = []
        for accessor, descending in rules:
            sort_value = element if accessor is None else call(accessor, [element])
            ordered = total_order_key(sort_value)
            key.append(_Descending(ordered) if descending else ordered)
        keyed.append((key, element))
    keyed.sort(key=lambda pair: pair[0])
    return [element for _, element in keyed]


def sort_values(ctx: CallContext, values: list[Value], orderings: list[Value]) -> list[Value]:
    """``values`` stably sorted by the ``order()`` arguments ``orderings`` (none: natural)."""
    return sort_by(ctx.call, values, parse_orderings(orderings))
