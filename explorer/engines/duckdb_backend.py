"""DuckDB over Parquet: the views' questions answered out of core.

The data stays in its Parquet files; the sidecar (``duckdb_index``) holds what frames
need, sorted so that a window reads a few row groups, and the count arrays answer a
zoomed-out frame with about two numbers per pixel column and lane. Every answer is the
in-memory backend's, exactly (tests/test_duckdb_backend.py holds it to that).

Queries are plain SQL with integer arithmetic (no engine time functions), so that the
same text can be rendered for other engines (PostgreSQL, Spark, ClickHouse) later.

`DuckDBReader` answers for the Parquet rows, which stay read-only, minus the rows an
overlay has taken over (`exclude`); `DuckDBBackend` is the reader under the edit
overlay (``explorer/engines/overlay.py``), which is what the app opens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.engines.annotation_index import AnnotationIndex
from explorer.engines.duckdb_index import IndexInfo, ensure_index, parquet_files
from explorer.engines.entity_meta import entities, source_entities, source_publishers
from explorer.engines.overlay import OverlaidQueries, OverlayBase, OverlayFiles, overlay_files
from explorer.engines.row_record import record_from_row
from explorer.engines.sql_answers import contains as _contains
from explorer.engines.sql_answers import page as _page
from explorer.engines.sql_answers import per_lane as _aligned
from explorer.model.dates import period_ends
from explorer.model.document import NO_END, STATUS_CATEGORIES
from explorer.model.opening_view import opening_window, sample_step
from explorer.model.periods import PeriodRecordError, empty_periods, periods_from_records
from explorer.model.query import (
    ALL,
    NO_ACTOR,
    ActorPairs,
    Cursor,
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
    Page,
    Problem,
    SortColumn,
    SourceCounts,
    TimelineQueries,
    density_edges,
    density_level,
    role_pairs,
)
from explorer.model.sourcing import (
    SEVERAL,
    SINGLE,
    UNSOURCED,
    independent_counts,
)

I64 = npt.NDArray[np.int64]
_MIN = -(2**63)
_MAX = 2**63 - 1
_STATUSES = list(STATUS_CATEGORIES.categories)
INLINE_CODES = 5_000  # text hits written into a query as literals, at most
RAW_ROWS = 1_000_000  # a filtered window with at most this many events is binned here


def _ints(values: Sequence[int] | npt.NDArray[Any]) -> str:
    return ",".join(str(int(v)) for v in values) or "NULL"


def _text(value: str) -> str:
    """A SQL string literal (quotes doubled; NUL cannot occur in DuckDB text)."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"


