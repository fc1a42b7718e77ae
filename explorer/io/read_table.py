"""Generic tables: CSV (any common delimiter) and Excel workbooks (.xlsx), read
through a column mapping.

**Mapping.** Each *role* names the column(s) it is read from:

======== ==========================================================================
role     meaning
======== ==========================================================================
date     required: when the event starts
end      when it ends (blank: no end)
title    the event's title
text     its summary
actors   one or several columns of actor names (``home_team`` + ``away_team``)
roles    the role of each actor, aligned with a single ``actors`` column
group    one value per row, made a theme (``tournament``)
tags     theme names
status   a claim status (confirmed, reported, alleged, disputed, retracted)
id       the event id (blank or missing: ``row-<n>``)
month    with ``date`` a year column: the month (1-12) of a date written in columns
day      with ``month``: the day of the month
starred  the analyst's star (yes, true, 1, y, x, ★; blank: not starred)
analyst_tags   the analyst's tags, a list like actors (not themes)
analyst_notes  the analyst's notes, a JSON list as our writers write it
======== ==========================================================================

The annotation roles are guessed only from headers named exactly so (``starred``,
``analyst_tags``, ``analyst_notes``: what explorer.io.write_table writes), so a
foreign ``tags`` column stays themes and a ``notes`` column stays text.

Two settings ride along in the same mapping: ``date_order`` (``dmy`` or ``mdy``,
also spelt ``date-order``) and ``sheet`` (Excel sheet name; default the first).
:func:`guess_mapping` guesses the roles from the header names and the contents;
``ReadOptions.mapping`` overrides the guess role by role (a role given ``""`` is
dropped). Several columns for one role are a list, or one string joined by
``,`` or ``+``.

**Several names in a cell.** An actors, roles or tags cell may hold several
names separated by ``;`` or ``|`` (``"Anthropic; Alibaba"``); not by commas,
which occur inside names ("Korea, Republic of"). Names are trimmed, except a name
in double quotes, which is kept exactly as written (``"Smith; Jones LLP"; " AT|T "``,
``""`` for a quote inside): that is how our writers write a name that would not
read back whole. Blank names are dropped. With several actor columns, each link's
role is its column's name.

**Missing values.** ``NA``, ``N/A``, ``#N/A``, ``NaN``, ``NULL``, ``<NA>`` (any of
the spellings in :data:`NA_TOKENS`) count as empty in every column except
title, text and id, whose text is kept as written.

**Titles and summaries.** Without a title column, titles are the actor names
joined by " – ", else the group, else the first unmapped text column. Without a
text column, the summary lists the unmapped columns as ``column: value`` lines,
so nothing in the file is lost from view. The notes say which was done.

**Dates.** A date cell may be ISO-like (``2020``, ``2020-04``, ``2020-04-03``,
``2020-04-03T10:30:15.25+02:00``, a space for the ``T``, negative or long years),
day and month with slashes, dots or dashes (``03/04/2020``, ``3.4.2020 14:30``),
``2020/04/03``, or with an English month name (``3 April 2020``, ``Apr 3, 2020``,
``April 2020``). A column of large numbers whose header mentions a timestamp,
epoch or time is Unix time in s, ms, µs or ns (told apart by size). Precision is
what is written: ``2020-04`` is the whole month. Offsets are converted to UTC;
times without one are taken as UTC, and a note says so.

**Day/month order.** ``03/04/2020`` is read in one order for the whole file
(date and end columns together): a first field over 12 in some row settles
day/month, a second field over 12 settles month/day (rows that contradict the
majority are set aside); if nothing settles it, the file is read as day/month
and a note says so. ``date_order`` in the mapping decides instead.

**Set-aside rows.** A row whose date (or end, or status) cannot be read is set
aside with a reason, and the rest of the file is read. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first data row is row 2, and a
quoted cell holding a line break is still one row. Blank rows are skipped quietly.

**Injection guard.** Our CSV and Excel writers put a ``'`` before any text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return after
any run of ``'`` (see :mod:`explorer.io.write_table`). :func:`unguard` undoes it on
reading, for every table: one leading ``'`` is removed from a cell made of one
or more ``'`` followed by one of those characters. Other cells are untouched.

Text is UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is
refused at its first bad byte. Everything is done on whole columns (pyarrow
compute), so a 50,000-row CSV opens in a fraction of a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import itertools
import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io import excel_dates
from explorer.io.builder import build_document, unique_ids
from explorer.io.errors import ReadError
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.datescan import (
    _EMPTY,
    _OK,
    TWO_DIGIT_PIVOT,
    _arrow,
    _blank,
    _date_reason,
    _decide_order,
    _finish,
    _is_na,
    _np_bool,
    _scan,
    _series,
)
from explorer.io.kit.epochs import UNIT_NAMES, Unit
from explorer.io.kit.profile import (
    Choice,
    Profile,
    choose_time,
    header_looks_like_data,
    profile,
    rejected,
    says_year,
    tokens,
)
from explorer.io.limits import check_cells, check_columns, check_workbook, first_header_width
from explorer.io.native_annotations import annotation_tables
from explorer.io.result import MAX_SKIPPED_KEPT, ImportResult, SkippedRow
from explorer.io.text import encoding_problem, read_text
from explorer.io.writers import WRITERS
from explorer.model.dates import (
    period_ends,
)
from explorer.model.document import (
    ACTOR_COLUMNS,
    DEFAULT_STATUS,
    NO_END,
    THEME_COLUMNS,
    ClaimStatus,
)

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
ANNOTATION_ROLES: Final = ("starred", "analyst_tags", "analyst_notes")
_STARRED_WORDS: Final = ("yes", "true", "1", "y", "x", "★", "*", "starred")
Bool = npt.NDArray[np.bool_]

ROLES: Final = (
    "date",
    "end",
    "title",
    "text",
    "actors",
    "roles",
    "group",
    "tags",
    "status",
    "id",
    "month",
    "day",
    *ANNOTATION_ROLES,
)
_MONTH_NAMES: Final = ("month", "mon", "mm", "month_of_year")
_DAY_NAMES: Final = ("day", "dd", "date_of_month", "day_of_month", "dom", "mday")
LIST_ROLES: Final = frozenset({"actors", "tags"})
SETTINGS: Final = ("date_order", "sheet", "epoch")
DATE_ORDERS: Final = ("dmy", "mdy")
NAME_SEPARATOR: Final = r"\s*[;|]\s*"
_QUOTED_ITEM: Final = r'(?:^|[;|])\s*"'  # some name in the cell starts with a quote
DELIMITERS: Final = (",", ";", "\t", "|")

_KEEP_AS_WRITTEN: Final = frozenset({"title", "text", "id"})
_ALIASES: Final = {
    "start": "date",
    "start_date": "date",
    "summary": "text",
    "description": "text",
    "actor": "actors",
    "role": "roles",
    "tag": "tags",
    "themes": "tags",
    "theme": "tags",
    "order": "date_order",
    "dateorder": "date_order",
}
_GUARDED: Final = r"^'('*[=+\-@\t\r])"

# --- header names the guess knows, best first ------------------------------------------

_TITLE_NAMES: Final = (
    "title",
    "headline",
    "name",
    "event",
    "what",
    "event_name",
    "subject",
    "message",
    "summary",
    "short",
)
_TEXT_NAMES: Final = (
    "description",
    "text",
    "details",
    "detail",
    "notes",
    "note",
    "body",
    "content",
    "summary",
    "message",
    "desc",
    "comment",
    "comments",
)
_TITLE_WORDS: Final = frozenset({"title", "headline", "name", "event", "message", "subject"})
_PERSON_NAMES: Final = ("actors", "actor", "who", "person", "persons", "people", "participants")
_ACTOR_NAMES: Final = (
    *_PERSON_NAMES,
    "participant",
    "parties",
    "party",
    "team",
    "teams",
    "player",
    "players",
    "user",
    "username",
    "author",
    "organisation",
    "organization",
    "host",
    "hostname",
    "computer",
    "computer_name",
    "computername",
)
_GROUP_NAMES: Final = (
    "group",
    "category",
    "tournament",
    "competition",
    "league",
    "lane",
    "track",
    "section",
    "topic",
)
_TAG_NAMES: Final = (
    "tags",
    "tag",
    "labels",
    "label",
    "keywords",
    "keyword",
    "themes",
    "theme",
    "hashtags",
    "categories",
)
_STATUS_NAMES: Final = (
    "status",
    "claim_status",
    "claim",
    "verification",
    "verification_status",
    "verified",
    "veracity",
)
_ID_NAMES: Final = ("id", "event_id", "eventid", "uuid", "identifier")
_ROLE_NAMES: Final = ("roles", "role")
_STATUSES: Final = tuple(s.value for s in ClaimStatus)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def unguard(values: pd.Series) -> pd.Series:
    """Undo the writers' formula-injection guard on a column (see the module docstring)."""
    return _series(_unguard_array(_arrow(values)))


