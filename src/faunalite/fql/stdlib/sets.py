"""The Set prototype (every method of FQL Sets) and the ``Set`` module.

Sets are ``faunalite.model.sets.SetValue`` plans. *Lazy* methods (``map``, ``where``,
``order``, ``take``...) check their arguments now and return a new plan without reading
anything; *eager* methods (``toArray``, ``fold``, ``count``, ``paginate``...) iterate. Lambdas
that lazy methods run later are set functions and may not write; the callbacks of ``forEach``,
``fold``, ``reduce`` and ``aggregate`` run as ordinary calls and may. Methods that need every
element in memory (``toArray``, ``foldRight``, ``reduceRight``, ``aggregate``, and ``order``/
``distinct``/``reverse`` when paged) stop at 16 000 elements with ``value_too_large``.

Pages and cursors (``paginate``, ``Set.paginate``) are in ``faunalite.model.set_cursors``; the
``SetCursor`` prototype here only has ``toString`` (the cursor's token, as FaunaDB displays it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from faunalite.fql.compare import equal
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_int, wrong_type
from faunalite.fql.stdlib.iterables import (
    Caller,
    aggregate_pairwise,
    callback,
    here,
    no_element,
    parse_orderings,
    predicate_holds,
)
from faunalite.fql.stdlib.registry import module, prototype
from faunalite.fql.values import Function, Module, Null, Value
from faunalite.model.set_cursors import SetCursor, check_page_size, continue_cursor, paginate
from faunalite.model.sets import (
    ConcatNode,
    DistinctNode,
    DropNode,
    FlatMapNode,
    MapNode,
    OrderNode,
    SetValue,
    TakeNode,
    WhereNode,
    call_set_function,
    reverse_node,
    sequence_set,
    single_set,
)

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

SET = prototype(SetValue, "Set", "<A> Set<A>")
SET_MODULE = module("Set")
SET_CURSOR = prototype(SetCursor, "SetCursor")

PREDICATE_TYPE = "A => Boolean | Null"
EMPTY_SET = "empty set"
NOT_FOUND = "no element found"

_END = object()
"""What ``next`` returns on an exhausted iterator (any FQL value could be an element)."""


def _predicate(value: Value) -> Function:
    return callback(value, "predicate", PREDICATE_TYPE, "predicate", 1)


def _pure(ctx: QueryContext) -> Caller:
    """Calls predicates as set functions: searching a set must not write."""
    return lambda function, args: call_set_function(ctx, function, args)


# -- the Set module ---------------------------------------------------------------------------


@SET_MODULE.method("single", 1, signature="<A> (element: A) => Set<A>")
def single(ctx: QueryContext, _: Module, element: Value) -> SetValue:
    return single_set(element)


@SET_MODULE.method("sequence", 2, signature="(from: Number, until: Number) => Set<Number>")
def sequence(ctx: QueryContext, _: Module, start: Value, until: Value) -> SetValue:
    return sequence_set(expect_int(start, "from"), expect_int(until, "until"))


def _cursor_token(cursor: Value) -> str:
    if isinstance(cursor, SetCursor):
        return cursor.token
    if type(cursor) is str:
        return cursor
    raise wrong_type("cursor", "String | SetCursor", cursor)


@SET_MODULE.method(
    "paginate",
    (1, 2),
    signature="((cursor: String | SetCursor) => { data: Array<Any>, after: String | Null }) & ((cursor: String | SetCursor, size: Number) => { data: Array<Any>, after: String | Null })",
)
def paginate_cursor(ctx: QueryContext, _: Module, cursor: Value, *size: Value) -> Value:
    token = _cursor_token(cursor)
    page_size = expect_int(size[0], "size") if size else None
    return continue_cursor(ctx, token, page_size)


@SET_CURSOR.method("toString", 0, signature="() => String")
def cursor_to_string(ctx: QueryContext, receiver: SetCursor) -> str:
    return receiver.fql_display()


# -- lazy methods -------------------------------------------------------------------------------


@SET.method("where", 1, signature="<A> (predicate: (A => Boolean | Null)) => Set<A>")
def where(ctx: QueryContext, receiver: SetValue, predicate: Value) -> SetValue:
    function = callback(predicate, "predicate", PREDICATE_TYPE, "pred", 1)
    return receiver.derive(WhereNode(receiver.node, function))


# not in FaunaDB's sources (its environment lists `filter` on arrays only): the type of `where`.
@SET.method("filter", 1, signature="<A> (predicate: (A => Boolean | Null)) => Set<A>")
def filter_(ctx: QueryContext, receiver: SetValue, predicate: Value) -> SetValue:
    function = callback(predicate, "predicate", PREDICATE_TYPE, "predicate", 1)
    return receiver.derive(WhereNode(receiver.node, function))


@SET.method("map", 1, signature="<A, B> (mapper: (A => B)) => Set<B>")
def map_(ctx: QueryContext, receiver: SetValue, mapper: Value) -> SetValue:
    function = callback(mapper, "mapper", "A => B", "mapper", 1)
    return receiver.derive(MapNode(receiver.node, function))


@SET.method("flatMap", 1, signature="<A, B> (mapper: (A => Set<B>)) => Set<B>")
def flat_map(ctx: QueryContext, receiver: SetValue, mapper: Value) -> SetValue:
    function = callback(mapper, "mapper", "A => Set<B>", "mapper", 1)
    return receiver.derive(FlatMapNode(receiver.node, function))


@SET.method("order", None, signature="<A> (ordering: ...(A => Any) & {}) => Set<A>")
def order(ctx: QueryContext, receiver: SetValue, *orderings: Value) -> SetValue:
    rules = tuple(parse_orderings(list(orderings)))
    return receiver.derive(OrderNode(receiver.node, rules))


@SET.method("distinct", 0, signature="<A> () => Set<A>")
def distinct(ctx: QueryContext, receiver: SetValue) -> SetValue:
    return receiver.derive(DistinctNode(receiver.node))


@SET.method("reverse", 0, signature="<A> () => Set<A>")
def reverse(ctx: QueryContext, receiver: SetValue) -> SetValue:
    return receiver.derive(reverse_node(receiver.node))


@SET.method("take", 1, signature="<A> (limit: Number) => Set<A>")
def take(ctx: QueryContext, receiver: SetValue, limit: Value) -> SetValue:
    count = expect_int(limit, "limit")
    if count < 0:
        raise QueryError(
            "invalid_bounds", f"expected `limit` to be greater than 0, received {count}"
        )
    return receiver.derive(TakeNode(receiver.node, count))


@SET.method("drop", 1, signature="<A> (amount: Number) => Set<A>")
def drop(ctx: QueryContext, receiver: SetValue, amount: Value) -> SetValue:
    # Like Array.drop, a negative amount drops nothing.
    return receiver.derive(DropNode(receiver.node, max(0, expect_int(amount, "amount"))))


@SET.method("concat", 1, signature="<A, B> (other: Set<B>) => Set<A | B>")
def concat(ctx: QueryContext, receiver: SetValue, other: Value) -> SetValue:
    if not isinstance(other, SetValue):
        raise wrong_type("other", "Set<Any>", other)
    return receiver.derive(ConcatNode(receiver.node, other.node))


@SET.method("pageSize", 1, signature="<A> (size: Number) => Set<A>")
def page_size(ctx: QueryContext, receiver: SetValue, size: Value) -> SetValue:
    return receiver.with_page_size(check_page_size(expect_int(size, "size")))


@SET.method("toSet", 0, signature="<A> () => Set<A>")
def to_set(ctx: QueryContext, receiver: SetValue) -> SetValue:
    return receiver


@SET.method("toString", 0, signature="() => String")
def to_string(ctx: QueryContext, receiver: SetValue) -> str:
    return "[set]"


# -- eager methods: pages and elements ----------------------------------------------------------


@SET.method(
    "paginate",
    (0, 1),
    signature="<A> (() => { data: Array<A>, after: String | Null }) & ((size: Number) => { data: Array<A>, after: String | Null })",
)
def paginate_set(ctx: QueryContext, receiver: SetValue, *size: Value) -> Value:
    return paginate(ctx, receiver, expect_int(size[0], "size") if size else None)


@SET.method("toArray", 0, signature="<A> () => Array<A>")
def to_array(ctx: QueryContext, receiver: SetValue) -> list[Value]:
    return receiver.to_list(ctx)


@SET.method("first", 0, signature="<A> () => A | Null")
def first(ctx: QueryContext, receiver: SetValue) -> Value:
    for element in receiver.elements(ctx):
        return element
    return no_element(ctx, EMPTY_SET)


@SET.method("last", 0, signature="<A> () => A | Null")
def last(ctx: QueryContext, receiver: SetValue) -> Value:
    for element in receiver.reversed_elements(ctx):
        return element
    return no_element(ctx, EMPTY_SET)


def _first_match(ctx: QueryContext, elements: Iterator[Value], predicate: Value) -> Value:
    function = _predicate(predicate)
    call = _pure(ctx)
    for element in elements:
        if predicate_holds(call, function, element):
            return element
    return no_element(ctx, NOT_FOUND)


@SET.method("firstWhere", 1, signature="<A> (predicate: (A => Boolean | Null)) => A | Null")
def first_where(ctx: QueryContext, receiver: SetValue, predicate: Value) -> Value:
    return _first_match(ctx, receiver.elements(ctx), predicate)


@SET.method("lastWhere", 1, signature="<A> (predicate: (A => Boolean | Null)) => A | Null")
def last_where(ctx: QueryContext, receiver: SetValue, predicate: Value) -> Value:
    return _first_match(ctx, receiver.reversed_elements(ctx), predicate)


@SET.method("count", 0, signature="() => Number")
def count(ctx: QueryContext, receiver: SetValue) -> int:
    return sum(1 for _ in receiver.elements(ctx))


@SET.method("isEmpty", 0, signature="() => Boolean")
def is_empty(ctx: QueryContext, receiver: SetValue) -> bool:
    return next(receiver.elements(ctx), _END) is _END


@SET.method("nonEmpty", 0, signature="() => Boolean")
def non_empty(ctx: QueryContext, receiver: SetValue) -> bool:
    return next(receiver.elements(ctx), _END) is not _END


@SET.method("includes", 1, signature="<A> (element: A) => Boolean")
def includes(ctx: QueryContext, receiver: SetValue, element: Value) -> bool:
    return any(equal(item, element) for item in receiver.elements(ctx))


def _any_or_every(ctx: QueryContext, receiver: SetValue, predicate: Value, every: bool) -> bool:
    function = _predicate(predicate)
    call = _pure(ctx)
    for element in receiver.elements(ctx):
        if predicate_holds(call, function, element) != every:
            return not every
    return every


@SET.method("any", 1, signature="<A> (predicate: (A => Boolean | Null)) => Boolean")
def any_(ctx: QueryContext, receiver: SetValue, predicate: Value) -> bool:
    return _any_or_every(ctx, receiver, predicate, every=False)


@SET.method("every", 1, signature="<A> (predicate: (A => Boolean | Null)) => Boolean")
def every(ctx: QueryContext, receiver: SetValue, predicate: Value) -> bool:
    return _any_or_every(ctx, receiver, predicate, every=True)


# -- eager methods whose callbacks may write ----------------------------------------------------


@SET.method("forEach", 1, signature="<A> (callback: (A => Any)) => Null")
def for_each(ctx: QueryContext, receiver: SetValue, function: Value) -> Value:
    body = callback(function, "callback", "A => Any", "fn", 1)
    for element in receiver.elements(ctx):
        ctx.call(body, [element])
    return Null(None, here(ctx))


@SET.method("fold", 2, signature="<A, B> (seed: B, reducer: (B, A) => B) => B")
def fold(ctx: QueryContext, receiver: SetValue, seed: Value, reducer: Value) -> Value:
    function = callback(reducer, "reducer", "(B, A) => B", "reducer", 2)
    accumulator = seed
    for element in receiver.elements(ctx):
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@SET.method("foldRight", 2, signature="<A, B> (seed: B, reducer: (B, A) => B) => B")
def fold_right(ctx: QueryContext, receiver: SetValue, seed: Value, reducer: Value) -> Value:
    function = callback(reducer, "reducer", "(B, A) => B", "reducer", 2)
    accumulator = seed
    for element in reversed(receiver.to_list(ctx)):
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


def _reduce(ctx: QueryContext, elements: list[Value], reducer: Value) -> Value:
    function = callback(reducer, "reducer", "(A, A) => A", "reducer", 2)
    if not elements:
        return no_element(ctx, EMPTY_SET)
    accumulator = elements[0]
    for element in elements[1:]:
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@SET.method("reduce", 1, signature="<A> (reducer: ((A, A) => A)) => A | Null")
def reduce(ctx: QueryContext, receiver: SetValue, reducer: Value) -> Value:
    function = callback(reducer, "reducer", "(A, A) => A", "reducer", 2)
    elements = receiver.elements(ctx)
    accumulator = next(elements, _END)
    if accumulator is _END:
        return no_element(ctx, EMPTY_SET)
    for element in elements:
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@SET.method("reduceRight", 1, signature="<A> (reducer: ((A, A) => A)) => A | Null")
def reduce_right(ctx: QueryContext, receiver: SetValue, reducer: Value) -> Value:
    return _reduce(ctx, receiver.to_list(ctx)[::-1], reducer)


@SET.method("aggregate", 2, signature="<A> (seed: A, combiner: (A, A) => A) => A")
def aggregate(ctx: QueryContext, receiver: SetValue, seed: Value, combiner: Value) -> Value:
    function = callback(combiner, "combiner", "(A, A) => A", "combiner", 2)
    return aggregate_pairwise(ctx.call, receiver.to_list(ctx), seed, function)
