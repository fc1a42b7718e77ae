"""The questions every view asks of an open document, whatever engine answers them.

Views (timeline, actor panel, event table, detail view, search bar, filters) hold a
`TimelineQueries` and nothing else: no view reads a document table. The in-memory
backend (explorer.model.memory) is the default and the oracle; an out-of-core
backend (DuckDB over Parquet) answers the same questions with the same numbers, and
the backend-equality suite (tests/backends.py) holds them to it.

Conventions every backend follows (a second implementer needs nothing else):

- **Time** is int64 seconds since 1970-01-01 UTC. An event covers ``[lo, hi)``:
  ``lo`` is its start, ``hi`` the end of its last period (a year-precision "2025"
  covers the whole year; see ``explorer.model.document.event_bounds``).
- **Event keys** are int64, opaque to views, stable until a `Change` says otherwise
  (``Change.replaced`` or ``Change.renumbered``); after that a view finds what it
  held by event id (`key_of`). The in-memory backend uses the event's row in its
  table; a backend may use any non-negative int64 (a Parquet row number, an overlay
  id above them). Keys break ties in every order, ascending.
- **Lane keys** are int64: an actor's row in `actors()` (0 .. n_actors-1), or
  `NO_ACTOR` (-1) for the lane of events that name no actor. An event is in the
  lane of every actor it names (once per actor, whatever the number of roles).
- **Filters** are `explorer.model.store.Filter` values, meant exactly as
  ``EventStore.mask`` means them (text: case-insensitive substring of title,
  summary, or the name/kind/posture of an actor, the name of a theme, the
  publisher of a source, an annotation tag or the text of a note; starred, noted,
  tags: the analyst's annotations; window: overlaps ``[t0, t1)``; known_by: earliest dated
  source published at or before it, or, with none, started at or before it;
  sources: backed by one of them; sourcing: independent sources at one of the
  levels of ``explorer.model.sourcing``; together: naming every one of the actors).
- **Arrays** are numpy arrays of the dtypes named on each field (an Arrow array
  converted with ``to_numpy(zero_copy_only=False)`` is fine); text is Python ``str``.
- Answers are values: frozen, never changed afterwards, safe to keep across frames.
- Calls are made from the GUI thread. A backend that needs time answers from a
  cache and may return the last answer it has; that is its business, not the views'.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.model.dates import DatedValue
from explorer.model.periods import empty_periods
from explorer.model.sourcing import independent_counts, publisher_codes, publisher_key
from explorer.model.store import NO_ACTOR, Filter

if TYPE_CHECKING:
    from explorer.model.document import Document

__all__ = [
    "ALL",
    "FLAG_NOTED",
    "FLAG_STARRED",
    "FLAG_TAGGED",
    "NO_ACTOR",
    "SORT_COLUMNS",
    "ActorPairs",
    "ActorRef",
    "Change",
    "Cursor",
    "DeleteEventsOp",
    "Density",
    "EditOp",
    "EditOverlay",
    "EntityTable",
    "EventRecord",
    "FigureRef",
    "Filter",
    "InvalidEditError",
    "Keys",
    "Lanes",
    "Listener",
    "Marks",
    "MergeActorsOp",
    "Note",
    "Page",
    "Problem",
    "PutEntity",
    "PutEvent",
    "RolePair",
    "SetEventFields",
    "SortColumn",
    "SourceCounts",
    "SourceRef",
    "TableChange",
    "ThemeRef",
    "TimelineQueries",
    "density_edges",
    "density_level",
]

Keys = npt.NDArray[np.int64]
ALL: Final = Filter()  # the empty filter: everything

SortColumn = Literal["date", "title", "status", "actors", "sources"]
SORT_COLUMNS: Final[tuple[SortColumn, ...]] = ("date", "title", "status", "actors", "sources")

_EMPTY = np.zeros(0, dtype=np.int64)

# Bits of `Marks.flags`: what the timeline draws a glyph for.
FLAG_STARRED: Final = 1
FLAG_NOTED: Final = 2
FLAG_TAGGED: Final = 4


def _keys(values: Any = ()) -> Keys:
    return np.asarray(values, dtype=np.int64).reshape(-1)


# --- density: the one binning rule every backend shares --------------------------


def density_level(t0: int, t1: int, bins: int) -> int:
    """The power of two (as its exponent L, bin width 2**L seconds) that density
    answers for a window of `bins` columns: the largest not wider than one column.

    Bins are aligned to 0 (the epoch), so coarse levels are sums of fine ones and a
    backend can keep one count table per level, built once, O(N) in all.
    """
    width = max((t1 - t0) // max(bins, 1), 1)
    return max(int(width).bit_length() - 1, 0)


def density_edges(t0: int, t1: int, bins: int) -> Keys:
    """Column edges (bins + 1 of them, non-decreasing): the even split of
    ``[t0, t1)`` into `bins`, each edge floored to a multiple of 2**density_level.
    Strictly increasing unless the window has fewer seconds than columns; a column of
    zero width then counts the events overlapping its instant."""
    step = 1 << density_level(t0, t1, bins)
    n = max(bins, 1)
    if abs(t1 - t0) * n < 2**62 and abs(t0) < 2**62:  # numpy floors as Python does
        k = np.arange(n + 1, dtype=np.int64)
        return np.asarray((t0 + (t1 - t0) * k // n) // step * step, dtype=np.int64)
    # Python ints: (t1 - t0) * k overflows int64 for a window of aeons.
    return np.asarray(
        [(t0 + (t1 - t0) * k // n) // step * step for k in range(n + 1)], dtype=np.int64
    )


# --- answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class EntityTable:
    """A small table (actors, themes, sources) in row order: what menus, chips and
    the actor panel list. Row i of every field describes entity i (its row key)."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # actors, themes: name; sources: publisher, or title when none
    kinds: tuple[str, ...] = ()  # actors: kind; others: ""
    postures: tuple[str, ...] = ()  # actors: posture; others: ""
    colours: tuple[str, ...] = ()  # actors: "#rrggbb" or ""; others: ""
    descriptions: tuple[str, ...] = ()
    # Sources only (empty for actors and themes): title, link and publication date.
    titles: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    published: tuple[DatedValue | None, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, ident: str) -> int:
        """Row of `ident`, or -1."""
        try:
            return self.ids.index(ident)
        except ValueError:
            return -1


