"""The analyst's annotations: stars, free tags and notes on events, and their edits.

Annotations are marks an analyst puts on a story, not the story: the document's
themes are its author's categories (with ids, names and descriptions, exported to
TimelineJS groups and the web page), while tags are free words typed on the spot
("follow-up", "timestomped"), made by using them and gone when unused. So they are
kept apart: three tables of the Document (``stars``, ``tags``, ``notes``, keyed by
event id) that no importer fills and every writer carries.

Every change is an `EditOp` (plain values, any backend can apply them: the memory
backend does it here with `apply_to_document`; an out-of-core overlay records the
same ops) whose inverse is again one of these ops, so undo needs nothing private.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.model.document import NOTE_COLUMNS, STAR_COLUMNS, TAG_COLUMNS, Document
from explorer.model.query import EditOp, InvalidEditError, Note, Problem

MAX_TAG: Final = 100  # characters in one tag
MAX_AUTHOR: Final = 200
MAX_NOTE: Final = 100_000  # characters in one note
MAX_NOTES_PER_EVENT: Final = 1_000
__all__ = ["Note", "PutNote", "StarEvents", "TagEvents"]
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class StarEvents(EditOp):
    """Star (or unstar) events. Events already in that state are left alone."""

    ids: tuple[str, ...]
    starred: bool
    text: str = "Star"
    keys: tuple[int, ...] = ()  # where the caller last saw `ids` (a hint)


@dataclass(frozen=True)
class TagEvents(EditOp):
    """Put `tag` on events (`present`) or take it off them."""

    ids: tuple[str, ...]
    tag: str
    present: bool
    text: str = "Tag"
    keys: tuple[int, ...] = ()


@dataclass(frozen=True)
class PutNote(EditOp):
    """Add or replace (by `note_id`) a note on an event, or delete it (`note` None)."""

    event_id: str
    note_id: str
    note: Note | None
    text: str = "Note"
    key: int = -1  # where the caller last saw the event (a hint)


AnnotationOp = StarEvents | TagEvents | PutNote
ANNOTATION_OPS: Final = (StarEvents, TagEvents, PutNote)


def clean_tag(text: str) -> str:
    """A tag as stored: NFC, trimmed, inner runs of white space made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def tag_problem(tag: str) -> str | None:
    """Why `tag` (as typed) cannot be a tag, or None."""
    cleaned = clean_tag(tag)
    if not cleaned:
        return "a tag cannot be empty"
    if len(cleaned) > MAX_TAG:
        return f"a tag is at most {MAX_TAG} characters"
    if _CONTROL.search(cleaned):
        return "a tag cannot hold control characters"
    return None


def note_problem(note: Note) -> Problem | None:
    if not note.text.strip():
        return Problem("text", "a note needs some text")
    if len(note.text) > MAX_NOTE:
        return Problem("text", f"a note is at most {MAX_NOTE:,} characters")
    if _CONTROL.search(note.text.replace("\t", " ")):
        return Problem("text", "a note is plain text (no control characters)")
    if len(note.author) > MAX_AUTHOR or _CONTROL.search(note.author) or "\n" in note.author:
        return Problem("author", f"an author is one line of at most {MAX_AUTHOR} characters")
    if not note.id:
        return Problem("id", "a note needs an id")
    return None


def check(op: AnnotationOp) -> None:
    """Raise InvalidEditError if `op` is malformed (before anything changes)."""
    if isinstance(op, TagEvents):
        problem = tag_problem(op.tag)
        if problem:
            raise InvalidEditError([Problem("tag", problem)])
    elif isinstance(op, PutNote) and op.note is not None:
        found = note_problem(op.note)
        if found:
            raise InvalidEditError([found])
        if op.note.id != op.note_id:
            raise InvalidEditError([Problem("id", "the note's id is not the one being put")])


# --- the tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class TableEdit:
    """What an op did to one annotation table: rows removed (their positions before)
    and rows appended (at the end, in this order), so aligned arrays can follow."""

    table: str
    removed: npt.NDArray[np.int64]
    appended: int


