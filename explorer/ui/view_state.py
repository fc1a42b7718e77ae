"""The one shared view state: which events pass the filter, which lanes show, what is selected.

Every view reads it and changes it only through its setters, so the timeline, the
actor panel and the detail view can never disagree. It owns no data: the store does.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.engines.memory import MemoryBackend
from explorer.model.lane_grouping import GroupingError, LaneGrouping, group_by
from explorer.model.query import Change, TimelineQueries
from explorer.model.store import NO_ACTOR, EventStore, Filter, Mask
from explorer.model.viewport import NS, Viewport


class ViewState(QObject):
    """Selection, filter and lane visibility over one EventStore."""

    document_changed = Signal()
    filter_changed = Signal()
    lanes_changed = Signal()
    selection_changed = Signal(int)  # event row, or -1
    reveal_requested = Signal(int)  # event row to scroll into view (and show in detail)
    edited = Signal()  # the document was edited in place (views keep their state)
    changed = Signal(object)  # the backend's Change, once per edit or new document
    viewport_changed = Signal()  # the visible time range moved

    def __init__(self, store: EventStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._filter = Filter()
        self._hidden: frozenset[str] = frozenset()
        self._selected = -1
        self._selected_id: str | None = None
        self.last_change_was_edit = False
        self._lane_order: list[int] | None = None  # actor rows, as the actor panel shows them
        self._grouping: LaneGrouping | None = None  # lanes by a column instead of actors
        self._mask: Mask = np.ones(store.n, dtype=bool)
        self._viewport = Viewport(0, 60 * NS, 1000)
        # Views ask their questions here; the store stays for saving and editing.
        self.queries: TimelineQueries = MemoryBackend(store)
        self.queries.subscribe(self._on_change)

    # --- the visible time range (shared: the timeline draws it, exports copy it) ---

    @property
    def viewport(self) -> Viewport:
        return self._viewport

    def set_viewport(self, viewport: Viewport) -> None:
        if viewport != self._viewport:
            self._viewport = viewport
            self.viewport_changed.emit()

    # --- document ----------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        """One Change, one round of view updates. Fields edited in place (a status, a
        title, dates) keep every key: the mask is recomputed only when the filter reads
        those fields (then filter_changed, once); views that draw the fields listen to
        `changed` and repaint or re-sort. Anything else resets the views as before."""
        events = change.events
        in_place = not (
            change.replaced
            or change.renumbered
            or len(events.inserted)
            or len(events.removed)
            or change.touches("actors", "sources", "themes", "links")
            or change.touches("event_sources", "event_themes", "figures")
        )
        if not in_place:
            self._on_document_replaced(not change.replaced)
        else:
            self.last_change_was_edit = True
            if _filter_reads(self._filter, change.columns):
                self._mask = self.store.mask(self._filter)
                self.filter_changed.emit()
            self.edited.emit()
        self.changed.emit(change)

    def _on_document_replaced(self, edited: bool) -> None:
        """A new document resets the view; an edit keeps it (and the selection, by id)."""
        selected_id = self._selected_id if edited else None
        self.last_change_was_edit = edited
        self._selected = -1
        if not edited or (
            self._lane_order is not None and len(self._lane_order) != len(self.store.actor_index)
        ):
            self._lane_order = None
        if not edited:
            # Another document: its ids are not this one's; start unfiltered (the
            # document's own last view is restored afterwards, if it has one).
            self._filter = Filter()
            self._hidden = frozenset()
        self._hidden = self._hidden & frozenset(self.store.actor_index)
        self._mask = self.store.mask(self._filter)
        column = self._grouping.column if edited and self._grouping is not None else None
        self._grouping = None
        if column is not None:
            self._regroup(column)
        if selected_id is not None:
            row = self.store.row_of(selected_id)
            self._selected = -1 if row is None else row
        self._selected_id = self._id_of(self._selected)
        self.document_changed.emit()
        self.lanes_changed.emit()
        self.filter_changed.emit()
        self.selection_changed.emit(self._selected)
        if edited:
            self.edited.emit()

    def _id_of(self, row: int) -> str | None:
        return None if row < 0 else str(self.store.document.events["id"].iloc[row])

    # --- filter ------------------------------------------------------------------

    @property
    def filter(self) -> Filter:
        return self._filter

    @property
    def mask(self) -> Mask:
        """Events passing the filter (hidden lanes are not a filter: counts stay honest)."""
        return self._mask

    def set_filter(self, flt: Filter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        self._mask = self.store.mask(flt)
        self.filter_changed.emit()

    # --- lanes -------------------------------------------------------------------

    @property
    def hidden_actors(self) -> frozenset[str]:
        return self._hidden

    def set_hidden_actors(self, hidden: frozenset[str]) -> None:
        if hidden == self._hidden:
            return
        self._hidden = hidden
        self.lanes_changed.emit()

    def toggle_actor(self, actor_id: str) -> None:
        self.set_hidden_actors(self._hidden ^ {actor_id})

    def solo_actor(self, actor_id: str) -> None:
        self.set_hidden_actors(frozenset(self.store.actor_index) - {actor_id})

    def show_all_actors(self) -> None:
        self.set_hidden_actors(frozenset())

    def set_lane_order(self, order: list[int]) -> None:
        if order != self._lane_order:
            self._lane_order = order
            self.lanes_changed.emit()

    @property
    def lane_grouping(self) -> LaneGrouping | None:
        return self._grouping

    def _regroup(self, column: str) -> str:
        try:
            self._grouping = group_by(self.store.document.events, column, self.store.order)
        except GroupingError as exc:
            self._grouping = None
            return str(exc)
        return ""

    def set_lane_grouping(self, column: str | None) -> str:
        """Lanes by `column` (None: by actor). Returns why not, or ""."""
        current = None if self._grouping is None else self._grouping.column
        if column == current:
            return ""
        problem = self._regroup(column) if column is not None else ""
        if column is None:
            self._grouping = None
        self.lanes_changed.emit()
        return problem

    def visible_lanes(self) -> list[int]:
        """Actor rows in panel order, hidden ones left out, then the no-actor lane if used."""
        ids = self.store.actor_index
        order = self._lane_order if self._lane_order is not None else range(len(ids))
        lanes = [row for row in order if row < len(ids) and ids[row] not in self._hidden]
        if len(self.store.lane_rows(NO_ACTOR)):
            lanes.append(NO_ACTOR)
        return lanes

    # --- selection ---------------------------------------------------------------

    @property
    def selected(self) -> int:
        return self._selected

    @property
    def selected_id(self) -> str | None:
        return self._selected_id

    def select(self, row: int, *, reveal: bool = True) -> None:
        row = int(row) if 0 <= row < self.store.n else -1
        if row != self._selected:
            self._selected = row
            self._selected_id = self._id_of(row)
            self.selection_changed.emit(row)
        if reveal and row >= 0:
            self.reveal_requested.emit(row)

    def select_id(self, event_id: str) -> bool:
        row = self.store.row_of(event_id)
        if row is None:
            return False
        self.select(row)
        return True


def _filter_reads(flt: Filter, columns: frozenset[str]) -> bool:
    """Whether the events passing `flt` can change when these event fields change."""
    text = bool(flt.text.strip()) and bool(columns & {"title", "summary"})
    status = flt.statuses is not None and "status" in columns
    dates = (flt.window is not None or flt.known_by is not None) and bool(
        columns & {"start", "end"}
    )
    notes = bool(flt.text.strip()) or flt.starred or flt.noted or flt.tags is not None
    return text or status or dates or (notes and "annotations" in columns)
