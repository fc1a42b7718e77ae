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
from explorer.model.sorting import pairs_by_start, stable_order
from explorer.model.sourcing import independent_counts, level_mask, publisher_codes

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
    known_by: int | None = None  # only what had been published by then (seconds)
    # With known_by: keep events with no dated source (their known date is unknown)?
    known_undated: bool = False
    # The analyst's annotations (explorer.model.annotations): starred only, with at
    # least one note only, carrying any of these tags.
    starred: bool = False
    noted: bool = False
    tags: frozenset[str] | None = None
    # On whose word (explorer.model.sourcing): events backed by any of these source ids;
    # events whose independent sources are at one of these levels ("unsourced",
    # "single", "several"); events naming every one of these actors (an edge of the web).
    sources: frozenset[str] | None = None
    sourcing: frozenset[str] | None = None
    together: frozenset[str] | None = None

    @property
    def is_empty(self) -> bool:
        return self == Filter()


def _link_rows(event_ids: pd.Series, link_event_ids: pd.Series) -> Rows:
    """Row of each link's event. Imports usually write one link per event in event
    order; that case needs no hash table (which costs ~100 bytes an event)."""
    if len(event_ids) == len(link_event_ids) and bool(
        (event_ids.reset_index(drop=True) == link_event_ids.reset_index(drop=True)).all()
    ):
        return np.arange(len(event_ids), dtype=np.int64)
    return np.asarray(pd.Index(event_ids).get_indexer(link_event_ids), dtype=np.int64)