def unguard_text(value: str) -> str:
    """:func:`unguard` for one string."""
    return re.sub(_GUARDED, r"\1", value)


def _unguard_array(arr: pa.Array) -> pa.Array:
    if len(arr) == 0 or not pc.any(pc.starts_with(arr, "'")).as_py():
        return arr
    return pc.replace_substring_regex(arr, _GUARDED, r"\1")


# --- guessing the mapping --------------------------------------------------------------


def _ranked(columns: Sequence[str], names: Sequence[str], taken: set[str]) -> list[str]:
    """Columns whose normalised header is in `names`, best-ranked first."""
    rank = {name: i for i, name in enumerate(names)}
    found = [(rank[_norm(c)], i, c) for i, c in enumerate(columns) if _norm(c) in rank]
    return [c for _, _, c in sorted(found) if c not in taken]


@dataclass
class Inference:
    """A guessed mapping with its work shown: the time columns chosen and why, the
    columns that were passed over, and how the titles were picked."""

    mapping: dict[str, str | list[str]]
    choices: list[Choice] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for stderr and the dialog: the guess, how sure, the alternatives."""
        if not self.choices:
            return "no column looks like dates"
        text = "; ".join(choice.describe() for choice in self.choices)
        if self.rejected:
            passed = ", ".join(f'"{c}" ({why})' for c, why in self.rejected[:4])
            text += f"; not dates: {passed}"
        return text


def guess_mapping(columns: list[str], sample: pd.DataFrame) -> dict[str, str | list[str]]:
    """Roles guessed from header names and the sampled contents (see `infer_mapping`)."""
    return infer_mapping(columns, sample).mapping


def infer_mapping(columns: list[str], sample: pd.DataFrame) -> Inference:
    """Roles guessed from header names and, for dates, statuses and titles, from
    `sample` rows.

    See the module docstring for the roles and kit.profile for how the time column is
    chosen. Header names are compared lower-cased with runs of other characters as "_"
    ("Start Date" is "start_date"). No date means no "date" key. Actors are an
    "actors"/"actor"/"who"/"person"... column, else a home_X/away_X or X1/X2 pair,
    else a "team"/"player"/"user"/"host"... column. A status column is taken only if
    every sampled value is a claim status. Titles and summaries are text columns,
    never booleans, hex, ids or numbers.
    """
    columns = [str(c) for c in columns]
    cells = {
        c: _arrow(sample[c]) if c in sample.columns else pa.array([], pa.large_string())
        for c in columns
    }
    profiles = {c: profile(c, cells[c]) for c in columns}
    taken: set[str] = set()
    mapping: dict[str, str | list[str]] = {}
    inference = Inference(mapping, profiles=profiles)

    def take(role: str, column: str) -> None:
        mapping[role] = column
        taken.add(column)

    ordered = [profiles[c] for c in columns]
    date = choose_time(ordered, "date")
    if date is not None:
        take("date", date.column)
        inference.choices.append(date)
        _split_date(date.column, columns, cells, take)
        end = choose_time(ordered, "end", frozenset(taken))
        if end is not None:
            take("end", end.column)
            inference.choices.append(end)
    inference.rejected = [(c, why) for c, why in rejected(ordered) if c not in taken]
    for column in _ranked(columns, _ID_NAMES, taken)[:1]:
        # An id names one event: a column of repeated values ("Event ID" 4624 on every
        # logon) is a kind of event, not an id, and stays in the summary.
        if profiles[column].distinct > 0.5 * profiles[column].cells:
            take("id", column)
    for role in ANNOTATION_ROLES:
        for column in _ranked(columns, (role,), taken)[:1]:
            take(role, column)
    for column in _ranked(columns, _STATUS_NAMES, taken):
        values = pc.utf8_lower(pc.utf8_trim_whitespace(cells[column]))
        values = values.filter(pc.not_equal(values, ""))
        if pc.all(pc.is_in(values, value_set=pa.array(_STATUSES))).as_py() in (True, None):
            take("status", column)
            break
    persons = _ranked(columns, _PERSON_NAMES, taken)
    pair = _actor_pair(columns, taken)
    if persons:
        take("actors", persons[0])
        mapping["actors"] = [persons[0]]
    elif pair:
        mapping["actors"] = pair
        taken.update(pair)
    else:
        singles = _ranked(columns, _ACTOR_NAMES, taken)
        if singles:
            take("actors", singles[0])
            mapping["actors"] = [singles[0]]
    if len(mapping.get("actors", [])) == 1:
        for column in _ranked(columns, _ROLE_NAMES, taken)[:1]:
            take("roles", column)
    for column in _ranked(columns, _TAG_NAMES, taken)[:1]:
        take("tags", column)
        mapping["tags"] = [column]
    for column in _ranked(columns, _GROUP_NAMES, taken)[:1]:
        take("group", column)
    # Named exactly as text ("title", "summary"): taken as the file says. Only worded
    # like a title ("ExecutableName") or picked by content: free text, never flags or hex.
    named = columns
    texts = [c for c in columns if profiles[c].text_like or profiles[c].cells == 0]
    worded = [c for c in texts if set(tokens(c)) & _TITLE_WORDS and c not in taken]
    for column in [*_ranked(named, _TITLE_NAMES, taken), *worded][:1]:
        take("title", column)
    for column in _ranked(named, _TEXT_NAMES, taken)[:1]:
        take("text", column)
    return inference


def _whole_in(values: pa.Array, lo: int, hi: int) -> bool:
    """Every non-blank cell a whole number in lo..hi (and at least one)."""
    text = pc.utf8_trim_whitespace(values)
    text = text.filter(pc.not_equal(text, ""))
    if not len(text) or not pc.all(pc.match_substring_regex(text, r"^\d{1,2}$")).as_py():
        return False
    numbers = pc.cast(text, pa.int64())
    return bool(pc.min(numbers).as_py() >= lo and pc.max(numbers).as_py() <= hi)


def _split_date(
    date: str, columns: Sequence[str], cells: Mapping[str, pa.Array], take: Any
) -> None:
    """A year column beside month and day columns (year, month, date_of_month) is one
    date written in three: the month and day roles join it, so a day is not read as a
    year."""
    if not says_year(date) and _norm(date) != "yr":
        return
    months = [c for c in columns if _norm(c) in _MONTH_NAMES and _whole_in(cells[c], 1, 12)]
    if not months:
        return
    take("month", months[0])
    days = [c for c in columns if _norm(c) in _DAY_NAMES and _whole_in(cells[c], 1, 31)]
    if days:
        take("day", days[0])


def _joined_date(year: pa.Array, month: pa.Array | None, day: pa.Array | None) -> pa.Array:
    """ "1994", "1", "2" -> "1994-01-02"; a blank month or day leaves the coarser date."""

    def part(values: pa.Array) -> tuple[pa.Array, pa.Array]:
        text = pc.utf8_trim_whitespace(values)
        return pc.equal(text, ""), pc.utf8_lpad(text, 2, "0")

    out = pc.utf8_trim_whitespace(year)
    if month is None:
        return out
    no_month, mm = part(month)
    with_month = _concat(out, "-", mm)
    if day is not None:
        no_day, dd = part(day)
        with_month = pc.if_else(no_day, with_month, _concat(with_month, "-", dd))
    return pc.if_else(no_month, out, with_month)


def _actor_pair(columns: Sequence[str], taken: set[str]) -> list[str] | None:
    norms = {_norm(c): c for c in columns if c not in taken}
    for norm, column in norms.items():
        if norm == "home" and "away" in norms:
            return [column, norms["away"]]
        if norm.startswith("home_") and f"away_{norm[5:]}" in norms:
            return [column, norms[f"away_{norm[5:]}"]]
        match = re.fullmatch(r"([a-z]+)_?1", norm)
        if match and match.group(1) in _ACTOR_NAMES:
            for second in (f"{match.group(1)}2", f"{match.group(1)}_2"):
                if second in norms:
                    return [column, norms[second]]
    return None


# --- the mapping in force --------------------------------------------------------------


@dataclass
class _Mapping:
    roles: dict[str, list[str]]
    settings: dict[str, str]
    given: set[str] = field(default_factory=set)

    def one(self, role: str) -> str | None:
        columns = self.roles.get(role)
        return columns[0] if columns else None

    def describe(self) -> str:
        parts = []
        for role in ROLES:
            if role in self.roles:
                cols = " + ".join(f'"{c}"' for c in self.roles[role])
                parts.append(f"{role} {cols}{' (as given)' if role in self.given else ''}")
        return "columns read as: " + ", ".join(parts)


def _resolve(
    guess: Mapping[str, object], given: Mapping[str, object] | None, columns: list[str], path: Path
) -> _Mapping:
    result = _Mapping({}, {})
    listing = ", ".join(f'"{c}"' for c in columns)
    for source, items in (("guess", guess), ("given", given or {})):
        for key, value in items.items():
            role = str(key).strip().lower().replace("-", "_").replace(" ", "_")
            role = _ALIASES.get(role, role)
            if role in SETTINGS:
                text = str(value).strip()
                if role == "date_order":
                    text = text.lower().replace("/", "").replace("-", "")
                    text = {"daymonth": "dmy", "monthday": "mdy"}.get(text, text)
                    if text not in DATE_ORDERS:
                        raise ReadError(
                            path, f'date order "{value}" is not "dmy" or "mdy"', field="date_order"
                        )
                result.settings[role] = text
                continue
            if role not in ROLES:
                raise ReadError(
                    path,
                    f'"{key}" is not a mapping role (roles: {", ".join(ROLES)}; '
                    f"settings: date-order, sheet, epoch)",
                )
            names = _column_list(value, columns)
            if not names:
                result.roles.pop(role, None)
                result.given.discard(role)
                continue
            for name in names:
                if name not in columns:
                    raise ReadError(
                        path,
                        f'column "{name}" given for {role} is not in the file (columns: {listing})',
                    )
            if len(names) > 1 and role not in LIST_ROLES:
                raise ReadError(path, f"{role} is read from one column, not {len(names)}")
            result.roles[role] = names
            if source == "given":
                result.given.add(role)
    return result


def sample_rows(nonblank: Bool, size: int = 100) -> I64:
    """The rows profiled: the first ones and as many spread over the file, so that a
    column blank at the top or changing further down is judged on what it holds."""
    rows = np.flatnonzero(nonblank)
    if len(rows) <= 2 * size:
        return rows
    spread = rows[np.linspace(size, len(rows) - 1, size).astype(np.int64)]
    return np.unique(np.concatenate([rows[:size], spread]))


def _epoch_unit(value: str | None, path: Path) -> Unit | None:
    if not value:
        return None
    text = value.strip().lower().replace("µs", "us")
    try:
        return Unit(text)
    except ValueError:
        known = ", ".join(u.value for u in Unit)
        raise ReadError(
            path, f'epoch unit "{value}" is not one of {known}', field="epoch"
        ) from None


def _column_list(value: object, columns: Sequence[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v) != ""]
    text = str(value)
    if text == "" or text in columns:
        return [text] if text else []
    return [part.strip() for part in re.split(r"[,+]", text) if part.strip()]


# --- one table to a document -----------------------------------------------------------


@dataclass
class _SetAside:
    """Rows set aside so far: row number -> (field, reason), first reason wins."""

    mask: Bool  # rows not to read: set aside, or blank
    reasons: dict[int, tuple[str, str]] = field(default_factory=dict)
    total: int = 0
    first_row: int = 2  # what a spreadsheet calls the first data row (1: no header)

    def add(self, positions: Sequence[int] | I64, column: str, reason: Any) -> None:
        """Set aside rows (positions from 0 for the first data row); only the first
        MAX_SKIPPED_KEPT get their reason worked out, the rest are counted."""
        rows = np.asarray(positions, dtype=np.int64)
        rows = rows[~self.mask[rows]] if len(rows) else rows
        self.mask[rows] = True
        self.total += len(rows)
        room = MAX_SKIPPED_KEPT - len(self.reasons)
        for pos in rows[: max(room, 0)].tolist():
            self.reasons[pos] = (column, reason(pos) if callable(reason) else str(reason))

    def rows(self) -> list[SkippedRow]:
        return [
            SkippedRow(f"row {pos + self.first_row}", column, reason)
            for pos, (column, reason) in sorted(self.reasons.items())
        ]


def _concat(*parts: Any) -> pa.Array:
    """Element-wise concatenation of large_string arrays and plain strings."""
    args = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*args, pa.scalar("", pa.large_string()))


def _join(parts: Sequence[pa.Array], separator: str) -> pa.Array:
    """Element-wise join of string arrays, skipping blank parts."""
    out = parts[0]
    for part in parts[1:]:
        both = _concat(out, separator, part)
        out = pc.if_else(pc.equal(out, ""), part, pc.if_else(pc.equal(part, ""), out, both))
    return out


def _split(arr: pa.Array) -> tuple[I64, I64, pa.Array]:
    """(row, position in cell, name) for each name in a column of `;`/`|` lists; a
    name in double quotes is taken whole, as written (see `split_quoted`)."""
    original = arr
    quoted = np.zeros(len(arr), bool)
    if len(arr) and pc.any(pc.match_substring_regex(arr, _QUOTED_ITEM)).as_py():
        quoted = _np_bool(pc.match_substring_regex(arr, _QUOTED_ITEM))
        arr = pc.if_else(pa.array(quoted), "", arr)  # split below, one distinct cell at a time
    if len(arr) and pc.any(pc.match_substring_regex(arr, r"[;|]")).as_py():
        lists = pc.split_pattern_regex(arr, NAME_SEPARATOR)
        parents = np.asarray(pc.list_parent_indices(lists).to_numpy(), np.int64)
        flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    else:
        parents = np.arange(len(arr), dtype=np.int64)
        flat = pc.utf8_trim_whitespace(arr)
    if quoted.any():
        parents, flat = _with_quoted(parents, flat, original, quoted)
    firsts = np.searchsorted(parents, parents, side="left")
    positions = np.arange(len(parents), dtype=np.int64) - firsts
    return parents, positions, flat


def split_quoted(cell: str) -> list[str]:
    """One cell's names: split on ; or |, each trimmed, except that a name in double
    quotes ("" inside for a quote) is kept exactly as written, separators and spaces
    included. A quote that does not close before a separator is just a character."""
    names: list[str] = []
    i, n = 0, len(cell)
    while True:
        j = i
        while j < n and cell[j].isspace():
            j += 1
        if j < n and cell[j] == '"':
            k, buf = j + 1, []
            while k < n:
                if cell[k] == '"':
                    if cell.startswith('""', k):
                        buf.append('"')
                        k += 2
                        continue
                    break
                buf.append(cell[k])
                k += 1
            m = k + 1
            while m < n and cell[m].isspace():
                m += 1
            if k < n and (m >= n or cell[m] in ";|"):
                names.append("".join(buf))
                if m >= n:
                    return names
                i = m + 1
                continue
        found = re.search(r"[;|]", cell[i:])
        end = n if found is None else i + found.start()
        names.append(cell[i:end].strip())
        if end >= n:
            return names
        i = end + 1


def _with_quoted(
    parents: I64, flat: pa.Array, cells: pa.Array, quoted: Bool
) -> tuple[I64, pa.Array]:
    """`parents`/`flat` with the rows of `quoted` cells split by `split_quoted`, once
    per distinct cell (lists repeat: a few distinct cells even in a long file)."""
    rows = np.flatnonzero(quoted)
    values = cells.take(pa.array(rows)).to_numpy(zero_copy_only=False)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    split = [split_quoted(str(u)) for u in uniques]
    lengths = np.array([len(s) for s in split], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    distinct = pa.array([name for names in split for name in names], pa.large_string())
    per_row = lengths[codes]
    starts = np.repeat(offsets[codes], per_row)
    within = np.arange(int(per_row.sum())) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    keep = ~quoted[parents]
    all_parents = np.concatenate([parents[keep], np.repeat(rows, per_row)])
    names = pa.concat_arrays(
        [
            flat.filter(pa.array(keep)).cast(pa.large_string()),
            distinct.take(pa.array(starts + within)),
        ]
    )
    order = np.argsort(all_parents, kind="stable")
    return all_parents[order], names.take(pa.array(order))


def _named_table(
    names: pa.Array, columns: tuple[str, ...]
) -> tuple[pd.DataFrame, npt.NDArray[np.object_]]:
    """A table of the distinct names (ids from the names) and each entry's id."""
    codes, uniques = pd.factorize(pd.Series(names.to_numpy(zero_copy_only=False), dtype=object))
    unique_names = [str(u) for u in uniques]
    ids = unique_ids(unique_names, "")
    table = pd.DataFrame({c: pd.Series([""] * len(ids), dtype="str") for c in columns}).assign(
        id=pd.Series(ids, dtype="str"), name=pd.Series(unique_names, dtype="str")
    )
    table = table.astype("str")
    return table, np.asarray([*ids, ""], dtype=object)[codes]


