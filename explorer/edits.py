"""Edits as reversible operations on a Document, so that undo gives back the exact original.

Every edit removes and adds rows of tables and remembers what it removed and
where, so its undo can put the same rows back at the same positions. Records are
in the native format's shape (explorer.io.native), which is also what the edit
dialogs produce: one event with its links, figures, themes and sources nested.

No Qt here: the ui wraps each Edit in a QUndoCommand. This module sits above
explorer.model and explorer.io because records are the file format's shape.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.io.native import (
    document_to_json,
)
from explorer.model.document import DEFAULT_STATUS, Document
from explorer.model.records import check_entity, check_event

# Tables that hang off an event, and the column naming the event.
EVENT_CHILDREN = ("links", "event_sources", "event_themes", "figures")


class EditError(ValueError):
    """An edit that would break the document (unknown id, duplicate id, bad record)."""


@dataclass
class Removed:
    """Rows taken out of a table, with the positions they had (ascending)."""

    positions: npt.NDArray[np.int64]
    rows: pd.DataFrame


def remove_rows(frame: pd.DataFrame, mask: npt.NDArray[np.bool_]) -> tuple[pd.DataFrame, Removed]:
    positions = np.flatnonzero(mask).astype(np.int64)
    removed = Removed(positions, frame.iloc[positions].reset_index(drop=True))
    kept = frame.iloc[np.flatnonzero(~mask)].reset_index(drop=True)
    return kept, removed


def restore_rows(frame: pd.DataFrame, removed: Removed) -> pd.DataFrame:
    """Put removed rows back where they were: the exact inverse of remove_rows."""
    if not len(removed.positions):
        return frame
    total = len(frame) + len(removed.positions)
    is_old = np.zeros(total, dtype=bool)
    is_old[removed.positions] = True
    order = np.empty(total, dtype=np.int64)
    # Rows of the combined frame: existing rows first, then the removed ones.
    order[~is_old] = np.arange(len(frame))
    order[is_old] = len(frame) + np.arange(len(removed.positions))
    combined = pd.concat([frame, removed.rows], ignore_index=True)
    out = combined.iloc[order].reset_index(drop=True)
    return out.astype(frame.dtypes.to_dict()) if len(frame.columns) else out


def append_rows(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    if not len(rows):
        return frame
    out = pd.concat([frame, rows[list(frame.columns)]], ignore_index=True)
    return out.astype(frame.dtypes.to_dict())


def drop_last(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    return frame.iloc[: len(frame) - count].reset_index(drop=True) if count else frame


# --- records (the native format's shape) ------------------------------------------


def event_record(doc: Document, event_id: str) -> dict[str, Any]:
    """One event as the native format writes it, links nested."""
    events = doc.events[doc.events["id"] == event_id]
    if not len(events):
        raise EditError(f"no event with id {event_id!r}")
    sub = Document(
        events=events.reset_index(drop=True),
        actors=doc.actors,
        sources=doc.sources,
        themes=doc.themes,
        **{t: getattr(doc, t)[getattr(doc, t)["event_id"] == event_id] for t in EVENT_CHILDREN},
    )
    record: dict[str, Any] = document_to_json(sub)["events"][0]
    return record


def _record_tables(doc: Document, record: dict[str, Any]) -> Document:
    """The tables one record makes, checked against the document's actors/sources/themes
    directly (explorer.model.records); the id's uniqueness is checked by the caller."""
    rows, problems = check_event(doc, record, replacing=str(record.get("id")))
    if problems:
        p = problems[0]
        raise EditError(f"{p.field}: {p.reason}" if p.field else p.reason)
    assert rows is not None
    return rows


def validate_event_record(doc: Document, record: dict[str, Any]) -> str | None:
    """Why `record` cannot be an event of `doc` (a sentence for the user), or None."""
    try:
        _record_tables(doc, record)
    except EditError as exc:
        return str(exc)
    return None


def blank_event_record(doc: Document, start: str) -> dict[str, Any]:
    """A new event's record with a fresh id, for the "new event" form."""
    return {
        "id": new_event_id(doc),
        "title": "",
        "summary": "",
        "start": start,
        "end": None,
        "status": DEFAULT_STATUS.value,
        "actors": [],
        "sources": [],
        "themes": [],
        "figures": [],
        "attributes": {},
    }


# --- edits -------------------------------------------------------------------------


class Edit(ABC):
    """A change to a document that can be applied and undone exactly."""

    text: str = "Edit"

    @abstractmethod
    def apply(self, doc: Document) -> None: ...

    @abstractmethod
    def undo(self, doc: Document) -> None: ...


@dataclass
class _EventRows:
    """What removing one event's rows from every table took out."""

    removed: dict[str, Removed] = field(default_factory=dict)


