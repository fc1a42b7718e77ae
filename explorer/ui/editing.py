"""Editing: the undo stack and the handlers of every edit action.

Dialogs produce records; this controller turns them into Edits and pushes them
through `commands.perform`, so every change is undoable and a refused one leaves
the document as it was. Views learn of changes from the store, never from here.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from explorer.edit_summary import changes, describe_edit
from explorer.edits import (
    AddEvent,
    DeleteEvents,
    Edit,
    EditError,
    MergeActors,
    ReplaceEvent,
    SetRecord,
    blank_event_record,
    event_record,
    new_event_id,
)
from explorer.engines.overlay import native_event
from explorer.model.dates import Precision, floor_to, format_iso, parse_date, period_end
from explorer.model.document import Document
from explorer.model.query import EditOp, InvalidEditError, PutEvent
from explorer.model.store import EventStore
from explorer.model.viewport import NS
from explorer.ui.commands import NudgeQueryCommand, QueryCommand, as_op, perform
from explorer.ui.edit_dialogs import (
    ActorDialog,
    EventDialog,
    MergeActorsDialog,
    SourceDialog,
    ThemeDialog,
)
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState


class EditController(QObject):
    def __init__(self, state: ViewState, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = state
        self.window = parent
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(500)

    @property
    def store(self) -> EventStore:
        """The in-memory document (out of core there is none: see `document`)."""
        if self.state.store is None:
            raise RuntimeError("this document is out of core: it has no in-memory tables")
        return self.state.store

    @property
    def document(self) -> Document:
        """What the edit forms pick actors, sources and themes from: the document in
        memory, or out of core the overlay's tables (the data's entities and the
        analyst's additions)."""
        if self.state.store is not None:
            return self.state.store.document
        overlay = self.state.queries.edit_overlay()
        if overlay is None:
            raise RuntimeError("this document cannot be edited here")
        return overlay.context()

    # --- plumbing ----------------------------------------------------------------------

    def apply(self, edit: Edit, *, nudge: bool = False) -> bool:
        if self.state.store is None:
            return self._apply_op(as_op(edit, self.state.selected), nudge=nudge)
        if isinstance(edit, ReplaceEvent) and not nudge:
            # Through the backend: a change of fields only is patched in place (no
            # rebuild of the indexes), and the views hear of it once.
            op = PutEvent(
                edit.record, replacing=edit.event_id, text=edit.text, keys=(self.state.selected,)
            )
            try:
                undo = self.state.queries.apply(op)
            except InvalidEditError as exc:
                QMessageBox.warning(self.window, "Edit refused", plain(str(exc)))
                return False
            self.stack.push(QueryCommand(self.state.queries, op, undo))
            return True
        try:
            perform(self.stack, self.store, edit, nudge=nudge)
        except EditError as exc:
            QMessageBox.warning(self.window, "Edit refused", plain(str(exc)))
            return False
        return True

    def _apply_op(self, op: EditOp, *, nudge: bool = False) -> bool:
        """Out of core: the backend applies the op (its overlay keeps it), the views
        hear of it once from the backend, and the undo stack holds the op pair."""
        queries = self.state.queries
        try:
            undo = queries.apply(op)
        except InvalidEditError as exc:
            QMessageBox.warning(self.window, "Edit refused", plain(str(exc)))
            return False
        command = QueryCommand(queries, op, undo)
        if nudge and isinstance(op, PutEvent) and op.replacing is not None:
            command = NudgeQueryCommand(queries, op, undo)
        self.stack.push(command)
        return True

    def _record_of(self, event_id: str) -> dict[str, Any]:
        """One event as the edit form takes it (the native format's shape)."""
        if self.state.store is not None:
            return event_record(self.state.store.document, event_id)
        key = self.state.queries.key_of(event_id)
        if key < 0:
            raise EditError(f"no event with id {event_id!r}")
        return native_event(self.state.queries.record(key))

    def _selected_record(self) -> dict[str, Any] | None:
        ident = self.state.selected_id
        return None if ident is None else self._record_of(ident)

    def _new_id(self) -> str:
        """A fresh event id: unused in memory, and out of core unused by the data too."""
        if self.state.store is not None:
            return new_event_id(self.state.store.document)
        taken = set(self.document.events["id"])
        n = len(taken) + 1
        while f"e-new-{n}" in taken or self.state.queries.key_of(f"e-new-{n}") >= 0:
            n += 1
        return f"e-new-{n}"

    # --- handlers named in the actions table ------------------------------------------

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def new_event(self) -> None:

        timeline = self.window.findChild(QWidget, "timeline")
        centre = None
        if timeline is not None:
            vp = timeline.viewport  # type: ignore[attr-defined]
            centre = (vp.start_ns + vp.span_ns // 2) // NS
        start = format_iso(centre, Precision.DAY) if centre is not None else "2026"
        record = blank_event_record(self.document, start)
        record["id"] = self._new_id()
        dialog = EventDialog(self.document, record, self.window)
        dialog.setWindowTitle("New Event")
        if dialog.exec() and self.apply(AddEvent(dialog.record())):
            self.state.select_id(record["id"])
            self._say(f"Added “{dialog.record()['title']}”")

    def edit_event(self) -> None:

        record = self._selected_record()
        if record is None:
            return
        dialog = EventDialog(self.document, record, self.window)
        if not dialog.exec():
            return
        edited = dialog.record()
        if not changes(record, edited):
            self._say("No change to the event")
            return
        text = describe_edit(record, edited)
        if self.apply(ReplaceEvent(record["id"], edited, text)):
            self._say(f"Saved {text}")

    def _say(self, message: str) -> None:
        """A line in the window's status bar (the window may be a bare widget in tests)."""
        bar = getattr(self.window, "statusBar", None)
        if callable(bar):
            bar().showMessage(message, 8000)

    def duplicate_event(self) -> None:
        record = self._selected_record()
        if record is None:
            return
        twin = copy.deepcopy(record)
        twin["id"] = self._new_id()
        twin["title"] = f"{record['title']} (copy)"
        if self.apply(AddEvent(twin)):
            self.state.select_id(twin["id"])

    def delete_event(self) -> None:
        ident = self.state.selected_id
        if ident is not None:
            self.apply(DeleteEvents([ident]))

    def _nudge(self, step: int) -> None:
        """Move the selected event by one unit of its own precision (a year for "2025")."""
        record = self._selected_record()
        if record is None:
            return
        moved = dict(record)
        moved["start"] = _shift(record["start"], step)
        if record["end"]:
            moved["end"] = _shift(record["end"], step)
        verb = "later" if step > 0 else "earlier"
        self.apply(
            ReplaceEvent(record["id"], moved, f"Move “{record['title']}” {verb}"), nudge=True
        )

    def nudge_earlier(self) -> None:
        self._nudge(-1)

    def nudge_later(self) -> None:
        self._nudge(1)

    def move_event(
        self, event_id: str, start: str, end: str | None, lane_from: str | None, lane_to: str | None
    ) -> None:
        """The timeline's drag: new dates (snapped by the caller), maybe another lane."""
        record = self._record_of(event_id)
        moved = dict(record, start=start, end=end)
        if lane_to != lane_from:
            actors = [dict(a) for a in record["actors"] if a["actor"] != lane_from]
            if lane_to is not None and not any(a["actor"] == lane_to for a in actors):
                # Dropped on another actor's lane: that actor takes the role it left.
                role = next((a["role"] for a in record["actors"] if a["actor"] == lane_from), "")
                actors.append({"actor": lane_to, "role": role})
            moved["actors"] = actors
        self.apply(ReplaceEvent(event_id, moved, f"Move “{record['title']}”"))

    # --- actors, sources, themes --------------------------------------------------------

    def _records(self, table: str) -> list[dict[str, Any]]:
        frame = getattr(self.document, table)
        from explorer.io.native import document_to_json
        from explorer.model.document import Document

        data = document_to_json(Document(**{table: frame}))
        return list(data[table])

    def new_actor(self) -> None:

        blank = {"id": "", "name": "", "kind": "", "posture": "", "description": "", "colour": ""}
        dialog = ActorDialog(blank, set(self.document.actors["id"]), self.window)
        if dialog.exec():
            record = dialog.record()
            self.apply(SetRecord("actors", record["id"], record, f"Add actor “{record['name']}”"))

    def _current_actor(self) -> str | None:
        panel = self.window.findChild(QWidget, "actor-panel")
        return panel.current_actor() if panel is not None else None  # type: ignore[attr-defined]

    def edit_actor(self) -> None:

        ident = self._current_actor()
        record = next((r for r in self._records("actors") if r["id"] == ident), None)
        if record is None:
            return
        dialog = ActorDialog(record, set(self.document.actors["id"]), self.window)
        if dialog.exec():
            self.apply(SetRecord("actors", ident or "", dialog.record()))

    def delete_actor(self) -> None:
        ident = self._current_actor()
        if ident is None:
            return
        name = str(self.document.actors.set_index("id").at[ident, "name"])
        answer = QMessageBox.question(
            self.window,
            "Delete actor",
            plain(
                f"Delete “{name}”? Its events stay; they lose this actor. (Undo brings it back.)"
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.apply(SetRecord("actors", ident, None, f"Delete actor “{name}”"))

    def merge_actors(self) -> None:

        dialog = MergeActorsDialog(self._records("actors"), self.window)
        if dialog.exec():
            keep, drop = dialog.choice()
            self.apply(MergeActors(keep, drop))

    def new_source(self) -> None:

        ids = set(self.document.sources["id"])
        dialog = SourceDialog(
            {"id": "", "publisher": "", "title": "", "url": "", "published": None}, ids, self.window
        )
        if dialog.exec():
            record = dialog.record()
            self.apply(SetRecord("sources", record["id"], record, "Add source"))

    def new_theme(self) -> None:

        ids = set(self.document.themes["id"])
        dialog = ThemeDialog({"id": "", "name": "", "description": ""}, ids, self.window)
        if dialog.exec():
            record = dialog.record()
            self.apply(SetRecord("themes", record["id"], record, f"Add theme “{record['name']}”"))

    def _choose(
        self, title: str, table: str, label_of: Any, preferred: str | None
    ) -> dict[str, Any] | None:
        """Pick one record of a small table by name (the selection's own first, if any)."""
        records = self._records(table)
        if not records:
            QMessageBox.information(self.window, title, f"This document has no {table} yet.")
            return None
        labels = [str(label_of(r)) or r["id"] for r in records]
        current = next((i for i, r in enumerate(records) if r["id"] == preferred), 0)
        choice, ok = QInputDialog.getItem(
            self.window, title, f"{table[:-1].title()}:", labels, current, False
        )
        return records[labels.index(choice)] if ok and choice in labels else None

    def _selected_first(self, key: str) -> str | None:
        record = self._selected_record()
        return record[key][0] if record and record[key] else None

    def edit_source(self) -> None:
        record = self._choose(
            "Edit source",
            "sources",
            lambda r: " — ".join(x for x in (r["publisher"], r["title"]) if x),
            self._selected_first("sources"),
        )
        if record is None:
            return
        dialog = SourceDialog(record, set(self.document.sources["id"]), self.window)
        if dialog.exec():
            self.apply(SetRecord("sources", record["id"], dialog.record()))

    def edit_theme(self) -> None:
        record = self._choose(
            "Edit theme", "themes", lambda r: r["name"], self._selected_first("themes")
        )
        if record is None:
            return
        dialog = ThemeDialog(record, set(self.document.themes["id"]), self.window)
        if dialog.exec():
            self.apply(SetRecord("themes", record["id"], dialog.record()))


def _shift(text: str, step: int) -> str:
    """A date moved by one unit of its own precision, written at that precision."""
    value = parse_date(text)
    if step > 0:
        return format_iso(period_end(value.seconds, value.precision), value.precision)
    # One unit back: the period that ends where this one starts.
    return format_iso(floor_to(value.seconds - 1, value.precision), value.precision)
