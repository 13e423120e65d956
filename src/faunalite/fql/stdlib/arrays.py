"""The Array prototype (every method of FQL arrays) and the ``Array`` module.

Arrays are Python lists that are never mutated: every method builds a new list. Callbacks
are FQL functions called back through ``ctx.call``; each method first checks the callback
can take the arguments it will be given (FaunaDB's ``` `mapper` should accept 1 parameter```
error, naming the parameter as FaunaDB does, which is not always the documented name).
Predicates may return a Boolean or null (null counts as false); anything else is a
``type_mismatch``. ``order`` uses FaunaDB's total order and is stable.
"""

from __future__ import annotations

from faunalite.fql.compare import structural_hash, structurally_equal
from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_array, expect_int
from faunalite.fql.stdlib.iterables import aggregate_pairwise, predicate_holds, sort_values
from faunalite.fql.stdlib.iterables import callback as _callback
from faunalite.fql.stdlib.iterables import here as _here
from faunalite.fql.stdlib.iterables import no_element as _no_element
from faunalite.fql.stdlib.iterables import type_mismatch as _type_mismatch
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.values import Function, Module, Null, Value

ARRAY = prototype(list, "Array", "<A> Array<A>")
ARRAY_MODULE = module("Array")

MAX_SEQUENCE_SIZE = 16_000

PREDICATE_TYPE = "A => Boolean | Null"
MAPPER_TYPE = "A => B"


def _out_of_bounds(index: int, length: int) -> QueryError:
    return QueryError("index_out_of_bounds", f"index {index} out of bounds for length {length}")


def _checked_index(receiver: list[Value], index: Value, param: str) -> int:
    position = expect_int(index, param)
    if position < 0 or position >= len(receiver):
        raise _out_of_bounds(position, len(receiver))
    return position


def _test(ctx: CallContext, predicate: Function, element: Value) -> bool:
    return predicate_holds(ctx.call, predicate, element)


def _where(ctx: CallContext, receiver: list[Value], predicate: Value) -> list[Value]:
    function = _callback(predicate, "predicate", PREDICATE_TYPE, "pred", 1)
    # Every element is tested, even past a match, so effects (log) happen as in FaunaDB.
    return [element for element in receiver if _test(ctx, function, element)]


# -- the Array module -------------------------------------------------------------------------


@ARRAY_MODULE.method("sequence", 2, signature="(from: Number, until: Number) => Array<Number>")
def sequence(ctx: CallContext, _: Module, start: Value, until: Value) -> list[Value]:
    low, high = expect_int(start, "from"), expect_int(until, "until")
    size = max(0, high - low)
    if size > MAX_SEQUENCE_SIZE:
        raise QueryError(
            "value_too_large",
            f"Value too large: range size {size} exceeds limit {MAX_SEQUENCE_SIZE}.",
        )
    return list(range(low, high))


# -- fields and access ------------------------------------------------------------------------


@ARRAY.field("length", signature="Number")
def length(receiver: list[Value]) -> int:
    return len(receiver)


@ARRAY.method("at", 1, signature="<A> (index: Number) => A")
def at(ctx: CallContext, receiver: list[Value], index: Value) -> Value:
    return receiver[_checked_index(receiver, index, "index")]


@ARRAY.method("first", 0, signature="<A> () => A | Null")
def first(ctx: CallContext, receiver: list[Value]) -> Value:
    return receiver[0] if receiver else _no_element(ctx, "empty array")


@ARRAY.method("last", 0, signature="<A> () => A | Null")
def last(ctx: CallContext, receiver: list[Value]) -> Value:
    return receiver[-1] if receiver else _no_element(ctx, "empty array")


@ARRAY.method("isEmpty", 0, signature="() => Boolean")
def is_empty(ctx: CallContext, receiver: list[Value]) -> bool:
    return not receiver


@ARRAY.method("nonEmpty", 0, signature="() => Boolean")
def non_empty(ctx: CallContext, receiver: list[Value]) -> bool:
    return bool(receiver)


