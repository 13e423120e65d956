"""The ``Time`` module and prototype: ``Time("…")``, ``Time.epoch``, ``t.add(1, "day")``…

A ``Time`` is nanoseconds since the Unix epoch; calendar work is in ``faunalite.fql.timefmt``.
Arithmetic follows FaunaDB's Java code closely, including its edge cases: fractional
amounts are split into whole units and a fraction the way ``Timestamp.plus`` splits them,
results must stay within years ±999999999 (``Time exceeds the maximum value.``), and an
arithmetic overflow is reported as the maximum for ``add`` and the minimum for ``subtract``
whatever its direction.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_number, expect_string, expect_time
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.timefmt import (
    MAX_INSTANT_NS,
    MAX_TIME_NS,
    MIN_INSTANT_NS,
    MIN_TIME_NS,
    NANOS_PER_SECOND,
    TimeUnit,
    civil_time,
    day_of_week,
    day_of_year,
    parse_time,
    parse_unit,
)
from faunalite.fql.values import INT64_MAX, INT64_MIN, Module, Time, Value, normalize_int

TIME = prototype(Time, "Time")
TIME_MODULE = module("Time")

TIME_TOO_LARGE = "Time exceeds the maximum value."
TIME_TOO_SMALL = "Time exceeds the minimum value."


class _InstantOverflow(Exception):
    """Java's ``Instant`` arithmetic left its range (or met NaN/Infinity)."""


def time_overflow(message: str) -> QueryError:
    return QueryError("invalid_time", message)


def invalid_time_unit(unit: str) -> QueryError:
    return QueryError("invalid_unit", f"`{unit}` is not a valid time unit.")


def time_unit(unit: Value) -> TimeUnit:
    text = expect_string(unit, "unit")
    parsed = parse_unit(text)
    if parsed is None:
        raise invalid_time_unit(text)
    return parsed


def parse_time_value(text: str) -> Time:
    """``Time(text)``, or ``invalid_time``: `` `text` is not a valid time. ``"""
    epoch_ns = parse_time(text)
    if epoch_ns is None:
        raise QueryError("invalid_time", f"`{text}` is not a valid time.")
    return Time(epoch_ns)


# --- module ---------------------------------------------------------------------------------


@TIME_MODULE.callable(1, signature="(time: String) => Time")
def time_apply(ctx: CallContext, receiver: Module, time: Value) -> Time:
    return parse_time_value(expect_string(time, "time"))


@TIME_MODULE.method("fromString", 1, signature="(time: String) => Time")
def time_from_string(ctx: CallContext, receiver: Module, time: Value) -> Time:
    return parse_time_value(expect_string(time, "time"))


@TIME_MODULE.method("now", 0, signature="() => Time")
def time_now(ctx: CallContext, receiver: Module) -> Time:
    return ctx.snapshot_time


@TIME_MODULE.method("epoch", 2, signature="(offset: Number, unit: String) => Time")
def time_epoch(ctx: CallContext, receiver: Module, offset: Value, unit: Value) -> Time:
    amount = expect_number(offset, "offset")
    parsed = time_unit(unit)
    if type(amount) is float:
        return Time(_epoch_offset_from_double(amount, parsed))
    result = int(amount) * parsed.nanos
    # FaunaDB does not range-check `epoch` beyond what an Instant holds.
    if result > MAX_INSTANT_NS:
        raise time_overflow(TIME_TOO_LARGE)
    if result < MIN_INSTANT_NS:
        raise time_overflow(TIME_TOO_SMALL)
    return Time(result)


def _epoch_offset_from_double(amount: float, unit: TimeUnit) -> int:
    """Nanoseconds of ``amount`` units, as a Scala ``Duration * Double`` computes them."""
    nanos = float(unit.nanos) * amount
    if not math.isfinite(nanos):
        # An infinite or undefined duration added to a time yields the latest instant.
        return MAX_INSTANT_NS
    if nanos > INT64_MAX or nanos < INT64_MIN:
        raise time_overflow(TIME_TOO_LARGE if nanos > 0 else TIME_TOO_SMALL)
    return math.trunc(nanos + 0.5)


# --- arithmetic -----------------------------------------------------------------------------


def _checked_instant(epoch_ns: int) -> int:
    if not MIN_INSTANT_NS <= epoch_ns <= MAX_INSTANT_NS:
        raise _InstantOverflow
    return epoch_ns


def _split_double(amount: float, unit: TimeUnit) -> tuple[int, int]:
    """Whole seconds and leftover nanoseconds of a non-negative ``amount`` of units."""
    if not math.isfinite(amount):
        raise _InstantOverflow
    whole = math.floor(amount)
    fraction_nanos = float(unit.nanos) * (amount - whole)
    # Java goes through BigDecimal built from the double's shortest decimal text.
    whole_nanos = int(Decimal(repr(float(whole)))) * unit.nanos
    seconds, nanos = divmod(whole_nanos, NANOS_PER_SECOND)
    if seconds >= INT64_MAX:
        return INT64_MAX, 0
    with localcontext() as context:
        context.prec = 60
        leftover = int(Decimal(nanos) + Decimal(repr(fraction_nanos)))
    return seconds, leftover