def _table_result(
    frame: pd.DataFrame,
    path: Path,
    format_name: str,
    options: ReadOptions,
    notes: list[str],
    ragged: dict[int, str] | None = None,
    first_row: int = 2,
) -> ImportResult:
    """A document from a table of text cells (header names as columns)."""
    columns = [str(c) for c in frame.columns]
    cols = {c: _unguard_array(_arrow(frame.iloc[:, i])) for i, c in enumerate(columns)}
    check_cells(path, columns, list(cols.values()), lambda i: f"row {i + 2}")
    n = len(frame)
    # Blank rows are not events and not errors.
    nonblank = np.zeros(n, bool)
    for arr in cols.values():
        nonblank |= ~_blank(arr)
    aside = _SetAside(mask=~nonblank, first_row=first_row)
    for pos, reason in sorted((ragged or {}).items()):
        aside.add([pos], "", reason)
    sample = pd.DataFrame(
        {c: _series(cols[c].take(pa.array(sample_rows(nonblank)))) for c in columns},
        columns=columns,
    )
    inference = infer_mapping(columns, sample)
    mapping = _resolve(inference.mapping, options.mapping, columns, path)
    options.report(0.2)

    date_column = mapping.one("date")
    if date_column is None:
        listing = ", ".join(f'"{c}"' for c in columns)
        passed = "".join(f'; "{c}": {why}' for c, why in inference.rejected[:3])
        raise ReadError(
            path,
            f"no column looks like dates, so this is not a timeline (columns: {listing}"
            f"{passed}); if one holds dates, say which with --map date=COLUMN",
        )
    notes.append(mapping.describe())
    if "date" not in mapping.given:
        notes.append("guessed " + inference.describe())

    # NA tokens are blanks outside free text.
    na_cells = 0
    for column in columns:
        if any(column in cs for role, cs in mapping.roles.items() if role in _KEEP_AS_WRITTEN):
            continue
        na = _is_na(cols[column])
        if na.any():
            na_cells += int((na & nonblank).sum())
            cols[column] = pc.if_else(pa.array(na), "", cols[column])
    if na_cells:
        notes.append(f"{na_cells} cells reading NA, N/A, NULL or the like were taken as empty")

    # Dates.
    month_column, day_column = mapping.one("month"), mapping.one("day")
    if month_column is not None:
        cols[date_column] = _joined_date(
            cols[date_column],
            cols[month_column],
            cols[day_column] if day_column is not None else None,
        )
    unit = _epoch_unit(mapping.settings.get("epoch"), path)
    scans = [(date_column, _scan(cols[date_column], unit=unit))]
    end_column = mapping.one("end")
    if end_column is not None:
        scans.append((end_column, _scan(cols[end_column], unit=unit)))
    order = _decide_order(scans, mapping.settings.get("date_order"))
    order_name = order.order if order else None
    if order and order.note:
        notes.append(order.note)
    start, start_prec, start_kind = _finish(scans[0][1], order_name)
    for column, scan in scans:
        if scan.epoch and scan.unit is not None:
            how = "as given" if unit is not None else "the unit told by each number's size"
            units = ", ".join(scan.shapes) or UNIT_NAMES[scan.unit]
            notes.append(f'column "{column}" read as epoch times: {units} ({how})')
        if scan.two_digit:
            notes.append(
                f'{scan.two_digit} dates in "{column}" have two-digit years, read as '
                f"{1900 + TWO_DIGIT_PIVOT}-{2000 + TWO_DIGIT_PIVOT - 1}"
            )
    date_scan = scans[0][1]
    aside.add(
        np.flatnonzero(start_kind != _OK),
        date_column,
        lambda pos: _date_reason(date_scan, int(start_kind[pos]), pos, order_name),
    )
    end = np.zeros(n, np.int64)
    end_prec = np.full(n, NO_END, np.int8)
    naive = int((date_scan.timed & ~date_scan.zoned & nonblank).sum())
    if end_column is not None:
        end_scan = scans[1][1]
        end_sec, end_p, end_kind = _finish(end_scan, order_name)
        has_end = end_kind == _OK
        aside.add(
            np.flatnonzero((end_kind != _OK) & (end_kind != _EMPTY)),
            end_column,
            lambda pos: _date_reason(end_scan, int(end_kind[pos]), pos, order_name),
        )
        end[has_end] = end_sec[has_end]
        end_prec[has_end] = end_p[has_end]
        before = has_end & (start_kind == _OK)
        before &= period_ends(end, np.where(has_end, end_prec, 0).astype(np.int8)) <= start
        aside.add(
            np.flatnonzero(before),
            end_column,
            lambda pos: f'"{end_scan.text[pos].as_py()}" is before the start',
        )
        naive += int((end_scan.timed & ~end_scan.zoned & has_end).sum())
    if naive:
        notes.append(f"{naive} times had no UTC offset and were read as UTC")

    # Status.
    status_column = mapping.one("status")
    status: Any = None
    if status_column is not None:
        values = pc.utf8_lower(pc.utf8_trim_whitespace(cols[status_column]))
        values = pc.if_else(pc.equal(values, ""), DEFAULT_STATUS.value, values)
        known = _np_bool(pc.is_in(values, value_set=pa.array(_STATUSES)))
        raw_status = cols[status_column]
        aside.add(
            np.flatnonzero(~known),
            status_column,
            lambda pos: (
                f'"{raw_status[pos].as_py()}" is not a claim status ({", ".join(_STATUSES)})'
            ),
        )
        status = values
    options.report(0.5)

    # Keep the good rows.
    keep = ~aside.mask
    kept = np.flatnonzero(keep)
    take = pa.array(kept)
    cols = {c: a.take(take) for c, a in cols.items()}
    row_numbers = pa.array((kept + first_row).astype(np.int64)).cast(pa.string())
    m = len(kept)

    used: set[str] = set()
    for cs in mapping.roles.values():
        used.update(cs)
    extras = [c for c in columns if c not in used]

    # Ids.
    id_column = mapping.one("id")
    generated = _concat("row-", row_numbers)
    if id_column is not None:
        ids = cols[id_column]
        ids = pc.if_else(_blank_arrow(ids), generated, ids)
        dups = int(pd.Series(ids.to_numpy(zero_copy_only=False)).duplicated().sum())
        if dups:
            notes.append(f'{dups} repeated ids in "{id_column}" were made unique')
    else:
        ids = generated

    # Titles and summaries.
    actor_columns = mapping.roles.get("actors", [])
    group_column = mapping.one("group")
    title_column = mapping.one("title")
    if title_column is not None:
        titles = cols[title_column]
    else:
        fallback: pa.Array | None = None
        # A free-text column that names each event (filled in, mostly distinct values:
        # guests, places) titles it better than a group, which names many at once.
        sampled = max((p.cells for p in inference.profiles.values()), default=0)
        naming = next(
            (
                c
                for c in extras
                if inference.profiles[c].text_like
                and inference.profiles[c].cells >= 0.9 * sampled
                and inference.profiles[c].distinct > 0.5 * inference.profiles[c].cells
            ),
            None,
        )
        if actor_columns:
            fallback = _join(
                [
                    pc.replace_substring_regex(
                        pc.utf8_trim_whitespace(cols[c]), NAME_SEPARATOR, " – "
                    )
                    for c in actor_columns
                ],
                " – ",
            )
            notes.append("no title column: titles are the actors' names")
        elif naming is not None:
            fallback = cols[naming]
            extras.remove(naming)
            notes.append(f'no title column: titles are the "{naming}" values')
        elif group_column is not None:
            fallback = pc.utf8_trim_whitespace(cols[group_column])
            notes.append(f'no title column: titles are the "{group_column}" values')
        elif mapping.one("text") is not None:
            text_for_title = str(mapping.one("text"))
            fallback = pc.utf8_trim_whitespace(cols[text_for_title])
            notes.append(f'no title column: titles are the "{text_for_title}" text')
        else:
            for column in extras:
                if inference.profiles[column].text_like:
                    fallback = cols[column]
                    extras.remove(column)
                    notes.append(f'no title column: titles are the "{column}" values')
                    break
            else:
                # No free text at all: name the event by its most telling other
                # column, labelled ("Blob: deadbeef"), rather than by its row number.
                telling = [
                    c
                    for c in extras
                    if not inference.profiles[c].all_equal and inference.profiles[c].cells
                ]
                telling.sort(
                    key=lambda c: inference.profiles[c].hex + 2 * inference.profiles[c].booleans
                )
                if telling:
                    column = telling[0]
                    value = pc.utf8_trim_whitespace(cols[column])
                    fallback = pc.if_else(_blank_arrow(value), "", _concat(f"{column}: ", value))
                    notes.append(f'no text column: titles are "{column}: value"')
        if fallback is None:
            fallback = pa.array([""] * m, pa.large_string())
            notes.append("no title column: events are titled by their row")
        titles = pc.if_else(_blank_arrow(fallback), _concat("row ", row_numbers), fallback)
    text_column = mapping.one("text")
    if text_column is not None:
        summaries = cols[text_column]
        if extras:
            listing = ", ".join(f'"{c}"' for c in extras)
            notes.append(f"columns not used: {listing}")
    elif extras:
        parts = [
            pc.if_else(
                _blank_arrow(cols[c]),
                "",
                _concat(f"{c}: ", pc.utf8_trim_whitespace(cols[c])),
            )
            for c in extras
        ]
        summaries = _join(parts, "\n")
        listing = ", ".join(f'"{c}"' for c in extras)
        notes.append(f"no text column: summaries list the other columns ({listing})")
    else:
        summaries = pa.array([""] * m, pa.large_string())

    doc = build_document(
        n=m,
        ids=_series(ids),
        titles=_series(titles),
        summaries=_series(summaries),
        start=start[kept],
        start_precision=start_prec[kept],
        end=end[kept],
        end_precision=end_prec[kept],
        status=None if status is None else status.take(take).to_numpy(zero_copy_only=False),
    )
    event_ids = doc.events["id"].to_numpy(dtype=object)
    options.report(0.8)

    # Actors.
    if actor_columns:
        role_column = mapping.one("roles") if len(actor_columns) == 1 else None
        parts_rows: list[I64] = []
        parts_names: list[pa.Array] = []
        parts_roles: list[npt.NDArray[np.object_]] = []
        parts_order: list[I64] = []
        parts_pos: list[I64] = []
        for k, column in enumerate(actor_columns):
            rows, positions, names = _split(cols[column])
            if role_column is not None:
                r_rows, r_pos, r_names = _split(pc.utf8_trim_whitespace(cols[role_column]))
                width = int(max(positions.max(initial=0), r_pos.max(initial=0))) + 1
                index = pd.Index(r_rows * width + r_pos)
                found = index.get_indexer(rows * width + positions)
                role_values = np.asarray(r_names.to_numpy(zero_copy_only=False), object)
                roles = np.where(found >= 0, role_values[np.maximum(found, 0)], "")
            elif len(actor_columns) > 1:
                roles = np.full(len(rows), column, dtype=object)
            else:
                roles = np.full(len(rows), "", dtype=object)
            good = ~(_np_bool(pc.equal(names, "")) | _is_na(names))
            parts_rows.append(rows[good])
            parts_names.append(names.filter(pa.array(good)))
            parts_roles.append(np.asarray(roles, dtype=object)[good])
            parts_order.append(np.full(int(good.sum()), k, np.int64))
            parts_pos.append(positions[good])
        all_rows = np.concatenate(parts_rows)
        sort = np.lexsort((np.concatenate(parts_pos), np.concatenate(parts_order), all_rows))
        names = pa.concat_arrays(parts_names).take(pa.array(sort))
        all_rows = all_rows[sort]
        all_roles = np.concatenate(parts_roles)[sort]
        doc.actors, actor_ids = _named_table(names, ACTOR_COLUMNS)
        doc.links = pd.DataFrame(
            {
                "event_id": pd.Series(event_ids[all_rows], dtype="str"),
                "actor_id": pd.Series(actor_ids, dtype="str"),
                "role": pd.Series(all_roles, dtype="str"),
            }
        )

    # Themes: the group and the tags.
    theme_rows, theme_names = [], []
    if group_column is not None:
        values = pc.utf8_trim_whitespace(cols[group_column])
        good = ~_np_bool(pc.equal(values, ""))
        theme_rows.append(np.flatnonzero(good))
        theme_names.append(values.filter(pa.array(good)))
    for column in mapping.roles.get("tags", []):
        rows, _, names = _split(cols[column])
        good = ~(_np_bool(pc.equal(names, "")) | _is_na(names))
        theme_rows.append(rows[good])
        theme_names.append(names.filter(pa.array(good)))
    if theme_rows:
        frame_t = pd.DataFrame(
            {
                "row": np.concatenate(theme_rows),
                "name": pd.Series(
                    pa.concat_arrays(theme_names).to_numpy(zero_copy_only=False), dtype=object
                ),
            }
        )
        frame_t = frame_t.drop_duplicates().sort_values("row", kind="stable")
        rows = frame_t["row"].to_numpy(np.int64)
        doc.themes, theme_ids = _named_table(
            pa.array(frame_t["name"].to_list(), pa.large_string()), THEME_COLUMNS
        )
        doc.event_themes = pd.DataFrame(
            {
                "event_id": pd.Series(event_ids[rows], dtype="str"),
                "theme_id": pd.Series(theme_ids, dtype="str"),
            }
        )
    _read_annotations(doc, cols, mapping, kept + first_row, path)
    options.report(1.0)
    return ImportResult(
        document=doc,
        path=path,
        format=format_name,
        skipped=aside.rows(),
        skipped_total=aside.total,
        notes=notes,
    )


