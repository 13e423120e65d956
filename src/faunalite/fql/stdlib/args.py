"""Argument checks shared by the standard library, with FaunaDB's error messages.

Native functions receive FQL values unchecked; these helpers coerce them as FaunaDB's
``TypeTag`` casts do (an Int parameter takes a Long that fits 32 bits or a whole Double) or raise
``invalid_argument``: ``expected value for `x` of type Int, received String``.
"""

from __future__ import annotations

import math

from faunalite.fql.errors import QueryError
from faunalite.fql.values import (
    INT32_MAX,
    INT32_MIN,
    Function,
    Long,
    Null,
    Time,
    Value,
    type_name,
)


def wrong_type(param: str, expected: str, received: Value) -> QueryError:
    """``expected value for `param` of type T, received U`` (``invalid_argument``)."""
    return QueryError(
        "invalid_argument",
        f"expected value for `{param}` of type {expected}, received {type_name(received)}",
    )


def invalid_argument(param: str, reason: str) -> QueryError:
    """``invalid argument `param`: reason`` (``invalid_argument``)."""
    return QueryError("invalid_argument", f"invalid argument `{param}`: {reason}")


def _whole(value: Value, low: int, high: int) -> int | None:
    t = type(value)
    if t is int or t is Long:
        return int(value) if low <= value <= high else None
    if t is float and math.isfinite(value) and value.is_integer() and low <= value <= high:
        return int(value)
    return None


def expect_int(value: Value, param: str) -> int:
    """An Int (32-bit) parameter; accepts a fitting Long or a whole Double."""
    result = _whole(value, INT32_MIN, INT32_MAX)
    if result is None:
        raise wrong_type(param, "Int", value)
    return result


def expect_number(value: Value, param: str) -> int | float:
    t = type(value)
    if t is int or t is float or t is Long:
        return value  # type: ignore[no-any-return]
    raise wrong_type(param, "Number", value)


def expect_string(value: Value, param: str) -> str:
    if type(value) is str:
        return value  # type: ignore[no-any-return]
    raise wrong_type(param, "String", value)


def expect_array(value: Value, param: str) -> list[Value]:
    if type(value) is list:
        return value  # type: ignore[no-any-return]
    raise wrong_type(param, "Array<Any>", value)


def expect_time(value: Value, param: str) -> Time:
    if type(value) is Time:
        return value  # type: ignore[no-any-return]
    raise wrong_type(param, "Time", value)


def expect_function(value: Value, param: str, expected: str = "Function") -> Function:
    """A function parameter; ``expected`` is the signature shown on error, e.g. ``A => Any``."""
    if isinstance(value, Function):
        return value
    raise wrong_type(param, expected, value)


def optional(value: Value) -> Value | None:
    """``None`` for an FQL null (an omitted optional argument), else the value."""
    return None if isinstance(value, Null) else value


def wrong_overload(function: str, expected: list[str], args: list[Value]) -> QueryError:
    """The ``invalid_argument`` error of an overloaded function whose arguments fit no
    overload: `` expected arguments to `f` of type (String) | (Number), received (Boolean) ``.

    ``expected`` lists the signatures (``"(String, Int)"``) of the overloads taking as many
    arguments as were given.
    """
    received = "(" + ", ".join(type_name(arg) for arg in args) + ")"
    return QueryError(
        "invalid_argument",
        f"expected arguments to `{function}` of type {' | '.join(expected)}, received {received}",
    )


def as_int(value: Value) -> int | None:
    """``value`` as an Int parameter would accept it (see ``expect_int``), else ``None``."""
    return _whole(value, INT32_MIN, INT32_MAX)
