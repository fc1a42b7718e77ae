"""Date columns taken apart in Arrow: one scanner for every date shape a table may hold,
the day/month order settled for a whole file, and a reason for every cell refused.

Moved from read_table so that column inference (kit.profile) and every reader share it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.kit.epochs import (
    EPOCH_MIN,
    SECONDS_1601_TO_1970,
    UNIT_NAMES,
    Unit,
    cell_seconds,
    column_unit,
    unit_of,
)
from explorer.model.dates import (
    DAY,
    HOUR,
    MAX_ABS_YEAR,
    MINUTE,
    MONTH_NAMES,
    Precision,
    civil_from_days,
    days_from_civil,
)

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]

NA_TOKENS: Final = ("NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "<NA>")


# --- strings as Arrow ------------------------------------------------------------------


def _arrow(values: Any) -> pa.Array:
    """A column as one Arrow large_string array without nulls."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    arr = values if isinstance(values, pa.Array) else pa.array(values, from_pandas=True)
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "")


def _np_bool(arr: Any) -> Bool:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(arr: pa.Array) -> Bool:
    return _np_bool(pc.equal(pc.utf8_trim_whitespace(arr), ""))


def _is_na(arr: pa.Array) -> Bool:
    return _np_bool(pc.is_in(pc.utf8_trim_whitespace(arr), value_set=pa.array(NA_TOKENS)))


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(_arrow(arr)), dtype="str")


# --- dates -----------------------------------------------------------------------------

_ZONE_RE: Final = r"\s*(?P<z>Z|UTC|GMT|UT|(?P<zs>[+-])(?P<zh>\d{2})(?::?(?P<zm>\d{2}))?)?"
_TIME: Final = (
    r"(?:[ T,]+(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?)?" + _ZONE_RE + ")?"
)
_ISO: Final = (
    r"^(?P<y>[+-]?\d{1,12})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?)?" + _ZONE_RE + ")?)?)?$"
)
# 20200101: a compact ISO day, only with a plausible year, month and day.
_COMPACT: Final = r"^(?P<y>1[5-9]\d\d|20\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])$"
_DMY: Final = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4})" + _TIME + "$"
# 1/21/77: two-digit years, read with the pivot below.
_DMY2: Final = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<yy>\d{2})" + _TIME + "$"
_YMD: Final = r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME + "$"
_NAMED: Final = (
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[ \-](?P<mon>[A-Za-z]{3,9})\.?,?[ \-](?P<y>\d{1,4})"
    + _TIME
    + "$",
    r"^(?P<mon>[A-Za-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{1,4})" + _TIME + "$",
    r"^(?P<mon>[A-Za-z]{3,9})\.?,? (?P<y>\d{4})$",
)
# 100AD, AD 100, 509 BC, 44 BCE: year precision; 1 BC is year 0.
_ERA: Final = (
    r"^(?P<y>\d{1,12})\s*(?P<era>AD|A\.D\.|CE|C\.E\.|BC|B\.C\.|BCE|B\.C\.E\.)$",
    r"^(?P<era>AD|A\.D\.)\s*(?P<y>\d{1,12})$",
)
_WEEKDAY: Final = r"(?i)^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
# A count or a serial, never a year ("+10000" is ISO 8601's expanded year, and is one).
_LONG_NUMBER: Final = r"^\d{5,}(?:\.\d+)?$"
TWO_DIGIT_PIVOT: Final = 69  # 00-68 are 2000-2068, 69-99 are 1969-1999 (POSIX %y)
_INTEGER: Final = r"^[+-]?\d+$"
_NUMBER: Final = r"^[+-]?\d+(?:\.\d+)?$"
_MONTH_KEYS: Final = (
    *itertools.chain.from_iterable((name.lower(), name[:3].lower()) for name in MONTH_NAMES),
    "sept",
)
_MONTH_NUMBERS: Final = np.array([*np.repeat(np.arange(1, 13), 2), 9], dtype=np.int64)

