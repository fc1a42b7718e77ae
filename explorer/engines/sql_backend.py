"""Any SQL engine as a `TimelineQueries`: the views' questions pushed down as SQL.

One module for every engine: each question is one query (two for a zoomed-out
frame) written in DuckDB's dialect over the tables of ``engines/sql_tables`` and
rendered by sqlglot for the engine at hand (``engines/sql_render``); results come
back as Arrow. Bins are right shifts of non-negative offsets from the stored origin,
so no engine time function is involved and every engine counts alike.

Zoomed out, density reads ``T__counts``: the state at the window's first edge is the
sum of at most one bucket per level (the binary digits of its bucket number), and the
window's own buckets follow, so a frame costs about two rows per column and lane
whatever the number of events. Filtered or zoomed in past the finest stored level,
the engine bins the window's rows into fine buckets and ships those counts.

The backend is read-only (the shared table is not ours to change): edits refuse with
a reason, as the DuckDB backend did before its overlay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from explorer.engines.entity_meta import entities, source_entities, source_publishers
from explorer.engines.row_record import record_from_row
from explorer.engines.sql_answers import column as _np
from explorer.engines.sql_answers import contains as _contains
from explorer.engines.sql_answers import page as _page
from explorer.engines.sql_answers import per_lane as _aligned
from explorer.engines.sql_answers import plain as _plain
from explorer.engines.sql_engines import Engine
from explorer.engines.sql_render import text as _text
from explorer.engines.sql_tables import Layout, read_meta
from explorer.model.dates import period_ends
from explorer.model.document import NO_END, STATUS_CATEGORIES
from explorer.model.opening_view import opening_window, sample_step
from explorer.model.query import (
    ALL,
    NO_ACTOR,
    Change,
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
    TimelineQueries,
    density_edges,
    density_level,
)
from explorer.model.sourcing import SEVERAL, SINGLE, UNSOURCED

I64 = npt.NDArray[np.int64]
_MIN = -(2**63)
_STATUSES = list(STATUS_CATEGORIES.categories)
INLINE_CODES = 5_000  # text hits written into a query as literals, at most
_SORTS: dict[str, str] = {
    "date": "lo",
    "status": "status",
    "title": "title_lc",
    "actors": "actor_lc",
    "sources": "source_lc",
}


def _in(column: str, values: Sequence[int] | npt.NDArray[Any]) -> str:
    listed = ",".join(str(int(v)) for v in values)
    return f"{column} IN ({listed})" if listed else "FALSE"


def prefix_cells(level: int, k: int) -> list[tuple[int, int]]:
    """(level, bucket) cells whose buckets tile buckets [0, k) of `level`: one per
    binary digit of k, at the level of that digit."""
    cells = []
    i = 0
    while k >> i:
        if (k >> i) & 1:
            cells.append((level + i, (k >> i) - 1))
        i += 1
    return cells


class SqlBackend(TimelineQueries):
    """A timeline loaded into a SQL engine (``timeline-explorer convert --to``)."""

    def __init__(self, engine: Engine, table: str) -> None:
        self.engine = engine
        self.table = table
        self.t = Layout(table)
        meta, self.index = read_meta(engine, table)
        self.meta = meta
        self.n_events = int(self.index["n_events"])
        self.origin = int(self.index["origin"])
        self.width = int(self.index["span_hi"]) - self.origin
        self.counts_min = int(self.index["counts_min"])
        self.counts_top = int(self.index["counts_top"])
        self.level_max = int(self.index["level_max"])
        self._listeners: list[Listener] = []
        self._hits: dict[tuple[str, str], list[int]] = {}
        self._totals: dict[bytes, Keys] = {}  # lanes asked -> their events (the table's)
        self._actors = entities(meta.get("actors") or [], "name")
        self._themes = entities(meta.get("themes") or [], "name")
        self._sources_meta = list(meta.get("sources") or [])
        self._sources = source_entities(self._sources_meta)
        self._publishers = source_publishers(self._sources_meta)

    def close(self) -> None:
        self.engine.close()

    # --- plumbing ---------------------------------------------------------------------

    def _sql(self, query: str) -> pa.Table:
        return self.engine.arrow(query)

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        return self.engine.rows(query)

    def _pairs_of(self, lanes: str) -> str:
        t = self.t
        return (
            f"ekey IN (SELECT ekey FROM {t.pairs} WHERE {lanes} "
            f"UNION ALL SELECT ekey FROM {t.pairs_long} WHERE {lanes})"
        )

    def _where(self, flt: Filter, pairs: bool = False) -> str:
        """The filter as SQL over the events table (or a pairs table)."""
        t = self.t
        clauses = ["TRUE"]
        if flt.starred or flt.noted or flt.tags is not None:
            # A shared table carries no stars, tags or notes (they are the analyst's,
            # kept locally): no event passes a filter asking for one.
            clauses.append("FALSE")
        if flt.actors is not None:
            lanes = [r for r in (self._actors.row_of(a) for a in flt.actors) if r >= 0]
            if pairs and self.index["single_lane"]:
                clauses.append(_in("lane", lanes))
            else:
                clauses.append(self._pairs_of(_in("lane", lanes)))
        if flt.themes is not None:
            codes = [c for c in (self._themes.row_of(x) for x in flt.themes) if c >= 0]
            clauses.append(
                f"ekey IN (SELECT ekey FROM {t.event_themes} WHERE {_in('theme', codes)})"
            )
        if flt.statuses is not None:
            codes = [_STATUSES.index(s) for s in flt.statuses if s in _STATUSES]
            clauses.append(_in("status", codes))
        if flt.window is not None:
            w0, w1 = flt.window
            clauses.append(f"lo < {int(w1)} AND hi > {int(w0)}")
        if flt.known_by is not None:
            known = f"(dated AND known <= {int(flt.known_by)})"
            clauses.append(f"({known} OR NOT dated)" if flt.known_undated else known)
        needle = flt.text.strip()
        if needle:
            clauses.append(self._text_clause(needle, pairs))
        clauses += self._word_clauses(flt)
        return " AND ".join(clauses)

    def _word_clauses(self, flt: Filter) -> list[str]:
        """Sources, sourcing levels and actors-together (explorer.model.sourcing)."""
        t = self.t
        out = []
        if flt.sources is not None:
            codes = [c for c in (self._sources.row_of(x) for x in flt.sources) if c >= 0]
            out.append(f"ekey IN (SELECT ekey FROM {t.event_sources} WHERE {_in('source', codes)})")
        if flt.sourcing is not None:
            levels = []
            if UNSOURCED in flt.sourcing:
                levels.append(f"NOT (ekey IN (SELECT ekey FROM {t.event_sources}))")
            counted = self._independent_sql()
            if SINGLE in flt.sourcing:
                levels.append(f"ekey IN (SELECT r FROM ({counted}) c WHERE n <= 1)")
            if SEVERAL in flt.sourcing:
                levels.append(f"ekey IN (SELECT r FROM ({counted}) c WHERE n >= 2)")
            out.append("(" + (" OR ".join(levels) or "FALSE") + ")")
        for actor in sorted(flt.together or ()):
            lane = self._actors.row_of(actor)
            out.append(self._pairs_of(f"lane = {lane}") if lane >= 0 else "FALSE")
        return out

    def _independent_sql(self) -> str:
        """(r, n): each sourced event and its distinct known publishers (0 when none is
        known, which counts as one source). Publishers are coded here from the sources'
        names and links and written in as a CASE, so no engine needs a join table."""
        whens = " ".join(
            f"WHEN {i} THEN {int(c)}" for i, c in enumerate(self._publishers.tolist()) if c >= 0
        )
        pub = f"CASE source {whens} ELSE NULL END" if whens else "CAST(NULL AS BIGINT)"
        return (
            f"SELECT ekey AS r, count(DISTINCT p) AS n FROM "
            f"(SELECT ekey, {pub} AS p FROM {self.t.event_sources}) s GROUP BY ekey"
        )

    def where(self, flt: Filter) -> str:
        """The filter as SQL over ``T__events`` (export pulls the rows passing it)."""
        return self._where(flt)

    def _text_clause(self, needle: str, pairs: bool) -> str:
        t = self.t
        low = _text(needle.lower())
        titles = self._code_clause("tid", t.titles, low)
        part = f"{titles} OR {self._code_clause('sid', t.summaries, low)}"
        if pairs:
            part = f"ekey IN (SELECT ekey FROM {t.events} WHERE {part})"
        out = [part]
        actor_hit = np.flatnonzero(
            _contains(self._actors.names, needle)
            | _contains(self._actors.kinds, needle)
            | _contains(self._actors.postures, needle)
        )
        if len(actor_hit):
            out.append(self._pairs_of(_in("lane", actor_hit)))
        theme_hit = np.flatnonzero(_contains(self._themes.names, needle))
        if len(theme_hit):
            out.append(
                f"ekey IN (SELECT ekey FROM {t.event_themes} WHERE {_in('theme', theme_hit)})"
            )
        publishers = [str(s.get("publisher") or "") for s in self._sources_meta]
        source_hit = np.flatnonzero(_contains(publishers, needle))
        if len(source_hit):
            out.append(
                f"ekey IN (SELECT ekey FROM {t.event_sources} WHERE {_in('source', source_hit)})"
            )
        return "(" + " OR ".join(out) + ")"

    def _code_clause(self, column: str, table: str, needle_sql: str) -> str:
        """The codes of the distinct texts holding the needle, written into the query
        when few (the engine then compares small integers); many stay a subquery."""
        found = f"SELECT code FROM {table} WHERE strpos(text_lc, {needle_sql}) > 0"
        key = (table, needle_sql)
        if key not in self._hits:
            got = self._sql(f"{found} LIMIT {INLINE_CODES + 1}")
            self._hits[key] = _np(got, "code").tolist()
        codes = self._hits[key]
        if not codes:
            return "FALSE"
        if len(codes) <= INLINE_CODES:
            return _in(column, codes)
        return f"{column} IN ({found})"

    def _window(self, t0: int, t1: int, long: bool) -> str:
        """Overlap with [t0, t1), with a bound on lo an index or zone map can use."""
        longest = int(self.index["long_max" if long else "short_max"])
        return f"lo < {int(t1)} AND hi > {int(t0)} AND lo >= {max(int(t0) - longest, _MIN)}"

    # --- counts ---------------------------------------------------------------------

    def _bucket(self, t: int, level: int) -> int:
        """Bucket number at `level` of grid time `t`, clamped to the stored buckets."""
        nb = (self.width >> level) + 1
        return min(max((int(t) - self.origin) >> level, 0), nb) if t > self.origin else 0

    def _prefix_sql(self, tag: int, level: int, k: int, lanes: str) -> str:
        cells = prefix_cells(level, k)
        if not cells:
            return ""
        where = " OR ".join(f"(lvl = {lv} AND bucket = {b})" for lv, b in cells)
        return (
            f"SELECT CAST({tag} AS BIGINT) AS w, lane, CAST(sum(starts) AS BIGINT) AS s, "
            f"CAST(sum(ends) AS BIGINT) AS e FROM {self.t.counts} WHERE ({where}) AND {lanes} "
            "GROUP BY lane"
        )

    def _lane_index(self, lanes: Keys, values: npt.NDArray[Any]) -> I64:
        lut = np.full(len(self._actors) + 2, -1, dtype=np.int64)
        lut[np.asarray(lanes, np.int64) + 1] = np.arange(len(lanes), dtype=np.int64)
        return lut[np.asarray(values, np.int64) + 1]

    # --- subscriptions and the whole ----------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def event_count(self, flt: Filter = ALL) -> int:
        if flt.is_empty:
            return self.n_events
        got = self._sql(f"SELECT count(*) AS n FROM {self.t.events} WHERE {self._where(flt)}")
        return int(_np(got, "n")[0])

    def opening(self) -> tuple[int, int]:
        """Where the window opens: the in-memory rule over the events' bounds (exact up
        to OPENING_SAMPLE events; beyond, over every k-th event by key)."""
        return opening_window(*self.opening_sample())

    def opening_sample(self) -> tuple[I64, I64]:
        """The bounds the opening window is found over (a subclass's `_where` may
        leave rows out: an overlay's taken-over ones)."""
        step = sample_step(self.n_events)
        where = self._where(ALL) + ("" if step == 1 else f" AND ekey % {step} = 0")
        got = self._sql(f"SELECT lo, hi FROM {self.t.events} WHERE {where}")
        return _np(got, "lo"), _np(got, "hi")

    def undated_count(self, flt: Filter = ALL) -> int:
        got = self._sql(
            f"SELECT count(*) AS n FROM {self.t.events} WHERE NOT dated AND {self._where(flt)}"
        )
        return int(_np(got, "n")[0])

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        if not self.n_events:
            return 0, 0
        if flt.is_empty:
            return int(self.index["span_lo"]), int(self.index["span_hi"])
        got = self._sql(
            f"SELECT min(lo) AS first_lo, max(hi) AS last_hi, count(*) AS n FROM {self.t.events} "
            f"WHERE {self._where(flt)}"
        )
        if not int(_np(got, "n")[0]):
            return 0, 0
        return int(_np(got, "first_lo")[0]), int(_np(got, "last_hi")[0])

    def title(self) -> str:
        return str(self.meta.get("title") or "")

    def actors(self) -> EntityTable:
        return self._actors

    def themes(self) -> EntityTable:
        return self._themes

    def sources(self) -> EntityTable:
        return self._sources

    def lanes(self) -> Lanes:
        keys = list(range(len(self._actors)))
        names = list(self._actors.names)
        if self.index["has_no_actor"]:
            keys.append(NO_ACTOR)
            names.append("(no actor)")
        return Lanes(keys=np.asarray(keys, dtype=np.int64), names=tuple(names))

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        lanes = np.asarray(lanes, dtype=np.int64)
        if flt.is_empty:  # the table does not change under us: asked once per lane set
            found = self._totals.get(lanes.tobytes())
            if found is None:
                got = self._sql(
                    f"SELECT lane, CAST(sum(starts) AS BIGINT) AS n FROM {self.t.counts} "
                    f"WHERE lvl = {self.counts_top} AND {_in('lane', lanes)} GROUP BY lane"
                )
                found = self._totals[lanes.tobytes()] = _aligned(lanes, got)
            return found.copy()
        where = self._where(flt, pairs=True)
        t = self.t
        got = self._sql(
            f"SELECT lane, count(*) AS n FROM (SELECT lane FROM {t.pairs} WHERE {where} "
            f"UNION ALL SELECT lane FROM {t.pairs_long} WHERE {where}) AS q "
            f"WHERE {_in('lane', lanes)} GROUP BY lane"
        )
        return _aligned(lanes, got)

    def actor_counts(self, flt: Filter = ALL) -> Keys:
        return self.lane_counts(flt, np.arange(len(self._actors), dtype=np.int64))

    # --- a window -----------------------------------------------------------------------

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        lanes = np.asarray(lanes, dtype=np.int64)
        t = self.t
        first, last = SqlBackend.span(self)  # the table's own (no overlay taken off)
        if flt.is_empty and self.n_events and t0 <= first and t1 >= last:
            # A window holding every event (zoomed out): the table's own lane totals
            # (not a subclass's, which would take an overlay's rows off twice).
            return SqlBackend.lane_counts(self, flt, lanes)
        wanted = _in("lane", lanes)
        if flt.is_empty and t1 > t0 and self.n_events:
            # S(t1) - E(t0): the grid part from the counts, the thin slices between each
            # time and the grid line at or below it from the rows.
            level = self.counts_min
            g0, g1 = self._grid(t0, level), self._grid(t1, level)
            parts = [
                p
                for p in (
                    self._prefix_sql(0, level, self._bucket(g1, level), wanted),
                    self._prefix_sql(1, level, self._bucket(g0, level), wanted),
                )
                if p
            ]
            for table, long in ((t.pairs, False), (t.pairs_long, True)):
                longest = int(self.index["long_max" if long else "short_max"])
                if g1 < t1:
                    parts.append(
                        f"SELECT CAST(2 AS BIGINT) AS w, lane, CAST(count(*) AS BIGINT) AS s, "
                        f"CAST(0 AS BIGINT) AS e FROM {table} WHERE "
                        f"lo >= {g1} AND lo < {int(t1)} AND {wanted} GROUP BY lane"
                    )
                if g0 < t0:
                    parts.append(
                        f"SELECT CAST(3 AS BIGINT) AS w, lane, CAST(0 AS BIGINT) AS s, "
                        f"CAST(count(*) AS BIGINT) AS e FROM {table} WHERE "
                        f"hi > {g0} AND hi <= {int(t0)} AND lo >= {max(g0 - longest, _MIN)} "
                        f"AND lo < {int(t0)} AND {wanted} GROUP BY lane"
                    )
            out = np.zeros(len(lanes), dtype=np.int64)
            if not parts:
                return out
            got = self._sql(" UNION ALL ".join(parts))
            w = _np(got, "w")
            i = self._lane_index(lanes, _np(got, "lane"))
            s, e = _np(got, "s"), _np(got, "e")
            # S(g1) [w0 s] - E(g0) [w1 e] + starts in [g1, t1) [w2] - ends in (g0, t0] [w3]
            value = np.where(w == 0, s, 0) - np.where(w == 1, e, 0) + np.where(w == 2, s, 0)
            value = value - np.where(w == 3, e, 0)
            np.add.at(out, i, value)
            return out
        where = self._where(flt, pairs=True)
        got = self._sql(
            f"SELECT lane, count(*) AS n FROM ("
            f"SELECT lane FROM {t.pairs} WHERE {self._window(t0, t1, False)} AND {where} "
            f"UNION ALL SELECT lane FROM {t.pairs_long} WHERE {self._window(t0, t1, True)} "
            f"AND {where}) AS q WHERE {wanted} GROUP BY lane"
        )
        return _aligned(lanes, got)

    def _grid(self, t: int, level: int) -> int:
        return self.origin + (max(int(t) - self.origin, 0) >> level << level)

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        lanes = np.asarray(lanes, dtype=np.int64)
        edges = density_edges(t0, t1, bins)
        level = density_level(t0, t1, bins)
        if flt.is_empty and level >= self.counts_min and self.n_events and len(lanes):
            level = min(level, self.level_max)
            return Density(
                lanes=lanes, edges=edges, counts=self._density_counts(lanes, edges, level)
            )
        if not self.n_events or not len(lanes):
            return Density(
                lanes=lanes, edges=edges, counts=np.zeros((len(lanes), len(edges) - 1), np.int64)
            )
        return Density(
            lanes=lanes, edges=edges, counts=self._density_rows(flt, lanes, edges, level)
        )

    def _density_counts(self, lanes: Keys, edges: Keys, level: int) -> I64:
        """From the count table: the state at the first edge, then the window's buckets."""
        nb = (self.width >> level) + 1
        ks = np.clip((np.asarray(edges, np.int64) - self.origin) >> level, 0, nb)
        k0, kn = int(ks[0]), int(ks[-1])
        wanted = _in("lane", lanes)
        parts = [p for p in (self._prefix_sql(0, level, k0, wanted),) if p]
        if kn > k0:
            parts.append(
                f"SELECT CAST(1 + bucket - {k0} AS BIGINT) AS w, lane, starts AS s, ends AS e "
                f"FROM {self.t.counts} "
                f"WHERE lvl = {level} AND bucket >= {k0} AND bucket < {kn} AND {wanted}"
            )
        n = kn - k0 + 1
        starts = np.zeros((len(lanes), n), dtype=np.int64)
        ends = np.zeros((len(lanes), n), dtype=np.int64)
        if parts:
            got = self._sql(" UNION ALL ".join(parts))
            w = _np(got, "w")
            i = self._lane_index(lanes, _np(got, "lane"))
            flat = i * n + w
            # The window's buckets are one row per (lane, bucket) in the count table:
            # put in place. Column 0 sums the prefix cells (a few per lane).
            body = w > 0
            for out, col in ((starts, "s"), (ends, "e")):
                values = _np(got, col)
                cells = out.reshape(-1)
                cells[flat[body]] = values[body]
                np.add.at(cells, flat[~body], values[~body])
        # Column j: S(edge j+1) - E(edge j), with S(k) = prefix + buckets [k0, k).
        s_cum = np.cumsum(starts, axis=1)
        e_cum = np.cumsum(ends, axis=1)
        at = ks - k0
        return np.asarray(s_cum[:, at[1:]] - e_cum[:, at[:-1]], dtype=np.int64)

    def _density_rows(self, flt: Filter, lanes: Keys, edges: Keys, level: int) -> I64:
        """The engine bins the window's rows into fine buckets (width 2**level) and
        ships their counts; columns are sums of those."""
        e0, en = int(edges[0]), int(edges[-1])
        where = self._where(flt, pairs=True)
        wanted = _in("lane", lanes)
        n_fine = max((en - e0) >> level, 1)
        t = self.t
        parts = []
        for table, long in ((t.pairs, False), (t.pairs_long, True)):
            base = f"FROM {table} WHERE {self._window(e0, en, long)} AND {where} AND {wanted}"
            parts.append(
                f"SELECT lane, CAST(0 AS BIGINT) AS e, CAST(CASE WHEN lo < {e0} THEN -1 ELSE "
                f"(lo - {e0}) >> {level} END AS BIGINT) AS b {base}"
            )
            parts.append(
                f"SELECT lane, CAST(1 AS BIGINT) AS e, "
                f"CAST((least(hi, {en}) - 1 - {e0}) >> {level} AS BIGINT) AS b {base}"
            )
        got = self._sql(
            f"SELECT lane, e, b, count(*) AS n FROM ({' UNION ALL '.join(parts)}) AS q "
            "GROUP BY lane, e, b"
        )
        lane_i = self._lane_index(lanes, _np(got, "lane"))
        which = _np(got, "e")
        # Buckets shifted by one: -1 holds the events that start before the window.
        fine_bin = np.clip(_np(got, "b"), -1, n_fine) + 1
        size = len(lanes) * (n_fine + 2)
        flat = lane_i * (n_fine + 2) + fine_bin
        weights = _np(got, "n", np.float64)
        fine = [
            np.bincount(flat[which == e], weights[which == e], minlength=size)
            .astype(np.int64)
            .reshape(len(lanes), n_fine + 2)
            for e in (0, 1)
        ]
        at = ((edges - e0) >> level).astype(np.int64)

        def sample(counts: I64, k: I64) -> I64:
            """Events whose bucket is below each k (S or E at those edges)."""
            cum = np.concatenate(
                [np.zeros((len(lanes), 1), np.int64), np.cumsum(counts, axis=1)], axis=1
            )
            return np.asarray(cum[:, np.minimum(k + 1, n_fine + 2)], dtype=np.int64)

        return sample(fine[0], at[1:]) - sample(fine[1], at[:-1])

    def marks(self, flt: Filter, lanes: Keys, t0: int, t1: int, cap: int) -> Marks:
        lanes = np.asarray(lanes, dtype=np.int64)
        where = self._where(flt, pairs=True)
        t = self.t
        cols = "lane, ekey, lo, hi, status, sp, ed, ep"
        parts = [
            f"SELECT {cols}, t, total FROM (SELECT {cols}, CAST({i} AS BIGINT) AS t, "
            "CAST(count(*) OVER (PARTITION BY lane) AS BIGINT) AS total, "
            "row_number() OVER (PARTITION BY lane ORDER BY lo, ekey) AS rn "
            f"FROM {table} WHERE {self._window(t0, t1, long)} AND {where} "
            f"AND {_in('lane', lanes)}) AS q{i} WHERE rn <= {int(cap)}"
            for i, (table, long) in enumerate(((t.pairs, False), (t.pairs_long, True)))
        ]
        got = self._sql(" UNION ALL ".join(parts))
        lane_i = self._lane_index(lanes, _np(got, "lane")).astype(np.int32)
        key = _np(got, "ekey")
        lo = _np(got, "lo")
        order = np.lexsort((key, lo, lane_i))
        lane_i, key, lo = lane_i[order], key[order], lo[order]
        first = np.searchsorted(lane_i, lane_i, side="left")
        keep = (np.arange(len(lane_i)) - first) < cap
        pick = order[keep]
        lane_i, key, lo = lane_i[keep], key[keep], lo[keep]
        hi = _np(got, "hi")[pick]
        sp = _np(got, "sp", np.int8)[pick]
        ed = _np(got, "ed")[pick]
        ep = _np(got, "ep", np.int8)[pick]
        has_end = ep != NO_END
        core_lo = np.where(has_end, period_ends(lo, sp), lo)
        core_hi = np.where(has_end, ed, lo)
        totals = np.zeros(len(lanes), dtype=np.int64)
        if got.num_rows:
            all_lanes = self._lane_index(lanes, _np(got, "lane"))
            per = np.zeros((2, len(lanes)), dtype=np.int64)
            per[_np(got, "t"), all_lanes] = _np(got, "total")
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
            status=_np(got, "status", np.int8)[pick],
            start_precision=sp,
            end_precision=ep,
            flags=np.zeros(len(key), np.uint8),  # shared tables carry no annotations yet
        )

    def titles(self, keys: Keys) -> list[str]:
        keys = np.asarray(keys, dtype=np.int64)
        got = self._rows(
            f"SELECT e.ekey, t.label FROM {self.t.events} AS e JOIN {self.t.titles} AS t "
            f"ON t.code = e.tid WHERE {_in('e.ekey', keys)}"
        )
        found = {int(k): str(v) for k, v in got}
        return [found.get(int(k), "") for k in keys]

    # --- walking in time ------------------------------------------------------------------

    def step(self, flt: Filter, lanes: Keys | None, at: tuple[int, int], direction: int) -> int:
        lo, key = int(at[0]), int(at[1])
        if direction > 0:
            cond = f"(lo > {lo} OR (lo = {lo} AND ekey > {key}))"
            order = "lo, ekey"
        else:
            cond = f"(lo < {lo} OR (lo = {lo} AND ekey < {key}))"
            order = "lo DESC, ekey DESC"
        t = self.t
        if lanes is None:
            source = f"SELECT ekey, lo FROM {t.events} WHERE {cond} AND {self._where(flt)}"
        else:
            where = self._where(flt, pairs=True)
            lane_sql = _in("lane", lanes)
            source = (
                f"SELECT ekey, lo FROM {t.pairs} WHERE {cond} AND {lane_sql} AND {where} "
                f"UNION ALL SELECT ekey, lo FROM {t.pairs_long} WHERE {cond} AND {lane_sql} "
                f"AND {where}"
            )
        got = self._sql(f"SELECT ekey, lo FROM ({source}) AS q ORDER BY {order} LIMIT 1")
        return int(_np(got, "ekey")[0]) if got.num_rows else -1

    def nearest(self, flt: Filter, lane: int, when: int) -> int:
        where = self._where(flt, pairs=True)
        t = self.t
        # The engine ranks in floating point; the few best are then compared exactly.
        got = self._rows(
            f"SELECT ekey, lo, hi FROM (SELECT ekey, lo, hi FROM {t.pairs} WHERE lane = "
            f"{int(lane)} AND {where} UNION ALL SELECT ekey, lo, hi FROM {t.pairs_long} "
            f"WHERE lane = {int(lane)} AND {where}) AS q ORDER BY "
            f"abs((CAST(lo AS DOUBLE) + CAST(hi AS DOUBLE)) / 2 - {float(when)}), lo, ekey "
            "LIMIT 16"
        )
        if not got:
            return -1
        best = min(
            got, key=lambda r: (abs((int(r[1]) + int(r[2])) // 2 - when), int(r[1]), int(r[0]))
        )
        return int(best[0])

    def first_title_match(self, flt: Filter) -> int:
        needle = flt.text.strip()
        if not needle:
            return -1
        codes = self._code_clause("tid", self.t.titles, _text(needle.lower()))
        got = self._sql(
            f"SELECT ekey, lo FROM {self.t.events} WHERE {self._where(flt)} AND {codes} "
            "ORDER BY lo, ekey LIMIT 1"
        )
        return int(_np(got, "ekey")[0]) if got.num_rows else -1

    # --- the table -----------------------------------------------------------------------

    def _ordered(self, flt: Filter, sort: SortColumn) -> str:
        return f"SELECT ekey, {_SORTS[sort]} AS v FROM {self.t.events} WHERE {self._where(flt)}"

    def page(
        self, flt: Filter, sort: SortColumn, descending: bool, after: Cursor | None, limit: int
    ) -> Page:
        direction = "DESC" if descending else "ASC"
        cmp = "<" if descending else ">"
        inner = self._ordered(flt, sort)
        cond = "TRUE"
        if after is not None:
            v = _value(after.value)
            cond = f"(v {cmp} {v} OR (v = {v} AND ekey {cmp} {int(after.key)}))"
        got = self._rows(
            f"SELECT ekey, v FROM ({inner}) AS q WHERE {cond} ORDER BY v {direction}, "
            f"ekey {direction} LIMIT {int(limit) + 1}"
        )
        total = self.event_count(flt)
        before = 0
        if after is not None:
            before = int(
                self._rows(f"SELECT count(*) AS n FROM ({inner}) AS q WHERE NOT {cond}")[0][0]
            )
        return _page(got, limit, before, total)

    def page_at(
        self, flt: Filter, sort: SortColumn, descending: bool, ordinal: int, limit: int
    ) -> Page:
        direction = "DESC" if descending else "ASC"
        ordinal = max(int(ordinal), 0)
        got = self._rows(
            f"SELECT ekey, v FROM ({self._ordered(flt, sort)}) AS q ORDER BY v {direction}, "
            f"ekey {direction} LIMIT {int(limit) + 1} OFFSET {ordinal}"
        )
        return _page(got, limit, ordinal, self.event_count(flt))

    def ordinal_of(self, flt: Filter, sort: SortColumn, descending: bool, key: int) -> int:
        inner = self._ordered(flt, sort)
        mine = self._rows(f"SELECT v FROM ({inner}) AS q WHERE ekey = {int(key)}")
        if not mine:
            return -1
        v = _value(mine[0][0])
        cmp = ">" if descending else "<"
        return int(
            self._rows(
                f"SELECT count(*) AS n FROM ({inner}) AS q "
                f"WHERE v {cmp} {v} OR (v = {v} AND ekey {cmp} {int(key)})"
            )[0][0]
        )

    def sort_values(self, sort: SortColumn, keys: Keys) -> list[int | str]:
        got = dict(
            self._rows(
                f"SELECT ekey, {_SORTS[sort]} AS v FROM {self.t.events} WHERE {_in('ekey', keys)}"
            )
        )
        return [_plain(got.get(int(k), "")) for k in keys]

    # --- one event -------------------------------------------------------------------------

    def _record_row(self, key: int) -> dict[str, Any]:
        if not 0 <= key < self.n_events:
            raise KeyError(key)
        got = self._sql(f"SELECT * FROM {self.table} WHERE ekey = {int(key)}")
        if not got.num_rows:
            raise KeyError(key)
        return {name: got.column(name)[0].as_py() for name in got.column_names}

    def record(self, key: int) -> EventRecord:
        key = int(key)
        raw = self._record_row(key)
        (lo, hi, known), *_ = self._rows(
            f"SELECT lo, hi, known FROM {self.t.events} WHERE ekey = {key}"
        )
        return record_from_row(
            raw,
            key,
            (int(lo), int(hi), int(known)),
            (self._actors, self._themes, self._sources),
            self._sources_meta,
            seconds=("start_seconds", "end_seconds"),
        )

    def key_of(self, event_id: str) -> int:
        got = self._rows(f"SELECT ekey FROM {self.table} WHERE id = {_text(event_id)} LIMIT 1")
        return int(got[0][0]) if got else -1

    def event_ids(self, keys: Keys) -> list[str]:
        keys = np.asarray(keys, dtype=np.int64)
        got = dict(self._rows(f"SELECT ekey, id FROM {self.table} WHERE {_in('ekey', keys)}"))
        missing = [int(k) for k in keys if int(k) not in got]
        if missing:
            raise KeyError(missing[0])
        return [str(got[int(k)]) for k in keys]

    def bounds(self, keys: Keys) -> tuple[Keys, Keys]:
        keys = np.asarray(keys, dtype=np.int64)
        got = self._sql(f"SELECT ekey, lo, hi FROM {self.t.events} WHERE {_in('ekey', keys)}")
        where = {int(k): i for i, k in enumerate(_np(got, "ekey"))}
        at = np.asarray([where[int(k)] for k in keys], dtype=np.int64)
        return _np(got, "lo")[at], _np(got, "hi")[at]

    def lanes_of(self, key: int) -> Keys:
        raw = self._record_row(int(key))
        seen: list[int] = []
        for ref in json.loads(raw.get("actors") or "[]") or []:
            row = self._actors.row_of(str(ref["actor"]))
            if row >= 0 and row not in seen:
                seen.append(row)
        return np.asarray(seen or [NO_ACTOR], dtype=np.int64)

    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        keys = np.asarray(keys, dtype=np.int64)
        if flt.is_empty:
            return (keys >= 0) & (keys < self.n_events)
        got = self._sql(
            f"SELECT ekey FROM {self.t.events} WHERE {_in('ekey', keys)} AND {self._where(flt)}"
        )
        return np.isin(keys, _np(got, "ekey"))

    # --- editing -----------------------------------------------------------------------

    def validate_event(self, record: Mapping[str, Any], replacing: str | None) -> list[Problem]:
        return [Problem("", _READ_ONLY)]

    def apply(self, edit: EditOp) -> EditOp:
        raise InvalidEditError([Problem("", _READ_ONLY)])

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)


_READ_ONLY = (
    "this timeline is read from a shared SQL table and cannot be edited here; "
    "export it (--export) to edit a copy"
)


def _value(value: Any) -> str:
    return _text(value) if isinstance(value, str) else str(int(value))
