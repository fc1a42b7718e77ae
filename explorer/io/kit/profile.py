"""Column profiles and the choice of the time column: evidence first, names second.

Every column of a sample is profiled (how many cells read as dates and in which
shapes, distinct values, range, whether they are all equal or all zero, how many are
booleans, hex, numbers). The time column is chosen among the columns whose cells are
mostly dates, by what their names say:

- generic time names (date, datetime, timestamp, start...) rank first, then event
  times (LastRun, LastModified, LastWriteTime...), then any name with a time word;
- copy and collection times rank last: Zimmerman tools' `Source*` columns are when
  the examiner copied the file, not when anything happened;
- whole numbers are years only when the name says year and they are plausible years
  (-9999..2200); otherwise they are counts (a day count, a row number), never dates;
  numbers from 1e8 up are epochs (kit.epochs) and count when they land in 1980-2050;
- a column whose values are all zero is never the time, and one whose values are all
  equal only when no other column could be.

The result carries how sure it is and the alternatives, so that the command line and
the mapping dialog can show the work rather than a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.kit import datescan as ds
from explorer.io.kit.epochs import UNIT_NAMES, in_window
from explorer.model.dates import Precision, format_iso

GENERIC_TIME_NAMES: Final = (
    "date",
    "datetime",
    "date_time",
    "timestamp",
    "time_stamp",
    "start_date",
    "startdate",
    "start",
    "start_time",
    "starttime",
    "begin",
    "begin_date",
    "from_date",
    "when",
    "time",
    "occurred",
    "occurred_at",
    "event_time",
    "event_date",
    "created",
    "created_at",
    "year",
)
_JOINED_WORDS: Final = ("start", "time", "stamp")
_GENERIC_WORDS: Final = frozenset({"date", "time", "datetime", "timestamp"})
_CONNECTORS: Final = frozenset({"and", "of", "the", "event", "utc", "gmt", "z", "local"})
_EVENT_WORDS: Final = frozenset(
    {"run", "modified", "write", "written", "accessed", "executed", "used", "logon", "login"}
)
_TIME_WORDS: Final = frozenset(
    {
        "date",
        "datetime",
        "time",
        "timestamp",
        "when",
        "start",
        "begin",
        "occurred",
        "created",
        "creation",
        "modified",
        "accessed",
        "changed",
        "run",
        "written",
        "logged",
        "generated",
        "received",
        "sent",
        "published",
        "released",
        "release",
        "born",
        "died",
        "year",
        "day",
        "dt",
        "ts",
    }
)
_COPY_WORDS: Final = frozenset(
    {
        "collected",
        "collection",
        "copied",
        "copy",
        "acquired",
        "acquisition",
        "ingested",
        "ingest",
        "imported",
        "import",
        "parsed",
        "extracted",
        "exported",
        "processed",
        "indexed",
        "uploaded",
        "scanned",
        "loaded",
    }
)
_SOURCE_TIMES: Final = frozenset({"created", "modified", "accessed", "changed"})
_END_WORDS: Final = frozenset({"end", "ends", "until", "finish", "finished", "stop", "to"})
_ID_WORDS: Final = frozenset(
    {"id", "uuid", "guid", "hash", "md5", "sha1", "sha256", "key", "number", "no", "count"}
)
_BOOLEANS: Final = ("true", "false", "yes", "no", "y", "n", "t", "f")
_HEX: Final = r"(?i)^(?:0x)?[0-9a-f]{8,}$"
_UUID: Final = r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
PLAUSIBLE_YEARS: Final = (-9999, 2200)


def tokens(name: str) -> list[str]:
    """A header's words: camelCase and separators split, lower-cased ("LastRun" -> last, run)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", str(name))
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def is_end_name(name: str) -> bool:
    return bool(set(tokens(name)) & _END_WORDS)


