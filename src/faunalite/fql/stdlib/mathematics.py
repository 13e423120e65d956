"""The ``Math`` module: constants, elementary functions, rounding, ``sum`` and ``mean``.

Results follow FaunaDB: most functions work in Double; ``abs``, ``ceil``, ``floor``, ``max``,
``min`` keep an integer an integer; ``round``/``trunc`` take a precision in decimal places
(negative: tens, hundreds...); domain errors are ``invalid_argument`` naming ``x``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from faunalite.fql.compare import compare_numbers
from faunalite.fql.operators import apply_binary, java_pow
from faunalite.fql.stdlib.args import expect_int, expect_number, invalid_argument, wrong_overload
from faunalite.fql.stdlib.registry import CallContext, module
from faunalite.fql.values import (
    INT32_MIN,
    INT64_MIN,
    Module,
    Value,
    is_int,
    is_number,
    normalize_int,
)

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext

MATH = module("Math")

Number = int | float

MATH.field("E", signature="Number")(lambda _: math.e)
MATH.field("PI", signature="Number")(lambda _: math.pi)
MATH.field("Infinity", signature="Number")(lambda _: math.inf)
MATH.field("NaN", signature="Number")(lambda _: math.nan)

UNARY_SIGNATURE = "(x: Number) => Number"
"""FaunaDB's type of every one-argument ``Math`` function."""


def _unary_double(name: str, function: Callable[[float], float]) -> None:
    def impl(ctx: CallContext, _: Module, x: Value) -> float:
        try:
            return function(float(expect_number(x, "x")))
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    MATH.method(name, 1, signature=UNARY_SIGNATURE)(impl)


_unary_double("atan", math.atan)
_unary_double("cos", math.cos)
_unary_double("cosh", math.cosh)
_unary_double("sin", math.sin)
_unary_double("sinh", math.sinh)
_unary_double("tan", math.tan)
_unary_double("tanh", math.tanh)
_unary_double("exp", math.exp)
_unary_double("degrees", math.degrees)
_unary_double("radians", math.radians)


@MATH.method("abs", 1, signature="(x: Number) => Number")
def abs_(ctx: CallContext, _: Module, x: Value) -> Number:
    number = expect_number(x, "x")
    if type(number) is float:
        return abs(number)
    # Java's abs keeps the representation, so the most negative Int/Long stays negative.
    if number in (INT32_MIN, INT64_MIN):
        return number
    return abs(number)


def _unit_interval(name: str, function: Callable[[float], float]) -> None:
    def impl(ctx: CallContext, _: Module, x: Value) -> float:
        value = float(expect_number(x, "x"))
        if value < -1 or value > 1:
            raise invalid_argument("x", "argument must lie in [-1, 1]")
        return function(value)

    MATH.method(name, 1, signature=UNARY_SIGNATURE)(impl)


_unit_interval("acos", math.acos)
_unit_interval("asin", math.asin)


@MATH.method("ceil", 1, signature="(x: Number) => Number")
def ceil(ctx: CallContext, _: Module, x: Value) -> Number:
    number = expect_number(x, "x")
    if is_int(number) or not math.isfinite(number):
        return number
    return float(math.ceil(number))


@MATH.method("floor", 1, signature="(x: Number) => Number")
def floor(ctx: CallContext, _: Module, x: Value) -> Number:
    number = expect_number(x, "x")
    if is_int(number) or not math.isfinite(number):
        return number
    return float(math.floor(number))


@MATH.method("hypot", 2, signature="(x: Number, y: Number) => Number")
def hypot(ctx: CallContext, _: Module, x: Value, y: Value) -> float:
    return math.hypot(float(expect_number(x, "x")), float(expect_number(y, "y")))


def _logarithm(name: str, function: Callable[[float], float]) -> None:
    def impl(ctx: CallContext, _: Module, x: Value) -> float:
        number = expect_number(x, "x")
        if compare_numbers(number, 0) <= 0:
            raise invalid_argument("x", "x must be positive")
        return function(float(number)) if math.isfinite(number) else float(number)

    MATH.method(name, 1, signature=UNARY_SIGNATURE)(impl)


