"""Small builders for test documents, going through the real reader so they are valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.io.native import FORMAT_NAME, FORMAT_VERSION, document_from_json
from explorer.io.result import ImportResult
from explorer.model.dates import Precision, format_iso
from explorer.model.document import Document

TEST_PATH = Path("test.json")


def document_json(
    events: list[dict[str, Any]] | None = None,
    actors: list[dict[str, Any]] | None = None,
    sources: list[dict[str, Any]] | None = None,
    themes: list[dict[str, Any]] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A native-format JSON object with the given records."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        **top,
        "events": events or [],
        "actors": actors or [],
        "sources": sources or [],
        "themes": themes or [],
    }


def event(ident: str, start: str = "2020", **fields: Any) -> dict[str, Any]:
    return {"id": ident, "title": f"Event {ident}", "start": start, **fields}


def make_document(
    events: list[dict[str, Any]] | None = None,
    actors: list[dict[str, Any]] | None = None,
    sources: list[dict[str, Any]] | None = None,
    themes: list[dict[str, Any]] | None = None,
    **top: Any,
) -> Document:
    """A Document read from records, e.g. ``make_document([event("e1", "2025")])``."""
    return document_from_json(document_json(events, actors, sources, themes, **top), TEST_PATH)


# --- reading results back, for the reader tests ---------------------------------------


def lanes(result: ImportResult) -> dict[str, str]:
    """event id -> actor name."""
    doc = result.document
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    return {e: names[a] for e, a in zip(doc.links["event_id"], doc.links["actor_id"], strict=True)}


def themes(result: ImportResult) -> dict[str, list[str]]:
    doc = result.document
    names = dict(zip(doc.themes["id"], doc.themes["name"], strict=True))
    out: dict[str, list[str]] = {}
    for event, theme in zip(
        doc.event_themes["event_id"], doc.event_themes["theme_id"], strict=True
    ):
        out.setdefault(event, []).append(names[theme])
    return out


def starts(result: ImportResult) -> list[str]:
    ev = result.document.events
    return [
        format_iso(int(s), Precision(int(p)))
        for s, p in zip(ev["start"], ev["start_precision"], strict=True)
    ]


def skipped(result: ImportResult) -> list[tuple[str, str]]:
    return [(row.where, row.field) for row in result.skipped]


def attributes(result: ImportResult, event_id: str) -> dict[str, object] | None:
    ev = result.document.events
    row = int(np.flatnonzero(ev["id"].to_numpy() == event_id)[0])
    value = ev["attributes"].iloc[row]
    return None if value is None else dict(value)
