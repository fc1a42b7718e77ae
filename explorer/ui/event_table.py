"""The event table: every event in the filter, sortable, selection shared with the timeline.

The model is lazy over the backend's keyset pages: it knows the number of rows,
asks for a block of keys (`TimelineQueries.page`, or `page_at` after a jump of the
scroll bar) only when the view paints a row in it, and one event's record when a
cell of it is painted. A hundred million rows open as fast as ten; a sort is the
backend's (a permutation it builds once per column, or SQL).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
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
from explorer.model.document import ClaimStatus
from explorer.model.query import Change, EventRecord, Page, SortColumn
from explorer.model.store import Filter
from explorer.model.zones import human_in, short_in
from explorer.ui.display_text import shown
from explorer.ui.messages import plain
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Date", "Title", "Actors", "Status", "Sources", "★", "Tags", "Notes")
DATE, TITLE, ACTORS, STATUS, SOURCES, STARRED, TAGS, NOTES = range(8)
ANNOTATION_COLUMNS: Final = frozenset({STARRED, TAGS, NOTES})

Index = QModelIndex | QPersistentModelIndex
SINGLE_MARK: Final = "①"  # the event rests on a single independent source
NO_SOURCE: Final = "(no source)"


BLOCK: Final = 256  # rows asked of the backend at a time
MAX_BLOCKS: Final = 64  # blocks of keys kept (a scroll far away asks again)
MAX_RECORDS: Final = 4_096  # records kept for painting cells
SORTS: Final[dict[int, SortColumn]] = {
    DATE: "date",
    TITLE: "title",
    ACTORS: "actors",
    STATUS: "status",
    SOURCES: "sources",
}


class EventTableModel(QAbstractTableModel):
    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        self._sort: tuple[int, Qt.SortOrder] = (DATE, Qt.SortOrder.AscendingOrder)
        self.compact_dates = False  # "2012-01-22 06:54:32" instead of "22 January 2012, 06:54:32"
        self._blocks: dict[int, Page] = {}
        self._records: dict[int, EventRecord] = {}
        self._total = state.queries.event_count(state.filter)
        self._widest: str | None = None  # per document (a sample of records: see widest_date)
        state.filter_changed.connect(self.refresh)
        state.document_changed.connect(self._new_document)
        state.changed.connect(self._on_change)
        state.zone_changed.connect(self._on_zone)

    def _on_zone(self) -> None:
        """Times are shown in the new zone (the order, by UTC instant, is unchanged;
        the widest date, with its offset, is measured again)."""
        self._widest = None
        if self._total:
            self.dataChanged.emit(self.index(0, DATE), self.index(self.rowCount() - 1, DATE))

    def _on_change(self, change: Change) -> None:
        """Fields edited in place: re-sort only if the sort reads them, else repaint
        the cells (a reset or a re-sort of ten million rows is not an edit's cost)."""
        self._records.clear()
        if change.replaced or change.renumbered or not change.columns:
            return  # document_changed / filter_changed refresh the whole model
        reads = {DATE: {"start", "end"}, TITLE: {"title"}, STATUS: {"status"}}
        if change.columns & reads.get(self._sort[0], set()):
            self.sort(*self._sort)
        elif self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(COLUMNS) - 1))

    def _new_document(self) -> None:
        self._widest = None
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        self._records.clear()
        self._total = self.state.queries.event_count(self.state.filter)
        self.endResetModel()

    # --- rows: keyset pages of the backend's order --------------------------------

    def _order(self) -> tuple[SortColumn, bool]:
        column, order = self._sort
        return SORTS[column], order == Qt.SortOrder.DescendingOrder

    def key_at(self, position: int) -> int:
        """The event key shown at row `position`, or -1."""
        if not 0 <= position < self._total:
            return -1
        block, offset = divmod(position, BLOCK)
        page = self._blocks.get(block)
        if page is None:
            q, flt = self.state.queries, self.state.filter
            sort, descending = self._order()
            before = self._blocks.get(block - 1)
            if before is not None and before.exact and before.next is not None:
                page = q.page(flt, sort, descending, before.next, BLOCK)  # scrolling on
            else:
                page = q.page_at(flt, sort, descending, block * BLOCK, BLOCK)
            if len(self._blocks) >= MAX_BLOCKS:
                self._blocks.clear()
            self._blocks[block] = page
        return int(page.keys[offset]) if offset < len(page.keys) else -1

    def record(self, key: int) -> EventRecord:
        found = self._records.get(key)
        if found is None:
            if len(self._records) >= MAX_RECORDS:
                self._records.clear()
            found = self._records[key] = self.state.queries.record(key)
        return found

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in SORTS:
            return  # ★, Tags, Notes: the backends page by the five story columns only
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._blocks.clear()
        self.layoutChanged.emit()

    # --- cells ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

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

    def _sources_text(self, record: EventRecord) -> str:
        """The sources, marked ① when the event rests on a single independent source."""
        text = "; ".join(s.publisher or s.title for s in record.sources)
        independent = int(
            self.state.queries.independent_sources(np.array([record.key], np.int64))[0]
        )
        if independent == 1:
            return f"{SINGLE_MARK} {text}"
        return text if independent else NO_SOURCE

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        column = index.column()
        if column == SOURCES and role in (
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            key = self.key_at(index.row())
            if key < 0:
                return None
            sources = self._sources_text(self.record(key))
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return shown(sources, lines=False).replace(SINGLE_MARK, "single source:", 1)
            text = shown(sources)
            if text.startswith(SINGLE_MARK):
                text += "\n\n① Single source: one independent publisher backs this event."
            return plain(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.data(index, Qt.ItemDataRole.DisplayRole)
            return plain(str(text)) if text else None  # file text: never rich text
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.UserRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            return None
        key = self.key_at(index.row())
        if key < 0:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return key
        record = self.record(key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column != STATUS:
                return None
            from explorer.ui import style

            return style.STATUS_TEXT_COLOURS.get(ClaimStatus(record.status))
        if column == DATE:
            start, end = record.start, record.end
            zone = self.state.zone
            say = short_in if self.compact_dates else human_in
            text = say(start.seconds, start.precision, zone)
            if end is not None:
                text += " – " + say(end.seconds, end.precision, zone)
            return text
        if column == TITLE:
            return shown(record.title, lines=False)
        if column == ACTORS:
            text = ", ".join(a.name + (f" ({a.role})" if a.role else "") for a in record.actors)
            return shown(text, lines=False)
        if column == STATUS:
            return record.status
        if column in ANNOTATION_COLUMNS:
            return annotation_text(record, column, role)
        return shown(self._sources_text(record), lines=False)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_compact_dates(self, compact: bool) -> None:
        if compact != self.compact_dates:
            self.compact_dates = compact
            self._widest = None
            self.dataChanged.emit(self.index(0, DATE), self.index(self.rowCount() - 1, DATE))

    def widest_date(self) -> str:
        """A date as long as the longest of the first rows: their finest precision, on
        a long month name, with an end if one of them has one (a sample: the user can
        still widen the column). Asked once per document, date style and zone: out of core,
        each record is a read of the data."""
        if self._widest is None:
            self._widest = self._widest_date()
        return self._widest

    def _widest_date(self) -> str:
        records = [self.record(k) for k in map(self.key_at, range(min(self._total, 32)))]
        if not records:
            return ""
        finest = Precision(max(r.start.precision for r in records))
        sample = DatedValue(parse_date("2000-09-28T23:59:59").seconds, finest)
        say = short_in if self.compact_dates else human_in
        text = say(sample.seconds, finest, self.state.zone)
        return f"{text} – {text}" if any(r.end is not None for r in records) else text

    def position_of(self, key: int) -> int:
        sort, descending = self._order()
        return self.state.queries.ordinal_of(self.state.filter, sort, descending, key)


def annotation_text(record: EventRecord, column: int, role: int) -> str:
    """The star, the tags, or the notes (how many, and the latest's first line)."""
    if column == STARRED:
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "starred" if record.starred else "not starred"
        return "★" if record.starred else ""
    if column == TAGS:
        return shown(", ".join(record.tags), lines=False)
    notes = record.notes
    if not notes:
        return ""
    latest = notes[-1].text.strip()
    first = latest.splitlines()[0] if latest else ""
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
        header.sortIndicatorChanged.connect(self._keep_sort_indicator)
        self.table_model.modelReset.connect(self.fit_date_column)
        state.zone_changed.connect(self.fit_date_column)
        self.fit_date_column()
        # Tags and notes columns appear once some event has one (room for titles).
        self.table_model.modelReset.connect(self.show_annotation_columns)
        state.changed.connect(self._annotations_may_have_changed)
        self.show_annotation_columns()
        self._syncing = False
        selection = self.selectionModel()
        selection.currentRowChanged.connect(self._on_current)
        state.selection_changed.connect(self._follow_selection)
        self.table_model.modelReset.connect(lambda: self._follow_selection(state.selected))
        # After a sort the highlighted row must still be the selected event.
        self.table_model.layoutChanged.connect(lambda: self._follow_selection(state.selected))
        self.activated.connect(lambda index: state.select(self.table_model.key_at(index.row())))

    escape_pressed = Signal()  # Esc: back to the timeline

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)

    def _keep_sort_indicator(self, column: int, _order: Qt.SortOrder) -> None:
        """A click on an unsortable header leaves the arrow where the order is."""
        if column not in SORTS:
            sorted_by, order = self.table_model._sort
            self.horizontalHeader().setSortIndicator(sorted_by, order)

    def _annotations_may_have_changed(self, change: Change) -> None:
        """A field edit (a status, a title) cannot add a tag or a note: asking would
        cost a count over the data out of core, on every edit."""
        events = change.events
        fields_only = bool(change.columns) and "annotations" not in change.columns
        kept = not (len(events.inserted) or len(events.removed))
        if change.replaced or change.renumbered or not (fields_only and kept):
            self.show_annotation_columns()

    def show_annotation_columns(self) -> None:
        queries = self.view_state.queries
        self.setColumnHidden(TAGS, not queries.tag_counts())
        self.setColumnHidden(NOTES, not queries.event_count(Filter(noted=True)))

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

    def stop_following(self) -> None:
        """The window is closing and its backend going: rows that change as the table
        is torn down are no longer a user's selection (nor a question to the engine)."""
        self._syncing = True

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        self._syncing = True
        try:
            self.view_state.select(self.table_model.key_at(current.row()))
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
