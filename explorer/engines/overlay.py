"""Editing data that stays read-only: an overlay of the analyst's changes.

The base (a `DuckDBReader` over Parquet) is never written. The first edit of a base
event *takes it over*: its row as the data has it goes into ``originals`` (a small
in-memory backend), a copy into ``current`` (another), and the base answers from then
on as if the row were gone (``base.exclude``). Edits, new events and deletions are
applied to ``current`` by the in-memory backend itself, so an overlay accepts every
`EditOp` that backend accepts and validates exactly as it does; annotations and any
later op ride along when they name their events in ``ids`` or ``replacing``.

Every answer is then the base's (minus what was taken over) merged with current's:
counts add, marks and pages merge in their order, one event is answered by whichever
holds it. An edit costs a few reads of the base for the rows it takes over (found by
position, O(log N)) plus work on the overlay's own rows; the index is never rebuilt.

Keys: a base event keeps its Parquet row number whatever is done to it; new events
take ``n_rows + i`` (i: their place among the overlay's new events, in document
order, as the in-memory backend numbers appended events), so deleting a new event
renumbers the later ones (the Change says so).

Saved as one JSON file (`OverlayFiles.saved`), atomically; after each edit the whole
overlay is also written to `OverlayFiles.unsaved` (replaced in one step, not fsynced:
it survives a killed process, a power cut may lose the last edits), which the next
open reads instead of the saved file and reports as recovered.
"""

from __future__ import annotations

import json
import os
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.engines.memory import MemoryBackend
from explorer.io.atomic import atomic_write_bytes
from explorer.io.native import FORMAT_NAME, document_from_json, document_to_json
from explorer.model.annotations import PutNote, StarEvents, TagEvents
from explorer.model.document import Document
from explorer.model.opening_view import opening_window
from explorer.model.query import (
    ALL,
    NO_ACTOR,
    ActorPairs,
    Change,
    Cursor,
    DeleteEventsOp,
    Density,
    EditOp,
    EntityTable,
    EventRecord,
    Filter,
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
    TableChange,
    TimelineQueries,
    role_pairs,
)
from explorer.model.store import EventStore

I64 = npt.NDArray[np.int64]
OVERLAY_FORMAT: Final = "timeline-explorer-overlay"
OVERLAY_VERSION: Final = 1
_EMPTY = np.zeros(0, dtype=np.int64)
_ENTITY_REFUSED = (
    "deleting or merging an actor, source or theme would rewrite every event of the data "
    "that names it; out of core, only adding and changing them is possible (open the "
    "file in memory with --engine memory to do this)"
)


class OverlayBase(TimelineQueries):
    """Read-only data an overlay can sit on: the questions, plus these."""

    @property
    @abstractmethod
    def n_rows(self) -> int:
        """Rows in the data: their keys are 0 .. n_rows - 1."""

    @abstractmethod
    def exclude(self, keys: I64, originals: TimelineQueries | None) -> None:
        """Answer as if rows `keys` (held as they are by `originals`) were not there."""

    @abstractmethod
    def set_entities(
        self, actors: EntityTable, themes: EntityTable, sources: Sequence[Mapping[str, Any]]
    ) -> None:
        """The overlay's actors, themes and sources (rows of the data's never move)."""

    @abstractmethod
    def opening_sample(self) -> tuple[I64, I64]:
        """(lo, hi) of the rows not excluded (all of them, or a systematic sample of a
        large base): what the opening window is chosen from."""

    @abstractmethod
    def data_identity(self) -> list[list[Any]]:
        """What the data is, as JSON: an overlay saved for other data is not applied."""


@dataclass(frozen=True)
class OverlayFiles:
    """Where an overlay is kept: `saved` (what Save writes) and `unsaved` (the crash
    copy); `beside_data` says whether that is next to the data or the cache."""

    saved: Path
    unsaved: Path
    beside_data: bool


def overlay_files(source: Path, cache_folder: Path) -> OverlayFiles:
    """Beside the data when its folder is writable (``X.parquet.overlay.json``, or
    ``overlay.json`` inside a folder of Parquet files), else in the index's cache
    folder (which is keyed by the data, so it follows the same files)."""
    if source.is_dir():
        beside, parent = source / "overlay.json", source
    else:
        beside, parent = source.with_name(source.name + ".overlay.json"), source.parent
    writable = os.access(parent, os.W_OK) and (not beside.exists() or os.access(beside, os.W_OK))
    saved = beside if writable else cache_folder / "overlay.json"
    return OverlayFiles(
        saved=saved, unsaved=saved.with_name(saved.name + ".unsaved"), beside_data=writable
    )


