"""What every reader hands back, and the one way it becomes a Document.

A format's `read` parses its file into `Columns`: whole columns of events (start and
end as int64 seconds with their precisions, titles, summaries, ids, status where the
file gives one, attributes), `Links` from events to actors and themes (codes into a
list of names, so a million links are two int64 arrays), and what a reader found on
the way (notes, set-aside rows, periods, annotations). The registry then calls
`import_result`, the only place an `ImportResult` is made from a file, which calls
`document`: everything vectorised (factorize, Arrow takes, no Python object per
event), so an import spends its time in the parser. Formats that read whole
documents (native JSON, Parquet) hand theirs over as `Columns.of_document`, as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.io.attributes import ColumnAttributes
from explorer.io.errors import ReadError
from explorer.io.kit.eras import eras_to_periods
from explorer.io.result import ImportResult, SkippedRow
from explorer.model.document import (
    ACTOR_COLUMNS,
    DEFAULT_STATUS,
    NO_END,
    STATUS_CATEGORIES,
    TABLES,
    THEME_COLUMNS,
    Document,
    make_events,
)
from explorer.model.validate import problems

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
# A column of text: pandas, Arrow, or a plain list (one value per event).
Text: TypeAlias = pd.Series | pa.Array | pa.ChunkedArray | Sequence[str] | npt.NDArray[np.object_]

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item") -> str:
    value = _SLUG.sub("-", text.lower()).strip("-")
    return value or fallback


def unique_ids(names: Sequence[str], prefix: str) -> list[str]:
    """Readable, unique ids from names: "Anthropic" -> "anthropic", twice -> "anthropic-2"."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = f"{prefix}{slug(str(name))}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        out.append(base if count == 1 else f"{base}-{count}")
    return out


def distinct_ids(ids: pd.Series) -> pd.Series:
    """Event ids made unique: files repeat ids more often than one would hope, and a
    repeat becomes "<id>-<its row>" (readable, and where it is in the file)."""
    ids = pd.Series(ids, dtype="str").reset_index(drop=True)
    if ids.duplicated().any():
        dup = ids.duplicated(keep="first").to_numpy()
        ids = ids.where(~dup, ids + "-" + pd.Series(np.arange(len(ids))).astype("str"))
    return ids


