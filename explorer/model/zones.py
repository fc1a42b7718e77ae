"""The display time zone: UTC, the computer's zone, or any IANA zone, for showing times only.

Stored times stay UTC int64 seconds (dates.py); a zone changes what the axis, the
detail view, the table and the exports *say*. zoneinfo reads the zone rules, from the
`tzdata` package where the system has none (Windows, slim containers); `tzlocal` names
the computer's zone on every platform.

Dates known only to the day, month or year are *floating*: "24 June 2026" is that
calendar day wherever the reader is, so they are never shifted (a day-precision date
in Pacific/Kiritimati, UTC+14, would otherwise jump to the 25th). Only times of day
(hour precision and finer) are converted.

Conversion is vectorised by calendar day: a column's offsets cost two zoneinfo calls per
distinct UTC day (cached), plus one per instant on the rare day a transition falls on.
Outside datetime's years 1-9999 the offset at the nearer end applies: zone rules say
nothing about deep time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import numpy.typing as npt

from explorer.model.dates import DAY, HOUR, MINUTE, IntArray, Precision, format_human, format_iso

UTC_KEY: Final = "UTC"
LOCAL_KEY: Final = "local"

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
# datetime's range, less two days so that a day's end and any offset stay inside it.
_MIN: Final = int((datetime(1, 1, 3, tzinfo=UTC) - _EPOCH).total_seconds())
_MAX: Final = int((datetime(9999, 12, 29, tzinfo=UTC) - _EPOCH).total_seconds())


class ZoneError(ValueError):
    """A zone name that is not UTC, "local" or a known IANA zone."""


@dataclass(frozen=True)
class DisplayZone:
    """A zone as the user chose it: `key` is what is remembered ("UTC", "local", or an
    IANA name), `tz` the rules in force on this computer."""

    key: str
    tz: tzinfo

    @property
    def is_utc(self) -> bool:
        return (
            self.key == UTC_KEY
            or self.tz is UTC
            or getattr(self.tz, "key", None) in ("UTC", "Etc/UTC", "Etc/UCT", "Zulu")
        )

    @property
    def name(self) -> str:
        """What menus and headings say: "UTC", "America/New_York", "Local (Europe/Paris)"."""
        if self.key == LOCAL_KEY:
            return f"Local ({getattr(self.tz, 'key', None) or self.tz.tzname(None) or 'unknown'})"
        return self.key


UTC_ZONE: Final = DisplayZone(UTC_KEY, UTC)


def _local_tz() -> tzinfo:
    try:
        import tzlocal

        return tzlocal.get_localzone()
    except Exception:  # no zone configured, or one tzlocal cannot name: say UTC
        return UTC


def zone(key: str) -> DisplayZone:
    """The zone named `key`: "UTC", "local" (the computer's), or an IANA name."""
    text = key.strip()
    if not text or text.upper() == UTC_KEY:
        return UTC_ZONE
    if text.lower() == LOCAL_KEY:
        return DisplayZone(LOCAL_KEY, _local_tz())
    if len(text) > 100 or text.startswith(("/", ".")) or ".." in text or "\\" in text:
        raise ZoneError(f"{key!r} is not a time zone name")
    try:
        return DisplayZone(text, ZoneInfo(text))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hint = _suggest(text)
        more = f" (did you mean {hint}?)" if hint else ""
        raise ZoneError(
            f"{key!r} is not a time zone: use UTC, local, or an IANA name such as "
            f"America/New_York{more}"
        ) from None


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this computer knows (from tzdata), sorted."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def _suggest(text: str) -> str:
    folded = text.lower().replace(" ", "_")
    hits = [n for n in zone_names() if n.lower() == folded or n.lower().endswith("/" + folded)]
    return hits[0] if hits else ""


# --- offsets (vectorised) -----------------------------------------------------------


def _offset_at(seconds: int, tz: tzinfo) -> int:
    """UTC offset in seconds at a UTC instant (clamped to datetime's years)."""
    s = min(max(int(seconds), _MIN), _MAX)
    offset = (_EPOCH + timedelta(seconds=s)).astimezone(tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


@functools.lru_cache(maxsize=1 << 16)
def _day_offsets(day: int, tz: tzinfo) -> tuple[int, int]:
    return _offset_at(day * DAY, tz), _offset_at(day * DAY + DAY - 1, tz)


def _by_day(seconds: IntArray, one_day: object, one: object) -> IntArray:
    """Per-instant values from per-day (start, end) pairs; instants on a day whose two
    values differ (a transition day) are computed one by one."""
    s = np.clip(np.asarray(seconds, dtype=np.int64), _MIN, _MAX)
    if not len(s):
        return np.zeros(0, dtype=np.int64)
    days, inverse = np.unique(s // DAY, return_inverse=True)
    pairs = np.array([one_day(int(d)) for d in days], dtype=np.int64).reshape(-1, 2)  # type: ignore[operator]
    out = pairs[:, 0][inverse]
    odd = np.flatnonzero((pairs[:, 0] != pairs[:, 1])[inverse])
    if len(odd):
        out[odd] = [one(int(x)) for x in s[odd]]  # type: ignore[operator]
    return out.astype(np.int64)


def utc_offsets(seconds: IntArray, tz: tzinfo) -> IntArray:
    """The zone's UTC offset (seconds east) at each UTC instant."""
    if tz is UTC:
        return np.zeros(len(seconds), dtype=np.int64)
    return _by_day(seconds, lambda d: _day_offsets(d, tz), lambda x: _offset_at(x, tz))


def to_wall(seconds: IntArray, tz: tzinfo) -> IntArray:
    """UTC instants as local wall-clock seconds (the same calendar arithmetic applies)."""
    s = np.asarray(seconds, dtype=np.int64)
    return s + utc_offsets(s, tz)


def _wall_offset(wall: int, tz: tzinfo, fold: int) -> int:
    w = min(max(int(wall), _MIN), _MAX)
    local = (_NAIVE_EPOCH + timedelta(seconds=w)).replace(tzinfo=tz, fold=fold)
    offset = local.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


@functools.lru_cache(maxsize=1 << 14)
def _wall_day_offsets(day: int, tz: tzinfo, fold: int) -> tuple[int, int]:
    return _wall_offset(day * DAY, tz, fold), _wall_offset(day * DAY + DAY - 1, tz, fold)


def from_wall(wall: IntArray, tz: tzinfo, fold: int = 0) -> IntArray:
    """Local wall-clock seconds back to UTC instants. A wall time that occurs twice (the
    hour clocks go back) is its first occurrence with fold=0, its second with fold=1;
    one that never occurs (clocks go forward) maps past the gap with fold=0, before it
    with fold=1, so a midnight that does not exist becomes the day's first instant."""
    w = np.asarray(wall, dtype=np.int64)
    if tz is UTC:
        return w.copy()
    return w - _by_day(
        w, lambda d: _wall_day_offsets(d, tz, fold), lambda x: _wall_offset(x, tz, fold)
    )


def on_local_days(
    lo: IntArray,
    hi: IntArray,
    core_lo: IntArray,
    core_hi: IntArray,
    start_precision: npt.NDArray[np.integer[Any]],
    end_precision: npt.NDArray[np.integer[Any]],
    tz: tzinfo,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Where marks are drawn on an axis in `tz`: an end known only to the day or
    coarser (stored as the UTC midnight of its calendar date) moves to the zone's
    midnight of the same date, so "24 June" sits between the local ticks of 24 and
    25 June in every zone, as the text shows it; ends known to the hour or finer are
    instants and stay. An event without an end (-1) floats as its start does."""
    if tz is UTC:
        return lo, hi, core_lo, core_hi
    start = np.asarray(start_precision) <= Precision.DAY
    end_p = np.asarray(end_precision)
    end = np.where(end_p < 0, start, end_p <= Precision.DAY)

    def moved(values: IntArray, floating_: npt.NDArray[np.bool_]) -> IntArray:
        v = np.asarray(values, dtype=np.int64)
        if not floating_.any():
            return v
        return np.where(floating_, from_wall(v, tz), v)

    return moved(lo, start), moved(hi, end), moved(core_lo, start), moved(core_hi, end)


# --- text ---------------------------------------------------------------------------


def offset_text(offset: int) -> str:
    """ "UTC", "UTC+05:30", "UTC−04:00" (a true minus sign, as typeset)."""
    if offset == 0:
        return "UTC"
    sign = "+" if offset > 0 else "−"
    hours, rest = divmod(abs(int(offset)), HOUR)
    minutes, seconds = divmod(rest, MINUTE)
    text = f"UTC{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def whole_minutes(offset: int) -> int:
    """An offset ISO 8601 can write: local mean times before 1900 have seconds
    (Kathmandu was +05:41:16), and ISO offsets stop at the minute."""
    return (1 if offset >= 0 else -1) * (abs(int(offset)) // MINUTE * MINUTE)


def iso_offset(offset: int) -> str:
    """An ISO 8601 offset: "Z", "+05:30", "-04:00" (whole minutes, as ISO allows)."""
    offset = whole_minutes(offset)
    if offset == 0:
        return "Z"
    sign = "+" if offset > 0 else "-"
    hours, rest = divmod(abs(offset), HOUR)
    return f"{sign}{hours:02d}:{rest // MINUTE:02d}"


def _abbreviation(seconds: int, tz: tzinfo) -> str:
    """ "EDT", "CET"; empty where the zone has only a number for it ("+14", "-11")."""
    s = min(max(int(seconds), _MIN), _MAX)
    name = (_EPOCH + timedelta(seconds=s)).astimezone(tz).tzname() or ""
    return "" if not name or name[0] in "+-" or name == "UTC" else name


def floating(precision: Precision) -> bool:
    """Known only to the day or coarser: the same calendar date in every zone."""
    return precision <= Precision.DAY


def human_in(seconds: int, precision: Precision, zone: DisplayZone) -> str:
    """`format_human` in the zone, with its offset: "24 June 2026, 06:30 EDT (UTC−04:00)".
    Floating dates are written as they are ("24 June 2026")."""
    if floating(precision) or zone.is_utc:
        return format_human(seconds, precision)
    offset = _offset_at(seconds, zone.tz)
    wall = int(seconds) + offset
    # An hour in a zone whose offset has minutes ("10:00 UTC" is 15:30 in India) is
    # written to the minute, or it would name the wrong instant.
    if precision == Precision.HOUR and offset % HOUR:
        precision = Precision.MINUTE
    text = format_human(wall, precision).removesuffix(" UTC")
    abbreviation = _abbreviation(seconds, zone.tz)
    zone_text = f"{abbreviation} ({offset_text(offset)})" if abbreviation else offset_text(offset)
    return f"{text} {zone_text}"


def iso_in(seconds: int, precision: Precision, zone: DisplayZone) -> str:
    """ISO 8601 in the zone with its offset ("2026-06-24T06:30-04:00"), which parse_date
    reads back to the same UTC instant; floating dates as they are."""
    if floating(precision):
        return format_iso(seconds, precision)
    offset = 0 if zone.is_utc else whole_minutes(_offset_at(seconds, zone.tz))
    if precision == Precision.HOUR and offset % HOUR:
        precision = Precision.MINUTE
    return format_iso(int(seconds) + offset, precision) + iso_offset(offset)


def short_in(seconds: int, precision: Precision, zone: DisplayZone) -> str:
    """The table's compact form: "2026-06-24 06:30 −04:00"; floating dates as they are."""
    if floating(precision) or zone.is_utc:
        return format_iso(seconds, precision).replace("T", " ")
    offset = _offset_at(seconds, zone.tz)
    if precision == Precision.HOUR and offset % HOUR:
        precision = Precision.MINUTE
    text = format_iso(int(seconds) + offset, precision).replace("T", " ")
    return f"{text} {offset_text(offset).removeprefix('UTC')}"
