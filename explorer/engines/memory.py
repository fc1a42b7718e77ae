"""The in-memory backend: a Document's tables and numpy indexes answering every query.

It is the default engine and the oracle the others are compared with. Frame
questions (window counts, density, marks) read per-lane sorted arrays and their
multi-resolution counts (explorer.model.counts), built once per filter in O(N), so
a frame costs what is on screen. Table sorts use a permutation per column, made
the first time that column is sorted. Search runs over distinct values
(EventStore._text_hits). Field edits (status, title, summary, attributes, dates)
update the indexes in place at the rows they touch; edits that add, delete or
relink events, or change actors, sources or themes, rebuild the indexes (O(N)).
Each edit sends one Change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer import edits as legacy
from explorer.model.actor_web import actor_pairs as pair_web
from explorer.model.annotations import (
    ANNOTATION_OPS,
    AnnotationOp,
    PutNote,
    apply_to_document,
    notes_of,
    tag_counts,
    tags_of,
)
from explorer.model.counts import LevelCounts
from explorer.model.dates import DatedValue, Precision, period_ends
from explorer.model.document import (
    NO_END,
    STATUS_CATEGORIES,
    Document,
    dated,
    end_value,
    start_value,
)
from explorer.model.opening_view import opening_window, sample_step
from explorer.model.query import (
    ALL,
    ActorPairs,
    ActorRef,
    Change,
    Cursor,
    DeleteEventsOp,
    Density,
    EditOp,
    EntityTable,
    EventRecord,
    FigureRef,
    InvalidEditError,
    Keys,
    Lanes,
    Listener,
    Marks,
    MergeActorsOp,
    Page,
    Problem,
    PutEntity,
    PutEvent,
    SetEventFields,
    SortColumn,
    SourceCounts,
    SourceRef,
    TableChange,
    ThemeRef,
    TimelineQueries,
    density_edges,
    density_level,
)
from explorer.model.records import check_entity, check_event
from explorer.model.sorting import stable_order
from explorer.model.sourcing import publisher_codes
from explorer.model.store import NO_ACTOR, EventStore, Filter, Mask

I64 = npt.NDArray[np.int64]
FAST_FIELDS: Final = frozenset({"title", "summary", "status", "attributes", "start", "end"})
_LOWEST: Final = -(2**63)
_HIGHEST: Final = 2**63 - 1
NO_ACTOR_NAME: Final = "(no actor)"


@dataclass
class _Lane:
    """One lane under one filter: its rows by (lo, row), their starts, and their ends
    sorted on their own, each with counts per power-of-two bin."""

    rows: I64
    lo: I64
    starts: LevelCounts
    ends: LevelCounts  # of hi - 1: "ended by t" is "hi - 1 < t"
    max_len: int


@dataclass
class _FilterIndex:
    """Everything one filter's frames need, built once when the filter is first asked."""

    flt: Filter
    mask: Mask
    count: int
    lanes: dict[int, _Lane] = field(default_factory=dict)
    order: I64 | None = None  # rows passing, by (lo, row)
    order_lo: I64 | None = None
    pages: dict[SortColumn, I64] = field(default_factory=dict)


@dataclass
class _Undo(EditOp):
    """The inverse of an edit as this backend recorded it (private to it)."""

    undo: Callable[[], Change]
    redo: Callable[[], Change]
    text: str = "Edit"


