"""JSON lists of dated items: vis-timeline data sets ("vis-timeline") and plain lists
of records with a name and start/end fields ("json-records").

vis-timeline: a list of items ``{id, content, start, end?, group?, type?, title?}``,
or ``{"items": [...], "groups": [...]}``.

- ``content`` -> title (HTML kept as is), ``title`` (vis' tooltip) -> summary,
  ``id`` -> event id.
- groups -> actors of kind "group", named by the group's ``content`` as plain text
  (its id when it has none); an item's ``group`` names one. Without a ``groups``
  list, the group value itself is the actor's name.
- ``type`` "point"/"box" -> a point event (an end given anyway is dropped, with a
  note); "range"/"background" -> a span (one without an end becomes a point, with a
  note); no type -> a span when there is an end.
- dates: "YYYY-MM-DD" (day precision), ISO date-times (converted to UTC; without a
  zone read as UTC, with a note), or numbers, which vis reads as epoch milliseconds.
- other keys (className, style, subgroup, editable, ...) -> ``attributes["vis"]``.

json-records: a list of objects with a name (``name``, ``title``, ``content``,
``label`` or ``headline``) and ``start`` (or ``start_date``, ``date``, ``from``,
``begin``), optionally ``end`` (``end_date``, ``to``, ``until``), ``description``/
``summary``/``text``, ``id`` and ``group``/``actor``/``category``. Whole numbers below
a billion are years (``{"name": "Elizabeth", "start": 1565, "end": 1603}``), larger
ones epoch seconds, milliseconds or microseconds by size; strings as for vis. The
other keys -> ``attributes["record"]``.

In both, an end equal to the start makes a point event, and an item without a
usable start is set aside.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.io.errors import ReadError
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.jsontext import (
    clean_json,
    clean_text,
    load_json,
    one_line,
    sniff_text,
    text_of,
)
from explorer.io.kit.profile import choose_time, profile
from explorer.io.kit.rows import EventRows, result
from explorer.io.kit.setaside import SetAside
from explorer.io.result import ImportResult
from explorer.io.timeparse import epoch_seconds, parse_datetimes
from explorer.model.dates import MAX_ABS_YEAR, Precision, days_from_civil
from explorer.model.document import NO_END

VIS: Final = "vis-timeline"
RECORDS: Final = "json-records"

_NAME_KEYS: Final = ("name", "title", "content", "label", "headline")
_START_KEYS: Final = ("start", "start_date", "date", "from", "begin")
_END_KEYS: Final = ("end", "end_date", "to", "until")
_SUMMARY_KEYS: Final = ("description", "summary", "text")
_GROUP_KEYS: Final = ("group", "actor", "category")
_VIS_MAPPED: Final = frozenset({"id", "content", "start", "end", "group", "title"})
_HEX: Final = re.compile(r"#[0-9a-fA-F]{6}\b")


@dataclass
class _Dates:
    seconds: npt.NDArray[np.int64]
    precision: npt.NDArray[np.int8]  # NO_END where missing or unreadable
    errors: dict[int, str] = field(default_factory=dict)
    naive: int = 0
    numbers: int = 0


def _dates(values: Sequence[Any], numbers_are_years: bool) -> _Dates:
    """JSON date values (strings, numbers, null) to seconds and precision, vectorised."""
    n = len(values)
    seconds = np.zeros(n, dtype=np.int64)
    precision = np.full(n, NO_END, dtype=np.int8)
    out = _Dates(seconds, precision)
    strings: list[int] = []
    numbers: list[int] = []
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            strings.append(i)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                out.errors[i] = f"{value!r} is not a date"
            elif abs(value) >= 1e19:
                out.errors[i] = f"{value!r} is out of range"
            else:
                numbers.append(i)
        else:
            out.errors[i] = f"must be a date string or number, not {type(value).__name__}"
    if strings:
        texts = pd.Series([clean_text(values[i]) for i in strings], dtype="str")
        parsed = parse_datetimes(texts)
        idx = np.array(strings, dtype=np.int64)
        seconds[idx[parsed.ok]] = parsed.seconds[parsed.ok]
        precision[idx[parsed.ok]] = parsed.precision[parsed.ok]
        for row, reason in parsed.errors.items():
            out.errors[strings[row]] = reason
        out.naive = parsed.naive
    if numbers:
        idx = np.array(numbers, dtype=np.int64)
        raw = np.array([float(values[i]) for i in numbers], dtype=np.float64)
        if numbers_are_years:
            whole = np.array([float(values[i]).is_integer() for i in numbers], dtype=bool)
            years = whole & (np.abs(raw) < 1e9)
            y = raw[years].astype(np.int64)
            ones = np.ones_like(y)
            seconds[idx[years]] = days_from_civil(y, ones, ones) * 86400
            precision[idx[years]] = Precision.YEAR
            rest = ~years
        else:
            rest = np.ones(len(numbers), dtype=bool)
        if rest.any():
            if numbers_are_years:
                as_seconds, ok = epoch_seconds(pd.Series(raw[rest]))
            else:  # vis reads every number as epoch milliseconds
                as_seconds = np.floor(raw[rest] / 1000).astype(np.int64)
                ok = np.ones(len(as_seconds), dtype=bool)
            seconds[idx[rest][ok]] = as_seconds[ok]
            precision[idx[rest][ok]] = Precision.SECOND
        out.numbers = len(numbers)
    limit = days_from_civil(MAX_ABS_YEAR, 1, 1) * 86400
    for far in np.flatnonzero((precision != NO_END) & (np.abs(seconds) > limit)):
        out.errors[int(far)] = f"{values[int(far)]!r} is out of range"
        precision[far] = NO_END
    return out


def _first(record: dict[str, Any], keys: Sequence[str]) -> tuple[str, Any]:
    for key in keys:
        if key in record and record[key] not in (None, ""):
            return key, record[key]
    return "", None


@dataclass
class _Item:
    where: str
    record: dict[str, Any]


class _Reader:
    def __init__(self, path: Path, options: ReadOptions, fmt: str) -> None:
        self.path = path
        self.options = options
        self.fmt = fmt
        self.skips = SetAside()
        self.notes: list[str] = []

    def items(self, data: Any) -> tuple[list[_Item], list[Any] | None, str]:
        """The item records (non-objects set aside), the groups list, the path prefix."""
        groups: Any = None
        wrapper = _wrapping_key(data) if self.fmt == RECORDS else None
        if isinstance(data, list):
            raw, prefix = data, ""
        elif isinstance(data, dict) and isinstance(data.get("items"), list):
            raw, prefix = data["items"], "items"
            groups = data.get("groups")
            if groups is not None and not isinstance(groups, list):
                raise ReadError(self.path, "must be a list", field="groups")
        elif wrapper is not None:
            raw, prefix = data[wrapper], wrapper
            self.notes.append(f'records read from the list under "{wrapper}"')
        else:
            shape = "a list of items" if self.fmt == VIS else "a list of records"
            raise ReadError(
                self.path, f"not a {self.title()} file: expected {shape} (a JSON [...])"
            )
        out: list[_Item] = []
        for i, record in enumerate(raw):
            where = f"{prefix}[{i}]"
            if isinstance(record, dict):
                out.append(_Item(where, record))
            else:
                self.skips.add(where, "", f"must be an object, not {type(record).__name__}")
        return out, groups, prefix

    def title(self) -> str:
        return "vis-timeline" if self.fmt == VIS else "JSON records"

    def read(self, data: Any) -> ImportResult:
        items, groups, _ = self.items(data)
        vis = self.fmt == VIS
        group_names, colours = self.groups(groups or [])
        starts, ends = [], []
        start_keys: tuple[str, ...] = ("start",) if vis else _START_KEYS
        end_keys: tuple[str, ...] = ("end",) if vis else _END_KEYS
        keys = _Keys.given(self.options.mapping, self.path) if not vis else _Keys()
        if not vis and not keys.date:
            keys.date = self.infer_date_key(items, start_keys)
        if keys.date:
            start_keys = (keys.date,)
        if keys.end:
            end_keys = (keys.end,)
        for item in items:
            starts.append(_first(item.record, start_keys)[1])
            ends.append(_first(item.record, end_keys)[1])
        self.options.report(0.3)
        start = _dates(starts, numbers_are_years=not vis)
        end = _dates(ends, numbers_are_years=not vis)
        self.options.report(0.6)
        rows = EventRows()
        seen: set[str] = set()
        dropped_ends: list[str] = []
        pointless_ranges: list[str] = []
        for i, item in enumerate(items):
            record = item.record
            if start.precision[i] == NO_END:
                key = _first(record, start_keys)[0] or start_keys[0]
                reason = start.errors.get(i, "has no start date")
                self.skips.add(item.where, key, reason)
                continue
            has_end = end.precision[i] != NO_END
            if i in end.errors:
                dropped_ends.append(f"{item.where}: {end.errors[i]}")
            kind = text_of(record.get("type")).strip().lower() if vis else ""
            if kind in ("point", "box") and has_end:
                dropped_ends.append(f'{item.where}: type "{kind}" has no end')
                has_end = False
            if kind in ("range", "background") and not has_end:
                pointless_ranges.append(item.where)
            same = has_end and (
                end.seconds[i] == start.seconds[i] and end.precision[i] == start.precision[i]
            )
            ident = text_of(record.get("id")).strip()
            if not ident or ident in seen:
                ident = f"e{i + 1}"
            seen.add(ident)
            if vis:
                title = text_of(record.get("content"))
                summary = text_of(record.get("title"))
                if not title.strip():
                    title = summary or _title_from(record, {"id", "start", "end", "group"})
                group_key, group_value = "group", record.get("group")
                kept = {
                    clean_text(str(k)): clean_json(v)
                    for k, v in record.items()
                    if k not in _VIS_MAPPED
                }
                attr_key = "vis"
            else:
                name_key, name = _first(record, (keys.title,) if keys.title else _NAME_KEYS)
                summary_key, summary_value = _first(
                    record, (keys.text,) if keys.text else _SUMMARY_KEYS
                )
                group_key, group_value = _first(
                    record, (keys.group,) if keys.group else _GROUP_KEYS
                )
                title = text_of(name)
                if not title.strip():
                    title = _title_from(record, {"id", *start_keys, *end_keys})
                summary = text_of(summary_value)
                mapped = {"id", name_key, summary_key, group_key, *start_keys, *end_keys}
                kept = {
                    clean_text(str(k)): clean_json(v) for k, v in record.items() if k not in mapped
                }
                attr_key = "record"
            group = text_of(group_value).strip()
            actor = group_names.get(group, group) if group else None
            rows.add(
                ident=ident,
                title=title,
                summary=summary,
                start=(int(start.seconds[i]), int(start.precision[i])),
                end=(int(end.seconds[i]), int(end.precision[i])) if has_end and not same else None,
                where=item.where,
                actors=actor or None,
                attributes={attr_key: kept} if kept else None,
            )
        if not len(rows):
            raise self.skips.nothing_read(self.path, "items with a usable start date")
        self.add_notes(start, end, dropped_ends, pointless_ranges)
        doc = rows.build(
            self.path,
            self.notes,
            title=self.path.stem,
            actor_kind="group",
            actor_colours=colours,
        )
        self.options.report(1.0)
        return result(doc, self.path, self.fmt, self.skips, self.notes)

    def infer_date_key(self, items: list[_Item], known: Sequence[str]) -> str:
        """The date key when none of the usual names is there (`releaseTime`): chosen
        from the sampled records' values by the same evidence as a table's column."""
        sample = [item.record for item in items[:200]]
        if any(any(k in r for k in known) for r in sample):
            return ""
        names = list(dict.fromkeys(k for r in sample for k in r))
        profiles = [
            profile(
                str(k),
                pa.array([_scalar_text(r.get(k)) for r in sample], pa.large_string()),
            )
            for k in names
        ]
        choice = choose_time(profiles)
        if choice is None:
            return ""
        self.notes.append("guessed " + choice.describe())
        return choice.column

    def groups(self, groups: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
        """vis groups: id -> actor name, and name -> colour from the group's style."""
        names: dict[str, str] = {}
        colours: dict[str, str] = {}
        for group in groups:
            if not isinstance(group, dict):
                continue
            ident = text_of(group.get("id")).strip()
            name = one_line(text_of(group.get("content"))) or ident
            if not ident or not name:
                continue
            names[ident] = name
            match = _HEX.search(text_of(group.get("style")))
            if match:
                colours.setdefault(name, match.group(0).lower())
        return names, colours

    def add_notes(
        self, start: _Dates, end: _Dates, dropped_ends: list[str], pointless: list[str]
    ) -> None:
        naive = start.naive + end.naive
        if naive:
            self.notes.append(f"{naive} time(s) had no time zone; read as UTC")
        if self.fmt == VIS and start.numbers + end.numbers:
            count = start.numbers + end.numbers
            self.notes.append(f"{count} date(s) were numbers; read as epoch milliseconds")
        if dropped_ends:
            listed = "; ".join(dropped_ends[:5])
            more = f" and {len(dropped_ends) - 5} more" if len(dropped_ends) > 5 else ""
            self.notes.append(
                f"{len(dropped_ends)} end date(s) were dropped (read as point events): "
                f"{listed}{more}"
            )
        if pointless:
            listed = ", ".join(pointless[:5])
            self.notes.append(
                f"{len(pointless)} range item(s) had no end; read as points: {listed}"
            )