def apply_to_document(doc: Document, op: AnnotationOp) -> tuple[AnnotationOp, list[str], TableEdit]:
    """Apply `op` to `doc`'s tables (replaced, never changed in place). Returns the
    inverse op, the ids of the events whose annotations changed, and the table edit.
    Event ids are not checked here (the backend knows its events)."""
    check(op)
    if isinstance(op, StarEvents):
        have = doc.stars["event_id"]
        present = set(have.tolist())
        if op.starred:
            add = _unique(i for i in op.ids if i not in present)
            doc.stars = _append(doc.stars, {"event_id": add}, STAR_COLUMNS)
            inverse = StarEvents(tuple(add), False, op.text)
            return inverse, add, TableEdit("stars", _none(), len(add))
        wanted = set(op.ids)
        mask = have.isin(wanted).to_numpy(dtype=bool)
        gone = [str(v) for v in have[mask].tolist()]
        doc.stars = _drop(doc.stars, mask)
        return (
            StarEvents(tuple(gone), True, op.text),
            gone,
            TableEdit("stars", np.flatnonzero(mask).astype(np.int64), 0),
        )
    if isinstance(op, TagEvents):
        tag = clean_tag(op.tag)
        frame = doc.tags
        same = (frame["tag"] == tag).to_numpy(dtype=bool)
        tagged = set(frame["event_id"][same].tolist())
        if op.present:
            add = _unique(i for i in op.ids if i not in tagged)
            doc.tags = _append(doc.tags, {"event_id": add, "tag": [tag] * len(add)}, TAG_COLUMNS)
            return (
                TagEvents(tuple(add), tag, False, op.text),
                add,
                TableEdit("tags", _none(), len(add)),
            )
        mask = same & frame["event_id"].isin(set(op.ids)).to_numpy(dtype=bool)
        gone = [str(v) for v in frame["event_id"][mask].tolist()]
        doc.tags = _drop(frame, mask)
        return (
            TagEvents(tuple(gone), tag, True, op.text),
            gone,
            TableEdit("tags", np.flatnonzero(mask).astype(np.int64), 0),
        )
    frame = doc.notes
    mask = ((frame["event_id"] == op.event_id) & (frame["note_id"] == op.note_id)).to_numpy(
        dtype=bool
    )
    old = None
    if mask.any():
        row = int(np.flatnonzero(mask)[0])
        old = Note(
            str(frame["note_id"].iat[row]),
            str(frame["author"].iat[row]),
            int(frame["time"].to_numpy()[row]),
            str(frame["text"].iat[row]),
        )
    if old is None and op.note is None:
        raise InvalidEditError([Problem("id", f"no note {op.note_id!r} on {op.event_id!r}")])
    if old is None and int((frame["event_id"] == op.event_id).sum()) >= MAX_NOTES_PER_EVENT:
        raise InvalidEditError([Problem("", f"an event holds at most {MAX_NOTES_PER_EVENT} notes")])
    frame = _drop(frame, mask)
    appended = 0
    if op.note is not None:
        n = op.note
        frame = _append(
            frame,
            {
                "event_id": [op.event_id],
                "note_id": [n.id],
                "author": [n.author],
                "time": np.asarray([n.time], dtype=np.int64),
                "text": [n.text],
            },
            NOTE_COLUMNS,
        )
        appended = 1
    doc.notes = frame
    return (
        PutNote(op.event_id, op.note_id, old, op.text),
        [op.event_id],
        TableEdit("notes", np.flatnonzero(mask).astype(np.int64), appended),
    )


def _none() -> npt.NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


def _unique(ids: object) -> list[str]:
    return list(dict.fromkeys(str(i) for i in ids))  # type: ignore[attr-defined]


def _append(
    frame: pd.DataFrame, columns: dict[str, object], names: tuple[str, ...]
) -> pd.DataFrame:
    new = pd.DataFrame({c: columns[c] for c in names})
    if not len(new):
        return frame
    out = pd.concat([frame, new], ignore_index=True)
    return out.astype(frame.dtypes.to_dict())


def _drop(frame: pd.DataFrame, mask: npt.NDArray[np.bool_]) -> pd.DataFrame:
    if not mask.any():
        return frame
    return frame[~mask].reset_index(drop=True)


# --- reading the tables by event ----------------------------------------------------------


def rows_for(event_ids: pd.Series, wanted: pd.Series) -> npt.NDArray[np.int64]:
    """The event row of each of `wanted` (-1 when there is no such event). A hash of
    the few wanted ids, probed by every event: no id -> row table of a million."""
    if not len(wanted):
        return np.zeros(0, dtype=np.int64)
    distinct = pd.Index(pd.unique(wanted.astype("str")))
    probe = np.asarray(distinct.get_indexer(pd.Index(event_ids.astype("str"))), dtype=np.int64)
    hits = np.flatnonzero(probe >= 0)
    row_of = np.full(len(distinct), -1, dtype=np.int64)
    row_of[probe[hits][::-1]] = hits[::-1]  # the first event with the id wins
    return row_of[distinct.get_indexer(pd.Index(wanted.astype("str")))]


def tag_counts(doc: Document) -> dict[str, int]:
    """Each tag and the number of events carrying it, most used first, then by name."""
    counts = doc.tags["tag"].value_counts()
    pairs = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    return dict(pairs)


def notes_of(doc: Document, event_id: str) -> tuple[Note, ...]:
    frame = doc.notes
    picked = frame[(frame["event_id"] == event_id).to_numpy(dtype=bool)]
    found = [
        Note(str(i), str(a), int(t), str(x))
        for i, a, t, x in zip(
            picked["note_id"], picked["author"], picked["time"], picked["text"], strict=True
        )
    ]
    return tuple(sorted(found, key=lambda n: (n.time, n.id)))


def tags_of(doc: Document, event_id: str) -> tuple[str, ...]:
    frame = doc.tags
    return tuple(sorted(str(t) for t in frame["tag"][(frame["event_id"] == event_id).to_numpy()]))