def native_event(record: EventRecord) -> dict[str, Any]:
    """An event in the native format's shape (what `PutEvent` takes)."""
    return {
        "id": record.id,
        "title": record.title,
        "summary": record.summary,
        "start": record.start.iso(),
        "end": None if record.end is None else record.end.iso(),
        "status": record.status,
        "actors": [{"actor": a.id, "role": a.role} for a in record.actors],
        "sources": [s.id for s in record.sources],
        "themes": [t.id for t in record.themes],
        "figures": [
            {
                "text": f.text,
                "quantity": None if f.quantity != f.quantity else f.quantity,
                "unit": f.unit,
                "qualifier": f.qualifier,
                "label": f.label,
            }
            for f in record.figures
        ],
        "attributes": dict(record.attributes),
    }


def touched_ids(edit: EditOp) -> tuple[str, ...]:
    """The existing events an edit names: ``ids`` and ``replacing``, whatever its type
    (so other modules' ops ride on the overlay when they follow that convention)."""
    out = [str(i) for i in getattr(edit, "ids", ()) or ()]
    for name in ("replacing", "event_id"):  # PutEvent's, PutNote's
        one = getattr(edit, name, None)
        if one is not None:
            out.append(str(one))
    return tuple(dict.fromkeys(out))


def touched_hints(edit: EditOp) -> tuple[int, ...]:
    """Where the caller last saw the events `touched_ids` names (``keys``, or one
    ``key``): hints that make taking them over a read by position."""
    keys = getattr(edit, "keys", None)
    if keys:
        return tuple(int(k) for k in keys)
    key = getattr(edit, "key", None)
    return (int(key),) if isinstance(key, int) else ()


def annotation_ops(record: EventRecord) -> list[EditOp]:
    """The ops that put `record`'s star, tags and notes on an event of that id (what
    a taken-over event brings from the data into the overlay)."""
    ops: list[EditOp] = []
    if record.starred:
        ops.append(StarEvents((record.id,), True))
    ops += [TagEvents((record.id,), tag, True) for tag in record.tags]
    ops += [PutNote(record.id, note.id, note) for note in record.notes]
    return ops


@dataclass(frozen=True)
class _State:
    """What must come back with an undo besides the in-memory backends' own state."""

    origin: I64  # base key of each row of `current` (-1: a new event)


@dataclass(frozen=True)
class _OverlayUndo(EditOp):
    """The inverse of an overlay edit (private to this overlay): the in-memory
    backends' inverses, the row bookkeeping as it was before the edit, how many base
    rows the edit took over (given back), and the edit itself (what redoes it)."""

    steps: tuple[tuple[str, EditOp], ...]
    state: _State
    taken: int
    redo: EditOp
    text: str = "Edit"