@dataclass
class Links:
    """Events linked to named things (actors, themes): event `rows[i]` to
    `names[codes[i]]`, in the order the document keeps them. Names no link uses are
    left out. `roles` is one role for every link or one per link (actors only);
    `fixed` gives every thing one value in a column ({"kind": "host"}), `per_name`
    some things theirs ({"colour": {"Bob": "#ff0000"}})."""

    rows: I64
    codes: I64
    names: Sequence[str]
    roles: str | npt.NDArray[np.object_] = ""
    fixed: dict[str, str] = field(default_factory=dict)
    per_name: dict[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def of_codes(cls, codes: I64, names: Sequence[str], **kw: Any) -> Links:
        """From one code per event (-1: nobody), as lanes are read."""
        rows = np.flatnonzero(codes >= 0)
        return cls(rows, np.asarray(codes, np.int64)[rows], names, **kw)

    @classmethod
    def of_names(cls, rows: npt.ArrayLike, names: Text, **kw: Any) -> Links:
        """From one name per link: names coded in the order they first appear."""
        values = (
            names.to_numpy(zero_copy_only=False)
            if isinstance(names, pa.Array | pa.ChunkedArray)
            else names
        )
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
        return cls(
            np.asarray(rows, np.int64),
            np.asarray(codes, np.int64),
            [str(u) for u in uniques],
            **kw,
        )

    @classmethod
    def of_cells(cls, values: Sequence[Any] | pd.Series, **kw: Any) -> Links:
        """From one cell per event holding a name, a list of names, or nothing;
        names trimmed, blanks dropped."""
        cells = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else list(values)
        series = pd.Series(cells, dtype=object, index=np.arange(len(cells)))
        if series.map(lambda v: isinstance(v, list | tuple)).any():
            series = series.explode()
        series = series.dropna()
        series = series.astype("str").str.strip()
        series = series[series != ""]
        return cls.of_names(series.index.to_numpy(dtype=np.int64), series.to_numpy(object), **kw)


@dataclass
class Columns:
    """One file's events as whole columns (see the module docstring). Ids, when given,
    are unique already (`distinct_ids`); without them events are "e1", "e2", ..."""

    path: Path
    format: str
    n: int
    start: I64
    precision: I8 | int
    titles: Text
    summaries: Text | None = None
    ids: Text | None = None
    end: I64 | None = None
    end_precision: I8 | None = None
    status: Any = None  # one status per event, only where the file says; else unassessed
    attributes: ColumnAttributes | Sequence[Any] | None = None
    actors: Links | None = None
    themes: Links | None = None
    title: str = ""
    description: str = ""
    notes: list[str] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    skipped_total: int = 0
    annotations: dict[str, pd.DataFrame] = field(default_factory=dict)  # stars, tags, notes
    periods: pd.DataFrame | None = None
    eras: str = ""  # the attributes key under which the reader marked eras (kit.eras)
    check: bool = False  # validate the document (readers that gather record by record)
    whole: Document | None = None  # a document read whole (native, Parquet), as is

    @classmethod
    def of_document(
        cls, document: Document, path: Path, format_name: str, notes: list[str] | None = None
    ) -> Columns:
        """A document read whole, handed over as is: nothing to build, nothing copied."""
        events = document.events
        return cls(
            path,
            format_name,
            len(events),
            events["start"].to_numpy(),
            events["start_precision"].to_numpy(),
            events["title"],
            notes=notes or [],
            whole=document,
        )


def import_result(columns: Columns) -> ImportResult:
    """The ImportResult of a read: its document and what the reader found."""
    return ImportResult(
        document(columns),
        columns.path,
        columns.format,
        columns.skipped,
        columns.skipped_total,
        columns.notes,
    )


@cache
def _empty_document() -> Document:
    return Document()


def _chunked(values: Text) -> pa.ChunkedArray:
    if isinstance(values, pa.ChunkedArray):
        return values
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    if isinstance(values, pd.Series):
        arr = pa.array(values, from_pandas=True)
        return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    return pa.chunked_array([pa.array(list(values), type=pa.large_string())])


def _text(values: Text | None, n: int) -> pd.Series:
    """A text column as the model's "str" Series (missing cells empty)."""
    if values is None:
        values = pa.repeat(pa.scalar("", pa.large_string()), n)
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = values.to_pandas()
    return pd.Series(values, dtype="str").fillna("").reset_index(drop=True)


def _event_ids(columns: Columns) -> pd.Series:
    if columns.ids is None:
        numbers = pd.Series(np.arange(1, columns.n + 1)).astype("str")
        return ("e" + numbers).astype("str")
    return _text(columns.ids, columns.n)


def _status(columns: Columns) -> Any:
    if columns.status is None:
        return pd.Categorical.from_codes(
            np.full(columns.n, DEFAULT_STATUS.code, dtype=np.int8), dtype=STATUS_CATEGORIES
        )
    status = columns.status
    if isinstance(status, pa.Array | pa.ChunkedArray):
        status = status.to_numpy(zero_copy_only=False)
    return status


def _things(links: Links, table_columns: tuple[str, ...]) -> tuple[pd.DataFrame, I64]:
    """The table of the linked things (ids made from names) and each link's code into it."""
    codes = np.asarray(links.codes, dtype=np.int64)
    used = np.bincount(codes, minlength=len(links.names)) > 0 if codes.size else np.zeros(0, bool)
    renumber = np.cumsum(used) - 1
    codes = renumber[codes] if codes.size else codes
    names = [str(name) for name, u in zip(links.names, used, strict=False) if u]
    frame: dict[str, Any] = {c: [""] * len(names) for c in table_columns}
    frame["id"] = unique_ids(names, "")
    frame["name"] = names
    for key, value in links.fixed.items():
        frame[key] = [value] * len(names)
    for key, by_name in links.per_name.items():
        frame[key] = [by_name.get(name, "") or frame[key][i] for i, name in enumerate(names)]
    things = pd.DataFrame({c: pd.Series(frame[c], dtype="str") for c in table_columns})
    return things, codes


def repeat_text(text: str, n: int) -> pd.Series:
    """`n` copies of one string as a "str" Series."""
    values = pa.repeat(pa.scalar(text, pa.large_string()), n)
    return pd.Series(values.to_pandas(), dtype="str").reset_index(drop=True)


def _link_frame(
    event_ids: pa.ChunkedArray, links: Links, thing_ids: pd.Series, codes: I64, column: str
) -> dict[str, pd.Series]:
    rows = np.asarray(links.rows, dtype=np.int64)
    every = len(rows) == len(event_ids) and bool((rows == np.arange(len(rows))).all())
    linked = event_ids if every else event_ids.take(pa.array(rows))
    things = pa.array(thing_ids.to_numpy(dtype=object), type=pa.large_string())
    return {
        "event_id": pd.Series(linked.to_pandas(), dtype="str").reset_index(drop=True),
        column: pd.Series(things.take(pa.array(codes)).to_pandas(), dtype="str"),
    }


def document(columns: Columns) -> Document:
    """The Document of `columns` (see the module docstring)."""
    if columns.whole is not None:
        return columns.whole
    n = columns.n
    ids = _event_ids(columns)
    attributes: Any = np.empty(n, dtype=object)  # all None
    if columns.attributes is not None and not isinstance(columns.attributes, ColumnAttributes):
        attributes[:] = list(columns.attributes)
    events = make_events(
        ids=ids,
        titles=_text(columns.titles, n),
        summaries=_text(columns.summaries, n),
        start=np.asarray(columns.start, dtype=np.int64),
        start_precision=np.broadcast_to(np.asarray(columns.precision, dtype=np.int8), (n,)),
        end=np.zeros(n, np.int64) if columns.end is None else columns.end,
        end_precision=(
            np.full(n, NO_END, np.int8) if columns.end_precision is None else columns.end_precision
        ),
        status=_status(columns),
        attributes=attributes,
    )
    if isinstance(columns.attributes, ColumnAttributes):
        events["attributes"] = pd.Series(columns.attributes, index=events.index)
    empty = _empty_document()  # the other tables, copied: building them anew costs more
    doc = Document(
        title=columns.title,
        description=columns.description,
        events=events,
        **{table: getattr(empty, table).copy() for table in TABLES if table != "events"},
    )
    event_ids = _chunked(events["id"])
    if columns.actors is not None:
        doc.actors, codes = _things(columns.actors, ACTOR_COLUMNS)
        links = _link_frame(event_ids, columns.actors, doc.actors["id"], codes, "actor_id")
        roles = columns.actors.roles
        links["role"] = (
            repeat_text(roles, len(codes))
            if isinstance(roles, str)
            else pd.Series(np.asarray(roles, dtype=object), dtype="str")
        )
        doc.links = pd.DataFrame(links)
    if columns.themes is not None:
        doc.themes, codes = _things(columns.themes, THEME_COLUMNS)
        doc.event_themes = pd.DataFrame(
            _link_frame(event_ids, columns.themes, doc.themes["id"], codes, "theme_id")
        )
    for name, frame in columns.annotations.items():
        setattr(doc, name, frame)
    if columns.periods is not None:
        doc.periods = columns.periods
    if columns.check:
        found = problems(doc, limit=1)
        if found:  # a reader bug, but say where rather than hand over a broken document
            p = found[0]
            raise ReadError(columns.path, p.reason, where=p.where(), field=p.field)
    if columns.eras:
        doc = eras_to_periods(doc, columns.eras)
    return doc
