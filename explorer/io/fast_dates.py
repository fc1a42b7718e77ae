"""Dates of forensic exports in bulk: ISO 8601 read over the raw bytes (vectorised), epoch
numbers told apart by size, the model's own parser for the odd row it cannot take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.attributes import AttributesDtype, ColumnAttributes  # noqa: F401 (re-exported)
from explorer.io.kit.epochs import integer_divisor, magnitude_divisor
from explorer.io.timeparse import parse_datetimes
from explorer.model.dates import DAY, DateError, Precision, days_from_civil, parse_date

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]

# Epoch values must land between years 1 and 9999 (what a forensic tool writes).
_MIN_EPOCH = days_from_civil(1, 1, 1) * DAY
_MAX_EPOCH = days_from_civil(10000, 1, 1) * DAY - 1


# --- dates ---------------------------------------------------------------------------

DATE_OK, DATE_BLANK, DATE_NOT_A_DATE, DATE_OUT_OF_RANGE = 0, 1, 2, 3
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_NUMBER = r"^[+-]?[0-9]+(\.[0-9]*)?$"
_ISO_ROWS = 1 << 15  # rows per step of the ISO reader


@dataclass
class Dates:
    """A column of dates: seconds, precision and, per row, whether (and why not) it read."""

    seconds: I64
    precision: I8
    status: I8  # DATE_OK, DATE_BLANK, DATE_NOT_A_DATE, DATE_OUT_OF_RANGE
    naive: Bool  # read as UTC for want of an offset
    fraction: Bool  # had a sub-second fraction (dropped: precision is the second)

    @property
    def ok(self) -> Bool:
        return np.asarray(self.status == DATE_OK)

    @classmethod
    def empty(cls, n: int) -> Dates:
        return cls(
            np.zeros(n, np.int64),
            np.full(n, int(Precision.SECOND), np.int8),
            np.full(n, DATE_BLANK, np.int8),
            np.zeros(n, bool),
            np.zeros(n, bool),
        )

    @classmethod
    def concat(cls, parts: Sequence[Dates]) -> Dates:
        if not parts:
            return cls.empty(0)
        return cls(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__)
        )

    def fill(self, rows: npt.ArrayLike, other: Dates) -> None:
        """Take `other` (dates for `rows`) where it read."""
        rows = np.asarray(rows, dtype=np.int64)
        good = other.status == DATE_OK
        target = rows[good]
        self.seconds[target] = other.seconds[good]
        self.precision[target] = other.precision[good]
        self.status[target] = DATE_OK
        self.naive[target] = other.naive[good]
        self.fraction[target] = other.fraction[good]


def _string_chunks(values: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = []
    for chunk in chunks:
        if chunk.type != pa.string():
            chunk = chunk.cast(pa.string())
        if chunk.null_count:
            chunk = chunk.fill_null("")
        out.append(chunk)
    return out


def iso_dates(values: pa.ChunkedArray | pa.Array, *, epoch_numbers: bool = True) -> Dates:
    """ISO 8601 date-times to seconds, vectorised over the raw UTF-8 bytes.

    "2012-03-14 04:17:38.276340+00:00", "...T...Z", "...+0000" and naive times take the
    fast path; anything else (dates alone, years beyond 9999) goes to the model's parser.
    With `epoch_numbers`, a cell holding a plain number is an epoch (s/ms/µs/ns).
    """
    # Block by block (as Arrow read them): the byte matrices stay in the CPU cache.
    parts = []
    for chunk in _string_chunks(values):
        for start in range(0, max(len(chunk), 1), _ISO_ROWS):
            parts.append(_iso_chunk(chunk.slice(start, _ISO_ROWS), epoch_numbers))
    return Dates.concat(parts)


def _iso_chunk(arr: pa.Array, epoch_numbers: bool) -> Dates:
    n = len(arr)
    out = Dates.empty(n)
    if n == 0:
        return out
    buffers = arr.buffers()
    offsets: I64 = np.frombuffer(
        buffers[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4
    ).astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None and buffers[2].size
        else np.zeros(0, np.uint8)
    )
    starts, ends = offsets[:-1], offsets[1:]
    long = ends - starts >= 19
    if long.all():  # the usual case: no index arrays, results taken as they come
        good, seconds, naive, fraction = _iso_fast(data, starts, ends)
        out = Dates(
            np.where(good, seconds, 0),
            out.precision,
            np.where(good, DATE_OK, DATE_BLANK).astype(np.int8),
            naive & good,
            fraction & good,
        )
        rest = np.flatnonzero(~good)
        if rest.size:
            _iso_slow(arr.take(pa.array(rest)), rest, out, epoch_numbers)
        return out
    idx = np.flatnonzero(long)
    fast = np.zeros(n, dtype=bool)
    if idx.size:
        good, seconds, naive, fraction = _iso_fast(data, starts[idx], ends[idx])
        rows = idx[good]
        out.seconds[rows] = seconds[good]
        out.status[rows] = DATE_OK
        out.naive[rows] = naive[good]
        out.fraction[rows] = fraction[good]
        fast[rows] = True
    rest = np.flatnonzero(~fast)
    if rest.size:
        _iso_slow(arr.take(pa.array(rest)), rest, out, epoch_numbers)
    return out


def _iso_fast(data: npt.NDArray[np.uint8], s: I64, e: I64) -> tuple[Bool, I64, Bool, Bool]:
    """YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|±hh:mm|±hhmm] for strings [s, e) of `data`.

    Strings of one length are laid side by side as a byte matrix (a view when the
    whole chunk has one length, as machine-written exports do), so every check is a
    column operation."""
    m = len(s)
    lengths = e - s
    size = int(lengths[0])
    if int(e[-1] - s[0]) == m * size and (lengths == size).all():  # one length, side by side
        return _iso_matrix(data[int(s[0]) : int(e[-1])].reshape(m, size))
    good = np.zeros(m, dtype=bool)
    seconds = np.zeros(m, dtype=np.int64)
    naive = np.zeros(m, dtype=bool)
    fraction = np.zeros(m, dtype=bool)
    distinct = np.unique(lengths)
    for length in distinct:
        size = int(length)
        rows = np.flatnonzero(lengths == length) if len(distinct) > 1 else None
        starts = s if rows is None else s[rows]
        first, stop = int(starts[0]), int(e[-1] if rows is None else e[rows[-1]])
        if stop - first == len(starts) * size:  # side by side in the buffer already
            matrix = data[first:stop].reshape(len(starts), size)
        else:
            matrix = data[starts[:, None] + np.arange(size)]
        parts = _iso_matrix(matrix)
        where = slice(None) if rows is None else rows
        good[where], seconds[where], naive[where], fraction[where] = parts
    return good, seconds, naive, fraction


@cache
def month_starts() -> I64:
    """Day number (since 1970) of the first of each month of years 0-9999, and one more:
    a table look-up is ten times faster than the calendar arithmetic per row."""
    months = np.arange(10000 * 12 + 1, dtype=np.int64)
    return days_from_civil(months // 12, months % 12 + 1, np.ones_like(months))


def _iso_matrix(mat: npt.NDArray[np.uint8]) -> tuple[Bool, I64, Bool, Bool]:
    """`_iso_fast` for strings of one length, one per row of a byte matrix."""
    m, size = mat.shape
    # Minus "0" wraps round below it, so "is a digit" is `<= 9`.
    d = mat[:, _DIGITS] - np.uint8(48)
    tail = mat[:, 19:] - np.uint8(48)  # after the seconds: fraction and offset

    def digit(col: int) -> npt.NDArray[np.int32]:
        return tail[:, col - 19].astype(np.int32)

    good = d.max(axis=1) <= 9  # max, not all(): numpy reduces short rows faster so
    good &= (mat[:, 4] == 45) & (mat[:, 7] == 45) & (mat[:, 13] == 58) & (mat[:, 16] == 58)
    good &= (mat[:, 10] == 84) | (mat[:, 10] == 32) | (mat[:, 10] == 116)
    d32 = d.astype(np.int32)
    year = d32[:, 0] * 1000 + d32[:, 1] * 100 + d32[:, 2] * 10 + d32[:, 3]
    month = d32[:, 4] * 10 + d32[:, 5]
    day = d32[:, 6] * 10 + d32[:, 7]
    clock = (d32[:, 8] * 10 + d32[:, 9]) * 3600 + (d32[:, 10] * 10 + d32[:, 11]) * 60
    clock += d32[:, 12] * 10 + d32[:, 13]
    good &= (d32[:, 8] * 10 + d32[:, 9] <= 23) & (d32[:, 10] <= 5) & (d32[:, 12] <= 5)
    # The offset: "Z", "+hh:mm" or "+hhmm" at the end, or none (naive).
    last = mat[:, size - 1]
    zulu = (last == 90) | (last == 122)
    offset = np.zeros(m, dtype=np.int32)
    forms: list[tuple[int, Bool]] = [(1, zulu)]  # (length of the offset, rows written so)
    taken = zulu.copy()
    for cut, colon_at in ((6, size - 3), (5, None)):
        if size < 19 + cut:
            continue
        sign = mat[:, size - cut]
        hh_at = size - cut + 1
        rows = ~taken & ((sign == 43) | (sign == 45))
        if colon_at is not None:
            rows &= mat[:, colon_at] == 58
        for column in (hh_at, hh_at + 1, size - 2, size - 1):
            rows &= tail[:, column - 19] <= 9
        if not rows.any():
            continue
        hh = digit(hh_at) * 10 + digit(hh_at + 1)
        mm = digit(size - 2) * 10 + digit(size - 1)
        good &= ~rows | ((hh <= 23) & (mm <= 59))
        offset = np.where(rows, np.where(sign == 45, -1, 1) * (hh * 3600 + mm * 60), offset)
        taken |= rows
        forms.append((cut, rows))
    forms.append((0, ~taken))
    # Between the seconds and the offset: nothing, or a fraction ".123456789".
    fraction = np.zeros(m, dtype=bool)
    middle_ok = np.zeros(m, dtype=bool)
    dot_ok = ((mat[:, 19] == 46) | (mat[:, 19] == 44)) if size > 19 else None
    for cut, rows in forms:
        stop = size - cut
        if stop == 19:
            middle_ok |= rows
        elif stop >= 21 and dot_ok is not None and rows.any():
            ok = rows & dot_ok & (tail[:, 1 : stop - 19].max(axis=1) <= 9)
            middle_ok |= ok
            fraction |= ok
    good &= middle_ok
    # The calendar: months 1-12 and days that exist (hh:mm:ss were checked above).
    good &= (month >= 1) & (month <= 12)
    safe_month = np.clip(month, 1, 12)
    month_index = np.where(good, year * 12 + safe_month - 1, 0)  # garbage rows: any month
    starts = month_starts()
    first = starts[month_index]
    month_days = starts[month_index + 1] - first
    good &= (day >= 1) & (day <= month_days)
    days = first + day - 1
    seconds: I64 = (days * DAY + (clock - offset)).astype(np.int64)
    return good, seconds, ~taken, fraction


def _iso_slow(values: pa.Array, rows: I64, out: Dates, epoch_numbers: bool) -> None:
    """The rows the fast path did not take: blanks, epoch numbers, other ISO shapes."""
    trimmed = pc.utf8_trim_whitespace(values)
    blank = np.asarray(pc.equal(trimmed, "").to_numpy(zero_copy_only=False), dtype=bool)
    out.status[rows[blank]] = DATE_BLANK
    todo = ~blank
    if epoch_numbers and todo.any():
        numeric = np.asarray(
            pc.match_substring_regex(trimmed, _NUMBER).to_numpy(zero_copy_only=False), dtype=bool
        )
        numeric &= todo
        if numeric.any():
            epoch = epoch_dates(trimmed.filter(pa.array(numeric)))
            where = rows[numeric]
            out.seconds[where] = epoch.seconds
            out.status[where] = epoch.status
            todo &= ~numeric
    if not todo.any():
        return
    texts = trimmed.filter(pa.array(todo)).to_pandas()
    parsed = parse_datetimes(texts)
    where = rows[todo]
    out.status[where] = np.where(parsed.ok, DATE_OK, DATE_NOT_A_DATE).astype(np.int8)
    out.seconds[where] = parsed.seconds
    out.precision[where] = parsed.precision
    # parse_datetimes counts naive times but does not say which; find them the same way.
    has_time = texts.str.contains(r"\d[T ]\d", regex=True).to_numpy(dtype=bool)
    has_zone = texts.str.contains(r"(?:Z|z|[+-]\d\d:?\d\d)$", regex=True).to_numpy(dtype=bool)
    out.naive[where] = parsed.ok & has_time & ~has_zone
    out.fraction[where] = parsed.ok & texts.str.contains(r":\d\d[.,]\d", regex=True).to_numpy(
        dtype=bool
    )


def epoch_dates(
    values: pa.ChunkedArray | pa.Array | Sequence[Any], *, seconds_only: bool = False
) -> Dates:
    """Epoch numbers (s, ms, µs or ns, by magnitude, as Timesketch tells them apart;
    `seconds_only` for formats whose epochs are always seconds, as TLN's are)."""
    if not isinstance(values, pa.ChunkedArray | pa.Array):
        values = pa.array(
            [str(v) if not isinstance(v, str) else v for v in values], type=pa.string()
        )
    parts = []
    for chunk in _string_chunks(values):
        parts.append(_epoch_chunk(pc.utf8_trim_whitespace(chunk), seconds_only))
    return Dates.concat(parts)


def _unsigned(numbers: Any) -> Any:
    """Arrow reads "-5" as a number but not "+5"."""
    return pc.replace_substring_regex(numbers, pattern=r"^\+", replacement="")


def _epoch_chunk(text: pa.Array, seconds_only: bool = False) -> Dates:
    n = len(text)
    out = Dates.empty(n)
    if n == 0:
        return out
    blank = np.asarray(pc.equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
    numeric = np.asarray(
        pc.match_substring_regex(text, _NUMBER).to_numpy(zero_copy_only=False), dtype=bool
    )
    out.status[~blank] = DATE_NOT_A_DATE
    if not numeric.any():
        return out
    rows = np.flatnonzero(numeric)
    chosen = text.filter(pa.array(numeric))
    integral = np.asarray(
        pc.match_substring_regex(chosen, r"^[+-]?[0-9]{1,18}$").to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    seconds = np.zeros(len(rows), dtype=np.int64)
    ok = np.zeros(len(rows), dtype=bool)
    if integral.any():
        ints = pc.cast(_unsigned(chosen.filter(pa.array(integral))), pa.int64()).to_numpy()
        divisor = integer_divisor(ints) if not seconds_only else np.ones_like(ints)
        seconds[integral] = np.floor_divide(ints, divisor)
        ok[integral] = True
    if (~integral).any():
        floats = pc.cast(_unsigned(chosen.filter(pa.array(~integral))), pa.float64()).to_numpy()
        finite = np.isfinite(floats)
        divisor = magnitude_divisor(floats) if not seconds_only else np.ones_like(floats)
        value = np.floor(np.where(finite, floats, 0.0) / divisor)
        finite &= np.abs(value) < 2**62
        seconds[~integral] = np.where(finite, value, 0).astype(np.int64)
        ok[~integral] = finite
    in_range = ok & (seconds >= _MIN_EPOCH) & (seconds <= _MAX_EPOCH)
    out.seconds[rows] = np.where(in_range, seconds, 0)
    out.status[rows] = np.where(in_range, DATE_OK, DATE_OUT_OF_RANGE).astype(np.int8)
    return out


def date_reason(raw: Any, status: int, column: str, epoch: bool = False) -> str:
    """Why one cell is not a date, as the set-aside list says it (`epoch`: the column
    holds epoch numbers, not dates)."""
    text = "" if raw is None else str(raw).strip()
    if status == DATE_BLANK or not text:
        return f"no date: {column} is empty"
    if status == DATE_OUT_OF_RANGE:
        return f"{text[:60]!r} is outside the years 1 to 9999 as an epoch number"
    if epoch:
        return f"{text[:60]!r} is not an epoch number (seconds, ms, µs or ns since 1970)"
    spelled = text.replace(" ", "T", 1) if " " in text else text
    try:
        parse_date(spelled)
    except DateError as exc:  # its message says what is wrong ("day 31 does not exist...")
        return str(exc).replace(repr(spelled), repr(text))[:200]
    return f"{text[:60]!r} is not a date"
