"""Whole-column date parsing for importers: strings or epoch numbers to int64 seconds.

pandas parses ISO 8601 in C, but only between 1677 and 2262; rows it cannot take
(1601 in a forensic export, 13.8 billion years ago in a story) fall back to the
model's own parser one by one, which is fine because they are few. The result
says which rows failed so the importer can set them aside with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.io.kit.epochs import magnitude_divisor
from explorer.model.dates import (
    DAY,
    MAX_ABS_YEAR,
    DateError,
    Precision,
    civil_from_days,
    days_from_civil,
    parse_date,
)

_MAX_EPOCH_SECONDS: Final = float(days_from_civil(MAX_ABS_YEAR, 1, 1) * DAY)

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]


@dataclass
class ParsedDates:
    seconds: I64
    precision: I8
    ok: Bool  # parsed
    empty: Bool  # blank cells (not an error by themselves)
    naive: int  # how many had no UTC offset (taken as UTC)
    errors: dict[int, str]  # row -> reason, for the rows that failed


def _blank(values: pd.Series) -> Bool:
    text = values.astype("str")
    return np.asarray(
        values.isna().to_numpy(dtype=bool) | (text.str.strip() == "").to_numpy(dtype=bool)
    )


def parse_datetimes(
    values: pd.Series, default_precision: Precision = Precision.SECOND
) -> ParsedDates:
    """ISO-like date-times ("2015-07-24T19:01:01+00:00", "2012-03-14 04:17:38.276340",
    "2020-09-18", "2026") to seconds; precision from how much is written."""
    n = len(values)
    text = values.astype("str").str.strip()
    empty = _blank(values)
    seconds = np.zeros(n, dtype=np.int64)
    precision = np.full(n, int(default_precision), dtype=np.int8)
    ok = np.zeros(n, dtype=bool)
    errors: dict[int, str] = {}
    # Precision from the length of what is written, once any zone suffix is set aside.
    bare = text.str.replace(r"(?:Z|[+-]\d\d:?\d\d)$", "", regex=True)
    length = bare.str.len().fillna(0).to_numpy(dtype=np.int64)
    has_zone = (
        text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).fillna(False).to_numpy(dtype=bool)
    )
    has_time = text.str.contains(r"\d[T ]\d", regex=True).fillna(False).to_numpy(dtype=bool)
    candidates = ~empty
    if candidates.any():
        parsed = pd.to_datetime(text[candidates], utc=True, format="ISO8601", errors="coerce")
        good = parsed.notna().to_numpy(dtype=bool)
        idx = np.flatnonzero(candidates)
        as_seconds = parsed[good].to_numpy(dtype="datetime64[s]").astype(np.int64)
        seconds[idx[good]] = as_seconds
        ok[idx[good]] = True
        # Precision from the shape of what is written.
        date_only = ~has_time
        precision[ok & date_only & (length == 10)] = Precision.DAY
        precision[ok & date_only & (length == 7)] = Precision.MONTH
        precision[ok & date_only & (length <= 5)] = Precision.YEAR
        precision[ok & has_time & (length == 13)] = Precision.HOUR
        precision[ok & has_time & (length == 16)] = Precision.MINUTE
    # Out of pandas' range or unusual: the model's parser, row by row (few rows).
    for row in np.flatnonzero(candidates & ~ok):
        raw = str(text.iloc[int(row)])
        try:
            value = parse_date(raw.replace(" ", "T", 1) if " " in raw else raw)
        except DateError:
            errors[int(row)] = f"{raw!r} is not a date"
            continue
        seconds[row], precision[row], ok[row] = value.seconds, int(value.precision), True
    naive = int((ok & has_time & ~has_zone).sum())
    return ParsedDates(seconds, precision, ok, empty, naive, errors)


def epoch_seconds(values: pd.Series) -> tuple[I64, Bool]:
    """Epoch numbers in seconds, milliseconds, microseconds or nanoseconds, told apart
    by magnitude (as Timesketch does): 1e9 s is 2001, 1e12 ms and 1e15 µs are too."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    ok = np.isfinite(numbers)
    value = np.floor(np.where(ok, numbers, 0.0) / magnitude_divisor(numbers))
    # Past the calendar's range (and int64's), a number is not a date: never a clamped one.
    ok &= np.abs(value) <= _MAX_EPOCH_SECONDS
    seconds = np.where(ok, value, 0.0).astype(np.int64)
    return seconds, ok


def year_month_day(
    year: pd.Series, month: pd.Series | None = None, day: pd.Series | None = None
) -> tuple[I64, I8, Bool, dict[int, str]]:
    """Separate Year/Month/Day columns (TimelineJS sheets); precision from what is filled."""
    n = len(year)
    y = pd.to_numeric(year, errors="coerce").to_numpy(dtype=np.float64)
    m = (
        pd.to_numeric(month, errors="coerce").to_numpy(dtype=np.float64)
        if month is not None
        else np.full(n, np.nan)
    )
    d = (
        pd.to_numeric(day, errors="coerce").to_numpy(dtype=np.float64)
        if day is not None
        else np.full(n, np.nan)
    )
    ok = np.isfinite(y) & (np.abs(np.nan_to_num(y)) <= MAX_ABS_YEAR)
    has_m = ok & np.isfinite(m)
    has_d = has_m & np.isfinite(d)
    yi = np.where(ok, y, 1970).astype(np.int64)
    mi = np.where(has_m, m, 1).astype(np.int64)
    di = np.where(has_d, d, 1).astype(np.int64)
    bad_month = has_m & ((mi < 1) | (mi > 12))
    mi = np.where(bad_month, 1, mi)
    days = days_from_civil(yi, mi, di)
    # A day that does not exist (31 April) comes back as another date: catch it.
    yy, mm, dd = civil_from_days(days)
    bad_day = has_d & ((dd != di) | (mm != mi) | (yy != yi))
    errors: dict[int, str] = {}
    for row in np.flatnonzero(bad_month):
        errors[int(row)] = f"month {int(m[row])} is not 1-12"
    for row in np.flatnonzero(bad_day & ~bad_month):
        errors[int(row)] = f"day {int(d[row])} does not exist in {int(y[row])}-{int(m[row]):02d}"
    ok &= ~(bad_month | bad_day)
    precision = np.where(has_d, Precision.DAY, np.where(has_m, Precision.MONTH, Precision.YEAR))
    return days * DAY, precision.astype(np.int8), ok, errors