def _read_annotations(
    doc: Any, cols: dict[str, pa.Array], mapping: _Mapping, row_numbers: I64, path: Path
) -> None:
    """Stars, tags and notes from the annotation columns (see the module docstring)."""
    ids = doc.events["id"].to_numpy(dtype=object)
    entries: dict[int, dict[str, Any]] = {}
    starred = mapping.one("starred")
    if starred is not None:
        values = pc.utf8_lower(pc.utf8_trim_whitespace(cols[starred]))
        yes = _np_bool(pc.is_in(values, value_set=pa.array(_STARRED_WORDS)))
        for row in np.flatnonzero(yes).tolist():
            entries.setdefault(row, {})["starred"] = True
    tags = mapping.one("analyst_tags")
    if tags is not None:
        rows, _, names = _split(cols[tags])
        good = ~(_np_bool(pc.equal(names, "")) | _is_na(names))
        for row, name in zip(
            rows[good].tolist(), names.filter(pa.array(good)).to_pylist(), strict=True
        ):
            entries.setdefault(row, {}).setdefault("tags", []).append(name)
    notes = mapping.one("analyst_notes")
    if notes is not None:
        cells = cols[notes].to_pylist()
        for row, cell in enumerate(cells):
            if cell is None or not str(cell).strip():
                continue
            try:
                entries.setdefault(row, {})["notes"] = json.loads(cell)
            except ValueError as exc:
                raise ReadError(
                    path,
                    f"is not a JSON list of notes ({exc})",
                    where=f"row {int(row_numbers[row])}",
                    field=notes,
                ) from None
    if not entries:
        return
    data = {"annotations": [{"event": str(ids[row]), **entries[row]} for row in sorted(entries)]}

    def fail(reason: str, where: str | None, field: str | None) -> ReadError:
        if where is not None and where.startswith("annotations["):
            row = sorted(entries)[int(where[len("annotations[") : where.index("]")])]
            where = f"row {int(row_numbers[row])}"
        return ReadError(path, reason, where=where, field=field)

    for name, frame in annotation_tables(data, fail).items():
        setattr(doc, name, frame)


