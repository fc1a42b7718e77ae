"""Columns to a Document, once: `EventRows` gathers a story reader's records one by one
(JSON slides, XML events) and builds the document in one go; `Records` does the same for
forensic JSON objects through the Arrow assembly; `result` wraps either with what was set
aside and the notes. `Skip` is how a record's reader says "set this one aside"."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.io.assembly import Assembly, Lanes, assemble, factorize_names
from explorer.io.builder import build_document
from explorer.io.errors import ReadError
from explorer.io.fast_dates import Dates
from explorer.io.kit.jsontext import clean_text, compact
from explorer.io.kit.setaside import SetAside
from explorer.io.result import ImportResult
from explorer.model.dates import Precision, period_ends
from explorer.model.document import NO_END, Document
from explorer.model.validate import problems

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]


class Skip(Exception):  # noqa: N818 (a control-flow signal: set this record aside)
    """Raised while reading one record: it is set aside with this reason."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


WHOLE_NUMBER: Final = re.compile(r"[+-]?[0-9]{1,15}")


def whole_number(value: Any, name: str) -> int | None:
    """A whole number from a JSON value ("05", 5, 5.0); None when blank or missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Skip(f"{name} must be a number, not {str(value).lower()}", name)
    if isinstance(value, int):
        if abs(value) >= 10**15:
            raise Skip(f"{name} {value} is out of range", name)
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) >= 1e15:
            raise Skip(f"{name} {value!r} is not a whole number", name)
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not WHOLE_NUMBER.fullmatch(text):
            raise Skip(f"{name} {clean_text(value)!r} is not a whole number", name)
        return int(text)
    raise Skip(f"{name} must be a number, not {type(value).__name__}", name)


@dataclass
class EventRows:
    """Columns of events being read, one append per record, built in one go."""

    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    start_precision: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    end_precision: list[int] = field(default_factory=list)
    actors: list[Any] = field(default_factory=list)  # a name, a list of names, or None
    tags: list[list[str]] = field(default_factory=list)
    attributes: list[dict[str, Any] | None] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)  # where each came from, for notes

    def __len__(self) -> int:
        return len(self.ids)

    def add(
        self,
        *,
        ident: str,
        title: str,
        summary: str,
        start: tuple[int, int],
        end: tuple[int, int] | None,
        where: str,
        actors: Any = None,
        tags: list[str] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.ids.append(ident)
        self.titles.append(title)
        self.summaries.append(summary)
        self.start.append(start[0])
        self.start_precision.append(start[1])
        self.end.append(end[0] if end else 0)
        self.end_precision.append(end[1] if end else NO_END)
        self.actors.append(actors)
        self.tags.append(tags or [])
        self.attributes.append(attributes or None)
        self.wheres.append(where)

    def build(
        self,
        path: Path,
        notes: list[str],
        *,
        title: str,
        description: str = "",
        actor_kind: str = "",
        actor_colours: dict[str, str] | None = None,
    ) -> Document:
        n = len(self)
        start = np.array(self.start, dtype=np.int64)
        start_prec = np.array(self.start_precision, dtype=np.int8)
        end = np.array(self.end, dtype=np.int64)
        end_prec = np.array(self.end_precision, dtype=np.int8)
        has_end = end_prec != NO_END
        before = np.zeros(n, dtype=bool)
        if has_end.any():
            before[has_end] = period_ends(end[has_end], end_prec[has_end]) <= start[has_end]
        if before.any():
            rows = np.flatnonzero(before)
            listed = ", ".join(self.wheres[int(r)] for r in rows[:5])
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            notes.append(
                f"{len(rows)} end date(s) before their start were dropped "
                f"(read as point events): {listed}{more}"
            )
            end_prec[before] = NO_END
            end[before] = 0
        doc = build_document(
            title=title,
            description=description,
            n=n,
            ids=pd.Series(unique_ids(self.ids), dtype="str"),
            titles=self.titles,
            summaries=self.summaries,
            start=start,
            start_precision=start_prec,
            end=end,
            end_precision=end_prec,
            attributes=self.attributes,
            actors=pd.Series(self.actors, dtype=object) if any(self.actors) else None,
            actor_kind=actor_kind,
            actor_colours=actor_colours,
            tags=pd.Series(self.tags, dtype=object) if any(self.tags) else None,
        )
        found = problems(doc, limit=1)
        if found:  # a reader bug, but say where rather than hand over a broken document
            p = found[0]
            raise ReadError(path, p.reason, where=p.where(), field=p.field)
        return doc


def unique_ids(ids: list[str]) -> list[str]:
    """Ids made unique and non-empty: a repeated "x" becomes "x-2", "x-3", ..."""
    seen: set[str] = set()
    last: dict[str, int] = {}
    out = []
    for ident in ids:
        candidate = ident or "e"
        if candidate in seen:
            base, k = candidate, last.get(candidate, 1)
            while candidate in seen:
                k += 1
                candidate = f"{base}-{k}"
            last[base] = k
        seen.add(candidate)
        out.append(candidate)
    return out


def result(doc: Document, path: Path, fmt: str, skips: SetAside, notes: list[str]) -> ImportResult:
    return ImportResult(doc, path, fmt, skipped=skips.rows, skipped_total=skips.total, notes=notes)


# --- TimelineJS dates ------------------------------------------------------------------


def counted(n: int, noun: str) -> str:
    """ "1 row", "2,000 rows"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _was(n: int) -> str:
    return "was" if n == 1 else "were"


