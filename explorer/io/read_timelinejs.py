"""TimelineJS stories: the JSON formats (TimelineJS 3, its slides wrapper, legacy
TimelineJS 2) and the Google-Sheets CSV template, registered as "timelinejs" and
"timelinejs-csv".

How a story becomes a document:

- ``text.headline`` -> event title, ``text.text`` -> summary, both kept as the HTML
  the file holds (the display strips it, see :func:`plain_text`).
- ``start_date``/``end_date`` objects -> start/end with the precision of the finest
  field given (``{"year": "-13800000000"}`` is a year, ``{"year": "1609",
  "month": "11"}`` a month); empty strings count as not given.
- ``group`` -> actor of kind "group" (one lane per group); an empty group -> no actor.
- ``tags`` (TimelineJS 2, and what our writer adds) -> themes.
- ``unique_id`` -> event id (others get "e1", "e2", ...).
- eras (and sheet rows of type "era") -> the document's periods (label from the
  headline, description from the text, colour from a ``background`` colour), not events.
- everything else about a slide (media, background, display_date, location, type,
  autolink, ...) is kept verbatim in ``attributes["timelinejs"]`` so that
  :mod:`explorer.io.write_timelinejs` can write it back; extra keys of a date object
  (display_date, format, millisecond) go to ``attributes["timelinejs"]["start_date"]``
  (or ``"end_date"``).
- the title slide's headline, as plain text, is the document title; its text the
  document description.

A slide without a usable start date is set aside (a SkippedRow naming it and why);
an end date that cannot be read, or that lies before the start, is dropped with a
note and the event kept. A file where nothing at all can be read raises ReadError.

The shared parts (JSON loading, text cleaning, the event column accumulator, the
set-aside collector) are in :mod:`explorer.io.kit`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.io.errors import ReadError
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.eras import eras_to_periods
from explorer.io.kit.jsontext import (
    clean_json,
    clean_text,
    load_json,
    one_line,
    sniff_text,
    text_of,
)
from explorer.io.kit.rows import WHOLE_NUMBER, EventRows, Skip, result, whole_number
from explorer.io.kit.setaside import SetAside
from explorer.io.result import ImportResult
from explorer.io.text import read_text
from explorer.io.timeparse import year_month_day
from explorer.io.writers import WRITERS
from explorer.model.dates import (
    HOUR,
    MINUTE,
    DateError,
    Precision,
    parse_date,
    to_seconds,
)
from explorer.model.document import NO_END

FORMAT_JSON: Final = "timelinejs"
FORMAT_CSV: Final = "timelinejs-csv"
ATTR: Final = "timelinejs"  # the attributes key holding what only TimelineJS uses

# --- shared helpers -------------------------------------------------------------------

# --- TimelineJS dates ------------------------------------------------------------------

_DATE_FIELDS: Final = ("year", "month", "day", "hour", "minute", "second")


def tjs_date(value: Any, name: str) -> tuple[int, int, dict[str, Any]]:
    """A TimelineJS 3 date object to (seconds, precision, extra keys to keep)."""
    if isinstance(value, str):  # not TimelineJS, but an ISO string is plain enough
        try:
            parsed = parse_date(value.strip().replace(" ", "T", 1))
        except DateError as exc:
            raise Skip(str(exc), name) from None
        return parsed.seconds, int(parsed.precision), {}
    if isinstance(value, int) and not isinstance(value, bool):
        value = {"year": value}
    if not isinstance(value, dict):
        raise Skip(f"must be a date object, not {type(value).__name__}", name)
    numbers: list[int] = []
    for part in _DATE_FIELDS:
        number = whole_number(value.get(part), f"{name}.{part}")
        if number is None:
            break
        numbers.append(number)
    if not numbers:
        raise Skip("has no year", name)
    for later in _DATE_FIELDS[len(numbers) + 1 :]:
        if whole_number(value.get(later), f"{name}.{later}") is not None:
            missing = _DATE_FIELDS[len(numbers)]
            raise Skip(f"gives {later} but not {missing}", name)
    try:
        seconds = to_seconds(*numbers)
    except DateError as exc:
        raise Skip(str(exc), name) from None
    extra = {
        clean_text(str(k)): clean_json(v)
        for k, v in value.items()
        if k not in _DATE_FIELDS and v not in ("", None)
    }
    return seconds, len(numbers) - 1, extra


_COMPACT: Final = {6: 1, 8: 2, 10: 3, 12: 4, 14: 5}  # digits -> precision (YYYYMM...)


def tjs2_date(value: Any, name: str) -> tuple[int, int]:
    """A TimelineJS 2 date: "2011,3,23", "1985", "196002152034", "3/23/2011", ISO."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Skip(f"must be a date string, not {type(value).__name__}", name)
    text = value.strip()
    if not text:
        raise Skip("is empty", name)
    numbers: list[int | None]
    if "," in text:
        parts = [p.strip() for p in text.split(",")]
        while parts and not parts[-1]:
            parts.pop()
        if len(parts) > 6:
            raise Skip(f"{clean_text(text)!r} has more than 6 parts", name)
        numbers = [whole_number(p, name) for p in parts]
    elif "/" in text:  # month/day/year, as TimelineJS 2 read it
        parts = [p.strip() for p in text.split("/")]
        if len(parts) != 3:
            raise Skip(f"{clean_text(text)!r} is not month/day/year", name)
        month, day, year = (whole_number(p, name) for p in parts)
        numbers = [year, month, day]
    elif WHOLE_NUMBER.fullmatch(text):
        digits = text.lstrip("+-")
        if text.startswith("-") or len(digits) <= 5:
            numbers = [int(text)]
        elif len(digits) in _COMPACT:
            numbers = [int(digits[i : i + 2]) for i in range(4, len(digits), 2)]
            numbers.insert(0, int(digits[:4]))
        else:
            raise Skip(f"{text!r} is not a date", name)
    else:
        try:
            parsed = parse_date(text.replace(" ", "T", 1))
        except DateError as exc:
            raise Skip(str(exc), name) from None
        return parsed.seconds, int(parsed.precision)
    if any(n is None for n in numbers) or not numbers:
        raise Skip(f"{clean_text(text)!r} has an empty part", name)
    given = [n for n in numbers if n is not None]
    try:
        return to_seconds(*given), len(given) - 1
    except DateError as exc:
        raise Skip(str(exc), name) from None