def is_copy_time(name: str) -> bool:
    """A copy or collection time: Source{Created,Modified,Accessed}, CollectionTime..."""
    words = tokens(name)
    if words and words[0] == "source" and set(words[1:]) & _SOURCE_TIMES:
        return True
    return bool(set(words) & _COPY_WORDS) and bool(set(words) & _TIME_WORDS)


def name_score(name: str) -> int:
    """3: a generic time name; 2: an event time; 1: some time word; 0: none; -1: a copy."""
    if is_copy_time(name):
        return -1
    words = set(tokens(name))
    # A word run together with a time word ("termstart", "eventtime", "timestamp" kin).
    words |= {w for t in words for w in _JOINED_WORDS if t.endswith(w) and len(t) > len(w) + 2}
    if norm(name) in GENERIC_TIME_NAMES or "_".join(tokens(name)) in GENERIC_TIME_NAMES:
        return 3
    if words & _GENERIC_WORDS and words <= _GENERIC_WORDS | _CONNECTORS:
        return 3  # "Date and Time", "Date/Time (UTC)", "Event Date Time"
    if "last" in words and words & _EVENT_WORDS:
        return 2
    if words & _TIME_WORDS:
        return 1
    return 0


def says_year(name: str) -> bool:
    return bool(set(tokens(name)) & {"year", "yr", "years"})


def years_allowed(name: str, integers: pa.Array) -> bool:
    """Whole numbers are years when the name says year and they are plausible years
    (up to 2200; negative ones may be deep time), or when the name is a plain date name
    ("date", "when", "start"; or an end: "end", "until") and every one is written as a
    year is (four digits, or a sign: "0005", "-13800000000"). A day count is neither."""
    if not len(integers):
        return True
    years = np.asarray(pc.cast(integers, pa.float64(), safe=False).to_numpy(), dtype=np.float64)
    lo, hi = PLAUSIBLE_YEARS
    if says_year(name):
        return bool(np.all((years <= hi) & ((years >= lo) | (years < 0))))
    written = ds._np_bool(pc.match_substring_regex(integers, r"^(?:[+-]\d+|\d{4})$"))
    plain = name_score(name) == 3 or (is_end_name(name) and name_score(name) >= 0)
    return plain and bool(written.all())


@dataclass(frozen=True)
class Profile:
    """What a column's sampled cells are."""

    column: str
    cells: int  # non-blank cells sampled
    distinct: int
    all_equal: bool
    all_zero: bool
    dates: float  # share of cells that read as dates (years only where allowed)
    shapes: dict[str, int]
    epoch: str  # the epoch's name when the column holds epoch numbers, else ""
    numbers: float
    integers: float
    booleans: float
    hex: float
    first: str  # the earliest and latest date read, as written by format_iso ("" if none)
    last: str
    example: str
    urls: float = 0.0  # share of cells that are web or file addresses

    @property
    def text_like(self) -> bool:
        """Free text fit for a title: not numbers, flags, hex, ids or dates."""
        return (
            self.cells > 0
            and self.numbers < 0.5
            and self.booleans < 0.5
            and self.hex < 0.5
            and self.dates < 0.5
            and self.urls < 0.5
            and not (set(tokens(self.column)) & _ID_WORDS)
        )

    def why_not_time(self) -> str:
        """Why this column cannot be the time ("" when it can)."""
        if self.cells == 0:
            return "" if name_score(self.column) == 3 else "empty in the sample"
        if self.all_zero:
            return f'every value is "{self.example}"'
        if self.integers >= 0.5 and not self.epoch and self.dates < 0.5:
            if says_year(self.column) or name_score(self.column) == 3:
                return "whole numbers, but not plausible years"
            return "whole numbers (a count, not years: its name does not say year)"
        if self.dates < 0.5:
            return f"{round(self.dates * 100)}% of its cells read as dates"
        return ""


