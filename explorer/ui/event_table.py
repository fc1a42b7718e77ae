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

from explorer.model.dates import DatedValue, Precision, format_iso, parse_date
from explorer.model.document import NO_END, ClaimStatus, end_value, start_value
from explorer.model.query import Change
from explorer.model.store import EventStore, Rows
from explorer.ui.display_text import shown
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Date", "Title", "Actors", "Status", "Sources", "★", "Tags", "Notes")
DATE, TITLE, ACTORS, STATUS, SOURCES, STARRED, TAGS, NOTES = range(8)
ANNOTATION_COLUMNS: Final = frozenset({STARRED, TAGS, NOTES})

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

    def _on_change(self, change: Change) -> None:
        """Fields edited in place: re-sort only if the sort reads them, else repaint
        the cells (a reset or a re-sort of ten million rows is not an edit's cost)."""
        if change.replaced or change.renumbered or not change.columns:
            return  # document_changed / filter_changed refresh the whole model
        reads = {DATE: {"start", "end"}, TITLE: {"title"}, STATUS: {"status"}}
        reads |= {column: {"annotations"} for column in ANNOTATION_COLUMNS}
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
        if column in ANNOTATION_COLUMNS:
            return annotation_sort_key(store, column, rows)
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
                if self.compact_dates:
                    text = format_iso(start.seconds, start.precision).replace("T", " ")
                    if end is not None:
                        text += " – " + format_iso(end.seconds, end.precision).replace("T", " ")
                    return text
                return f"{start.human()} – {end.human()}" if end is not None else start.human()
            if column == TITLE:
                return shown(str(ev["title"].iloc[row]), lines=False)
            if column == ACTORS:
                return shown(self._actors_text(row), lines=False)
            if column == STATUS:
                return str(ev["status"].iloc[row])
            if column == SOURCES:
                return shown(self._sources_text(row), lines=False)
            if column in ANNOTATION_COLUMNS:
                return annotation_text(self.state.store, column, row, role)
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
        text = (
            format_iso(sample.seconds, finest).replace("T", " ")
            if self.compact_dates
            else sample.human()
        )
        return f"{text} – {text}" if bool((ev["end_precision"] != NO_END).any()) else text

    def position_of(self, row: int) -> int:
        hit = np.flatnonzero(self.rows == row)
        return int(hit[0]) if len(hit) else -1


def annotation_sort_key(store: EventStore, column: int, rows: Rows) -> Any:
    """Starred first when descending; by number of tags or notes (vectorised)."""
    table = {STARRED: "stars", TAGS: "tags", NOTES: "notes"}[column]
    at = store.annotation_rows[table]
    counts = np.bincount(at[at >= 0], minlength=store.n) if store.n else np.zeros(0, np.int64)
    return counts[rows]


def annotation_text(store: EventStore, column: int, row: int, role: int) -> str:
    """The star, the tags, or the notes (how many, and the latest's first line)."""
    from explorer.model.annotations import notes_of, tags_of

    ident = str(store.document.events["id"].iat[row])
    if column == STARRED:
        starred = store.annotated_row("stars", row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "starred" if starred else "not starred"
        return "★" if starred else ""
    if column == TAGS:
        return shown(", ".join(tags_of(store.document, ident)), lines=False)
    notes = notes_of(store.document, ident)
    if not notes:
        return ""
    first = notes[-1].text.strip().splitlines()[0] if notes[-1].text.strip() else ""
    count = f"{len(notes)} notes: " if len(notes) > 1 else ""
    return shown(count + first, lines=False)


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
        widths = ((DATE, 130), (ACTORS, 180), (STATUS, 72), (SOURCES, 130), (STARRED, 26))
        for column, width in (*widths, (TAGS, 80), (NOTES, 110)):
            self.setColumnWidth(column, width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table_model.modelReset.connect(self.fit_date_column)
        self.fit_date_column()
        # Tags and notes columns appear once some event has one (room for titles).
        self.table_model.modelReset.connect(self.show_annotation_columns)
        state.changed.connect(lambda _change: self.show_annotation_columns())
        self.show_annotation_columns()
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

    def show_annotation_columns(self) -> None:
        doc = self.view_state.store.document
        self.setColumnHidden(TAGS, not len(doc.tags))
        self.setColumnHidden(NOTES, not len(doc.notes))

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