def _remove_event(doc: Document, event_id: str) -> _EventRows:
    taken = _EventRows()
    for table in ("events", *EVENT_CHILDREN):
        frame: pd.DataFrame = getattr(doc, table)
        key = "id" if table == "events" else "event_id"
        kept, removed = remove_rows(frame, (frame[key] == event_id).to_numpy(dtype=bool))
        setattr(doc, table, kept)
        taken.removed[table] = removed
    return taken


def _restore_event(doc: Document, taken: _EventRows) -> None:
    for table, removed in taken.removed.items():
        setattr(doc, table, restore_rows(getattr(doc, table), removed))


def _insert_record(
    doc: Document,
    record: dict[str, Any],
    position: int | None,
    hints: dict[str, Removed] | None = None,
) -> None:
    """Add one event (at `position` in the events table, or at the end).

    Its links, sources, themes and figures go where the file format would put them:
    after those of the events before it. So a save writes the same file as a fresh
    load-and-save would, and the document compares equal to what it reads back.
    `hints` (what replacing the event removed) gives those places directly, so an
    edit costs the rows it touches, not a scan of every table.
    """
    tables = _record_tables(doc, record)
    if (doc.events["id"] == record["id"]).any():
        raise EditError(f"an event with id {record['id']!r} already exists")
    appending = position is None or position >= len(doc.events)
    position = len(doc.events) if position is None else position
    places: dict[str, int] = {}
    for table in EVENT_CHILDREN:
        frame = getattr(doc, table)
        hint = (hints or {}).get(table)
        if appending:
            places[table] = len(frame)
        elif hint is not None and len(hint.positions):
            places[table] = int(hint.positions[0])
        else:
            # Children of the events before `position`, counted by event row.
            rows = pd.Index(doc.events["id"]).get_indexer(frame["event_id"])
            places[table] = int(((rows >= 0) & (rows < position)).sum())
    places["events"] = position
    for table in ("events", *EVENT_CHILDREN):
        rows = getattr(tables, table)
        if len(rows):
            at = places[table]
            where = np.arange(at, at + len(rows), dtype=np.int64)
            setattr(doc, table, restore_rows(getattr(doc, table), Removed(where, rows)))


class AddEvent(Edit):
    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.text = f"Add “{record.get('title', '')}”"

    def apply(self, doc: Document) -> None:
        _insert_record(doc, self.record, None)

    def undo(self, doc: Document) -> None:
        _remove_event(doc, self.record["id"])


class DeleteEvents(Edit):
    def __init__(self, event_ids: list[str]) -> None:
        self.event_ids = list(event_ids)
        self.text = "Delete event" if len(event_ids) == 1 else f"Delete {len(event_ids)} events"
        self._taken: list[_EventRows] = []

    def apply(self, doc: Document) -> None:
        known = set(doc.events["id"])
        missing = [ident for ident in self.event_ids if ident not in known]
        if missing:
            raise EditError(f"no event with id {missing[0]!r}")
        self._taken = [_remove_event(doc, ident) for ident in self.event_ids]

    def undo(self, doc: Document) -> None:
        for taken in reversed(self._taken):
            _restore_event(doc, taken)


class ReplaceEvent(Edit):
    """Any change to one event (fields, dates, actors, figures...): old record out, new in,
    at the same position, so the event keeps its place in the file."""

    def __init__(self, event_id: str, record: dict[str, Any], text: str = "") -> None:
        self.event_id = event_id
        self.record = record
        self.text = text or f"Edit “{record.get('title', '')}”"
        self._taken: _EventRows | None = None

    def apply(self, doc: Document) -> None:
        rows = np.flatnonzero((doc.events["id"] == self.event_id).to_numpy(dtype=bool))
        if not len(rows):
            raise EditError(f"no event with id {self.event_id!r}")
        self._taken = _remove_event(doc, self.event_id)
        try:
            _insert_record(doc, self.record, int(rows[0]), self._taken.removed)
        except EditError:
            _restore_event(doc, self._taken)
            raise
        _rename_annotations(doc, self.event_id, str(self.record["id"]))

    def undo(self, doc: Document) -> None:
        assert self._taken is not None
        _remove_event(doc, self.record["id"])
        _restore_event(doc, self._taken)
        _rename_annotations(doc, str(self.record["id"]), self.event_id)


ANNOTATION_TABLES = ("stars", "tags", "notes")


def _rename_annotations(doc: Document, old: str, new: str) -> None:
    """The analyst's stars, tags and notes follow an event whose id is changed."""
    if old == new:
        return
    for table in ANNOTATION_TABLES:
        frame: pd.DataFrame = getattr(doc, table)
        hit = (frame["event_id"] == old).to_numpy(dtype=bool)
        if hit.any():
            frame = frame.copy()
            frame.loc[hit, "event_id"] = new
            setattr(doc, table, frame)


