"""The analyst's annotations in the native format: the optional top-level key
``"annotations"`` (native version 2; docs/format.md).

One object per annotated event, in event order::

    "annotations": [
      {"event": "e12", "starred": true, "tags": ["follow-up"],
       "notes": [{"id": "n1", "author": "kim", "time": "2026-12-01T13:05:00Z", "text": "..."}]}
    ]

A document without annotations writes no such key (and stays version 1, byte for
byte what it was), so files that do not use them open in older versions.
Annotations of events no longer in the document are not written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from explorer.io.errors import ReadError
from explorer.model.annotations import MAX_NOTES_PER_EVENT, clean_tag, note_problem, tag_problem
from explorer.model.dates import DateError, Precision, format_iso, parse_date
from explorer.model.document import NOTE_COLUMNS, STAR_COLUMNS, TAG_COLUMNS, Document, empty_notes
from explorer.model.query import Note

KEY: Final = "annotations"
VERSION: Final = 2  # the native version that has the key (with periods)


def has_annotations(doc: Document) -> bool:
    return bool(len(doc.stars) or len(doc.tags) or len(doc.notes))


def note_time(seconds: int) -> str:
    return format_iso(int(seconds), Precision.SECOND) + "Z"


def annotations_json(doc: Document) -> list[dict[str, Any]]:
    """The annotations of `doc`'s events, one object per annotated event, in event
    order (tags sorted, notes by time); [] when there are none."""
    if not has_annotations(doc):
        return []
    ids = doc.events["id"].astype("str")
    starred = set(doc.stars["event_id"].astype("str"))
    tags: dict[str, list[str]] = {}
    for event, tag in zip(doc.tags["event_id"], doc.tags["tag"], strict=True):
        tags.setdefault(str(event), []).append(str(tag))
    notes: dict[str, list[Note]] = {}
    n = doc.notes
    for event, ident, author, time, text in zip(
        n["event_id"], n["note_id"], n["author"], n["time"], n["text"], strict=True
    ):
        notes.setdefault(str(event), []).append(Note(str(ident), str(author), int(time), str(text)))
    wanted = starred | set(tags) | set(notes)
    out = []
    for ident in ids[ids.isin(wanted)].tolist():
        out.append(
            {
                "event": ident,
                "starred": ident in starred,
                "tags": sorted(set(tags.get(ident, []))),
                "notes": [
                    {"id": x.id, "author": x.author, "time": note_time(x.time), "text": x.text}
                    for x in sorted(notes.get(ident, []), key=lambda x: (x.time, x.id))
                ],
            }
        )
        wanted.discard(ident)  # an id twice in the events: its annotations once
    return out


Fail = Callable[[str, str | None, str | None], ReadError]


def annotation_tables(data: Mapping[str, Any], fail: Fail) -> dict[str, pd.DataFrame]:
    """The stars, tags and notes tables from a native file's ``"annotations"`` (empty
    tables when it has none). Faults name the entry and key."""
    raw = data.get(KEY, [])
    if not isinstance(raw, list):
        raise fail("must be a list", None, KEY)
    stars: list[str] = []
    tag_rows: list[tuple[str, str]] = []
    note_rows: list[tuple[str, str, str, int, str]] = []
    for i, item in enumerate(raw):
        where = f"{KEY}[{i}]"
        if not isinstance(item, dict):
            raise fail("must be an object", where, None)
        event = item.get("event")
        if not isinstance(event, str) or not event:
            raise fail("must be an event id", where, "event")
        where = f'{where} (event "{event}")'
        starred = item.get("starred", False)
        if not isinstance(starred, bool):
            raise fail("must be true or false", where, "starred")
        if starred:
            stars.append(event)
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise fail("must be a list of text", where, "tags")
        for tag in dict.fromkeys(clean_tag(t) for t in tags):
            problem = tag_problem(tag)
            if problem:
                raise fail(problem, where, "tags")
            tag_rows.append((event, tag))
        notes = item.get("notes", [])
        if not isinstance(notes, list):
            raise fail("must be a list", where, "notes")
        if len(notes) > MAX_NOTES_PER_EVENT:
            raise fail(f"an event holds at most {MAX_NOTES_PER_EVENT} notes", where, "notes")
        seen: set[str] = set()
        for k, note in enumerate(notes):
            nw = f"{where}, notes[{k}]"
            if not isinstance(note, dict):
                raise fail("must be an object", nw, None)
            values = {}
            for name in ("id", "author", "time", "text"):
                value = note.get(name, "")
                if not isinstance(value, str):
                    raise fail("must be text", nw, name)
                values[name] = value
            try:
                when = parse_date(values["time"])
            except DateError as exc:
                raise fail(str(exc), nw, "time") from None
            ident = values["id"] or f"n{k + 1}"
            if ident in seen:
                raise fail(f"note id {ident!r} is used twice on this event", nw, "id")
            seen.add(ident)
            made = Note(ident, values["author"], when.seconds, values["text"])
            found = note_problem(made)
            if found:
                raise fail(found.reason, nw, found.field)
            note_rows.append((event, ident, made.author, made.time, made.text))
    return {
        "stars": pd.DataFrame({"event_id": pd.Series(stars, dtype="str")})[list(STAR_COLUMNS)],
        "tags": pd.DataFrame(
            {
                "event_id": pd.Series([e for e, _ in tag_rows], dtype="str"),
                "tag": pd.Series([t for _, t in tag_rows], dtype="str"),
            }
        )[list(TAG_COLUMNS)],
        "notes": notes_frame(note_rows),
    }


def notes_frame(rows: list[tuple[str, str, str, int, str]]) -> pd.DataFrame:
    if not rows:
        return empty_notes()
    columns = list(zip(*rows, strict=True))
    frame = pd.DataFrame(
        {
            name: pd.Series(list(values), dtype="str")
            for name, values in zip(NOTE_COLUMNS, columns, strict=True)
            if name != "time"
        }
    )
    frame["time"] = np.asarray(columns[3], dtype=np.int64)
    return frame[list(NOTE_COLUMNS)]
