"""The one shared view state: which events pass the filter, which lanes show, what is selected.

Every view reads it and changes it only through its setters, so the timeline, the
actor panel and the detail view can never disagree. It owns no data: the backend
(a `TimelineQueries`) does.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.engines.memory import MemoryBackend
from explorer.model.lane_grouping import GroupingError, LaneGrouping, group_by
from explorer.model.query import Change, EntityTable, Lanes, TimelineQueries
from explorer.model.store import NO_ACTOR, EventStore, Filter, Mask
from explorer.model.viewport import NS, Viewport
from explorer.model.zones import UTC_ZONE, DisplayZone


class ViewState(QObject):
    """Selection, filter and lane visibility over one `TimelineQueries` backend.

    Views ask `queries` and nothing else. `store` is the in-memory document when
    there is one (saving, the edit forms and lanes grouped by a column need it); over
    an out-of-core backend it is None. Selection and hit tests speak event keys (an
    in-memory event's key is its row)."""

    document_changed = Signal()
    filter_changed = Signal()
    lanes_changed = Signal()
    selection_changed = Signal(int)  # event key, or -1
    reveal_requested = Signal(int)  # event key to scroll into view (and show in detail)
    edited = Signal()  # the document was edited in place (views keep their state)
    changed = Signal(object)  # the backend's Change, once per edit or new document
    viewport_changed = Signal()  # the visible time range moved
    zone_changed = Signal()  # the display time zone (times shown, never stored)

    def __init__(self, source: EventStore | TimelineQueries, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if isinstance(source, EventStore):
            source = MemoryBackend(source)
        self.queries: TimelineQueries = source
        self.store: EventStore | None = source.store if isinstance(source, MemoryBackend) else None
        self._filter = Filter()
        self._hidden: frozenset[str] = frozenset()
        self._selected = -1
        self._selected_id: str | None = None
        self.last_change_was_edit = False
        self._lane_order: list[int] | None = None  # actor rows, as the actor panel shows them
        self._grouping: LaneGrouping | None = None  # lanes by a column instead of actors
        self._mask: Mask | None = None
        self._viewport = Viewport(0, 60 * NS, 1000)
        self._zone: DisplayZone = UTC_ZONE
        self._actors: EntityTable | None = None
        self._lanes: Lanes | None = None
        self._unsubscribe = self.queries.subscribe(self._on_change)

    def set_backend(self, queries: TimelineQueries) -> None:
        """Ask `queries` from now on: another document, or the same one through
        another engine. Every view starts over, as for a document replaced."""
        if queries is self.queries:
            return
        self._unsubscribe()
        self.queries = queries
        self.store = queries.store if isinstance(queries, MemoryBackend) else None
        self._unsubscribe = queries.subscribe(self._on_change)
        self._on_change(Change(replaced=True))

    # --- what every view lists: cached until a change says otherwise ---------------

    @property
    def actors(self) -> EntityTable:
        if self._actors is None:
            self._actors = self.queries.actors()
        return self._actors

    @property
    def all_lanes(self) -> Lanes:
        if self._lanes is None:
            self._lanes = self.queries.lanes()
        return self._lanes

    @property
    def n_events(self) -> int:
        return self.queries.event_count()

    # --- the visible time range (shared: the timeline draws it, exports copy it) ---

    @property
    def viewport(self) -> Viewport:
        return self._viewport

    def set_viewport(self, viewport: Viewport) -> None:
        if viewport != self._viewport:
            self._viewport = viewport
            self.viewport_changed.emit()

    # --- the display time zone (per document; what times say, never what is stored) ---

    @property
    def zone(self) -> DisplayZone:
        return self._zone

    def set_zone(self, zone: DisplayZone) -> None:
        if zone != self._zone:
            self._zone = zone
            self.zone_changed.emit()

    # --- document ----------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        """One Change, one round of view updates. Fields edited in place (a status, a
        title, dates) keep every key: views are told the filter changed only when the
        filter reads those fields (then filter_changed, once); views that draw the
        fields listen to `changed` and repaint or re-sort. Anything else resets the
        views as before."""
        events = change.events
        self._mask = None
        if change.touches("actors", "links"):
            self._actors = None
            self._lanes = None
        in_place = not (
            change.replaced
            or change.renumbered
            or len(events.inserted)
            or len(events.removed)
            or change.touches("actors", "sources", "themes", "links")
            or change.touches("event_sources", "event_themes", "figures")
        )
        if not in_place:
            self._actors = None
            self._lanes = None
            self._on_document_replaced(not change.replaced)
        else:
            self.last_change_was_edit = True
            if _filter_reads(self._filter, change.columns):
                self.filter_changed.emit()
            self.edited.emit()
        self.changed.emit(change)

    def _on_document_replaced(self, edited: bool) -> None:
        """A new document resets the view; an edit keeps it (and the selection, by id)."""
        selected_id = self._selected_id if edited else None
        self.last_change_was_edit = edited
        self._selected = -1
        ids = self.actors.ids
        if not edited or (self._lane_order is not None and len(self._lane_order) != len(ids)):
            self._lane_order = None
        if not edited:
            # Another document: its ids are not this one's; start unfiltered (the
            # document's own last view is restored afterwards, if it has one).
            self._filter = Filter()
            self._hidden = frozenset()
            self.set_zone(UTC_ZONE)
        self._hidden = self._hidden & frozenset(ids)
        column = self._grouping.column if edited and self._grouping is not None else None
        self._grouping = None
        if column is not None:
            self._regroup(column)
        if selected_id is not None:
            self._selected = self.queries.key_of(selected_id)
        self._selected_id = self._id_of(self._selected)
        self.document_changed.emit()
        self.lanes_changed.emit()
        self.filter_changed.emit()
        self.selection_changed.emit(self._selected)
        if edited:
            self.edited.emit()

    def _id_of(self, key: int) -> str | None:
        return None if key < 0 else self.queries.event_ids(np.array([key], np.int64))[0]

    # --- filter ------------------------------------------------------------------

    @property
    def filter(self) -> Filter:
        return self._filter

    @property
    def mask(self) -> Mask:
        """Events passing the filter, by row: in memory only (views ask the backend;
        this is for the document's own code and tests)."""
        if self.store is None:
            raise TypeError("an out-of-core document has no mask over its rows")
        if self._mask is None:
            self._mask = self.store.mask(self._filter)
        return self._mask

    def set_filter(self, flt: Filter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        self._mask = None
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
        self.set_hidden_actors(frozenset(self.actors.ids) - {actor_id})

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
        if self.store is None:
            self._grouping = None
            return "Lanes by a column need the document in memory (open it with --engine memory)."
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
        ids = self.actors.ids
        order = self._lane_order if self._lane_order is not None else range(len(ids))
        lanes = [row for row in order if row < len(ids) and ids[row] not in self._hidden]
        if NO_ACTOR in self.all_lanes.keys:
            lanes.append(NO_ACTOR)
        return lanes

    # --- selection ---------------------------------------------------------------

    @property
    def selected(self) -> int:
        return self._selected

    @property
    def selected_id(self) -> str | None:
        return self._selected_id

    def select(self, key: int, *, reveal: bool = True) -> None:
        key = int(key)
        if key < 0 or (self.store is not None and key >= self.store.n):
            key = -1
        if key != self._selected:
            self._selected = key
            self._selected_id = self._id_of(key)
            self.selection_changed.emit(key)
        if reveal and key >= 0:
            self.reveal_requested.emit(key)

    def select_id(self, event_id: str) -> bool:
        key = self.queries.key_of(event_id)
        if key < 0:
            return False
        self.select(key)
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