class SetRecord(Edit):
    """Add, change or delete one row of actors, sources, themes or periods (by id)."""

    def __init__(
        self, table: str, ident: str, record: dict[str, Any] | None, text: str = ""
    ) -> None:
        if table not in ("actors", "sources", "themes", "periods"):
            raise EditError(f"cannot edit table {table!r}")
        self.table, self.ident, self.record = table, ident, record
        noun = table[:-1]
        self.text = text or (
            f"Delete {noun}" if record is None else f"Edit {noun} “{_name_of(record) or ident}”"
        )
        self._removed: Removed | None = None
        self._added = 0
        self._children: dict[str, Removed] = {}

    def _rows(self, doc: Document) -> pd.DataFrame:
        assert self.record is not None
        rows, problems = check_entity(self.table, self.record)
        if problems:
            p = problems[0]
            raise EditError(f"{p.field or self.table[:-1]}: {p.reason}")
        assert rows is not None
        return rows

    def apply(self, doc: Document) -> None:
        frame: pd.DataFrame = getattr(doc, self.table)
        match = (frame["id"] == self.ident).to_numpy(dtype=bool)
        rows = None if self.record is None else self._rows(doc)
        if rows is not None and self.record is not None and self.record.get("id") != self.ident:
            raise EditError("an edit cannot change an id")
        frame, self._removed = remove_rows(frame, match)
        if rows is not None:
            position = (
                int(self._removed.positions[0]) if len(self._removed.positions) else len(frame)
            )
            frame = restore_rows(frame, Removed(np.array([position], np.int64), rows))
            self._added = 1
        else:
            if not match.any():
                raise EditError(f"no {self.table[:-1]} with id {self.ident!r}")
            if self.table == "periods":  # nothing hangs off a period
                setattr(doc, self.table, frame)
                return
            # Deleting an actor/source/theme removes the links to it as well.
            child, column = {
                "actors": ("links", "actor_id"),
                "sources": ("event_sources", "source_id"),
                "themes": ("event_themes", "theme_id"),
            }[self.table]
            kept, removed = remove_rows(
                getattr(doc, child),
                (getattr(doc, child)[column] == self.ident).to_numpy(dtype=bool),
            )
            setattr(doc, child, kept)
            self._children = {child: removed}
        setattr(doc, self.table, frame)

    def undo(self, doc: Document) -> None:
        assert self._removed is not None
        frame: pd.DataFrame = getattr(doc, self.table)
        if self._added:
            frame, _ = remove_rows(frame, (frame["id"] == self.ident).to_numpy(dtype=bool))
        setattr(doc, self.table, restore_rows(frame, self._removed))
        for child, removed in self._children.items():
            setattr(doc, child, restore_rows(getattr(doc, child), removed))


def _name_of(record: dict[str, Any]) -> str:
    return str(record.get("name") or record.get("title") or record.get("label") or "")


class MergeActors(Edit):
    """Fold actor `drop` into `keep`: its links move to `keep`, then it is deleted."""

    def __init__(self, keep: str, drop: str) -> None:
        if keep == drop:
            raise EditError("cannot merge an actor with itself")
        self.keep, self.drop = keep, drop
        self.text = "Merge actors"
        self._positions: npt.NDArray[np.int64] = np.zeros(0, np.int64)
        self._delete: SetRecord | None = None

    def apply(self, doc: Document) -> None:
        ids = set(doc.actors["id"])
        for ident in (self.keep, self.drop):
            if ident not in ids:
                raise EditError(f"no actor with id {ident!r}")
        links = doc.links.copy()
        self._positions = np.flatnonzero((links["actor_id"] == self.drop).to_numpy(dtype=bool))
        links.loc[self._positions, "actor_id"] = self.keep
        doc.links = links
        self._delete = SetRecord("actors", self.drop, None)
        self._delete.apply(doc)

    def undo(self, doc: Document) -> None:
        assert self._delete is not None
        self._delete.undo(doc)
        links = doc.links.copy()
        links.loc[self._positions, "actor_id"] = self.drop
        doc.links = links


def new_event_id(doc: Document, prefix: str = "e-new") -> str:
    existing = set(doc.events["id"])
    n = len(existing) + 1
    while f"{prefix}-{n}" in existing:
        n += 1
    return f"{prefix}-{n}"


class EditGroup(Edit):
    """Several edits as one undo step (an article's source, actors and events): applied
    in order, undone in reverse; if one is refused, those before it are undone."""

    def __init__(self, edits: list[Edit], text: str) -> None:
        self.edits = list(edits)
        self.text = text

    def apply(self, doc: Document) -> None:
        done: list[Edit] = []
        try:
            for edit in self.edits:
                edit.apply(doc)
                done.append(edit)
        except EditError:
            for edit in reversed(done):
                edit.undo(doc)
            raise

    def undo(self, doc: Document) -> None:
        for edit in reversed(self.edits):
            edit.undo(doc)
