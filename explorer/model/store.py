"""The store: a document plus the numpy indexes every view queries.

Views never walk the tables: they ask the store for rows in a time window (two
``searchsorted`` calls), a filter mask (boolean lookups over integer codes), counts
per actor (one ``bincount``) or a lane's sorted rows. The indexes are rebuilt when
the document is replaced, which is the only way it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.model.dates import period_ends
from explorer.model.document import NO_END, STATUS_CATEGORIES, Document, event_bounds

Rows = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

NO_ACTOR = -1  # lane key for events that name no actor


@dataclass(frozen=True)
class Filter:
    """What the user has narrowed the view to; empty means everything."""

    actors: frozenset[str] | None = None
    themes: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    text: str = ""
    window: tuple[int, int] | None = None

    @property
    def is_empty(self) -> bool:
        return self == Filter()


def _link_rows(event_ids: pd.Series, link_event_ids: pd.Series) -> Rows:
    """Row of each link's event. Imports usually write one link per event in event
    order; that case needs no hash table (which costs ~100 bytes an event)."""
    if len(event_ids) == len(link_event_ids) and bool(
        (event_ids.to_numpy() == link_event_ids.to_numpy()).all()
    ):
        return np.arange(len(event_ids), dtype=np.int64)
    return np.asarray(pd.Index(event_ids).get_indexer(link_event_ids), dtype=np.int64)


class EventStore:
    """Read-side of a document: cheap queries for the views, recomputed on replace."""

    def __init__(self, document: Document | None = None) -> None:
        self._listeners: list[Callable[[], None]] = []
        self.document = document or Document()

    # --- change notification (pure Python: the ui adapts it to Qt signals) -----------

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def replace(self, document: Document) -> None:
        self.document = document
        for listener in list(self._listeners):
            listener()

    @property
    def document(self) -> Document:
        return self._document

    @document.setter
    def document(self, document: Document) -> None:
        self._document = document
        self._build()

    # --- indexes ---------------------------------------------------------------------

    def _build(self) -> None:
        doc = self._document
        for name in ("search_text", "theme_links"):
            self.__dict__.pop(name, None)
        ev = doc.events
        self.n = len(ev)
        self.lo, self.hi = event_bounds(ev)
        self._start_prec = ev["start_precision"].to_numpy(np.int8)
        self._end = ev["end"].to_numpy(np.int64)
        self._end_prec = ev["end_precision"].to_numpy(np.int8)
        self.status_codes = ev["status"].cat.codes.to_numpy(np.int8)
        # The id -> row hash table is large (about 100 bytes an event): build it for the
        # links, then let it go; single look-ups scan the column instead.
        self.actor_index = pd.Index(doc.actors["id"])
        self.link_event = _link_rows(ev["id"], doc.links["event_id"])
        self.link_actor = self.actor_index.get_indexer(doc.links["actor_id"]).astype(np.int64)
        self.order = np.argsort(self.lo, kind="stable").astype(np.int64)
        self.sorted_lo = self.lo[self.order]
        self.max_length = int((self.hi - self.lo).max()) if self.n else 0
        # Lanes: links sorted by actor, then by start; one slice per actor.
        lane_order = np.lexsort((self.lo[self.link_event], self.link_actor))
        self._lane_events = self.link_event[lane_order]
        lane_actor = self.link_actor[lane_order]
        self._lane_bounds = np.searchsorted(lane_actor, np.arange(len(self.actor_index) + 1))
        linked = np.bincount(self.link_event, minlength=self.n) > 0 if self.n else np.zeros(0, bool)
        self._unlinked = self.order[~linked[self.order]] if self.n else self.order

    @cached_property
    def search_text(self) -> pd.Series:
        """Lower-cased title, summary and actor names per event, built on first search."""
        ev = self._document.events
        text = ev["title"].str.cat(ev["summary"], sep="\n").str.lower()
        if len(self._document.links):
            names = self._document.actors.set_index("id")["name"]
            actor_text = (
                self._document.links.assign(name=self._document.links["actor_id"].map(names))
                .groupby("event_id")["name"]
                .agg(" ".join)
            )
            extra = ev["id"].map(actor_text).fillna("").str.lower()
            text = text.str.cat(extra, sep="\n")
        return text.astype("string[pyarrow]")

    @cached_property
    def theme_links(self) -> tuple[Rows, Rows]:
        theme_index = pd.Index(self._document.themes["id"])
        et = self._document.event_themes
        return (
            pd.Index(self._document.events["id"]).get_indexer(et["event_id"]).astype(np.int64),
            theme_index.get_indexer(et["theme_id"]).astype(np.int64),
        )

    # --- queries ---------------------------------------------------------------------

    def span(self) -> tuple[int, int]:
        """First and last second covered by any event ((0, 0) when empty)."""
        if not self.n:
            return 0, 0
        return int(self.lo.min()), int(self.hi.max())

    def in_window(self, t0: int, t1: int, rows: Rows | None = None) -> Rows:
        """Rows (sorted by start) whose interval overlaps [t0, t1).

        `rows`, when given, must be sorted by start (a lane) and restricts the search.
        """
        if rows is None:
            rows, lo = self.order, self.sorted_lo
        else:
            lo = self.lo[rows]
        i0 = np.searchsorted(lo, t0 - self.max_length, side="left")
        i1 = np.searchsorted(lo, t1, side="left")
        candidates = rows[i0:i1]
        return candidates[self.hi[candidates] > t0]

    def lane_rows(self, actor: int) -> Rows:
        """Event rows in an actor's lane (NO_ACTOR: events naming nobody), by start."""
        if actor == NO_ACTOR:
            return self._unlinked
        lane = self._lane_events[self._lane_bounds[actor] : self._lane_bounds[actor + 1]]
        return np.asarray(lane, dtype=np.int64)

    def actor_rows(self, ids: Iterable[str]) -> npt.NDArray[np.int64]:
        found = self.actor_index.get_indexer(list(ids))
        return np.asarray(found[found >= 0], dtype=np.int64)

    def mask(self, flt: Filter) -> Mask:
        """Events passing `flt`, as a boolean array over rows."""
        keep = np.ones(self.n, dtype=bool)
        if flt.actors is not None:
            wanted = np.zeros(len(self.actor_index) + 1, dtype=bool)
            wanted[self.actor_rows(flt.actors)] = True
            hit = np.zeros(self.n, dtype=bool)
            hit[self.link_event[wanted[self.link_actor]]] = True
            keep &= hit
        if flt.themes is not None:
            events, themes = self.theme_links
            theme_index = pd.Index(self._document.themes["id"])
            wanted = np.zeros(len(theme_index) + 1, dtype=bool)
            codes = theme_index.get_indexer(list(flt.themes))
            wanted[codes[codes >= 0]] = True
            hit = np.zeros(self.n, dtype=bool)
            hit[events[wanted[themes]]] = True
            keep &= hit
        if flt.statuses is not None:
            wanted = np.zeros(len(STATUS_CATEGORIES.categories), dtype=bool)
            for status in flt.statuses:
                if status in STATUS_CATEGORIES.categories:
                    wanted[STATUS_CATEGORIES.categories.get_loc(status)] = True
            keep &= wanted[self.status_codes]
        if flt.window is not None:
            t0, t1 = flt.window
            keep &= (self.lo < t1) & (self.hi > t0)
        if flt.text.strip():
            needle = flt.text.strip().lower()
            hits = self.search_text.str.contains(needle, regex=False)
            keep &= hits.fillna(False).to_numpy(dtype=bool)
        return keep

    def actor_counts(self, mask: Mask | None = None) -> npt.NDArray[np.int64]:
        """Number of events per actor (in actor order), counting only rows in `mask`."""
        link_actor = self.link_actor
        if mask is not None:
            link_actor = link_actor[mask[self.link_event]]
        return np.bincount(link_actor[link_actor >= 0], minlength=len(self.actor_index)).astype(
            np.int64
        )

    def row_of(self, event_id: str) -> int | None:
        hits = np.flatnonzero((self._document.events["id"] == event_id).to_numpy(dtype=bool))
        return int(hits[0]) if len(hits) else None

    def core(self, rows: Rows) -> tuple[Rows, Rows]:
        """The certain part of each span: from the end of its start period to the start
        of its end period (empty, hi <= lo, for events without an end)."""
        has_end = self._end_prec[rows] != NO_END
        lo = self.lo[rows]
        core_lo = np.where(has_end, period_ends(lo, self._start_prec[rows]), lo)
        core_hi = np.where(has_end, self._end[rows], lo)
        return core_lo, core_hi

    def actors_of(self, row: int) -> Rows:
        """Actor rows of one event, in link order."""
        return np.asarray(self.link_actor[self.link_event == row], dtype=np.int64)
