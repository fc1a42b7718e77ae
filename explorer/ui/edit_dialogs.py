"""Forms that edit one record: an event, an actor, a source, a theme; and merging two actors.

Each dialog edits a copy of a record in the native format's shape (explorer.edits,
docs/format.md) and hands back the edited copy from ``record()``; nothing touches
the document until the caller applies an Edit. OK checks every field and refuses
with a message in a red label, focusing the field at fault, so the dialog stays
open with what was typed.

Keyboard: every field has a mnemonic (Alt+letter, shown underlined in its label),
Tab runs top to bottom, Enter accepts from a line edit or a list, Ctrl+Enter
accepts from anywhere (a summary box or a table cell too), Escape cancels. In the
actors and figures tables, typing or F2 edits the current cell, Tab moves to the
next cell while editing, Enter ends the edit; Tab outside an edit leaves the table.

Every label that can show text from a file is plain text (Qt would otherwise guess
rich text and render markup from an imported file).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.io.kit.columns import slug
from explorer.model.dates import DatedValue, DateError, Precision, floor_to, format_iso, parse_date
from explorer.model.document import DEFAULT_STATUS, ClaimStatus, Document
from explorer.model.records import check_event
from explorer.ui import style
from explorer.ui.detail_view import is_web_link
from explorer.ui.messages import plain, plain_label
from explorer.ui.style import WARNING_COLOUR, source_warning

ACTOR_KINDS: Final = ("government", "company", "investor", "state", "person", "media", "group")
POSTURES: Final = ("ESCALATING", "PROACTIVE", "DOCUMENTED", "DUAL TRACK")
FIGURE_KEYS: Final = ("text", "quantity", "unit", "qualifier", "label")
FIGURE_HEADERS: Final = ("Text", "Quantity", "Unit", "Qualifier", "Label")
ERROR_COLOUR: Final = "#c0392b"
DATE_HINT: Final = "2025, 2026-06, 2026-06-24, 2026-06-24T10:30"
# Ids made from long titles are cut at this length (at a hyphen where possible).
ID_LENGTH: Final = 48

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID_ROLE: Final = Qt.ItemDataRole.UserRole
_WHERE = re.compile(r'^events\[\d+\] \(id "[^"]*"\): ')


def new_id(base: str, existing: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken yet."""
    if base not in existing:
        return base
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


