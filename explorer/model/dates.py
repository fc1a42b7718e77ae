"""Dates as the interval they cover, in int64 seconds since 1970-01-01 UTC.

pandas' nanosecond timestamps stop at 1677 and 2262, and TimelineJS stories start
13.8 billion years ago, so every date here is an int64 count of seconds on the
proleptic Gregorian calendar, with a precision saying which period it names:
"2025" is the whole year 2025, from its first second to the first second of 2026.
The calendar arithmetic is Howard Hinnant's days-from-civil algorithm, written
once for numpy arrays so that a million dates convert without a Python loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, overload

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

SECOND: Final = 1
MINUTE: Final = 60
HOUR: Final = 3600
DAY: Final = 86400
# Mean Gregorian year, for scales and approximations only, never for calendar arithmetic.
YEAR_APPROX: Final = 31_556_952

# Years outside this range would overflow int64 seconds in intermediate arithmetic.
MAX_ABS_YEAR: Final = 100_000_000_000

MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Precision(IntEnum):
    """How much of a date is known; ordered from coarsest to finest."""

    YEAR = 0
    MONTH = 1
    DAY = 2
    HOUR = 3
    MINUTE = 4
    SECOND = 5

    @classmethod
    def from_name(cls, name: str) -> Precision:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            choices = ", ".join(p.name.lower() for p in cls)
            raise DateError(f"unknown precision {name!r} (one of {choices})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


_FIXED_LENGTH: Final = {
    Precision.DAY: DAY,
    Precision.HOUR: HOUR,
    Precision.MINUTE: MINUTE,
    Precision.SECOND: SECOND,
}


class DateError(ValueError):
    """A date that cannot be read or does not exist on the calendar."""


# --- calendar arithmetic (vectorised) -------------------------------------------------


@overload
def days_from_civil(y: int, m: int, d: int) -> int: ...
@overload
def days_from_civil(y: IntArray, m: IntArray, d: IntArray) -> IntArray: ...
def days_from_civil(y, m, d):  # type: ignore[no-untyped-def]
    """Days since 1970-01-01 for a proleptic Gregorian date (year 0 exists, = 1 BC)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Inverse of :func:`days_from_civil`, for arrays."""
    z = np.asarray(z, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (m <= 2)
    return y.astype(np.int64), m.astype(np.int64), d.astype(np.int64)


def _civil1(z: int) -> tuple[int, int, int]:
    y, m, d = civil_from_days(np.array([z], dtype=np.int64))
    return int(y[0]), int(m[0]), int(d[0])


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def to_seconds(
    year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0, second: int = 0
) -> int:
    """Seconds since the epoch for a calendar instant, checking each field."""
    if not -MAX_ABS_YEAR <= year <= MAX_ABS_YEAR:
        raise DateError(f"year {year} is out of range (±{MAX_ABS_YEAR:,})")
    if not 1 <= month <= 12:
        raise DateError(f"month {month} is not 1-12")
    if not 1 <= day <= days_in_month(year, month):
        raise DateError(f"day {day} does not exist in {MONTH_NAMES[month - 1]} {year}")
    if not 0 <= hour <= 23:
        raise DateError(f"hour {hour} is not 0-23")
    if not 0 <= minute <= 59:
        raise DateError(f"minute {minute} is not 0-59")
    if not 0 <= second <= 59:
        raise DateError(f"second {second} is not 0-59")
    return days_from_civil(year, month, day) * DAY + hour * HOUR + minute * MINUTE + second


@dataclass(frozen=True, slots=True)
class Parts:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int


def parts(seconds: int) -> Parts:
    days, rest = divmod(int(seconds), DAY)
    y, m, d = _civil1(days)
    hh, rest = divmod(rest, HOUR)
    mm, ss = divmod(rest, MINUTE)
    return Parts(y, m, d, hh, mm, ss)


# --- periods ------------------------------------------------------------------------


def floor_to(seconds: int, precision: Precision) -> int:
    """The first second of the period of `precision` containing `seconds`."""
    p = parts(seconds)
    if precision == Precision.YEAR:
        return days_from_civil(p.year, 1, 1) * DAY
    if precision == Precision.MONTH:
        return days_from_civil(p.year, p.month, 1) * DAY
    step = _FIXED_LENGTH[precision]
    return int(seconds) - int(seconds) % step


def period_end(seconds: int, precision: Precision) -> int:
    """First second after the period of `precision` that starts at `seconds`."""
    if precision in _FIXED_LENGTH:
        return int(seconds) + _FIXED_LENGTH[precision]
    p = parts(seconds)
    # days_from_civil, not to_seconds: the period after the last supported year still ends.
    if precision == Precision.YEAR:
        return days_from_civil(p.year + 1, 1, 1) * DAY
    y, m = (p.year + 1, 1) if p.month == 12 else (p.year, p.month + 1)
    return days_from_civil(y, m, 1) * DAY


def period_ends(seconds: IntArray, precision: npt.NDArray[np.int8]) -> IntArray:
    """Vectorised :func:`period_end` for a whole column."""
    seconds = np.asarray(seconds, dtype=np.int64)
    precision = np.asarray(precision)
    out = seconds.copy()
    for prec, length in _FIXED_LENGTH.items():
        sel = precision == prec
        out[sel] += length
    coarse = precision <= Precision.MONTH
    if coarse.any():
        y, m, _ = civil_from_days(seconds[coarse] // DAY)
        is_year = precision[coarse] == Precision.YEAR
        ny = np.where(is_year | (m == 12), y + 1, y)
        nm = np.where(is_year, 1, np.where(m == 12, 1, m + 1))
        out[coarse] = days_from_civil(ny, nm, np.ones_like(nm)) * DAY
    return out


# --- text ---------------------------------------------------------------------------

_ISO = re.compile(
    r"""^\s*
    (?P<year>[+-]?\d{1,12})
    (?:-(?P<month>\d{2})
      (?:-(?P<day>\d{2})
        (?:[T\s](?P<hour>\d{2})
          (?::(?P<minute>\d{2})
            (?::(?P<second>\d{2}))?
          )?
          (?P<tz>Z|[+-]\d{2}:?\d{2})?
        )?
      )?
    )?\s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A date as written: the first second of its period and how precise it is."""

    seconds: int
    precision: Precision

    @property
    def end(self) -> int:
        return period_end(self.seconds, self.precision)

    def iso(self) -> str:
        return format_iso(self.seconds, self.precision)

    def human(self) -> str:
        return format_human(self.seconds, self.precision)


def parse_date(text: str) -> DatedValue:
    """Read an ISO 8601 date of any precision: "2025", "2026-06", "2026-06-24T10:30Z".

    Years may be negative or longer than four digits ("-13800000000"). A time with an
    offset is converted to UTC (and keeps its precision); a time without one is UTC.
    """
    match = _ISO.match(text)
    if match is None:
        raise DateError(
            f"{text!r} is not a date (expected YYYY, YYYY-MM, YYYY-MM-DD[Thh[:mm[:ss]]])"
        )
    g = match.groupdict()
    fields = [g["year"], g["month"], g["day"], g["hour"], g["minute"], g["second"]]
    given = [int(f) for f in fields if f is not None]
    precision = Precision(len(given) - 1)
    seconds = to_seconds(*given)
    tz = g["tz"]
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:
            raise DateError(f"{tz!r} is not a UTC offset (-23:59 to +23:59)")
        offset = sign * (int(digits[:2]) * HOUR + int(digits[2:]) * MINUTE)
        seconds -= offset
        if precision == Precision.HOUR and seconds % HOUR:
            # "10+05:30" is 04:30 UTC: an hour that UTC can only write to the minute.
            precision = Precision.MINUTE
    return DatedValue(seconds, precision)


def format_iso(seconds: int, precision: Precision) -> str:
    """The inverse of :func:`parse_date`, always in UTC."""
    p = parts(seconds)
    year = f"{p.year:04d}" if 0 <= p.year <= 9999 else str(p.year)
    if precision == Precision.YEAR:
        return year
    text = f"{year}-{p.month:02d}"
    if precision >= Precision.DAY:
        text += f"-{p.day:02d}"
    if precision >= Precision.HOUR:
        text += f"T{p.hour:02d}"
    if precision >= Precision.MINUTE:
        text += f":{p.minute:02d}"
    if precision >= Precision.SECOND:
        text += f":{p.second:02d}"
    return text


def format_year(year: int) -> str:
    """Years as a reader expects them: "2026", "44 BC", "13.8 billion years ago"."""
    if year >= 10_000 or year <= -10_000:
        ago = 2000 - year if year < 0 else year
        for size, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
            if abs(ago) >= size:
                value = f"{abs(ago) / size:.1f}".rstrip("0").rstrip(".")
                return f"{value} {word} years ago" if year < 0 else f"year {value} {word}"
        return f"{1 - year:,} BC" if year < 0 else f"{year:,}"
    if year <= 0:
        return f"{1 - year} BC"
    return str(year)


def format_human(seconds: int, precision: Precision) -> str:
    """A date written as its precision allows: "2025", "June 2026", "24 June 2026"."""
    p = parts(seconds)
    year = format_year(p.year)
    if precision == Precision.YEAR:
        return year
    month = MONTH_NAMES[p.month - 1]
    if precision == Precision.MONTH:
        return f"{month} {year}"
    day = f"{p.day} {month} {year}"
    if precision == Precision.DAY:
        return day
    if precision == Precision.HOUR:
        return f"{day}, {p.hour:02d}:00 UTC"
    if precision == Precision.MINUTE:
        return f"{day}, {p.hour:02d}:{p.minute:02d} UTC"
    return f"{day}, {p.hour:02d}:{p.minute:02d}:{p.second:02d} UTC"


def format_duration(seconds: int) -> str:
    """A rough human length of an interval: "3 days", "1 year", "45 minutes"."""
    seconds = abs(int(seconds))
    for size, word in (
        (YEAR_APPROX, "year"),
        (DAY * 30, "month"),
        (DAY * 7, "week"),
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
    ):
        if seconds >= size:
            n = round(seconds / size)
            if size == YEAR_APPROX and n >= 1_000_000:
                return f"{format_year(n).replace('year ', '')} years"
            return f"{n:,} {word}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
