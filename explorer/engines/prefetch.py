"""Frames that never wait for an engine: answer from the last result, fetch on a worker.

A backend whose frame questions (density, marks, window counts) take tens of
milliseconds or more (DuckDB over a hundred million rows, a SQL server) is wrapped in
`PrefetchingQueries`. A frame question whose exact answer is at hand is answered at
once; otherwise the question goes to one worker thread and the caller gets the newest
answer of the same kind that it has (for another window: its edges and times say
where it belongs, so the timeline draws the last frame where it was) until the
worker's answer arrives and `on_ready` asks for a repaint. Only the newest question of
each kind is worth answering: one asked before it and not started yet is dropped, so a
burst of pans costs one query, not one per step.

Everything else (pages, records, counts) is passed straight through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from explorer.model.query import (
    ALL,
    ActorPairs,
    Change,
    Cursor,
    Density,
    EditOp,
    EditOverlay,
    EntityTable,
    EventRecord,
    Filter,
    Keys,
    Lanes,
    Listener,
    Marks,
    Page,
    Problem,
    SortColumn,
    SourceCounts,
    TimelineQueries,
)

Ready = Callable[[], None]
_STALE: Hashable = ("stale",)  # the question of an answer an edit made void
_COUNTS: frozenset[str] = frozenset({"density", "window_counts", "beyond"})
# Event fields no count reads (counts read time, lanes and the filter's own fields).
_COUNT_BLIND: frozenset[str] = frozenset({"status", "title", "summary", "attributes"})


def counts_hold(change: Change, question: Hashable) -> bool:
    """Whether counts asked as `question` (its first part the Filter) are still exact
    after `change`: only fields no count reads changed, on events that stayed, and
    the filter reads none of them (no status, text or annotation filter)."""
    flt = question[0] if isinstance(question, tuple) and question else None
    if not isinstance(flt, Filter) or change.replaced or change.renumbered:
        return False
    if not change.columns or not change.columns <= _COUNT_BLIND:
        return False
    if any(name != "events" for name, table in change.tables.items() if not table.empty):
        return False
    events = change.events
    if len(events.inserted) or len(events.removed):
        return False
    return flt.statuses is None and not flt.text.strip()


def _key(*parts: Any) -> Hashable:
    return tuple(p.tobytes() if isinstance(p, np.ndarray) else p for p in parts)


class PrefetchingQueries(TimelineQueries):
    """`inner`'s answers; frame questions asynchronously (see the module docstring)."""

    def __init__(self, inner: TimelineQueries, on_ready: Ready | None = None) -> None:
        self.inner = inner
        self.on_ready: Ready = on_ready or (lambda: None)
        self._lock = threading.Condition()
        self._answers: dict[str, tuple[Hashable, Any]] = {}  # kind -> (question, answer)
        self._pending: dict[str, tuple[Hashable, Callable[[], Any]]] = {}
        self._stopped = False
        self._busy = False
        self.asked = 0  # questions sent to the engine (for tests and the benchmark)
        self.dropped = 0  # questions superseded before they started
        self._thread = threading.Thread(target=self._work, name="frame-queries", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        self._thread.join(timeout=5)

    # --- the worker -----------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._pending and not self._stopped:
                    self._lock.wait()
                if self._stopped:
                    return
                kind = next(iter(self._pending))
                question, run = self._pending.pop(kind)
                self._busy = True
            try:
                answer = run()
            except Exception:  # a failed frame query leaves the last frame on screen
                answer = None
            with self._lock:
                self._busy = False
                if answer is not None:
                    self._answers[kind] = (question, answer)
                    self.asked += 1
                self._lock.notify_all()
            if answer is not None:
                self.on_ready()

    def _ask(self, kind: str, question: Hashable, run: Callable[[], Any], fallback: Any) -> Any:
        with self._lock:
            have = self._answers.get(kind)
            if have is not None and have[0] == question:
                return have[1]
            if kind in self._pending:
                self.dropped += 1
            self._pending[kind] = (question, run)
            self._lock.notify_all()
            return have[1] if have is not None else fallback

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every question asked so far is answered (tests, export)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending and not self._busy, timeout)

    # --- frame questions ----------------------------------------------------------------

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        question = _key(flt, lanes, t0, t1, bins)
        empty = Density(
            lanes=np.asarray(lanes, np.int64),
            edges=np.asarray([t0, t1], np.int64),
            counts=np.zeros((len(lanes), 1), np.int64),
        )
        return self._ask(  # type: ignore[no-any-return]
            "density",
            question,
            lambda: self.inner.density(flt, lanes, t0, t1, bins),
            empty,
        )

    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        question = _key(flt, lanes, t0, t1, cap)
        z = np.zeros(0, np.int64)
        # No answer yet covers no lane (not "no marks in these lanes"): a view keeps
        # what it last drew there.
        empty = Marks(
            lanes=np.zeros(0, np.int64),
            totals=np.zeros(0, np.int64),
            lane=np.zeros(0, np.int32),
            key=z,
            lo=z,
            hi=z,
            core_lo=z,
            core_hi=z,
            status=np.zeros(0, np.int8),
            start_precision=np.zeros(0, np.int8),
            end_precision=np.zeros(0, np.int8),
        )
        return self._ask(  # type: ignore[no-any-return]
            "marks", question, lambda: self.inner.marks(flt, lanes, t0, t1, cap), empty
        )

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        question = _key(flt, lanes, t0, t1)
        return self._ask(  # type: ignore[no-any-return]
            "window_counts",
            question,
            lambda: self.inner.window_counts(flt, lanes, t0, t1),
            np.zeros(len(lanes), np.int64),
        )

    def beyond(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> tuple[Keys, Keys]:
        question = _key(flt, lanes, t0, t1)
        none = np.zeros(len(lanes), np.int64)
        return self._ask(  # type: ignore[no-any-return]
            "beyond", question, lambda: self.inner.beyond(flt, lanes, t0, t1), (none, none)
        )

    # --- everything else, as the engine answers it ------------------------------------

    def opening(self) -> tuple[int, int]:
        return self.inner.opening()

    def undated_count(self, flt: Filter = ALL) -> int:
        return self.inner.undated_count(flt)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        def forget_and_forward(change: Change) -> None:
            # Void answers stay the fallback: the next frame draws the last one where
            # it was (never a blank frame) while the new one is fetched. Counts that
            # the change cannot move (a status edit, unfiltered) stay exact.
            with self._lock:
                for kind, (question, answer) in list(self._answers.items()):
                    if not (kind in _COUNTS and counts_hold(change, question)):
                        self._answers[kind] = (_STALE, answer)
            listener(change)

        return self.inner.subscribe(forget_and_forward)

    def event_count(self, flt: Filter = ALL) -> int:
        return self.inner.event_count(flt)

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        return self.inner.span(flt)

    def title(self) -> str:
        return self.inner.title()

    def actors(self) -> EntityTable:
        return self.inner.actors()

    def themes(self) -> EntityTable:
        return self.inner.themes()

    def sources(self) -> EntityTable:
        return self.inner.sources()

    def lanes(self) -> Lanes:
        return self.inner.lanes()

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        return self.inner.lane_counts(flt, lanes)

    def actor_counts(self, flt: Filter = ALL) -> Keys:
        return self.inner.actor_counts(flt)

    def titles(self, keys: Keys) -> list[str]:
        return self.inner.titles(keys)

    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        return self.inner.step(flt, lanes, at, direction)

    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        return self.inner.nearest(flt, lane, when)

    def first_title_match(self, flt: Filter) -> int:
        return self.inner.first_title_match(flt)

    def page(
        self, flt: Filter, sort: SortColumn, descending: bool, after: Cursor | None, limit: int
    ) -> Page:
        return self.inner.page(flt, sort, descending, after, limit)

    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        return self.inner.page_at(flt, sort, descending, ordinal, limit)

    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        return self.inner.ordinal_of(flt, sort, descending, key)

    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        return self.inner.sort_values(sort, keys)

    def record(self, key: int) -> EventRecord:
        return self.inner.record(key)

    def key_of(self, event_id: str) -> int:
        return self.inner.key_of(event_id)

    def event_ids(self, keys: Keys) -> list[str]:
        return self.inner.event_ids(keys)

    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        return self.inner.bounds(keys)

    def lanes_of(self, key: int) -> Keys:
        return self.inner.lanes_of(key)

    def passes(self, flt: Filter, keys: Keys) -> np.ndarray:
        return self.inner.passes(flt, keys)

    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        return self.inner.validate_event(record, replacing)

    def apply(self, edit: EditOp) -> EditOp:
        return self.inner.apply(edit)

    @property
    def can_edit(self) -> bool:
        return self.inner.can_edit

    def edit_overlay(self) -> EditOverlay | None:
        return self.inner.edit_overlay()

    # Asked outside frames (panels, tooltips, one layout per frame): straight through,
    # never the interface's generic answers built from one record at a time.
    def periods(self) -> pd.DataFrame:
        return self.inner.periods()

    def actor_pairs(self, flt: Filter = ALL) -> ActorPairs:
        return self.inner.actor_pairs(flt)

    def independent_sources(self, keys: Keys) -> Keys:
        return self.inner.independent_sources(keys)

    def source_counts(self, flt: Filter = ALL) -> SourceCounts:
        return self.inner.source_counts(flt)

    def tag_counts(self) -> Mapping[str, int]:
        return self.inner.tag_counts()
