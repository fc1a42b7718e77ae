"""Edits on the undo stack: every change to the document is a QUndoCommand.

`perform` applies an Edit first and pushes it only if it worked, so a refused
edit (an EditError) never reaches the stack and the document is untouched.
Consecutive nudges of one event fold into one undo step (mergeWith).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from explorer.edits import AddEvent, DeleteEvents, Edit, MergeActors, ReplaceEvent, SetRecord
from explorer.model.query import (
    DeleteEventsOp,
    EditOp,
    MergeActorsOp,
    PutEntity,
    PutEvent,
    TimelineQueries,
)
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


class NudgeQueryCommand(QueryCommand):
    """Moving one event step by step through the query interface: a run of nudges of
    one event is one undo step (its first undo, its last redo)."""

    def __init__(self, queries: TimelineQueries, op: PutEvent, undo_op: EditOp) -> None:
        super().__init__(queries, op, undo_op)
        self.event_id = op.replacing
        self._steps: list[tuple[EditOp, EditOp]] = [(op, undo_op)]

    def id(self) -> int:
        return NUDGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, NudgeQueryCommand) or other.event_id != self.event_id:
            return False
        self._steps += other._steps
        self.setText(other.text())
        return True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._steps = [(op, self.queries.apply(op)) for op, _ in self._steps]

    def undo(self) -> None:
        steps = []
        for op, undo_op in reversed(self._steps):
            self.queries.apply(undo_op)
            steps.append((op, undo_op))
        self._steps = steps[::-1]


def as_op(edit: Edit, selected: int = -1) -> EditOp:
    """The query interface's op for an edit form's Edit (what a backend that keeps
    edits apart from its data, the out-of-core overlay, applies). `selected` is where
    the edited event was last seen (a hint)."""
    if isinstance(edit, ReplaceEvent):
        hint = (selected,) if selected >= 0 else ()
        return PutEvent(edit.record, replacing=edit.event_id, text=edit.text, keys=hint)
    if isinstance(edit, AddEvent):
        return PutEvent(edit.record, text=edit.text)
    if isinstance(edit, DeleteEvents):
        return DeleteEventsOp(tuple(edit.event_ids), text=edit.text)
    if isinstance(edit, SetRecord):
        return PutEntity(edit.table, edit.ident, edit.record, text=edit.text)
    if isinstance(edit, MergeActors):
        return MergeActorsOp(edit.keep, edit.drop, text=edit.text)
    raise TypeError(f"no query-interface op for {type(edit).__name__}")
