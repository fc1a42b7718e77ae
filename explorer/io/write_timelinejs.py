"""Saving a document as a TimelineJS 3 story (JSON), for publishing on the web.

What TimelineJS can carry is written: title and summary (as headline and text),
start and end with exactly the fields their precision allows, the first actor as
``group``, the themes as ``tags`` (which TimelineJS ignores but our reader reads back),
and the id as ``unique_id``. What a TimelineJS file brought in and TimelineJS alone
uses (media, background, display_date, ...) is restored from ``attributes["timelinejs"]``.
The document's periods are written to the story's ``eras`` (as are events that a
version-1 native file still marks as eras, ``attributes["timelinejs"]["era"]``).
Claim status, sources, figures and further actors have no place in TimelineJS and
are not written.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Final

import numpy as np

from explorer.io.atomic import atomic_write_bytes
from explorer.model.dates import DAY, HOUR, MINUTE, civil_from_days
from explorer.model.document import NO_END, Document

ATTR: Final = "timelinejs"
_FIELDS: Final = ("year", "month", "day", "hour", "minute", "second")
_MAPPED: Final = frozenset({"start_date", "end_date", "text", "group", "unique_id", "tags", "era"})


def _date_fields(
    seconds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    seconds = np.asarray(seconds, dtype=np.int64)
    days, rest = np.divmod(seconds, DAY)
    year, month, day = civil_from_days(days)
    hour, rest = np.divmod(rest, HOUR)
    minute, second = np.divmod(rest, MINUTE)
    return year, month, day, hour, minute, second


def _date_object(values: list[int], precision: int, extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(extra, dict):  # display_date, format, millisecond as read
        out.update({k: v for k, v in extra.items() if k not in _FIELDS})
    for name, value in zip(_FIELDS[: precision + 1], values, strict=False):
        out[name] = value
    return out


def _is_era(attributes: Any) -> bool:
    if not isinstance(attributes, dict):
        return False
    return any(
        isinstance(attributes.get(key), dict) and attributes[key].get("era") is True
        for key in (ATTR, "timelineproject")
    )


def to_timelinejs_json(doc: Document) -> dict[str, Any]:
    """The TimelineJS 3 JSON object for `doc`."""
    events = doc.events
    n = len(events)
    ids = events["id"].tolist()
    titles = events["title"].tolist()
    summaries = events["summary"].tolist()
    attributes = events["attributes"].tolist()
    start_prec = events["start_precision"].to_numpy(np.int8)
    end_prec = events["end_precision"].to_numpy(np.int8)
    start_parts = np.stack(_date_fields(events["start"].to_numpy(np.int64)), axis=1).tolist()
    end_parts = np.stack(_date_fields(events["end"].to_numpy(np.int64)), axis=1).tolist()

    actor_names = dict(zip(doc.actors["id"].tolist(), doc.actors["name"].tolist(), strict=True))
    first_actor: dict[str, str] = {}
    for event_id, actor_id in zip(
        doc.links["event_id"].tolist(), doc.links["actor_id"].tolist(), strict=True
    ):
        first_actor.setdefault(event_id, actor_names.get(actor_id, ""))
    theme_names = dict(zip(doc.themes["id"].tolist(), doc.themes["name"].tolist(), strict=True))
    tags: dict[str, list[str]] = {}
    for event_id, theme_id in zip(
        doc.event_themes["event_id"].tolist(), doc.event_themes["theme_id"].tolist(), strict=True
    ):
        tags.setdefault(event_id, []).append(theme_names.get(theme_id, theme_id))

    out_events: list[dict[str, Any]] = []
    out_eras: list[dict[str, Any]] = []
    for i in range(n):
        attrs = attributes[i]
        kept = attrs.get(ATTR) if isinstance(attrs, dict) else None
        kept = kept if isinstance(kept, dict) else {}
        record: dict[str, Any] = {k: v for k, v in kept.items() if k not in _MAPPED}
        record["start_date"] = _date_object(
            start_parts[i], int(start_prec[i]), kept.get("start_date")
        )
        if end_prec[i] != NO_END:
            record["end_date"] = _date_object(end_parts[i], int(end_prec[i]), kept.get("end_date"))
        record["text"] = {"headline": titles[i], "text": summaries[i]}
        ident = ids[i]
        if _is_era(attrs):
            record["unique_id"] = ident
            out_eras.append(record)
            continue
        group = first_actor.get(ident, "")
        if group:
            record["group"] = group
        if ident in tags:
            record["tags"] = tags[ident]
        record["unique_id"] = ident
        out_events.append(record)

    story: dict[str, Any] = {}
    if doc.title or doc.description:
        story["title"] = {
            "text": {"headline": html.escape(doc.title, quote=False), "text": doc.description}
        }
    story["events"] = out_events
    out_eras += _period_eras(doc)
    if out_eras:
        story["eras"] = out_eras
    return story


def _period_eras(doc: Document) -> list[dict[str, Any]]:
    """The document's periods as TimelineJS eras (label as headline, description as
    text; TimelineJS eras have no colour). A period without an end ends with its
    start's period, which TimelineJS needs written out."""
    periods = doc.periods
    if not len(periods):
        return []
    start_prec = periods["start_precision"].to_numpy(np.int8)
    end_prec = periods["end_precision"].to_numpy(np.int8)
    start_parts = np.stack(_date_fields(periods["start"].to_numpy(np.int64)), axis=1).tolist()
    end_parts = np.stack(_date_fields(periods["end"].to_numpy(np.int64)), axis=1).tolist()
    eras = []
    for i, (ident, label, text) in enumerate(
        zip(periods["id"], periods["label"], periods["description"], strict=True)
    ):
        start = _date_object(start_parts[i], int(start_prec[i]), None)
        has_end = end_prec[i] != NO_END
        end = _date_object(end_parts[i], int(end_prec[i]), None) if has_end else dict(start)
        eras.append(
            {
                "start_date": start,
                "end_date": end,
                "text": {"headline": str(label), "text": str(text)},
                "unique_id": str(ident),
            }
        )
    return eras


def dumps_timelinejs(doc: Document) -> bytes:
    text = json.dumps(to_timelinejs_json(doc), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8", "backslashreplace")


def write_timelinejs(doc: Document, path: str | Path) -> None:
    """Save `doc` as TimelineJS JSON, atomically (the old file stays whole on failure)."""
    atomic_write_bytes(path, dumps_timelinejs(doc))
