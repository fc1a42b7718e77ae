"""Annotating: star, tag and write notes on the selected event, and filter by them.

The handlers of the "annotate" scope of the actions table. Every change is an
annotation op (explorer.model.annotations) applied through the backend's `apply`
and pushed on the editor's undo stack, so it undoes like any edit and the views
hear of it from the backend, never from here.
"""

from __future__ import annotations

import getpass
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox, QWidget

from explorer.model.annotations import MAX_AUTHOR, PutNote, StarEvents, TagEvents
from explorer.model.query import EditOp, EventRecord, InvalidEditError, Note
from explorer.ui import settings
from explorer.ui.annotation_dialogs import NotesDialog, TagPalette
from explorer.ui.commands import QueryCommand
from explorer.ui.display_text import shown
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState

AUTHOR_KEY: Final = "annotations/author"
QUICK_KEY: Final = "annotations/quick_tags"
# Timesketch's three quick tags, then a to-do: the words analysts already use.
DEFAULT_QUICK_TAGS: Final = ("suspicious", "bad", "good", "follow-up")
QUICK_COUNT: Final = 9


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password file
        return ""


def author() -> str:
    """Who notes are signed by: the settings' name, else the computer's user name."""
    value = settings.settings().value(AUTHOR_KEY)
    return value if isinstance(value, str) and value.strip() else os_user()


def set_author(name: str) -> None:
    store = settings.settings()
    store.setValue(AUTHOR_KEY, name.strip()[:MAX_AUTHOR])
    store.sync()


def configured_quick_tags() -> list[str]:
    value = settings.settings().value(QUICK_KEY)
    if isinstance(value, str) and value.strip():
        return [t.strip() for t in value.split(",") if t.strip()]
    return list(DEFAULT_QUICK_TAGS)


class AnnotationController(QObject):
    def __init__(self, state: ViewState, stack: QUndoStack, window: QWidget) -> None:
        super().__init__(window)
        self.state = state
        self.stack = stack
        self.window = window

    def name_quick_tags(self, actions: Mapping[str, QAction]) -> None:
        """Quick-tag actions say their tag (in the palette and the shortcut sheet),
        renamed as the document's tags change."""

        def rename(_change: object = None) -> None:
            tags = self.quick_tags()
            for n in range(1, QUICK_COUNT + 1):
                action = actions.get(f"annotate.quick_tag_{n}")
                if action is not None:
                    tag = tags[n - 1] if n <= len(tags) else ""
                    action.setText(f"Quick Tag {n}: {shown(tag, 40)}" if tag else f"Quick Tag {n}")

        rename()
        self.state.changed.connect(rename)

    # --- plumbing ---------------------------------------------------------------------

    def apply(self, op: EditOp) -> bool:
        queries = self.state.queries
        try:
            undo = queries.apply(op)
        except InvalidEditError as exc:
            QMessageBox.warning(self.window, "Annotation refused", plain(str(exc)))
            return False
        self.stack.push(QueryCommand(queries, op, undo))
        return True

    def _selected(self) -> EventRecord | None:
        row = self.state.selected
        if row < 0:
            self._say("Select an event first")
            return None
        return self.state.queries.record(row)

    def _say(self, message: str) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(message, 8000)

    # --- stars --------------------------------------------------------------------------

    def toggle_star(self) -> None:
        record = self._selected()
        if record is None:
            return
        starred = not record.starred
        verb = "Star" if starred else "Unstar"
        text = f"{verb} “{shown(record.title, 40)}”"
        if self.apply(StarEvents((record.id,), starred, text, keys=(record.key,))):
            self._say(f"{'Starred' if starred else 'Unstarred'} “{shown(record.title, 60)}”")

    # --- tags ---------------------------------------------------------------------------

    def quick_tags(self) -> list[str]:
        """Up to nine tags for Alt+1..9: the configured ones, then the document's most
        used (so a tag typed once is a keystroke away the next time)."""
        tags = list(dict.fromkeys([*configured_quick_tags(), *self.state.queries.tag_counts()]))
        return tags[:QUICK_COUNT]

    def toggle_tag(self, tag: str) -> None:
        record = self._selected()
        if record is None:
            return
        present = tag not in record.tags
        verb = "Tag" if present else "Untag"
        text = f"{verb} “{shown(record.title, 40)}” {tag}"
        if self.apply(TagEvents((record.id,), tag, present, text, keys=(record.key,))):
            done = "Tagged" if present else "Took the tag off"
            self._say(f"{done} “{shown(record.title, 60)}”: {shown(tag, 60)}")

    def quick_tag(self, number: int) -> None:
        tags = self.quick_tags()
        if 1 <= number <= len(tags):
            self.toggle_tag(tags[number - 1])

    def tag_palette(self) -> None:
        record = self._selected()
        if record is None:
            return
        quick = self.quick_tags()
        others = [t for t in self.state.queries.tag_counts() if t not in quick]
        self.palette = TagPalette(quick, others, record.tags, self.window)
        if self.palette.exec() and self.palette.chosen:
            self.toggle_tag(self.palette.chosen)

    # --- notes --------------------------------------------------------------------------

    def edit_notes(self) -> None:
        record = self._selected()
        if record is None:
            return
        key, event_id = record.key, record.id

        def put(note_id: str | None, text: str) -> bool:
            ident = note_id or uuid.uuid4().hex[:12]
            old = next((n for n in self.state.queries.record(key).notes if n.id == ident), None)
            note = (
                replace(old, text=text)
                if old is not None
                else Note(ident, author(), int(time.time()), text)
            )
            label = "Edit note on" if old is not None else "Note on"
            ok = self.apply(
                PutNote(event_id, ident, note, f"{label} “{shown(record.title, 40)}”", key=key)
            )
            if ok:
                self.dialog.set_notes(self.state.queries.record(key).notes)
            return ok

        def remove(note_id: str) -> bool:
            op = PutNote(event_id, note_id, None, f"Delete note on “{shown(record.title, 40)}”")
            ok = self.apply(replace(op, key=key))
            if ok:
                self.dialog.set_notes(self.state.queries.record(key).notes)
            return ok

        self.dialog = NotesDialog(record.title, record.notes, author(), put, remove, self.window)
        self.dialog.exec()

    def ask_author(self) -> None:
        name, ok = QInputDialog.getText(
            self.window,
            "Note Author",
            "Notes are signed with this name (empty: your user name on this computer):",
            text=author(),
        )
        if ok:
            set_author(name)
            self._say(f"Notes are now signed “{shown(author(), 60)}”")

    # --- filters ------------------------------------------------------------------------

    def filter_starred(self) -> None:
        flt = self.state.filter
        self.state.set_filter(replace(flt, starred=not flt.starred))

    def filter_noted(self) -> None:
        flt = self.state.filter
        self.state.set_filter(replace(flt, noted=not flt.noted))

    def filter_tag(self) -> None:
        tags = list(self.state.queries.tag_counts())
        if not tags:
            self._say("No event has a tag yet")
            return
        current = self.state.filter.tags or frozenset()
        self.palette = TagPalette([], tags, sorted(current), self.window, "Filter by Tag")
        if self.palette.exec() and self.palette.chosen:
            chosen = frozenset(current ^ {self.palette.chosen})
            self.state.set_filter(replace(self.state.filter, tags=chosen or None))


def _quick(number: int):  # type: ignore[no-untyped-def]
    def handler(self: AnnotationController) -> None:
        self.quick_tag(number)

    handler.__name__ = f"quick_tag_{number}"
    return handler


for _n in range(1, QUICK_COUNT + 1):
    setattr(AnnotationController, f"quick_tag_{_n}", _quick(_n))