@dataclass(frozen=True)
class Lanes:
    """The lanes a document has, in actor order, then `NO_ACTOR` when some event
    names nobody. ``keys[i]`` is the lane key; names are what a header shows."""

    keys: Keys = field(default_factory=lambda: _EMPTY)
    names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class Density:
    """Events per lane per column. ``counts[i, k]`` is the number of events of lane
    ``lanes[i]`` passing the filter whose ``[lo, hi)`` overlaps
    ``[edges[k], edges[k + 1])``, exactly, with edges from `density_edges`."""

    lanes: Keys
    edges: Keys  # int64, len = bins + 1
    counts: npt.NDArray[np.int64]  # shape (len(lanes), bins)


@dataclass(frozen=True)
class Marks:
    """The marks of some lanes in a window, at most `cap` per lane.

    One entry per (lane, event) pair, grouped by lane in the order asked, within a
    lane ordered by (lo, key). A lane with more than `cap` events in the window
    gives its first `cap` in that order; ``totals[i]`` is how many it has in all.
    ``core_lo``/``core_hi`` are the certain part of a span (from the end of its
    start period to the start of its end period); ``core_hi <= core_lo`` when there
    is none (events without an end).
    """

    lanes: Keys  # the lanes asked for, in order
    totals: Keys  # events of each lane overlapping the window (not capped)
    lane: npt.NDArray[np.int32]  # index into `lanes` of each mark
    key: Keys
    lo: Keys
    hi: Keys
    core_lo: Keys
    core_hi: Keys
    status: npt.NDArray[np.int8]  # ClaimStatus.code
    start_precision: npt.NDArray[np.int8]  # Precision value
    end_precision: npt.NDArray[np.int8]  # Precision value, or NO_END (-1)
    # FLAG_* bits per mark (starred, noted, tagged); empty from a backend without
    # annotations (then no mark has any).
    flags: npt.NDArray[np.uint8] = field(default_factory=lambda: np.zeros(0, np.uint8))

    def __len__(self) -> int:
        return len(self.key)

    def of_lane(self, index: int) -> slice:
        """The slice of every field that holds lane `index` (marks are grouped)."""
        lanes = self.lane
        return slice(
            int(np.searchsorted(lanes, index, side="left")),
            int(np.searchsorted(lanes, index, side="right")),
        )


