"""A shared SQL table under the analyst's overlay: annotations and edits of a case
that is not ours to change (issue 10, point 5).

`SqlOverlayBase` is the SQL backend as an `OverlayBase`: it answers as if the rows
the overlay took over were not in the table (``NOT ekey IN (...)`` in every filtered
query; the count tables' answers minus the originals' counts, as the DuckDB reader
does), and takes the overlay's added actors, sources and themes. The shared tables
carry no annotations: every annotated event is the overlay's, so annotation filters
select no row of the table. The overlay is kept locally, in the cache, one per
source URL (without its password) and table (`sql_overlay_files`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from explorer.engines.entity_meta import source_entities, source_publishers
from explorer.engines.overlay import OverlaidQueries, OverlayBase, OverlayFiles
from explorer.engines.sql_answers import column as _np
from explorer.engines.sql_backend import SqlBackend, _in
from explorer.engines.sql_engines import Engine, redact
from explorer.model.query import (
    ALL,
    Density,
    EntityTable,
    Filter,
    Keys,
    TimelineQueries,
    density_level,
)

I64 = npt.NDArray[np.int64]


def sql_overlay_files(url: str, table: str) -> OverlayFiles:
    """The overlay of `table` at `url`, in the user's cache (beside the count tables a
    read-only engine keeps locally): never on the shared engine."""
    from explorer.engines.duckdb_index import cache_root

    key = hashlib.sha256(f"{redact(url)}\n{table}".encode()).hexdigest()[:20]
    folder = cache_root().parent / "overlays" / key
    saved = folder / "overlay.json"
    return OverlayFiles(saved=saved, unsaved=folder / "overlay.json.unsaved", beside_data=False)


class SqlOverlayBase(SqlBackend, OverlayBase):
    """The SQL backend answering without the rows an overlay took over."""

    def __init__(self, engine: Engine, table: str) -> None:
        super().__init__(engine, table)
        self._excluded: I64 = np.zeros(0, dtype=np.int64)
        self._originals: TimelineQueries | None = None
        self._span_cache: tuple[int, int] | None = None

    # --- OverlayBase ------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        return self.n_events

    def data_identity(self) -> list[list[Any]]:
        index = self.index
        return [[self.table, self.n_events, int(index["span_lo"]), int(index["span_hi"])]]

    def exclude(self, keys: I64, originals: TimelineQueries | None) -> None:
        self._excluded = np.unique(np.asarray(keys, dtype=np.int64))
        self._originals = originals if len(self._excluded) else None
        self._span_cache = None

    def set_entities(
        self, actors: EntityTable, themes: EntityTable, sources: Sequence[Mapping[str, Any]]
    ) -> None:
        self._actors, self._themes = actors, themes
        self._sources_meta = [dict(s) for s in sources]
        self._sources = source_entities(self._sources_meta)
        self._publishers = source_publishers(self._sources_meta)
        self._hits.clear()

    # --- the table without the taken-over rows ------------------------------------------

    def _where(self, flt: Filter, pairs: bool = False) -> str:
        # (No row of a shared table carries annotations: SqlBackend selects none for an
        # annotation filter; the overlay holds them all.)
        out = super()._where(flt, pairs)
        if len(self._excluded):
            out += f" AND NOT {_in('ekey', self._excluded)}"
        return out

    def _taken(self, name: str, *args: Any) -> Any:
        """The originals' answer to `name(ALL, *args)` (None without an overlay)."""
        return None if self._originals is None else getattr(self._originals, name)(ALL, *args)

    def event_count(self, flt: Filter = ALL) -> int:
        if flt.is_empty:
            return self.n_events - len(self._excluded)
        return super().event_count(flt)

    def span(self, flt: Filter = ALL) -> tuple[int, int]:
        if not flt.is_empty or not len(self._excluded):
            return super().span(flt)
        if self._span_cache is None:
            got = self._sql(
                f"SELECT min(lo) AS first_lo, max(hi) AS last_hi, count(*) AS n "
                f"FROM {self.t.events} WHERE {self._where(flt)}"
            )
            empty = not int(_np(got, "n")[0])
            self._span_cache = (
                (0, 0) if empty else (int(_np(got, "first_lo")[0]), int(_np(got, "last_hi")[0]))
            )
        return self._span_cache

    def lane_counts(self, flt: Filter, lanes: Keys) -> Keys:
        out = super().lane_counts(flt, lanes)
        taken = self._taken("lane_counts", lanes) if flt.is_empty else None
        return out if taken is None else out - taken

    def window_counts(self, flt: Filter, lanes: Keys, t0: int, t1: int) -> Keys:
        out = super().window_counts(flt, lanes, t0, t1)
        counted = flt.is_empty and t1 > t0 and self.n_events  # from the count tables
        taken = self._taken("window_counts", lanes, t0, t1) if counted else None
        return out if taken is None else out - taken

    def density(self, flt: Filter, lanes: Keys, t0: int, t1: int, bins: int) -> Density:
        got = super().density(flt, lanes, t0, t1, bins)
        counted = (
            flt.is_empty
            and density_level(t0, t1, bins) >= self.counts_min
            and self.n_events
            and len(lanes)
        )
        taken = self._taken("density", lanes, t0, t1, bins) if counted else None
        return got if taken is None else replace(got, counts=got.counts - taken.counts)

    def passes(self, flt: Filter, keys: Keys) -> npt.NDArray[np.bool_]:
        keys = np.asarray(keys, dtype=np.int64)
        return super().passes(flt, keys) & ~np.isin(keys, self._excluded)


class SqlOverlaid(OverlaidQueries):
    """What a window opens on a shared table: the table (read-only) under the analyst's
    overlay, kept locally (`sql_overlay_files`)."""

    def __init__(self, engine: Engine, table: str, files: OverlayFiles | None = None) -> None:
        base = SqlOverlayBase(engine, table)
        meta = base.meta
        blank: dict[str, Any] = {
            "title": str(meta.get("title") or ""),
            **{k: list(meta.get(k) or []) for k in ("actors", "sources", "themes")},
        }
        super().__init__(base, files or sql_overlay_files(engine.url, table), blank)
        self.reader = base

    def close(self) -> None:
        self.reader.close()