def _shift_by_double(epoch_ns: int, amount: float, unit: TimeUnit, forward: bool) -> int:
    if amount < 0:
        return _shift_by_double(epoch_ns, -amount, unit, not forward)
    seconds, nanos = _split_double(amount, unit)
    sign = 1 if forward else -1
    after_seconds = _checked_instant(epoch_ns + sign * seconds * NANOS_PER_SECOND)
    return _checked_instant(after_seconds + sign * nanos)


def shift_time(time: Time, amount: Value, unit: Value, forward: bool) -> Time:
    """``time.add(amount, unit)`` (``forward``) or ``time.subtract(amount, unit)``."""
    number = expect_number(amount, "amount")
    parsed = time_unit(unit)
    try:
        if type(number) is float:
            result = _shift_by_double(time.epoch_ns, number, parsed, forward)
        else:
            delta = int(number) * parsed.nanos
            result = _checked_instant(time.epoch_ns + (delta if forward else -delta))
    except _InstantOverflow:
        raise time_overflow(TIME_TOO_LARGE if forward else TIME_TOO_SMALL) from None
    if result < MIN_TIME_NS:
        raise time_overflow(TIME_TOO_SMALL)
    if result > MAX_TIME_NS:
        raise time_overflow(TIME_TOO_LARGE)
    return Time(result)


@TIME.method("add", 2, signature="(amount: Number, unit: String) => Time")
def time_add(ctx: CallContext, receiver: Time, amount: Value, unit: Value) -> Time:
    return shift_time(receiver, amount, unit, forward=True)


@TIME.method("subtract", 2, signature="(amount: Number, unit: String) => Time")
def time_subtract(ctx: CallContext, receiver: Time, amount: Value, unit: Value) -> Time:
    return shift_time(receiver, amount, unit, forward=False)


def _trunc_div(numerator: int, denominator: int) -> int:
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


@TIME.method("difference", 2, signature="(start: Time, unit: String) => Number")
def time_difference(ctx: CallContext, receiver: Time, start: Value, unit: Value) -> int | float:
    """Whole units from ``start`` to this time, truncated toward zero (Java ``until``)."""
    begin = expect_time(start, "start")
    parsed = time_unit(unit)
    if parsed.nanos == 1_000_000:
        # Java compares epoch milliseconds, each floored, rather than the exact gap.
        millis = receiver.epoch_ns // 1_000_000 - begin.epoch_ns // 1_000_000
        return normalize_int(millis)
    gap = receiver.epoch_ns - begin.epoch_ns
    if parsed.nanos >= NANOS_PER_SECOND:
        return normalize_int(
            _trunc_div(_trunc_div(gap, NANOS_PER_SECOND), parsed.nanos // NANOS_PER_SECOND)
        )
    return normalize_int(_trunc_div(gap, parsed.nanos))


# --- conversions and fields -----------------------------------------------------------------


@TIME.method("toMicros", 0, signature="() => Number")
def time_to_micros(ctx: CallContext, receiver: Time) -> int | float:
    return normalize_int(receiver.epoch_ns // 1000)


@TIME.method("toMillis", 0, signature="() => Number")
def time_to_millis(ctx: CallContext, receiver: Time) -> int | float:
    return normalize_int(receiver.epoch_ns // 1_000_000)


@TIME.method("toSeconds", 0, signature="() => Number")
def time_to_seconds(ctx: CallContext, receiver: Time) -> int | float:
    return normalize_int(receiver.epoch_ns // NANOS_PER_SECOND)


@TIME.method("toString", 0, signature="() => String")
def time_to_string(ctx: CallContext, receiver: Time) -> str:
    return display(receiver)


@TIME.field("year", signature="Number")
def time_year(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).year


@TIME.field("month", signature="Number")
def time_month(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).month


@TIME.field("dayOfMonth", signature="Number")
def time_day_of_month(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).day


@TIME.field("dayOfWeek", signature="Number")
def time_day_of_week(receiver: Time) -> int:
    return day_of_week(civil_time(receiver.epoch_ns).epoch_days)


@TIME.field("dayOfYear", signature="Number")
def time_day_of_year(receiver: Time) -> int:
    return day_of_year(civil_time(receiver.epoch_ns).epoch_days)


@TIME.field("hour", signature="Number")
def time_hour(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).hour


@TIME.field("minute", signature="Number")
def time_minute(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).minute


@TIME.field("second", signature="Number")
def time_second(receiver: Time) -> int:
    return civil_time(receiver.epoch_ns).second