# --- TimelineJS JSON -------------------------------------------------------------------

_MAPPED_TJS3: Final = frozenset({"start_date", "end_date", "text", "group", "unique_id", "tags"})
_MAPPED_TJS2: Final = frozenset(
    {"startDate", "endDate", "headline", "text", "tag", "tags", "asset", "unique_id", "group"}
)


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t for t in (clean_text(p).strip() for p in value.split(",")) if t]
    if isinstance(value, list):
        return [t for t in (text_of(v).strip() for v in value) if t]
    return []


class _JsonReader:
    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.rows = EventRows()
        self.skips = SetAside()
        self.notes: list[str] = []
        self.title = ""
        self.description = ""
        self.bad_ends: list[str] = []
        self.millis = 0
        self.ids: set[str] = set()

    def fail(self, reason: str, where: str | None = None, field: str | None = None) -> ReadError:
        return ReadError(self.path, reason, where=where, field=field)

    # -- structure

    def read(self, data: Any) -> ImportResult:
        if isinstance(data, dict) and isinstance(data.get("timeline"), dict):
            inner = data["timeline"]
            if isinstance(inner.get("date"), list) or "startDate" in inner:
                self.read_tjs2(inner)
            else:
                self.read_tjs3(inner, "timeline.")
        elif isinstance(data, dict) and any(k in data for k in ("events", "slides", "eras")):
            self.read_tjs3(data, "")
        else:
            raise self.fail(
                'not a TimelineJS story: expected an "events" list (TimelineJS 3), '
                '"timeline": {"slides": [...]} or "timeline": {"date": [...]} (TimelineJS 2)'
            )
        if not len(self.rows):
            raise self.skips.nothing_read(self.path, "events with a usable start date")
        if self.bad_ends:
            listed = "; ".join(self.bad_ends[:5])
            more = f" and {len(self.bad_ends) - 5} more" if len(self.bad_ends) > 5 else ""
            self.notes.append(
                f"{len(self.bad_ends)} end date(s) could not be read and were dropped "
                f"(read as point events): {listed}{more}"
            )
        if self.millis:
            self.notes.append(
                f"{self.millis} date(s) had milliseconds; shown to the second "
                "(the milliseconds are kept for saving back to TimelineJS)"
            )
        doc = self.rows.build(
            self.path,
            self.notes,
            title=self.title or self.path.stem,
            description=self.description,
            actor_kind="group",
        )
        doc = eras_to_periods(doc, ATTR)
        self.options.report(1.0)
        return result(doc, self.path, FORMAT_JSON, self.skips, self.notes)

    def records(self, container: Mapping[str, Any], key: str, prefix: str) -> list[Any]:
        value = container.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail("must be a list", prefix.rstrip(".") or None, key)
        return value

    def take_title(self, slide: Any) -> None:
        if not isinstance(slide, dict):
            return
        text = slide.get("text")
        if isinstance(text, dict):
            self.title = one_line(text_of(text.get("headline")))
            self.description = text_of(text.get("text"))
        elif isinstance(text, str):
            self.title = one_line(clean_text(text))

    def read_tjs3(self, data: Mapping[str, Any], prefix: str) -> None:
        if isinstance(data.get("title"), dict):
            self.take_title(data["title"])
        events = self.records(data, "events", prefix)
        slides = self.records(data, "slides", prefix)
        eras = self.records(data, "eras", prefix)
        total = max(len(events) + len(slides) + len(eras), 1)
        done = 0
        for key, items, is_slides in (("events", events, False), ("slides", slides, True)):
            for i, item in enumerate(items):
                where = f"{prefix}{key}[{i}]"
                if (
                    is_slides
                    and isinstance(item, dict)
                    and not self.title
                    and (item.get("type") == "title" or "start_date" not in item)
                ):
                    self.take_title(item)
                    continue
                self.one(self.tjs3_event, item, where, era=False)
                done += 1
                if done % 256 == 0:
                    self.options.report(done / total)
        for i, item in enumerate(eras):
            where = f"{prefix}eras[{i}]"
            self.one(self.tjs3_event, item, where, era=True)

    def read_tjs2(self, data: Mapping[str, Any]) -> None:
        self.title = one_line(text_of(data.get("headline")))
        self.description = text_of(data.get("text"))
        for key, era in (("date", False), ("era", True)):
            for i, item in enumerate(self.records(data, key, "timeline.")):
                where = f"timeline.{key}[{i}]"
                self.one(self.tjs2_event, item, where, era=era)

    def one(self, read: Callable[..., None], item: Any, where: str, *, era: bool) -> None:
        try:
            read(item, where, era=era)
        except Skip as skip:
            self.skips.add(where, skip.field, skip.reason)

    def ident(self, value: Any, era: bool) -> str:
        ident = text_of(value).strip()
        if not ident:
            prefix = "era-" if era else "e"
            number = len(self.rows) + 1
            ident = f"{prefix}{number}"
            while ident in self.ids:
                number += 1
                ident = f"{prefix}{number}"
        self.ids.add(ident)
        return ident

    def end_of(self, value: Any, name: str, where: str, read: Callable[..., Any]) -> Any:
        if value is None or value == "" or value == {}:
            return None
        try:
            return read(value, name)
        except Skip as skip:
            self.bad_ends.append(f"{where}: {skip.reason}")
            return None

    # -- records

    def tjs3_event(self, item: Any, where: str, *, era: bool) -> None:
        if not isinstance(item, dict):
            raise Skip(f"must be an object, not {type(item).__name__}")
        if "start_date" not in item:
            raise Skip("has no start date", "start_date")
        seconds, precision, start_extra = tjs_date(item["start_date"], "start_date")
        end_read = self.end_of(item.get("end_date"), "end_date", where, tjs_date)
        end = (end_read[0], end_read[1]) if end_read else None
        end_extra = end_read[2] if end_read else {}
        text = item.get("text")
        if isinstance(text, dict):
            headline, summary = text_of(text.get("headline")), text_of(text.get("text"))
        else:
            headline, summary = text_of(text), ""
        kept = {clean_text(str(k)): clean_json(v) for k, v in item.items() if k not in _MAPPED_TJS3}
        for key, extra in (("start_date", start_extra), ("end_date", end_extra)):
            if extra:
                kept[key] = extra
                if extra.get("millisecond") not in (None, "", 0, "0"):
                    self.millis += 1
        if era:
            kept["era"] = True
        group = text_of(item.get("group")).strip()
        self.rows.add(
            ident=self.ident(item.get("unique_id"), era),
            title=headline,
            summary=summary,
            start=(seconds, precision),
            end=end,
            where=where,
            actors=group if group and not era else None,
            tags=_tags(item.get("tags")),
            attributes={ATTR: kept} if kept else None,
        )

    def tjs2_event(self, item: Any, where: str, *, era: bool) -> None:
        if not isinstance(item, dict):
            raise Skip(f"must be an object, not {type(item).__name__}")
        if item.get("startDate") in (None, ""):
            raise Skip("has no start date", "startDate")
        start = tjs2_date(item["startDate"], "startDate")
        end = self.end_of(item.get("endDate"), "endDate", where, tjs2_date)
        kept = {
            clean_text(str(k)): clean_json(v)
            for k, v in item.items()
            if k not in _MAPPED_TJS2 and v not in ("", None)
        }
        asset = item.get("asset")
        if isinstance(asset, dict):  # TimelineJS 3 calls it media, with "url" for "media"
            media = {
                new: clean_json(asset[old])
                for old, new in (
                    ("media", "url"),
                    ("credit", "credit"),
                    ("caption", "caption"),
                    ("thumbnail", "thumbnail"),
                )
                if asset.get(old) not in (None, "")
            }
            if media:
                kept["media"] = media
        if era:
            kept["era"] = True
        tags = _tags(item.get("tag")) + _tags(item.get("tags"))
        group = text_of(item.get("group")).strip()
        self.rows.add(
            ident=self.ident(item.get("unique_id"), era),
            title=text_of(item.get("headline")),
            summary=text_of(item.get("text")),
            start=start,
            end=end,
            where=where,
            actors=group if group and not era else None,
            tags=list(dict.fromkeys(tags)),
            attributes={ATTR: kept} if kept else None,
        )


