"""ISO time/date parsing and printing over FaunaDB's full year range."""

from __future__ import annotations

import datetime

import pytest

from faunalite.fql.timefmt import (
    MAX_INSTANT_NS,
    MAX_TIME_NS,
    MIN_INSTANT_NS,
    MIN_TIME_NS,
    civil_from_days,
    day_of_week,
    days_from_civil,
    format_date,
    format_time,
    parse_date,
    parse_time,
    parse_unit,
)


@pytest.mark.parametrize("days", [-719_162, -1, 0, 1, 11_016, 19_398, 2_932_896])
def test_civil_calendar_agrees_with_datetime_in_its_range(days: int) -> None:
    expected = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
    assert civil_from_days(days) == (expected.year, expected.month, expected.day)
    assert days_from_civil(expected.year, expected.month, expected.day) == days
    assert day_of_week(days) == expected.isoweekday()


@pytest.mark.parametrize(
    "ymd", [(-999_999_999, 1, 1), (-1, 12, 31), (0, 2, 29), (10_000, 3, 1), (999_999_999, 12, 31)]
)
def test_civil_calendar_round_trips_outside_datetime(ymd: tuple[int, int, int]) -> None:
    days = days_from_civil(*ymd)
    assert civil_from_days(days) == ymd
    assert civil_from_days(days + 1) != ymd


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("2023-02-10T12:00:00Z", "2023-02-10T12:00:00Z"),
        ("2023-02-10T12:00:00.1Z", "2023-02-10T12:00:00.100Z"),
        ("2023-02-10T12:00:00.000001Z", "2023-02-10T12:00:00.000001Z"),
        ("2023-02-10T12:00:00.000000001Z", "2023-02-10T12:00:00.000000001Z"),
        ("2023-02-10T12:00:00.123456789Z", "2023-02-10T12:00:00.123456789Z"),
        ("2023-02-10T12:00:00.1234Z", "2023-02-10T12:00:00.123400Z"),
        ("2023-02-10T12:00Z", "2023-02-10T12:00:00Z"),
        ("2023-02-10T12:00:00.Z", "2023-02-10T12:00:00Z"),
        ("2023-02-10T12:00:00+01:00", "2023-02-10T11:00:00Z"),
        ("2023-02-10T12:00:00-05:30", "2023-02-10T17:30:00Z"),
        ("2023-02-10T12:00:00+01:00:30", "2023-02-10T10:59:30Z"),
        ("2023-02-10T12:00:00+0100", "2023-02-10T11:00:00Z"),
        ("2023-02-10t12:00:00z", "2023-02-10T12:00:00Z"),
        ("2023-02-30T00:00:00Z", "2023-02-28T00:00:00Z"),
        ("2023-12-31T24:00:00Z", "2024-01-01T00:00:00Z"),
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
        ("-0001-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"),
        ("+10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"),
        ("+999999999-12-31T23:59:59.999999999Z", "+999999999-12-31T23:59:59.999999999Z"),
        ("-999999999-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z"),
    ],
)
def test_time_round_trips(text: str, printed: str) -> None:
    epoch_ns = parse_time(text)
    assert epoch_ns is not None
    assert format_time(epoch_ns) == printed
    assert parse_time(printed) == epoch_ns


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2023-02-10",
        "2023-02-10T12:00:00",
        "2023-02-10 12:00:00Z",
        "2023-2-10T12:00:00Z",
        "+2023-02-10T12:00:00Z",
        "12023-02-10T12:00:00Z",
        "2023-13-10T12:00:00Z",
        "2023-02-32T12:00:00Z",
        "2023-02-10T25:00:00Z",
        "2023-02-10T24:00:01Z",
        "2023-02-10T12:60:00Z",
        "2023-02-10T12:00:00.1234567890Z",
        "2023-02-10T12:00:00+19:00",
        "2023-02-10T12:00:00+01",
        "2023-02-10T12:00:00Z+0100",
        " 2023-02-10T12:00:00Z",
        "+1000000000-01-01T00:00:00Z",
    ],
)
def test_invalid_times_are_rejected(text: str) -> None:
    assert parse_time(text) is None


def test_instant_bounds_print_like_java() -> None:
    assert format_time(MAX_INSTANT_NS) == "+1000000000-12-31T23:59:59.999999999Z"
    assert format_time(MIN_INSTANT_NS) == "-1000000000-01-01T00:00:00Z"
    assert format_time(MAX_TIME_NS) == "+999999999-12-31T23:59:59.999999999Z"
    assert format_time(MIN_TIME_NS) == "-999999999-01-01T00:00:00Z"
    assert format_time(-1) == "1969-12-31T23:59:59.999999999Z"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2023-02-10", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2023-02-30", False),
        ("+12345-01-01", True),
        ("-0044-03-15", True),
        ("12345-01-01", False),
        ("+2023-01-01", False),
        ("2023-1-01", False),
        ("2023-01-01T00:00:00Z", False),
    ],
)
def test_dates_are_parsed_strictly(text: str, valid: bool) -> None:
    days = parse_date(text)
    assert (days is not None) == valid
    if days is not None:
        assert format_date(days) == text


def test_units_accept_singular_plural_and_surrounding_space() -> None:
    assert parse_unit(" days\n") == parse_unit("day")
    assert parse_unit("half days") is not None
    unit = parse_unit("half day")
    assert unit is not None and not unit.is_date_based
    assert parse_unit("Day") is None
    assert parse_unit("weeks") is None
