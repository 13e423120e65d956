"""The Time and Date modules and prototypes, and TransactionTime(), called via their tables."""

from __future__ import annotations

from typing import Any

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.registry import MODULES, PROTOTYPES
from faunalite.fql.values import TRANSACTION_TIME, Date, Function, Module, Time, Value


class FakeContext:
    """Just enough of a CallContext for time functions."""

    snapshot_time = Time(1_676_030_400_123_456_789)  # 2023-02-10T12:00:00.123456789Z

    def call(self, function: Function, args: list[Value]) -> Value:
        raise AssertionError("not used")

    def function_arity(self, function: Function) -> tuple[int, ...] | None:
        raise AssertionError("not used")

    def log(self, message: str) -> None: ...

    def debug(self, message: str) -> None: ...

    def new_id(self) -> int:
        return 1

    def check_deadline(self) -> None: ...


CTX = FakeContext()


def static(module_name: str, method: str, *args: Any) -> Any:
    table = MODULES[module_name]
    entry = table.apply if method == "()" else table.methods[method]
    assert entry is not None
    return entry.impl(CTX, Module(module_name), *args)


def call(receiver: Any, method: str, *args: Any) -> Any:
    return PROTOTYPES[type(receiver)].methods[method].impl(CTX, receiver, *args)


def field(receiver: Any, name: str) -> Any:
    return PROTOTYPES[type(receiver)].fields[name](receiver)


def time(text: str) -> Time:
    result = static("Time", "()", text)
    assert isinstance(result, Time)
    return result


def text(value: Time) -> str:
    result = call(value, "toString")
    assert isinstance(result, str)
    return result


def fails(code: str, message: str, fn: Any, *args: Any) -> None:
    with pytest.raises(QueryError) as caught:
        fn(*args)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_time_constructors() -> None:
    assert text(time("2023-02-10T12:00:00+01:00")) == "2023-02-10T11:00:00Z"
    assert static("Time", "fromString", "1970-01-01T00:00:00Z") == Time(0)
    assert static("Time", "now") == CTX.snapshot_time
    fails("invalid_time", "`nope` is not a valid time.", time, "nope")
    fails(
        "invalid_argument",
        "expected value for `time` of type String, received Int",
        static,
        "Time",
        "fromString",
        1,
    )


def test_time_epoch() -> None:
    assert static("Time", "epoch", 1676030400, "seconds") == time("2023-02-10T12:00:00Z")
    assert static("Time", "epoch", -1, "nanosecond") == Time(-1)
    assert static("Time", "epoch", 1.5, "seconds") == Time(1_500_000_000)
    assert text(static("Time", "epoch", float("inf"), "days")) == (
        "+1000000000-12-31T23:59:59.999999999Z"
    )
    fails("invalid_unit", "`week` is not a valid time unit.", static, "Time", "epoch", 1, "week")


def test_time_fields() -> None:
    t = time("2023-02-10T13:14:15.5Z")
    got = {name: field(t, name) for name in PROTOTYPES[Time].fields}
    assert got == {
        "year": 2023,
        "month": 2,
        "dayOfMonth": 10,
        "dayOfWeek": 5,
        "dayOfYear": 41,
        "hour": 13,
        "minute": 14,
        "second": 15,
    }


def test_time_conversions_floor_before_the_epoch() -> None:
    t = time("1969-12-31T23:59:59.9999999Z")
    assert (call(t, "toSeconds"), call(t, "toMillis"), call(t, "toMicros")) == (-1, -1, -1)
    t = time("2023-02-10T12:00:00.123456789Z")
    assert call(t, "toMicros") == 1_676_030_400_123_456


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (1, "day", "2023-02-11T12:00:00Z"),
        (-2, " hours ", "2023-02-10T10:00:00Z"),
        (1, "half day", "2023-02-11T00:00:00Z"),
        (1.5, "minutes", "2023-02-10T12:01:30Z"),
        (-1.25, "seconds", "2023-02-10T11:59:58.750Z"),
        (3, "nanoseconds", "2023-02-10T12:00:00.000000003Z"),
        (2.0, "milliseconds", "2023-02-10T12:00:00.002Z"),
    ],
)
def test_time_add(amount: int | float, unit: str, expected: str) -> None:
    base = time("2023-02-10T12:00:00Z")
    moved = call(base, "add", amount, unit)
    assert text(moved) == expected
    assert call(moved, "subtract", amount, unit) == base


def test_time_arithmetic_errors() -> None:
    late = time("+999999999-12-31T00:00:00Z")
    fails("invalid_time", "Time exceeds the maximum value.", call, late, "add", 1, "day")
    early = time("-999999999-01-01T00:00:00Z")
    fails("invalid_time", "Time exceeds the minimum value.", call, early, "subtract", 1, "day")
    fails("invalid_time", "Time exceeds the minimum value.", call, late, "subtract", 10**12, "days")
    # Outside what Java's Instant holds, the method decides the message.
    fails("invalid_time", "Time exceeds the maximum value.", call, late, "add", -(10**12), "days")
    fails("invalid_time", "Time exceeds the maximum value.", call, late, "add", float("nan"), "day")
    fails(
        "invalid_unit", "`fortnight` is not a valid time unit.", call, late, "add", 1, "fortnight"
    )
    fails(
        "invalid_argument",
        "expected value for `amount` of type Number, received String",
        call,
        late,
        "add",
        "1",
        "day",
    )


def test_time_difference_truncates_toward_zero() -> None:
    start = time("2023-02-10T12:00:00Z")
    end = time("2023-02-12T11:59:59.9999Z")
    assert call(end, "difference", start, "days") == 1
    assert call(start, "difference", end, "days") == -1
    assert call(end, "difference", start, "hours") == 47
    assert call(end, "difference", start, "nanoseconds") == 172_799_999_900_000
    # Milliseconds compare floored epoch millis, like Java's Instant.until.
    a, b = Time(500_000), Time(1_400_000)
    assert call(b, "difference", a, "milliseconds") == 1
    fails(
        "invalid_argument",
        "expected value for `start` of type Time, received String",
        call,
        end,
        "difference",
        "x",
        "days",
    )


def test_date_module_and_fields() -> None:
    d = static("Date", "()", "2024-02-29")
    assert call(d, "toString") == "2024-02-29"
    assert static("Date", "fromString", "2024-02-29") == d
    assert static("Date", "today") == Date(19398)
    assert [
        field(d, name) for name in ("year", "month", "dayOfMonth", "dayOfWeek", "dayOfYear")
    ] == [
        2024,
        2,
        29,
        4,
        60,
    ]
    fails("invalid_date", "`2023-02-29` is not a valid date.", static, "Date", "()", "2023-02-29")


def test_date_arithmetic() -> None:
    d = static("Date", "()", "2023-12-31")
    assert call(call(d, "add", 1, "day"), "toString") == "2024-01-01"
    assert call(call(d, "add", 1.5, "days"), "toString") == "2024-01-02"
    # Java's Math.round: halves go up.
    assert call(call(d, "subtract", 2.5, "days"), "toString") == "2023-12-28"
    assert call(call(d, "subtract", -2.5, "days"), "toString") == "2024-01-02"
    assert call(d, "difference", static("Date", "()", "2023-01-01")) == 364
    fails("invalid_unit", "`half day` is not a valid date unit.", call, d, "add", 1, "half day")
    fails("invalid_unit", "`hours` is not a valid date unit.", call, d, "subtract", 1, "hours")


def test_transaction_time() -> None:
    value = static("TransactionTime", "()")
    assert value is TRANSACTION_TIME
    assert call(value, "toString") == "[transaction time]"
