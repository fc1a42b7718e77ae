"""The periods panel: the document's periods listed by start, each a key press from
the timeline showing it whole, and added, edited or deleted with undo.

Enter (or double-click) jumps: the timeline zooms to the period. Insert adds one, F2
edits the current one, Delete deletes it; every change goes through the same edit
machinery as events (`SetRecord` on the undo stack), so Ctrl+Z brings it back.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from explorer.edits import EditError, SetRecord
from explorer.model.dates import DatedValue, DateError, Precision
from explorer.model.document import NO_END
from explorer.model.html_text import html_to_plain
from explorer.model.periods import new_period_id, period_records, period_spans
from explorer.ui.commands import perform
from explorer.ui.display_text import shown
from explorer.ui.edit_dialogs import DateField, FieldError, RecordDialog
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Period", "From", "To")


class PeriodsModel(QAbstractTableModel):
    """One row per period, in start order; reads the document's periods table."""

    def __init__(self, state: ViewState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._order = np.zeros(0, dtype=np.int64)
        self._rows: list[tuple[str, str, str, str]] = []  # id, label, from, to
        state.document_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        periods = self.state.queries.periods()
        lo, _ = period_spans(periods)
        self._order = np.argsort(lo, kind="stable").astype(np.int64)
        self._rows = []
        starts = periods["start"].to_numpy(np.int64)
        start_precs = periods["start_precision"].to_numpy(np.int8)
        ends = periods["end"].to_numpy(np.int64)
        end_precs = periods["end_precision"].to_numpy(np.int8)
        for row in self._order.tolist():
            start = DatedValue(int(starts[row]), Precision(int(start_precs[row])))
            end_prec = int(end_precs[row])
            end = DatedValue(int(ends[row]), Precision(end_prec)) if end_prec != NO_END else None
            label = html_to_plain(str(periods["label"].iat[row])[:2_000]).text
            self._rows.append(
                (
                    str(periods["id"].iat[row]),
                    shown(label, lines=False),
                    start.human(),
                    end.human() if end else "",
                )
            )
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column() + 1]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            _, label, start, end = self._rows[index.row()]
            return f"{label}, {start} to {end}" if end else f"{label}, {start}"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def period_id(self, row: int) -> str | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def row_of(self, ident: str) -> int:
        return next((k for k, r in enumerate(self._rows) if r[0] == ident), -1)


class PeriodDialog(RecordDialog):
    """Add or edit a period: label, from, to (empty: the start's own year, month...),
    colour (#rrggbb, empty for the palette's) and a description."""

    def __init__(self, record: dict[str, Any], parent: QWidget | None = None) -> None:
        new = not record.get("label")
        super().__init__("New Period" if new else "Edit Period", "period-dialog", parent)
        self.ident = str(record["id"])
        self.setMinimumWidth(460)
        self.label = QLineEdit(str(record.get("label") or ""))
        self._row("&Label:", self.label)
        self.start = DateField("From", str(record.get("start") or ""), required=True)
        self._row("&From:", self._date_row(self.start), field=self.start.edit, name="From")
        self.end = DateField(
            "To", str(record.get("end") or ""), required=False, empty="ends with its start"
        )
        self._row("&To:", self._date_row(self.end), field=self.end.edit, name="To")
        self.colour = QLineEdit(str(record.get("colour") or ""))
        self.colour.setPlaceholderText("#rrggbb, or empty")
        self._row("&Colour:", self.colour)
        self.description = QLineEdit(str(record.get("description") or ""))
        self._row("&Description:", self.description)
        self._tab_order([self.label, self.start.edit, self.end.edit, self.colour, self.description])
        self.label.setFocus()

    @staticmethod
    def _date_row(field: DateField) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(field.edit, 1)
        top.addWidget(field.precision)
        layout.addLayout(top)
        layout.addWidget(field.preview)
        return box

    def _build(self) -> dict[str, Any]:
        label = self.label.text().strip()
        if not label:
            raise FieldError("Label: a period needs a label", self.label)
        dates: dict[str, DatedValue | None] = {}
        for key, field in (("start", self.start), ("end", self.end)):
            try:
                dates[key] = field.value()
            except DateError as exc:
                raise FieldError(f"{field.name}: {exc}", field.edit) from None
        start, end = dates["start"], dates["end"]
        if start is None:
            raise FieldError("From: a period needs a start", self.start.edit)
        if end is not None and end.end <= start.seconds:
            raise FieldError("To: ends before it starts", self.end.edit)
        colour = self.colour.text().strip()
        if colour and not _COLOUR.match(colour):
            raise FieldError(f"Colour: {colour!r} is not #rrggbb", self.colour)
        return {
            "id": self.ident,
            "label": label,
            "description": self.description.text(),
            "start": start.iso(),
            "end": end.iso() if end else None,
            "colour": colour,
        }


