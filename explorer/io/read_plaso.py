"""Plaso (log2timeline / psort) output: dynamic CSV, l2tcsv, JSON lines, JSON, TLN, L2TTLN.

psort names its files as the user asks, very often ``something.log``, so every
format is told apart by content: the dynamic CSV header (``datetime,timestamp_desc,
source,source_long,message,parser...``), l2tcsv's 17 columns with ``MACB``, a first
line of pipes (``Time|Source|Host|User|Description``, with ``|TZ|Notes`` for
L2TTLN; files from other tools have no header but the same shape), JSON lines with
Plaso's ``__container_type__``/``date_time`` objects, and one JSON object whose keys
are ``event_0``, ``event_1``...

What each becomes:

* title: ``message`` (l2tcsv ``desc``, else ``short``; TLN: the message part of the
  description); summary: ``timestamp_desc`` (l2tcsv ``type``).
* lanes: hosts (``hostname``/``host``/``Host``), else users; psort's dynamic CSV has
  neither unless asked for (``--additional_fields hostname,username``), which the
  notes say.
* ``-`` means empty (Plaso writes it for missing values); ``tag`` becomes themes.
* dates: ISO with offsets or nanosecond fractions (dynamic); MM/DD/YYYY + time + a
  zone column (l2tcsv: "UTC", zone names such as "Europe/Amsterdam" or "CET" through
  zoneinfo, summer abbreviations such as "CEST" at their fixed offset; a zone that is
  neither is set aside with its rows); ``timestamp`` in microseconds (JSON), falling
  back to the ``date_time`` object; epoch seconds (TLN). Precision is the second.
* every other column is kept per event (empty and ``-`` cells dropped).

Rows are numbered as in read_timesketch: CSV rows like a spreadsheet (header = row 1),
TLN and JSON lines by line, Plaso JSON by its event key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.assembly import (
    Assembly,
    BlockWork,
    assemble,
    tag_list,
    tags_from_columns,
    text_column,
    who,
)
from explorer.io.attributes import ColumnAttributes
from explorer.io.delimited import (
    I64,
    READ_SHARE,
    Bool,
    Delimited,
    first_record,
    head_text,
    open_file,
    read_delimited,
    unique_names,
)
from explorer.io.errors import ReadError
from explorer.io.fast_dates import (
    DATE_BLANK,
    DATE_NOT_A_DATE,
    DATE_OK,
    Dates,
    date_reason,
    epoch_dates,
    iso_dates,
    month_starts,
)
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.jsontext import compact, json_lines, scalar_text
from explorer.io.kit.rows import Records, date_notes
from explorer.io.kit.setaside import SetAside
from explorer.io.result import ImportResult
from explorer.io.text import decode, read_bytes
from explorer.model.dates import DAY

EMPTY = ("", "-")
PLASO_HOSTS = ("hostname", "host", "computer_name")
PLASO_USERS = ("username", "user", "user_sid")
NO_LANES = (
    "No host or user column: all events share one lane "
    "(psort adds them with --additional_fields hostname,username)."
)


def _result(
    path: Path,
    format_name: str,
    document: Any,
    aside: SetAside,
    notes: list[str],
) -> ImportResult:
    return ImportResult(document, path, format_name, aside.rows, aside.total, notes)


def _malformed(data: Delimited, aside: SetAside, word: str) -> None:
    for number, reason in data.malformed:
        aside.add(f"{word} {number}" if number is not None else f"a {word}", "", reason)


def _set_aside_rows(
    aside: SetAside,
    failed: I64,
    numbers: I64,
    word: str,
    reason_of: Any,
) -> None:
    """Record the rows in `failed`, asking `reason_of(row) -> (field, reason)` only for
    the ones that are kept in full."""
    shown = failed[: max(aside.room(), 0)]
    aside.total += int(failed.size - shown.size)
    for row in shown:
        column, reason = reason_of(int(row))
        aside.add(f"{word} {numbers[row]}", column, reason)


def _lanes_note(lanes: Any, notes: list[str]) -> None:
    if lanes is None:
        notes.append(NO_LANES)
    else:
        notes.append(f"Lanes are {lanes.kind}s, from {', '.join(lanes.columns)}.")


def _finish_table(
    path: Path,
    format_name: str,
    data: Delimited,
    dates: Dates,
    *,
    title_column: str | pa.ChunkedArray | None,
    summary_column: str | pa.ChunkedArray | None,
    consumed: Sequence[str],
    tag_columns: Sequence[str],
    aside: SetAside,
    notes: list[str],
    options: ReadOptions,
    id_prefix: str,
    work: BlockWork,
    split_tags: bool = True,
    extra_attributes: dict[str, pa.ChunkedArray] | None = None,
) -> ImportResult:
    """The rows of `data` that have a date, as events (every reader below ends here)."""
    table = data.table
    keep = np.flatnonzero(dates.ok)
    picker = None if keep.size == table.num_rows else pa.array(keep)

    def column(ref: str | pa.ChunkedArray | None) -> pa.ChunkedArray | None:
        values = table[ref] if isinstance(ref, str) else ref
        if values is None or picker is None:
            return values
        return values.take(picker)

    lanes = who(table, EMPTY, encoded=work.encoded())
    _lanes_note(lanes, notes)
    tag_rows, tag_names = tags_from_columns(table, tag_columns, keep, split_spaces=split_tags)
    attributes = {c: table[c] for c in table.column_names if c not in consumed}
    attributes.update(extra_attributes or {})
    n = int(keep.size)
    parts = Assembly(
        n=n,
        ids=work.row_ids(data, keep),
        titles=text_column(column(title_column), n, EMPTY),
        summaries=text_column(column(summary_column), n, EMPTY),
        start=dates.seconds[keep],
        precision=dates.precision[keep],
        attributes=ColumnAttributes(attributes, keep, empty=EMPTY),
        lanes=None if lanes is None else lanes.take(None if picker is None else keep),
        tag_rows=tag_rows,
        tag_names=tag_names,
    )
    document = assemble(path.stem, parts)
    options.report(1.0)
    return _result(path, format_name, document, aside, notes)


# --- dynamic CSV ---------------------------------------------------------------------

_DYNAMIC = frozenset({"datetime", "timestamp_desc", "source", "source_long", "message", "parser"})


def _file_header(path: Path) -> list[str]:
    with open_file(path) as handle:
        return unique_names(first_record(handle.read(1 << 20)) or [])


def _dynamic_block(index: int, batch: pa.RecordBatch) -> Dates:
    values = batch.column(index)
    dates = iso_dates(values, epoch_numbers=False)
    # "-" (what psort writes for no date) counts as empty.
    dash = pc.equal(pc.utf8_trim_whitespace(values), "-").to_numpy(zero_copy_only=False)
    dates.status[np.asarray(dash, dtype=bool)] = DATE_BLANK
    return dates


def read_dynamic(path: Path, options: ReadOptions) -> ImportResult:
    header = _file_header(path)
    lower = {c.lower(): c for c in reversed(header)}
    column = lower.get("datetime")
    if header and column is None:
        raise ReadError(
            path, 'no "datetime" column: a Plaso dynamic CSV starts with it', field="datetime"
        )
    work = BlockWork(header, partial(_dynamic_block, header.index(column)) if column else None)
    data = read_delimited(path, options, on_batch=work)
    table = data.table
    names = {c.lower(): c for c in reversed(table.column_names)}
    if "datetime" not in names:
        raise ReadError(
            path, 'no "datetime" column: a Plaso dynamic CSV starts with it', field="datetime"
        )
    aside, notes = SetAside(), []
    _malformed(data, aside, "row")
    dt = names["datetime"]
    dates = Dates.concat(work.results)
    options.report(READ_SHARE + 0.05)
    failed = np.flatnonzero(~dates.ok)
    if failed.size:
        raw = table[dt]

        def reason(row: int) -> tuple[str, str]:
            value = raw[row].as_py()
            status = int(dates.status[row])
            return dt, date_reason(value, DATE_NOT_A_DATE if value.strip("- ") else status, dt)

        _set_aside_rows(aside, failed, data.numbers, "row", reason)
    notes.extend(date_notes(dates, np.flatnonzero(dates.ok), np.zeros(len(dates.ok), bool), dt))
    message = names.get("message")
    if message is None:
        notes.append('No "message" column: events have no title.')
    tag_columns = [names[c] for c in ("tag", "tags", "label") if c in names]
    consumed = [c for c in (message, names.get("timestamp_desc"), *tag_columns) if c]
    return _finish_table(
        path,
        "plaso-dynamic",
        data,
        dates,
        title_column=message,
        summary_column=names.get("timestamp_desc"),
        consumed=consumed,
        tag_columns=tag_columns,
        aside=aside,
        notes=notes,
        options=options,
        id_prefix="row-",
        work=work,
    )


# --- l2tcsv --------------------------------------------------------------------------

L2TCSV_COLUMNS = (
    "date",
    "time",
    "timezone",
    "MACB",
    "source",
    "sourcetype",
    "type",
    "user",
    "host",
    "short",
    "desc",
    "version",
    "filename",
    "inode",
    "notes",
    "format",
    "extra",
)

# Abbreviations zoneinfo does not know as zones, at the offset they name (minutes).
# Zone keys that are also abbreviations (CET, EET, WET, EST, MST...) go to zoneinfo.
ABBREVIATIONS = {
    "CEST": 120,
    "EEST": 180,
    "WEST": 60,
    "BST": 60,
    "IST": 60,  # Irish Standard Time, as Python's Europe/Dublin calls it
    "MSK": 180,
    "EDT": -240,
    "CDT": -300,
    "MDT": -360,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "PST": -480,
    "CST": -360,
    "AST": -240,
    "ADT": -180,
    "NST": -210,
    "NDT": -150,
    "JST": 540,
    "KST": 540,
    "AEST": 600,
    "AEDT": 660,
    "ACST": 570,
    "ACDT": 630,
    "AWST": 480,
    "NZST": 720,
    "NZDT": 780,
}
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UCT", "ZULU", "ETC/UTC", "ETC/GMT", "UNIVERSAL"})
_FIXED = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ZONE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$")


def local_dates(date: pa.ChunkedArray, time: pa.ChunkedArray) -> Dates:
    """MM/DD/YYYY and HH:MM:SS columns to local seconds (vectorised)."""
    n = len(date)
    out = Dates.empty(n)
    if n == 0:
        return out
    day_parts = pc.extract_regex(
        pc.utf8_trim_whitespace(date), r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"
    )
    time_parts = pc.extract_regex(
        pc.utf8_trim_whitespace(time),
        r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?$",
    )

    def number(parts: Any, name: str) -> I64:
        values = pc.struct_field(parts, name)
        values = pc.if_else(pc.equal(values, ""), "0", values)
        return np.asarray(pc.cast(values.fill_null("0"), pa.int64()).to_numpy(), dtype=np.int64)

    matched = np.asarray(day_parts.is_valid().to_numpy(zero_copy_only=False), bool)
    matched &= np.asarray(time_parts.is_valid().to_numpy(zero_copy_only=False), bool)
    year, month, day = number(day_parts, "y"), number(day_parts, "m"), number(day_parts, "d")
    hour, minute, second = (number(time_parts, k) for k in ("h", "mi", "s"))
    good = matched & (month >= 1) & (month <= 12) & (hour <= 23) & (minute <= 59) & (second <= 59)
    starts = month_starts()
    index = np.where(good, year * 12 + month - 1, 0)
    first = starts[index]
    good &= (day >= 1) & (day <= starts[index + 1] - first)
    out.seconds[:] = np.where(good, (first + day - 1) * DAY + hour * 3600 + minute * 60 + second, 0)
    blank = np.asarray(pc.equal(pc.utf8_trim_whitespace(date), "").to_numpy(zero_copy_only=False))
    out.status[:] = np.where(good, DATE_OK, np.where(blank, DATE_BLANK, DATE_NOT_A_DATE))
    return out


def zone_offsets(name: str, local: I64) -> tuple[I64, Bool, int, str]:
    """UTC seconds for local times in zone `name`: (seconds, ok, ambiguous count, how).

    Rows whose local time does not exist there (the hour skipped when clocks go forward)
    are not ok; times in the hour repeated when clocks go back are read as summer time."""
    key = name.strip()
    upper = key.upper()
    n = len(local)
    if upper in _UTC_NAMES:
        return local.copy(), np.ones(n, bool), 0, "UTC"
    fixed = _FIXED.match(key)
    if fixed:
        sign = -1 if fixed.group(1) == "-" else 1
        minutes = sign * (int(fixed.group(2)) * 60 + int(fixed.group(3) or 0))
        if abs(minutes) <= 24 * 60:
            return local - minutes * 60, np.ones(n, bool), 0, f"UTC{fixed.group(1)}{key[-5:]}"
    zone = _zone(key)
    if zone is not None:
        stamps = pd.DatetimeIndex(local.astype("datetime64[s]"))
        summer = stamps.tz_localize(zone, ambiguous=np.ones(n, bool), nonexistent="NaT")
        winter = stamps.tz_localize(zone, ambiguous=np.zeros(n, bool), nonexistent="NaT")
        ok = ~np.asarray(summer.isna(), dtype=bool)
        utc = np.where(ok, summer.as_unit("s").asi8, 0).astype(np.int64)
        ambiguous = int((ok & (summer.as_unit("s").asi8 != winter.as_unit("s").asi8)).sum())
        return utc, ok, ambiguous, f"zone {key}"
    if upper in ABBREVIATIONS:
        minutes = ABBREVIATIONS[upper]
        return local - minutes * 60, np.ones(n, bool), 0, f"{upper} (UTC{minutes / 60:+g})"
    return np.zeros(n, np.int64), np.zeros(n, bool), 0, ""


def _zone(key: str) -> ZoneInfo | None:
    if not _ZONE_KEY.match(key) or ".." in key:
        return None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        return None


def read_l2tcsv(path: Path, options: ReadOptions) -> ImportResult:
    work = BlockWork(_file_header(path))
    data = read_delimited(path, options, on_batch=work)
    table = data.table
    names = {c.lower(): c for c in reversed(table.column_names)}
    for required in ("date", "time"):
        if required not in names:
            raise ReadError(
                path,
                f'no "{required}" column: l2tcsv has date,time,timezone,MACB,...',
                field=required,
            )
    aside, notes = SetAside(), []
    _malformed(data, aside, "row")
    date_col, time_col = names["date"], names["time"]
    dates = local_dates(table[date_col], table[time_col])
    zone_col = names.get("timezone")
    zone_failed = np.zeros(table.num_rows, bool)
    zones_used: list[str] = []
    if zone_col is None:
        notes.append('No "timezone" column: times read as UTC.')
    else:
        codes, zones = pd.factorize(table[zone_col].to_pandas(), use_na_sentinel=True)
        codes = np.asarray(codes)
        for k, zone in enumerate(zones):
            rows = np.flatnonzero((codes == k) & dates.ok)
            if not rows.size:
                continue
            utc, ok, ambiguous, how = zone_offsets(str(zone), dates.seconds[rows])
            dates.seconds[rows] = utc
            bad = rows[~ok]
            dates.status[bad] = DATE_NOT_A_DATE
            zone_failed[bad] = True
            if how and how != "UTC":
                zones_used.append(how)
            if ambiguous:
                notes.append(
                    f"{ambiguous:,} local times in {zone} fall in the hour repeated when "
                    "clocks go back; read as summer time."
                )
        if zones_used:
            notes.append(f"Local times converted to UTC from {', '.join(zones_used)}.")
    options.report(READ_SHARE + 0.05)
    failed = np.flatnonzero(~dates.ok)
    if failed.size:

        def reason(row: int) -> tuple[str, str]:
            if zone_failed[row] and zone_col is not None:
                zone = str(table[zone_col][row].as_py())
                if _zone(zone.strip()) is not None:
                    return (
                        zone_col,
                        f"{table[date_col][row]} {table[time_col][row]} does not exist in "
                        f"{zone} (clocks went forward)",
                    )
                return zone_col, f"unknown time zone {zone[:40]!r}"
            raw_date = table[date_col][row].as_py()
            raw_time = table[time_col][row].as_py()
            if not str(raw_date).strip():
                return date_col, "no date: date is empty"
            return (
                date_col,
                f"{raw_date[:40]!r} {raw_time[:20]!r} is not a date (MM/DD/YYYY HH:MM:SS)",
            )

        _set_aside_rows(aside, failed, data.numbers, "row", reason)
    desc, short = names.get("desc"), names.get("short")
    title: str | pa.ChunkedArray | None = desc or short
    if desc and short:
        empty_desc = pc.is_in(pc.utf8_trim_whitespace(table[desc]), value_set=pa.array(list(EMPTY)))
        title = pc.if_else(empty_desc, table[short], table[desc])
    consumed = [c for c in (date_col, time_col, desc, names.get("type")) if c]
    return _finish_table(
        path,
        "l2tcsv",
        data,
        dates,
        title_column=title,
        summary_column=names.get("type"),
        consumed=consumed,
        tag_columns=[],
        aside=aside,
        notes=notes,
        options=options,
        id_prefix="row-",
        work=work,
    )


# --- TLN and L2TTLN ------------------------------------------------------------------

TLN_COLUMNS = ("Time", "Source", "Host", "User", "Description")
L2TTLN_COLUMNS = (*TLN_COLUMNS, "TZ", "Notes")
_PLASO_DESCRIPTION = r"^(?P<when>\d{4}-\d\d-\d\d[T ][^;]*); (?P<desc>[^;]*); (?P<message>.*)$"


def _tln_header(head: bytes) -> tuple[list[str] | None, int]:
    """(header names if the first line is one, number of fields on the first line)."""
    fields = first_record(head, "|", quoted=False) or []
    if [f.strip().lower() for f in fields] in (
        [c.lower() for c in TLN_COLUMNS],
        [c.lower() for c in L2TTLN_COLUMNS],
    ):
        return [f.strip() for f in fields], len(fields)
    return None, len(fields)


def _read_tln(path: Path, options: ReadOptions, format_name: str) -> ImportResult:
    with open_file(path) as handle:
        head = handle.read(1 << 16)
    header, width = _tln_header(head)
    expected = L2TTLN_COLUMNS if format_name == "l2ttln" else TLN_COLUMNS
    names = header if header is not None else list(expected)
    if header is None and width != len(expected):
        raise ReadError(
            path,
            f"the first line has {width} fields separated by |; {format_name.upper()} has "
            f"{len(expected)} ({'|'.join(expected)})",
            where="line 1",
        )
    work = BlockWork(names, id_prefix="line-", first_number=2 if header is not None else 1)
    data = read_delimited(
        path,
        options,
        delimiter="|",
        quoted=False,
        names=names,
        header=header is not None,
        on_batch=work,
    )
    table = data.table
    aside, notes = SetAside(), []
    _malformed(data, aside, "line")
    columns = {c.lower(): c for c in table.column_names}
    time_col = columns["time"]
    dates = epoch_dates(table[time_col], seconds_only=True)  # TLN's Time is always seconds
    options.report(READ_SHARE + 0.05)
    failed = np.flatnonzero(~dates.ok)
    if failed.size:
        raw = table[time_col]

        def reason(row: int) -> tuple[str, str]:
            value, status = raw[row].as_py(), int(dates.status[row])
            return time_col, date_reason(value, status, time_col, epoch=True)

        _set_aside_rows(aside, failed, data.numbers, "line", reason)
    description = table[columns["description"]]
    parts = pc.extract_regex(description, _PLASO_DESCRIPTION)
    plaso = parts.is_valid()
    title = pc.if_else(plaso, pc.struct_field(parts, "message"), description)
    summary = pc.if_else(plaso, pc.struct_field(parts, "desc"), "")
    when = pc.if_else(plaso, pc.struct_field(parts, "when"), "")
    if pc.any(plaso).as_py():
        notes.append(
            'Descriptions written by Plaso ("datetime; description; message") are split '
            "into summary and title; the datetime as written is in each event's attributes."
        )
    zone = columns.get("tz")
    if zone is not None:
        values = {str(v).strip() for v in pc.unique(table[zone]).to_pylist()} - set(EMPTY)
        if values - {"UTC"}:
            notes.append(
                f"The TZ column says {', '.join(sorted(values))[:80]}; TLN times are epoch "
                "seconds, so they were read as UTC whatever it says."
            )
    return _finish_table(
        path,
        format_name,
        data,
        dates,
        title_column=title,
        summary_column=summary,
        consumed=[columns["description"]],
        tag_columns=[],
        aside=aside,
        notes=notes,
        options=options,
        id_prefix="line-",
        work=work,
        extra_attributes={"datetime": when},
    )


def read_tln(path: Path, options: ReadOptions) -> ImportResult:
    return _read_tln(path, options, "tln")


def read_l2ttln(path: Path, options: ReadOptions) -> ImportResult:
    return _read_tln(path, options, "l2ttln")


# --- JSON lines and JSON -------------------------------------------------------------

_SKIP_KEYS = frozenset({"message", "timestamp_desc", "timestamp", "date_time", "tag"})
_POSIX_UNITS = {
    "PosixTime": 1,
    "PosixTimeInMilliseconds": 1_000,
    "PosixTimeInMicroseconds": 1_000_000,
    "PosixTimeInNanoseconds": 1_000_000_000,
    "JavaTime": 1_000,
}
_FILETIME_EPOCH = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01


def date_time_seconds(value: Any) -> int | None:
    """Seconds from a Plaso ``date_time`` object (TimeElements*, PosixTime*, Filetime)."""
    if not isinstance(value, dict):
        return None
    kind = str(value.get("__class_name__", ""))
    stamp = value.get("timestamp")
    if kind in _POSIX_UNITS and isinstance(stamp, int) and not isinstance(stamp, bool):
        return stamp // _POSIX_UNITS[kind]
    if kind == "Filetime" and isinstance(stamp, int) and not isinstance(stamp, bool):
        return stamp // 10_000_000 - _FILETIME_EPOCH
    elements = value.get("time_elements_tuple")
    if isinstance(elements, list) and 6 <= len(elements) <= 7:
        if not all(isinstance(e, int) and not isinstance(e, bool) for e in elements):
            return None
        y, m, d, hh, mm, ss = (int(e) for e in elements[:6])
        if not (1 <= y <= 9999 and 1 <= m <= 12 and 0 <= hh <= 23 and 0 <= mm <= 59):
            return None
        starts = month_starts()
        first = int(starts[y * 12 + m - 1])
        if not (1 <= d <= int(starts[y * 12 + m]) - first and 0 <= ss <= 59):
            return None
        offset = value.get("time_zone_offset")
        minutes = int(offset) if isinstance(offset, int) and not isinstance(offset, bool) else 0
        return (first + d - 1) * DAY + hh * 3600 + mm * 60 + ss - minutes * 60
    return None


def _plaso_records(
    path: Path,
    items: Any,
    format_name: str,
    options: ReadOptions,
    aside: SetAside,
    total: int,
    done: float = 0.0,
) -> ImportResult:
    """Events from Plaso's JSON objects; progress runs from `done` to READ_SHARE."""
    rec = Records()
    seconds: list[int] = []
    raw_dates: list[Any] = []
    for k, (where, ident, obj) in enumerate(items):
        if k % 20_000 == 0 and total:
            options.report(done + (READ_SHARE - done) * k / total)
        if not isinstance(obj, dict):
            aside.add(where, "", f"a JSON {type(obj).__name__}, not an event object")
            continue
        stamp = obj.get("timestamp")
        value: int | None = None
        if isinstance(stamp, int) and not isinstance(stamp, bool):
            value = stamp // 1_000_000
        elif isinstance(stamp, float) and np.isfinite(stamp):
            value = int(stamp // 1_000_000)
        if value is None:
            value = date_time_seconds(obj.get("date_time"))
        if value is None or not (-62_135_596_800 <= value <= 253_402_300_799):
            shown = stamp if stamp is not None else obj.get("date_time")
            reason = (
                "no date: no timestamp or date_time"
                if shown is None
                else f"{scalar_text(shown)[:80]} is not a date Plaso writes"
            )
            aside.add(where, "timestamp", reason)
            continue
        seconds.append(value)
        raw_dates.append(stamp)
        rec.where.append(where)
        rec.ids.append(ident)
        rec.titles.append(scalar_text(obj.get("message")))
        rec.summaries.append(scalar_text(obj.get("timestamp_desc")))
        rec.add_who(obj, PLASO_HOSTS, PLASO_USERS)
        tags = tag_list(obj.get("tag"), split_spaces=False)
        rec.tags.append(tags)
        rec.attributes.append(
            {
                key: val
                for key, val in obj.items()
                if key not in _SKIP_KEYS and not key.startswith("__") and compact(val)
            }
            or None
        )
    n = len(seconds)
    keep = np.arange(n, dtype=np.int64)
    document = rec.document(
        path.stem,
        np.asarray(seconds, dtype=np.int64),
        np.full(n, 5, dtype=np.int8),
        keep,
    )
    notes = ["Dates are Plaso's timestamp (microseconds, UTC), to the second."]
    if document.actors.empty:
        notes.append(NO_LANES)
    options.report(1.0)
    return _result(path, format_name, document, aside, notes)


def read_plaso_jsonl(path: Path, options: ReadOptions) -> ImportResult:
    aside = SetAside()
    options.report(0.0)
    items = [
        (f"line {number}", f"line-{number}", obj)
        for number, obj in json_lines(path, options, aside)
    ]
    if not items and aside.total:
        raise ReadError(path, "no line is a JSON object", where=aside.rows[0].where)
    return _plaso_records(path, items, "plaso-jsonl", options, aside, len(items))


def read_plaso_json(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    text = decode(read_bytes(path), path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise ReadError(
            path,
            f"not JSON ({getattr(exc, 'msg', str(exc))[:120]})",
            where=f"line {line}" if line else None,
        ) from None
    if not isinstance(data, dict):
        raise ReadError(path, f"a JSON {type(data).__name__}; Plaso JSON is one object of events")
    options.report(0.3)
    items = [(f'event "{key[:60]}"', str(key), obj) for key, obj in data.items()]
    return _plaso_records(path, items, "plaso-json", options, SetAside(), len(items), 0.3)


# --- sniffing and registration -------------------------------------------------------


def _header(head: bytes) -> list[str]:
    return [h.strip() for h in first_record(head) or []]


def _sniff_dynamic(head: bytes, path: Path) -> int:
    lower = [h.lower() for h in _header(head)]
    if lower[:2] == ["datetime", "timestamp_desc"] and (
        set(lower) >= _DYNAMIC or {"source_long", "display_name"} & set(lower)
    ):
        return 3
    return 0


def _sniff_l2tcsv(head: bytes, path: Path) -> int:
    header = _header(head)
    if [h.lower() for h in header[:4]] == ["date", "time", "timezone", "macb"]:
        return 3
    return 2 if "MACB" in header and "sourcetype" in header else 0


def _sniff_tln(width: int) -> Any:
    def sniff(head: bytes, path: Path) -> int:
        header, fields = _tln_header(head)
        if header is not None:
            return 3 if len(header) == width else 0
        line = head_text(head).split("\n", 1)[0]
        first = line.split("|", 1)[0].strip()
        return 2 if fields == width and first.isdigit() else 0

    return sniff


_PLASO_LINE = re.compile(
    r'"__container_type__"\s*:\s*"event"|"date_time"\s*:\s*\{\s*"__class_name__"'
)
_PLASO_JSON = re.compile(r'^\s*\{\s*"event_\d+"\s*:\s*\{')


def _sniff_plaso_jsonl(head: bytes, path: Path) -> int:
    text = head_text(head).lstrip()
    if not text.startswith("{") or _PLASO_JSON.match(text):
        return 0
    return 3 if _PLASO_LINE.search(text.split("\n", 1)[0]) else 0


def _sniff_plaso_json(head: bytes, path: Path) -> int:
    return 3 if _PLASO_JSON.match(head_text(head)) else 0


LOG = (".log", ".csv", ".txt")
register(Format("plaso-dynamic", "Plaso dynamic CSV", LOG, _sniff_dynamic, read_dynamic))
register(Format("l2tcsv", "Plaso l2tcsv", LOG, _sniff_l2tcsv, read_l2tcsv))
register(
    Format(
        "plaso-jsonl", "Plaso JSON lines", (".jsonl", ".log"), _sniff_plaso_jsonl, read_plaso_jsonl
    )
)
register(Format("plaso-json", "Plaso JSON", (".json", ".log"), _sniff_plaso_json, read_plaso_json))
register(Format("tln", "TLN (pipe-separated)", (".tln", ".log", ".txt"), _sniff_tln(5), read_tln))
register(
    Format(
        "l2ttln", "L2TTLN (pipe-separated)", (".tln", ".log", ".txt"), _sniff_tln(7), read_l2ttln
    )
)

__all__ = ["L2TCSV_COLUMNS", "date_time_seconds", "local_dates", "zone_offsets"]
