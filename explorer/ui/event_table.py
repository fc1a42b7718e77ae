"""The event table: every event in the filter, sortable, selection shared with the timeline.

The model holds one numpy array of row numbers (the filter's rows, in the current
sort order) and fetches a cell only when the view paints it, so a million rows
open as fast as ten: no per-row Python at load, and a sort is one argsort.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from explorer.model.dates import DatedValue, Precision, parse_date
from explorer.model.document import NO_END, ClaimStatus, end_value, start_value
from explorer.model.query import Change
from explorer.model.store import Rows
from explorer.model.zones import human_in, short_in
from explorer.ui.display_text import shown
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Date", "Title", "Actors", "Status", "Sources")
DATE, TITLE, ACTORS, STATUS, SOURCES = range(5)

Index = QModelIndex | QPersistentModelIndex


class EventTableModel(QAbstractTableModel):
    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        self._sort: tuple[int, Qt.SortOrder] = (DATE, Qt.SortOrder.AscendingOrder)
        self.compact_dates = False  # "2012-01-22 06:54:32" instead of "22 January 2012, 06:54:32"
        self.rows: Rows = self._sorted(np.flatnonzero(state.mask).astype(np.int64))
        state.filter_changed.connect(self.refresh)
        state.document_changed.connect(self.refresh)
        state.changed.connect(self._on_change)
        state.zone_changed.connect(self._on_zone)

    def _on_zone(self) -> None:
        """Times are shown in the new zone (the order, by UTC instant, is unchanged)."""
        if self.rows.size:
            self.dataChanged.emit(self.index(0, DATE), self.index(self.rowCount() - 1, DATE))

    def _on_change(self, change: Change) -> None:
        """Fields edited in place: re-sort only if the sort reads them, else repaint
        the cells (a reset or a re-sort of ten million rows is not an edit's cost)."""
        if change.replaced or change.renumbered or not change.columns:
            return  # document_changed / filter_changed refresh the whole model
        reads = {DATE: {"start", "end"}, TITLE: {"title"}, STATUS: {"status"}}
        if change.columns & reads.get(self._sort[0], set()):
            self.sort(*self._sort)
        elif self.rows.size:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )

    def refresh(self) -> None:
        self.beginResetModel()
        self.rows = self._sorted(np.flatnonzero(self.state.mask).astype(np.int64))
        self.endResetModel()

    # --- sorting: one vectorised key per column ------------------------------------

    def _key(self, column: int, rows: Rows) -> Any:
        store = self.state.store
        doc = store.document
        if column == DATE:
            return store.lo[rows]
        if column == TITLE:
            # Sorted codes of the distinct titles: no million Python strings, no
            # fixed-width copy sized by the longest title.
            codes, _ = pd.factorize(doc.events["title"].str.lower(), sort=True)
            return np.asarray(codes)[rows]
        if column == STATUS:
            return store.status_codes[rows]
        if column == ACTORS:
            return _names_key(doc.actors["name"], store.first_actor()[rows])
        publishers = doc.sources["publisher"].where(
            doc.sources["publisher"] != "", doc.sources["title"]
        )
        return _names_key(publishers, store.first_source()[rows])

    def _sorted(self, rows: Rows) -> Rows:
        column, order = self._sort
        if len(rows) < 2:
            return rows
        idx = np.argsort(self._key(column, rows), kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            idx = idx[::-1]
        return np.asarray(rows[idx], dtype=np.int64)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self.rows = self._sorted(self.rows)
        self.layoutChanged.emit()

    # --- cells ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return f"{section + 1:,}"

    def _actors_text(self, row: int) -> str:
        store = self.state.store
        doc = store.document
        names = doc.actors["name"]
        roles = doc.links["role"]
        parts = []
        for link in store.links_of(row):
            actor = int(store.link_actor[link])
            if actor >= 0:
                role = str(roles.iloc[int(link)])
                parts.append(str(names.iloc[actor]) + (f" ({role})" if role else ""))
        return ", ".join(parts)

    def _sources_text(self, row: int) -> str:
        frame = self.state.store.document.sources
        return "; ".join(
            str(frame["publisher"].iloc[s]) or str(frame["title"].iloc[s])
            for s in self.state.store.sources_of(row).tolist()
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = int(self.rows[index.row()])
        column = index.column()
        ev = self.state.store.document.events
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.data(index, Qt.ItemDataRole.DisplayRole)
            return plain(str(text)) if text else None  # file text: never rich text
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == DATE:
                start, end = start_value(ev, row), end_value(ev, row)
                zone = self.state.zone
                say = short_in if self.compact_dates else human_in
                text = say(start.seconds, start.precision, zone)
                if end is not None:
                    text += " – " + say(end.seconds, end.precision, zone)
                return text
            if column == TITLE:
                return shown(str(ev["title"].iloc[row]), lines=False)
            if column == ACTORS:
                return shown(self._actors_text(row), lines=False)
            if column == STATUS:
                return str(ev["status"].iloc[row])
            if column == SOURCES:
                return shown(self._sources_text(row), lines=False)
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            from explorer.ui import style

            status = ClaimStatus(str(ev["status"].iloc[row]))
            return style.STATUS_TEXT_COLOURS.get(status)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_compact_dates(self, compact: bool) -> None:
        if compact != self.compact_dates:
            self.compact_dates = compact
            self.dataChanged.emit(self.index(0, DATE), self.index(self.rowCount() - 1, DATE))

    def widest_date(self) -> str:
        """A date as long as the longest this document shows: the finest precision in
        it, on a long month name, with an end if any event has one."""
        ev = self.state.store.document.events
        if not len(ev):
            return ""
        finest = Precision(int(ev["start_precision"].max()))
        sample = DatedValue(parse_date("2000-09-28T23:59:59").seconds, finest)
        say = short_in if self.compact_dates else human_in
        text = say(sample.seconds, finest, self.state.zone)
        return f"{text} – {text}" if bool((ev["end_precision"] != NO_END).any()) else text

    def position_of(self, row: int) -> int:
        hit = np.flatnonzero(self.rows == row)
        return int(hit[0]) if len(hit) else -1


class EventTable(QTableView):
    """Rows follow the filter; selecting a row selects the event everywhere."""

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_state = state
        self.setObjectName("event-table")
        self.setAccessibleName("Event table")
        self.setAccessibleDescription(
            "Every event in the current filter; Enter shows it on the timeline"
        )
        self.table_model = EventTableModel(state)
        self.setModel(self.table_model)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(DATE, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        # Tab leaves the table (to the next panel) instead of walking its cells.
        self.setTabKeyNavigation(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((DATE, 130), (ACTORS, 180), (STATUS, 72), (SOURCES, 130)):
            self.setColumnWidth(column, width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table_model.modelReset.connect(self.fit_date_column)
        state.zone_changed.connect(self.fit_date_column)
        self.fit_date_column()
        self._syncing = False
        selection = self.selectionModel()
        selection.currentRowChanged.connect(self._on_current)
        state.selection_changed.connect(self._follow_selection)
        self.table_model.modelReset.connect(lambda: self._follow_selection(state.selected))
        # After a sort the highlighted row must still be the selected event.
        self.table_model.layoutChanged.connect(lambda: self._follow_selection(state.selected))
        self.activated.connect(lambda index: state.select(int(self.table_model.rows[index.row()])))

    escape_pressed = Signal()  # Esc: back to the timeline

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)

    def fit_date_column(self) -> None:
        """Wide enough for the longest date the document has (times included); the user
        can still drag it narrower or wider."""
        text = self.table_model.widest_date()
        if text:
            wanted = self.fontMetrics().horizontalAdvance(text) + 24
            self.setColumnWidth(DATE, min(max(wanted, 90), 420))

    def set_compact_dates(self, compact: bool) -> None:
        self.table_model.set_compact_dates(compact)
        self.fit_date_column()

    def _header_menu(self, pos: QPoint) -> None:
        self.build_header_menu().popup(self.horizontalHeader().mapToGlobal(pos))

    def build_header_menu(self) -> QMenu:
        """The header's context menu: date style, and fitting the date column."""
        menu = QMenu(self)
        compact = menu.addAction("&Compact Dates (2012-01-22 06:54)")
        compact.setCheckable(True)
        compact.setChecked(self.table_model.compact_dates)
        compact.toggled.connect(self.set_compact_dates)
        menu.addAction("&Fit Date Column", self.fit_date_column)
        self.header_menu = menu
        return menu

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._syncing = True
        try:
            self.view_state.select(int(self.table_model.rows[current.row()]))
        finally:
            self._syncing = False

    def _follow_selection(self, row: int) -> None:
        if self._syncing:
            return
        position = self.table_model.position_of(row) if row >= 0 else -1
        self._syncing = True
        try:
            if position < 0:
                self.selectionModel().clearSelection()
                return
            index = self.table_model.index(position, 0)
            self.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._syncing = False


def _names_key(names: pd.Series, codes: Rows) -> Any:
    """Sort key from a small table of names and a code per row (-1: none, sorts first):
    each name's rank in alphabetical order, so the per-row key is an integer."""
    lowered = names.astype("str").str.lower().to_numpy(dtype=object)
    rank = np.argsort(np.argsort(lowered, kind="stable"), kind="stable")
    lookup = np.append(rank, -1).astype(np.int64)
    return lookup[np.where(codes >= 0, codes, len(lookup) - 1)]
