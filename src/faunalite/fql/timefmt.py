"""Calendar arithmetic, ISO-8601 parsing and printing for FQL ``Time`` and ``Date``.

FaunaDB's times are Java ``Instant`` values (nanoseconds, years -1e9 … +1e9) and its dates Java
``LocalDate`` values (years -999999999 … +999999999). Python's ``datetime`` only covers years
1 … 9999, so the proleptic Gregorian calendar is computed here directly from day numbers.

This module knows nothing of FQL errors: parsers return ``None`` on bad input and the stdlib
turns that into FaunaDB's messages. It is not the place for FQL method semantics (see
``faunalite.fql.stdlib.times``), only for the calendar and the text formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NANOS_PER_SECOND = 1_000_000_000
SECONDS_PER_DAY = 86_400
NANOS_PER_DAY = SECONDS_PER_DAY * NANOS_PER_SECOND

MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999
"""The year range of ``LocalDate``/``LocalDateTime``, and of valid FQL times."""


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (year 0 exists, = 1 BC)."""
    shifted_year = year - 1 if month <= 2 else year
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    # Counting months from March puts the leap day at the end of the cycle year.
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def civil_from_days(epoch_days: int) -> tuple[int, int, int]:
    """The ``(year, month, day)`` of a day number since 1970-01-01."""
    shifted = epoch_days + 719_468
    era = shifted // 146_097
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = month_index + 3 if month_index < 10 else month_index - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_length(year: int, month: int) -> int:
    if month == 2 and is_leap_year(year):
        return 29
    return _MONTH_LENGTHS[month - 1]


MIN_DATE_DAYS = days_from_civil(MIN_YEAR, 1, 1)
MAX_DATE_DAYS = days_from_civil(MAX_YEAR, 12, 31)

MIN_INSTANT_NS = days_from_civil(-1_000_000_000, 1, 1) * NANOS_PER_DAY
"""Java ``Instant.MIN``: the smallest time a ``Time`` value can hold."""
MAX_INSTANT_NS = (days_from_civil(1_000_000_000, 12, 31) + 1) * NANOS_PER_DAY - 1
"""Java ``Instant.MAX``."""

MIN_TIME_NS = MIN_DATE_DAYS * NANOS_PER_DAY
"""``-999999999-01-01T00:00:00Z``: time arithmetic below this fails."""
MAX_TIME_NS = (MAX_DATE_DAYS + 1) * NANOS_PER_DAY - 1
"""``+999999999-12-31T23:59:59.999999999Z``: time arithmetic above this fails."""


@dataclass(frozen=True, slots=True)
class CivilTime:
    """The UTC calendar fields of an instant."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nano: int
    epoch_days: int


def civil_time(epoch_ns: int) -> CivilTime:
    epoch_days, nano_of_day = divmod(epoch_ns, NANOS_PER_DAY)
    year, month, day = civil_from_days(epoch_days)
    second_of_day, nano = divmod(nano_of_day, NANOS_PER_SECOND)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    return CivilTime(year, month, day, hour, minute, second, nano, epoch_days)


def day_of_week(epoch_days: int) -> int:
    """ISO day of week: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday)."""
    return (epoch_days + 3) % 7 + 1


def day_of_year(epoch_days: int) -> int:
    year, _, _ = civil_from_days(epoch_days)
    return epoch_days - days_from_civil(year, 1, 1) + 1


# --- printing -------------------------------------------------------------------------------


def _format_year(year: int) -> str:
    # Java prints 4 digits at least, and a `+` only once the year outgrows them.
    if abs(year) < 10_000:
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return f"+{year}" if year > 0 else str(year)


def format_date(epoch_days: int) -> str:
    """A date as Java ``LocalDate.toString`` prints it: ``2023-02-10``, ``+12345-01-01``."""
    year, month, day = civil_from_days(epoch_days)
    return f"{_format_year(year)}-{month:02d}-{day:02d}"


def format_time(epoch_ns: int) -> str:
    """An instant as Java ``Instant.toString`` prints it.

    Seconds are always shown; the fraction only when non-zero, in groups of 3, 6 or 9 digits:
    ``2023-02-10T12:00:00Z``, ``2023-02-10T12:00:00.100Z``, ``…00.000000001Z``.
    """
    t = civil_time(epoch_ns)
    text = (
        f"{_format_year(t.year)}-{t.month:02d}-{t.day:02d}"
        f"T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    )
    if t.nano:
        if t.nano % 1_000_000 == 0:
            text += f".{t.nano // 1_000_000:03d}"
        elif t.nano % 1000 == 0:
            text += f".{t.nano // 1000:06d}"
        else:
            text += f".{t.nano:09d}"
    return text + "Z"


# --- parsing --------------------------------------------------------------------------------

# Java's ISO year: exactly 4 digits unsigned, more than 4 only with a `+`, any width of at
# least 4 with a `-`; at most 10 digits.
_YEAR = r"(?P<year>\+\d{5,10}|-\d{4,10}|\d{4})"
_DATE_RE = re.compile(_YEAR + r"-(?P<month>\d{2})-(?P<day>\d{2})", re.ASCII)
_TIME_RE = re.compile(
    _YEAR
    + r"-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    + r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{0,9}))?)?"
    + r"(?P<offset>[Zz]|[+-]\d{2}:\d{2}(?::\d{2})?)?"
    + r"(?P<compact>[+-]\d{4})?",
    re.ASCII,
)


def _valid_ymd(year: int, month: int, day: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12 and 1 <= day <= 31


def parse_date(text: str) -> int | None:
    """Days since the epoch of an ISO date (``2023-02-10``), as Java ``LocalDate.parse``
    accepts it (strict: ``2023-02-30`` is rejected); ``None`` if it is not one."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not _valid_ymd(year, month, day) or day > month_length(year, month):
        return None
    return days_from_civil(year, month, day)