class DuckDBReader(OverlayBase):
    """One Parquet file (or a folder of them) through its sidecar index, answering as
    if the rows given to `exclude` were not there (the overlay answers for those)."""

    def __init__(
        self,
        source: Path,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        memory_limit: str = "512MB",
        cache: Path | None = None,
    ) -> None:
        import duckdb

        self.source = source
        self.files = parquet_files(source)
        self.folder, self.info = ensure_index(source, progress, cancelled, cache)
        self._con = duckdb.connect(str(self.folder / "index.duckdb"), read_only=True)
        self._con.sql(f"SET memory_limit = '{memory_limit}'")
        self._lock = threading.Lock()
        self.raw_rows = RAW_ROWS
        self._hits: dict[tuple[str, str], list[int]] = {}
        self._listeners: list[Listener] = []
        self._ordinal = np.load(self.folder / "ordinal.npy", mmap_mode="r")
        self._levels: dict[tuple[str, int], npt.NDArray[np.int32]] = {}
        self._tid_cache: dict[int, int] = {}
        meta = self.info.metadata
        self._actors, self._themes, self._sources = EntityTable(), EntityTable(), EntityTable()
        self._sources_meta: list[dict[str, Any]] = []
        self.set_entities(
            entities(meta.get("actors") or [], "name"),
            entities(meta.get("themes") or [], "name"),
            list(meta.get("sources") or []),
        )
        offsets = [0]
        import pyarrow.parquet as pq

        for path in self.files:
            offsets.append(offsets[-1] + pq.ParquetFile(path).metadata.num_rows)
        self._offsets = np.asarray(offsets, dtype=np.int64)
        self._has_no_actor = bool(self._level("S", self.info.level_max)[0, -1] > 0)
        # The analyst's annotations: few, so read once and kept in memory by key.
        self.annotations = AnnotationIndex.read(self.files, self._offsets, self._sql)
        self._excluded: I64 = np.zeros(0, dtype=np.int64)
        self._originals: TimelineQueries | None = None
        self._span_cache: tuple[int, int] | None = None
        self._periods: pd.DataFrame | None = None

    @property
    def n_rows(self) -> int:
        """Rows in the data (keys 0 .. n_rows - 1), whatever is excluded."""
        return self.info.n_events

    def data_identity(self) -> list[list[Any]]:
        """Each file's name, size and row count: what an overlay was made for (not the
        modification time, so data and overlay can be copied together)."""
        sizes = [p.stat().st_size for p in self.files]
        rows = np.diff(self._offsets).tolist()
        return [[p.name, s, n] for p, s, n in zip(self.files, sizes, rows, strict=True)]

    def exclude(self, keys: I64, originals: TimelineQueries | None) -> None:
        """Answer from now on as if rows `keys` were not in the data. `originals` holds
        those rows as they are in the Parquet files (its answers are subtracted where
        this reader answers from its precomputed counts, which include every row)."""
        keys = np.unique(np.asarray(keys, dtype=np.int64))
        with self._lock:
            self._excluded = keys
            self._originals = originals if len(keys) else None
            self._span_cache = None
            if len(keys):
                self._con.register("_ov_removed", pa.table({"row": pa.array(keys, pa.int64())}))

    def set_entities(
        self, actors: EntityTable, themes: EntityTable, sources: Sequence[Mapping[str, Any]]
    ) -> None:
        """The overlay's actors, themes and sources (added or changed ones; rows of the
        data's own never move): names searched and sorted by, records' references."""
        self._actors, self._themes = actors, themes
        self._sources_meta = [dict(s) for s in sources]
        self._sources = source_entities(self._sources_meta)
        self._publishers = source_publishers(self._sources_meta)
        self._hits.clear()

    def _minus_originals(self, name: str, *args: Any) -> Any:
        """What the originals answer to `name(ALL, *args)` (None without an overlay)."""
        if self._originals is None:
            return None
        return getattr(self._originals, name)(ALL, *args)

    def close(self) -> None:
        self._con.close()

    # --- plumbing ---------------------------------------------------------------------

    def _sql(self, query: str) -> pa.Table:
        with self._lock:
            return self._con.sql(query).to_arrow_table()

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.sql(query).fetchall()

    def _level(self, name: str, level: int) -> npt.NDArray[np.int32]:
        key = (name, level)
        if key not in self._levels:
            self._levels[key] = np.load(
                self.folder / "counts" / f"{name}_{level}.npy", mmap_mode="r"
            )
        return self._levels[key]

    def _where(self, flt: Filter, pairs: bool = False) -> str:
        """The filter as SQL over `events` (or a pairs table): clauses joined by AND."""
        clauses = ["TRUE"]
        if len(self._excluded):
            clauses.append("NOT (row IN (SELECT row FROM _ov_removed))")
        if flt.actors is not None:
            lanes = [self._actors.row_of(a) for a in flt.actors]
            lanes = [lane for lane in lanes if lane >= 0]
            if pairs and self.info.single_lane:
                clauses.append(f"lane IN ({_ints(lanes)})")
            else:
                clauses.append(
                    f"row IN (SELECT row FROM pairs WHERE lane IN ({_ints(lanes)}) "
                    f"UNION ALL SELECT row FROM pairs_long WHERE lane IN ({_ints(lanes)}))"
                )
        if flt.themes is not None:
            codes = [self._themes.row_of(t) for t in flt.themes]
            clauses.append(
                f"row IN (SELECT row FROM event_themes WHERE theme IN "
                f"({_ints([c for c in codes if c >= 0])}))"
            )
        if flt.statuses is not None:
            codes = [_STATUSES.index(s) for s in flt.statuses if s in _STATUSES]
            clauses.append(f"status IN ({_ints(codes)})")
        if flt.window is not None:
            t0, t1 = flt.window
            clauses.append(f"lo < {int(t1)} AND hi > {int(t0)}")
        if flt.known_by is not None:
            # Known by then: resting on a source published by then; events with no dated
            # source have no known date, and pass only when the user asks for them.
            known = f"(dated AND known <= {int(flt.known_by)})"
            clauses.append(f"({known} OR NOT dated)" if flt.known_undated else known)
        if flt.starred:
            clauses.append(f"row IN ({_ints(self.annotations.with_table('stars'))})")
        if flt.noted:
            clauses.append(f"row IN ({_ints(self.annotations.with_table('notes'))})")
        if flt.tags is not None:
            clauses.append(f"row IN ({_ints(self.annotations.tagged(flt.tags))})")
        needle = flt.text.strip()
        if needle:
            clauses.append(self._text_clause(needle, pairs))
        clauses += self._word_clauses(flt)
        return " AND ".join(clauses)

    def _word_clauses(self, flt: Filter) -> list[str]:
        """Sources, sourcing levels and actors-together (explorer.model.sourcing)."""
        out = []
        if flt.sources is not None:
            codes = [c for c in (self._sources.row_of(x) for x in flt.sources) if c >= 0]
            out.append(f"row IN (SELECT row FROM event_sources WHERE source IN ({_ints(codes)}))")
        if flt.sourcing is not None:
            levels = []
            if UNSOURCED in flt.sourcing:
                levels.append("NOT (row IN (SELECT row FROM event_sources))")
            counted = self._independent_sql()
            if SINGLE in flt.sourcing:
                levels.append(f"row IN (SELECT r FROM ({counted}) WHERE n = 1)")
            if SEVERAL in flt.sourcing:
                levels.append(f"row IN (SELECT r FROM ({counted}) WHERE n >= 2)")
            out.append("(" + (" OR ".join(levels) or "FALSE") + ")")
        for actor in sorted(flt.together or ()):
            lane = self._actors.row_of(actor)
            out.append(
                f"row IN (SELECT row FROM pairs WHERE lane = {lane} "
                f"UNION ALL SELECT row FROM pairs_long WHERE lane = {lane})"
                if lane >= 0
                else "FALSE"
            )
        return out

    def _independent_sql(self) -> str:
        """(r, n): each sourced event row and its independent sources."""
        pubs = ", ".join(f"({i}, {int(c)})" for i, c in enumerate(self._publishers.tolist()))
        if not pubs:
            return "SELECT 0::BIGINT AS r, 0 AS n WHERE FALSE"
        known = "count(DISTINCT k.pub) FILTER (WHERE k.pub >= 0)"
        return (
            f"SELECT es.row AS r, CASE WHEN {known} = 0 THEN 1 ELSE {known} END AS n "
            f"FROM event_sources es JOIN (VALUES {pubs}) k(source, pub) ON k.source = es.source "
            "GROUP BY es.row"
        )

    def _text_clause(self, needle: str, pairs: bool) -> str:
        low = _text(needle.lower())
        parts = [
            self._code_clause("tid", "titles", low),
            self._code_clause("sid", "summaries", low),
        ]
        text_part = " OR ".join(parts)
        if pairs:
            text_part = f"row IN (SELECT row FROM events WHERE {text_part})"
        out = [text_part]
        actor_hit = np.flatnonzero(
            _contains(self._actors.names, needle)
            | _contains(self._actors.kinds, needle)
            | _contains(self._actors.postures, needle)
        )
        if len(actor_hit):
            lanes = _ints(actor_hit)
            out.append(
                f"row IN (SELECT row FROM pairs WHERE lane IN ({lanes}) "
                f"UNION ALL SELECT row FROM pairs_long WHERE lane IN ({lanes}))"
            )
        theme_hit = np.flatnonzero(_contains(self._themes.names, needle))
        if len(theme_hit):
            out.append(f"row IN (SELECT row FROM event_themes WHERE theme IN ({_ints(theme_hit)}))")
        publishers = [str(s.get("publisher") or "") for s in self._sources_meta]
        source_hit = np.flatnonzero(_contains(publishers, needle))
        if len(source_hit):
            out.append(
                f"row IN (SELECT row FROM event_sources WHERE source IN ({_ints(source_hit)}))"
            )
        annotated = self.annotations.text_hits(needle)
        if len(annotated):
            out.append(f"row IN ({_ints(annotated)})")
        return "(" + " OR ".join(out) + ")"

    def _code_clause(self, column: str, table: str, needle_sql: str) -> str:
        """`column` among the codes of `table` texts containing the needle: the few
        distinct texts are searched once and their codes written into the query (the
        engine then scans small integers, not strings); many hits stay a subquery."""
        found = f"SELECT code FROM {table} WHERE contains(lower(text), {needle_sql})"
        key = (table, needle_sql)
        if key not in self._hits:
            got = self._rows(f"{found} LIMIT {INLINE_CODES + 1}")
            self._hits[key] = [int(r[0]) for r in got]
        codes = self._hits[key]
        if not codes:
            return "FALSE"
        if len(codes) <= INLINE_CODES:
            return f"{column} IN ({_ints(codes)})"
        return f"{column} IN ({found})"

    def _window(self, t0: int, t1: int, table: str) -> str:
        """Overlap with [t0, t1), with a bound on lo that lets zone maps skip row groups."""
        longest = self.info.short_max if table == "pairs" else self.info.long_max
        return f"lo < {int(t1)} AND hi > {int(t0)} AND lo >= {max(int(t0) - longest, _MIN)}"

    # --- subscriptions and the whole --------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def event_count(self, flt: Filter = ALL) -> int:
        if flt.is_empty:
            return self.info.n_events - len(self._excluded)
        return int(self._rows(f"SELECT count(*) FROM events WHERE {self._where(flt)}")[0][0])

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        if not self.info.n_events:
            return 0, 0
        if flt.is_empty and not len(self._excluded):
            return self.info.span_lo, self.info.span_hi
        if flt.is_empty and self._span_cache is not None:
            return self._span_cache
        lo, hi = self._rows(f"SELECT min(lo), max(hi) FROM events WHERE {self._where(flt)}")[0]
        got = (0, 0) if lo is None else (int(lo), int(hi))
        if flt.is_empty:
            self._span_cache = got
        return got

    def opening(self) -> tuple[int, int]:
        return opening_window(*self.opening_sample())

    def opening_sample(self) -> tuple[I64, I64]:
        # Exact up to OPENING_SAMPLE events; beyond, over every k-th event by key, as
        # every backend samples (the window is where most events are: a systematic
        # sample finds it).
        step = sample_step(self.info.n_events)
        where = self._where(ALL) + ("" if step == 1 else f" AND row % {step} = 0")
        got = self._sql(f"SELECT lo, hi FROM events WHERE {where}")
        lo = got.column("lo").to_numpy(zero_copy_only=False).astype(np.int64)
        hi = got.column("hi").to_numpy(zero_copy_only=False).astype(np.int64)
        return lo, hi

    def title(self) -> str:
        return str(self.info.metadata.get("title") or "")

    def periods(self) -> pd.DataFrame:
        """The periods the Parquet file's metadata carries (none when unreadable: they
        are drawn, never needed to answer a query). Read once: every frame asks."""
        if self._periods is None:
            self._periods = self._read_periods()
        return self._periods

    def _read_periods(self) -> pd.DataFrame:
        try:
            return periods_from_records(self.info.metadata.get("periods") or [])
        except PeriodRecordError:
            return empty_periods()

    def actors(self) -> EntityTable:
        return self._actors

    def themes(self) -> EntityTable:
        return self._themes

    def sources(self) -> EntityTable:
        return self._sources

    def lanes(self) -> Lanes:
        keys = list(range(len(self._actors)))
        names = list(self._actors.names)
        if self._has_no_actor:
            keys.append(NO_ACTOR)
            names.append("(no actor)")
        return Lanes(keys=np.asarray(keys, dtype=np.int64), names=tuple(names))

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        lanes = np.asarray(lanes, dtype=np.int64)
        if flt.is_empty:
            out = np.asarray(self._level("S", self.info.level_max)[lanes + 1, -1], np.int64)
            taken = self._minus_originals("lane_counts", lanes)
            return out if taken is None else out - taken
        where = self._where(flt, pairs=True)
        got = self._sql(
            f"SELECT lane, count(*) AS n FROM (SELECT lane, row FROM pairs WHERE {where} "
            f"UNION ALL SELECT lane, row FROM pairs_long WHERE {where}) GROUP BY lane"
        )
        return _aligned(lanes, got)

    def actor_counts(self, flt: Filter = ALL) -> Keys:
        return self.lane_counts(flt, np.arange(len(self._actors), dtype=np.int64))

    # --- a window ---------------------------------------------------------------------

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        lanes = np.asarray(lanes, dtype=np.int64)
        if flt.is_empty and t1 > t0:
            # S(t1) - E(t0) from the finest counts, plus the thin slices between each
            # time and the grid line at or below it.
            level = self.info.level_min
            g0, g1 = self._grid(t0, level), self._grid(t1, level)
            out = self._cum("S", level, lanes, g1) - self._cum("E", level, lanes, g0)
            extra = self._slice_counts(lanes, g1, t1, g0, t0)
            taken = self._minus_originals("window_counts", lanes, t0, t1)
            return np.asarray(out + extra - (0 if taken is None else taken), dtype=np.int64)
        where = self._where(flt, pairs=True)
        got = self._sql(
            f"SELECT lane, count(*) AS n FROM ("
            f"SELECT lane FROM pairs WHERE {self._window(t0, t1, 'pairs')} AND {where} "
            f"UNION ALL SELECT lane FROM pairs_long WHERE {self._window(t0, t1, 'long')} "
            f"AND {where}) WHERE lane IN ({_ints(lanes)}) GROUP BY lane"
        )
        return _aligned(lanes, got)

    def _grid(self, t: int, level: int) -> int:
        """The grid line of `level` at or below `t`, clamped into the counted range."""
        origin = self.info.origin
        return origin + (max(t - origin, 0) >> level << level)

    def _cum(self, name: str, level: int, lanes: Keys, edge: int) -> I64:
        """S: events with lo < edge; E: events with hi <= edge (edge on the grid)."""
        return self._cum_at(name, level, lanes, np.asarray([edge], dtype=np.int64))[:, 0]

    def _cum_at(self, name: str, level: int, lanes: Keys, edges: Keys) -> I64:
        """`_cum` at many grid edges: one gather of len(lanes) x len(edges) numbers."""
        table = self._level(name, level)
        k = np.clip((np.asarray(edges, np.int64) - self.info.origin) >> level, 0, table.shape[1])
        out = np.zeros((len(lanes), len(k)), dtype=np.int64)
        ok = np.flatnonzero(k > 0)
        if len(ok) and len(lanes):
            out[:, ok] = table[np.ix_(np.asarray(lanes, np.int64) + 1, k[ok] - 1)]
        return out

    def _slice_counts(self, lanes: Keys, g1: int, t1: int, g0: int, t0: int) -> I64:
        """Events with lo in [g1, t1) minus events with hi in (g0, t0]."""
        if g1 >= t1 and g0 >= t0:
            return np.zeros(len(lanes), dtype=np.int64)
        parts = []
        for table, longest in (("pairs", self.info.short_max), ("pairs_long", self.info.long_max)):
            parts.append(f"SELECT lane, 1 AS n FROM {table} WHERE lo >= {g1} AND lo < {t1}")
            parts.append(
                f"SELECT lane, -1 AS n FROM {table} WHERE hi > {g0} AND hi <= {t0} "
                f"AND lo >= {max(g0 - longest, _MIN)} AND lo < {t0}"
            )
        got = self._sql(
            f"SELECT lane, sum(n)::BIGINT AS n FROM ({' UNION ALL '.join(parts)}) "
            f"WHERE lane IN ({_ints(lanes)}) GROUP BY lane"
        )
        return _aligned(lanes, got)

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        lanes = np.asarray(lanes, dtype=np.int64)
        edges = density_edges(t0, t1, bins)
        level = density_level(t0, t1, bins)
        if flt.is_empty and level >= self.info.level_min:
            level = min(level, self.info.level_max)
            counts = self._cum_at("S", level, lanes, edges[1:]) - self._cum_at(
                "E", level, lanes, edges[:-1]
            )
            taken = self._minus_originals("density", lanes, t0, t1, bins)
            if taken is not None:
                counts = counts - taken.counts
            return Density(lanes=lanes, edges=edges, counts=counts)
        return Density(lanes=lanes, edges=edges, counts=self._density_sql(flt, lanes, edges, level))

    def _lane_index(self, lanes: Keys, values: npt.NDArray[Any]) -> I64:
        """Position in `lanes` of each lane key in `values` (all are in `lanes`)."""
        lut = np.full(len(self._actors) + 2, -1, dtype=np.int64)
        lut[np.asarray(lanes, np.int64) + 1] = np.arange(len(lanes), dtype=np.int64)
        return lut[np.asarray(values, np.int64) + 1]

    def _density_sql(self, flt: Filter, lanes: Keys, edges: Keys, level: int) -> I64:
        """Counts from the rows: S(edge) - E(edge) over the events that overlap the
        window (the others cancel). A window with few events ships them and bins in
        numpy; a crowded one is grouped by the engine into fine bins first."""
        e0, en = int(edges[0]), int(edges[-1])
        where = self._where(flt, pairs=True)
        bins = len(edges) - 1
        wanted = f"lane IN ({_ints(lanes)})"
        crowd = int(self.window_counts(ALL, lanes, e0, en).sum())
        if crowd <= self.raw_rows:
            parts = [
                f"SELECT lane, lo, hi FROM {table} WHERE {self._window(e0, en, tag)} "
                f"AND {where} AND {wanted}"
                for table, tag in (("pairs", "pairs"), ("pairs_long", "long"))
            ]
            got = self._sql(" UNION ALL ".join(parts))
            lane_i = self._lane_index(lanes, got.column("lane").to_numpy())
            first_after = np.searchsorted(edges[1:], got.column("lo").to_numpy(), side="right")
            first_covering = np.searchsorted(edges[:-1], got.column("hi").to_numpy(), side="left")
            size = len(lanes) * (bins + 1)
            starts = np.bincount(lane_i * (bins + 1) + first_after, minlength=size)
            ends = np.bincount(lane_i * (bins + 1) + first_covering, minlength=size)
            cum = np.cumsum((starts - ends).reshape(len(lanes), bins + 1), axis=1)
            return np.asarray(cum[:, :bins], dtype=np.int64)
        n_fine = max((en - e0) >> level, 1)
        parts = []
        for table, tag in (("pairs", "pairs"), ("pairs_long", "long")):
            base = f"FROM {table} WHERE {self._window(e0, en, tag)} AND {where} AND {wanted}"
            parts.append(f"SELECT lane, 0 AS e, (greatest(lo, {e0}) - {e0}) >> {level} AS b {base}")
            parts.append(
                f"SELECT lane, 1 AS e, (least(hi, {en}) - 1 - {e0}) >> {level} AS b {base}"
            )
        got = self._sql(
            f"SELECT lane, e, b, count(*) AS n FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL"
        )
        lane_i = self._lane_index(lanes, got.column("lane").to_numpy())
        which = got.column("e").to_numpy().astype(np.int64)
        fine_bin = np.clip(got.column("b").to_numpy().astype(np.int64), 0, n_fine)
        size = len(lanes) * (n_fine + 1)
        flat = lane_i * (n_fine + 1) + fine_bin
        weights = got.column("n").to_numpy().astype(np.float64)
        fine = [
            np.bincount(flat[which == e], weights[which == e], minlength=size)
            .astype(np.int64)
            .reshape(len(lanes), n_fine + 1)
            for e in (0, 1)
        ]
        at = ((edges - e0) >> level).astype(np.int64)

        def sample(counts: I64, k: I64) -> I64:
            """Sum of fine bins before each k: S or E at those edges."""
            cum = np.concatenate(
                [np.zeros((len(lanes), 1), np.int64), np.cumsum(counts, axis=1)], axis=1
            )
            return np.asarray(cum[:, np.minimum(k, n_fine + 1)], dtype=np.int64)

        return sample(fine[0], at[1:]) - sample(fine[1], at[:-1])

    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        lanes = np.asarray(lanes, dtype=np.int64)
        where = self._where(flt, pairs=True)
        # One query: each table's first `cap` per lane, each row carrying how many its
        # lane has in that table (the totals), so no second query counts them.
        cols = "lane, row, lo, hi, status, sp, ed, ep"
        part = (
            "SELECT {cols}, {tag} AS t, count(*) OVER (PARTITION BY lane) AS total "
            "FROM {table} WHERE {window} AND {where} AND lane IN ({lanes}) "
            "QUALIFY row_number() OVER (PARTITION BY lane ORDER BY lo, row) <= {cap}"
        )
        got = self._sql(
            " UNION ALL ".join(
                part.format(
                    cols=cols,
                    tag=i,
                    table=table,
                    window=self._window(t0, t1, tag),
                    where=where,
                    lanes=_ints(lanes),
                    cap=int(cap),
                )
                for i, (table, tag) in enumerate((("pairs", "pairs"), ("pairs_long", "long")))
            )
        )
        lane_i = self._lane_index(lanes, got.column("lane").to_numpy()).astype(np.int32)
        key = got.column("row").to_numpy().astype(np.int64)
        lo = got.column("lo").to_numpy().astype(np.int64)
        order = np.lexsort((key, lo, lane_i))
        lane_i, key, lo = lane_i[order], key[order], lo[order]
        # Both tables gave up to `cap` each: keep the first `cap` of each lane.
        first = np.searchsorted(lane_i, lane_i, side="left")
        keep = (np.arange(len(lane_i)) - first) < cap
        pick = order[keep]
        lane_i, key, lo = lane_i[keep], key[keep], lo[keep]
        hi = got.column("hi").to_numpy().astype(np.int64)[pick]
        sp = got.column("sp").to_numpy().astype(np.int8)[pick]
        ed = got.column("ed").to_numpy().astype(np.int64)[pick]
        ep = got.column("ep").to_numpy().astype(np.int8)[pick]
        has_end = ep != NO_END
        core_lo = np.where(has_end, period_ends(lo, sp), lo)
        core_hi = np.where(has_end, ed, lo)
        totals = np.zeros(len(lanes), dtype=np.int64)
        if got.num_rows:
            all_lanes = self._lane_index(lanes, got.column("lane").to_numpy())
            tables = got.column("t").to_numpy().astype(np.int64)
            per = np.zeros((2, len(lanes)), dtype=np.int64)
            per[tables, all_lanes] = got.column("total").to_numpy().astype(np.int64)
            totals = per.sum(axis=0)
        return Marks(
            lanes=lanes,
            totals=totals,
            lane=lane_i,
            key=key,
            lo=lo,
            hi=hi,
            core_lo=core_lo.astype(np.int64),
            core_hi=core_hi.astype(np.int64),
            status=got.column("status").to_numpy().astype(np.int8)[pick],
            start_precision=sp,
            end_precision=ep,
            flags=self.annotations.flags(key),
        )

    def _event_rows(self, keys: Keys, columns: str) -> dict[int, tuple[Any, ...]]:
        """Rows of `events` for these keys, found by their ordinal (rowid)."""
        keys = np.asarray(keys, dtype=np.int64)
        keys = keys[(keys >= 0) & (keys < self.info.n_events)]
        if not len(keys):
            return {}
        ords = np.asarray(self._ordinal[keys], dtype=np.int64)
        rows = self._rows(f"SELECT row, {columns} FROM events WHERE rowid IN ({_ints(ords)})")
        return {int(r[0]): r[1:] for r in rows}

    def undated_count(self, flt: Filter = ALL) -> int:
        return int(
            self._rows(f"SELECT count(*) FROM events WHERE NOT dated AND {self._where(flt)}")[0][0]
        )

    def titles(self, keys: Keys) -> list[str]:
        found = self._event_rows(keys, "tid")
        tids = sorted({int(v[0]) for v in found.values()})
        text = dict(self._rows(f"SELECT code, text FROM titles WHERE code IN ({_ints(tids)})"))
        return [str(text.get(found[int(k)][0], "")) if int(k) in found else "" for k in keys]

    # --- who with whom, and on whose word -------------------------------------------

    def actor_pairs(self, flt: Filter = ALL) -> ActorPairs:
        kept = "SELECT DISTINCT row, lane, role FROM event_roles"
        if not flt.is_empty or len(self._excluded):
            kept += f" WHERE row IN (SELECT row FROM events WHERE {self._where(flt)})"
        joined = f"FROM ({kept}) x JOIN ({kept}) y ON x.row = y.row AND x.lane < y.lane"
        pairs = self._rows(
            f"SELECT x.lane, y.lane, count(DISTINCT x.row) {joined} GROUP BY ALL ORDER BY ALL"
        )
        roles = self._rows(
            f"SELECT x.lane, y.lane, x.role, y.role, count(DISTINCT x.row) {joined} GROUP BY ALL"
        )
        found: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
        for a, b, ra, rb, n in roles:
            found.setdefault((int(a), int(b)), {})[(str(ra), str(rb))] = int(n)
        return ActorPairs(
            a=np.asarray([p[0] for p in pairs], dtype=np.int64),
            b=np.asarray([p[1] for p in pairs], dtype=np.int64),
            events=np.asarray([p[2] for p in pairs], dtype=np.int64),
            roles=tuple(role_pairs(found[(int(p[0]), int(p[1]))]) for p in pairs),
        )

    def _source_links(self, where: str) -> tuple[I64, I64]:
        got = self._sql(f"SELECT DISTINCT row, source FROM event_sources WHERE {where}")
        return (
            got.column("row").to_numpy().astype(np.int64),
            got.column("source").to_numpy().astype(np.int64),
        )

    def independent_sources(self, keys: Keys) -> Keys:
        keys = np.asarray(keys, dtype=np.int64)
        distinct = np.unique(keys)
        rows, sources = self._source_links(f"row IN ({_ints(distinct)})")
        at = np.searchsorted(distinct, rows)
        counts = independent_counts(at, sources, self._publishers, len(distinct))
        return np.asarray(counts[np.searchsorted(distinct, keys)], dtype=np.int64)

    def source_counts(self, flt: Filter = ALL) -> SourceCounts:
        where = (
            "TRUE"
            if flt.is_empty and not len(self._excluded)
            else f"row IN (SELECT row FROM events WHERE {self._where(flt)})"
        )
        rows, sources = self._source_links(where)
        distinct, at = np.unique(rows, return_inverse=True)
        single = independent_counts(at, sources, self._publishers, len(distinct)) == 1
        known = self._publishers[sources] >= 0
        has_known = np.zeros(len(distinct), dtype=bool)
        has_known[at[known]] = True
        alone = single[at] & (known | ~has_known[at])
        n = len(self._sources)
        return SourceCounts(
            events=np.bincount(sources, minlength=n).astype(np.int64),
            alone=np.bincount(sources[alone], minlength=n).astype(np.int64),
        )

    # --- walking in time --------------------------------------------------------------

    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        lo, key = int(at[0]), int(at[1])
        if direction > 0:
            cond = f"(lo > {lo} OR (lo = {lo} AND row > {key}))"
            order = "lo, row"
        else:
            cond = f"(lo < {lo} OR (lo = {lo} AND row < {key}))"
            order = "lo DESC, row DESC"
        if lanes is None:
            source = f"SELECT row, lo FROM events WHERE {cond} AND {self._where(flt)}"
        else:
            where = self._where(flt, pairs=True)
            lane_sql = f"lane IN ({_ints(lanes)})"
            source = (
                f"SELECT row, lo FROM pairs WHERE {cond} AND {lane_sql} AND {where} "
                f"UNION ALL SELECT row, lo FROM pairs_long WHERE {cond} AND {lane_sql} AND {where}"
            )
        got = self._rows(f"SELECT row FROM ({source}) ORDER BY {order} LIMIT 1")
        return int(got[0][0]) if got else -1

    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        where = self._where(flt, pairs=True)
        # The engine ranks in floating point; the few best are then compared exactly.
        got = self._rows(
            f"SELECT row, lo, hi FROM (SELECT row, lo, hi FROM pairs WHERE lane = {int(lane)} "
            f"AND {where} UNION ALL SELECT row, lo, hi FROM pairs_long WHERE lane = {int(lane)} "
            f"AND {where}) ORDER BY abs((lo::DOUBLE + hi::DOUBLE) / 2 - {float(when)}), lo, row "
            f"LIMIT 16"
        )
        if not got:
            return -1
        best = min(got, key=lambda r: (abs((int(r[1]) + int(r[2])) // 2 - when), r[1], r[0]))
        return int(best[0])

    def first_title_match(self, flt: Filter) -> int:
        needle = flt.text.strip()
        if not needle:
            return -1
        got = self._rows(
            f"SELECT row FROM events WHERE {self._where(flt)} AND tid IN (SELECT code FROM "
            f"titles WHERE contains(lower(text), {_text(needle.lower())})) ORDER BY lo, row LIMIT 1"
        )
        return int(got[0][0]) if got else -1

    # --- the table ---------------------------------------------------------------------

    def _sort_expr(self, sort: SortColumn) -> tuple[str, str]:
        """(SQL of the sort value over `events e`, its joins)."""
        if sort == "date":
            return "e.lo", ""
        if sort == "status":
            return "e.status::BIGINT", ""
        if sort == "title":
            return "lower(t.text)", "JOIN titles t ON t.code = e.tid"
        if sort == "actors":
            names = ", ".join(_text(n.lower()) for n in self._actors.names)
            return (
                "CASE WHEN e.first_lane < 0 THEN '' "
                f"ELSE list_extract([{names}], e.first_lane + 1) END"
                if names
                else "''",
                "",
            )
        labels = ", ".join(_text(n.lower()) for n in self._sources.names)
        return (
            "CASE WHEN e.first_source < 0 THEN '' "
            f"ELSE list_extract([{labels}], e.first_source + 1) END"
            if labels
            else "''",
            "",
        )

    def _ordered(self, flt: Filter, sort: SortColumn) -> str:
        value, join = self._sort_expr(sort)
        where = self._where(flt).replace("row IN", "e.row IN")
        return f"SELECT e.row AS row, {value} AS v FROM events e {join} WHERE {where}"

    def page(
        self, flt: Filter, sort: SortColumn, descending: bool, after: Cursor | None, limit: int
    ) -> Page:
        direction = "DESC" if descending else "ASC"
        cmp = "<" if descending else ">"
        inner = self._ordered(flt, sort)
        cond = "TRUE"
        if after is not None:
            v = _text(after.value) if isinstance(after.value, str) else str(int(after.value))
            cond = f"(v {cmp} {v} OR (v = {v} AND row {cmp} {int(after.key)}))"
        got = self._rows(
            f"SELECT row, v FROM ({inner}) WHERE {cond} ORDER BY v {direction}, row {direction} "
            f"LIMIT {int(limit) + 1}"
        )
        total = self.event_count(flt)
        before = 0
        if after is not None:
            before = int(self._rows(f"SELECT count(*) FROM ({inner}) WHERE NOT {cond}")[0][0])
        return _page(got, limit, before, total)

    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        direction = "DESC" if descending else "ASC"
        ordinal = max(int(ordinal), 0)
        got = self._rows(
            f"SELECT row, v FROM ({self._ordered(flt, sort)}) ORDER BY v {direction}, "
            f"row {direction} LIMIT {int(limit) + 1} OFFSET {ordinal}"
        )
        return _page(got, limit, ordinal, self.event_count(flt))

    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        inner = self._ordered(flt, sort)
        mine = self._rows(f"SELECT v FROM ({inner}) WHERE row = {int(key)}")
        if not mine:
            return -1
        value = mine[0][0]
        v = _text(value) if isinstance(value, str) else str(int(value))
        cmp = ">" if descending else "<"
        return int(
            self._rows(
                f"SELECT count(*) FROM ({inner}) "
                f"WHERE v {cmp} {v} OR (v = {v} AND row {cmp} {int(key)})"
            )[0][0]
        )

    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        inner = self._ordered(ALL, sort)
        got = dict(self._rows(f"SELECT row, v FROM ({inner}) WHERE row IN ({_ints(keys)})"))
        return [got.get(int(k), "") for k in keys]

    # --- one event ---------------------------------------------------------------------

    def _parquet_row(self, key: int) -> dict[str, Any]:
        if not 0 <= key < self.info.n_events:
            raise KeyError(key)
        f = int(np.searchsorted(self._offsets, key, side="right") - 1)
        path = _text(str(self.files[f]))
        got = self._sql(
            f"SELECT * FROM read_parquet({path}, file_row_number = true) "
            f"WHERE file_row_number = {key - int(self._offsets[f])}"
        )
        if not got.num_rows:
            raise KeyError(key)
        return {name: got.column(name)[0].as_py() for name in got.column_names}

    def record(self, key: int) -> EventRecord:
        key = int(key)
        raw = self._parquet_row(key)
        ((lo, hi, known),) = [self._event_rows(np.asarray([key]), "lo, hi, known")[key]]
        return record_from_row(
            raw,
            key,
            (int(lo), int(hi), int(known)),
            (self._actors, self._themes, self._sources),
            self._sources_meta,
            annotations=self.annotations.of(str(raw["id"])),
        )

    def tag_counts(self) -> Mapping[str, int]:
        counts = dict(self.annotations.tag_counts())
        if self._originals is not None:  # the rows an overlay took over are its to count
            for tag, n in self._originals.tag_counts().items():
                counts[tag] = counts.get(tag, 0) - n
        return {tag: n for tag, n in counts.items() if n > 0}

    def key_of(self, event_id: str) -> int:
        for f, path in enumerate(self.files):
            got = self._rows(
                f"SELECT file_row_number FROM read_parquet({_text(str(path))}, "
                f"file_row_number = true) WHERE id = {_text(event_id)} LIMIT 1"
            )
            if got:
                return int(self._offsets[f]) + int(got[0][0])
        return -1

    def event_ids(self, keys: Keys) -> list[str]:
        return [str(self._parquet_row(int(k))["id"]) for k in keys]

    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        found = self._event_rows(keys, "lo, hi")
        lo = np.asarray([found[int(k)][0] for k in keys], dtype=np.int64)
        hi = np.asarray([found[int(k)][1] for k in keys], dtype=np.int64)
        return lo, hi

    def lanes_of(self, key: int) -> Keys:
        raw = self._parquet_row(int(key))
        seen: list[int] = []
        for ref in raw.get("actors") or []:
            row = self._actors.row_of(str(ref["actor"]))
            if row >= 0 and row not in seen:
                seen.append(row)
        return np.asarray(seen or [NO_ACTOR], dtype=np.int64)

    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        keys = np.asarray(keys, dtype=np.int64)
        if flt.is_empty:
            inside = (keys >= 0) & (keys < self.info.n_events)
            return inside & ~np.isin(keys, self._excluded)
        valid = keys[(keys >= 0) & (keys < self.info.n_events)]
        ords = np.asarray(self._ordinal[valid], dtype=np.int64)
        got = {
            int(r[0])
            for r in self._rows(
                f"SELECT row FROM events WHERE rowid IN ({_ints(ords)}) AND {self._where(flt)}"
            )
        }
        return np.asarray([int(k) in got for k in keys], dtype=bool)

    # --- editing -------------------------------------------------------------------

    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        return [Problem("", _READ_ONLY)]

    def apply(self, edit: EditOp) -> EditOp:
        raise InvalidEditError([Problem("", _READ_ONLY)])


_READ_ONLY = "the Parquet data is read-only: edits go to the overlay (DuckDBBackend)"


class DuckDBBackend(OverlaidQueries):
    """What the app opens: the Parquet data (read-only, `DuckDBReader`) under the
    analyst's overlay of edits, kept beside the data or in the cache
    (`explorer.engines.overlay.overlay_files`)."""

    def __init__(
        self,
        source: Path,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        memory_limit: str = "512MB",
        cache: Path | None = None,
        overlay: OverlayFiles | None = None,
    ) -> None:
        reader = DuckDBReader(source, progress, cancelled, memory_limit, cache)
        meta = reader.info.metadata
        blank = {
            "title": str(meta.get("title") or ""),
            **{k: list(meta.get(k) or []) for k in ("actors", "sources", "themes")},
        }
        if meta.get("description"):
            blank["description"] = str(meta["description"])
        super().__init__(reader, overlay or overlay_files(source, reader.folder), blank)
        self.reader = reader

    # The reader's own parts, for the benchmark and tests that look at the engine.
    @property
    def source(self) -> Path:
        return self.reader.source

    @property
    def info(self) -> IndexInfo:
        return self.reader.info

    @property
    def folder(self) -> Path:
        return self.reader.folder

    @property
    def _con(self) -> Any:
        return self.reader._con

    @property
    def raw_rows(self) -> int:
        return self.reader.raw_rows

    @raw_rows.setter
    def raw_rows(self, value: int) -> None:
        self.reader.raw_rows = value

    def close(self) -> None:
        self.reader.close()
