"""The actor panel: who is in the story, their posture, how many events, which lanes show.

A thin Qt item model over the store's actor table and the view state: it holds no
copy of the data, only the counts array it was last told about.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from explorer.model.lane_grouping import lane_columns, natural_key
from explorer.ui import style
from explorer.ui.display_text import shown
from explorer.ui.messages import plain, plain_label
from explorer.ui.style import posture_colour
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Actor", "Kind", "Posture", "Events")
NAME, KIND, POSTURE, EVENTS = range(4)

Index = QModelIndex | QPersistentModelIndex


class ActorModel(QAbstractTableModel):
    """One row per actor; the checkbox is the lane's visibility."""

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        self._counts = state.queries.actor_counts(state.filter)
        state.document_changed.connect(self._reset)
        state.filter_changed.connect(self._recount)
        state.lanes_changed.connect(self._lanes_changed)

    def _reset(self) -> None:
        self.beginResetModel()
        self._counts = self.state.queries.actor_counts(self.state.filter)
        self.endResetModel()

    def _recount(self) -> None:
        counts = self.state.queries.actor_counts(self.state.filter)
        if len(counts) == len(self._counts) and not np.array_equal(counts, self._counts):
            self._counts = counts
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, EVENTS), self.index(self.rowCount() - 1, EVENTS)
                )

    def _lanes_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, NAME),
                self.index(self.rowCount() - 1, NAME),
                [Qt.ItemDataRole.CheckStateRole],
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.state.actors)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def actor_id(self, row: int) -> str:
        return self.state.actors.ids[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        actors = self.state.actors
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == NAME:
                return shown(actors.names[row], lines=False)
            if col == KIND:
                return actors.kinds[row]
            if col == POSTURE:
                return actors.postures[row]
            if col == EVENTS:
                return f"{int(self._counts[row]):,}" if row < len(self._counts) else "0"
        if role == Qt.ItemDataRole.UserRole:  # sort key
            if col == EVENTS:
                return int(self._counts[row]) if row < len(self._counts) else 0
            column = (actors.names, actors.kinds, actors.postures)[col]
            return natural_key(column[row])
        if role == Qt.ItemDataRole.CheckStateRole and col == NAME:
            hidden = self.actor_id(row) in self.state.hidden_actors
            return Qt.CheckState.Unchecked if hidden else Qt.CheckState.Checked
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return style.actor_colour(actors.colours[row], row)
        if role == Qt.ItemDataRole.ForegroundRole and col == POSTURE:
            return style.posture_colour(actors.postures[row])
        if role == Qt.ItemDataRole.ToolTipRole and col in (NAME, POSTURE):
            description = actors.descriptions[row]
            return plain(description) if description else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == EVENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != NAME:
            return False
        ident = self.actor_id(index.row())
        visible = Qt.CheckState(value) == Qt.CheckState.Checked
        hidden = set(self.state.hidden_actors)
        hidden.discard(ident) if visible else hidden.add(ident)
        self.state.set_hidden_actors(frozenset(hidden))
        return True


class PostureBadge(QStyledItemDelegate):
    """Posture as a coloured badge, so ESCALATING reads at a glance."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if not text:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        width = min(metrics.horizontalAdvance(text) + 12, option.rect.width() - 4)
        rect = QRectF(
            option.rect.left() + 2, option.rect.top() + 2, width, option.rect.height() - 4
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(posture_colour(text))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QColor("white"))
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 12, hint.height())


class _ActorView(QTreeView):
    """Space toggles the lane, as users of checkable lists expect; Esc leaves."""

    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Space and self.currentIndex().isValid():
            index = self.currentIndex().siblingAtColumn(NAME)
            state = self.model().data(index, Qt.ItemDataRole.CheckStateRole)
            new = (
                Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
            )
            self.model().setData(index, new, Qt.ItemDataRole.CheckStateRole)
            return
        super().keyPressEvent(event)


class ActorPanel(QWidget):
    """Who is in the story. Space: lane on/off; Enter: go to the actor's lane."""

    lane_requested = Signal(int)  # actor row: bring its lane into view
    escape_pressed = Signal()  # Esc in the list (or in an empty find field): to the timeline

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("actor-panel")
        self.setAccessibleName("Actors")
        self.model = ActorModel(state)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterKeyColumn(NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.find_field = QLineEdit()
        self.find_field.setObjectName("actor-find")
        self.find_field.setPlaceholderText("Find actor…")
        self.find_field.setAccessibleName("Find actor")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.textChanged.connect(self._find)
        self.find_field.returnPressed.connect(self._go_first_match)
        self.view = _ActorView(self)
        self.view.setObjectName("actor-list")
        self.view.setAccessibleName("Actor list")
        self.view.setAccessibleDescription("Space shows or hides the actor's lane")
        self.view.setModel(self.proxy)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        # Names get the room; the other columns keep compact widths the user can drag.
        for col, width in ((KIND, 76), (POSTURE, 100), (EVENTS, 56)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.view.setItemDelegateForColumn(POSTURE, PostureBadge(self.view))
        self.view.escape_pressed.connect(self.escape_pressed)
        self.find_field.installEventFilter(self)
        self.model.modelReset.connect(self._fit_columns)
        self._fit_columns()
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # document order until asked
        self.view.activated.connect(self._activated)
        self.proxy.layoutChanged.connect(self._publish_order)
        self.proxy.modelReset.connect(self._publish_order)
        # Lanes from any column: a file with no host or user column still gets lanes.
        self.lanes_by = QComboBox()
        self.lanes_by.setObjectName("lanes-by")
        self.lanes_by.setAccessibleName("Make lanes from")
        self.lanes_by.setToolTip("One lane per actor, or per value of any column of the file")
        self.lanes_by.currentIndexChanged.connect(self._lanes_by_chosen)
        self.lanes_note = plain_label(name="lanes-note", wrap=True)
        self.lanes_note.setStyleSheet(f"color: {style.MUTED_TEXT.name()};")
        self.lanes_note.hide()
        lanes_row = QHBoxLayout()
        lanes_row.addWidget(plain_label("&Lanes:", self.lanes_by))
        lanes_row.addWidget(self.lanes_by, 1)
        state.document_changed.connect(self._fill_lanes_by)
        state.lanes_changed.connect(self._show_lanes_by)
        self._fill_lanes_by()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(lanes_row)
        layout.addWidget(self.lanes_note)
        layout.addWidget(self.find_field)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.find_field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            if self.find_field.text():
                self.find_field.clear()
            else:
                self.escape_pressed.emit()
            return True
        return super().eventFilter(watched, event)

    def _fill_lanes_by(self) -> None:
        if self.state.last_change_was_edit and self.lanes_by.count():
            return
        self.lanes_by.blockSignals(True)
        self.lanes_by.clear()
        self.lanes_by.addItem("Actors", None)
        store = self.state.store  # lanes by a column: in memory only
        for column in lane_columns(store.document.events) if store is not None else []:
            self.lanes_by.addItem(column, column)
        self.lanes_by.blockSignals(False)
        self._show_lanes_by()

    def _show_lanes_by(self) -> None:
        grouping = self.state.lane_grouping
        found = self.lanes_by.findData(None if grouping is None else grouping.column)
        self.lanes_by.blockSignals(True)
        self.lanes_by.setCurrentIndex(max(found, 0))
        self.lanes_by.blockSignals(False)
        if grouping is not None:
            self.lanes_note.setText(
                f"{len(grouping.names):,} lanes by {grouping.column}; the list below is "
                "still the document's actors."
            )
        self.lanes_note.setVisible(grouping is not None)

    def _lanes_by_chosen(self, index: int) -> None:
        column = self.lanes_by.itemData(index)
        problem = self.state.set_lane_grouping(None if column is None else str(column))
        if problem:
            self._show_lanes_by()
            self.lanes_note.setText(problem)
            self.lanes_note.show()

    def _fit_columns(self) -> None:
        """Columns nobody filled (no kinds, no postures: most imports) give names the room."""
        actors = self.state.actors
        for col, column in ((KIND, actors.kinds), (POSTURE, actors.postures)):
            self.view.setColumnHidden(col, all(not v.strip() for v in column))

    def use_default_order(self, *, authored: bool) -> None:
        """A document's own actor order when its author chose one (native files); else
        by name, naturally (imports list actors as they first appear, which means nothing)."""
        if authored:
            self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            self.proxy.sort(-1)
        else:
            self.view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self._publish_order()

    def _find(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, NAME))

    def _go_first_match(self) -> None:
        if self.proxy.rowCount():
            self.view.setFocus()
            self._activated(self.proxy.index(0, NAME))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.lane_requested.emit(self.proxy.mapToSource(index).row())

    def _publish_order(self) -> None:
        """Lanes follow the panel's order (sorted or not; a find filter does not hide lanes)."""
        order = [
            self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            for r in range(self.proxy.rowCount())
        ]
        if len(order) == self.model.rowCount():
            self.state.set_lane_order(order)

    def current_actor(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.actor_id(self.proxy.mapToSource(index).row())

    def select_actor(self, actor_id: str) -> None:
        """Make `actor_id` the current row (clearing a find that hides it)."""
        rows = [r for r in range(self.model.rowCount()) if self.model.actor_id(r) == actor_id]
        if not rows:
            return
        index = self.proxy.mapFromSource(self.model.index(rows[0], NAME))
        if not index.isValid():
            self.find_field.clear()
            index = self.proxy.mapFromSource(self.model.index(rows[0], NAME))
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def swatch(self, row: int) -> QColor:
        return QColor(self.model.data(self.model.index(row, NAME), Qt.ItemDataRole.DecorationRole))
