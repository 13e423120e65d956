"""``FaunaTime``: nanosecond precision that still behaves as a ``datetime``."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from datetime import datetime, timedelta, timezone

import pytest

from fauna.encoding import FaunaDecoder, FaunaEncoder
from fauna.query import FaunaTime
from fauna.query.fauna_time import parse_fauna_time

UTC = timezone.utc
PRECISE = "2023-03-17T12:34:56.123456789Z"
MICROS = datetime(2023, 3, 17, 12, 34, 56, 123456, tzinfo=UTC)


@pytest.fixture
def precise() -> FaunaTime:
    return FaunaTime(2023, 3, 17, 12, 34, 56, 123456, nanosecond=789)


def test_round_trip_keeps_nanoseconds(precise: FaunaTime) -> None:
    decoded = FaunaDecoder.decode({"@time": PRECISE})
    assert isinstance(decoded, FaunaTime) and isinstance(decoded, datetime)
    assert decoded == precise
    assert decoded.nanosecond == 789
    assert decoded.microsecond == 123456
    assert decoded.tzinfo is UTC
    assert FaunaEncoder.encode(decoded) == {"@time": PRECISE}
    assert FaunaDecoder.loads(f'{{"@time":"{PRECISE}"}}') == precise


@pytest.mark.parametrize(
    "text",
    [
        "2023-03-17T12:34:56Z",
        "2023-03-17T12:34:56.100Z",
        "2023-03-17T12:34:56.123456Z",
        "2023-03-17T12:34:56.000000001Z",
        "2023-03-17T12:34:56.999999999Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
    ],
)
def test_faunadb_strings_encode_back_exactly(text: str) -> None:
    assert FaunaEncoder.encode(FaunaDecoder.decode({"@time": text})) == {"@time": text}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-17T12:34:56.1Z", "2023-03-17T12:34:56.100Z"),
        ("2023-03-17T12:34:56.12345678912Z", "2023-03-17T12:34:56.123456789Z"),
        ("2023-03-17T12:34:56", "2023-03-17T12:34:56Z"),
        ("2023-03-17T12:34Z", "2023-03-17T12:34:00Z"),
        ("2023-03-17T14:34:56.5+02:00", "2023-03-17T12:34:56.500Z"),
        ("2023-03-17T07:34:56-0500", "2023-03-17T12:34:56Z"),
        ("2023-03-17 12:34:56z", "2023-03-17T12:34:56Z"),
    ],
)
def test_other_iso_forms_are_read(text: str, expected: str) -> None:
    assert parse_fauna_time(text).fauna_isoformat() == expected
    assert FaunaTime.fromisoformat(text).fauna_isoformat() == expected


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-03-17"]
)
def test_invalid_times_raise(text: str) -> None:
    with pytest.raises(ValueError, match="Invalid @time value"):
        parse_fauna_time(text)


def test_constructor(precise: FaunaTime) -> None:
    assert FaunaTime(2023, 1, 1).tzinfo is UTC
    assert FaunaTime(2023, 1, 1).nanosecond == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        FaunaTime(2023, 1, 1, tzinfo=None)
    for bad in (-1, 1000, 1.5):
        with pytest.raises(ValueError, match=r"nanosecond must be an int in 0\.\.999"):
            FaunaTime(2023, 1, 1, nanosecond=bad)  # type: ignore[arg-type]
    assert FaunaTime.from_datetime(MICROS, 789) == precise
    with pytest.raises(ValueError, match="timezone-aware"):
        FaunaTime.from_datetime(datetime(2023, 1, 1))
    assert FaunaTime.now().tzinfo is UTC
    assert FaunaTime.utcnow().tzinfo is UTC
    assert FaunaTime.fromtimestamp(0) == datetime(1970, 1, 1, tzinfo=UTC)


def test_repr_round_trips(precise: FaunaTime) -> None:
    assert repr(precise) == (
        "FaunaTime(2023, 3, 17, 12, 34, 56, 123456, tzinfo=datetime.timezone.utc, nanosecond=789)"
    )
    scope = {"FaunaTime": FaunaTime, "datetime": dt}
    assert eval(repr(precise), scope) == precise
    plain = FaunaTime(2023, 3, 17)
    assert repr(plain) == "FaunaTime(2023, 3, 17, 0, 0, tzinfo=datetime.timezone.utc)"
    assert eval(repr(plain), scope) == plain


def test_string_forms(precise: FaunaTime) -> None:
    assert precise.isoformat() == "2023-03-17T12:34:56.123456789+00:00"
    assert str(precise) == "2023-03-17 12:34:56.123456789+00:00"
    assert precise.isoformat(timespec="microseconds") == "2023-03-17T12:34:56.123456+00:00"
    assert precise.isoformat(timespec="seconds") == "2023-03-17T12:34:56+00:00"
    assert FaunaTime(2023, 3, 17).isoformat() == "2023-03-17T00:00:00+00:00"
    assert FaunaTime(2023, 3, 17).isoformat(timespec="nanoseconds") == (
        "2023-03-17T00:00:00.000000000+00:00"
    )
    assert precise.fauna_isoformat() == PRECISE
    assert precise.strftime("%Y/%m/%d") == "2023/03/17"


def test_equality_and_hash_against_datetime(precise: FaunaTime) -> None:
    same_micro = precise.replace(nanosecond=0)
    # The exact instant is compared: 789 ns later is a different time.
    # (Both operand orders on purpose: a plain datetime on the left dispatches differently.)
    assert precise != MICROS and MICROS != precise  # noqa: SIM300
    assert not (precise == MICROS)  # noqa: SIM201
    # Without nanoseconds it is the same instant as the datetime, and hashes alike.
    assert same_micro == MICROS and MICROS == same_micro  # noqa: SIM300
    assert hash(same_micro) == hash(MICROS)
    assert {MICROS: "found"}[same_micro] == "found"
    assert len({precise, same_micro, MICROS}) == 2
    # Other zones: same instant, equal.
    assert precise == precise.astimezone(timezone(timedelta(hours=-5)))
    # Naive datetimes are never equal to an aware one (as with datetime).
    assert same_micro != MICROS.replace(tzinfo=None)
    assert precise != "2023-03-17"


def test_ordering_against_datetime(precise: FaunaTime) -> None:
    earlier = MICROS
    later = MICROS + timedelta(microseconds=1)
    assert earlier < precise < later
    assert later > precise > earlier
    assert precise >= earlier and precise <= later
    assert precise <= precise and precise >= precise
    assert not precise < precise
    assert sorted([later, precise, earlier]) == [earlier, precise, later]
    assert max(earlier, precise) is precise
    with pytest.raises(TypeError):
        _ = precise < datetime(2023, 1, 1)


def test_arithmetic_with_timedelta_keeps_nanoseconds(precise: FaunaTime) -> None:
    plus = precise + timedelta(days=1, microseconds=1)
    assert isinstance(plus, FaunaTime)
    assert plus.fauna_isoformat() == "2023-03-18T12:34:56.123457789Z"
    assert (timedelta(seconds=1) + precise).fauna_isoformat() == "2023-03-17T12:34:57.123456789Z"
    minus = precise - timedelta(hours=13)
    assert isinstance(minus, FaunaTime)
    assert minus.fauna_isoformat() == "2023-03-16T23:34:56.123456789Z"


def test_differences_are_what_datetime_gives_for_the_same_microseconds(
    precise: FaunaTime,
) -> None:
    # As for the datetime the original driver returned: sub-microsecond digits are left out.
    assert precise - MICROS == timedelta(0)
    assert MICROS - precise == timedelta(0)
    assert precise - FaunaTime.from_datetime(MICROS, 500) == timedelta(0)
    assert precise - precise == timedelta(0)
    assert precise - (MICROS - timedelta(seconds=1)) == timedelta(seconds=1)
    later = FaunaTime.from_datetime(MICROS + timedelta(microseconds=3), 1)
    assert later - precise == timedelta(microseconds=3) == later - MICROS
    assert MICROS - later == datetime.__sub__(MICROS, later.to_datetime())
    assert precise.timestamp_ns() == 1679056496123456789
    assert precise.timestamp_ns() - FaunaTime.from_datetime(MICROS).timestamp_ns() == 789
    assert FaunaTime.from_timestamp_ns(precise.timestamp_ns()) == precise
    assert FaunaTime.from_timestamp_ns(-1).fauna_isoformat() == "1969-12-31T23:59:59.999999999Z"


def test_replace_and_astimezone(precise: FaunaTime) -> None:
    assert precise.replace(year=2024).fauna_isoformat() == "2024-03-17T12:34:56.123456789Z"
    assert precise.replace(nanosecond=1).nanosecond == 1
    # A new microsecond is the whole new fraction, as on a datetime.
    assert precise.replace(microsecond=5) == MICROS.replace(microsecond=5)
    assert precise.replace(microsecond=5, nanosecond=7).nanosecond == 7
    assert precise.replace(2023, 3, 17, 12, 34, 56, 9).fauna_isoformat().endswith(":56.000009Z")
    naive = precise.replace(tzinfo=None)
    assert type(naive) is datetime and naive == MICROS.replace(tzinfo=None)
    shifted = precise.astimezone(timezone(timedelta(hours=2)))
    assert isinstance(shifted, FaunaTime) and shifted.hour == 14 and shifted.nanosecond == 789
    assert shifted.fauna_isoformat() == PRECISE
    assert FaunaEncoder.encode(shifted) == {"@time": PRECISE}
    assert type(precise.to_datetime()) is datetime
    assert precise.to_datetime() == MICROS


def test_pickle_and_copy(precise: FaunaTime) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(precise, protocol))
        assert type(restored) is FaunaTime
        assert restored == precise and restored.nanosecond == 789
    assert copy.copy(precise) == precise
    assert copy.deepcopy({"t": precise})["t"].nanosecond == 789


def test_datetime_methods_still_work(precise: FaunaTime) -> None:
    assert precise.date() == dt.date(2023, 3, 17)
    assert precise.time() == dt.time(12, 34, 56, 123456)
    assert precise.timestamp() == pytest.approx(1679056496.123457)
    assert precise.weekday() == 4
    assert precise.utcoffset() == timedelta(0)


@pytest.mark.parametrize("fast_path", ["python-3.11+", "python-3.10"])
@pytest.mark.parametrize(
    "text",
    [
        "2023-03-17T12:34:56Z",
        "2023-03-17T12:34:56.123Z",
        "2023-03-17T12:34:56.123456Z",
        "2023-03-17T12:34:56.123456789Z",
        "2023-02-29T00:00:00Z",  # not a date: must fail the same way on both paths
    ],
)
def test_both_fast_paths_agree_with_the_general_parser(
    monkeypatch: pytest.MonkeyPatch, fast_path: str, text: str
) -> None:
    from fauna.query import fauna_time

    if fast_path == "python-3.10":
        monkeypatch.setattr(fauna_time, "_CANONICAL_SIZES", ())
    try:
        general = fauna_time._parse_general(text)
    except ValueError:
        with pytest.raises(ValueError, match="Invalid @time value"):
            parse_fauna_time(text)
        return
    fast = parse_fauna_time(text)
    assert type(fast) is FaunaTime
    assert fast == general and fast.nanosecond == general.nanosecond
    assert fast.tzinfo is UTC
    assert fast.fauna_isoformat() == text