# Why a date failed (0 is fine).
_OK, _EMPTY, _SHAPE, _YEAR, _MONTH, _DAY, _CLOCK, _ZONE, _PUSHED, _COUNT = range(10)
_FIRST_SECOND: Final = int(days_from_civil(-MAX_ABS_YEAR, 1, 1)) * DAY
_PAST_LAST_SECOND: Final = int(days_from_civil(MAX_ABS_YEAR + 1, 1, 1)) * DAY


@dataclass
class _Scan:
    """One date column taken apart into calendar fields, before the day/month order
    of slashed dates is known."""

    text: pa.Array
    y: I64
    m: I64
    d: I64
    h: I64
    mi: I64
    s: I64
    offset: I64
    precision: I8
    kind: npt.NDArray[np.int8]  # _OK, _EMPTY or _SHAPE so far
    timed: Bool
    zoned: Bool
    slashed: Bool  # day and month still to be told apart: a, b in d, m
    a: I64
    b: I64
    epoch: bool = False
    seconds: I64 | None = None
    unit: Unit | None = None  # the epoch's unit, when epoch
    two_digit: int = 0  # cells with a two-digit year
    shapes: dict[str, int] = field(default_factory=dict)  # shape name -> cells read so


def _fields(struct: pa.StructArray, name: str, default: int) -> I64:
    values = struct.field(name)
    values = pc.if_else(pc.equal(values, ""), str(default), values)
    values = pc.utf8_ltrim(pc.fill_null(values, str(default)), "+")
    return np.asarray(pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False), np.int64)


def _present(struct: pa.StructArray, name: str) -> Bool:
    return _np_bool(pc.not_equal(struct.field(name), ""))


_SHAPE_NAMES: Final = {
    _ISO: "ISO 8601",
    _COMPACT: "compact ISO (20200101)",
    _DMY: "day and month with a 4-digit year",
    _DMY2: "day and month with a 2-digit year",
    _YMD: "year/month/day",
    _NAMED[0]: "day month-name year",
    _NAMED[1]: "month-name day, year",
    _NAMED[2]: "month-name year",
    _ERA[0]: "year with AD/BC",
    _ERA[1]: "year with AD/BC",
}


