"""The one rule for numbers that are times: which epoch and unit, told by magnitude.

Unix time in seconds, milliseconds, microseconds or nanoseconds differ by factors of
a thousand, so a number's size says its unit (as Timesketch tells them apart). Two
forensic clocks share sizes with them: Windows FILETIME (100 ns since 1601) looks like
nanoseconds of 1974, WebKit/Chrome time (µs since 1601) like microseconds of 1974. A
value is read as FILETIME or WebKit only when that lands in the plausible window
(1980-2050) and the Unix reading does not. Below 1e8 a number is no epoch at all: it
is a count, a year, or a day number, and the table reader says so instead of guessing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

EPOCH_MIN: Final = 1e8  # 1973-03-03 in seconds; smaller numbers are not epochs
WINDOW: Final = (315_532_800, 2_524_608_000)  # 1980-01-01 .. 2050-01-01, Unix seconds
SECONDS_1601_TO_1970: Final = 11_644_473_600


class Unit(StrEnum):
    S = "s"
    MS = "ms"
    US = "us"
    NS = "ns"
    FILETIME = "filetime"
    WEBKIT = "webkit"


UNIT_NAMES: Final = {
    Unit.S: "Unix seconds",
    Unit.MS: "Unix milliseconds",
    Unit.US: "Unix microseconds",
    Unit.NS: "Unix nanoseconds",
    Unit.FILETIME: "Windows FILETIME (100 ns since 1601)",
    Unit.WEBKIT: "WebKit time (µs since 1601)",
}

# seconds = value / divisor - offset
_SCALE: Final = {
    Unit.S: (1.0, 0),
    Unit.MS: (1e3, 0),
    Unit.US: (1e6, 0),
    Unit.NS: (1e9, 0),
    Unit.FILETIME: (1e7, SECONDS_1601_TO_1970),
    Unit.WEBKIT: (1e6, SECONDS_1601_TO_1970),
}


# Where each Unix unit starts (s, ms, µs, ns), and what it is divided by to give seconds.
_STARTS: Final = (10**17, 10**14, 10**11)
_DIVISORS: Final = (10**9, 10**6, 10**3)


def magnitude_divisor(numbers: F64) -> F64:
    """Unix units by magnitude alone: 1e9 s is 2001, so are 1e12 ms, 1e15 µs, 1e18 ns."""
    magnitude = np.abs(np.where(np.isfinite(numbers), numbers, 0.0))
    return np.select(
        [magnitude >= float(s) for s in _STARTS], [float(d) for d in _DIVISORS], default=1.0
    )


def integer_divisor(numbers: I64) -> I64:
    """`magnitude_divisor` for whole numbers, exact (a float loses nanoseconds past 2**53)."""
    magnitude = np.abs(numbers)
    chosen = np.select([magnitude >= s for s in _STARTS], list(_DIVISORS), default=1)
    return np.asarray(chosen, dtype=np.int64)


def unit_of(numbers: F64) -> npt.NDArray[np.object_]:
    """Each number's unit (None below EPOCH_MIN or for NaN), FILETIME/WebKit by window."""
    numbers = np.asarray(numbers, dtype=np.float64)
    out = np.full(numbers.shape, None, dtype=object)
    finite = np.isfinite(numbers)
    magnitude = np.abs(np.where(finite, numbers, 0.0))
    classes = (
        (1e8, 1e11, Unit.S, None),
        (1e11, 1e14, Unit.MS, None),
        (1e14, 1e17, Unit.US, Unit.WEBKIT),
        (1e17, 1e20, Unit.NS, Unit.FILETIME),
    )
    lo_w, hi_w = WINDOW
    for lo, hi, unix, forensic in classes:
        pick = finite & (magnitude >= lo) & (magnitude < hi)
        out[pick] = unix
        if forensic is not None:
            other = to_seconds(numbers, forensic)
            unix_s = to_seconds(numbers, unix)
            prefer = pick & (other >= lo_w) & (other < hi_w) & ~((unix_s >= lo_w) & (unix_s < hi_w))
            out[prefer] = forensic
    return out


def to_seconds(numbers: F64, unit: Unit) -> I64:
    divisor, offset = _SCALE[unit]
    with np.errstate(invalid="ignore", over="ignore"):
        values = np.floor(np.nan_to_num(np.asarray(numbers, np.float64)) / divisor) - offset
    return np.asarray(np.clip(values, -(2**62), 2**62), dtype=np.int64)


def cell_seconds(numbers: F64, unit: Unit | None = None) -> I64:
    """Seconds for each number: in `unit` when given, else each by its own size; a
    number no unit fits gets 2**62, past every date, so callers refuse it."""
    if unit is not None:
        return to_seconds(numbers, unit)
    units = unit_of(numbers)
    out = np.full(len(numbers), 2**62, np.int64)  # no unit (too large, NaN): out of range
    for one in Unit:
        pick = units == one
        if pick.any():
            out[pick] = to_seconds(numbers[pick], one)
    return out


def column_unit(numbers: F64) -> Unit | None:
    """The unit most of a column's numbers have (one unit per column), or None."""
    units = unit_of(numbers)
    known = [u for u in units.tolist() if u is not None]
    if not known:
        return None
    values, counts = np.unique(np.asarray(known, dtype=object).astype(str), return_counts=True)
    return Unit(str(values[int(np.argmax(counts))]))


def in_window(seconds: I64) -> npt.NDArray[np.bool_]:
    lo, hi = WINDOW
    return (seconds >= lo) & (seconds < hi)