@ARRAY.method("entries", 0, signature="<A> () => Array<[Number, A]>")
def entries(ctx: CallContext, receiver: list[Value]) -> list[Value]:
    return [[index, element] for index, element in enumerate(receiver)]


@ARRAY.method("toSet", 0, signature="<A> () => Set<A>")
def to_set(ctx: CallContext, receiver: list[Value]) -> Value:
    # Imported late: the Set model builds on this package, so a top-level import would cycle.
    from faunalite.model.sets import set_from_array

    return set_from_array(receiver)


@ARRAY.method("toString", 0, signature="() => String")
def to_string(ctx: CallContext, receiver: list[Value]) -> str:
    return display(receiver)


# -- filtering and searching ------------------------------------------------------------------


@ARRAY.method("where", 1, signature="<A> (predicate: (A => Boolean | Null)) => Array<A>")
def where(ctx: CallContext, receiver: list[Value], predicate: Value) -> list[Value]:
    return _where(ctx, receiver, predicate)


@ARRAY.method("filter", 1, signature="<A> (predicate: (A => Boolean | Null)) => Array<A>")
def filter_(ctx: CallContext, receiver: list[Value], predicate: Value) -> list[Value]:
    function = _callback(predicate, "predicate", PREDICATE_TYPE, "predicate", 1)
    kept = []
    for element in receiver:
        result = ctx.call(function, [element])
        if result is True:
            kept.append(element)
        elif result is not False and not isinstance(result, Null):
            # FaunaDB names the element's type here, not the predicate result's.
            raise _type_mismatch("Boolean", element)
    return kept


@ARRAY.method("firstWhere", 1, signature="<A> (predicate: (A => Boolean | Null)) => A | Null")
def first_where(ctx: CallContext, receiver: list[Value], predicate: Value) -> Value:
    matches = _where(ctx, receiver, predicate)
    return matches[0] if matches else _no_element(ctx, "no element found")


@ARRAY.method("lastWhere", 1, signature="<A> (predicate: (A => Boolean | Null)) => A | Null")
def last_where(ctx: CallContext, receiver: list[Value], predicate: Value) -> Value:
    matches = _where(ctx, receiver, predicate)
    return matches[-1] if matches else _no_element(ctx, "no element found")


def _any_or_every(ctx: CallContext, receiver: list[Value], predicate: Value, every: bool) -> bool:
    function = _callback(predicate, "predicate", PREDICATE_TYPE, "predicate", 1)
    for element in receiver:
        if _test(ctx, function, element) != every:
            return not every
    return every


@ARRAY.method("any", 1, signature="<A> (predicate: (A => Boolean | Null)) => Boolean")
def any_(ctx: CallContext, receiver: list[Value], predicate: Value) -> bool:
    return _any_or_every(ctx, receiver, predicate, every=False)


@ARRAY.method("every", 1, signature="<A> (predicate: (A => Boolean | Null)) => Boolean")
def every(ctx: CallContext, receiver: list[Value], predicate: Value) -> bool:
    return _any_or_every(ctx, receiver, predicate, every=True)


@ARRAY.method("includes", 1, signature="<A> (element: A) => Boolean")
def includes(ctx: CallContext, receiver: list[Value], element: Value) -> bool:
    return any(structurally_equal(item, element) for item in receiver)


def _found(ctx: CallContext, index: int | None) -> Value:
    return _no_element(ctx, "no element found") if index is None else index


@ARRAY.method(
    "indexOf",
    (1, 2),
    signature="<A> ((element: A) => Number | Null) & ((element: A, start: Number) => Number | Null)",
)
def index_of(ctx: CallContext, receiver: list[Value], element: Value, *start: Value) -> Value:
    begin = _checked_index(receiver, start[0], "start") if start else 0
    for index in range(begin, len(receiver)):
        if structurally_equal(receiver[index], element):
            return index
    return _found(ctx, None)


