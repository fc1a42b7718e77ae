"""Calendar-aligned ticks for the time axis, chosen from the zoom (seconds per pixel).

The idea is pyqtgraph's DateAxisItem, but on dates.py's int64 seconds, because a story
may run from the Big Bang to next Tuesday and datetime stops at year 1 and 9999. Year
ticks are computed on integer years and converted with days_from_civil in one numpy call.

Levels are chosen by the *shortest* gap two of their ticks can have (February, a
non-leap year), not the mean one, so neighbouring labels never come closer than
``min_spacing_px``. BC years are aligned on their BC number ("500 BC", "10,000 BC"), AD
years on their AD number ("1990", "2000"), so round labels name the ticks exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Final, Literal

import numpy as np

from explorer.model import zones
from explorer.model.dates import (
    DAY,
    HOUR,
    MAX_ABS_YEAR,
    MINUTE,
    MONTH_NAMES,
    IntArray,
    civil_from_days,
    days_from_civil,
    parts,
    to_seconds,
)

# Labels longer than this get proportionally more room (deep-time years zoomed far in).
MAX_LABEL_CHARS: Final = 11


@dataclass(frozen=True, slots=True)
class Tick:
    seconds: int  # position (first second of the period the tick starts)
    label: str


@dataclass(frozen=True, slots=True)
class Axis:
    level: str  # name of the chosen tick level, e.g. "month", "10 years", "hour"
    ticks: list[Tick]  # labelled, calendar-aligned ticks within [t0, t1]
    context: list[Tick]  # the coarser period of each tick; the first is at or before t0


Kind = Literal["fixed", "week", "month", "year"]


@dataclass(frozen=True, slots=True)
class _Level:
    name: str
    kind: Kind
    step: int  # seconds (fixed), months (month) or years (year); unused for week
    shortest: int  # seconds: the smallest gap two consecutive ticks can have


def _plural(n: int, unit: str) -> str:
    return unit if n == 1 else f"{n:,} {unit}s"


def _build_levels() -> tuple[_Level, ...]:
    """Finest first. Years go 1, 5, 10, 50... so no zoom leaves labels 10x too sparse."""
    levels = [_Level(_plural(s, "second"), "fixed", s, s) for s in (1, 5, 10, 15, 30)]
    minutes = (1, 5, 10, 15, 30)
    levels += [_Level(_plural(m, "minute"), "fixed", m * MINUTE, m * MINUTE) for m in minutes]
    levels += [_Level(_plural(h, "hour"), "fixed", h * HOUR, h * HOUR) for h in (1, 3, 6, 12)]
    levels.append(_Level("day", "fixed", DAY, DAY))
    levels.append(_Level("7 days", "week", 7, 7 * DAY))  # days 1, 8, 15, 22 of each month
    levels += [_Level(_plural(n, "month"), "month", n, d * DAY) for n, d in ((1, 28), (3, 90))]
    levels.append(_Level("6 months", "month", 6, 181 * DAY))
    step = 1
    while step <= MAX_ABS_YEAR:
        for s in (step, 5 * step) if step < MAX_ABS_YEAR else (step,):
            # Any s consecutive years hold at least s*97/400 - 2 leap days.
            days = 365 * s + max(0, s * 97 // 400 - 2)
            levels.append(_Level(_plural(s, "year"), "year", s, days * DAY))
        step *= 10
    return tuple(levels)


_LEVELS: Final = _build_levels()
# Margins keep context periods (at most 1000 years back) inside to_seconds' range.
_LO: Final = to_seconds(-MAX_ABS_YEAR + 1000)
_HI: Final = to_seconds(MAX_ABS_YEAR - 1000)


def axis(
    t0: float,
    t1: float,
    width_px: float,
    min_spacing_px: float = 80.0,
    tz: tzinfo | None = None,
) -> Axis:
    """Ticks for the visible range [t0, t1] (UTC seconds) drawn across `width_px` pixels,
    on the calendar of the zone `tz` (None: UTC).

    In a zone, the ticks are chosen on the wall clock (local midnights, month starts,
    whole local hours) and placed at the UTC instants they name, so across a DST change
    days are 23 or 25 hours wide and an hour that happens twice gets two ticks."""
    if tz is None or tz is UTC or not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0):
        return _utc_axis(t0, t1, width_px, min_spacing_px)
    ends = np.array([min(max(math.floor(t0), _LO), _HI), min(max(math.ceil(t1), _LO), _HI)])
    shift = zones.to_wall(ends, tz) - ends
    wall = _utc_axis(t0 + int(shift[0]), t1 + int(shift[1]), width_px, min_spacing_px)
    level = next((lv for lv in _LEVELS if lv.name == wall.level), None)
    if level is not None and level.kind == "fixed" and level.step < DAY and wall.ticks:
        # Both occurrences of a repeated hour; a skipped one lands on its neighbour.
        pos_wall = np.array([t.seconds for t in wall.ticks], dtype=np.int64)
        first = zones.from_wall(pos_wall, tz, 0)
        second = zones.from_wall(pos_wall, tz, 1)
        again = second[zones.to_wall(second, tz) == pos_wall]  # really that wall time
        pos = np.unique(np.concatenate([first, again]))
        pos = pos[(pos >= t0) & (pos <= t1)]
        back = _label_fixed(zones.to_wall(pos, tz), level.step)
        ticks = [Tick(int(s), t.label) for s, t in zip(pos.tolist(), back, strict=True)]
    else:
        ticks = _placed(wall.ticks, tz)
        ticks = [t for t in ticks if t0 <= t.seconds <= t1]
    context = _placed(wall.context, tz)
    if context and context[0].seconds > t0:
        context[0] = Tick(math.floor(t0), context[0].label)
    return Axis(wall.level, ticks, context)


def _placed(ticks: list[Tick], tz: tzinfo) -> list[Tick]:
    """Wall-clock ticks at the UTC instant each names (a midnight that does not exist:
    the day's first instant); ticks that land together are kept once."""
    if not ticks:
        return []
    pos = zones.from_wall(np.array([t.seconds for t in ticks], dtype=np.int64), tz, 0)
    out: list[Tick] = []
    for s, t in zip(pos.tolist(), ticks, strict=True):
        if not out or s > out[-1].seconds:
            out.append(Tick(int(s), t.label))
    return out


def _utc_axis(t0: float, t1: float, width_px: float, min_spacing_px: float) -> Axis:
    if not (math.isfinite(t0) and math.isfinite(t1) and t1 > t0 and width_px > 0):
        start = math.floor(t0) if math.isfinite(t0) else 0
        return Axis("", [], [Tick(start, "")])
    spacing = max(min_spacing_px, 1.0) if math.isfinite(min_spacing_px) else 80.0
    px_per_s = width_px / (t1 - t0)
    lo, hi = max(math.ceil(t0), _LO), min(math.floor(t1), _HI)
    first = next(
        (i for i, lv in enumerate(_LEVELS) if lv.shortest * px_per_s >= spacing), len(_LEVELS) - 1
    )
    for level in _LEVELS[first:]:
        ticks = _ticks(level, lo, hi) if lo <= hi else []
        longest = max((len(t.label) for t in ticks), default=0)
        room = level.shortest * px_per_s * MAX_LABEL_CHARS
        if longest <= MAX_LABEL_CHARS or room >= spacing * longest or level is _LEVELS[-1]:
            break
    anchor = min(max(math.floor(t0), _LO), _HI)
    context = _context(level, anchor, max(hi, anchor))
    if context[0].seconds > t0:  # t0 before the representable range
        context.insert(0, Tick(math.floor(t0), ""))
    return Axis(level.name, ticks, context)


# --- tick positions -----------------------------------------------------------------


def _ceil_to(n: int, step: int) -> int:
    return -(-n // step) * step


def _aligned_years(ylo: int, yhi: int, step: int) -> IntArray:
    """Years in [ylo, yhi] whose AD number, or BC number (1 - year), is a multiple of step."""
    chunks: list[IntArray] = []
    top = min(yhi, 0)
    if ylo <= top:
        b_first = _ceil_to(1 - top, step)
        b_last = (1 - ylo) // step * step
        if b_first <= b_last:
            bc = b_last - step * np.arange((b_last - b_first) // step + 1, dtype=np.int64)
            chunks.append(1 - bc)
    a_first = _ceil_to(max(ylo, 1), step)
    a_last = yhi // step * step
    if a_first <= a_last:
        chunks.append(a_first + step * np.arange((a_last - a_first) // step + 1, dtype=np.int64))
    return np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)


def _year_starts(years: IntArray) -> IntArray:
    ones = np.ones_like(years)
    return days_from_civil(years, ones, ones) * DAY


def _month_index(seconds: int, round_up: bool) -> int:
    """Months since year 0 of the month containing `seconds` (or the next month start)."""
    p = parts(seconds)
    index = p.year * 12 + p.month - 1
    if round_up and to_seconds(p.year, p.month) < seconds:
        index += 1
    return index


def _month_starts(first: int, last: int, step: int) -> IntArray:
    first = _ceil_to(first, step)
    index = first + step * np.arange(max(0, (last - first) // step + 1), dtype=np.int64)
    return days_from_civil(index // 12, index % 12 + 1, np.ones_like(index)) * DAY


def _ticks(level: _Level, lo: int, hi: int) -> list[Tick]:
    if level.kind == "fixed":
        start = _ceil_to(lo, level.step)
        count = (hi - start) // level.step + 1
        pos = start + level.step * np.arange(max(count, 0), dtype=np.int64)
        return _label_fixed(pos, level.step)
    if level.kind == "year":
        ylo = parts(lo).year
        if to_seconds(ylo) < lo:
            ylo += 1
        years = _aligned_years(ylo, parts(hi).year, level.step)
        pos = _year_starts(years)
        return [
            Tick(s, _year_label(y, level.step))
            for s, y in zip(pos.tolist(), years.tolist(), strict=True)
        ]
    if level.kind == "month":
        pos = _month_starts(_month_index(lo, True), _month_index(hi, False), level.step)
        _, months, _ = civil_from_days(pos // DAY)
        return [
            Tick(s, MONTH_NAMES[m - 1][:3])
            for s, m in zip(pos.tolist(), months.tolist(), strict=True)
        ]
    months = _month_starts(_month_index(lo, False), _month_index(hi, False), 1)
    pos = (months[:, None] + np.array([0, 7, 14, 21], dtype=np.int64) * DAY).ravel()
    return _label_fixed(pos[(pos >= lo) & (pos <= hi)], DAY)


def _label_fixed(pos: IntArray, step: int) -> list[Tick]:
    if step >= DAY:
        _, _, days = civil_from_days(pos // DAY)
        return [Tick(s, str(d)) for s, d in zip(pos.tolist(), days.tolist(), strict=True)]
    sod = pos % DAY
    hh, mm, ss = (sod // HOUR).tolist(), (sod % HOUR // MINUTE).tolist(), (sod % MINUTE).tolist()
    if step >= MINUTE:
        return [Tick(s, f"{h:02d}:{m:02d}") for s, h, m in zip(pos.tolist(), hh, mm, strict=True)]
    return [
        Tick(s, f"{h:02d}:{m:02d}:{x:02d}")
        for s, h, m, x in zip(pos.tolist(), hh, mm, ss, strict=True)
    ]


# --- context row --------------------------------------------------------------------


def _context(level: _Level, anchor: int, hi: int) -> list[Tick]:
    """Starts of the coarser periods from the one containing `anchor` up to `hi`."""
    if level.kind == "fixed" and level.step < DAY:
        size = MINUTE if level.step < MINUTE else DAY
        start = anchor - anchor % size
        pos = start + size * np.arange((hi - start) // size + 1, dtype=np.int64)
        return [Tick(s, _day_label(s, with_minute=size == MINUTE)) for s in pos.tolist()]
    if level.kind in ("fixed", "week"):
        pos = _month_starts(_month_index(anchor, False), _month_index(hi, False), 1)
        y, m, _ = civil_from_days(pos // DAY)
        return [
            Tick(s, f"{MONTH_NAMES[mm - 1]} {_year_label(yy, 1)}")
            for s, yy, mm in zip(pos.tolist(), y.tolist(), m.tolist(), strict=True)
        ]
    y0, y1 = parts(anchor).year, parts(hi).year
    if level.kind == "month":
        years = np.arange(y0, y1 + 1, dtype=np.int64)
        pos = _year_starts(years)
        return [
            Tick(s, _year_label(y, 1)) for s, y in zip(pos.tolist(), years.tolist(), strict=True)
        ]
    size = 10 ** len(str(level.step))  # 1 -> decades, 5 and 10 -> centuries, ...
    if size > 1000 or max(abs(y0), abs(y1)) >= 1_000_000:
        return [Tick(anchor, "")]  # nothing shorter than the tick labels to say
    start = max(1, y0 // size * size) if y0 >= 1 else 1 - _ceil_to(1 - y0, size)
    years = _aligned_years(start, y1, size)
    if start <= 1 <= y1 and size > 1:  # the first AD period starts at 1, not at 0 (1 BC)
        years = np.unique(np.append(years, 1))
    pos = _year_starts(years)
    return [
        Tick(s, _period_label(y, size)) for s, y in zip(pos.tolist(), years.tolist(), strict=True)
    ]


def _day_label(seconds: int, with_minute: bool) -> str:
    p = parts(seconds)
    text = f"{p.day} {MONTH_NAMES[p.month - 1]} {_year_label(p.year, 1)}"
    return f"{text} {p.hour:02d}:{p.minute:02d}" if with_minute else text


# --- year text ----------------------------------------------------------------------


def _plain(n: int) -> str:
    return str(n) if n < 10_000 else f"{n:,}"


def _year_label(year: int, step: int) -> str:
    """Compact year text for a tick at a multiple of `step`: "1990", "44 BC", "−13.8 bn"."""
    bc = year <= 0
    n = 1 - year if bc else year
    if n >= 1_000_000:
        unit, word = (10**9, "bn") if n >= 10**9 else (10**6, "m")
        decimals = next((d for d in range(4) if step * 10**d % unit == 0), None)
        if decimals is not None:  # exact: n is a multiple of step
            whole, rest = divmod(n, unit)
            fraction = f"{rest * 10**decimals // unit:0{decimals}d}".rstrip("0")
            text = f"{whole}.{fraction}" if fraction else str(whole)
            return f"−{text} {word}" if bc else f"{text} {word}"
    return f"{_plain(n)} BC" if bc else _plain(n)


def _period_label(start: int, size: int) -> str:
    """A decade, century or millennium of the context row: "1990s", "1900–1999", "500–401 BC"."""
    if start >= 1:
        last = (start // size + 1) * size - 1
        if size == 10 and 10 <= start < 10_000:
            return f"{start}s"
        return f"{_plain(start)}–{_plain(last)}"
    first_bc = 1 - start
    return f"{_plain(first_bc)}–{_plain(first_bc - size + 1)} BC"
