"""One event's full record from its stored row, for the out-of-core backends.

DuckDB (a Parquet row, lists as lists) and the SQL engines (a table row, lists as
JSON text) store an event in the native format's shape; this reads either into an
`EventRecord` once, naming actors, themes and sources from the document's tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from explorer.engines.entity_meta import dated_text
from explorer.model.dates import DatedValue, Precision
from explorer.model.document import NO_END
from explorer.model.query import (
    ActorRef,
    EntityTable,
    EventRecord,
    FigureRef,
    Note,
    SourceRef,
    ThemeRef,
)


def _listed(value: Any) -> list[Any]:
    """A list column as stored: a list, JSON text of one, or nothing."""
    if isinstance(value, str):
        value = json.loads(value) if value else None
    return list(value or [])


def record_from_row(
    raw: Mapping[str, Any],
    key: int,
    bounds: tuple[int, int, int],
    entities: tuple[EntityTable, EntityTable, EntityTable],
    sources_meta: Sequence[Mapping[str, Any]],
    seconds: tuple[str, str] = ("start", "end"),
    annotations: tuple[bool, tuple[str, ...], tuple[Note, ...]] = (False, (), ()),
) -> EventRecord:
    """`bounds` is (lo, hi, known_at); `entities` (actors, themes, sources); `seconds`
    names the start and end columns (the SQL table keeps them as ``*_seconds``)."""
    actor_table, theme_table, source_table = entities
    actors = []
    for ref in _listed(raw.get("actors")):
        ident = str(ref["actor"])
        row = actor_table.row_of(ident)
        actors.append(
            ActorRef(
                row=row,
                id=ident,
                name=actor_table.names[row] if row >= 0 else ident,
                role=str(ref.get("role") or ""),
            )
        )
    sources = []
    for sid in _listed(raw.get("sources")):
        row = source_table.row_of(str(sid))
        if row < 0:
            continue
        meta = sources_meta[row]
        sources.append(
            SourceRef(
                row=row,
                id=str(sid),
                publisher=str(meta.get("publisher") or ""),
                title=str(meta.get("title") or ""),
                url=str(meta.get("url") or ""),
                published=dated_text(meta.get("published")),
            )
        )
    themes = tuple(
        ThemeRef(row=r, id=str(t), name=theme_table.names[r])
        for t in _listed(raw.get("themes"))
        if (r := theme_table.row_of(str(t))) >= 0
    )
    figures = tuple(
        FigureRef(
            text=str(f.get("text") or ""),
            quantity=float("nan") if f.get("quantity") is None else float(f["quantity"]),
            unit=str(f.get("unit") or ""),
            qualifier=str(f.get("qualifier") or ""),
            label=str(f.get("label") or ""),
        )
        for f in _listed(raw.get("figures"))
    )
    attributes: dict[str, Any] = {}
    if raw.get("attributes"):
        attributes.update(json.loads(raw["attributes"]))
    for name, value in raw.items():
        if name.startswith("attribute:") and value not in (None, ""):
            attributes[name.removeprefix("attribute:")] = value
    start_key, end_key = seconds
    end_prec = int(raw["end_precision"])
    lo, hi, known = bounds
    starred, tags, notes = annotations
    return EventRecord(
        key=key,
        id=str(raw["id"]),
        title=str(raw["title"] or ""),
        summary=str(raw["summary"] or ""),
        start=DatedValue(int(raw[start_key]), Precision(int(raw["start_precision"]))),
        end=None if end_prec == NO_END else DatedValue(int(raw[end_key]), Precision(end_prec)),
        lo=int(lo),
        hi=int(hi),
        status=str(raw["status"]),
        attributes=attributes,
        actors=tuple(actors),
        sources=tuple(sources),
        themes=themes,
        figures=figures,
        known_at=int(known),
        starred=starred,
        tags=tags,
        notes=notes,
    )