def _read_json(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    data = load_json(path)
    try:
        return _JsonReader(path, options).read(data)
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None


def _sniff_json(head: bytes, path: Path) -> int:
    text = sniff_text(head)
    if '"start_date"' in text and any(k in text for k in ('"events"', '"slides"', '"eras"')):
        return 2
    if '"timeline"' in text and '"startDate"' in text:
        return 2
    return 0


# --- TimelineJS Google-Sheets CSV --------------------------------------------------------

_CSV_COLUMNS: Final = (
    "year",
    "month",
    "day",
    "time",
    "end year",
    "end month",
    "end day",
    "end time",
    "display date",
    "headline",
    "text",
    "media",
    "media credit",
    "media caption",
    "media thumbnail",
    "type",
    "group",
    "background",
    "unique id",
)
_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s*[Mm]\.?)?\s*$"
)


def _header_key(name: str) -> str:
    return " ".join(name.strip().lstrip("\ufeff").lower().replace("_", " ").split())


def _sniff_csv(head: bytes, path: Path) -> int:
    text = sniff_text(head)
    first = text.split("\n", 1)[0]
    try:
        names = {_header_key(n) for n in next(csv.reader([first]))}
    except (csv.Error, StopIteration):
        return 0
    if {"year", "headline"} <= names and len(names & set(_CSV_COLUMNS)) >= 5:
        return 2
    return 0