_logarithm("log", math.log)
_logarithm("log10", math.log10)


@MATH.method("sqrt", 1, signature="(x: Number) => Number")
def sqrt(ctx: CallContext, _: Module, x: Value) -> float:
    number = expect_number(x, "x")
    if compare_numbers(number, 0) < 0:
        raise invalid_argument("x", "x must be nonnegative")
    return math.sqrt(float(number)) if not math.isinf(number) else math.inf


@MATH.method("max", 2, signature="(x: Number, y: Number) => Number")
def max_(ctx: CallContext, _: Module, x: Value, y: Value) -> Number:
    left, right = expect_number(x, "x"), expect_number(y, "y")
    return right if compare_numbers(left, right) < 0 else left


@MATH.method("min", 2, signature="(x: Number, y: Number) => Number")
def min_(ctx: CallContext, _: Module, x: Value, y: Value) -> Number:
    left, right = expect_number(x, "x"), expect_number(y, "y")
    return left if compare_numbers(left, right) <= 0 else right


@MATH.method("pow", 2, signature="(x: Number, power: Number) => Number")
def pow_(ctx: CallContext, _: Module, x: Value, power: Value) -> float:
    return java_pow(float(expect_number(x, "x")), float(expect_number(power, "power")))


@MATH.method("sign", 1, signature="(x: Number) => Number")
def sign(ctx: CallContext, _: Module, x: Value) -> int:
    return compare_numbers(expect_number(x, "x"), 0)


def _to_precision(number: Number, precision: int, rounding: str) -> Number:
    """``number`` rounded to ``precision`` decimal places (negative: to tens, hundreds...)."""
    if is_int(number):
        if precision >= 0:
            return number
        quantum = Decimal(1).scaleb(-precision)
        rounded = (Decimal(number) / quantum).quantize(Decimal(1), rounding=rounding) * quantum
        return normalize_int(int(rounded))
    if not math.isfinite(number):
        return number
    try:
        quantum = Decimal(1).scaleb(-precision)
        return float(Decimal(repr(number)).quantize(quantum, rounding=rounding))
    except InvalidOperation:
        # More digits than Decimal's context holds: the Double is already that precise.
        return number


@MATH.method("round", 2, signature="(x: Number, precision: Number) => Number")
def round_(ctx: CallContext, _: Module, x: Value, precision: Value) -> Number:
    number = expect_number(x, "x")
    return _to_precision(number, expect_int(precision, "precision"), ROUND_HALF_UP)


@MATH.method("trunc", 2, signature="(x: Number, precision: Number) => Number")
def trunc(ctx: CallContext, _: Module, x: Value, precision: Value) -> Number:
    number = expect_number(x, "x")
    return _to_precision(number, expect_int(precision, "precision"), ROUND_DOWN)


def _numbers(ctx: QueryContext, name: str, numbers: Value) -> list[Number]:
    from faunalite.model.sets import SetValue

    if isinstance(numbers, SetValue):
        # The ``Set<Number>`` overload: the set is materialised (at most 16 000 elements).
        numbers = numbers.to_list(ctx)
    if type(numbers) is not list:
        raise wrong_overload(name, ["(Array<Number>)", "(Set<Number>)"], [numbers])
    checked: list[Number] = []
    for element in numbers:
        if not is_number(element):
            raise invalid_argument("numbers", "all array elements must be numbers")
        checked.append(element)
    return checked


def _sum(numbers: list[Number]) -> Number:
    total: Number = 0
    for element in numbers:
        total = apply_binary("+", total, element)
    return total


@MATH.method(
    "sum", 1, signature="((numbers: Array<Number>) => Number) & ((numbers: Set<Number>) => Number)"
)
def sum_(ctx: QueryContext, _: Module, numbers: Value) -> Number:
    return _sum(_numbers(ctx, "sum", numbers))


@MATH.method(
    "mean", 1, signature="((numbers: Array<Number>) => Number) & ((numbers: Set<Number>) => Number)"
)
def mean(ctx: QueryContext, _: Module, numbers: Value) -> Number:
    values = _numbers(ctx, "mean", numbers)
    average: Number = apply_binary("/", _sum(values), float(len(values)))
    return average