def _scan(values: pa.Array, *, epoch_ok: bool = True, unit: Unit | None = None) -> _Scan:
    """Classify every cell of a date column by shape and read its fields.

    A column of numbers at least 1e8 in size is an epoch (unit by kit.epochs, or
    `unit`); other numbers of five digits or more are counts or serials, refused
    rather than read as years; a weekday before a date is ignored."""
    text = pc.utf8_trim_whitespace(_arrow(values))
    n = len(text)
    zeros = np.zeros(n, np.int64)
    scan = _Scan(
        text=text,
        y=zeros.copy(),
        m=np.ones(n, np.int64),
        d=np.ones(n, np.int64),
        h=zeros.copy(),
        mi=zeros.copy(),
        s=zeros.copy(),
        offset=zeros.copy(),
        precision=np.zeros(n, np.int8),
        kind=np.full(n, _SHAPE, np.int8),
        timed=np.zeros(n, bool),
        zoned=np.zeros(n, bool),
        slashed=np.zeros(n, bool),
        a=zeros.copy(),
        b=zeros.copy(),
    )
    blank = _np_bool(pc.equal(text, "")) | _is_na(text)
    scan.kind[blank] = _EMPTY
    if epoch_ok and n and not blank.all():
        # Unsigned numbers only: "-44" and "+10000" are years, written as ISO writes them.
        numeric = _np_bool(pc.match_substring_regex(text, r"^\d+(?:\.\d+)?$"))
        if numeric[~blank].all():
            numbers = pd.to_numeric(_series(text), errors="coerce").to_numpy(np.float64)
            chosen = unit or column_unit(np.maximum(numbers[~blank], 0))
            big = np.nan_to_num(numbers) >= EPOCH_MIN  # negative: deep-time years
            if chosen is not None and (unit is not None or big[~blank].mean() >= 0.5):
                scan.epoch = True
                scan.unit = chosen
                scan.seconds = cell_seconds(numbers, unit)
                scan.precision[:] = Precision.SECOND
                seconds = scan.seconds
                in_range = (seconds >= _FIRST_SECOND) & (seconds < _PAST_LAST_SECOND)
                ok = ~blank & (big | (unit is not None)) & in_range
                scan.kind[ok] = _OK
                scan.kind[~blank & ~ok & in_range] = _COUNT
                scan.kind[~blank & ~in_range] = _SHAPE
                if unit is not None:
                    scan.shapes[UNIT_NAMES[unit]] = int(ok.sum())
                else:
                    found, counts = np.unique(unit_of(numbers[ok]).astype(str), return_counts=True)
                    for name, count in zip(found.tolist(), counts.tolist(), strict=True):
                        scan.shapes[UNIT_NAMES[Unit(name)]] = int(count)
                return scan
    match_text = pc.replace_substring_regex(text, _WEEKDAY, "")
    todo = np.flatnonzero(~blank)
    for pattern in (_COMPACT, _LONG_NUMBER, _ISO, _DMY, _DMY2, _YMD, *_NAMED, *_ERA):
        if not len(todo):
            break
        if pattern == _LONG_NUMBER:
            hit = _np_bool(pc.match_substring_regex(match_text.take(pa.array(todo)), pattern))
            _long_numbers(scan, todo[hit])
            todo = todo[~hit]
            continue
        struct = pc.extract_regex(match_text.take(pa.array(todo)), pattern)
        hit = _np_bool(struct.is_valid())
        names = {f.name for f in struct.type}
        if "mon" in names:
            month = pc.index_in(pc.utf8_lower(struct.field("mon")), value_set=pa.array(_MONTH_KEYS))
            known = _np_bool(pc.is_valid(month))
            hit &= known
            month_number = _MONTH_NUMBERS[np.asarray(pc.fill_null(month, 0).to_numpy(), np.int64)]
        rows = todo[hit]
        if not len(rows):
            continue
        sub = struct.filter(pa.array(hit))
        scan.shapes[_SHAPE_NAMES[pattern]] = scan.shapes.get(_SHAPE_NAMES[pattern], 0) + len(rows)
        if "yy" in names:
            yy = _fields(sub, "yy", 0)
            scan.y[rows] = np.where(yy < TWO_DIGIT_PIVOT, 2000 + yy, 1900 + yy)
            scan.two_digit += len(rows)
        else:
            scan.y[rows] = _fields(sub, "y", 1970)
        if "era" in names:
            era = pc.utf8_upper(sub.field("era"))
            bc = _np_bool(pc.starts_with(era, "B"))
            scan.y[rows] = np.where(bc, 1 - scan.y[rows], scan.y[rows])
        precision = np.zeros(len(rows), np.int8)
        if "a" in names:  # dd/mm/yyyy or mm/dd/yyyy: decided later
            scan.slashed[rows] = True
            scan.a[rows] = _fields(sub, "a", 1)
            scan.b[rows] = _fields(sub, "b", 1)
            precision += 2
        elif "mon" in names:
            scan.m[rows] = month_number[hit]
            precision += 1
            if "d" in names:
                scan.d[rows] = _fields(sub, "d", 1)
                precision += 1
        elif "m" in names:
            for name, target in (("m", scan.m), ("d", scan.d)):
                target[rows] = _fields(sub, name, 1)
                precision += _present(sub, name)
        if "h" in names:
            for name, target in (("h", scan.h), ("mi", scan.mi), ("s", scan.s)):
                target[rows] = _fields(sub, name, 0)
                precision += _present(sub, name)
            scan.timed[rows] = _present(sub, "h")
            zone = _present(sub, "z")
            scan.zoned[rows] = zone
            sign = np.where(_np_bool(pc.equal(sub.field("zs"), "-")), -1, 1)
            scan.offset[rows] = sign * (
                _fields(sub, "zh", 0) * HOUR + _fields(sub, "zm", 0) * MINUTE
            )
        scan.precision[rows] = precision
        scan.kind[rows] = _OK
        todo = todo[~hit]
    return scan