@dataclass
class _Clock:
    seconds: npt.NDArray[np.int64]
    precision: npt.NDArray[np.int8]  # Precision of the time; -1 where there is none
    errors: dict[int, str]


def _times(values: pd.Series) -> _Clock:
    """ "11:30", "10:30 PM", "9 pm", "23:05:10" to seconds into the day (vectorised)."""
    n = len(values)
    seconds = np.zeros(n, dtype=np.int64)
    precision = np.full(n, -1, dtype=np.int8)
    text = values.astype("str").str.strip()
    given = (text != "").to_numpy(dtype=bool)
    if not given.any():
        return _Clock(seconds, precision, {})
    rows = np.flatnonzero(given)
    parts = text[given].str.extract(_TIME)
    hour = pd.to_numeric(parts["h"], errors="coerce").to_numpy(dtype=np.float64)
    minute = pd.to_numeric(parts["m"], errors="coerce").to_numpy(dtype=np.float64)
    second = pd.to_numeric(parts["s"], errors="coerce").to_numpy(dtype=np.float64)
    ampm = parts["ampm"].fillna("").astype("str").str.lower().str[:1].to_numpy(dtype=object)
    matched = np.isfinite(hour)
    is_pm = ampm == "p"
    is_am = ampm == "a"
    twelve = is_pm | is_am
    bad_hour = matched & np.where(twelve, (hour < 1) | (hour > 12), hour > 23)
    h24 = np.where(is_pm & (hour < 12), hour + 12, np.where(is_am & (hour == 12), 0, hour))
    bad = matched & (bad_hour | (np.nan_to_num(minute) > 59) | (np.nan_to_num(second) > 59))
    ok = matched & ~bad
    clock = (
        np.nan_to_num(h24) * HOUR + np.nan_to_num(minute) * MINUTE + np.nan_to_num(second)
    ).astype(np.int64)
    finest = np.where(
        np.isfinite(second),
        Precision.SECOND,
        np.where(np.isfinite(minute), Precision.MINUTE, Precision.HOUR),
    ).astype(np.int8)
    seconds[rows[ok]] = clock[ok]
    precision[rows[ok]] = finest[ok]
    errors = {int(r): f"{text.iloc[int(r)]!r} is not a time" for r in rows[~ok]}
    return _Clock(seconds, precision, errors)


