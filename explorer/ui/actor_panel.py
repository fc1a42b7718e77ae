"""The actor panel: who is in the story, their posture, how many events, which lanes show.

A thin Qt item model over the store's actor table and the view state: it holds no
copy of the data, only the counts array it was last told about.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QVBoxLayout, QWidget

from explorer.ui import style
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Actor", "Kind", "Posture", "Events")
NAME, KIND, POSTURE, EVENTS = range(4)

Index = QModelIndex | QPersistentModelIndex


class ActorModel(QAbstractTableModel):
    """One row per actor; the checkbox is the lane's visibility."""

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        self._counts = state.store.actor_counts(state.mask)
        state.document_changed.connect(self._reset)
        state.filter_changed.connect(self._recount)
        state.lanes_changed.connect(self._lanes_changed)

    def _reset(self) -> None:
        self.beginResetModel()
        self._counts = self.state.store.actor_counts(self.state.mask)
        self.endResetModel()

    def _recount(self) -> None:
        counts = self.state.store.actor_counts(self.state.mask)
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
        return 0 if parent.isValid() else len(self.state.store.actor_index)

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
        return str(self.state.store.actor_index[row])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        actors = self.state.store.document.actors
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == NAME:
                return str(actors["name"].iat[row])
            if col == KIND:
                return str(actors["kind"].iat[row])
            if col == POSTURE:
                return str(actors["posture"].iat[row])
            if col == EVENTS:
                return f"{int(self._counts[row]):,}" if row < len(self._counts) else "0"
        if role == Qt.ItemDataRole.UserRole and col == EVENTS:
            return int(self._counts[row]) if row < len(self._counts) else 0
        if role == Qt.ItemDataRole.CheckStateRole and col == NAME:
            hidden = self.actor_id(row) in self.state.hidden_actors
            return Qt.CheckState.Unchecked if hidden else Qt.CheckState.Checked
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return style.actor_colour(str(actors["colour"].iat[row]), row)
        if role == Qt.ItemDataRole.ForegroundRole and col == POSTURE:
            return style.posture_colour(str(actors["posture"].iat[row]))
        if role == Qt.ItemDataRole.ToolTipRole and col in (NAME, POSTURE):
            return str(actors["description"].iat[row]) or None
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


class _ActorView(QTreeView):
    """Space toggles the lane, as users of checkable lists expect."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
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
    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("actor-panel")
        self.setAccessibleName("Actors")
        self.model = ActorModel(state)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
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
        for col in (KIND, POSTURE, EVENTS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def swatch(self, row: int) -> QColor:
        return QColor(self.model.data(self.model.index(row, NAME), Qt.ItemDataRole.DecorationRole))
