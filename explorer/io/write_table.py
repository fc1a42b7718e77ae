"""Events out as a table: CSV or Excel (.xlsx), one row per event.

Columns: ``id, start, end, title, summary, status, actors, roles, themes,
sources, figures``, then, when the document has annotations, ``starred`` ("yes"
or empty), ``analyst_tags`` (joined like themes) and ``analyst_notes`` (a JSON list
of ``{"id", "author", "time", "text"}``, as in the native format), which the
table reader reads back as annotations. Dates are written as much as is known (``2025``,
``2026-06``, ``2026-06-24T10:30``; see docs/format.md), so that reading the file
back gives the same precision. Actor, theme, source and figure lists are joined
with ``"; "``; ``roles`` lines up with ``actors`` (empty when no link has a
role). Sources are written as "publisher: title" (or the URL, or the id).
:mod:`explorer.io.read_table` reads such a file back with the mapping it guesses
(start -> date, summary -> text, themes -> tags, ...): events, dates with their
precision, actors with their roles and themes survive whole: a name that holds
``;`` or ``|``, starts with a quote or starts or ends with a space is written in
double quotes (``"Smith; Jones LLP"; Acme``), which the reader takes as one name
exactly as written. Sources and figures are written for people to read, not read back.

**Formula-injection guard (OWASP).** A spreadsheet runs a cell starting with
``=``, ``+``, ``-`` or ``@`` (and some treat a leading tab or carriage return
the same way) as a formula. So every text cell, the header included, that
starts with one of those characters after any run of ``'`` gets one ``'`` put
in front: ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``, the date
``-0044`` is written ``'-0044``, and ``'=x`` is written ``''=x`` so that reading
back is exact. Numbers would be left alone (none of these columns holds one).
The readers remove the ``'`` again (:func:`explorer.io.read_table.unguard`).
In Excel files every text cell is also stored as a string, never as a formula
or hyperlink; a carriage return is written as a line feed (XML would turn it
into one anyway) and other characters Excel cannot store (control characters
other than tab and line feed) as U+FFFD.

Both writers save atomically: the old file stays whole until the new one is.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import re
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.atomic import atomic_open, atomic_write_bytes
from explorer.io.errors import WriteError
from explorer.io.guard import GUARD_PATTERN, guard
from explorer.io.parquet_annotations import annotation_columns
from explorer.model.dates import DAY, HOUR, MINUTE, Precision, civil_from_days
from explorer.model.document import NO_END, Document
from explorer.model.zones import iso_offset, utc_offsets

COLUMNS: Final = (
    "id",
    "start",
    "end",
    "title",
    "summary",
    "status",
    "actors",
    "roles",
    "themes",
    "sources",
    "figures",
)
SEPARATOR: Final = "; "
_SPACE: Final = r"[\s\pZ\x0b\x1c-\x1f\x85]"  # what the reader would trim
NEEDS_QUOTES: Final = rf'[;|]|^{_SPACE}|{_SPACE}$|^"'
DANGEROUS: Final = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS: Final = 1_048_576
EXCEL_MAX_CELL: Final = 32_767
_ILLEGAL_EXCEL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_LARGE = pa.large_string()


def _guard_array(arr: pa.Array) -> pa.Array:
    if not len(arr):
        return arr
    risky = pc.match_substring_regex(arr, GUARD_PATTERN)
    if not pc.any(risky).as_py():
        return arr
    return pc.if_else(risky, _concat("'", arr), arr)


def _concat(*parts: Any) -> pa.Array:
    args = [pa.scalar(p, _LARGE) if isinstance(p, str) else p.cast(_LARGE) for p in parts]
    return pc.binary_join_element_wise(*args, pa.scalar("", _LARGE))


def _text(values: Any) -> pa.Array:
    if isinstance(values, pd.Series):
        values = values.array
    arr = pa.array(values, from_pandas=True) if not isinstance(values, pa.Array) else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr.cast(_LARGE), "")


def _padded(values: npt.NDArray[np.int64], width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(_LARGE), width, "0")


def iso_dates(seconds: Any, precision: Any) -> pa.Array:
    """`format_iso` for whole columns ("" where the precision is NO_END), years past
    9999 with a "+"."""
    seconds = np.asarray(seconds, dtype=np.int64)
    precision = np.asarray(precision, dtype=np.int8)
    days = seconds // DAY
    rest = seconds - days * DAY
    y, m, d = civil_from_days(days)
    plain = pa.array(y).cast(_LARGE)
    year = pc.if_else(pa.array((y >= 0) & (y <= 9999)), pc.utf8_lpad(plain, 4, "0"), plain)
    # Years past 9999 carry ISO 8601's expanded-year sign ("+10000"): a bare five-digit
    # number in a date column is read back as a count, never as a year.
    year = pc.if_else(pa.array(y > 9999), _concat("+", plain), year)
    parts = [year]
    for level, sep, values in (
        (Precision.MONTH, "-", m),
        (Precision.DAY, "-", d),
        (Precision.HOUR, "T", rest // HOUR),
        (Precision.MINUTE, ":", rest % HOUR // MINUTE),
        (Precision.SECOND, ":", rest % MINUTE),
    ):
        wanted = pa.array(precision >= level)
        parts.append(pc.if_else(wanted, _concat(sep, _padded(values, 2)), ""))
    out = _concat(*parts)
    return pc.if_else(pa.array(precision == NO_END), "", out)


def zoned_iso_dates(seconds: Any, precision: Any, tz: tzinfo) -> pa.Array:
    """`iso_dates` on the wall clock of `tz`, with the offset ("2026-06-24T06:30-04:00",
    which reads back to the same instant). Dates known only to the day or coarser are
    written as they are: they name a calendar day, not an instant."""
    seconds = np.asarray(seconds, dtype=np.int64)
    precision = np.asarray(precision, dtype=np.int8)
    timed = precision > Precision.DAY
    offsets = np.zeros_like(seconds)
    found = utc_offsets(seconds[timed], tz)
    offsets[timed] = np.sign(found) * (np.abs(found) // MINUTE * MINUTE)  # ISO: whole minutes
    # An hour in a zone whose offset has minutes is only right to the minute.
    finer = timed & (precision == Precision.HOUR) & (offsets % HOUR != 0)
    text = iso_dates(seconds + offsets, np.where(finer, np.int8(Precision.MINUTE), precision))
    unique, inverse = np.unique(offsets, return_inverse=True)
    suffix = pa.array([iso_offset(int(o)) for o in unique], _LARGE).take(pa.array(inverse))
    return pc.if_else(pa.array(timed), _concat(text, suffix), text)


def quote_names(values: pa.Array) -> pa.Array:
    """Names as list items that read back whole: a name holding ; or |, starting with a
    quote, or starting or ending with a space is written in double quotes ("" for a
    quote inside), as a spreadsheet user would write it: "Smith; Jones LLP"; Acme."""
    if not len(values):
        return values
    risky = pc.match_substring_regex(values, NEEDS_QUOTES)
    if not pc.any(risky).as_py():
        return values
    quoted = _concat('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.if_else(risky, quoted, values)


def _joined(rows: npt.NDArray[np.int64], values: pa.Array, n: int) -> pa.Array:
    """Per event row, its `values` joined by "; " (in link order)."""
    keep = rows >= 0
    rows, values = rows[keep], values.filter(pa.array(keep))
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values.take(pa.array(order)))
    return pc.fill_null(pc.binary_join(lists, pa.scalar(SEPARATOR, _LARGE)), "")


def _names(ids: pd.Series, table: pd.DataFrame, label: pa.Array) -> pa.Array:
    """The label of each referenced id (the id itself when it is unknown)."""
    index = pd.Index(table["id"]).get_indexer(ids)
    ids_arr = _text(ids)
    if not len(index):
        return ids_arr
    found = pa.array(index >= 0)
    return pc.if_else(found, label.take(pa.array(np.maximum(index, 0))), ids_arr)


def event_table(doc: Document, tz: tzinfo | None = None) -> dict[str, pa.Array]:
    """The rows of the export, column by column, not yet guarded. With a display zone
    `tz`, start_local and end_local say the times in it (start and end stay UTC)."""
    events = doc.events
    n = len(events)
    rows_of = pd.Index(events["id"])

    def rows(frame: pd.DataFrame) -> npt.NDArray[np.int64]:
        return np.asarray(rows_of.get_indexer(frame["event_id"]), dtype=np.int64)

    out: dict[str, pa.Array] = {
        "id": _text(events["id"]),
        "start": iso_dates(events["start"], events["start_precision"]),
        "end": iso_dates(events["end"], events["end_precision"]),
        "title": _text(events["title"]),
        "summary": _text(events["summary"]),
        "status": _text(events["status"].astype("str")),
    }
    if tz is not None:
        out["start_local"] = zoned_iso_dates(events["start"], events["start_precision"], tz)
        out["end_local"] = zoned_iso_dates(events["end"], events["end_precision"], tz)
    links = doc.links
    actor_names = _names(links["actor_id"], doc.actors, _text(doc.actors["name"]))
    out["actors"] = _joined(rows(links), quote_names(actor_names), n)
    roles = _joined(rows(links), quote_names(_text(links["role"])), n)
    out["roles"] = pc.if_else(pc.match_substring_regex(roles, r"^[;\s]*$"), "", roles)
    themes = doc.event_themes
    theme_names = _names(themes["theme_id"], doc.themes, _text(doc.themes["name"]))
    out["themes"] = _joined(rows(themes), quote_names(theme_names), n)
    src = doc.sources
    publisher, title, url = _text(src["publisher"]), _text(src["title"]), _text(src["url"])
    both = pc.and_(pc.not_equal(publisher, ""), pc.not_equal(title, ""))
    label = pc.if_else(
        both,
        _concat(publisher, ": ", title),
        pc.if_else(
            pc.not_equal(title, ""),
            title,
            pc.if_else(
                pc.not_equal(publisher, ""),
                publisher,
                pc.if_else(pc.not_equal(url, ""), url, _text(src["id"])),
            ),
        ),
    )
    ev_src = doc.event_sources
    out["sources"] = _joined(rows(ev_src), _names(ev_src["source_id"], src, label), n)
    figures = doc.figures
    out["figures"] = _joined(rows(figures), _text(figures["text"]), n)
    annotations = annotation_columns(doc)
    if annotations:
        out["starred"] = pc.if_else(annotations["starred"], "yes", "").cast(_LARGE)
        tags = annotations["tags"]
        names = quote_names(_text(pc.list_flatten(tags)))
        lists = pa.LargeListArray.from_arrays(pa.array(tags.offsets.cast(pa.int64())), names)
        out["analyst_tags"] = pc.fill_null(pc.binary_join(lists, pa.scalar(SEPARATOR, _LARGE)), "")
        out["analyst_notes"] = _text(annotations["notes"])
    return out


def header(tz: tzinfo | None = None) -> tuple[str, ...]:
    """The export's columns: with a display zone, its local times after end."""
    if tz is None:
        return COLUMNS
    return (*COLUMNS[:3], "start_local", "end_local", *COLUMNS[3:])