def _whole_cells(values: pd.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(given, malformed) for a column that must hold whole numbers."""
    text = values.astype("str").str.strip()
    given = (text != "").to_numpy(dtype=bool)
    whole = text.str.fullmatch(r"[+-]?[0-9]{1,12}").fillna(False).to_numpy(dtype=bool)
    return given, given & ~whole


@dataclass
class _Dates:
    seconds: npt.NDArray[np.int64]
    precision: npt.NDArray[np.int8]
    given: npt.NDArray[np.bool_]
    errors: dict[int, tuple[str, str]]  # row -> (column, reason)


def _csv_dates(cols: dict[str, pd.Series], prefix: str, label: str) -> _Dates:
    """Year/Month/Day/Time columns (or End ...) to seconds and precision."""
    names = [f"{prefix}{c}" for c in ("year", "month", "day")]
    n = len(cols["year"])
    errors: dict[int, tuple[str, str]] = {}
    given_parts = []
    for name in names:
        given, malformed = _whole_cells(cols[name])
        given_parts.append(given)
        for row in np.flatnonzero(malformed):
            errors.setdefault(
                int(row), (name, f"{cols[name].iloc[int(row)]!r} is not a whole number")
            )
    year_given, month_given, day_given = given_parts
    for row in np.flatnonzero(day_given & ~month_given & year_given):
        errors.setdefault(int(row), (names[2], "a day is given without a month"))
    for row in np.flatnonzero((month_given | day_given) & ~year_given):
        errors.setdefault(int(row), (names[0], f"{label} month or day is given without a year"))
    blank = pd.Series([""] * n, dtype="str")
    seconds, precision, ok, ymd_errors = year_month_day(
        cols[names[0]].where(year_given, ""),
        cols[names[1]].where(month_given, "") if month_given.any() else blank,
        cols[names[2]].where(day_given, "") if day_given.any() else blank,
    )
    for bad_row, reason in ymd_errors.items():
        column = names[1] if reason.startswith("month") else names[2]
        errors.setdefault(bad_row, (column, reason))
    for row in np.flatnonzero(year_given & ~ok):
        errors.setdefault(
            int(row), (names[0], f"{cols[names[0]].iloc[int(row)]!r} is out of range")
        )
    clock = _times(cols[f"{prefix}time"])
    for bad_row, reason in clock.errors.items():
        errors.setdefault(bad_row, (f"{prefix}time", reason))
    has_time = clock.precision >= 0
    for row in np.flatnonzero(has_time & (precision != Precision.DAY) & year_given):
        errors.setdefault(int(row), (f"{prefix}time", "a time is given without a day"))
    timed = has_time & (precision == Precision.DAY)
    seconds = seconds + np.where(timed, clock.seconds, 0)
    precision = np.where(timed, clock.precision, precision).astype(np.int8)
    return _Dates(seconds.astype(np.int64), precision, year_given, errors)


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]], list[int], SetAside]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    skips = SetAside()
    try:
        header = next(reader, None)
        if header is None:
            raise ReadError(path, "is empty")
        width = len(header)
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, row in enumerate(reader, start=2):
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    skips.add(f"row {number}", "", f"has {len(row)} cells; the header has {width}")
                    continue
                row = row[:width]
            elif len(row) < width:
                row = row + [""] * (width - len(row))
            rows.append(row)
            numbers.append(number)
    except csv.Error as exc:
        raise ReadError(path, f"not valid CSV: {exc}", where=f"line {reader.line_num}") from None
    return header, rows, numbers, skips


def _read_csv(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    header, rows, numbers, skips = _csv_rows(path)
    keys = [_header_key(h) for h in header]
    missing = [c for c in ("year", "headline") if c not in keys]
    if missing:
        raise ReadError(
            path,
            "not a TimelineJS spreadsheet: no "
            + " or ".join(f'"{c.title()}"' for c in missing)
            + " column",
            where="row 1",
        )
    options.report(0.3)
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    cols: dict[str, pd.Series] = {}
    for name in _CSV_COLUMNS:
        if name in keys:
            # Decoded strictly (read_text), so no lone surrogates: no cleaning needed.
            values = pd.Series(columns[keys.index(name)], dtype="str")
            cols[name] = values.str.replace("\r\n", "\n", regex=False)
        else:
            cols[name] = pd.Series([""] * n, dtype="str")
    where = np.array([f"row {r}" for r in numbers], dtype=object)
    blank = np.ones(n, dtype=bool)
    for name in _CSV_COLUMNS:
        blank &= (cols[name].str.strip() == "").to_numpy(dtype=bool)
    kind = cols["type"].str.strip().str.lower().to_numpy(dtype=object)
    is_title = kind == "title"
    is_era = kind == "era"
    title, description = "", ""
    title_rows = np.flatnonzero(is_title)
    if len(title_rows):
        first = int(title_rows[0])
        title = one_line(str(cols["headline"].iloc[first]))
        description = str(cols["text"].iloc[first])
        for row in title_rows[1:]:
            skips.add(str(where[row]), "Type", "a second title row (only the first is used)")
    start = _csv_dates(cols, "", "start")
    end = _csv_dates(cols, "end ", "end")
    options.report(0.6)
    candidate = ~blank & ~is_title
    keep = candidate & start.given
    for row in np.flatnonzero(candidate & ~start.given):
        skips.add(str(where[row]), "Year", "has no start year")
    for row, (column, reason) in sorted(start.errors.items()):
        if keep[row]:
            skips.add(str(where[row]), column.title(), reason)
            keep[row] = False
    notes: list[str] = []
    end_ok = end.given.copy()
    bad_ends = [r for r in sorted(end.errors) if keep[r]]
    for row in bad_ends:
        end_ok[row] = False
    if bad_ends:
        listed = "; ".join(f"{where[r]}: {end.errors[r][1]}" for r in bad_ends[:5])
        notes.append(
            f"{len(bad_ends)} end date(s) could not be read and were dropped "
            f"(read as point events): {listed}"
        )
    idx = np.flatnonzero(keep)
    if not len(idx):
        raise skips.nothing_read(path, "events with a usable start date")
    ev = EventRows()
    text = {name: cols[name].to_numpy(dtype=object)[idx] for name in _CSV_COLUMNS}
    filled = {
        name: (cols[name].str.strip() != "").to_numpy(dtype=bool)[idx] for name in _CSV_COLUMNS
    }
    era = is_era[idx]
    given_ids = text["unique id"]
    ev.ids = [str(given).strip() or f"e{k + 1}" for k, given in enumerate(given_ids.tolist())]
    ev.titles = text["headline"].tolist()
    ev.summaries = text["text"].tolist()
    ev.start = start.seconds[idx].tolist()
    ev.start_precision = start.precision[idx].tolist()
    has_end = end_ok[idx]
    ev.end = np.where(has_end, end.seconds[idx], 0).tolist()
    ev.end_precision = np.where(has_end, end.precision[idx], NO_END).tolist()
    lane = filled["group"] & ~era
    groups = cols["group"].str.strip().to_numpy(dtype=object)[idx]
    ev.actors = [g if on else None for g, on in zip(groups.tolist(), lane.tolist(), strict=True)]
    ev.tags = [[] for _ in range(len(idx))]
    ev.wheres = where[idx].tolist()
    # Attributes: a Python dict only for the rows that have something to keep.
    extra = era | filled["type"] | filled["background"] | filled["display date"]
    for name in ("media", "media credit", "media caption", "media thumbnail"):
        extra |= filled[name]
    attributes: list[dict[str, Any] | None] = [None] * len(idx)
    for k in np.flatnonzero(extra).tolist():
        kept: dict[str, Any] = {}
        media = {
            key: text[col][k]
            for key, col in (
                ("url", "media"),
                ("credit", "media credit"),
                ("caption", "media caption"),
                ("thumbnail", "media thumbnail"),
            )
            if filled[col][k]
        }
        if media:
            kept["media"] = media
        if filled["background"][k]:
            background = text["background"][k].strip()
            is_url = "/" in background or background.startswith("http")
            kept["background"] = {"url" if is_url else "color": background}
        if filled["display date"][k]:
            kept["display_date"] = text["display date"][k]
        if era[k]:
            kept["era"] = True
        elif filled["type"][k]:
            kept["type"] = text["type"][k].strip()
        attributes[k] = {ATTR: kept}
    ev.attributes = attributes
    doc = ev.build(
        path, notes, title=title or path.stem, description=description, actor_kind="group"
    )
    doc = eras_to_periods(doc, ATTR)
    options.report(1.0)
    return result(doc, path, FORMAT_CSV, skips, notes)


# --- registration -----------------------------------------------------------------------------

TIMELINEJS = register(
    Format(
        FORMAT_JSON,
        "TimelineJS JSON",
        (".json",),
        _sniff_json,
        _read_json,
        writes=(".json",),
        write=WRITERS["timelinejs"],
    )
)
TIMELINEJS_CSV = register(
    Format(FORMAT_CSV, "TimelineJS spreadsheet (CSV)", (".csv",), _sniff_csv, _read_csv)
)
