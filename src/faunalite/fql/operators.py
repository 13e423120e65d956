"""FQL's operators on values: arithmetic, bitwise, string ``+``, comparisons, unary ops.

FaunaDB dispatches every operator (except the special forms ``&&``, ``||``, ``??``, ``isa``) on
the *left* operand's type; an operator the type lacks is ``invalid_function_invocation``
``The function `-` does not exist on `String` ``, raised by the interpreter *before* it
evaluates the right operand. ``has_binary_operator`` answers that question; ``apply_binary``
does the work once both operands are known and raises ``QueryError`` without a position (the
interpreter points it at the right operand).

Numbers follow FaunaDB's Scala code: integers are 64-bit with overflow falling back to
Double, ``/`` and ``%`` truncate and raise ``divide_by_zero``, Double arithmetic is IEEE 754
(including Java's ``Math.pow`` and ``%`` edge cases), bitwise operators work on 64-bit
integers (Doubles truncated as Java's ``(long)`` cast does).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from faunalite.fql.compare import MissingDocument, compare, equal
from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import wrong_type
from faunalite.fql.stdlib.strings import concatenate
from faunalite.fql.values import (
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    Long,
    Value,
    is_int,
    is_number,
    normalize_int,
)

COMPARISON_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">="})
NUMBER_OPERATORS = frozenset({"+", "-", "*", "/", "%", "**", "&", "|", "^"})

Number = int | float


def divide_by_zero() -> QueryError:
    return QueryError("divide_by_zero", "Attempted integer division by zero.")


def function_missing(name: str, receiver_type: str) -> QueryError:
    """``The function `name` does not exist on `Type` ``."""
    return QueryError(
        "invalid_function_invocation",
        f"The function `{name}` does not exist on `{receiver_type}`",
    )


_is_number = is_number


def _wrap64(value: int) -> int:
    """Two's-complement wrap to 64 bits, as Java's ``long`` arithmetic does."""
    return (value + 2**63) % 2**64 - 2**63


def java_long(value: Number) -> int:
    """Java's ``(long)`` conversion: truncation, NaN to 0, saturation at the bounds."""
    if is_int(value):
        return int(value)
    if math.isnan(value):
        return 0
    if value >= 2.0**63:
        return INT64_MAX
    if value <= -(2.0**63):
        return INT64_MIN
    return int(value)


def java_pow(base: float, exponent: float) -> float:
    """Java's ``Math.pow``, which differs from C's ``pow`` on NaN exponents, ``±1 ** ±inf``
    and raises nothing."""
    if math.isnan(exponent):
        return math.nan
    if exponent == 0.0:
        return 1.0
    if math.isinf(exponent) and abs(base) == 1.0:
        return math.nan
    try:
        return math.pow(base, exponent)
    except ZeroDivisionError:
        # 0 ** negative: infinity, negative only for -0.0 with an odd integer exponent.
        odd = exponent.is_integer() and int(exponent) % 2 == 1
        return -math.inf if odd and math.copysign(1.0, base) < 0 else math.inf
    except ValueError:
        if base == 0.0:
            odd = exponent.is_integer() and int(exponent) % 2 == 1
            return -math.inf if odd and math.copysign(1.0, base) < 0 else math.inf
        return math.nan
    except OverflowError:
        odd = exponent.is_integer() and int(exponent) % 2 == 1
        return -math.inf if base < 0 and odd else math.inf


def _float_of(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _integer_power(base: int, exponent: int) -> Number:
    if exponent == 0 or base == 1:
        return 1
    if base == -1:
        return 1 if exponent % 2 == 0 else -1
    if base == 0 and exponent > 0:
        return 0
    if 0 < exponent <= 2**31 - 2:
        # The exact power would need more bits than a Double can even express: skip the
        # (possibly enormous) big-integer computation, the answer is an infinity either way.
        if exponent * math.log2(abs(base)) > 1100:
            negative = base < 0 and exponent % 2 == 1
            return -math.inf if negative else math.inf
        exact = base**exponent
        return normalize_int(exact) if INT64_MIN <= exact <= INT64_MAX else _float_of(exact)
    return java_pow(float(base), float(exponent))


def _truncating_divide(left: int, right: int) -> int:
    quotient = abs(left) // abs(right)
    return quotient if (left < 0) == (right < 0) else -quotient


def _divide(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        if right == 0:
            raise divide_by_zero()
        return normalize_int(_wrap64(_truncating_divide(left, right)))
    numerator, denominator = float(left), float(right)
    if denominator == 0.0:
        if numerator == 0.0 or math.isnan(numerator):
            return math.nan
        negative = (numerator < 0) != (math.copysign(1.0, denominator) < 0)
        return -math.inf if negative else math.inf
    return numerator / denominator


def _remainder(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        if right == 0:
            raise divide_by_zero()
        return left - right * _truncating_divide(left, right)
    numerator, denominator = float(left), float(right)
    if denominator == 0.0 or math.isinf(numerator) or math.isnan(denominator):
        return math.nan
    if math.isinf(denominator):
        return numerator
    return math.fmod(numerator, denominator)


def _power(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        return _integer_power(left, right)
    return java_pow(float(left), float(right))


def _add(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        return normalize_int(left + right)
    return float(left) + float(right)


def _subtract(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        return normalize_int(left - right)
    return float(left) - float(right)


def _multiply(left: Number, right: Number) -> Number:
    if is_int(left) and is_int(right):
        return normalize_int(left * right)
    return float(left) * float(right)


_NUMBER_BINARY: dict[str, Callable[[Number, Number], Number]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "%": _remainder,
    "**": _power,
    "&": lambda left, right: java_long(left) & java_long(right),
    "|": lambda left, right: java_long(left) | java_long(right),
    "^": lambda left, right: java_long(left) ^ java_long(right),
}


def has_binary_operator(op: str, left: Value) -> bool:
    """Whether ``left``'s type defines the infix operator ``op``."""
    if op in COMPARISON_OPERATORS:
        return True
    if _is_number(left):
        return op in NUMBER_OPERATORS
    return op == "+" and type(left) is str


def apply_binary(
    op: str, left: Value, right: Value, missing_document: MissingDocument | None = None
) -> Value:
    """``left op right`` for an operator ``has_binary_operator`` accepted."""
    if op in COMPARISON_OPERATORS:
        return _compare_operator(op, left, right, missing_document)
    if type(left) is str:
        return concatenate(left, display(right))
    if not _is_number(right):
        raise wrong_type("exponent" if op == "**" else "other", "Number", right)
    return _NUMBER_BINARY[op](left, right)


def _compare_operator(
    op: str, left: Value, right: Value, missing_document: MissingDocument | None
) -> bool:
    if op == "==":
        return equal(left, right, missing_document)
    if op == "!=":
        return not equal(left, right, missing_document)
    order = compare(left, right)
    if order is None:
        return False
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def has_unary_operator(op: str, operand: Value) -> bool:
    if op == "!":
        return type(operand) is bool
    return _is_number(operand)


def apply_unary(op: str, operand: Value) -> Value:
    """``-x``, ``~x`` or ``!x`` for an operand ``has_unary_operator`` accepted."""
    if op == "!":
        return not operand
    if op == "~":
        return normalize_int(~java_long(operand))
    if type(operand) is float:
        return -operand
    # Negation keeps the representation, wrapping like Java: -Int.MinValue stays itself.
    if type(operand) is Long:
        return Long(_wrap64(-operand))
    if operand == INT32_MIN:
        return operand
    return normalize_int(_wrap64(-operand))