@ARRAY.method(
    "lastIndexOf",
    (1, 2),
    signature="<A> ((element: A) => Number | Null) & ((element: A, end: Number) => Number | Null)",
)
def last_index_of(ctx: CallContext, receiver: list[Value], element: Value, *end: Value) -> Value:
    stop = _checked_index(receiver, end[0], "end") if end else len(receiver) - 1
    for index in range(stop, -1, -1):
        if structurally_equal(receiver[index], element):
            return index
    return _found(ctx, None)


@ARRAY.method(
    "indexWhere",
    (1, 2),
    signature="<A> ((predicate: (A => Boolean | Null)) => Number | Null) & ((predicate: A => Boolean | Null, start: Number) => Number | Null)",
)
def index_where(ctx: CallContext, receiver: list[Value], predicate: Value, *start: Value) -> Value:
    begin = _checked_index(receiver, start[0], "start") if start else 0
    function = _callback(predicate, "predicate", PREDICATE_TYPE, "predicate", 1)
    for index in range(begin, len(receiver)):
        if _test(ctx, function, receiver[index]):
            return index
    return _found(ctx, None)


@ARRAY.method(
    "lastIndexWhere",
    (1, 2),
    signature="<A> ((predicate: (A => Boolean | Null)) => Number | Null) & ((predicate: A => Boolean | Null, end: Number) => Number | Null)",
)
def last_index_where(
    ctx: CallContext, receiver: list[Value], predicate: Value, *end: Value
) -> Value:
    stop = _checked_index(receiver, end[0], "end") if end else len(receiver) - 1
    function = _callback(predicate, "predicate", PREDICATE_TYPE, "predicate", 1)
    for index in range(stop, -1, -1):
        if _test(ctx, function, receiver[index]):
            return index
    return _found(ctx, None)


# -- transforming -------------------------------------------------------------------------------


@ARRAY.method("map", 1, signature="<A, B> (mapper: (A => B)) => Array<B>")
def map_(ctx: CallContext, receiver: list[Value], mapper: Value) -> list[Value]:
    function = _callback(mapper, "mapper", MAPPER_TYPE, "mapper", 1)
    return [ctx.call(function, [element]) for element in receiver]


@ARRAY.method("flatMap", 1, signature="<A, B> (mapper: (A => Array<B>)) => Array<B>")
def flat_map(ctx: CallContext, receiver: list[Value], mapper: Value) -> list[Value]:
    function = _callback(mapper, "mapper", "A => Array<B>", "mapper", 1)
    result: list[Value] = []
    for element in receiver:
        mapped = ctx.call(function, [element])
        if type(mapped) is not list:
            raise _type_mismatch("Array<Any>", mapped)
        result.extend(mapped)
    return result


@ARRAY.method("flatten", 0, signature="() => Array<Any>")
def flatten(ctx: CallContext, receiver: list[Value]) -> list[Value]:
    result: list[Value] = []
    for element in receiver:
        if type(element) is not list:
            raise _type_mismatch("Array<Any>", element)
        result.extend(element)
    return result


@ARRAY.method("forEach", 1, signature="<A> (callback: (A => Any)) => Null")
def for_each(ctx: CallContext, receiver: list[Value], callback: Value) -> Value:
    function = _callback(callback, "callback", "A => Any", "fn", 1)
    for element in receiver:
        ctx.call(function, [element])
    return Null(None, _here(ctx))


