"""Equality and ordering of FQL values: the three relations FaunaDB uses.

* ``compare(a, b)`` is what ``<``, ``<=``, ``>``, ``>=`` (and ``==`` for scalars) use: an
  ``int`` sign, or ``None`` when the two values are not comparable (``2 < "x"`` is then
  simply false). It keeps one FaunaDB quirk on purpose: arrays and objects compare an exhausted
  left side as smaller even when the right side is exhausted too, so ``[1] < [1]`` is true
  while ``[1] == [1]`` is also true; the same array compared with itself is equal.
* ``equal(a, b)`` is ``==``: element-wise for arrays and objects, ``compare(...) == 0``
  otherwise. Numbers compare like Java's ``Double.compare`` when a Double is involved, so
  ``NaN == NaN`` is true and ``0 == -0.0`` is false, as in FaunaDB.
* ``total_compare(a, b)`` is the total order of ``order()`` and ``Set.distinct()``: by kind
  rank (numbers first, null last), then within the kind.

``structurally_equal``/``structural_hash`` are the runtime-representation equality that
``Array.includes``/``indexOf``/``distinct`` use (``1`` equals ``1.0``, ``NaN`` never equals).
Documents and other storage values take part through optional methods ``fql_compare(other)``
(``int | None``) and ``fql_equals(other)``; a reference to a missing document equals ``null``
through the ``missing_document`` predicate the caller passes.

Every walk here counts the arrays and objects it enters (``walk_clock.visit_container``), so
a value sharing its parts, whose tree is exponentially larger than its memory, ends the
query at its deadline instead of holding its worker for ever.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from faunalite.fql.values import (
    ID,
    Date,
    Function,
    Lambda,
    Long,
    Module,
    NativeFunction,
    Null,
    StorageValue,
    Time,
    TransactionTime,
    UUIDValue,
    Value,
)
from faunalite.fql.walk_clock import visit_container

MissingDocument = Callable[[Value], bool]

_INT64_SIGN = 1 << 63


def java_double_compare(x: float, y: float) -> int:
    """``Double.compare``: ``-0.0 < 0.0`` and NaN above everything, equal to itself."""
    if x < y:
        return -1
    if x > y:
        return 1
    x_nan, y_nan = math.isnan(x), math.isnan(y)
    if x_nan or y_nan:
        return (1 if x_nan else 0) - (1 if y_nan else 0)
    # Equal and not NaN: only the sign of zero can still differ.
    return int(math.copysign(1.0, x) > 0) - int(math.copysign(1.0, y) > 0)


def compare_numbers(a: int | float, b: int | float) -> int:
    if not (type(a) is float or type(b) is float):
        return (a > b) - (a < b)
    return java_double_compare(float(a), float(b))


def compare_strings(a: str, b: str) -> int:
    """Java ``String.compareTo``: by UTF-16 code unit, which differs from code-point order
    only when characters outside the BMP meet characters U+E000..U+FFFF."""
    if a == b:
        return 0
    if a.isascii() or b.isascii():
        return -1 if a < b else 1
    left = a.encode("utf-16-be", "surrogatepass")
    right = b.encode("utf-16-be", "surrogatepass")
    return -1 if left < right else 1


def _signed64(value: int) -> int:
    return value - (1 << 64) if value & _INT64_SIGN else value


def _compare_uuids(a: UUIDValue, b: UUIDValue) -> int:
    """Java ``UUID.compareTo``: signed comparison of the high, then the low 64 bits."""
    a_int, b_int = a.value.int, b.value.int
    a_key = (_signed64(a_int >> 64), _signed64(a_int & (2**64 - 1)))
    b_key = (_signed64(b_int >> 64), _signed64(b_int & (2**64 - 1)))
    return (a_key > b_key) - (a_key < b_key)


def parse_java_long(text: str) -> int | None:
    """Scala's ``String.toLongOption``: optional sign then decimal digits, within 64 bits."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _is_number(value: Value) -> bool:
    kind = type(value)
    return kind is int or kind is float or kind is Long


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _quirky_list_compare(
    left: Sequence[Any], right: Sequence[Any], element: Callable[[Any, Any], int]
) -> int:
    """FaunaDB's operator-level list comparison: an exhausted left side is smaller, even
    when the right side is exhausted too."""
    for index in range(len(left)):
        if index >= len(right):
            return 1
        result = element(left[index], right[index])
        if result != 0:
            return result
    return -1