def _long_numbers(scan: _Scan, rows: I64) -> None:
    """Numbers of five digits or more among dates: epochs from 1e8 (unit by size, read
    as UTC to the second), counts or serials below (refused, never a year)."""
    if not len(rows):
        return
    numbers = pd.to_numeric(_series(scan.text.take(pa.array(rows))), errors="coerce")
    values = numbers.to_numpy(np.float64)
    big = np.nan_to_num(values) >= EPOCH_MIN
    scan.kind[rows[~big]] = _COUNT
    epoch_rows = rows[big]
    if not len(epoch_rows):
        return
    seconds = cell_seconds(values[big])
    far = (seconds < _FIRST_SECOND) | (seconds >= _PAST_LAST_SECOND)
    scan.kind[epoch_rows[far]] = _SHAPE  # an epoch past the range: refused, not clamped
    epoch_rows, seconds = epoch_rows[~far], seconds[~far]
    values = values[big][~far]
    if not len(epoch_rows):
        return
    days = seconds // DAY
    y, m, d = civil_from_days(days)
    rest = seconds - days * DAY
    scan.y[epoch_rows], scan.m[epoch_rows], scan.d[epoch_rows] = y, m, d
    scan.h[epoch_rows] = rest // HOUR
    scan.mi[epoch_rows] = rest % HOUR // MINUTE
    scan.s[epoch_rows] = rest % MINUTE
    scan.precision[epoch_rows] = Precision.SECOND
    scan.timed[epoch_rows] = True
    scan.zoned[epoch_rows] = True
    scan.kind[epoch_rows] = _OK
    for unit in set(unit_of(values).tolist()) - {None}:
        scan.shapes[UNIT_NAMES[unit]] = scan.shapes.get(UNIT_NAMES[unit], 0) + 1


@dataclass
class _Order:
    order: str  # "dmy" or "mdy"
    note: str


def _decide_order(scans: Sequence[tuple[str, _Scan]], given: str | None) -> _Order | None:
    """Day/month order for all slashed dates of the file (see the module docstring)."""
    slashed = [(name, s) for name, s in scans if s.slashed.any()]
    if not slashed:
        return None
    if given:
        return _Order(given, "")
    firsts = [
        (name, s, np.flatnonzero(s.slashed & (s.a > 12) & (s.b <= 12))) for name, s in slashed
    ]
    seconds = [
        (name, s, np.flatnonzero(s.slashed & (s.b > 12) & (s.a <= 12))) for name, s in slashed
    ]
    n_dmy = sum(len(rows) for _, _, rows in firsts)
    n_mdy = sum(len(rows) for _, _, rows in seconds)
    if not n_dmy and not n_mdy:
        names = ", ".join(f'"{name}"' for name, _ in slashed)
        return _Order(
            "dmy",
            f"day/month order could not be settled from the data (column {names}); "
            "read as day/month (use --mapping date-order=mdy)",
        )
    order = "dmy" if n_dmy >= n_mdy else "mdy"
    evidence = firsts if order == "dmy" else seconds
    name, scan, rows = next((e for e in evidence if len(e[2])), evidence[0])
    example = str(scan.text[int(rows[0])].as_py())
    label = "day/month" if order == "dmy" else "month/day"
    note = f'dates like "{example}" (column "{name}") read as {label}'
    if n_dmy and n_mdy:
        note += f"; {min(n_dmy, n_mdy)} rows written the other way round were set aside"
    return _Order(order, note)


