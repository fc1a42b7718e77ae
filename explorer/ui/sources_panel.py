"""The sources panel: every source, what it backs, and which events rest on it alone.

A tree: one row per source (publisher, title, publication date, link, events it
backs under the filter, and how many of them rest on its publisher alone), the
events it backs beneath it (date, title, claim status), at most `CHILDREN` of them
(by date). Enter (or a double click) on a source filters to its events; on an event
it selects it. A line above the tree sums up on whose word the filtered events rest.
Counts come from `TimelineQueries.source_counts`; children from `page`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QVBoxLayout, QWidget

from explorer.model.dates import DatedValue
from explorer.model.document import ClaimStatus
from explorer.model.query import EventRecord, SourceCounts
from explorer.model.sourcing import SINGLE, UNSOURCED
from explorer.ui import style
from explorer.ui.display_text import shown
from explorer.ui.messages import plain, plain_label
from explorer.ui.view_state import ViewState

COLUMNS: Final = ("Source", "Published", "Events", "Alone", "Link")
NAME, PUBLISHED, EVENTS, ALONE, LINK = range(5)
CHILDREN: Final = 200  # events listed under one source (the rest: filter to them)
TOP: Final = 0xFFFFFFFF  # internal id of top-level rows

Index = QModelIndex | QPersistentModelIndex


class SourcesModel(QAbstractItemModel):
    """Sources (top level) and the events each backs under the filter (children)."""

    def __init__(self, state: ViewState) -> None:
        super().__init__()
        self.state = state
        self._children: dict[int, list[int]] = {}
        self._records: dict[int, EventRecord] = {}
        self.stale = False
        self.active: Callable[[], bool] = lambda: True  # the panel: only while it shows
        self._load()
        state.document_changed.connect(self._on_state)
        state.filter_changed.connect(self._on_state)
        state.edited.connect(self._on_state)

    def _on_state(self) -> None:
        """Recount now if anyone looks; else when the panel is next shown (a hidden
        panel costs no query per filter change)."""
        if self.active():
            self.reload()
        else:
            self.stale = True

    def _load(self) -> None:
        q = self.state.queries
        self.table = q.sources()
        self.counts: SourceCounts = q.source_counts(self.state.filter)
        self._children.clear()
        self._records.clear()

    def reload(self) -> None:
        self.stale = False
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def _source_meta(self, row: int) -> tuple[str, str, str, DatedValue | None]:
        """Publisher, title, url and publication date of source `row`."""
        t = self.table
        title = t.titles[row] if row < len(t.titles) else ""
        url = t.urls[row] if row < len(t.urls) else ""
        published = t.published[row] if row < len(t.published) else None
        publisher = t.names[row] if t.names[row] != title else ""
        return publisher, title, url, published

    def events_of(self, row: int) -> list[int]:
        """Event keys source `row` backs under the filter, by date (at most CHILDREN)."""
        if row not in self._children:
            keys: list[int] = []
            if row < len(self.counts.events) and self.counts.events[row]:
                flt = replace(self.state.filter, sources=frozenset({self.table.ids[row]}))
                keys = self.state.queries.page(flt, "date", False, None, CHILDREN).keys.tolist()
            self._children[row] = keys
        return self._children[row]

    def _record(self, key: int) -> EventRecord:
        if key not in self._records:
            self._records[key] = self.state.queries.record(key)
        return self._records[key]

    # --- the tree ------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, TOP)
        return self.createIndex(row, column, parent.row())

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == TOP:
            return QModelIndex()
        return self.createIndex(int(child.internalId()), 0, TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.table)
        if parent.internalId() == TOP and parent.column() == 0:
            return len(self.events_of(parent.row()))
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                EVENTS: "Events under the filter this source backs",
                ALONE: "Of those, events resting on this source's publisher alone",
            }.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def is_source(self, index: Index) -> bool:
        return index.isValid() and index.internalId() == TOP

    def key_of(self, index: Index) -> int:
        """The event key of a child row, or -1."""
        if not index.isValid() or index.internalId() == TOP:
            return -1
        events = self.events_of(int(index.internalId()))
        return events[index.row()] if index.row() < len(events) else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == TOP:
            return self._source_data(index.row(), index.column(), role)
        return self._event_data(self.key_of(index), index.column(), role)

    def _source_data(self, row: int, column: int, role: int) -> Any:
        if row >= len(self.table):
            return None
        publisher, title, url, published = self._source_meta(row)
        events = int(self.counts.events[row]) if row < len(self.counts.events) else 0
        alone = int(self.counts.alone[row]) if row < len(self.counts.alone) else 0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == NAME:
                text = " — ".join(x for x in (publisher, title) if x) or self.table.ids[row]
                return shown(text, lines=False)
            if column == PUBLISHED:
                return published.human() if published is not None else "undated"
            if column == EVENTS:
                return f"{events:,}"
            if column == ALONE:
                return f"{alone:,}" if alone else ""
            if column == LINK:
                return shown(url, lines=False)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [publisher or "(no publisher named)", title]
            lines.append(f"Published {published.human()}" if published else "No publication date")
            lines.append(f"Backs {events:,} event(s) under the filter; {alone:,} rest on it alone")
            if url:
                lines.append(url)
            return plain("\n".join(x for x in lines if x))
        if role == Qt.ItemDataRole.ForegroundRole and column == ALONE and alone:
            return style.STATUS_TEXT_COLOURS.get(ClaimStatus.ALLEGED)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (EVENTS, ALONE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _event_data(self, key: int, column: int, role: int) -> Any:
        if key < 0 or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        record = self._record(key)
        if column == NAME:
            text = f"{record.status} · {shown(record.title, lines=False)}"
            return plain(text) if role == Qt.ItemDataRole.ToolTipRole else text
        if column == PUBLISHED:
            return record.start.human()
        return None


class _SourceView(QTreeView):
    escape_pressed = Signal()
    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        super().keyPressEvent(event)


class SourcesPanel(QWidget):
    """On whose word: the sources, and the events resting on each."""

    escape_pressed = Signal()

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("sources-panel")
        self.setAccessibleName("Sources")
        self.summary = plain_label(name="sources-summary", wrap=True)
        self.model = SourcesModel(state)
        self.view = _SourceView(self)
        self.view.setObjectName("source-list")
        self.view.setAccessibleName("Source list")
        self.view.setAccessibleDescription(
            "Enter on a source: show only its events; on an event: select it; Esc: timeline"
        )
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for col, width in ((PUBLISHED, 96), (EVENTS, 56), (ALONE, 50), (LINK, 80)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.view.escape_pressed.connect(self.escape_pressed)
        self.view.enter_pressed.connect(self.activate_current)
        self.view.doubleClicked.connect(lambda _i: self.activate_current())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)
        self.setFocusProxy(self.view)
        self.shown = True  # told by the dock (a tab behind another is not visible)
        self.model.active = lambda: self.shown
        self.model.modelReset.connect(self._after_reset)
        self._after_reset()

    def set_shown(self, shown: bool) -> None:
        """The dock's visibility (its tab selected or not): recount when it shows."""
        self.shown = shown
        if shown and self.model.stale:
            self.model.reload()

    def _after_reset(self) -> None:
        self.summary.setText(self.summary_text())
        link_empty = all(not self.model._source_meta(r)[2] for r in range(len(self.model.table)))
        self.view.setColumnHidden(LINK, link_empty)
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def summary_text(self) -> str:
        """On whose word the events under the filter rest, in one or two lines."""
        q = self.state.queries
        flt = self.state.filter
        total = q.event_count(flt)
        single = q.event_count(replace(flt, sourcing=_meet(flt.sourcing, SINGLE)))
        none = q.event_count(replace(flt, sourcing=_meet(flt.sourcing, UNSOURCED)))
        counts = self.model.counts
        parts = [f"{total:,} events: {single:,} rest on a single source, {none:,} on none."]
        if single and len(counts.alone):
            top = int(np.argmax(counts.alone))
            if counts.alone[top]:
                name = self.model.table.names[top]
                parts.append(
                    f"{int(counts.alone[top]):,} rest on {shown(name, lines=False)} alone."
                )
        return " ".join(parts)

    def activate_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        if self.model.is_source(index):
            ident = self.model.table.ids[index.row()]
            self.state.set_filter(replace(self.state.filter, sources=frozenset({ident})))
            return
        key = self.model.key_of(index)
        if key >= 0:
            self.state.select(key)

    def select_source(self, ident: str) -> None:
        row = self.model.table.row_of(ident)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))


def _meet(levels: frozenset[str] | None, level: str) -> frozenset[str]:
    """The sourcing filter narrowed to `level` (empty when the filter excludes it)."""
    return frozenset({level}) if levels is None or level in levels else frozenset()