class OverlaidQueries(TimelineQueries):
    """`base` (read-only data) with the overlay's edits merged into every answer."""

    def __init__(self, base: OverlayBase, files: OverlayFiles, document: Mapping[str, Any]):
        self.base = base
        self.files = files
        self._listeners: list[Listener] = []
        self._blank = dict(document)  # title and entities: the overlay's empty document
        self.recovered = False  # opened from the crash copy: edits not saved yet
        self.modified = False
        # Set by a window: called after an edit instead of writing the crash copy at
        # once; it must call `write_crash_copy` soon (the window debounces a burst).
        self.defer_crash_copy: Callable[[], None] | None = None
        self._crash_copy_due = False
        self.load_problem = ""  # why a saved overlay was not applied ("" when fine)
        self._reset(self._doc([]), self._doc([]), _EMPTY, _EMPTY)
        self._load()

    # --- state -------------------------------------------------------------------------

    def _doc(self, events: list[dict[str, Any]]) -> Document:
        data = {**self._blank, "format": FORMAT_NAME, "version": 1, "events": events}
        return document_from_json(data, Path("overlay.json"))

    def _reset(self, current: Document, originals: Document, origin: I64, taken: I64) -> None:
        self.cur = MemoryBackend(EventStore(current))
        self.old = MemoryBackend(EventStore(originals))
        self._taken = np.asarray(taken, dtype=np.int64)  # base keys in `old`, in its order
        self._set_origin(np.asarray(origin, dtype=np.int64))
        self.base.exclude(self._taken, self.old)
        self._entities_to_base()

    def _set_origin(self, origin: I64) -> None:
        self._origin = origin
        added = origin < 0
        keys = origin.copy()
        keys[added] = self.base.n_rows + np.arange(int(added.sum()), dtype=np.int64)
        self._g = keys  # global key of each row of `current`
        self._g_order = np.argsort(keys, kind="stable")

    def _entities_to_base(self) -> None:
        sources = document_to_json(Document(sources=self.cur.document.sources))["sources"]
        self.base.set_entities(self.cur.actors(), self.cur.themes(), sources)

    @property
    def n_taken(self) -> int:
        return len(self._taken)

    # --- keys --------------------------------------------------------------------------

    def _local(self, keys: Keys) -> I64:
        """Row in `current` of each global key, or -1."""
        keys = np.asarray(keys, dtype=np.int64)
        if not len(self._g):
            return np.full(len(keys), -1, dtype=np.int64)
        sorted_g = self._g[self._g_order]
        at = np.clip(np.searchsorted(sorted_g, keys), 0, len(sorted_g) - 1)
        hit = sorted_g[at] == keys
        return np.where(hit, self._g_order[at], -1).astype(np.int64)

    def _gone(self, keys: Keys) -> npt.NDArray[np.bool_]:
        """Keys the base must not answer for: taken over (current answers, or deleted)."""
        return np.isin(np.asarray(keys, dtype=np.int64), self._taken)

    def _cur_rows(self, flt: Filter) -> tuple[I64, I64, I64]:
        """(local rows, global keys, lo) of current's events passing `flt`."""
        rows = np.arange(self.cur.event_count(), dtype=np.int64)
        rows = rows[self.cur.passes(flt, rows)] if len(rows) else rows
        lo = self.cur.bounds(rows)[0] if len(rows) else _EMPTY
        return rows, self._g[rows], np.asarray(lo, dtype=np.int64)

    # --- subscriptions and the whole ---------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def event_count(self, flt: Filter = ALL) -> int:
        return self.base.event_count(flt) + self.cur.event_count(flt)

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        spans = [s for s in (self.base.span(flt), self.cur.span(flt)) if s != (0, 0)]
        if not spans:
            return 0, 0
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def opening(self) -> tuple[int, int]:
        lo, hi = self.base.opening_sample()
        rows, _, mine = self._cur_rows(ALL)
        if len(rows):
            lo = np.concatenate([lo, mine])
            hi = np.concatenate([hi, np.asarray(self.cur.bounds(rows)[1], np.int64)])
        return opening_window(lo, hi)

    def title(self) -> str:
        return self.base.title()

    def periods(self) -> pd.DataFrame:
        return self.base.periods()  # periods are not edited out of core

    def actors(self) -> EntityTable:
        return self.cur.actors()

    def themes(self) -> EntityTable:
        return self.cur.themes()

    def sources(self) -> EntityTable:
        return self.cur.sources()

    def lanes(self) -> Lanes:
        actors = self.actors()
        keys = list(range(len(actors)))
        names = list(actors.names)
        nobody = np.asarray([NO_ACTOR], dtype=np.int64)
        if int(self.lane_counts(ALL, nobody)[0]) > 0:
            keys.append(NO_ACTOR)
            names.append("(no actor)")
        return Lanes(keys=np.asarray(keys, dtype=np.int64), names=tuple(names))

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        return self.base.lane_counts(flt, lanes) + self.cur.lane_counts(flt, lanes)

    def actor_counts(self, flt: Filter = ALL) -> Keys:
        return self.base.actor_counts(flt) + self.cur.actor_counts(flt)

    # --- a window ----------------------------------------------------------------------

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        return self.base.window_counts(flt, lanes, t0, t1) + self.cur.window_counts(
            flt, lanes, t0, t1
        )

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        got = self.base.density(flt, lanes, t0, t1, bins)
        if not self.cur.event_count():
            return got
        mine = self.cur.density(flt, lanes, t0, t1, bins)
        return replace(got, counts=got.counts + mine.counts)

    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        got = self.base.marks(flt, lanes, t0, t1, cap)
        if not self.cur.event_count():
            return got
        mine = self.cur.marks(flt, lanes, t0, t1, cap)
        if len(mine.totals) and int(mine.totals.max()) > cap:
            # The overlay's own first `cap` are by its local keys, whose order is not
            # the data's: under ties of lo (a day's events all start at midnight) they
            # would be the wrong ones. Its events in the window, then, all of them.
            mine = self.cur.marks(flt, lanes, t0, t1, int(mine.totals.max()))
        mine = replace(mine, key=self._g[mine.key] if len(mine.key) else mine.key)
        fields: tuple[str, ...] = ("lane", "key", "lo", "hi", "core_lo", "core_hi", "status")
        fields = (*fields, "start_precision", "end_precision", "flags")
        both = {f: np.concatenate([_field(got, f), _field(mine, f)]) for f in fields}
        order = np.lexsort((both["key"], both["lo"], both["lane"]))
        lane = both["lane"][order]
        first = np.searchsorted(lane, lane, side="left")
        pick = order[(np.arange(len(lane)) - first) < cap]
        return Marks(
            lanes=got.lanes,
            totals=got.totals + mine.totals,
            **{f: both[f][pick] for f in fields},
        )

    def tag_counts(self) -> Mapping[str, int]:
        counts = dict(self.base.tag_counts())  # the data's, less what was taken over
        for tag, n in self.cur.tag_counts().items():
            counts[tag] = counts.get(tag, 0) + n
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def undated_count(self, flt: Filter = ALL) -> int:
        return self.base.undated_count(flt) + self.cur.undated_count(flt)

    # --- who with whom, and on whose word -------------------------------------------------

    def actor_pairs(self, flt: Filter = ALL) -> ActorPairs:
        got = self.base.actor_pairs(flt)
        if not self.cur.event_count():
            return got
        mine = self.cur.actor_pairs(flt)
        shared: dict[tuple[int, int], int] = {}
        roles: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
        for pairs in (got, mine):
            for a, b, n, rs in zip(
                pairs.a.tolist(), pairs.b.tolist(), pairs.events.tolist(), pairs.roles, strict=True
            ):
                shared[(a, b)] = shared.get((a, b), 0) + n
                counts = roles.setdefault((a, b), {})
                for r in rs:
                    counts[(r.role_a, r.role_b)] = counts.get((r.role_a, r.role_b), 0) + r.events
        order = sorted(shared)
        return ActorPairs(
            a=np.asarray([p[0] for p in order], dtype=np.int64),
            b=np.asarray([p[1] for p in order], dtype=np.int64),
            events=np.asarray([shared[p] for p in order], dtype=np.int64),
            roles=tuple(role_pairs(roles[p]) for p in order),
        )

    def independent_sources(self, keys: Keys) -> Keys:
        found = self._split(keys, lambda c, r: c.independent_sources(r).tolist())
        return np.asarray(found, dtype=np.int64)

    def source_counts(self, flt: Filter = ALL) -> SourceCounts:
        got = self.base.source_counts(flt)
        if not self.cur.event_count():
            return got
        mine = self.cur.source_counts(flt)
        return SourceCounts(events=got.events + mine.events, alone=got.alone + mine.alone)

    def titles(self, keys: Keys) -> list[str]:
        local = self._local(keys)
        mine = self.cur.titles(local[local >= 0])
        theirs = self.base.titles(np.asarray(keys, np.int64)[local < 0])
        out, a, b = [], iter(mine), iter(theirs)
        for row in local.tolist():
            out.append(next(a) if row >= 0 else next(b))
        return out

    # --- walking in time ---------------------------------------------------------------

    def _lo_of(self, key: int) -> int:
        return int(self.bounds(np.asarray([key], dtype=np.int64))[0][0])

    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        best = self.base.step(flt, lanes, at, direction)
        rows, keys, lo = self._cur_rows(flt)
        if lanes is not None and len(rows):
            wanted = set(np.asarray(lanes, np.int64).tolist())
            inside = [bool(set(self.cur.lanes_of(int(r)).tolist()) & wanted) for r in rows]
            keys, lo = keys[np.asarray(inside, bool)], lo[np.asarray(inside, bool)]
        here = (int(at[0]), int(at[1]))
        found = [
            (int(a), int(k))
            for a, k in zip(lo.tolist(), keys.tolist(), strict=True)
            if ((a, k) > here if direction > 0 else (a, k) < here)
        ]
        if best >= 0:
            found.append((self._lo_of(best), best))
        if not found:
            return -1
        return (min(found) if direction > 0 else max(found))[1]

    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        candidates = []
        best = self.base.nearest(flt, lane, when)
        mine = self.cur.nearest(flt, lane, when)
        if mine >= 0:
            # current's ties go by its own rows: ask again among those tied, by global key
            rows, keys, lo = self._cur_rows(flt)
            lo_hi = self.cur.bounds(rows)
            for r, k, a, b in zip(rows.tolist(), keys.tolist(), lo, lo_hi[1], strict=True):
                if lane in self.cur.lanes_of(int(r)).tolist():
                    candidates.append((abs((int(a) + int(b)) // 2 - when), int(a), int(k)))
        if best >= 0:
            lo, hi = self.base.bounds(np.asarray([best], np.int64))
            candidates.append((abs((int(lo[0]) + int(hi[0])) // 2 - when), int(lo[0]), best))
        return min(candidates)[2] if candidates else -1

    def first_title_match(self, flt: Filter) -> int:
        needle = flt.text.strip().lower()
        if not needle:
            return -1
        found = []
        best = self.base.first_title_match(flt)
        if best >= 0:
            found.append((self._lo_of(best), best))
        rows, keys, lo = self._cur_rows(flt)
        for title, k, a in zip(self.cur.titles(rows), keys.tolist(), lo.tolist(), strict=True):
            if needle in title.lower():
                found.append((int(a), int(k)))
        return min(found)[1] if found else -1

    # --- the table -----------------------------------------------------------------------

    def _cur_sorted(self, flt: Filter, sort: SortColumn, descending: bool) -> list[Any]:
        """current's rows passing `flt` as (value, key), in the table's order."""
        rows, keys, _ = self._cur_rows(flt)
        values = self.cur.sort_values(sort, rows)
        return sorted(zip(values, keys.tolist(), strict=True), reverse=descending)

    @staticmethod
    def _after(entry: tuple[Any, int], cursor: Cursor | None, descending: bool) -> bool:
        if cursor is None:
            return True
        mark = (cursor.value, cursor.key)
        return entry < mark if descending else entry > mark

    def _merge(
        self, base_page: Page, mine: list[Any], limit: int, sort: SortColumn, descending: bool
    ) -> list[tuple[Any, int]]:
        theirs = list(
            zip(
                self.base.sort_values(sort, base_page.keys),
                base_page.keys.tolist(),
                strict=True,
            )
        )
        rows = sorted([*theirs, *mine], reverse=descending)
        return rows[: limit + 1] if base_page.next is None else _until(rows, base_page, limit)

    def page(
        self, flt: Filter, sort: SortColumn, descending: bool, after: Cursor | None, limit: int
    ) -> Page:
        got = self.base.page(flt, sort, descending, after, limit)
        if not self.cur.event_count():
            return got
        every = self._cur_sorted(flt, sort, descending)
        mine = [e for e in every if self._after(e, after, descending)]
        before = got.first_ordinal + (len(every) - len(mine))
        rows = self._merge(got, mine[: limit + 1], limit, sort, descending)
        return _page(rows, limit, before, self.event_count(flt))

    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        if not self.cur.event_count():
            return self.base.page_at(flt, sort, descending, ordinal, limit)
        ordinal = max(int(ordinal), 0)
        every = self._cur_sorted(flt, sort, descending)
        # j: how many of current's rows come before position `ordinal` of the whole
        # order (row j's place is j plus the base rows before it: increasing in j).
        lo, hi = 0, len(every)
        while lo < hi:
            mid = (lo + hi) // 2
            value, key = every[mid]
            if mid + self._base_before(flt, sort, descending, value, key) < ordinal:
                lo = mid + 1
            else:
                hi = mid
        got = self.base.page_at(flt, sort, descending, ordinal - lo, limit)
        rows = self._merge(got, every[lo : lo + limit + 1], limit, sort, descending)
        return _page(rows, limit, ordinal, self.event_count(flt))

    def _base_before(
        self, flt: Filter, sort: SortColumn, descending: bool, value: Any, key: int
    ) -> int:
        """Base rows before (value, key) in the order: the ordinal a page after it
        would start at."""
        return self.base.page(flt, sort, descending, Cursor(value, key), 0).first_ordinal

    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        key = int(key)
        local = int(self._local(np.asarray([key]))[0])
        every = self._cur_sorted(flt, sort, descending) if self.cur.event_count() else []
        if local >= 0:
            if not bool(self.cur.passes(flt, np.asarray([local]))[0]):
                return -1
            value = self.cur.sort_values(sort, np.asarray([local]))[0]
            return every.index((value, key)) + self._base_before(flt, sort, descending, value, key)
        if bool(self._gone(np.asarray([key]))[0]):
            return -1
        at = self.base.ordinal_of(flt, sort, descending, key)
        if at < 0 or not every:
            return at
        value = self.base.sort_values(sort, np.asarray([key]))[0]
        mark = (value, key)
        return at + sum(1 for e in every if (e > mark if descending else e < mark))

    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        return self._split(keys, lambda c, r: c.sort_values(sort, r))

    def _split(self, keys: Keys, ask: Callable[[TimelineQueries, I64], list[Any]]) -> list[Any]:
        """Answer per key from current (rows it holds) or the base (the others)."""
        keys = np.asarray(keys, dtype=np.int64)
        local = self._local(keys)
        mine = iter(ask(self.cur, local[local >= 0]) if (local >= 0).any() else [])
        theirs = iter(ask(self.base, keys[local < 0]) if (local < 0).any() else [])
        return [next(mine) if row >= 0 else next(theirs) for row in local.tolist()]

    # --- one event -----------------------------------------------------------------------

    def record(self, key: int) -> EventRecord:
        key = int(key)
        local = int(self._local(np.asarray([key]))[0])
        if local >= 0:
            return replace(self.cur.record(local), key=key)
        if bool(self._gone(np.asarray([key]))[0]):
            raise KeyError(key)
        return self.base.record(key)

    def key_of(self, event_id: str) -> int:
        local = self.cur.key_of(event_id)
        if local >= 0:
            return int(self._g[local])
        key = self.base.key_of(event_id)
        return -1 if key < 0 or bool(self._gone(np.asarray([key]))[0]) else key

    def event_ids(self, keys: Keys) -> list[str]:
        return self._split(keys, lambda c, r: c.event_ids(r))

    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        pairs = self._split(
            keys, lambda c, r: list(zip(*(b.tolist() for b in c.bounds(r)), strict=True))
        )
        lo = np.asarray([p[0] for p in pairs], dtype=np.int64)
        hi = np.asarray([p[1] for p in pairs], dtype=np.int64)
        return lo, hi

    def lanes_of(self, key: int) -> Keys:
        local = int(self._local(np.asarray([int(key)]))[0])
        return self.cur.lanes_of(local) if local >= 0 else self.base.lanes_of(key)

    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        keys = np.asarray(keys, dtype=np.int64)
        local = self._local(keys)
        out = np.zeros(len(keys), dtype=bool)
        if (local >= 0).any():
            out[local >= 0] = self.cur.passes(flt, local[local >= 0])
        theirs = (local < 0) & ~self._gone(keys)
        if theirs.any():
            out[theirs] = self.base.passes(flt, keys[theirs])
        return out

    # --- editing -----------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        return True

    def edit_overlay(self) -> OverlaidQueries:
        return self

    @property
    def location(self) -> Path:
        return self.files.saved

    def context(self) -> Document:
        return self.cur.document

    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        return self.cur.validate_event(record, replacing) + self._taken_id(record, replacing)

    def _taken_id(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        """The id of a new (or renamed) event must not be one of the data's events."""
        ident = str(record.get("id") or "").strip() if isinstance(record, Mapping) else ""
        if ident and ident != replacing and self.cur.key_of(ident) < 0 and self.key_of(ident) >= 0:
            return [Problem("id", f"an event with id {ident!r} already exists")]
        return []

    def apply(self, edit: EditOp) -> EditOp:
        if isinstance(edit, _OverlayUndo):
            return self._replay(edit)
        if isinstance(edit, MergeActorsOp) or (isinstance(edit, PutEntity) and edit.record is None):
            raise InvalidEditError([Problem("", _ENTITY_REFUSED)])
        if isinstance(edit, PutEntity):
            return self._entity(edit)
        if isinstance(edit, PutEvent) and edit.replacing is None:
            ident = str(edit.record.get("id") or "").strip()
            if ident and self.cur.key_of(ident) < 0 and self.key_of(ident) >= 0:
                raise InvalidEditError(
                    [Problem("id", f"an event with id {ident!r} already exists")]
                )
        taken = self._take_over(touched_ids(edit), touched_hints(edit))
        before = _State(self._origin.copy())
        changes: list[Change] = []
        stop = self.cur.subscribe(changes.append)
        try:
            inverse = self.cur.apply(edit)
        except BaseException:
            self._release(taken)  # refused: nothing changed, nothing taken
            raise
        finally:
            stop()
        old_g = self._g
        self._set_origin(_moved(self._origin, changes))
        self._announce(_translate(changes, old_g, self._g))
        return _OverlayUndo(
            steps=(("cur", inverse),), state=before, taken=taken, redo=edit, text=edit.text
        )

    def _take_over(self, ids: tuple[str, ...], hints: tuple[int, ...]) -> int:
        """Base events the edit names become overlay rows (their data copied, at the
        end of both in-memory backends). Returns how many."""
        wanted: list[int] = []
        records = []
        found_records: list[EventRecord] = []
        for i, ident in enumerate(ids):
            if self.cur.key_of(ident) >= 0:
                continue
            hint = hints[i] if i < len(hints) else -1
            found = None
            if 0 <= hint < self.base.n_rows and not bool(self._gone(np.asarray([hint]))[0]):
                found = self.base.record(hint)  # one read by position, O(log N)
            if found is None or found.id != ident:
                key = self.key_of(ident)  # no usable hint: a scan of the ids
                if key < 0:
                    raise InvalidEditError([Problem("id", f"no event with id {ident!r}")])
                found = self.base.record(key)
            wanted.append(found.key)
            records.append(native_event(found))
            found_records.append(found)
        if not wanted:
            return 0
        for backend in (self.old, self.cur):
            for record, found_record in zip(records, found_records, strict=True):
                backend.apply(PutEvent(record))
                for op in annotation_ops(found_record):
                    backend.apply(op)
        self._taken = np.concatenate([self._taken, np.asarray(wanted, dtype=np.int64)])
        self._set_origin(np.concatenate([self._origin, np.asarray(wanted, dtype=np.int64)]))
        self.base.exclude(self._taken, self.old)
        return len(wanted)

    def _release(self, count: int) -> None:
        """Give the last `count` taken-over rows back to the base (an undo, or a
        refused edit): they are the last rows of both in-memory backends again."""
        if count <= 0:
            return
        for backend in (self.cur, self.old):
            n = backend.event_count()
            ids = backend.event_ids(np.arange(n - count, n, dtype=np.int64))
            backend.apply(DeleteEventsOp(tuple(ids)))
        self._taken = self._taken[:-count]
        self._set_origin(self._origin[:-count])
        self.base.exclude(self._taken, self.old)

    def _entity(self, edit: PutEntity) -> EditOp:
        before = _State(self._origin.copy())
        changes: list[Change] = []
        stop = self.cur.subscribe(changes.append)
        try:
            inverse = self.cur.apply(edit)
        finally:
            stop()
        inverse_old = self.old.apply(edit)
        self._entities_to_base()
        self.base.exclude(self._taken, self.old)  # originals' entity rows changed too
        self._announce(_translate(changes, self._g, self._g))
        return _OverlayUndo(
            steps=(("cur", inverse), ("old", inverse_old)),
            state=before,
            taken=0,
            redo=edit,
            text=edit.text,
        )

    def _replay(self, edit: _OverlayUndo) -> EditOp:
        """Undo: the in-memory inverses, the bookkeeping as it was, the rows the edit
        took over given back. Returns the edit itself (applying it redoes it)."""
        changes: list[Change] = []
        stop = self.cur.subscribe(changes.append)
        try:
            for which, op in edit.steps:
                (self.cur if which == "cur" else self.old).apply(op)
        finally:
            stop()
        old_g = self._g
        self._set_origin(edit.state.origin.copy())
        change = _translate(changes, old_g, self._g)  # keys of given-back rows stay
        self._release(edit.taken)
        if any(which == "old" for which, _ in edit.steps):
            self._entities_to_base()
            self.base.exclude(self._taken, self.old)
        self._announce(change)
        return edit.redo

    def _announce(self, change: Change) -> None:
        """The crash copy first (the edit is safe; or, in a window, soon after: see
        `defer_crash_copy`), then one Change to every listener."""
        self.modified = True
        self._crash_copy_due = True
        if self.defer_crash_copy is None:
            self.write_crash_copy()
        else:
            self.defer_crash_copy()
        for listener in list(self._listeners):
            listener(change)

    def write_crash_copy(self) -> None:
        """Write the crash copy if edits since the last save, discard or copy need it."""
        if self._crash_copy_due:
            self._crash_copy_due = False
            self._write_unsaved()

    # --- files ---------------------------------------------------------------------------

    def _state_json(self) -> dict[str, Any]:
        return {
            "format": OVERLAY_FORMAT,
            "version": OVERLAY_VERSION,
            "data": self.base.data_identity(),
            "current": document_to_json(self.cur.document),
            "origin": self._origin.tolist(),
            "originals": document_to_json(self.old.document),
            "taken": self._taken.tolist(),
        }

    def _write_unsaved(self) -> None:
        data = json.dumps(self._state_json(), ensure_ascii=False).encode("utf-8")
        path = self.files.unsaved
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        temp.write_bytes(data)
        os.replace(temp, path)

    def save(self) -> Path:
        """Write the overlay atomically (beside the data or in the cache: see
        `files`), and drop the crash copy. Returns the file written."""
        data = json.dumps(self._state_json(), ensure_ascii=False, indent=1).encode("utf-8")
        self.files.saved.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.files.saved, data)
        self.files.unsaved.unlink(missing_ok=True)
        self.modified = self.recovered = self._crash_copy_due = False
        return self.files.saved

    def discard_unsaved(self) -> None:
        """Forget the edits since the last save (the crash copy too): back to the saved
        overlay, or to the bare data."""
        self.files.unsaved.unlink(missing_ok=True)
        self.recovered = self.modified = self._crash_copy_due = False
        self._reset(self._doc([]), self._doc([]), _EMPTY, _EMPTY)
        self._load()
        change = Change(replaced=True)
        for listener in list(self._listeners):
            listener(change)

    def _load(self) -> None:
        for path, recovered in ((self.files.unsaved, True), (self.files.saved, False)):
            if not path.exists():
                continue
            try:
                raw = json.loads(path.read_text("utf-8"))
                if raw.get("format") != OVERLAY_FORMAT or raw.get("version") != OVERLAY_VERSION:
                    raise ValueError("not an overlay this program reads")
                if raw.get("data") != self.base.data_identity():
                    raise ValueError("made for other data (the Parquet files changed since)")
                current = document_from_json(raw["current"], path)
                originals = document_from_json(raw["originals"], path)
                origin = np.asarray(raw["origin"], dtype=np.int64).reshape(-1)
                taken = np.asarray(raw["taken"], dtype=np.int64).reshape(-1)
                if len(origin) != len(current.events) or len(taken) != len(originals.events):
                    raise ValueError("its rows do not add up")
            except Exception as exc:
                self.load_problem = f"{path}: not applied: {exc}"
                continue
            self._blank = {
                "title": raw["current"].get("title", ""),
                **{k: raw["current"].get(k, []) for k in ("actors", "sources", "themes")},
            }
            self._reset(current, originals, origin, taken)
            self.recovered = self.modified = recovered
            return


def _field(marks: Marks, name: str) -> npt.NDArray[Any]:
    """A field of `marks`; flags, which a backend without annotations leaves empty,
    as zeros (one per mark)."""
    value = getattr(marks, name)
    if name == "flags" and len(value) != len(marks):
        return np.zeros(len(marks), dtype=np.uint8)
    return np.asarray(value)


def _until(rows: list[tuple[Any, int]], base_page: Page, limit: int) -> list[tuple[Any, int]]:
    """Merged rows, cut where the base page's knowledge ends (its last row): what
    lies beyond it may have base rows not fetched."""
    last = int(base_page.keys[-1]) if len(base_page.keys) else None
    out = []
    for entry in rows:
        out.append(entry)
        if entry[1] == last:
            break
    return out[: limit + 1]


def _page(rows: list[tuple[Any, int]], limit: int, first: int, total: int) -> Page:
    rows = rows[:limit]
    more = first + len(rows) < total
    keys = np.asarray([int(r[1]) for r in rows], dtype=np.int64)
    nxt = None
    if more and rows:
        value = rows[-1][0]
        nxt = Cursor(value=value if isinstance(value, str) else int(value), key=int(rows[-1][1]))
    return Page(keys=keys, first_ordinal=first, total=total, exact=True, next=nxt)


def _moved(origin: I64, changes: list[Change]) -> I64:
    """The base key of each of current's rows after its Changes: removed rows leave,
    inserted rows are new events (-1)."""
    out = origin
    for change in changes:
        events = change.events
        if len(events.removed):
            out = np.delete(out, np.asarray(events.removed, dtype=np.int64))
        for row in sorted(np.asarray(events.inserted, dtype=np.int64).tolist()):
            out = np.insert(out, row, -1)
    return np.asarray(out, dtype=np.int64)


def _translate(changes: list[Change], old_g: I64, new_g: I64) -> Change:
    """One Change in global keys for current's Changes (local rows: removed ones as
    before the edit, the others as after)."""
    tables: dict[str, TableChange] = {}
    columns: set[str] = set()
    renumbered = False
    for change in changes:
        columns |= set(change.columns)
        renumbered |= change.renumbered
        for name, table in change.tables.items():
            if name in ("actors", "sources", "themes"):
                tables[name] = table
                continue
            tables[name] = TableChange(
                inserted=new_g[np.asarray(table.inserted, np.int64)],
                removed=old_g[np.asarray(table.removed, np.int64)],
                updated=new_g[np.asarray(table.updated, np.int64)],
            )
    replaced = any(c.replaced for c in changes)
    return Change(
        tables=tables, replaced=replaced, renumbered=renumbered, columns=frozenset(columns)
    )


__all__ = [
    "DeleteEventsOp",
    "OverlaidQueries",
    "OverlayFiles",
    "SetEventFields",
    "native_event",
    "overlay_files",
    "touched_ids",
]