def _compare_entries(left: tuple[str, Value], right: tuple[str, Value]) -> int:
    by_key = compare_strings(left[0], right[0])
    return by_key if by_key != 0 else _compare_or_rank(left[1], right[1])


def _compare_or_rank(a: Value, b: Value) -> int:
    result = compare(a, b)
    if result is None:
        return _sign(order_rank(a) - order_rank(b))
    return result


def compare(a: Value, b: Value) -> int | None:
    """The operator comparison (see the module docstring); ``None`` if not comparable."""
    if a is b:
        return 0
    ta, tb = type(a), type(b)
    if ta is list and tb is list:
        visit_container()
        return _quirky_list_compare(a, b, _compare_or_rank)
    if ta is dict and tb is dict:
        visit_container()
        return _quirky_list_compare(sorted(a.items()), sorted(b.items()), _compare_entries)
    if ta is bool or tb is bool:
        return int(a > b) - int(a < b) if ta is tb else None
    if _is_number(a):
        if _is_number(b):
            return compare_numbers(a, b)
        if tb is ID:
            return compare_numbers(a, b.value)
        return None
    if ta is str:
        if tb is str:
            return compare_strings(a, b)
        if tb is ID:
            parsed = parse_java_long(a)
            return None if parsed is None else _sign(parsed - b.value)
        return None
    if ta is ID:
        if tb is ID:
            return _sign(a.value - b.value)
        if tb is str:
            parsed = parse_java_long(b)
            return None if parsed is None else _sign(a.value - parsed)
        if _is_number(b):
            return compare_numbers(a.value, b)
        return None
    if ta is not tb:
        if isinstance(a, Null) and isinstance(b, Null):
            return 0
        if isinstance(a, NativeFunction) and isinstance(b, NativeFunction):
            return _compare_native_functions(a, b)
        return _compare_storage(a, b)
    if ta is Time or ta is Date:
        key_a = a.epoch_ns if ta is Time else a.epoch_days
        key_b = b.epoch_ns if ta is Time else b.epoch_days
        return _sign(key_a - key_b)
    if ta is bytes:
        return int(a > b) - int(a < b)
    if ta is UUIDValue:
        return _compare_uuids(a, b)
    if ta is Module:
        return compare_strings(a.name, b.name)
    if ta is Null or ta is TransactionTime:
        return 0
    if ta is Lambda:
        return _compare_lambdas(a, b)
    if isinstance(a, NativeFunction):
        return _compare_native_functions(a, b)
    return _compare_storage(a, b)


def _compare_lambdas(a: Lambda, b: Lambda) -> int:
    for pa, pb in zip(a.params, b.params, strict=False):
        if pa != pb:
            if pa is None or pb is None:
                return -1 if pa is None else 1
            return compare_strings(pa, pb)
    if len(a.params) != len(b.params):
        return -1
    # FaunaDB falls back to hash codes: an arbitrary but stable order.
    return _sign(id(a) - id(b))


def _compare_native_functions(a: NativeFunction, b: NativeFunction) -> int:
    by_receiver = _compare_or_rank(bound_receiver(a), bound_receiver(b))
    return by_receiver if by_receiver != 0 else compare_strings(a.name, b.name)


def bound_receiver(function: Function) -> Value:
    """The receiver a native method value is bound to (null for free functions)."""
    return getattr(function, "receiver", Null())


def _compare_storage(a: Value, b: Value) -> int | None:
    method = getattr(a, "fql_compare", None)
    if method is None:
        return None
    result = method(b)
    return None if result is None else int(result)


def equal(a: Value, b: Value, missing_document: MissingDocument | None = None) -> bool:
    """``a == b`` as FaunaDB evaluates it (never an error)."""
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is list:
        if tb is not list or len(a) != len(b):
            return False
        visit_container()
        return all(equal(x, y, missing_document) for x, y in zip(a, b, strict=False))
    if ta is dict:
        if tb is not dict or len(a) != len(b):
            return False
        visit_container()
        for key, value in a.items():
            if key not in b or not equal(value, b[key], missing_document):
                return False
        return True
    if isinstance(a, StorageValue) or isinstance(b, StorageValue):
        return _storage_equal(a, b, missing_document)
    if ta is TransactionTime and tb is TransactionTime:
        return True
    return compare(a, b) == 0


def _storage_equal(a: Value, b: Value, missing_document: MissingDocument | None) -> bool:
    if isinstance(b, Null) or isinstance(a, Null):
        other = a if isinstance(b, Null) else b
        return missing_document is not None and missing_document(other)
    method = getattr(a, "fql_equals", None)
    if method is not None:
        return bool(method(b))
    return compare(a, b) == 0


