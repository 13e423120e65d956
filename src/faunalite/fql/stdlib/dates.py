"""The ``Date`` module and prototype (``Date("2023-02-10")``, ``d.add(1, "day")``), and the
``TransactionTime()`` placeholder.

A ``Date`` is a day number since 1970-01-01; calendar work is in ``faunalite.fql.timefmt``.
Only day units apply to dates: ``half day`` is a time unit, as in Java.
"""

from __future__ import annotations

import math

from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_number, expect_string, wrong_type
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.timefmt import (
    MAX_DATE_DAYS,
    MIN_DATE_DAYS,
    NANOS_PER_DAY,
    civil_from_days,
    day_of_week,
    day_of_year,
    parse_date,
    parse_unit,
)
from faunalite.fql.values import (
    INT64_MAX,
    INT64_MIN,
    TRANSACTION_TIME,
    Date,
    Module,
    TransactionTime,
    Value,
    normalize_int,
)

DATE = prototype(Date, "Date")
DATE_MODULE = module("Date")


def parse_date_value(text: str) -> Date:
    """``Date(text)``, or ``invalid_date``: `` `text` is not a valid date. ``"""
    epoch_days = parse_date(text)
    if epoch_days is None:
        raise QueryError("invalid_date", f"`{text}` is not a valid date.")
    return Date(epoch_days)


@DATE_MODULE.callable(1, signature="(date: String) => Date")
def date_apply(ctx: CallContext, receiver: Module, date: Value) -> Date:
    return parse_date_value(expect_string(date, "date"))


@DATE_MODULE.method("fromString", 1, signature="(date: String) => Date")
def date_from_string(ctx: CallContext, receiver: Module, date: Value) -> Date:
    return parse_date_value(expect_string(date, "date"))


@DATE_MODULE.method("today", 0, signature="() => Date")
def date_today(ctx: CallContext, receiver: Module) -> Date:
    return Date(ctx.snapshot_time.epoch_ns // NANOS_PER_DAY)


def _java_round(amount: float) -> int:
    """Java ``Math.round(double)``: half up, NaN → 0, saturating at the Long range."""
    if math.isnan(amount):
        return 0
    if amount >= 2.0**63:
        return INT64_MAX
    if amount <= -(2.0**63):
        return INT64_MIN
    return math.floor(amount + 0.5)


def shift_date(date: Date, amount: Value, unit: Value, forward: bool) -> Date:
    """``date.add(amount, unit)`` (``forward``) or ``date.subtract(amount, unit)``."""
    number = expect_number(amount, "amount")
    unit_text = expect_string(unit, "unit")
    parsed = parse_unit(unit_text)
    if parsed is None or not parsed.is_date_based:
        raise QueryError("invalid_unit", f"`{unit_text}` is not a valid date unit.")
    days = _java_round(number) if type(number) is float else int(number)
    result = date.epoch_days + (days if forward else -days)
    # FaunaDB fails here with an internal error; a clear message is kinder.
    if result > MAX_DATE_DAYS:
        raise QueryError("invalid_date", "Date exceeds the maximum value.")
    if result < MIN_DATE_DAYS:
        raise QueryError("invalid_date", "Date exceeds the minimum value.")
    return Date(result)


@DATE.method("add", 2, signature="(amount: Number, unit: String) => Date")
def date_add(ctx: CallContext, receiver: Date, amount: Value, unit: Value) -> Date:
    return shift_date(receiver, amount, unit, forward=True)


@DATE.method("subtract", 2, signature="(amount: Number, unit: String) => Date")
def date_subtract(ctx: CallContext, receiver: Date, amount: Value, unit: Value) -> Date:
    return shift_date(receiver, amount, unit, forward=False)


@DATE.method("difference", 1, signature="(start: Date) => Number")
def date_difference(ctx: CallContext, receiver: Date, start: Value) -> int | float:
    """Days from ``start`` to this date."""
    if type(start) is not Date:
        raise wrong_type("start", "Date", start)
    return normalize_int(receiver.epoch_days - start.epoch_days)


@DATE.method("toString", 0, signature="() => String")
def date_to_string(ctx: CallContext, receiver: Date) -> str:
    return display(receiver)


@DATE.field("year", signature="Number")
def date_year(receiver: Date) -> int:
    return civil_from_days(receiver.epoch_days)[0]


@DATE.field("month", signature="Number")
def date_month(receiver: Date) -> int:
    return civil_from_days(receiver.epoch_days)[1]


@DATE.field("dayOfMonth", signature="Number")
def date_day_of_month(receiver: Date) -> int:
    return civil_from_days(receiver.epoch_days)[2]


@DATE.field("dayOfWeek", signature="Number")
def date_day_of_week(receiver: Date) -> int:
    return day_of_week(receiver.epoch_days)


@DATE.field("dayOfYear", signature="Number")
def date_day_of_year(receiver: Date) -> int:
    return day_of_year(receiver.epoch_days)


# --- TransactionTime ------------------------------------------------------------------------

TRANSACTION_TIME_PROTOTYPE = prototype(TransactionTime, "TransactionTime")


@module("TransactionTime").callable(0, signature="() => TransactionTime")
def transaction_time_apply(ctx: CallContext, receiver: Module) -> TransactionTime:
    return TRANSACTION_TIME


@TRANSACTION_TIME_PROTOTYPE.method("toString", 0, signature="() => String")
def transaction_time_to_string(ctx: CallContext, receiver: TransactionTime) -> str:
    return display(receiver)