class _PeriodsView(QTableView):
    """Takes Enter, Insert, F2 and Delete before the window's shortcuts do."""

    keyed = Signal(str)
    _KEYS: ClassVar[dict[Qt.Key, str]] = {
        Qt.Key.Key_Return: "jump",
        Qt.Key.Key_Enter: "jump",
        Qt.Key.Key_Insert: "new",
        Qt.Key.Key_F2: "edit",
        Qt.Key.Key_Delete: "delete",
    }

    def _action(self, event: QKeyEvent) -> str | None:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return None
        return self._KEYS.get(Qt.Key(event.key()))

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._action(event) is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._action(event)
        if action is None:
            super().keyPressEvent(event)
            return
        self.keyed.emit(action)
        event.accept()


class PeriodsPanel(QWidget):
    """The list, its buttons, and the handlers the actions table names."""

    jump_requested = Signal(object, object)  # lo, hi seconds (beyond 32 bits: object)
    # A document opened: show the panel when it has periods, out of the way when not
    # (an edit never hides it, even one deleting the last period).
    dock_wanted = Signal(bool)

    def __init__(self, state: ViewState, editor: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("periods-panel")
        self.state = state
        self.editor = editor
        self.model = PeriodsModel(state, self)
        self.view = _PeriodsView(self)
        self.view.setObjectName("periods-view")
        self.view.setAccessibleName("Periods")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.view.keyed.connect(self._keyed)
        self.view.doubleClicked.connect(lambda _index: self.jump())
        buttons = QHBoxLayout()
        for text, handler in (
            ("&Show", self.jump),
            ("Add…", self.new_period),
            ("Edit…", self.edit_period),
            ("Delete", self.delete_period),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(handler)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.view)
        state.document_changed.connect(self._on_document)

    def _on_document(self) -> None:
        if not self.state.last_change_was_edit:
            self.dock_wanted.emit(bool(len(self.state.queries.periods())))

    def _keyed(self, action: str) -> None:
        {
            "jump": self.jump,
            "new": self.new_period,
            "edit": self.edit_period,
            "delete": self.delete_period,
        }[action]()

    # --- handlers (the actions table names them) ------------------------------------

    def focus_list(self) -> None:
        dock = self.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.period_id(index.row()) if index.isValid() else None

    def _record(self, ident: str) -> dict[str, Any] | None:
        periods = self.state.queries.periods()
        rows = np.flatnonzero((periods["id"] == ident).to_numpy(dtype=bool))
        if not len(rows):
            return None
        return period_records(periods.iloc[rows[:1]])[0]

    def jump(self) -> None:
        ident = self.current_id()
        periods = self.state.queries.periods()
        if ident is None:
            return
        rows = np.flatnonzero((periods["id"] == ident).to_numpy(dtype=bool))
        lo, hi = period_spans(periods.iloc[rows[:1]])
        if len(lo):
            self.jump_requested.emit(int(lo[0]), int(hi[0]))

    def _apply(self, edit: SetRecord, select: str | None) -> None:
        store = self.state.store
        if store is None:  # out of core: the data is read-only (periods live in memory)
            QMessageBox.information(
                self, "Read-only", "Periods of an out-of-core file cannot be edited."
            )
            return
        try:
            perform(self.editor.stack, store, edit)
        except EditError as exc:
            QMessageBox.warning(self, "Edit refused", plain(str(exc)))
            return
        row = self.model.row_of(select) if select else -1
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def new_period(self) -> None:
        periods = self.state.queries.periods()
        vp = self.state.viewport
        t0, t1 = vp.window()
        middle = DatedValue((t0 + t1) // 2, Precision.YEAR)
        record = {"id": new_period_id(periods), "label": "", "start": middle.iso(), "end": None}
        dialog = PeriodDialog(record, self)
        if dialog.exec():
            made = dialog.record()
            self._apply(
                SetRecord("periods", made["id"], made, f"Add period “{made['label']}”"), made["id"]
            )

    def edit_period(self) -> None:
        ident = self.current_id()
        record = self._record(ident) if ident else None
        if ident is None or record is None:
            return
        dialog = PeriodDialog(record, self)
        if dialog.exec():
            self._apply(SetRecord("periods", ident, dialog.record()), ident)

    def delete_period(self) -> None:
        ident = self.current_id()
        record = self._record(ident) if ident else None
        if ident is None or record is None:
            return
        row = self.view.currentIndex().row()
        self._apply(SetRecord("periods", ident, None, f"Delete period “{record['label']}”"), None)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))