# -- the total order -------------------------------------------------------------------------

_RANKS: dict[type, int] = {
    int: 0,
    Long: 0,
    float: 0,
    bytes: 1,
    str: 2,
    list: 3,
    dict: 4,
    ID: 5,
    Time: 7,
    TransactionTime: 8,
    Date: 9,
    UUIDValue: 10,
    bool: 11,
    Module: 12,
    Lambda: 15,
    Null: 18,
}


def order_rank(value: Value) -> int:
    """The kind's position in FaunaDB's total order (numbers 0 ... null 18)."""
    rank = _RANKS.get(type(value))
    if rank is not None:
        return rank
    if isinstance(value, NativeFunction):
        return 16
    if isinstance(value, Function):
        return 15
    if isinstance(value, StorageValue):
        return value.order_rank
    if isinstance(value, Null):
        return 18
    return 18


def _list_compare(
    left: Sequence[Any], right: Sequence[Any], element: Callable[[Any, Any], int]
) -> int:
    for x, y in zip(left, right, strict=False):
        result = element(x, y)
        if result != 0:
            return result
    return _sign(len(left) - len(right))


def _total_entries(left: tuple[str, Value], right: tuple[str, Value]) -> int:
    by_key = compare_strings(left[0], right[0])
    return by_key if by_key != 0 else total_compare(left[1], right[1])


def total_compare(a: Value, b: Value) -> int:
    """FaunaDB's total order over all values (``order()``, ``Set.distinct()``)."""
    ta, tb = type(a), type(b)
    rank_a, rank_b = order_rank(a), order_rank(b)
    if rank_a != rank_b:
        return _sign(rank_a - rank_b)
    if rank_a == 0:
        return compare_numbers(a, b)
    if ta is str:
        return compare_strings(a, b)
    if ta is list:
        visit_container()
        return _list_compare(a, b, total_compare)
    if ta is dict:
        visit_container()
        return _list_compare(sorted(a.items()), sorted(b.items()), _total_entries)
    if ta is bool or ta is bytes:
        return int(a > b) - int(a < b)
    if ta is ID:
        return _sign(a.value - b.value)
    if ta is Time:
        return _sign(a.epoch_ns - b.epoch_ns)
    if ta is Date:
        return _sign(a.epoch_days - b.epoch_days)
    if ta is UUIDValue:
        return _compare_uuids(a, b)
    if ta is Module:
        return compare_strings(a.name, b.name)
    if isinstance(a, StorageValue) and tb is ta:
        result = _compare_storage(a, b)
        return 0 if result is None else result
    return 0


total_order_key = cmp_to_key(total_compare)
"""A ``sorted`` key implementing ``total_compare``."""


# -- runtime-representation equality (Array.includes / indexOf / distinct) ------------------


def structurally_equal(a: Value, b: Value) -> bool:
    """Equality of the runtime representation: numbers by value across Int/Long/Double
    (``NaN`` never equal), an ID equal to the digit string of its number, arrays and objects
    element-wise, all nulls equal."""
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if _is_number(a):
        return _is_number(b) and a == b
    if ta is list:
        if tb is not list or len(a) != len(b):
            return False
        visit_container()
        return all(map(structurally_equal, a, b))
    if ta is dict:
        if tb is not dict or a.keys() != b.keys():
            return False
        visit_container()
        return all(structurally_equal(value, b[key]) for key, value in a.items())
    if ta is ID and tb is str:
        return bool(parse_java_long(b) == a.value)
    if ta is str and tb is ID:
        return bool(parse_java_long(a) == b.value)
    if isinstance(a, Null):
        return isinstance(b, Null)
    if ta is Lambda or isinstance(a, NativeFunction):
        return a is b or (ta is tb and compare(a, b) == 0)
    return ta is tb and bool(a == b)


def structural_hash(value: Value) -> int:
    """A hash consistent with ``structurally_equal`` (equal values hash alike)."""
    kind = type(value)
    if kind is list:
        visit_container()
        return hash(tuple(structural_hash(item) for item in value))
    if kind is dict:
        visit_container()
        return hash(frozenset((key, structural_hash(item)) for key, item in value.items()))
    if kind is ID:
        return hash(str(value.value))
    if kind is str:
        parsed = parse_java_long(value)
        return hash(str(parsed)) if parsed is not None else hash(value)
    if isinstance(value, Null):
        return hash(Null)
    try:
        return hash(value)
    except TypeError:
        return id(value)