class EventStore:
    """Read-side of a document: cheap queries for the views, recomputed on replace."""

    def __init__(self, document: Document | None = None) -> None:
        self._listeners: list[Callable[[bool], None]] = []
        self.document = document or Document()

    # --- change notification (pure Python: the ui adapts it to Qt signals) -----------

    def subscribe(self, listener: Callable[[bool], None]) -> None:
        """`listener(edited)` runs after every change: edited=False when a new document
        replaced the old one, True when the same document was edited in place."""
        self._listeners.append(listener)

    def replace(self, document: Document) -> None:
        self.document = document
        self._notify(edited=False)

    def edited(self) -> None:
        """The document's tables were changed by an edit: rebuild indexes, tell views."""
        self._build()
        self._notify(edited=True)

    def reindex(self) -> None:
        """Rebuild the indexes after the tables changed, telling nobody (a backend that
        sends its own, more precise, notification calls this)."""
        self._build()

    def _notify(self, *, edited: bool) -> None:
        for listener in list(self._listeners):
            listener(edited)

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
        for name in (
            "theme_links",
            "source_links",
            "known_at",
            "known_dated",
            "independent",
            "_links_by_event",
            "_sources_by_event",
            "_factor_cache",
            "annotation_rows",
            "_annotated_sorted",
        ):
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
        # Many links, few actors: factorize the column, then look up only the distinct ids.
        codes, distinct = pd.factorize(doc.links["actor_id"])
        lookup = np.append(self.actor_index.get_indexer(pd.Index(distinct)), -1).astype(np.int64)
        self.link_actor = lookup[np.where(codes >= 0, codes, len(lookup) - 1)]
        self.order = stable_order(self.lo)
        self.max_length = int((self.hi - self.lo).max()) if self.n else 0
        # Lanes: (event, actor) pairs sorted by actor, then start, then event; an actor
        # named twice on one event (two roles) appears once, so adjacent repeats go.
        valid = (self.link_event >= 0) & (self.link_actor >= 0)
        events, actors = self.link_event[valid], self.link_actor[valid]
        self._pair_actor, self._pair_event = pairs_by_start(actors, events, self.lo, self.order)
        self._lane_events = self._pair_event
        lane_actor = self._pair_actor
        self._lane_bounds = np.searchsorted(lane_actor, np.arange(len(self.actor_index) + 1))
        linked = (
            np.bincount(self._pair_event, minlength=self.n) > 0 if self.n else np.zeros(0, bool)
        )
        self._unlinked = self.order[~linked[self.order]] if self.n else self.order

    @cached_property
    def theme_links(self) -> tuple[Rows, Rows]:
        return self._event_rows(self._document.event_themes), pd.Index(
            self._document.themes["id"]
        ).get_indexer(self._document.event_themes["theme_id"]).astype(np.int64)

    @cached_property
    def source_links(self) -> tuple[Rows, Rows]:
        es = self._document.event_sources
        return self._event_rows(es), np.asarray(
            pd.Index(self._document.sources["id"]).get_indexer(es["source_id"]), dtype=np.int64
        )

    def _event_rows(self, frame: pd.DataFrame) -> Rows:
        if not len(frame):
            return np.zeros(0, dtype=np.int64)
        return _link_rows(self._document.events["id"], frame["event_id"])

    @cached_property
    def annotation_rows(self) -> dict[str, Rows]:
        """The event row of each row of the stars, tags and notes tables (-1: an
        annotation of an event no longer there, kept so that undoing its deletion
        brings it back). An annotation edit patches these; see `annotated`."""
        from explorer.model.annotations import rows_for

        ids = self._document.events["id"]
        return {
            name: rows_for(ids, getattr(self._document, name)["event_id"])
            for name in ("stars", "tags", "notes")
        }

    def annotated(self, table: str) -> Mask:
        """Events with at least one row in annotation `table` (a memset and a scatter:
        annotations are few, events many)."""
        rows = self.annotation_rows[table]
        out = np.zeros(self.n, dtype=bool)
        out[rows[rows >= 0]] = True
        return out

    def annotated_row(self, table: str, row: int) -> bool:
        return bool((self.annotation_rows[table] == row).any())

    def tagged_with(self, tags: frozenset[str]) -> Mask:
        frame = self._document.tags
        rows = self.annotation_rows["tags"]
        pick = frame["tag"].isin(tags).to_numpy(dtype=bool) & (rows >= 0)
        out = np.zeros(self.n, dtype=bool)
        out[rows[pick]] = True
        return out

    def set_annotation_rows(self, table: str, rows: Rows) -> None:
        """An annotation edit's patch of `annotation_rows` (see MemoryBackend)."""
        self.annotation_rows[table] = rows
        self.__dict__.get("_annotated_sorted", {}).pop(table, None)

    def _sorted_annotated(self, table: str) -> Rows:
        cache: dict[str, Rows] = self.__dict__.setdefault("_annotated_sorted", {})
        if table not in cache:
            rows = self.annotation_rows[table]
            cache[table] = np.unique(rows[rows >= 0])
        return cache[table]

    def annotation_flags(self, rows: Rows) -> npt.NDArray[np.uint8]:
        """FLAG_* bits (explorer.model.query) of `rows`: starred, noted, tagged. A
        binary search per row in the few annotated rows: a frame's cost follows the
        marks on screen, whatever the number of events."""
        rows = np.asarray(rows, dtype=np.int64)
        flags = np.zeros(len(rows), dtype=np.uint8)
        for bit, table in ((1, "stars"), (2, "notes"), (4, "tags")):
            have = self._sorted_annotated(table)
            if len(have) and len(rows):
                at = np.minimum(np.searchsorted(have, rows), len(have) - 1)
                flags |= np.where(have[at] == rows, bit, 0).astype(np.uint8)
        return flags

    @cached_property
    def known_dated(self) -> Mask:
        """Events resting on at least one dated source: the only ones whose known date
        is known. The others' known date is unknown (a "known by" filter asks the user
        whether to keep them), whatever their own date."""
        events, sources = self.source_links
        dated = self._document.sources["published_precision"].to_numpy(np.int8) != NO_END
        ok = (sources >= 0) & (events >= 0)
        ok[ok] &= dated[sources[ok]]
        has = np.zeros(self.n, dtype=bool)
        has[events[ok]] = True
        return has

    @cached_property
    def known_at(self) -> npt.NDArray[np.int64]:
        """When each event became known: its earliest dated source's publication date
        (for events without one, see `known_dated`: this holds their own start)."""
        known = self.lo.copy()
        events, sources = self.source_links
        if len(events):
            published = self._document.sources["published"].to_numpy(np.int64)
            dated = self._document.sources["published_precision"].to_numpy(np.int8) != NO_END
            ok = (sources >= 0) & (events >= 0)
            ok[ok] &= dated[sources[ok]]
            earliest = np.full(self.n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(earliest, events[ok], published[sources[ok]])
            has = earliest != np.iinfo(np.int64).max
            known[has] = earliest[has]
        return known

    @cached_property
    def independent(self) -> Rows:
        """Independent sources (distinct publishers) of each event: see model.sourcing."""
        events, sources = self.source_links
        src = self._document.sources
        codes = publisher_codes(
            src["publisher"].astype(str).tolist(), src["url"].astype(str).tolist()
        )
        return independent_counts(events, sources, codes, self.n)

    @cached_property
    def _links_by_event(self) -> tuple[Rows, Rows]:
        """Links sorted by event row, and where each event's run starts (CSR)."""
        order = stable_order(self.link_event)
        bounds = np.searchsorted(self.link_event[order], np.arange(self.n + 1))
        return order, bounds

    @cached_property
    def _sources_by_event(self) -> tuple[Rows, Rows]:
        events, _ = self.source_links
        order = stable_order(events)
        return order, np.searchsorted(events[order], np.arange(self.n + 1))

    def sources_of(self, row: int) -> Rows:
        """Source rows of one event, in file order."""
        order, bounds = self._sources_by_event
        _, sources = self.source_links
        picked = sources[order[bounds[row] : bounds[row + 1]]]
        return np.asarray(picked[picked >= 0], dtype=np.int64)

    def first_actor(self) -> Rows:
        """Each event's first actor row (-1 for none), for sorting by actor."""
        order, bounds = self._links_by_event
        first = np.full(self.n, -1, dtype=np.int64)
        has = bounds[1:] > bounds[:-1]
        first[has] = self.link_actor[order[bounds[:-1][has]]]
        return first

    def first_source(self) -> Rows:
        """Each event's first source row (-1 for none), for sorting by source."""
        order, bounds = self._sources_by_event
        _, sources = self.source_links
        first = np.full(self.n, -1, dtype=np.int64)
        has = bounds[1:] > bounds[:-1]
        first[has] = sources[order[bounds[:-1][has]]]
        return first

    def links_of(self, row: int) -> Rows:
        """Link indices (rows of the links table) of one event, in file order."""
        order, bounds = self._links_by_event
        return np.asarray(order[bounds[row] : bounds[row + 1]], dtype=np.int64)

    def _factorized(self, column: str) -> tuple[Rows | None, pd.DataFrame]:
        """Codes and distinct values of a text column, when it repeats itself enough
        to make searching the distinct values worthwhile (cached per document)."""
        cache: dict[str, tuple[Rows | None, pd.DataFrame]] = self.__dict__.setdefault(
            "_factor_cache", {}
        )
        if column not in cache:
            codes, uniques = pd.factorize(self._document.events[column])
            if len(uniques) * 2 < max(self.n, 1):
                cache[column] = (
                    np.asarray(codes, dtype=np.int64),
                    pd.DataFrame({"value": pd.Series(uniques, dtype="str")}),
                )
            else:
                cache[column] = (None, pd.DataFrame())
        return cache[column]

    def _text_hits(self, needle: str) -> Mask:
        """Events whose title or summary, or one of whose actors, themes or sources,
        contains `needle` (case-insensitive). Titles are searched by Arrow in C; the
        small tables are searched once and their hits mapped through the links."""
        ev = self._document.events
        hits = np.zeros(self.n, dtype=bool)
        for column in ("title", "summary"):
            codes, uniques = self._factorized(column)
            if codes is None:
                found = ev[column].str.contains(needle, case=False, regex=False)
                hits |= found.fillna(False).to_numpy(dtype=bool)
            else:
                # Few distinct values (log messages, "Creation Time"): search those only.
                matched = _contains(uniques, ("value",), needle)
                hits |= matched[codes] & (codes >= 0)
        actors = self._document.actors
        actor_hit = _contains(actors, ("name", "kind", "posture"), needle)
        if actor_hit.any():
            hits[self.link_event[actor_hit[self.link_actor] & (self.link_actor >= 0)]] = True
        for table, links, columns in (
            ("themes", self.theme_links, ("name",)),
            ("sources", self.source_links, ("publisher",)),
        ):
            frame: pd.DataFrame = getattr(self._document, table)
            table_hit = _contains(frame, columns, needle)
            events, targets = links
            if table_hit.any() and len(events):
                pick = (targets >= 0) & (events >= 0)
                pick[pick] &= table_hit[targets[pick]]
                hits[events[pick]] = True
        searched: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("tags", ("tag",)),
            ("notes", ("text", "author")),
        )
        for name, fields in searched:
            notes: pd.DataFrame = getattr(self._document, name)
            if len(notes):
                at = self.annotation_rows[name]
                hits[at[_contains(notes, fields, needle) & (at >= 0)]] = True
        return hits

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
            rows = self.order  # starts in order are made on demand: 8 MB a million kept free
            lo = self.lo[rows]
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
        if flt.known_by is not None:
            known = self.known_dated & (self.known_at <= flt.known_by)
            keep &= known | ~self.known_dated if flt.known_undated else known
        if flt.starred:
            keep &= self.annotated("stars")
        if flt.noted:
            keep &= self.annotated("notes")
        if flt.tags is not None:
            keep &= self.tagged_with(flt.tags)
        if flt.text.strip():
            keep &= self._text_hits(flt.text.strip())
        if flt.sources is not None or flt.sourcing is not None or flt.together is not None:
            keep &= self._word_mask(flt)
        return keep

    def _word_mask(self, flt: Filter) -> Mask:
        """The filter's sources, sourcing levels and actors-together, as a mask."""
        keep = np.ones(self.n, dtype=bool)
        if flt.sources is not None:
            events, sources = self.source_links
            index = pd.Index(self._document.sources["id"])
            wanted = np.zeros(len(index) + 1, dtype=bool)
            codes = index.get_indexer(list(flt.sources))
            wanted[codes[codes >= 0]] = True
            hit = np.zeros(self.n, dtype=bool)
            hit[events[wanted[sources] & (events >= 0)]] = True
            keep &= hit
        if flt.sourcing is not None:
            keep &= level_mask(self.independent, flt.sourcing)
        for actor in sorted(flt.together or ()):
            row = int(self.actor_index.get_indexer([actor])[0])
            hit = np.zeros(self.n, dtype=bool)
            if row >= 0:
                hit[self.lane_rows(row)] = True
            keep &= hit
        return keep

    def actor_counts(self, mask: Mask | None = None) -> npt.NDArray[np.int64]:
        """Number of events per actor (in actor order), counting only rows in `mask`."""
        link_actor = self._pair_actor
        if mask is not None:
            link_actor = link_actor[mask[self._pair_event]]
        return np.bincount(link_actor[link_actor >= 0], minlength=len(self.actor_index)).astype(
            np.int64
        )

    def row_of(self, event_id: str) -> int | None:
        hits = np.flatnonzero((self._document.events["id"] == event_id).to_numpy(dtype=bool))
        return int(hits[0]) if len(hits) else None

    def start_precisions(self, rows: Rows) -> npt.NDArray[np.int8]:
        return self._start_prec[rows]

    def end_precisions(self, rows: Rows) -> npt.NDArray[np.int8]:
        """Precision of each end, NO_END (-1) where there is none."""
        return self._end_prec[rows]

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
        return np.asarray(self.link_actor[self.links_of(row)], dtype=np.int64)


def _contains(frame: pd.DataFrame, columns: tuple[str, ...], needle: str) -> Mask:
    hit = np.zeros(len(frame), dtype=bool)
    for column in columns:
        found = frame[column].astype("str").str.contains(needle, case=False, regex=False)
        hit |= found.fillna(False).to_numpy(dtype=bool)
    return hit
