"""Edits on the undo stack: every change to the document is a QUndoCommand.

`perform` applies an Edit first and pushes it only if it worked, so a refused
edit (an EditError) never reaches the stack and the document is untouched.
Consecutive nudges of one event fold into one undo step (mergeWith).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from explorer.edits import Edit, ReplaceEvent
from explorer.model.query import EditOp, TimelineQueries
from explorer.model.store import EventStore

NUDGE_ID = 1001


class EditCommand(QUndoCommand):
    def __init__(self, store: EventStore, edit: Edit) -> None:
        super().__init__(edit.text)
        self.store = store
        self.edit = edit
        self._applied = True  # perform() applied it already; the first redo() is a no-op

    def redo(self) -> None:
        if self._applied:
            self._applied = False
        else:
            self.edit.apply(self.store.document)
        self.store.edited()

    def undo(self) -> None:
        self.edit.undo(self.store.document)
        self.store.edited()


class NudgeCommand(EditCommand):
    """Moving one event step by step (Alt+arrows): one undo step per run of nudges."""

    def __init__(self, store: EventStore, edit: ReplaceEvent) -> None:
        super().__init__(store, edit)
        self.event_id = edit.event_id

    def id(self) -> int:
        return NUDGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, NudgeCommand) or other.event_id != self.event_id:
            return False
        # One step from my "before" to their "after": undo unwinds both, in order.
        self.edit = _Folded(self.edit, other.edit)
        self.setText(other.text())
        return True


class _Folded(Edit):
    def __init__(self, first: Edit, last: Edit) -> None:
        self.first, self.last = first, last
        self.text = last.text

    def apply(self, doc) -> None:  # type: ignore[no-untyped-def]
        self.first.apply(doc)
        self.last.apply(doc)

    def undo(self, doc) -> None:  # type: ignore[no-untyped-def]
        self.last.undo(doc)
        self.first.undo(doc)


def perform(stack: QUndoStack, store: EventStore, edit: Edit, *, nudge: bool = False) -> None:
    """Apply `edit` and put it on the stack; raises EditError (nothing changed) if refused."""
    edit.apply(store.document)
    if nudge and isinstance(edit, ReplaceEvent):
        stack.push(NudgeCommand(store, edit))
    else:
        stack.push(EditCommand(store, edit))


class QueryCommand(QUndoCommand):
    """An edit made through the query interface: the backend applies it, says what
    changed in one notification, and hands back the edit that undoes it."""

    def __init__(self, queries: TimelineQueries, op: EditOp, undo_op: EditOp) -> None:
        super().__init__(op.text)
        self.queries = queries
        self._redo_op = op
        self._undo_op = undo_op
        self._applied = True  # applied before it was pushed: the first redo() is a no-op

    def redo(self) -> None:
        if self._applied:
            self._applied = False
        else:
            self._undo_op = self.queries.apply(self._redo_op)

    def undo(self) -> None:
        self._redo_op = self.queries.apply(self._undo_op)