@ARRAY.method("fold", 2, signature="<A, B> (seed: B, reducer: (B, A) => B) => B")
def fold(ctx: CallContext, receiver: list[Value], seed: Value, reducer: Value) -> Value:
    function = _callback(reducer, "reducer", "(B, A) => B", "reducer", 2)
    accumulator = seed
    for element in receiver:
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@ARRAY.method("foldRight", 2, signature="<A, B> (seed: B, reducer: (B, A) => B) => B")
def fold_right(ctx: CallContext, receiver: list[Value], seed: Value, reducer: Value) -> Value:
    function = _callback(reducer, "reducer", "(B, A) => B", "reducer", 2)
    accumulator = seed
    for element in reversed(receiver):
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@ARRAY.method("reduce", 1, signature="<A> (reducer: ((A, A) => A)) => A | Null")
def reduce(ctx: CallContext, receiver: list[Value], reducer: Value) -> Value:
    function = _callback(reducer, "reducer", "(A, A) => A", "reducer", 2)
    if not receiver:
        return _no_element(ctx, "empty array")
    accumulator = receiver[0]
    for element in receiver[1:]:
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@ARRAY.method("reduceRight", 1, signature="<A> (reducer: ((A, A) => A)) => A | Null")
def reduce_right(ctx: CallContext, receiver: list[Value], reducer: Value) -> Value:
    function = _callback(reducer, "reducer", "(A, A) => A", "reducer", 2)
    if not receiver:
        return _no_element(ctx, "empty array")
    accumulator = receiver[-1]
    for element in reversed(receiver[:-1]):
        accumulator = ctx.call(function, [accumulator, element])
    return accumulator


@ARRAY.method("aggregate", 2, signature="<A> (seed: A, combiner: (A, A) => A) => A")
def aggregate(ctx: CallContext, receiver: list[Value], seed: Value, combiner: Value) -> Value:
    function = _callback(combiner, "combiner", "(A, A) => A", "combiner", 2)
    return aggregate_pairwise(ctx.call, receiver, seed, function)


# -- building -------------------------------------------------------------------------------------


@ARRAY.method("append", 1, signature="<A> (element: A) => Array<A>")
def append(ctx: CallContext, receiver: list[Value], element: Value) -> list[Value]:
    return [*receiver, element]


@ARRAY.method("prepend", 1, signature="<A> (element: A) => Array<A>")
def prepend(ctx: CallContext, receiver: list[Value], element: Value) -> list[Value]:
    return [element, *receiver]


@ARRAY.method("concat", 1, signature="<A, B> (other: Array<B>) => Array<A | B>")
def concat(ctx: CallContext, receiver: list[Value], other: Value) -> list[Value]:
    return receiver + expect_array(other, "other")


@ARRAY.method("reverse", 0, signature="<A> () => Array<A>")
def reverse(ctx: CallContext, receiver: list[Value]) -> list[Value]:
    return receiver[::-1]


@ARRAY.method("distinct", 0, signature="<A> () => Array<A>")
def distinct(ctx: CallContext, receiver: list[Value]) -> list[Value]:
    buckets: dict[int, list[Value]] = {}
    kept: list[Value] = []
    for element in receiver:
        bucket = buckets.setdefault(structural_hash(element), [])
        if not any(structurally_equal(seen, element) for seen in bucket):
            bucket.append(element)
            kept.append(element)
    return kept


@ARRAY.method("take", 1, signature="<A> (limit: Number) => Array<A>")
def take(ctx: CallContext, receiver: list[Value], limit: Value) -> list[Value]:
    return receiver[: max(0, expect_int(limit, "limit"))]


@ARRAY.method("drop", 1, signature="<A> (amount: Number) => Array<A>")
def drop(ctx: CallContext, receiver: list[Value], amount: Value) -> list[Value]:
    return receiver[max(0, expect_int(amount, "amount")) :]


@ARRAY.method(
    "slice",
    (1, 2),
    signature="<A> ((from: Number) => Array<A>) & ((from: Number, until: Number) => Array<A>)",
)
def slice_(ctx: CallContext, receiver: list[Value], start: Value, *until: Value) -> list[Value]:
    low = max(0, expect_int(start, "from"))
    high = min(len(receiver), expect_int(until[0], "until")) if until else len(receiver)
    return receiver[low:high] if high > low else []


# -- ordering -----------------------------------------------------------------------------------


@ARRAY.method("order", None, signature="<A> (ordering: ...(A => Any) & {}) => Array<A>")
def order(ctx: CallContext, receiver: list[Value], *orderings: Value) -> list[Value]:
    return sort_values(ctx, receiver, list(orderings))