def _columns(
    doc: Document, path: Path, *, guarded: bool, tz: tzinfo | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The header (COLUMNS, the zone's local times if any, then the annotation columns
    if any) and the columns."""
    if not doc.events["id"].is_unique:
        raise WriteError(path, "event ids are not unique")
    table = event_table(doc, tz)
    names = list(header(tz))
    names += [c for c in table if c not in names]
    if guarded:
        return names, [_guard_array(table[c]).to_pylist() for c in names]
    return names, [table[c].to_pylist() for c in names]


def dumps_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """Any table as guarded CSV bytes: UTF-8 with a BOM (so that Excel reads accents
    right), CRLF rows; text cells guarded, numbers written as numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guard(v) for v in header])
    writer.writerows([guard(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig", "backslashreplace")


def dumps_csv(doc: Document, path: str | Path = "events.csv", tz: tzinfo | None = None) -> bytes:
    """The events as CSV bytes (see :func:`dumps_rows`)."""
    names, columns = _columns(doc, Path(path), guarded=True, tz=tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guard(c) for c in names])
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue().encode("utf-8-sig", "backslashreplace")


def write_csv(doc: Document, path: str | Path, tz: tzinfo | None = None) -> None:
    """Save the events as CSV, atomically (with local-time columns for a zone `tz`)."""
    atomic_write_bytes(path, dumps_csv(doc, path, tz))


def _excel_text(value: str) -> str:
    """What an Excel cell can hold: line breaks as "\n" (XML turns a carriage return
    into one anyway), other control characters as U+FFFD."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL_EXCEL.sub("\ufffd", value)


def write_excel(doc: Document, path: str | Path, tz: tzinfo | None = None) -> None:
    """Save the events as an .xlsx workbook (one sheet, "Events"), atomically."""
    names, columns = _columns(doc, Path(path), guarded=False, tz=tz)
    write_excel_rows(path, names, zip(*columns, strict=True), len(columns[0]))


def write_excel_rows(
    path: str | Path,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    count: int = 0,
    sheet_name: str = "Events",
) -> None:
    """Any table as an .xlsx workbook: text cells guarded and stored as strings (never
    formulas), numbers as numbers. `count` (rows, if known) is checked against
    Excel's limit before anything is written."""
    path = Path(path)
    try:
        openpyxl = importlib.import_module("openpyxl")
        cell_module = importlib.import_module("openpyxl.cell")
    except ImportError:
        raise WriteError(path, "writing Excel files needs the openpyxl package") from None
    if count + 1 > EXCEL_MAX_ROWS:
        raise WriteError(path, f"{count:,} rows do not fit in one Excel sheet (at most 1,048,575)")

    def prepared(value: Any) -> Any:
        if isinstance(value, str):
            value = guard(_excel_text(value))
            if len(value) > EXCEL_MAX_CELL:
                raise WriteError(
                    path, f"a cell holds {len(value):,} characters; Excel stores 32,767"
                )
        return value

    # Every cell is checked before the workbook exists, so a refusal leaves nothing open.
    table = [[prepared(v) for v in header]]
    for row in rows:
        table.append([prepared(v) for v in row])
        if len(table) > EXCEL_MAX_ROWS:
            raise WriteError(path, "too many rows for one Excel sheet (at most 1,048,575)")
    # The workbook exists only inside the save: a folder that cannot be written fails
    # before openpyxl starts its row writer (which would print a traceback at exit).
    with atomic_open(path) as handle:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(sheet_name)

        def cell(value: Any) -> Any:
            made = cell_module.WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                made.data_type = "s"  # text, never a formula
            return made

        try:
            for values in table:
                sheet.append([cell(v) for v in values])
            book.save(handle)
        except BaseException:
            with contextlib.suppress(Exception):
                sheet.close()  # end openpyxl's row writer here, quietly
            raise