def profile(column: str, values: pa.Array) -> Profile:
    text = pc.utf8_trim_whitespace(ds._arrow(values))
    blank = ds._np_bool(pc.equal(text, "")) | ds._is_na(text)
    cells = text.filter(pa.array(~blank))
    n = len(cells)
    if not n:
        return Profile(column, 0, 0, False, False, 0.0, {}, "", 0, 0, 0, 0, "", "", "")

    def share(pattern: str) -> float:
        return float(ds._np_bool(pc.match_substring_regex(cells, pattern)).mean())

    distinct = len(pc.unique(cells))
    numbers = share(ds._NUMBER)
    integers = share(ds._INTEGER)
    as_numbers = np.asarray(
        pc.cast(cells, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        if numbers == 1.0
        else np.full(n, np.nan),
        dtype=np.float64,
    )
    all_zero = numbers == 1.0 and bool(np.all(as_numbers == 0))
    lowered = pc.utf8_lower(cells)
    booleans = float(ds._np_bool(pc.is_in(lowered, value_set=pa.array(_BOOLEANS))).mean())
    hexes = float(
        (
            ds._np_bool(pc.match_substring_regex(cells, _HEX))
            & ds._np_bool(pc.match_substring_regex(cells, r"(?i)[a-f]"))
            | ds._np_bool(pc.match_substring_regex(cells, _UUID))
        ).mean()
    )
    scan = ds._scan(cells)
    order = ds._decide_order([(column, scan)], None)
    seconds, precision, kind = ds._finish(scan, order.order if order else None)
    shaped = scan.kind == ds._OK  # shaped like dates (an impossible day still counts)
    good = kind == ds._OK
    bare = ds._np_bool(pc.match_substring_regex(cells, r"^(?:[+-]?\d{1,4}|-\d+)$"))
    bare &= not scan.epoch
    if bare.any() and not scan.epoch and not years_allowed(column, cells.filter(pa.array(bare))):
        shaped &= ~bare
        good &= ~bare
    if scan.epoch:
        shaped &= in_window(seconds)
        good &= in_window(seconds)
    first = last = ""
    if good.any():
        lo, hi = (
            int(np.argmin(np.where(good, seconds, np.iinfo(np.int64).max))),
            int(np.argmax(np.where(good, seconds, np.iinfo(np.int64).min))),
        )
        first = format_iso(int(seconds[lo]), Precision(int(precision[lo])))
        last = format_iso(int(seconds[hi]), Precision(int(precision[hi])))
    return Profile(
        urls=share(r"(?i)^(?:https?|ftp|file)://"),
        column=column,
        cells=n,
        distinct=distinct,
        all_equal=distinct == 1,
        all_zero=all_zero,
        dates=float(shaped.mean()),
        shapes=dict(scan.shapes),
        epoch=UNIT_NAMES[scan.unit] if scan.epoch and scan.unit else "",
        numbers=numbers,
        integers=integers,
        booleans=booleans,
        hex=hexes,
        first=first,
        last=last,
        example=str(cells[0].as_py()),
    )


@dataclass(frozen=True)
class Choice:
    """A column chosen for a role, how sure, why, and what else could have been."""

    role: str
    column: str
    confidence: str  # "sure", "likely", "a guess"
    evidence: str
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (column, why)

    def describe(self) -> str:
        text = f'{self.role} "{self.column}" ({self.confidence}: {self.evidence})'
        if self.alternatives:
            others = ", ".join(f'"{c}" ({why})' for c, why in self.alternatives[:4])
            text += f"; alternatives: {others}"
        return text


def _evidence(p: Profile) -> str:
    parts = [f"{round(p.dates * 100)}% of {p.cells} sampled cells are dates"]
    if p.epoch:
        parts.append(p.epoch)
    elif p.shapes:
        parts.append(", ".join(sorted(p.shapes, key=lambda s: -p.shapes[s])[:2]))
    if p.first:
        parts.append(f"{p.first} .. {p.last}")
    score = name_score(p.column)
    parts.append(
        {
            3: "named as a date",
            2: "named as an event time",
            1: "its name has a time word",
            0: "chosen by its contents, not its name",
            -1: "a copy/collection time",
        }[score]
    )
    return "; ".join(parts)


def _years_only(p: Profile) -> bool:
    """Whole numbers read as years (no month or day in any cell)."""
    return p.integers >= 0.9 and not p.epoch


def _year(iso: str) -> str:
    return iso[: iso.index("-", 1)] if "-" in iso[1:] else iso


def _same_years(years: Profile, other: Profile) -> bool:
    return bool(years.first) and (_year(years.first), _year(years.last)) == (
        _year(other.first),
        _year(other.last),
    )


def choose_time(
    profiles: Sequence[Profile], role: str = "date", taken: frozenset[str] = frozenset()
) -> Choice | None:
    """The time column (see the module docstring); end-named columns are for `end`."""
    candidates = []
    for index, p in enumerate(profiles):
        if p.column in taken or (role == "date") == is_end_name(p.column):
            continue
        if role == "end" and name_score(p.column) < 1 and not is_end_name(p.column):
            continue
        empty_end = role == "end" and p.cells == 0  # an end column often is, at the top
        if p.why_not_time() and not empty_end:
            continue
        score = name_score(p.column)
        if score <= 0 and p.dates < 0.8 and role == "date":
            continue
        varied = not (p.all_equal and p.cells > 1)  # one value for all: last resort
        candidates.append(((varied, True, score, p.dates >= 0.9, p.dates, -index), p))
    if not candidates:
        return None
    # A column of bare years yields to a finer date column over the same years (YEAR
    # 1999 beside Show 1/11/99): the same dates, told to the day.
    finer = [p for _, p in candidates if not _years_only(p) and p.dates >= 0.9]
    candidates = [
        ((key[0], not (_years_only(p) and any(_same_years(p, f) for f in finer)), *key[2:]), p)
        for key, p in candidates
    ]
    candidates.sort(key=lambda item: item[0], reverse=True)
    (_, _, score, _, _, _), best = candidates[0]
    rivals = [p for key, p in candidates[1:] if key[1] == score]
    if best.dates >= 0.95 and score >= 1 and not rivals:
        confidence = "sure"
    elif best.dates >= 0.8 or score >= 1:
        confidence = "likely"
    else:
        confidence = "a guess"
    alternatives = [
        (
            p.column,
            f"{round(p.dates * 100)}% dates"
            + ("; a copy time" if is_copy_time(p.column) else "")
            + ("; years only" if _years_only(p) else ""),
        )
        for _, p in candidates[1:]
    ]
    return Choice(role, best.column, confidence, _evidence(best), alternatives)


def rejected(profiles: Sequence[Profile]) -> list[tuple[str, str]]:
    """Time-named columns that were not taken, and why."""
    return [
        (p.column, p.why_not_time())
        for p in profiles
        if name_score(p.column) >= 1 and p.why_not_time()
    ]


def header_looks_like_data(columns: Sequence[str]) -> str | None:
    """Why the first line is data rather than a header (None: it looks like a header)."""
    names = [str(c) for c in columns if not str(c).startswith("Unnamed: ")]
    if not names:
        return None
    scan = ds._scan(pa.array(names, pa.large_string()))
    kind = ds._finish(scan, None)[2]
    for i, name in enumerate(names):
        bare_year = re.fullmatch(r"[+-]?\d{1,4}", name.strip()) is not None
        if kind[i] == ds._OK and not bare_year:
            return f'its first line holds "{name}", a date, where a header names its columns'
    numeric = [n for n in names if re.fullmatch(r"[+-]?\d+(?:\.\d+)?", n.strip())]
    if len(numeric) * 2 > len(names):
        return f'its first line holds numbers ("{numeric[0]}"), where a header names its columns'
    return None