@dataclass(frozen=True)
class Cursor:
    """A position in a sort order: the sort value of a row and its key (the
    tie-break). Pages start strictly after a cursor. ``value`` is int for date and
    status, str for title, actors and sources (see `TimelineQueries.page`)."""

    value: int | str
    key: int


@dataclass(frozen=True)
class Page:
    """Consecutive rows of the table in a sort order.

    ``first_ordinal`` is the position of ``keys[0]`` in the whole order (0-based);
    ``exact`` is False when the backend only estimated it (a lazy table model then
    trusts the rows and treats the ordinal as a scroll hint). ``total`` is the number
    of rows in the filter. ``next`` is the cursor after the last row, None at the end.
    """

    keys: Keys
    first_ordinal: int
    total: int
    exact: bool
    next: Cursor | None


@dataclass(frozen=True)
class RolePair:
    """Roles two actors play on some shared events: ``role_a`` is the first actor's."""

    role_a: str
    role_b: str
    events: int


@dataclass(frozen=True)
class ActorPairs:
    """The edges of the web of actors under a filter: one per pair of actors (rows,
    ``a[i] < b[i]``, sorted by (a, b)) named together on at least one event passing it.
    ``events[i]`` counts those events; ``roles[i]`` the role pairs they play on them
    (an event counts once per distinct role pair), by count descending, then roles."""

    a: Keys = field(default_factory=lambda: _EMPTY)
    b: Keys = field(default_factory=lambda: _EMPTY)
    events: Keys = field(default_factory=lambda: _EMPTY)
    roles: tuple[tuple[RolePair, ...], ...] = ()

    def __len__(self) -> int:
        return len(self.a)


@dataclass(frozen=True)
class SourceCounts:
    """Per source row: the events passing a filter it backs, and how many of those
    rest on its publisher alone (single-sourced events, see explorer.model.sourcing)."""

    events: Keys
    alone: Keys


@dataclass(frozen=True)
class ActorRef:
    row: int  # actor row (lane key)
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class SourceRef:
    row: int
    id: str
    publisher: str
    title: str
    url: str
    published: DatedValue | None


@dataclass(frozen=True)
class ThemeRef:
    row: int
    id: str
    name: str


@dataclass(frozen=True)
class FigureRef:
    text: str
    quantity: float  # NaN when the figure has no number
    unit: str
    qualifier: str
    label: str


@dataclass(frozen=True)
class Note:
    """One note on an event (explorer.model.annotations): who wrote it, when (UTC
    seconds), plain text; `id` tells notes of one event apart."""

    id: str
    author: str
    time: int
    text: str