def _offset_seconds(text: str) -> int | None:
    """Seconds east of UTC for ``Z``, ``+HH:MM[:ss]`` or ``+HHMM``; ``None`` if invalid."""
    if text in ("Z", "z"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes, seconds = int(digits[0:2]), int(digits[2:4]), int(digits[4:6] or "0")
    if hours > 18 or minutes > 59 or seconds > 59:
        return None
    total = hours * 3600 + minutes * 60 + seconds
    if total > 18 * 3600:
        return None
    return sign * total


def parse_time(text: str) -> int | None:
    """Nanoseconds since the epoch of an ISO date-time with a UTC offset, as FaunaDB's
    ``Time()`` accepts it; ``None`` if it is not one.

    Seconds and fraction are optional (``2023-02-10T12:00Z``). Like Java's lenient ("smart")
    resolver, a day past the end of the month is moved back to its last day
    (``2023-02-30`` → ``2023-02-28``) and ``24:00:00`` is midnight of the next day.
    """
    match = _TIME_RE.fullmatch(text)
    if match is None:
        return None
    offsets = [
        _offset_seconds(part) for part in (match["offset"], match["compact"]) if part is not None
    ]
    # An offset is required, and two offsets must agree.
    if not offsets or None in offsets or len(set(offsets)) > 1:
        return None
    offset = offsets[0]
    assert offset is not None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or "0")
    fraction = match["fraction"] or ""
    nano = int(fraction.ljust(9, "0")) if fraction else 0
    if not _valid_ymd(year, month, day) or minute > 59 or second > 59:
        return None
    extra_day = 0
    if hour == 24 and minute == 0 and second == 0 and nano == 0:
        hour, extra_day = 0, 1
    elif hour > 23:
        return None
    day = min(day, month_length(year, month))
    epoch_days = days_from_civil(year, month, day) + extra_day
    if extra_day and epoch_days > MAX_DATE_DAYS:
        return None
    seconds = epoch_days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset
    return seconds * NANOS_PER_SECOND + nano


# --- units ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeUnit:
    """A unit accepted by ``add``/``subtract``/``difference``/``Time.epoch``."""

    name: str
    nanos: int

    @property
    def is_date_based(self) -> bool:
        """Only whole days are units a ``Date`` accepts (a half day is time-based)."""
        return self.nanos == NANOS_PER_DAY


_UNITS: dict[str, TimeUnit] = {}
for _names, _nanos in (
    (("day", "days"), NANOS_PER_DAY),
    (("half day", "half days"), NANOS_PER_DAY // 2),
    (("hour", "hours"), 3600 * NANOS_PER_SECOND),
    (("minute", "minutes"), 60 * NANOS_PER_SECOND),
    (("second", "seconds"), NANOS_PER_SECOND),
    (("millisecond", "milliseconds"), 1_000_000),
    (("microsecond", "microseconds"), 1000),
    (("nanosecond", "nanoseconds"), 1),
):
    for _name in _names:
        _UNITS[_name] = TimeUnit(_names[0], _nanos)


def parse_unit(text: str) -> TimeUnit | None:
    """The unit named by ``text`` (surrounding whitespace ignored, as Java's ``trim``)."""
    return _UNITS.get(java_trim(text))


def java_trim(text: str) -> str:
    """Java ``String.trim``: strips every character up to U+0020, not Unicode spaces."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]