class MemoryBackend(TimelineQueries):
    """TimelineQueries over an in-memory Document (through an EventStore's indexes)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._listeners: list[Listener] = []
        self._filters: dict[Filter, _FilterIndex] = {}
        self._sort_keys: dict[SortColumn, tuple[I64, list[str] | None]] = {}
        self._perms: dict[SortColumn, I64] = {}
        self._reset_indexes()
        store.subscribe(self._on_store)

    # --- the store's own notifications (a document opened, or legacy edits) ----------

    def _on_store(self, edited: bool) -> None:
        self._reset_indexes()
        self._notify(Change(replaced=not edited, renumbered=edited, tables=_every_table()))

    def _reset_indexes(self) -> None:
        self._span: tuple[int, int] | None = None
        self._filters.clear()
        self._sort_keys.clear()
        self._perms.clear()
        self._roles: tuple[I64, list[str]] | None = None
        self._own_arrays()

    def _own_arrays(self) -> None:
        """Arrays the fast edits write into must not share memory with the tables:
        a saved snapshot or an undo record may hold the same tables."""
        s = self.store
        s.status_codes = np.array(s.status_codes, dtype=np.int8, copy=True)
        s._start_prec = np.array(s._start_prec, dtype=np.int8, copy=True)
        s._end_prec = np.array(s._end_prec, dtype=np.int8, copy=True)
        self._dates_owned = False  # starts and ends: copied on the first date edit (80 MB at 10M)

    @property
    def document(self) -> Document:
        return self.store.document

    # --- subscriptions ---------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, change: Change) -> None:
        self._span = None  # every edit is announced here: the data's span may have moved
        for listener in list(self._listeners):
            listener(change)

    # --- the whole -------------------------------------------------------------------

    def _index(self, flt: Filter) -> _FilterIndex:
        found = self._filters.get(flt)
        if found is None:
            if len(self._filters) >= 3:  # the current filter, the last, and everything
                for old in [f for f in self._filters if f != ALL][:1]:
                    del self._filters[old]
            mask = self.store.mask(flt)
            found = _FilterIndex(flt, mask, int(mask.sum()))
            self._filters[flt] = found
        return found

    def _mask(self, flt: Filter) -> Mask:
        return self._index(flt).mask

    def event_count(self, flt: Filter = ALL) -> int:
        return self.store.n if flt == ALL else self._index(flt).count

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        s = self.store
        if flt == ALL:  # asked by every pan (the view keeps the data in reach): 12 ms at 10M
            if self._span is None:
                self._span = s.span()
            return self._span
        mask = self._mask(flt)
        if not mask.any():
            return 0, 0
        return int(s.lo[mask].min()), int(s.hi[mask].max())

    def opening(self) -> tuple[int, int]:
        step = sample_step(self.store.n)
        return opening_window(self.store.lo[::step], self.store.hi[::step])

    def title(self) -> str:
        return self.document.title

    def actors(self) -> EntityTable:
        a = self.document.actors
        return EntityTable(
            ids=_texts(a["id"]),
            names=_texts(a["name"]),
            kinds=_texts(a["kind"]),
            postures=_texts(a["posture"]),
            colours=_texts(a["colour"]),
            descriptions=_texts(a["description"]),
        )

    def periods(self) -> pd.DataFrame:
        return self.document.periods

    def themes(self) -> EntityTable:
        t = self.document.themes
        blank = ("",) * len(t)
        return EntityTable(
            ids=_texts(t["id"]),
            names=_texts(t["name"]),
            kinds=blank,
            postures=blank,
            colours=blank,
            descriptions=_texts(t["description"]),
        )

    def sources(self) -> EntityTable:
        src = self.document.sources
        blank = ("",) * len(src)
        names = tuple(
            p or t for p, t in zip(_texts(src["publisher"]), _texts(src["title"]), strict=True)
        )
        return EntityTable(
            ids=_texts(src["id"]),
            names=names,
            kinds=blank,
            postures=blank,
            colours=blank,
            descriptions=blank,
            titles=_texts(src["title"]),
            urls=_texts(src["url"]),
            published=tuple(dated(src, "published", r) for r in range(len(src))),
        )

    def lanes(self) -> Lanes:
        s = self.store
        keys = list(range(len(s.actor_index)))
        names = list(_texts(self.document.actors["name"]))
        if len(s.lane_rows(NO_ACTOR)):
            keys.append(NO_ACTOR)
            names.append(NO_ACTOR_NAME)
        return Lanes(np.asarray(keys, dtype=np.int64), tuple(names))

    def _lane(self, flt: Filter, key: int) -> _Lane:
        index = self._index(flt)
        lane = index.lanes.get(key)
        if lane is None:
            s = self.store
            rows = s.lane_rows(key)
            if flt != ALL:
                rows = rows[index.mask[rows]]
            lo = s.lo[rows]
            hi = s.hi[rows]
            lane = _Lane(
                rows=np.asarray(rows, dtype=np.int64),
                lo=lo,
                starts=LevelCounts(lo),
                ends=LevelCounts(np.sort(hi) - 1),
                max_len=int((hi - lo).max()) if len(rows) else 0,
            )
            index.lanes[key] = lane
        return lane

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        return np.asarray([len(self._lane(flt, int(k)).rows) for k in lanes], dtype=np.int64)

    def actor_counts(self, flt: Filter = ALL) -> Keys:
        return self.store.actor_counts(None if flt == ALL else self._mask(flt))

    # --- a window of time ------------------------------------------------------------

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        out = np.empty(len(lanes), dtype=np.int64)
        edges = np.array([t0, t1], dtype=np.int64)
        for i, key in enumerate(lanes.tolist()):
            lane = self._lane(flt, key)
            started = lane.starts.below(edges[1:], 0)
            ended = lane.ends.below(edges[:1], 0)
            out[i] = int(started[0] - ended[0])
        return out

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        edges = density_edges(t0, t1, bins)
        level = density_level(t0, t1, bins)
        counts = np.empty((len(lanes), len(edges) - 1), dtype=np.int64)
        for i, key in enumerate(lanes.tolist()):
            lane = self._lane(flt, key)
            counts[i] = lane.starts.below(edges[1:], level) - lane.ends.below(edges[:-1], level)
        return Density(np.asarray(lanes, dtype=np.int64), edges, counts)

    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        s = self.store
        picked: list[I64] = []
        totals = np.zeros(len(lanes), dtype=np.int64)
        for i, key in enumerate(lanes.tolist()):
            lane = self._lane(flt, key)
            i0 = int(np.searchsorted(lane.lo, t0 - lane.max_len, side="left"))
            i1 = int(np.searchsorted(lane.lo, t1, side="left"))
            rows = lane.rows[i0:i1]
            rows = rows[s.hi[rows] > t0]
            totals[i] = len(rows)
            picked.append(rows[: max(cap, 0)])
        which = np.repeat(np.arange(len(lanes), dtype=np.int32), [len(r) for r in picked])
        rows = np.concatenate(picked) if picked else np.zeros(0, np.int64)
        core_lo, core_hi = s.core(rows)
        return Marks(
            lanes=np.asarray(lanes, dtype=np.int64),
            totals=totals,
            lane=which,
            key=rows,
            lo=s.lo[rows],
            hi=s.hi[rows],
            core_lo=np.asarray(core_lo, dtype=np.int64),
            core_hi=np.asarray(core_hi, dtype=np.int64),
            status=np.asarray(s.status_codes[rows], dtype=np.int8),
            start_precision=s._start_prec[rows],
            end_precision=s._end_prec[rows],
            flags=s.annotation_flags(rows),
        )

    def undated_count(self, flt: Filter = ALL) -> int:
        return int((~self.store.known_dated & self._mask(flt)).sum())

    def titles(self, keys: Keys) -> list[str]:
        return [str(t) for t in self.document.events["title"].take(np.asarray(keys)).tolist()]

    # --- who with whom, and on whose word -------------------------------------------

    def actor_pairs(self, flt: Filter = ALL) -> ActorPairs:
        s = self.store
        if self._roles is None:  # role codes, once per document (reset with the indexes)
            codes, names = pd.factorize(self.document.links["role"].astype(str))
            self._roles = (np.asarray(codes, np.int64), [str(r) for r in names])
        keep = np.ones(s.n, dtype=bool) if flt == ALL else self._mask(flt)
        return pair_web(s.link_event, s.link_actor, self._roles[0], self._roles[1], keep)

    def independent_sources(self, keys: Keys) -> Keys:
        return np.asarray(self.store.independent[np.asarray(keys, dtype=np.int64)], np.int64)

    def source_counts(self, flt: Filter = ALL) -> SourceCounts:
        s = self.store
        src = self.document.sources
        events, sources = s.source_links
        keep = np.ones(s.n, dtype=bool) if flt == ALL else self._mask(flt)
        ok = (events >= 0) & (sources >= 0)
        ok[ok] &= keep[events[ok]]
        linked = np.unique(np.stack([events[ok], sources[ok]], axis=1), axis=0)
        e, r = linked[:, 0], linked[:, 1]
        codes = publisher_codes(
            src["publisher"].astype(str).tolist(), src["url"].astype(str).tolist()
        )
        known = codes[r] >= 0
        has_known = np.zeros(s.n, dtype=bool)
        has_known[e[known]] = True
        alone = (s.independent[e] == 1) & (known | ~has_known[e])
        return SourceCounts(
            events=np.bincount(r, minlength=len(src)).astype(np.int64),
            alone=np.bincount(r[alone], minlength=len(src)).astype(np.int64),
        )

    # --- walking in time -------------------------------------------------------------

    def _order(self, flt: Filter, lanes: Keys | None) -> tuple[I64, I64]:
        """Rows passing `flt` (and in one of `lanes`) by (lo, row), and their starts."""
        s = self.store
        index = self._index(flt)
        if lanes is None or self._all_lanes(lanes):
            if index.order is None:
                order = s.order if flt == ALL else s.order[index.mask[s.order]]
                index.order, index.order_lo = order, s.lo[order]
            assert index.order_lo is not None
            return index.order, index.order_lo
        shown = np.zeros(s.n, dtype=bool)
        for key in lanes.tolist():
            shown[s.lane_rows(key)] = True
        order = s.order[(shown & index.mask)[s.order]]
        return order, s.lo[order]

    def _all_lanes(self, lanes: Keys) -> bool:
        every = self.lanes().keys
        return len(lanes) == len(every) and bool(np.isin(every, lanes).all())

    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        order, lo = self._order(flt, lanes)
        if not len(order):
            return -1
        when, key = at
        when = min(max(when, _LOWEST), _HIGHEST)
        first = int(np.searchsorted(lo, when, side="left"))
        last = int(np.searchsorted(lo, when, side="right"))
        ties = order[first:last]  # rows of equal lo are in row order
        if direction > 0:
            after = first + int(np.searchsorted(ties, key, side="right"))
            return int(order[after]) if after < len(order) else -1
        before = first + int(np.searchsorted(ties, key, side="left")) - 1
        return int(order[before]) if before >= 0 else -1

    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        s = self.store
        rows = self._lane(flt, lane).rows
        if not len(rows):
            return -1
        mid = (s.lo[rows] + s.hi[rows]) // 2
        distance = np.abs(mid - when)
        best = np.flatnonzero(distance == distance.min())
        return int(rows[best[0]])  # rows are by (lo, row): the first is the earliest

    def first_title_match(self, flt: Filter) -> int:
        text = flt.text.strip()
        order, _ = self._order(flt, None)
        if not text or not len(order):
            return -1
        titles = self.document.events["title"]
        for start in range(0, len(order), 65_536):
            chunk = order[start : start + 65_536]
            found = titles.take(chunk).str.contains(text, case=False, regex=False)
            hits = np.flatnonzero(found.fillna(False).to_numpy(dtype=bool))
            if len(hits):
                return int(chunk[hits[0]])
        return -1

    # --- the table ---------------------------------------------------------------------

    def _sort_key(self, sort: SortColumn) -> tuple[I64, list[str] | None]:
        """An int64 key per row whose order is the sort's, and (for text sorts) the
        sorted distinct values the key ranks."""
        found = self._sort_keys.get(sort)
        if found is not None:
            return found
        s = self.store
        doc = self.document
        distinct: list[str] | None = None
        if sort == "date":
            key = s.lo
        elif sort == "status":
            key = s.status_codes.astype(np.int64)
        elif sort == "title":
            key, distinct = _rank(doc.events["title"].astype("str").str.lower())
        elif sort == "actors":
            names = doc.actors["name"].astype("str").str.lower()
            key, distinct = _rank_through(names, s.first_actor())
        elif sort == "sources":
            src = doc.sources
            names = src["publisher"].where(src["publisher"] != "", src["title"])
            key, distinct = _rank_through(names.astype("str").str.lower(), s.first_source())
        else:
            raise ValueError(f"unknown sort column {sort!r}")
        found = (np.asarray(key, dtype=np.int64), distinct)
        self._sort_keys[sort] = found
        return found

    def _perm(self, sort: SortColumn) -> I64:
        perm = self._perms.get(sort)
        if perm is None:
            perm = self.store.order if sort == "date" else stable_order(self._sort_key(sort)[0])
            self._perms[sort] = perm
        return perm

    def _sorted_rows(self, flt: Filter, sort: SortColumn) -> I64:
        index = self._index(flt)
        rows = index.pages.get(sort)
        if rows is None:
            perm = self._perm(sort)
            rows = perm if flt == ALL else perm[index.mask[perm]]
            index.pages[sort] = rows
        return rows

    def _position(
        self, flt: Filter, sort: SortColumn, value: int | str, key: int, side: str
    ) -> int:
        """Ascending position of (value, key): first row >= it (side left) or > it (right)."""
        rows = self._sorted_rows(flt, sort)
        keys, distinct = self._sort_key(sort)
        if distinct is not None:
            text = str(value)
            rank = int(np.searchsorted(np.asarray(distinct, dtype=object), text, side="left"))
            exact = rank < len(distinct) and distinct[rank] == text
            if not exact:
                # Between two ranks: every row of rank >= `rank` is after (value, key).
                return _search_keys(keys, rows, rank, side="left")
            code = rank
        else:
            code = int(value)
        first = _search_keys(keys, rows, code, side="left")
        last = _search_keys(keys, rows, code, side="right")
        return first + int(np.searchsorted(rows[first:last], key, side=side))  # type: ignore[call-overload]

    def _page_from(
        self, flt: Filter, sort: SortColumn, descending: bool, start: int, limit: int
    ) -> Page:
        rows = self._sorted_rows(flt, sort)
        total = len(rows)
        start = min(max(start, 0), total)
        if descending:
            hi = total - start
            picked = rows[max(hi - max(limit, 0), 0) : hi][::-1]
        else:
            picked = rows[start : start + max(limit, 0)]
        picked = np.ascontiguousarray(picked, dtype=np.int64)
        end = start + len(picked)
        nxt = None
        if end < total and len(picked):
            last = int(picked[-1])
            nxt = Cursor(self.sort_values(sort, np.array([last]))[0], last)
        return Page(picked, start, total, True, nxt)

    def page(
        self, flt: Filter, sort: SortColumn, descending: bool, after: Cursor | None, limit: int
    ) -> Page:
        if after is None:
            return self._page_from(flt, sort, descending, 0, limit)
        total = len(self._sorted_rows(flt, sort))
        if descending:
            start = total - self._position(flt, sort, after.value, after.key, "left")
        else:
            start = self._position(flt, sort, after.value, after.key, "right")
        return self._page_from(flt, sort, descending, start, limit)

    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        return self._page_from(flt, sort, descending, ordinal, limit)

    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        if not (0 <= key < self.store.n) or not self._mask(flt)[key]:
            return -1
        value = self.sort_values(sort, np.array([key]))[0]
        position = self._position(flt, sort, value, key, "left")
        total = len(self._sorted_rows(flt, sort))
        return total - 1 - position if descending else position

    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        codes, distinct = self._sort_key(sort)
        picked = codes[np.asarray(keys, dtype=np.int64)]
        if distinct is None:
            return [int(v) for v in picked.tolist()]
        return [distinct[v] for v in picked.tolist()]

    # --- one event -------------------------------------------------------------------

    def record(self, key: int) -> EventRecord:
        s = self.store
        if not 0 <= key < s.n:
            raise KeyError(key)
        doc = self.document
        ev = doc.events
        ident = str(ev["id"].iat[key])
        actors = doc.actors
        names, actor_ids, roles = actors["name"], actors["id"], doc.links["role"]
        actor_refs = []
        for link in s.links_of(key).tolist():
            row = int(s.link_actor[link])
            if row >= 0:
                actor_refs.append(
                    ActorRef(
                        row, str(actor_ids.iat[row]), str(names.iat[row]), str(roles.iat[link])
                    )
                )
        src = doc.sources
        source_refs = tuple(
            SourceRef(
                int(r),
                str(src["id"].iat[r]),
                str(src["publisher"].iat[r]),
                str(src["title"].iat[r]),
                str(src["url"].iat[r]),
                dated(src, "published", int(r)),
            )
            for r in s.sources_of(key).tolist()
        )
        theme_events, theme_rows = s.theme_links
        themes = doc.themes
        theme_refs = tuple(
            ThemeRef(int(r), str(themes["id"].iat[r]), str(themes["name"].iat[r]))
            for r in theme_rows[(theme_events == key) & (theme_rows >= 0)].tolist()
        )
        fig = doc.figures[(doc.figures["event_id"] == ident).to_numpy(dtype=bool)]
        figures = tuple(
            FigureRef(str(t), float(q), str(u), str(ql), str(lb))
            for t, q, u, ql, lb in zip(
                fig["text"],
                fig["quantity"],
                fig["unit"],
                fig["qualifier"],
                fig["label"],
                strict=True,
            )
        )
        attributes = ev["attributes"].iat[key]
        return EventRecord(
            key=key,
            id=ident,
            title=str(ev["title"].iat[key]),
            summary=str(ev["summary"].iat[key]),
            start=_start(s, key),
            end=_end(s, key),
            lo=int(s.lo[key]),
            hi=int(s.hi[key]),
            status=str(STATUS_CATEGORIES.categories[int(s.status_codes[key])]),
            attributes=dict(attributes) if isinstance(attributes, Mapping) else {},
            actors=tuple(actor_refs),
            sources=source_refs,
            themes=theme_refs,
            figures=figures,
            known_at=int(s.known_at[key]),
            starred=bool(s.annotated_row("stars", key)),
            tags=tags_of(doc, ident),
            notes=notes_of(doc, ident),
        )

    def tag_counts(self) -> Mapping[str, int]:
        tags = self.document.tags
        rows = self.store.annotation_rows["tags"]
        if (rows < 0).any():  # tags of deleted events (kept for undo) are not counted
            return tag_counts(replace(self.document, tags=tags[rows >= 0]))
        return tag_counts(self.document)

    def key_of(self, event_id: str) -> int:
        row = self.store.row_of(event_id)
        return -1 if row is None else row

    def event_ids(self, keys: Keys) -> list[str]:
        return [str(v) for v in self.document.events["id"].take(np.asarray(keys)).tolist()]

    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        picked = np.asarray(keys, dtype=np.int64)
        return self.store.lo[picked], self.store.hi[picked]

    def lanes_of(self, key: int) -> Keys:
        actors = self.store.actors_of(key)
        actors = actors[actors >= 0]
        if not len(actors):
            return np.array([NO_ACTOR], dtype=np.int64)
        _, first = np.unique(actors, return_index=True)
        return np.asarray(actors[np.sort(first)], dtype=np.int64)

    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        return np.asarray(self._mask(flt)[np.asarray(keys, dtype=np.int64)], dtype=bool)

    # --- editing -----------------------------------------------------------------------

    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        _, problems = check_event(self.document, record, replacing)
        return problems

    @property
    def can_edit(self) -> bool:
        return True

    def apply(self, edit: EditOp) -> EditOp:
        if isinstance(edit, _Undo):
            change = edit.undo()
            self._notify(change)
            return _Undo(undo=edit.redo, redo=edit.undo, text=edit.text)
        if isinstance(edit, ANNOTATION_OPS):
            return self._annotate(edit)
        if isinstance(edit, SetEventFields):
            rows = self._rows_of(edit.ids, edit.keys)
            return self._set_fields(rows, dict(edit.fields), edit.text)
        if isinstance(edit, PutEvent) and edit.replacing is not None:
            row = self._rows_of((edit.replacing,), edit.keys)[0]
            made, problems = check_event(self.document, edit.record, edit.replacing)
            if problems:
                raise InvalidEditError(problems)
            assert made is not None
            fields = self._field_changes(int(row), made, edit.record)
            if fields is not None:
                return self._set_fields(np.array([row], np.int64), fields, edit.text, checked=True)
            return self._structural(
                legacy.ReplaceEvent(edit.replacing, dict(edit.record), edit.text),
                Change(
                    tables={
                        t: TableChange(updated=np.array([row], np.int64)) for t in _EVENT_TABLES
                    },
                    renumbered=str(edit.record.get("id")) != edit.replacing,
                ),
            )
        if isinstance(edit, PutEvent):
            _, problems = check_event(self.document, edit.record, None)
            if problems:
                raise InvalidEditError(problems)
            added = np.array([self.store.n], np.int64)
            return self._structural(
                legacy.AddEvent(dict(edit.record)),
                Change(tables={t: TableChange(inserted=added) for t in _EVENT_TABLES}),
            )
        if isinstance(edit, DeleteEventsOp):
            rows = self._rows_of(edit.ids, ())
            return self._structural(
                legacy.DeleteEvents(list(edit.ids)),
                Change(
                    tables={t: TableChange(removed=rows) for t in _EVENT_TABLES}, renumbered=True
                ),
            )
        if isinstance(edit, PutEntity):
            if edit.record is not None:
                _, problems = check_entity(edit.table, edit.record)
                if problems:
                    raise InvalidEditError(problems)
            frame: pd.DataFrame = getattr(self.document, edit.table)
            hit = np.flatnonzero((frame["id"] == edit.ident).to_numpy(dtype=bool))
            row = np.array(hit[:1] if len(hit) else [len(frame)], np.int64)
            kind = (
                "updated"
                if len(hit) and edit.record is not None
                else ("removed" if len(hit) else "inserted")
            )
            link_table = {"actors": "links", "sources": "event_sources", "themes": "event_themes"}
            tables = {edit.table: TableChange(**{kind: row})}
            if kind == "removed" and edit.table in link_table:
                tables[link_table[edit.table]] = TableChange(
                    updated=self._linked_to(edit.table, int(row[0]))
                )
            return self._structural(
                legacy.SetRecord(
                    edit.table,
                    edit.ident,
                    None if edit.record is None else dict(edit.record),
                    edit.text,
                ),
                Change(tables=tables),
            )
        if isinstance(edit, MergeActorsOp):
            drop = self.actors().row_of(edit.drop)
            return self._structural(
                legacy.MergeActors(edit.keep, edit.drop),
                Change(
                    tables={
                        "actors": TableChange(removed=np.array([drop], np.int64)),
                        "links": TableChange(updated=self._linked_to("actors", drop)),
                    }
                ),
            )
        raise InvalidEditError([Problem("", f"unknown edit {type(edit).__name__}")])

    def _annotate(self, op: AnnotationOp) -> EditOp:
        """Stars, tags and notes: the small tables change, the rows aligned with them
        are patched (no O(N) rebuild), filters reading them are dropped."""
        s = self.store
        if isinstance(op, PutNote):
            ids: tuple[str, ...] = (op.event_id,)
            hints: tuple[int, ...] = (op.key,)
        else:
            ids, hints = op.ids, op.keys
        rows = self._rows_of(ids, hints)
        row_of = dict(zip(ids, rows.tolist(), strict=True))
        aligned = s.annotation_rows  # computed before the tables change
        inverse, changed, done = apply_to_document(self.document, op)
        before = aligned[done.table]
        kept = np.delete(before, done.removed) if len(done.removed) else before
        new = changed[-done.appended :] if done.appended else []
        added = np.asarray([row_of[i] for i in new], dtype=np.int64)
        s.set_annotation_rows(done.table, np.concatenate([kept, added]).astype(np.int64))
        keys = np.unique(np.asarray([row_of[i] for i in changed], dtype=np.int64))
        for flt in list(self._filters):
            if flt.starred or flt.noted or flt.tags is not None or flt.text.strip():
                del self._filters[flt]
        hinted = tuple(row_of[i] for i in changed)
        if isinstance(inverse, PutNote):
            inverse = replace(inverse, key=int(rows[0]))
        else:
            inverse = replace(inverse, keys=hinted)
        if len(keys):
            self._notify(
                Change(
                    tables={
                        "events": TableChange(updated=keys),
                        done.table: TableChange(updated=keys),
                    },
                    columns=frozenset({"annotations"}),
                )
            )
        return inverse

    def _rows_of(self, ids: tuple[str, ...], hints: tuple[int, ...]) -> I64:
        """Rows of `ids`: the caller's hints when they still hold those ids (O(1)),
        else a scan of the id column."""
        column = self.document.events["id"]
        rows = []
        for i, ident in enumerate(ids):
            hint = hints[i] if i < len(hints) else -1
            if 0 <= hint < self.store.n and str(column.iat[hint]) == ident:
                rows.append(hint)
                continue
            row = self.store.row_of(ident)
            if row is None:
                raise InvalidEditError([Problem("id", f"no event with id {ident!r}")])
            rows.append(row)
        return np.asarray(rows, dtype=np.int64)

    def _linked_to(self, table: str, row: int) -> I64:
        """Event keys linked to row `row` of actors, sources or themes."""
        s = self.store
        if row < 0:
            return np.zeros(0, np.int64)
        if table == "actors":
            events = s.link_event[s.link_actor == row]
        else:
            events, targets = s.source_links if table == "sources" else s.theme_links
            events = events[targets == row]
        return np.unique(events[events >= 0]).astype(np.int64)

    def _field_changes(
        self, row: int, rows: Document, record: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The event fields `rows` (one event's new rows) change, when nothing else
        changes (same id, actors, sources, themes, figures); None otherwise."""
        current = self.record(row)
        if str(rows.events["id"].iat[0]) != current.id:
            return None
        links = [
            (str(a), str(r))
            for a, r in zip(rows.links["actor_id"], rows.links["role"], strict=True)
        ]
        if links != [(a.id, a.role) for a in current.actors]:
            return None
        if list(rows.event_sources["source_id"].astype(str)) != [x.id for x in current.sources]:
            return None
        if list(rows.event_themes["theme_id"].astype(str)) != [x.id for x in current.themes]:
            return None
        figures = [
            FigureRef(str(t), float(q), str(u), str(ql), str(lb))
            for t, q, u, ql, lb in zip(
                rows.figures["text"],
                rows.figures["quantity"],
                rows.figures["unit"],
                rows.figures["qualifier"],
                rows.figures["label"],
                strict=True,
            )
        ]
        if not _same_figures(figures, list(current.figures)):
            return None
        ev = rows.events
        new: dict[str, Any] = {
            "title": str(ev["title"].iat[0]),
            "summary": str(ev["summary"].iat[0]),
            "status": str(ev["status"].iat[0]),
            "start": start_value(ev, 0),
            "end": end_value(ev, 0),
            "attributes": ev["attributes"].iat[0] or {},
        }
        old: dict[str, Any] = {
            "title": current.title,
            "summary": current.summary,
            "status": current.status,
            "start": current.start,
            "end": current.end,
            "attributes": dict(current.attributes),
        }
        return {k: v for k, v in new.items() if v != old[k]}

    def _set_fields(
        self, rows: I64, fields: dict[str, Any], text: str, *, checked: bool = False
    ) -> EditOp:
        """The fast path: new values for some fields of some events, indexes patched
        at those rows. Returns the private edit that puts the old values back."""
        unknown = set(fields) - FAST_FIELDS
        if unknown:
            raise InvalidEditError([Problem(sorted(unknown)[0], "cannot be set here")])
        if not checked:
            self._check_fields(rows, fields)
        before = self._current_fields(rows, fields)
        self._write_fields(rows, [fields] * len(rows))
        change = self._field_change(rows, fields)
        self._notify(change)

        def undo() -> Change:
            self._write_fields(rows, before)
            return change

        def redo() -> Change:
            self._write_fields(rows, [fields] * len(rows))
            return change

        return _Undo(undo=undo, redo=redo, text=text)

    def _check_fields(self, rows: I64, fields: Mapping[str, Any]) -> None:
        problems = []
        for name in ("title", "summary"):
            if name in fields and not isinstance(fields[name], str):
                problems.append(Problem(name, "must be text"))
        if "status" in fields and fields["status"] not in STATUS_CATEGORIES.categories:
            problems.append(Problem("status", f"{fields['status']!r} is not a claim status"))
        if "start" in fields and not isinstance(fields["start"], DatedValue):
            problems.append(Problem("start", "must be a date"))
        if "end" in fields and not (fields["end"] is None or isinstance(fields["end"], DatedValue)):
            problems.append(Problem("end", "must be a date or empty"))
        if "attributes" in fields and not isinstance(fields["attributes"], Mapping):
            problems.append(Problem("attributes", "must be an object"))
        if not problems and ("start" in fields or "end" in fields):
            for row in rows.tolist():
                start = fields.get("start", _start(self.store, row))
                end = fields["end"] if "end" in fields else _end(self.store, row)
                if end is not None and end.end <= start.seconds:
                    problems.append(Problem("end", "ends before it starts"))
                    break
        if problems:
            raise InvalidEditError(problems)

    def _current_fields(self, rows: I64, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
        ev = self.document.events
        out = []
        for row in rows.tolist():
            values: dict[str, Any] = {}
            for name in fields:
                if name == "start":
                    values[name] = _start(self.store, row)
                elif name == "end":
                    values[name] = _end(self.store, row)
                elif name == "status":
                    values[name] = str(
                        STATUS_CATEGORIES.categories[int(self.store.status_codes[row])]
                    )
                elif name == "attributes":
                    values[name] = ev["attributes"].iat[row] or {}
                else:
                    values[name] = str(ev[name].iat[row])
            out.append(values)
        return out

    def _write_fields(self, rows: I64, values: list[dict[str, Any]]) -> None:
        """Write per-row field values into a new events table (the old one is left as
        it was: snapshots and undo records may hold it) and patch the indexes."""
        s = self.store
        doc = self.document
        events = doc.events.copy(deep=False)
        names = set().union(*[set(v) for v in values]) if values else set()
        for name in names:
            if name in ("start", "end"):
                continue
            column = events[name].copy()
            picked = [v[name] for v in values]
            if name == "status":
                codes = np.asarray(column.cat.codes.to_numpy(), dtype=np.int8).copy()
                new = np.asarray([STATUS_CATEGORIES.categories.get_loc(x) for x in picked], np.int8)
                codes[rows] = new
                events[name] = pd.Categorical.from_codes(codes, dtype=STATUS_CATEGORIES)
                s.status_codes[rows] = new
            elif name == "attributes":
                column = column.copy()
                for row, value in zip(rows.tolist(), picked, strict=True):
                    column.iat[row] = dict(value) or None  # type: ignore[assignment]
                events[name] = column
            else:
                column.iloc[rows] = picked
                events[name] = column
        if "start" in names or "end" in names:
            self._write_dates(events, rows, values)
        doc.events = events
        self._after_fields(rows, names)

    def _write_dates(self, events: pd.DataFrame, rows: I64, values: list[dict[str, Any]]) -> None:
        s = self.store
        start = events["start"].to_numpy(np.int64).copy()
        start_prec = events["start_precision"].to_numpy(np.int8).copy()
        end = events["end"].to_numpy(np.int64).copy()
        end_prec = events["end_precision"].to_numpy(np.int8).copy()
        old_lo = s.lo[rows].copy()
        old_hi = s.hi[rows].copy()
        for row, value in zip(rows.tolist(), values, strict=True):
            if "start" in value:
                start[row], start_prec[row] = value["start"].seconds, int(value["start"].precision)
            if "end" in value:
                e = value["end"]
                end[row], end_prec[row] = (
                    (0, NO_END) if e is None else (e.seconds, int(e.precision))
                )
        events["start"], events["start_precision"] = start, start_prec
        events["end"], events["end_precision"] = end, end_prec
        if not self._dates_owned:
            s.lo = np.array(s.lo, dtype=np.int64, copy=True)
            s._end = np.array(s._end, dtype=np.int64, copy=True)
            self._dates_owned = True
        s.lo[rows] = start[rows]
        s._start_prec[rows] = start_prec[rows]
        s._end[rows] = end[rows]
        s._end_prec[rows] = end_prec[rows]
        hi = period_ends(start[rows], start_prec[rows])
        has_end = end_prec[rows] != NO_END
        if has_end.any():
            hi[has_end] = np.maximum(
                hi[has_end], period_ends(end[rows][has_end], end_prec[rows][has_end])
            )
        s.hi = s.hi if s.hi.flags.writeable and s.hi.base is None else s.hi.copy()
        s.hi[rows] = hi
        s.max_length = max(s.max_length, int((hi - s.lo[rows]).max()))
        self._move_in_orders(rows, old_lo, old_hi)

    def _move_in_orders(self, rows: I64, old_lo: I64, old_hi: I64) -> None:
        """Rows whose dates changed take their new places in every sorted index: the
        store's order by start, each lane they are in, and each cached filter's lanes
        and counts. A memmove of the arrays involved, and one bin per level."""
        s = self.store
        rank = _RowOrder(s, rows)
        rank.move()
        for lane_key in self._lanes_of_rows(rows):
            rank.move_in_lane(lane_key)
        for index in self._filters.values():
            index.order = index.order_lo = None
            index.pages.pop("date", None)
            for key, lane in list(index.lanes.items()):
                for row, lo0, hi0 in zip(
                    rows.tolist(), old_lo.tolist(), old_hi.tolist(), strict=True
                ):
                    at = _find(lane.rows, lane.lo, row, lo0)
                    if at < 0:
                        continue
                    lane.rows = np.delete(lane.rows, at)
                    lane.lo = np.delete(lane.lo, at)
                    lane.starts.remove(lo0)
                    lane.ends.remove(hi0 - 1)
                    lo1, hi1 = int(s.lo[row]), int(s.hi[row])
                    put = _place(lane.rows, lane.lo, row, lo1)
                    lane.rows = np.insert(lane.rows, put, row)
                    lane.lo = np.insert(lane.lo, put, lo1)
                    lane.starts.add(lo1)
                    lane.ends.add(hi1 - 1)
                    lane.max_len = max(lane.max_len, hi1 - lo1)
                    index.lanes[key] = lane
        self._perms.pop("date", None)
        self._sort_keys.pop("date", None)

    def _lanes_of_rows(self, rows: I64) -> list[int]:
        keys: set[int] = set()
        for row in rows.tolist():
            keys.update(int(k) for k in self.lanes_of(row).tolist())
        return sorted(keys)

    def _after_fields(self, rows: I64, names: set[str]) -> None:
        """Drop what the changed fields invalidate: searches and sorts over them, and
        cached filters that depend on them (rebuilt when next asked)."""
        s = self.store
        cache = s.__dict__.get("_factor_cache", {})
        for name in ("title", "summary"):
            if name in names:
                cache.pop(name, None)
        if "title" in names:
            self._sort_keys.pop("title", None)
            self._perms.pop("title", None)
        if "status" in names:
            self._sort_keys.pop("status", None)
            self._perms.pop("status", None)
        if names & {"start", "end"}:
            s.__dict__.pop("known_at", None)
        for flt in list(self._filters):
            depends = (
                (flt.text.strip() and names & {"title", "summary"})
                or (flt.statuses is not None and "status" in names)
                or (
                    (flt.window is not None or flt.known_by is not None)
                    and names & {"start", "end"}
                )
            )
            if depends:
                del self._filters[flt]
            else:
                pages = self._filters[flt].pages
                for sort in ("title", "status"):
                    if sort in names:
                        pages.pop(sort, None)

    def _field_change(self, rows: I64, fields: Mapping[str, Any]) -> Change:
        return Change(
            tables={"events": TableChange(updated=np.unique(rows))}, columns=frozenset(fields)
        )

    def _structural(self, edit: legacy.Edit, change: Change) -> EditOp:
        """Edits that add, delete or relink: applied to the tables, then reindexed."""
        doc = self.document
        try:
            edit.apply(doc)
        except legacy.EditError as exc:
            raise InvalidEditError([Problem("", str(exc))]) from None
        self._reindex()
        self._notify(change)

        def undo() -> Change:
            edit.undo(doc)
            self._reindex()
            return _inverse(change)

        def redo() -> Change:
            edit.apply(doc)
            self._reindex()
            return change

        return _Undo(undo=undo, redo=redo, text=edit.text)

    def _reindex(self) -> None:
        self.store.reindex()
        self._reset_indexes()


# --- helpers --------------------------------------------------------------------------


def _texts(column: pd.Series) -> tuple[str, ...]:
    return tuple(str(v) for v in column.astype("str").tolist())


def _every_table() -> dict[str, TableChange]:
    return {}


def _rank(values: pd.Series) -> tuple[I64, list[str]]:
    """Each value's rank among the sorted distinct values (equal values, equal rank)."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _rank_through(names: pd.Series, refs: I64) -> tuple[I64, list[str]]:
    """Rank of the name each row refers to (-1: none, which ranks as "")."""
    labels = [str(v) for v in names.tolist()] + [""]
    distinct = sorted(set(labels))
    position = {v: i for i, v in enumerate(distinct)}
    lookup = np.asarray([position[v] for v in labels], dtype=np.int64)
    return lookup[np.where(refs >= 0, refs, len(labels) - 1)], distinct


def _search_keys(keys: I64, rows: I64, code: int, side: str) -> int:
    """Bisect `rows` (sorted by keys[row]) for `code`, reading only log(n) keys."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        value = int(keys[rows[mid]])
        if value < code or (side == "right" and value == code):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _start(store: EventStore, row: int) -> DatedValue:
    return DatedValue(int(store.lo[row]), Precision(int(store._start_prec[row])))


def _end(store: EventStore, row: int) -> DatedValue | None:
    prec = int(store._end_prec[row])
    return None if prec == NO_END else DatedValue(int(store._end[row]), Precision(prec))


_EVENT_TABLES: Final = ("events", "links", "event_sources", "event_themes", "figures")


def _inverse(change: Change) -> Change:
    """The change that undoing `change` makes: insertions become removals."""
    tables = {
        name: TableChange(inserted=t.removed, removed=t.inserted, updated=t.updated)
        for name, t in change.tables.items()
    }
    return replace(
        change,
        tables=tables,
        renumbered=change.renumbered or any(len(t.removed) for t in tables.values()),
    )


def _same_figures(a: list[FigureRef], b: list[FigureRef]) -> bool:
    def norm(f: FigureRef) -> tuple[Any, ...]:
        return (f.text, None if np.isnan(f.quantity) else f.quantity, f.unit, f.qualifier, f.label)

    return [norm(f) for f in a] == [norm(f) for f in b]


def _find(rows: I64, lo: I64, row: int, value: int) -> int:
    """Where `row` (with start `value`) sits in a lane ordered by (lo, row), or -1."""
    first = int(np.searchsorted(lo, value, side="left"))
    last = int(np.searchsorted(lo, value, side="right"))
    at = first + int(np.searchsorted(rows[first:last], row))
    return at if at < last and int(rows[at]) == row else -1


def _place(rows: I64, lo: I64, row: int, value: int) -> int:
    first = int(np.searchsorted(lo, value, side="left"))
    last = int(np.searchsorted(lo, value, side="right"))
    return first + int(np.searchsorted(rows[first:last], row))


class _RowOrder:
    """Moves rows within the store's own sorted indexes after their starts changed."""

    def __init__(self, store: EventStore, rows: I64) -> None:
        self.store = store
        self.rows = rows

    def move(self) -> None:
        s = self.store
        s.order = self._moved(s.order)
        if len(s._unlinked) and np.isin(self.rows, s._unlinked).any():
            s._unlinked = self._moved(s._unlinked)

    def _moved(self, order: I64) -> I64:
        """`order` (rows by (lo, row)) with the moved rows taken out and put back at
        their new starts: a memmove per row, no sort."""
        s = self.store
        present = self.rows[np.isin(self.rows, order)]
        if not len(present):
            return order
        kept = order[~np.isin(order, present)]
        lo = s.lo[kept]
        for row in present.tolist():
            at = _place(kept, lo, row, int(s.lo[row]))
            kept = np.insert(kept, at, row)
            lo = np.insert(lo, at, s.lo[row])
        return kept

    def move_in_lane(self, key: int) -> None:
        if key == NO_ACTOR:
            return  # the unlinked lane is moved with the store's order
        s = self.store
        a, b = int(s._lane_bounds[key]), int(s._lane_bounds[key + 1])
        # A new array: cached lanes hold views of the old one, in the old order.
        lane_events = s._lane_events.copy()
        lane_events[a:b] = self._moved(s._lane_events[a:b])
        s._lane_events = lane_events