def _blank_arrow(arr: pa.Array) -> pa.Array:
    return pc.equal(pc.utf8_trim_whitespace(arr), "")


# --- CSV ---------------------------------------------------------------------------------


def _head_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    if encoding_problem(head) is not None:  # UTF-32, UTF-16 without BOM, binary: not ours
        return None
    return head.decode("utf-8", errors="replace")


def _sniff_csv(head: bytes, path: Path) -> int:
    """1 for any text whose first line has a delimiter (or a .csv/.tsv name): the
    lowest score, so that every specific reader wins over this one."""
    text = _head_text(head)
    if text is None:
        return 0
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if first.startswith(("{", "[", "<")):
        return 0
    if any(d in first for d in DELIMITERS):
        return 1
    return 1 if path.suffix.lower() in (".csv", ".tsv") else 0


def _delimiter(text: str) -> str:
    sample = text[:65536]
    truncated = len(text) > len(sample)
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 51))
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        rows = [r for r in rows if r]
        if not rows or len(rows[0]) < 2:
            continue
        width, body = len(rows[0]), rows[1:]
        consistency = sum(len(r) == width for r in body) / len(body) if body else 1.0
        score = (consistency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _frame_csv(text: str, delimiter: str, path: Path) -> tuple[pd.DataFrame, dict[int, str]]:
    """The cells as text; rows with more cells than the header are set aside."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
            )
        return frame, {}
    except pd.errors.EmptyDataError:
        raise ReadError(path, "is empty") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError, OverflowError):
        pass
    # Ragged or unusual: the standard library, which names each row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ReadError(
            path, f"not a readable CSV file ({exc})", where=f"line {reader.line_num}"
        ) from None
    if not records:
        raise ReadError(path, "is empty")
    header, body = records[0], records[1:]
    width = len(header)
    ragged: dict[int, str] = {}
    cells: list[list[str]] = []
    for pos, record in enumerate(body):
        if len(record) > width:
            ragged[pos] = f"has {len(record)} cells; the header has {width}"
            record = record[:width]
        cells.append(record + [""] * (width - len(record)))
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    names = _unique_names(names)
    frame = pd.DataFrame(
        {i: pd.Series([r[i] for r in cells], dtype="str") for i in range(width)},
        index=pd.RangeIndex(len(cells)),
    )
    frame.columns = pd.Index(names)
    return frame, ragged


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def read_csv_table(path: Path, options: ReadOptions) -> ImportResult:
    """A CSV file as a document (see the module docstring)."""
    options.report(0.0)
    text = read_text(path)
    if not text.strip():
        raise ReadError(path, "is empty")
    delimiter = _delimiter(text)
    check_columns(path, first_header_width(text, delimiter))
    frame, ragged = _frame_csv(text, delimiter, path)
    notes: list[str] = []
    if delimiter != ",":
        names = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
        notes.append(f"cells are separated by {names[delimiter]}")
    headerless = header_looks_like_data([str(c) for c in frame.columns])
    if headerless is None:
        return _table_result(frame, path, "csv", options, notes, ragged)
    width = len(frame.columns)
    numbers = ", ".join(str(i) for i in range(1, min(width, 6) + 1))
    if not any(str(k).strip().lower() not in SETTINGS for k in options.mapping or {}):
        raise ReadError(
            path,
            f"has no header row ({headerless}); say which column holds what by its number, "
            f"e.g. --map date=1 --map title=2 (columns {numbers}...)",
        )
    # Read with numbered columns: line 1 of the file is the first row of data.
    header = delimiter.join(str(i) for i in range(1, width + 1))
    frame, ragged = _frame_csv(header + "\n" + text, delimiter, path)
    notes.append(f"no header row: columns are numbered 1 to {width}, rows are the file's lines")
    return _table_result(frame, path, "csv", options, notes, ragged, first_row=1)


def read_sample(
    frame: pd.DataFrame, path: Path, mapping: dict[str, str | list[str]] | None
) -> ImportResult:
    """The first rows of a table (text cells, as the mapping dialog holds them) read
    exactly as the whole file will be, for the dialog's preview; raises ReadError."""
    return _table_result(frame.astype("str"), path, "csv", ReadOptions(mapping=mapping), [])


# --- Excel -------------------------------------------------------------------------------


def _sniff_excel(head: bytes, path: Path) -> int:
    if not head.startswith(b"PK\x03\x04"):
        return 0
    if b"xl/" in head:
        return 2
    return 1 if path.suffix.lower() in (".xlsx", ".xlsm") else 0


def _cell_text(value: Any, date_only: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if date_only:
            return value.date().isoformat()
        return value.isoformat(sep="T", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value)


def _excel_column(values: list[Any]) -> pd.Series:
    """Cells of one sheet column as text; a column of datetimes all at midnight is
    a column of days (Excel has no date-only type)."""
    stamps = [v for v in values if isinstance(v, dt.datetime)]
    date_only = bool(stamps) and all(
        (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) for v in stamps
    )
    return pd.Series([_cell_text(v, date_only) for v in values], dtype="str")


def read_excel_table(path: Path, options: ReadOptions) -> ImportResult:
    """The first sheet (or mapping["sheet"]) of an .xlsx workbook as a document."""
    options.report(0.0)
    sheet = None
    for key, value in (options.mapping or {}).items():
        if str(key).strip().lower() == "sheet":
            sheet = str(value)
    try:
        importlib.import_module("openpyxl")
    except ImportError:
        raise ReadError(path, "reading Excel files needs the openpyxl package") from None
    check_workbook(path)  # inflated size and extent, before openpyxl builds anything
    excel_dates.install()  # serials to the microsecond: 23:59:59.999999 stays that day
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            sheets = [str(s) for s in book.sheet_names]
            if sheet is not None and sheet not in sheets:
                listing = ", ".join(f'"{s}"' for s in sheets)
                raise ReadError(path, f'has no sheet "{sheet}" (sheets: {listing})')
            name = sheet if sheet is not None else sheets[0]
            raw = pd.read_excel(book, sheet_name=name, header=0, dtype=object, na_filter=False)
    except ReadError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds: all mean "not readable"
        raise ReadError(
            path, f"could not be read as an Excel workbook ({type(exc).__name__}: {exc})"
        ) from None
    frame = pd.DataFrame({i: _excel_column(raw.iloc[:, i].tolist()) for i in range(raw.shape[1])})
    frame.columns = pd.Index(_unique_names([_cell_text(c, False) for c in raw.columns]))
    notes: list[str] = []
    if len(sheets) > 1:
        notes.append(
            f'read sheet "{name}" of {len(sheets)} (choose another with --mapping sheet=NAME)'
        )
    return _table_result(frame, path, "excel", options, notes)


CSV = register(
    Format(
        "csv",
        "CSV table",
        (".csv", ".tsv", ".txt"),
        _sniff_csv,
        read_csv_table,
        writes=(".csv",),
        write=WRITERS["csv"],
        mapping="columns",
    )
)
EXCEL = register(
    Format(
        "excel",
        "Excel workbook",
        (".xlsx", ".xlsm"),
        _sniff_excel,
        read_excel_table,
        writes=(".xlsx",),
        write=WRITERS["excel"],
        mapping="columns",
    )
)


def read_frame(
    frame: pd.DataFrame, path: Path, mapping: dict[str, str | list[str]]
) -> ImportResult:
    """A table of text cells from elsewhere (a SQL engine's table, `path` naming it),
    read with the CSV reader's mapping, inference and checks."""
    options = ReadOptions(mapping=mapping)
    return _table_result(frame.astype("str"), path, "table", options, [])