@dataclass(frozen=True)
class EventRecord:
    """One event in full: what the detail view, tooltips and the edit form show.
    Links are in the document's order (the file's order)."""

    key: int
    id: str
    title: str
    summary: str
    start: DatedValue
    end: DatedValue | None
    lo: int
    hi: int
    status: str
    attributes: Mapping[str, Any]
    actors: tuple[ActorRef, ...]
    sources: tuple[SourceRef, ...]
    themes: tuple[ThemeRef, ...]
    figures: tuple[FigureRef, ...]
    known_at: int  # when it became known (see Filter.known_by)
    # The analyst's annotations (explorer.model.annotations): tags sorted, notes by time.
    starred: bool = False
    tags: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Why an edit was refused: the record field at fault (``"start"``, ``"end"``,
    ``"status"``, ``"actors[2].id"``, ``"id"``...; ``""`` for the record as a whole)
    and a sentence for the user. Dialogs map the field to their widget."""

    field: str
    reason: str


@dataclass(frozen=True)
class TableChange:
    """What one edit did to one table.

    For ``events``, values are event keys: `removed` as they were before the edit,
    `inserted` and `updated` as they are after it. For ``actors``, ``sources`` and
    ``themes``, values are their rows, the same way. For the tables that hang off an
    event (``links``, ``event_sources``, ``event_themes``, ``figures``) the values
    are the keys of the events whose rows there changed (their own rows have no
    identity any view uses).
    """

    inserted: Keys = field(default_factory=lambda: _EMPTY)
    removed: Keys = field(default_factory=lambda: _EMPTY)
    updated: Keys = field(default_factory=lambda: _EMPTY)

    @property
    def empty(self) -> bool:
        return not (len(self.inserted) or len(self.removed) or len(self.updated))


@dataclass(frozen=True)
class Change:
    """One notification per edit (or per document replaced), saying what changed.

    ``replaced``: another document (or a reload); every key is void, views start over.
    ``renumbered``: the same document, but event keys may have moved (an event
    deleted from a densely numbered table); views re-find what they hold by id.
    ``columns``: for updated events, the event fields that changed (``"status"``,
    ``"title"``, ``"summary"``, ``"start"``, ``"end"``, ``"attributes"``), so a view
    whose answer does not depend on them can skip its refresh.
    """

    tables: Mapping[str, TableChange] = field(default_factory=dict)
    replaced: bool = False
    renumbered: bool = False
    columns: frozenset[str] = frozenset()

    def table(self, name: str) -> TableChange:
        return self.tables.get(name, TableChange())

    @property
    def events(self) -> TableChange:
        return self.table("events")

    def touches(self, *tables: str) -> bool:
        """Did the change reach any of `tables` (always True when replaced)?"""
        return self.replaced or any(not self.table(t).empty for t in tables)


Listener = Callable[[Change], None]


# --- the questions --------------------------------------------------------------------


class TimelineQueries(ABC):
    """Everything a view may ask of an open document. See the module docstring for
    keys, time, filters and arrays; each method says what it answers."""

    # --- subscriptions ------------------------------------------------------------

    @abstractmethod
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(change)` once after every edit or replacement, after the
        backend's own indexes are current. Returns a function that unsubscribes."""

    # --- the whole -----------------------------------------------------------------

    @abstractmethod
    def event_count(self, flt: Filter = ALL) -> int:
        """Number of events passing `flt`."""

    @abstractmethod
    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        """(min lo, max hi) over events passing `flt`; (0, 0) when there are none."""

    def opening(self) -> tuple[int, int]:
        """[start, end) seconds a window opens on: where the events are (see
        `explorer.model.opening_view`); the whole span unless a backend knows better."""
        return self.span()

    @abstractmethod
    def title(self) -> str:
        """The document's title."""

    @abstractmethod
    def actors(self) -> EntityTable:
        """Every actor, in row order (row = lane key)."""

    @abstractmethod
    def themes(self) -> EntityTable:
        """Every theme, in row order."""

    @abstractmethod
    def sources(self) -> EntityTable:
        """Every source, in row order (names: publisher, or title when no publisher)."""

    def periods(self) -> pd.DataFrame:
        """The document's periods (explorer.model.periods: a few rows, drawn behind the
        lanes); none unless the backend has some."""
        return empty_periods()

    @abstractmethod
    def lanes(self) -> Lanes:
        """Every lane: each actor in row order, then `NO_ACTOR` ("(no actor)") when
        at least one event names no actor."""

    @abstractmethod
    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        """Events passing `flt` in each of `lanes` (int64, aligned with `lanes`)."""

    @abstractmethod
    def actor_counts(self, flt: Filter = ALL) -> Keys:
        """Events passing `flt` that name each actor, one int64 per actor row."""

    # --- a window of time ------------------------------------------------------------

    @abstractmethod
    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        """Events passing `flt` of each of `lanes` overlapping ``[t0, t1)``, exactly
        (what the timeline needs to choose between marks and density)."""

    @abstractmethod
    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        """Counts per lane per column for `bins` columns over ``[t0, t1)``, with the
        columns' edges from `density_edges` (snapped to a power-of-two grid so the
        answer can come from precomputed counts; see `Density` for the meaning).
        Costs follow ``len(lanes) * bins``, not the number of events."""

    @abstractmethod
    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        """The events passing `flt` of each of `lanes` that overlap ``[t0, t1)``,
        at most `cap` per lane (see `Marks` for order and fields)."""

    def tag_counts(self) -> Mapping[str, int]:
        """Every annotation tag and how many events carry it, most used first (what
        the quick-tag palette and the tag filter list). A backend that keeps no
        annotations answers {} and refuses annotation filters and edits."""
        return {}

    def beyond(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> tuple[Keys, Keys]:
        """Events passing `flt` of each of `lanes` wholly before the window (hi <= t0)
        and wholly after it (lo >= t1): what a lane's edge tags count. Derived from
        `lane_counts` and `window_counts`; a backend may answer it more directly."""
        lanes = _keys(lanes)
        total = self.lane_counts(flt, lanes)
        started = self.window_counts(flt, lanes, -(2**62), t1)  # lo < t1
        overlapping = self.window_counts(flt, lanes, t0, t1)
        return np.asarray(started - overlapping, np.int64), np.asarray(total - started, np.int64)

    @abstractmethod
    def undated_count(self, flt: Filter = ALL) -> int:
        """Events passing `flt` that rest on no dated source (their known date is
        unknown: the "known by" filter keeps or leaves them out as the user chose)."""

    @abstractmethod
    def titles(self, keys: Keys) -> list[str]:
        """Titles of `keys`, in order (labels for the few marks with room for one)."""

    # --- who with whom, and on whose word -----------------------------------------------
    # Not abstract: a backend that does not answer these itself gets a correct, slow
    # answer built from `page` and `record` (the fast backends override them).

    def actor_pairs(self, flt: Filter = ALL) -> ActorPairs:
        """The web of actors: pairs named together on events passing `flt`."""
        found: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
        shared: dict[tuple[int, int], int] = {}
        for key in _every_key(self, flt):
            refs = [r for r in self.record(key).actors if r.row >= 0]
            seen_pairs: set[tuple[int, int]] = set()
            seen_roles: set[tuple[int, int, str, str]] = set()
            for x in refs:
                for y in refs:
                    if x.row < y.row:
                        seen_pairs.add((x.row, y.row))
                        seen_roles.add((x.row, y.row, x.role, y.role))
            for pair in seen_pairs:
                shared[pair] = shared.get(pair, 0) + 1
            for a, b, ra, rb in seen_roles:
                roles = found.setdefault((a, b), {})
                roles[(ra, rb)] = roles.get((ra, rb), 0) + 1
        pairs = sorted(shared)
        return ActorPairs(
            a=_keys([p[0] for p in pairs]),
            b=_keys([p[1] for p in pairs]),
            events=_keys([shared[p] for p in pairs]),
            roles=tuple(role_pairs(found[p]) for p in pairs),
        )

    def independent_sources(self, keys: Keys) -> Keys:
        """Independent sources (distinct publishers, explorer.model.sourcing) of `keys`."""
        out = []
        for key in np.asarray(keys, dtype=np.int64).tolist():
            refs = self.record(int(key)).sources
            codes = publisher_codes([r.publisher for r in refs], [r.url for r in refs])
            n = len(refs)
            out.append(int(independent_counts(np.zeros(n, np.int64), np.arange(n), codes, 1)[0]))
        return _keys(out)

    def source_counts(self, flt: Filter = ALL) -> SourceCounts:
        """Events passing `flt` each source backs, and those resting on it alone."""
        n = len(self.sources())
        events = np.zeros(n, dtype=np.int64)
        alone = np.zeros(n, dtype=np.int64)
        for key in _every_key(self, flt):
            refs = [r for r in self.record(key).sources if r.row >= 0]
            rows = sorted({r.row for r in refs})
            events[rows] += 1
            known = {publisher_key(r.publisher, r.url) for r in refs} - {""}
            if len(known) <= 1:
                for r in refs:
                    if publisher_key(r.publisher, r.url) or not known:
                        alone[r.row] += 1
        return SourceCounts(events, alone)

    # --- walking in time -------------------------------------------------------------

    @abstractmethod
    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        """The next (direction=+1) or previous (-1) event passing `flt` in (lo, key)
        order strictly after/before position ``at = (lo, key)`` (use key -1 with a
        time to start from that time: +1 then finds the first event with lo >= time,
        -1 the last with lo < time). `lanes`, when given, keeps only events in one
        of them. Returns its key, or -1 when there is none (views wrap by asking
        again from the other end: ``(-2**63, -1)`` or ``(2**63 - 1, 2**63 - 1)``)."""

    @abstractmethod
    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        """The event of `lane` passing `flt` whose middle ``(lo + hi) // 2`` is
        nearest to `when` (ties: earlier lo, then smaller key); -1 if none."""

    @abstractmethod
    def first_title_match(self, flt: Filter) -> int:
        """The first event in (lo, key) order passing `flt` whose *title* contains
        ``flt.text`` (case-insensitive); -1 if none. Where the search's first Enter
        lands: a title hit is what the user is looking for."""

    # --- the table ---------------------------------------------------------------------

    @abstractmethod
    def page(
        self,
        flt: Filter,
        sort: SortColumn,
        descending: bool,
        after: Cursor | None,
        limit: int,
    ) -> Page:
        """Up to `limit` events passing `flt` in the order of `sort`, strictly after
        `after` (from the start when None). Keyset, not offset.

        Orders (ascending; `descending` reverses the whole order, tie-break included):
        ``date``: lo; ``title``: ``title.lower()``; ``status``: ClaimStatus.code;
        ``actors``: ``name.lower()`` of the event's first actor in link order ("" when
        none); ``sources``: publisher, or title when the publisher is empty,
        ``.lower()``, of its first source ("" when none). Ties by key. The cursor's
        value is that sort value.
        """

    @abstractmethod
    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        """The page starting at position `ordinal` of the same order (what a lazy
        table model asks when the user drags the scroll bar). A backend may answer
        approximately (a page near `ordinal`, ``exact=False``, with its estimated
        ``first_ordinal``); the in-memory backend is exact."""

    @abstractmethod
    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        """Position of event `key` in that order, or -1 if it does not pass `flt`
        (the table scrolls to the selection with it)."""

    @abstractmethod
    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        """The sort value of each of `keys` for `sort` (as `page` defines it)."""

    # --- one event -------------------------------------------------------------------

    @abstractmethod
    def record(self, key: int) -> EventRecord:
        """Event `key` in full; KeyError if there is no such event."""

    @abstractmethod
    def key_of(self, event_id: str) -> int:
        """The key of the event with this id, or -1."""

    @abstractmethod
    def event_ids(self, keys: Keys) -> list[str]:
        """Ids of `keys`, in order."""

    @abstractmethod
    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        """(lo, hi) of each of `keys`."""

    @abstractmethod
    def lanes_of(self, key: int) -> Keys:
        """Lane keys the event is drawn in (its actors in link order, deduplicated;
        ``[NO_ACTOR]`` when it names none)."""

    @abstractmethod
    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        """Whether each of `keys` passes `flt`."""

    # --- editing -----------------------------------------------------------------------

    @abstractmethod
    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        """Problems that would stop `record` (the native format's event shape, as the
        edit form builds it: id, title, summary, start/end ISO text, status, actors
        [{id, role}], sources [ids], themes [ids], figures, attributes) from being an
        event of this document, replacing the event with id `replacing` (None: added).
        Checked against the tables directly; [] when it is fine."""

    @abstractmethod
    def apply(self, edit: EditOp) -> EditOp:
        """Apply `edit`, notify subscribers once with a `Change`, and return the edit
        that undoes it (possibly a backend-private `EditOp`: hand it back only to this
        backend's `apply`). Raises `InvalidEditError` (nothing changed, nobody notified)."""

    @property
    def can_edit(self) -> bool:
        """Whether `apply` takes edits (events, entities, annotations) at all: the
        window enables its edit commands by this. False for read-only engines (a
        shared SQL table), whose `apply` refuses with the reason."""
        return False

    def edit_overlay(self) -> EditOverlay | None:
        """Where edits are kept when the data itself stays read-only (an out-of-core
        overlay), or None when they are the document's own (in memory, saved with it)."""
        return None


class EditOverlay(Protocol):
    """The analyst's edits of read-only data, kept apart from it (see
    explorer.engines.overlay): saved atomically on `save`, a crash copy after every
    edit, which the next open reads and reports (`recovered`)."""

    recovered: bool  # opened from the crash copy: edits not saved yet
    modified: bool  # edits since the last save
    load_problem: str  # why a saved overlay was not applied ("" when fine)
    # None: the crash copy is written with each edit; else called instead, and the
    # caller runs `write_crash_copy` soon after (a window debounces a burst of edits).
    defer_crash_copy: Callable[[], None] | None

    def write_crash_copy(self) -> None:
        """Write the crash copy now, if edits since the last one need it."""

    @property
    def location(self) -> Path:
        """The file Save writes."""

    def save(self) -> Path:
        """Write the edits atomically (never the data); drop the crash copy."""

    def discard_unsaved(self) -> None:
        """Forget the edits since the last save, and the crash copy."""

    def context(self) -> Document:
        """The actors, sources and themes edit forms pick from (events: the few the
        overlay holds, not the data's)."""


def role_pairs(counts: Mapping[tuple[str, str], int]) -> tuple[RolePair, ...]:
    """Role pairs in `ActorPairs` order: by count descending, then roles."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(RolePair(ra, rb, n) for (ra, rb), n in ordered)


def _every_key(q: TimelineQueries, flt: Filter) -> list[int]:
    """Every event key passing `flt`, by date (the generic answers' walk)."""
    keys: list[int] = []
    after: Cursor | None = None
    while True:
        page = q.page(flt, "date", False, after, 10_000)
        keys += page.keys.tolist()
        if page.next is None:
            return keys
        after = page.next


# --- edits -------------------------------------------------------------------------


class EditOp:
    """Base of the edits `TimelineQueries.apply` takes; subclasses are frozen values."""

    text: str = "Edit"  # the undo stack's label


class InvalidEditError(ValueError):
    """An edit that would break the document; `problems` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "; ".join(f"{p.field}: {p.reason}" if p.field else p.reason for p in problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class SetEventFields(EditOp):
    """Set fields of existing events (the fast path: a status change, a title fix).
    `fields` maps "title" / "summary" (str), "status" (a ClaimStatus value),
    "start" (DatedValue), "end" (DatedValue or None), "attributes" (dict) to the new
    value, the same for every event in `ids`."""

    ids: tuple[str, ...]
    fields: Mapping[str, Any]
    text: str = "Edit events"
    keys: tuple[int, ...] = ()  # where the caller last saw `ids` (a hint; backends check it)


@dataclass(frozen=True)
class PutEvent(EditOp):
    """Add an event (`replacing` None: at the end) or replace the event with id
    `replacing` by `record` (native event shape, see `validate_event`), in place."""

    record: Mapping[str, Any]
    replacing: str | None = None
    text: str = "Edit event"
    keys: tuple[int, ...] = ()  # where the caller last saw `replacing` (a hint)


@dataclass(frozen=True)
class DeleteEventsOp(EditOp):
    ids: tuple[str, ...]
    text: str = "Delete events"


@dataclass(frozen=True)
class PutEntity(EditOp):
    """Add, change (by id) or, with `record` None, delete an actor, source or theme
    (deleting one removes the links to it). `table` is "actors", "sources", "themes"."""

    table: str
    ident: str
    record: Mapping[str, Any] | None
    text: str = "Edit"


@dataclass(frozen=True)
class MergeActorsOp(EditOp):
    """Fold actor `drop` into `keep`: its links move to `keep`, then it is deleted."""

    keep: str
    drop: str
    text: str = "Merge actors"