def _finish(scan: _Scan, order: str | None) -> tuple[I64, I8, npt.NDArray[np.int8]]:
    """Seconds, precision and failure kind per row, once the order is known."""
    if scan.epoch:
        assert scan.seconds is not None
        return scan.seconds, scan.precision, scan.kind
    if scan.slashed.any():
        day_first = order != "mdy"
        sl = scan.slashed
        scan.d[sl] = np.where(day_first, scan.a[sl], scan.b[sl])
        scan.m[sl] = np.where(day_first, scan.b[sl], scan.a[sl])
    kind = scan.kind.copy()
    ok = kind == _OK
    bad_year = ok & (np.abs(scan.y) > MAX_ABS_YEAR)
    kind[bad_year] = _YEAR
    ok &= ~bad_year
    bad_month = ok & ((scan.m < 1) | (scan.m > 12))
    kind[bad_month] = _MONTH
    ok &= ~bad_month
    y = np.where(ok, scan.y, 1970)
    m = np.where(ok, scan.m, 1)
    first = days_from_civil(y, m, np.ones_like(m))
    next_y = np.where(m == 12, y + 1, y)
    next_m = np.where(m == 12, 1, m + 1)
    length = days_from_civil(next_y, next_m, np.ones_like(m)) - first
    bad_day = ok & ((scan.d < 1) | (scan.d > length))
    kind[bad_day] = _DAY
    ok &= ~bad_day
    bad_clock = ok & ((scan.h > 23) | (scan.mi > 59) | (scan.s > 59))
    kind[bad_clock] = _CLOCK
    ok &= ~bad_clock
    bad_zone = ok & (np.abs(scan.offset) >= DAY)
    kind[bad_zone] = _ZONE
    ok &= ~bad_zone
    d = np.where(ok, scan.d, 1)
    seconds = (first + d - 1) * DAY + np.where(
        ok, scan.h * HOUR + scan.mi * MINUTE + scan.s - scan.offset, 0
    )
    # An offset can carry the last hours of the last year past the range (and back).
    pushed = ok & ((seconds < _FIRST_SECOND) | (seconds >= _PAST_LAST_SECOND))
    kind[pushed] = _PUSHED
    return seconds.astype(np.int64), scan.precision, kind


def _date_reason(scan: _Scan, kind: int, row: int, order: str | None) -> str:
    if kind == _EMPTY:
        return "is empty"
    raw = str(scan.text[row].as_py())
    text = f'"{raw}" is not a date'
    y, m, d = int(scan.y[row]), int(scan.m[row]), int(scan.d[row])
    read_as = ""
    if scan.slashed[row]:
        read_as = ", read as day/month" if order != "mdy" else ", read as month/day"
    huge = re.match(_NUMBER, raw) is not None and abs(float(raw)) >= EPOCH_MIN
    negative = huge and -1e20 < float(raw) < 0  # in a unit's reach, but before 1970
    if kind in (_SHAPE, _YEAR) and negative and (scan.epoch or kind == _SHAPE):
        if float(raw) == -SECONDS_1601_TO_1970:
            return f"{text} (the Windows zero time, 1601-01-01, which tools write for no time)"
        return f"{text} (a negative number is not read as an epoch time)"
    if kind in (_SHAPE, _YEAR) and huge and (scan.epoch or kind == _SHAPE or abs(y) > 10**11):
        return f"{text} (as Unix time it falls outside the years ±{MAX_ABS_YEAR:,})"
    if kind == _SHAPE:
        return f"{text} (expected e.g. 2020-04-03, 03/04/2020 or 3 April 2020)"
    if kind == _COUNT:
        if scan.epoch:
            return f"{text} (too small for an epoch time; the column holds epoch numbers)"
        return (
            f'"{raw}" is a number, not a date: not read as the year {raw}, nor as a day '
            "count or an epoch (numbers from 1e8 are epochs; format the column as dates)"
        )
    if kind == _YEAR:
        return f"{text} (year {y} is out of range)"
    if kind == _MONTH:
        return f"{text} (month {m} is not 1-12{read_as})"
    if kind == _DAY:
        return f"{text} ({MONTH_NAMES[m - 1]} {y} has no day {d}{read_as})"
    if kind == _CLOCK:
        return f"{text} (not a time of day)"
    if kind == _PUSHED:
        return f"{text} (in UTC it falls outside the years ±{MAX_ABS_YEAR:,})"
    return f"{text} (UTC offset out of range)"