def _read_vis(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    data = load_json(path)
    try:
        return _Reader(path, options, VIS).read(data)
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None


def _read_records(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    data = load_json(path)
    try:
        return _Reader(path, options, RECORDS).read(data)
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None


_WRAPPERS: Final = ("objects", "data", "items", "records", "events", "results", "rows", "entries")


def _wrapping_key(data: Any) -> str | None:
    """The key of a single list of objects wrapped in an object: {"data": [{...}, ...]}."""
    if not isinstance(data, dict):
        return None
    lists = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    named = [k for k in lists if str(k).lower() in _WRAPPERS]
    if named:
        return str(named[0])
    return str(lists[0]) if len(lists) == 1 else None


def _scalar_text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _title_from(record: dict[str, Any], exclude: set[str]) -> str:
    """A title from an item's other fields: its first text, else "key: value" pairs."""
    rest = [(k, v) for k, v in record.items() if k not in exclude and v not in (None, "")]
    for _, value in rest:
        if isinstance(value, str) and not value.strip().isdigit():
            return value
    return "; ".join(f"{k}: {_scalar_text(v)}" for k, v in rest[:3] if _scalar_text(v))


@dataclass
class _Keys:
    """Keys named by --map for JSON records (date=releaseTime, title=name...)."""

    date: str = ""
    end: str = ""
    title: str = ""
    text: str = ""
    group: str = ""

    @classmethod
    def given(cls, mapping: dict[str, str | list[str]] | None, path: Path) -> _Keys:
        keys = cls()
        aliases = {"start": "date", "summary": "text", "actors": "group", "actor": "group"}
        for role, value in (mapping or {}).items():
            name = aliases.get(str(role).strip().lower(), str(role).strip().lower())
            if name not in ("date", "end", "title", "text", "group"):
                raise ReadError(
                    path, f'"{role}" is not a role for JSON records (date, end, title, text, group)'
                )
            setattr(keys, name, value[0] if isinstance(value, list) else str(value))
        return keys


def _json_start(text: str) -> str:
    return text.lstrip()[:1]


def _sniff_vis(head: bytes, path: Path) -> int:
    text = sniff_text(head)
    first = _json_start(text)
    if first == "[" and '"content"' in text and '"start"' in text:
        return 2
    if first == "{" and '"items"' in text and '"content"' in text and '"start"' in text:
        return 2
    return 0


_DATE_LIKE_KEY: Final = re.compile(
    r'"[^"]*(?:date|time|start|when|year|created|modified|published|released|born|died)'
    r'[^"]*"\s*:',
    re.IGNORECASE,
)


def _sniff_records(head: bytes, path: Path) -> int:
    """Any list of objects with a date-like key, also under one wrapping key; the lowest
    score, so every specific JSON reader wins."""
    text = sniff_text(head)
    start = _json_start(text)
    if start == "{" and not re.search(r'"\w+"\s*:\s*\[\s*\{', text):
        return 0
    if start not in ("[", "{"):
        return 0
    has_start = any(f'"{k}"' in text for k in _START_KEYS)
    return 1 if has_start or _DATE_LIKE_KEY.search(text) else 0


VIS_TIMELINE = register(Format(VIS, "vis-timeline items (JSON)", (".json",), _sniff_vis, _read_vis))
JSON_RECORDS = register(
    Format(
        RECORDS,
        "JSON list of dated records",
        (".json",),
        _sniff_records,
        _read_records,
        mapping="keys",
    )
)