def date_notes(dates: Dates, keep: I64, from_timestamp: Bool, column: str) -> list[str]:
    notes = []
    naive = int(dates.naive[keep].sum())
    if naive:
        notes.append(f"{counted(naive, 'time')} had no UTC offset and {_was(naive)} read as UTC.")
    if dates.fraction[keep].any():
        notes.append(
            "Times are shown to the second; sub-second fractions are in each event's "
            f"{column} attribute."
        )
    used = int(from_timestamp[keep].sum())
    if used:
        its = "its" if used == 1 else "their"
        notes.append(
            f"{counted(used, 'row')} had no {column} and {_was(used)} dated by {its} timestamp."
        )
    coarse = int((dates.precision[keep] < Precision.SECOND).sum())
    if coarse:
        verb = "is" if coarse == 1 else "are"
        notes.append(f"{counted(coarse, 'date')} {verb} less precise than a second (as written).")
    return notes


# --- Timesketch JSONL ----------------------------------------------------------------


@dataclass
class Records:
    """Columns gathered from JSON objects, one entry per object that was kept."""

    where: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    attributes: list[dict[str, Any] | None] = field(default_factory=list)
    hosts: list[str | None] = field(default_factory=list)
    users: list[str | None] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)

    def add_who(
        self, record: Mapping[str, Any], hosts: Sequence[str], users: Sequence[str]
    ) -> None:
        self.hosts.append(first_value(record, hosts))
        self.users.append(first_value(record, users))

    def lanes(self, keep: I64) -> Lanes | None:
        for kind, values in (("host", self.hosts), ("user", self.users)):
            chosen = pd.Series([values[i] for i in keep], dtype=object)
            lanes = factorize_names(chosen, ("", "-"))
            if lanes.names:
                lanes.kind = kind
                return lanes
        return None

    def document(self, title: str, seconds: I64, precision: I8, keep: I64) -> Document:
        tag_rows: list[int] = []
        tag_names: list[str] = []
        for new, old in enumerate(keep):
            for name in self.tags[old]:
                tag_rows.append(new)
                tag_names.append(name)
        parts = Assembly(
            n=int(keep.size),
            ids=pa.array([self.ids[i] for i in keep], type=pa.string()),
            titles=pd.Series([self.titles[i] for i in keep], dtype="str"),
            summaries=pd.Series([self.summaries[i] for i in keep], dtype="str"),
            start=seconds[keep],
            precision=precision[keep],
            attributes=[self.attributes[i] for i in keep],
            lanes=self.lanes(keep),
            tag_rows=np.asarray(tag_rows, dtype=np.int64),
            tag_names=tag_names,
        )
        return assemble(title, parts)


def first_value(record: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = record.get(key)
        if compact(value) and not isinstance(value, dict | list):
            text = str(value).strip()
            if text and text != "-":
                return text
    return None
