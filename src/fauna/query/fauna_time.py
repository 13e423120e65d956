"""``FaunaTime``: a ``datetime`` that keeps FaunaDB's nanosecond precision.

FaunaDB times have nanosecond resolution; Python's ``datetime`` stops at microseconds. The decoder
returns every ``@time`` as a ``FaunaTime``: a timezone-aware (UTC) ``datetime`` subclass that also
carries the sub-microsecond digits in ``nanosecond`` (0-999). It works wherever a ``datetime``
does, and encoding it gives back exactly the ``@time`` string FaunaDB sent, e.g.
``2023-03-17T12:34:56.123456789Z``.

Behaviour against plain ``datetime`` values:

- Equality and ordering compare the exact instant: ``FaunaTime(..., microsecond=5, nanosecond=1)``
  is later than, and not equal to, ``datetime(..., microsecond=5)``; with ``nanosecond=0`` the two
  are equal and hash alike.
- ``time + timedelta`` and ``time - timedelta`` keep the nanoseconds and return a ``FaunaTime``.
- ``time - other_time`` is exactly what ``datetime`` gives for the same microseconds (the
  nanoseconds, below a ``timedelta``'s resolution, are left out), so code written for the plain
  ``datetime`` the original driver returned computes the same durations; ``timestamp_ns()``
  gives exact integer nanoseconds since the epoch for exact arithmetic.
- ``isoformat()`` shows 9 fraction digits when ``nanosecond`` is set, like ``datetime`` otherwise;
  ``fauna_isoformat()`` gives FaunaDB's own form (UTC, ``Z``, 0/3/6/9 fraction digits).
- ``replace(microsecond=n)`` sets the fraction to exactly ``n`` microseconds (nanoseconds 0,
  unless ``nanosecond=`` is given too), as on a ``datetime``. ``replace(tzinfo=None)`` returns a
  plain naive ``datetime`` (nanoseconds dropped), since a ``FaunaTime`` is always timezone-aware.

What it is not: a calendar library. Leap seconds, and years outside 1-9999, are not representable.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

__all__ = ["FaunaTime", "parse_fauna_time"]

UTC = timezone.utc

_ISO_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
    r"(?:(Z|z)|([+-])(\d\d)(?::?(\d\d)(?::?(\d\d))?)?)?"
)


class FaunaTime(datetime):
    """A timezone-aware ``datetime`` with nanosecond precision (see the module docstring).

    ``FaunaTime(2023, 3, 17, 12, 34, 56, 123456, nanosecond=789)`` is
    ``2023-03-17T12:34:56.123456789Z``. ``tzinfo`` defaults to UTC and may not be None.
    """

    __slots__ = ("_nanosecond",)
    _nanosecond: int

    def __new__(
        cls,
        year: Any,
        month: Any = None,
        day: int | None = None,
        hour: int = 0,
        minute: int = 0,
        second: int = 0,
        microsecond: int = 0,
        tzinfo: tzinfo | None = UTC,
        *,
        fold: int = 0,
        nanosecond: int = 0,
    ) -> FaunaTime:
        if isinstance(year, (bytes, str)):
            # The pickle form ``cls(state, tzinfo)`` that ``datetime`` itself uses.
            self = datetime.__new__(cls, year, month)  # type: ignore[call-arg, arg-type]
        else:
            if tzinfo is None:
                raise ValueError(
                    "FaunaTime must be timezone-aware: pass a tzinfo (the default is UTC)"
                )
            if day is None:
                raise TypeError("FaunaTime() needs at least year, month and day")
            self = datetime.__new__(
                cls, year, month, day, hour, minute, second, microsecond, tzinfo, fold=fold
            )
        if not isinstance(nanosecond, int) or not 0 <= nanosecond <= 999:
            raise ValueError(f"nanosecond must be an int in 0..999, not {nanosecond!r}")
        self._nanosecond = nanosecond
        return self

    @classmethod
    def from_datetime(cls, value: datetime, nanosecond: int = 0) -> FaunaTime:
        """``value`` (timezone-aware) as a ``FaunaTime``, plus ``nanosecond`` (0-999)."""
        if value.tzinfo is None:
            raise ValueError("FaunaTime must be timezone-aware: the datetime has no tzinfo")
        return cls(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
            nanosecond=nanosecond,
        )

    @classmethod
    def from_timestamp_ns(cls, ns: int) -> FaunaTime:
        """The UTC time ``ns`` nanoseconds after the Unix epoch."""
        micros, nanosecond = divmod(ns, 1000)
        base = _EPOCH + timedelta(microseconds=micros)
        return _make(
            base.year,
            base.month,
            base.day,
            base.hour,
            base.minute,
            base.second,
            base.microsecond,
            nanosecond,
        )

    @classmethod
    def now(cls, tz: tzinfo | None = UTC) -> FaunaTime:
        """The current time, in UTC unless ``tz`` is given (never naive)."""
        return cls.from_datetime(datetime.now(tz or UTC))

    @classmethod
    def utcnow(cls) -> FaunaTime:
        """The current time in UTC (timezone-aware, unlike ``datetime.utcnow``)."""
        return cls.now(UTC)

    @classmethod
    def fromtimestamp(cls, t: float, tz: tzinfo | None = UTC) -> FaunaTime:
        """The time ``t`` seconds after the epoch, in UTC unless ``tz`` is given."""
        return cls.from_datetime(datetime.fromtimestamp(t, tz or UTC))

    @classmethod
    def fromisoformat(cls, date_string: str) -> FaunaTime:
        """Parse an ISO 8601 time with up to 9 fraction digits; no offset means UTC.

        Accepts ``Z`` or ``+HH:MM[:SS]``/``+HHMM`` offsets on every supported Python version.
        Fraction digits beyond the ninth are dropped.
        """
        parsed = parse_fauna_time(date_string)
        return parsed if cls is FaunaTime else cls.from_datetime(parsed, parsed._nanosecond)

    @property
    def nanosecond(self) -> int:
        """Nanoseconds past ``microsecond`` (0-999)."""
        return self._nanosecond

    def timestamp_ns(self) -> int:
        """Exact nanoseconds since the Unix epoch (``timestamp()`` is a float, so inexact)."""
        delta = datetime.__sub__(self, _EPOCH)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return micros * 1000 + self._nanosecond

    def to_datetime(self) -> datetime:
        """A plain ``datetime`` (nanoseconds dropped)."""
        return datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.microsecond,
            self.tzinfo,
            fold=self.fold,
        )

    def fauna_isoformat(self) -> str:
        """The time as FaunaDB writes it: UTC, ``Z`` suffix, 0, 3, 6 or 9 fraction digits."""
        utc = self
        offset = self.utcoffset()
        if offset:
            utc = self.astimezone(UTC)
        fraction = utc.microsecond * 1000 + self._nanosecond
        if fraction == 0:
            digits = ""
        elif fraction % 1_000_000 == 0:
            digits = f".{fraction // 1_000_000:03d}"
        elif fraction % 1000 == 0:
            digits = f".{fraction // 1000:06d}"
        else:
            digits = f".{fraction:09d}"
        return (
            f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
            f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}{digits}Z"
        )

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        if timespec == "nanoseconds" or (timespec == "auto" and self._nanosecond):
            text = datetime.isoformat(self, sep, "microseconds")
            cut = 26  # "YYYY-MM-DD" + sep + "HH:MM:SS.ffffff"
            return f"{text[:cut]}{self._nanosecond:03d}{text[cut:]}"
        return datetime.isoformat(self, sep, timespec)

    def __str__(self) -> str:
        return self.isoformat(sep=" ")

    def __repr__(self) -> str:
        text = datetime.__repr__(self)
        if self._nanosecond:
            text = f"{text[:-1]}, nanosecond={self._nanosecond})"
        return text

    def replace(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Like ``datetime.replace``, plus ``nanosecond=``; ``tzinfo=None`` gives a naive
        ``datetime``."""
        # A new microsecond (keyword, or the 7th positional field) is the whole new fraction.
        sets_fraction = "microsecond" in kwargs or len(args) >= 7
        nanosecond = kwargs.pop("nanosecond", 0 if sets_fraction else self._nanosecond)
        replaced = datetime.replace(self.to_datetime(), *args, **kwargs)
        if replaced.tzinfo is None:
            return replaced
        return FaunaTime.from_datetime(replaced, nanosecond)

    def astimezone(self, tz: tzinfo | None = None) -> FaunaTime:
        return FaunaTime.from_datetime(
            datetime.astimezone(self.to_datetime(), tz), self._nanosecond
        )

    def __add__(self, other: Any) -> Any:
        if isinstance(other, timedelta):
            return _with_nanosecond(datetime.__add__(self, other), self._nanosecond)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, timedelta):
            return _with_nanosecond(datetime.__sub__(self, other), self._nanosecond)
        if isinstance(other, datetime):
            return datetime.__sub__(self, other)
        return NotImplemented

    def __rsub__(self, other: Any) -> Any:
        if isinstance(other, datetime):
            return datetime.__sub__(other, self)
        return NotImplemented

    def _order(self, other: datetime) -> int:
        """-1, 0 or 1 as ``self`` is before, at or after ``other`` (both aware or both naive)."""
        if datetime.__eq__(self, other):
            theirs = _nanosecond_of(other)
            return (self._nanosecond > theirs) - (self._nanosecond < theirs)
        return -1 if datetime.__lt__(self, other) else 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return bool(datetime.__eq__(self, other)) and self._nanosecond == _nanosecond_of(other)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return not self == other

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return self._order(other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return self._order(other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return self._order(other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return self._order(other) >= 0

    def __hash__(self) -> int:
        if self._nanosecond:
            return hash((datetime.__hash__(self), self._nanosecond))
        return datetime.__hash__(self)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return _restore, (self.to_datetime(), self._nanosecond)

    def __reduce__(self) -> tuple[Any, ...]:
        return self.__reduce_ex__(2)

    def __copy__(self) -> FaunaTime:
        return self

    def __deepcopy__(self, memo: Any) -> FaunaTime:
        return self


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _make(
    year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int, nano: int
) -> FaunaTime:
    """A UTC ``FaunaTime`` from already-validated fields, skipping ``__new__``'s checks."""
    self: FaunaTime = datetime.__new__(
        FaunaTime, year, month, day, hour, minute, second, micro, UTC
    )
    self._nanosecond = nano
    return self


def _with_nanosecond(value: FaunaTime, nanosecond: int) -> FaunaTime:
    value._nanosecond = nanosecond
    return value


def _nanosecond_of(value: datetime) -> int:
    return value._nanosecond if isinstance(value, FaunaTime) else 0


def _restore(value: datetime, nanosecond: int) -> FaunaTime:
    return FaunaTime.from_datetime(value, nanosecond)


def parse_fauna_time(text: str) -> FaunaTime:
    """Parse a FaunaDB ``@time`` string (ISO 8601, up to 9 fraction digits; no offset = UTC)."""
    size = len(text)
    # The shape FaunaDB always sends: 2023-03-17T12:34:56[.fff[fff[fff]]]Z. This path runs for
    # every timestamp of every response, hence the C parser and the pickle-state constructor.
    if size in _CANONICAL_SIZES and text[-1] == "Z" and text[10] == "T" and text[19] in ".Z":
        try:
            parsed = _fromisoformat(text)
        except ValueError:
            pass  # let the general parser report it
        else:
            if parsed.tzinfo is UTC:
                state = parsed.__reduce__()[1][0]
                value: FaunaTime = _new_datetime(FaunaTime, state, UTC)  # type: ignore[call-arg, arg-type]
                value._nanosecond = int(text[26:29]) if size == 30 else 0
                return value
    elif not _CANONICAL_SIZES:
        match = _CANONICAL.fullmatch(text)
        if match is not None:
            year, month, day, hour, minute, second, fraction = match.groups()
            nanos = int(fraction.ljust(9, "0")) if fraction else 0
            try:
                return _make(
                    int(year),
                    int(month),
                    int(day),
                    int(hour),
                    int(minute),
                    int(second),
                    nanos // 1000,
                    nanos % 1000,
                )
            except ValueError:
                pass  # let the general parser report it
    return _parse_general(text)


# On Python 3.11+ ``datetime.fromisoformat`` reads FaunaDB's form (``Z``, 9 digits) in C; before
# that a regex for exactly that form is the fast path.
_CANONICAL_SIZES = (20, 24, 27, 30) if sys.version_info >= (3, 11) else ()
_CANONICAL = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{3}|\d{6}|\d{9}))?Z")
_fromisoformat = datetime.fromisoformat
_new_datetime = datetime.__new__


def _parse_general(text: str) -> FaunaTime:
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        raise ValueError(
            f"Invalid @time value {text!r}: expected ISO 8601 such as "
            "'2023-03-17T12:34:56.123456789Z'"
        )
    year, month, day, hour, minute, second, fraction, _zulu, sign, oh, om, os_ = match.groups()
    digits = (fraction or "")[:9].ljust(9, "0")
    tz: tzinfo = UTC
    if sign is not None:
        offset = timedelta(hours=int(oh), minutes=int(om or 0), seconds=int(os_ or 0))
        tz = timezone(-offset if sign == "-" else offset) if offset else UTC
    try:
        return FaunaTime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int(digits) // 1000,
            tz,
            nanosecond=int(digits) % 1000,
        )
    except ValueError as error:
        raise ValueError(f"Invalid @time value {text!r}: {error}") from None