def id_from(text: str, prefix: str, existing: set[str], fallback: str) -> str:
    """A readable id made from a name ("Bloomberg" -> "s-bloomberg"), unique in `existing`."""
    base = slug(text, fallback)
    if len(base) > ID_LENGTH:
        cut = base[:ID_LENGTH]
        base = cut[: cut.rfind("-")] if "-" in cut[ID_LENGTH // 2 :] else cut
    return new_id(prefix + base.strip("-"), existing)


def parse_quantity(text: str) -> int | float | None:
    """A figure's quantity as typed: empty is None, "1,000" is 1000; ValueError otherwise."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def format_quantity(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


class FieldError(ValueError):
    """A field the user must correct: the message to show and the widget to focus."""

    def __init__(self, message: str, widget: QWidget) -> None:
        super().__init__(message)
        self.message = message
        self.widget = widget


class RecordDialog(QDialog):
    """Form, red message label, OK/Cancel; subclasses add rows and implement `_build`."""

    def __init__(self, title: str, object_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self.setSizeGripEnabled(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = plain_label(name="edit-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setAccessibleName("Problem")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        accept = QShortcut(QKeySequence("Ctrl+Return"), self)
        accept.activated.connect(self._accept)
        accept_keypad = QShortcut(QKeySequence("Ctrl+Enter"), self)
        accept_keypad.activated.connect(self._accept)
        self._result: dict[str, Any] | None = None
        self._flagged: QWidget | None = None

    # --- building the form ---------------------------------------------------------

    def _row(
        self, text: str, widget: QWidget, *, field: QWidget | None = None, name: str = ""
    ) -> QLabel:
        """A form row: `text` ("&Title:") labels `field` (default `widget`), the mnemonic's
        target, which also gets the accessible name."""
        target = field if field is not None else widget
        label = plain_label(text, buddy=target)
        target.setAccessibleName(name or text.replace("&", "").rstrip(":"))
        self.form.addRow(label, widget)
        return label

    def _tab_order(self, widgets: list[QWidget]) -> None:
        chain = [*widgets, *self.buttons.buttons()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- accepting ------------------------------------------------------------------

    def _build(self) -> dict[str, Any]:
        raise NotImplementedError

    def _commit_edits(self) -> None:
        """Hand any open table editor's text to its cell before reading the form."""
        for table in self.findChildren(QTableWidget):
            if table.state() == QAbstractItemView.State.EditingState:
                editor = table.indexWidget(table.currentIndex())
                if editor is not None:
                    table.commitData(editor)

    def show_error(self, message: str, widget: QWidget | None = None) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        if self._flagged is not None:
            self._flagged.setAccessibleDescription("")
            self._flagged = None
        if widget is not None:
            # A screen reader reads the problem when the field gets focus.
            widget.setAccessibleDescription(message)
            self._flagged = widget
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    def _accept(self) -> None:
        self._commit_edits()
        try:
            record = self._build()
        except FieldError as exc:
            self.show_error(exc.message, exc.widget)
            return
        self.show_error("")
        self._result = record
        self.accept()

    def record(self) -> dict[str, Any]:
        """The record as accepted; before OK, as the fields stand (FieldError if one is bad)."""
        if self._result is not None:
            return copy.deepcopy(self._result)
        return self._build()


# --- dates ----------------------------------------------------------------------------


class DateField:
    """A date typed at any precision, with a precision box kept in step with it.

    Typing "2025" sets the box to year; choosing a coarser precision truncates the
    date ("2026-06-24" -> year -> "2026"), a finer one extends it ("2025" -> day ->
    "2025-01-01").
    """

    def __init__(self, name: str, text: str, *, required: bool, empty: str = "") -> None:
        self.name = name
        self.required = required
        self.empty = empty
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText(DATE_HINT if required else f"empty: no end ({DATE_HINT})")
        self.precision = QComboBox()
        for p in Precision:
            self.precision.addItem(p.label, int(p))
        self.precision.setAccessibleName(f"{name} precision")
        self.preview = plain_label(name=f"{name.lower()}-preview")
        self.preview.setStyleSheet(f"color: {style.MUTED_TEXT.name()};")
        self.edit.textChanged.connect(self._typed)
        self.precision.currentIndexChanged.connect(self._chosen)
        self._typed(text)

    def value(self) -> DatedValue | None:
        """The date, None when empty; DateError when the text is not a date."""
        text = self.edit.text().strip()
        return parse_date(text) if text else None

    def _typed(self, _text: str) -> None:
        try:
            value = self.value()
        except DateError as exc:
            self.preview.setText(str(exc))
            return
        if value is None:
            self.preview.setText(self.empty)
            return
        was = self.precision.blockSignals(True)
        self.precision.setCurrentIndex(int(value.precision))
        self.precision.blockSignals(was)
        self.preview.setText(f"{value.human()}   ({value.precision.label} precision)")

    def _chosen(self, index: int) -> None:
        try:
            value = self.value()
        except DateError:
            return
        if value is None:
            return
        precision = Precision(index)
        self.edit.setText(format_iso(floor_to(value.seconds, precision), precision))
        self._typed(self.edit.text())


# --- events ---------------------------------------------------------------------------


def _actor_labels(actors: Document | list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, name) for each actor; a name that two actors share gets its id added."""
    if isinstance(actors, Document):
        ids = [str(i) for i in actors.actors["id"]]
        names = [str(n) for n in actors.actors["name"]]
    else:
        ids = [str(a.get("id") or "") for a in actors]
        names = [str(a.get("name") or "") for a in actors]
    shared = {n for n in names if names.count(n) > 1}
    return [
        (i, f"{n} ({i})" if n in shared or not n else n) for i, n in zip(ids, names, strict=True)
    ]


class ActorDelegate(QStyledItemDelegate):
    """Edits the actor column with a combo box of the document's actors by name."""

    def __init__(self, actors: list[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.actors = actors

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Actor")
        for ident, label in self.actors:
            combo.addItem(label, ident)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            found = editor.findData(index.data(_ID_ROLE))
            editor.setCurrentIndex(max(found, 0))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, QComboBox) and editor.currentIndex() >= 0:
            # Read both first: the view puts the cell's data back into an open editor as
            # soon as one role changes.
            ident, label = editor.currentData(), editor.currentText()
            model.setData(index, ident, _ID_ROLE)
            model.setData(index, label, Qt.ItemDataRole.DisplayRole)


class _FormTable(QTableWidget):
    """A table inside a form: Tab from the last cell of a row (Shift+Tab from the first)
    ends the edit and leaves the table, instead of wrapping to the next row for ever."""

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        column = self.currentColumn()
        forward = hint == _EditHint.EditNextItem and column == self.columnCount() - 1
        back = hint == _EditHint.EditPreviousItem and column == 0
        if not (forward or back):
            super().closeEditor(editor, hint)
            return
        super().closeEditor(editor, _EditHint.NoHint)
        if forward:
            self.focusNextChild()
        else:
            self.focusPreviousChild()


_EditHint = QAbstractItemDelegate.EndEditHint


def _table(headers: tuple[str, ...], name: str) -> QTableWidget:
    table = _FormTable(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    # Tab leaves the table (top-to-bottom form order); while editing, Tab goes to the next cell.
    table.setTabKeyNavigation(False)
    table.setMinimumHeight(96)
    table.setMaximumHeight(150)
    return table


def _check_list(name: str) -> QListWidget:
    box = QListWidget()
    box.setAccessibleName(name)
    box.setMaximumHeight(120)
    return box


def _check_item(box: QListWidget, text: str, ident: str, checked: bool, tip: str) -> None:
    item = QListWidgetItem(text)
    item.setData(_ID_ROLE, ident)
    item.setFlags(
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
    )
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    if tip:
        item.setToolTip(plain(tip))
    box.addItem(item)


def _checked_ids(box: QListWidget, before: list[str]) -> list[str]:
    """Checked ids: those the record had first, in its order, then new ones in list order."""
    checked = [
        str(box.item(i).data(_ID_ROLE))
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    ]
    kept = [i for i in before if i in checked]
    return kept + [i for i in checked if i not in kept]


def _buttons_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


class EventDialog(RecordDialog):
    """Edit one event: title, dates at any precision, status, actors with roles, themes,
    sources, figures and summary. `record()` returns the edited record (same id)."""

    def __init__(
        self, doc: Document, record: dict[str, Any], parent: QWidget | None = None
    ) -> None:
        title = "New Event" if not record.get("title") else "Edit Event"
        super().__init__(title, "event-dialog", parent)
        self.doc = doc
        self.original = copy.deepcopy(record)

        self.title_edit = QLineEdit(str(record.get("title") or ""))
        self._row("&Title:", self.title_edit)

        self.start = DateField("Start", str(record.get("start") or ""), required=True)
        self.end = DateField(
            "End", str(record.get("end") or ""), required=False, empty="no end date"
        )
        self._date_rows(self.start, "&Start:", "&Precision:")
        self._date_rows(self.end, "&End:", "Precisio&n:")

        self.status = QComboBox()
        for status in ClaimStatus:
            self.status.addItem(status.value, status.value)
            self.status.setItemData(
                self.status.count() - 1,
                style.STATUS_DESCRIPTIONS[status],
                Qt.ItemDataRole.ToolTipRole,
            )
        self.status.currentIndexChanged.connect(self._status_tip)
        found = self.status.findData(str(record.get("status") or DEFAULT_STATUS.value))
        self.status.setCurrentIndex(max(found, 0))
        self._status_tip()
        self._row("Stat&us:", self.status, name="Claim status")

        # Actors with roles.
        self.actor_labels = _actor_labels(doc)
        self.actors = _table(("Actor", "Role"), "Actors and their roles")
        self.actors.setItemDelegateForColumn(0, ActorDelegate(self.actor_labels, self.actors))
        names = dict(self.actor_labels)
        for ref in record.get("actors") or []:
            ident, role = (ref, "") if isinstance(ref, str) else (ref["actor"], ref.get("role"))
            self._add_actor_row(str(ident), names.get(str(ident), str(ident)), str(role or ""))
        self.add_actor = QPushButton("A&dd actor")
        self.add_actor.setAccessibleName("Add actor")
        self.add_actor.setEnabled(bool(self.actor_labels))
        self.add_actor.clicked.connect(self._new_actor_row)
        self.remove_actor = QPushButton("Re&move actor")
        self.remove_actor.setAccessibleName("Remove the selected actor")
        self.remove_actor.clicked.connect(lambda: self._remove_row(self.actors))
        self._row(
            "&Actors:",
            self._stack(self.actors, self.add_actor, self.remove_actor),
            field=self.actors,
            name="Actors and their roles",
        )

        # Themes and sources: checkable lists (Space toggles the current one).
        self.themes = _check_list("Themes")
        theme_ids = [str(t) for t in record.get("themes") or []]
        for ident, name, description in zip(
            doc.themes["id"], doc.themes["name"], doc.themes["description"], strict=True
        ):
            _check_item(
                self.themes,
                str(name) or str(ident),
                str(ident),
                str(ident) in theme_ids,
                str(description),
            )
        self._unknown(self.themes, theme_ids)
        self._row("T&hemes:", self.themes)

        self.sources = _check_list("Sources")
        source_ids = [str(s) for s in record.get("sources") or []]
        for ident, publisher, src_title, url in zip(
            doc.sources["id"],
            doc.sources["publisher"],
            doc.sources["title"],
            doc.sources["url"],
            strict=True,
        ):
            text = " — ".join(x for x in (str(publisher), str(src_title)) if x) or str(ident)
            tip = f"{text}\n{url}" if url else text
            _check_item(self.sources, text, str(ident), str(ident) in source_ids, tip)
        self._unknown(self.sources, source_ids)
        self._row("Sou&rces:", self.sources)
        # A status that says someone stated the event needs the source that did.
        self.source_warning = plain_label(name="source-warning")
        self.source_warning.setWordWrap(True)
        self.source_warning.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.form.addRow("", self.source_warning)
        self.status.currentIndexChanged.connect(self._check_sources)
        self.sources.itemChanged.connect(self._check_sources)
        self._check_sources()

        # Figures.
        self.figures = _table(FIGURE_HEADERS, "Figures")
        for fig in record.get("figures") or []:
            self._add_figure_row(fig)
        self.add_figure = QPushButton("Add fi&gure")
        self.add_figure.setAccessibleName("Add figure")
        self.add_figure.clicked.connect(self._new_figure_row)
        self.remove_figure = QPushButton("Remo&ve figure")
        self.remove_figure.setAccessibleName("Remove the selected figure")
        self.remove_figure.clicked.connect(lambda: self._remove_row(self.figures))
        self._row(
            "&Figures:",
            self._stack(self.figures, self.add_figure, self.remove_figure),
            field=self.figures,
            name="Figures",
        )

        self.summary = QPlainTextEdit(str(record.get("summary") or ""))
        self.summary.setTabChangesFocus(True)
        self.summary.setMaximumHeight(110)
        self._row("Summar&y:", self.summary)

        self._tab_order(
            [
                self.title_edit,
                self.start.edit,
                self.start.precision,
                self.end.edit,
                self.end.precision,
                self.status,
                self.actors,
                self.add_actor,
                self.remove_actor,
                self.themes,
                self.sources,
                self.figures,
                self.add_figure,
                self.remove_figure,
                self.summary,
            ]
        )
        for box in (self.themes, self.sources):
            if box.count():
                box.setCurrentRow(0)
        for table in (self.actors, self.figures):
            if table.rowCount():
                table.setCurrentCell(0, 0)
        self.resize(620, 760)
        self.title_edit.setFocus()

    # --- layout helpers ---------------------------------------------------------------

    def _date_rows(self, field: DateField, text: str, precision_text: str) -> None:
        row = QHBoxLayout()
        row.addWidget(field.edit, 1)
        row.addWidget(plain_label(precision_text, buddy=field.precision))
        row.addWidget(field.precision)
        label = plain_label(text, buddy=field.edit)
        field.edit.setAccessibleName(f"{field.name} date")
        self.form.addRow(label, row)
        self.form.addRow(plain_label(), field.preview)

    @staticmethod
    def _stack(table: QTableWidget, *buttons: QPushButton) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table)
        layout.addLayout(_buttons_row(*buttons))
        return box

    @staticmethod
    def _unknown(box: QListWidget, ids: list[str]) -> None:
        """Ids the document does not have stay listed (checked) so nothing is lost silently;
        OK then names them."""
        known = {str(box.item(i).data(_ID_ROLE)) for i in range(box.count())}
        for ident in ids:
            if ident not in known:
                _check_item(box, f"{ident} (not in this document)", ident, True, "")

    def _check_sources(self) -> None:
        status = ClaimStatus(str(self.status.currentData()))
        checked = any(
            self.sources.item(i).checkState() == Qt.CheckState.Checked
            for i in range(self.sources.count())
        )
        text = source_warning(status) if not checked else ""
        self.source_warning.setText(text)
        self.source_warning.setVisible(bool(text))
        self.sources.setAccessibleDescription(text)

    def _status_tip(self) -> None:
        status = ClaimStatus(str(self.status.currentData()))
        self.status.setToolTip(style.STATUS_DESCRIPTIONS[status])
        self.status.setAccessibleDescription(style.STATUS_DESCRIPTIONS[status])

    # --- actors and figures rows ---------------------------------------------------

    def _add_actor_row(self, ident: str, label: str, role: str) -> int:
        row = self.actors.rowCount()
        self.actors.insertRow(row)
        actor = QTableWidgetItem(label)
        actor.setData(_ID_ROLE, ident)
        self.actors.setItem(row, 0, actor)
        self.actors.setItem(row, 1, QTableWidgetItem(role))
        return row

    def _new_actor_row(self) -> None:
        items = (self.actors.item(r, 0) for r in range(self.actors.rowCount()))
        used = {item.data(_ID_ROLE) for item in items if item is not None}
        ident, label = next(
            ((i, n) for i, n in self.actor_labels if i not in used), self.actor_labels[0]
        )
        self._edit_cell(self.actors, self._add_actor_row(ident, label, ""))

    def _add_figure_row(self, fig: dict[str, Any]) -> int:
        row = self.figures.rowCount()
        self.figures.insertRow(row)
        for column, key in enumerate(FIGURE_KEYS):
            value = fig.get(key)
            text = format_quantity(value) if key == "quantity" else str(value or "")
            self.figures.setItem(row, column, QTableWidgetItem(text))
        return row

    def _new_figure_row(self) -> None:
        self._edit_cell(self.figures, self._add_figure_row({}))

    @staticmethod
    def _edit_cell(table: QTableWidget, row: int, column: int = 0) -> None:
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        table.setCurrentCell(row, column)
        item = table.item(row, column)
        if item is not None:
            table.editItem(item)

    @staticmethod
    def _remove_row(table: QTableWidget) -> None:
        """Remove the current row; the focus stays on the table, on the row that followed."""
        row = table.currentRow()
        if row < 0:
            return
        table.removeRow(row)
        if table.rowCount():
            table.setCurrentCell(min(row, table.rowCount() - 1), 0)
        table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the record -------------------------------------------------------------------

    def _date(self, field: DateField) -> DatedValue | None:
        try:
            value = field.value()
        except DateError as exc:
            raise FieldError(f"{field.name}: {exc}", field.edit) from None
        if value is None and field.required:
            raise FieldError(f"{field.name}: a date is required ({DATE_HINT})", field.edit)
        return value

    def _actor_refs(self) -> list[dict[str, str]]:
        refs = []
        for row in range(self.actors.rowCount()):
            item, role = self.actors.item(row, 0), self.actors.item(row, 1)
            ident = str(item.data(_ID_ROLE) or "") if item is not None else ""
            if not ident:
                self.actors.setCurrentCell(row, 0)
                raise FieldError(f"Actors, row {row + 1}: choose an actor", self.actors)
            refs.append({"actor": ident, "role": role.text().strip() if role else ""})
        return refs

    def _figure_records(self) -> list[dict[str, Any]]:
        figures = []
        for row in range(self.figures.rowCount()):
            cells = {}
            for column, key in enumerate(FIGURE_KEYS):
                item = self.figures.item(row, column)
                cells[key] = item.text().strip() if item is not None else ""
            if not any(cells.values()):
                continue  # a row added and left blank
            if not cells["text"]:
                self.figures.setCurrentCell(row, 0)
                raise FieldError(
                    f"Figures, row {row + 1}: the text is required (the figure as the source "
                    "writes it, e.g. “1,000s”)",
                    self.figures,
                )
            try:
                quantity = parse_quantity(cells["quantity"])
            except ValueError:
                self.figures.setCurrentCell(row, 1)
                raise FieldError(
                    f"Figures, row {row + 1}: quantity {cells['quantity']!r} is not a number "
                    "(leave it empty when there is none)",
                    self.figures,
                ) from None
            figures.append({**cells, "quantity": quantity})
        return figures

    def _build(self) -> dict[str, Any]:
        title = self.title_edit.text().strip()
        if not title:
            raise FieldError("Title: an event needs a title", self.title_edit)
        start = self._date(self.start)
        end = self._date(self.end)
        assert start is not None
        if end is not None and end.end <= start.seconds:
            raise FieldError(
                f"End: {end.human()} is before the start, {start.human()}", self.end.edit
            )
        record = {
            "id": self.original.get("id", ""),
            "title": title,
            "summary": self.summary.toPlainText(),
            "start": start.iso(),
            "end": end.iso() if end is not None else None,
            "status": str(self.status.currentData()),
            "actors": self._actor_refs(),
            "sources": _checked_ids(
                self.sources, [str(s) for s in self.original.get("sources") or []]
            ),
            "themes": _checked_ids(
                self.themes, [str(t) for t in self.original.get("themes") or []]
            ),
            "figures": self._figure_records(),
            "attributes": copy.deepcopy(self.original.get("attributes") or {}),
        }
        # Checked against the document's tables; each problem names its field, and
        # the field names the widget (no message parsing).
        _, problems = check_event(self.doc, record, replacing=str(record.get("id")))
        if problems:
            first = problems[0]
            text = f"{first.field}: {first.reason}" if first.field else first.reason
            raise FieldError(text, self._widget_for(first.field))
        return record

    def _ids(self, key: str) -> list[str]:
        return [str(i) for i in self.original.get(key) or []]

    def _widget_for(self, field: str) -> QWidget:
        """The widget holding a record field ("start", "actors[2]", "figures[0].text")."""
        head = re.split(r"[\[.]", field, maxsplit=1)[0]
        for key, widget in (
            ("actors", self.actors),
            ("sources", self.sources),
            ("themes", self.themes),
            ("figures", self.figures),
            ("end", self.end.edit),
            ("start", self.start.edit),
            ("status", self.status),
            ("title", self.title_edit),
        ):
            if head == key:
                return widget
        return self.title_edit


# --- actors, sources, themes -------------------------------------------------------


class _SimpleRecordDialog(RecordDialog):
    """A record of text fields with an id that is made once, from its name, when new."""

    def __init__(
        self,
        title: str,
        object_name: str,
        record: dict[str, Any],
        existing_ids: set[str],
        parent: QWidget | None,
    ) -> None:
        super().__init__(title, object_name, parent)
        self.original = copy.deepcopy(record)
        self.existing_ids = set(existing_ids)
        self.is_new = not str(record.get("id") or "")
        self.setMinimumWidth(460)
        self.id_label = plain_label(name="record-id")
        self.id_label.setStyleSheet(f"color: {style.MUTED_TEXT.name()};")

    def _id(self) -> str:
        if not self.is_new:
            return str(self.original["id"])
        return self._new_id()

    def _new_id(self) -> str:
        raise NotImplementedError

    def _show_id(self) -> None:
        self.id_label.setText(f"{self._id()}" + ("   (new)" if self.is_new else ""))

    @staticmethod
    def _text_box(text: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setTabChangesFocus(True)
        box.setMaximumHeight(120)
        return box


class ActorDialog(_SimpleRecordDialog):
    """Edit or create an actor; a new one (record id "") gets an id made from its name."""

    def __init__(
        self, record: dict[str, Any], existing_ids: set[str], parent: QWidget | None = None
    ) -> None:
        new = not str(record.get("id") or "")
        super().__init__(
            "New Actor" if new else "Edit Actor", "actor-dialog", record, existing_ids, parent
        )
        self.name = QLineEdit(str(record.get("name") or ""))
        self._row("&Name:", self.name)
        self.kind = _editable_combo(ACTOR_KINDS, str(record.get("kind") or ""))
        self._row("&Kind:", self.kind)
        self.posture = _editable_combo(("", *POSTURES), str(record.get("posture") or ""))
        for i, posture in enumerate(POSTURES, start=1):
            self.posture.setItemData(
                i, QColor(style.POSTURE_COLOURS[posture]), Qt.ItemDataRole.DecorationRole
            )
        self._row("&Posture:", self.posture)

        self.colour = QLineEdit(str(record.get("colour") or ""))
        self.colour.setPlaceholderText("#rrggbb, or empty for a palette colour")
        self.swatch = QFrame()
        self.swatch.setFixedSize(22, 22)
        self.swatch.setFrameShape(QFrame.Shape.Box)
        self.swatch.setAccessibleName("Colour sample")
        self.choose = QPushButton("C&hoose…")
        self.choose.setAccessibleName("Choose colour")
        self.choose.clicked.connect(self._choose_colour)
        self.colour.textChanged.connect(self._show_swatch)
        row = QHBoxLayout()
        row.addWidget(self.colour, 1)
        row.addWidget(self.swatch)
        row.addWidget(self.choose)
        self.form.addRow(plain_label("Co&lour:", buddy=self.colour), row)
        self.colour.setAccessibleName("Colour")

        self.description = self._text_box(str(record.get("description") or ""))
        self._row("&Description:", self.description)
        self.form.addRow(plain_label("Id:"), self.id_label)
        self.name.textChanged.connect(self._show_id)
        self._show_id()
        self._show_swatch(self.colour.text())
        self._tab_order(
            [self.name, self.kind, self.posture, self.colour, self.choose, self.description]
        )
        self.name.setFocus()

    def _new_id(self) -> str:
        return id_from(self.name.text().strip(), "", self.existing_ids, "actor")

    def _show_swatch(self, text: str) -> None:
        colour = text.strip()
        valid = bool(_COLOUR.match(colour))
        # Only a checked #rrggbb reaches the style sheet.
        self.swatch.setStyleSheet(f"background: {colour};" if valid else "")

    def _choose_colour(self) -> None:
        current = QColor(self.colour.text().strip())
        chosen = QColorDialog.getColor(
            current if current.isValid() else QColor("#4e79a7"), self, "Actor colour"
        )
        if chosen.isValid():
            self.colour.setText(chosen.name())
        self.colour.setFocus()

    def _build(self) -> dict[str, Any]:
        name = self.name.text().strip()
        if not name:
            raise FieldError("Name: an actor needs a name", self.name)
        colour = self.colour.text().strip()
        if colour and not _COLOUR.match(colour):
            raise FieldError(
                f"Colour: {colour!r} is not a colour; write #rrggbb (e.g. #3a7bd5) or leave "
                "it empty",
                self.colour,
            )
        return {
            "id": self._id(),
            "name": name,
            "kind": self.kind.currentText().strip(),
            "posture": self.posture.currentText().strip(),
            "description": self.description.toPlainText(),
            "colour": colour.lower(),
        }


def _editable_combo(items: tuple[str, ...], value: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(list(items))
    found = combo.findText(value)
    if found >= 0:
        combo.setCurrentIndex(found)
    else:
        combo.setEditText(value)
    return combo


class SourceDialog(_SimpleRecordDialog):
    """Edit or create a source; a new one gets an id made from publisher and title."""

    def __init__(
        self, record: dict[str, Any], existing_ids: set[str], parent: QWidget | None = None
    ) -> None:
        new = not str(record.get("id") or "")
        super().__init__(
            "New Source" if new else "Edit Source", "source-dialog", record, existing_ids, parent
        )
        self.publisher = QLineEdit(str(record.get("publisher") or ""))
        self._row("&Publisher:", self.publisher)
        self.title_edit = QLineEdit(str(record.get("title") or ""))
        self._row("&Title:", self.title_edit)
        self.url = QLineEdit(str(record.get("url") or ""))
        self.url.setPlaceholderText("https://…, or empty when unknown")
        self._row("&URL:", self.url, name="Web address (http or https)")
        self.published = DateField("Published", str(record.get("published") or ""), required=False)
        self.published.edit.setPlaceholderText(f"empty when unknown ({DATE_HINT})")
        row = QHBoxLayout()
        row.addWidget(self.published.edit, 1)
        row.addWidget(plain_label("P&recision:", buddy=self.published.precision))
        row.addWidget(self.published.precision)
        self.form.addRow(plain_label("Publi&shed:", buddy=self.published.edit), row)
        self.published.edit.setAccessibleName("Published date")
        self.form.addRow(plain_label(), self.published.preview)
        self.form.addRow(plain_label("Id:"), self.id_label)
        self.publisher.textChanged.connect(self._show_id)
        self.title_edit.textChanged.connect(self._show_id)
        self._show_id()
        self._tab_order(
            [
                self.publisher,
                self.title_edit,
                self.url,
                self.published.edit,
                self.published.precision,
            ]
        )
        self.publisher.setFocus()

    def _new_id(self) -> str:
        text = f"{self.publisher.text().strip()} {self.title_edit.text().strip()}"
        return id_from(text, "s-", self.existing_ids, "source")

    def _build(self) -> dict[str, Any]:
        publisher, title = self.publisher.text().strip(), self.title_edit.text().strip()
        if not publisher and not title:
            raise FieldError("Publisher: a source needs a publisher or a title", self.publisher)
        url = self.url.text().strip()
        if url and not is_web_link(url):
            raise FieldError(
                f"URL: {url!r} is not a web address; only http:// and https:// links are "
                "kept (leave it empty when unknown)",
                self.url,
            )
        try:
            published = self.published.value()
        except DateError as exc:
            raise FieldError(f"Published: {exc}", self.published.edit) from None
        return {
            "id": self._id(),
            "publisher": publisher,
            "title": title,
            "url": url,
            "published": published.iso() if published is not None else None,
        }


class ThemeDialog(_SimpleRecordDialog):
    """Edit or create a theme; a new one gets an id made from its name."""

    def __init__(
        self, record: dict[str, Any], existing_ids: set[str], parent: QWidget | None = None
    ) -> None:
        new = not str(record.get("id") or "")
        super().__init__(
            "New Theme" if new else "Edit Theme", "theme-dialog", record, existing_ids, parent
        )
        self.name = QLineEdit(str(record.get("name") or ""))
        self._row("&Name:", self.name)
        self.description = self._text_box(str(record.get("description") or ""))
        self._row("&Description:", self.description)
        self.form.addRow(plain_label("Id:"), self.id_label)
        self.name.textChanged.connect(self._show_id)
        self._show_id()
        self._tab_order([self.name, self.description])
        self.name.setFocus()

    def _new_id(self) -> str:
        return id_from(self.name.text().strip(), "t-", self.existing_ids, "theme")

    def _build(self) -> dict[str, Any]:
        name = self.name.text().strip()
        if not name:
            raise FieldError("Name: a theme needs a name", self.name)
        return {"id": self._id(), "name": name, "description": self.description.toPlainText()}


# --- merging actors ----------------------------------------------------------------


class MergeActorsDialog(RecordDialog):
    """Choose the actor to keep and the one to fold into it; `choice()` is (keep, drop).

    `actors` is the document (then the dialog says how many event links move) or its
    actor records; `keep` and `drop` preselect actors by id.
    """

    def __init__(
        self,
        actors: Document | list[dict[str, Any]],
        parent: QWidget | None = None,
        keep: str = "",
        drop: str = "",
    ) -> None:
        super().__init__("Merge Actors", "merge-actors-dialog", parent)
        self.doc = actors if isinstance(actors, Document) else None
        labels = _actor_labels(actors)
        self.keep = QComboBox()
        self.drop = QComboBox()
        for combo in (self.keep, self.drop):
            for ident, label in labels:
                combo.addItem(label, ident)
        self.keep.setCurrentIndex(max(self.keep.findData(keep), 0))
        fallback = 1 if self.keep.currentIndex() == 0 and len(labels) > 1 else 0
        found = self.drop.findData(drop)
        self.drop.setCurrentIndex(found if found >= 0 else fallback)
        self._row("&Keep:", self.keep, name="Actor to keep")
        self._row("&Fold into it:", self.drop, name="Actor to fold into the kept one")
        self.effect = plain_label(name="merge-effect")
        self.effect.setWordWrap(True)
        self.form.addRow(self.effect)
        self.keep.currentIndexChanged.connect(self._describe)
        self.drop.currentIndexChanged.connect(self._describe)
        self._describe()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Merge")
        ok.setEnabled(len(labels) > 1)
        self._tab_order([self.keep, self.drop])
        self.keep.setFocus()

    def choice(self) -> tuple[str, str]:
        return str(self.keep.currentData()), str(self.drop.currentData())

    def _describe(self) -> None:
        if self.keep.count() < 2:
            self.effect.setText("Merging needs two actors; this document has fewer.")
            return
        keep, drop = self.choice()
        if keep == drop:
            self.effect.setText("Choose two different actors.")
            return
        keep_name, drop_name = self.keep.currentText(), self.drop.currentText()
        if self.doc is None:
            moved = f"The events of {drop_name} move"
        else:
            links = int((self.doc.links["actor_id"] == drop).sum())
            moved = f"{drop_name}'s {links} event link{'s' if links != 1 else ''} move"
        self.effect.setText(f"{moved} to {keep_name}, then {drop_name} is deleted.")

    def _build(self) -> dict[str, Any]:
        keep, drop = self.choice()
        if keep == drop:
            raise FieldError("Choose two different actors: one to keep, one to fold in", self.drop)
        return {"keep": keep, "drop": drop}
