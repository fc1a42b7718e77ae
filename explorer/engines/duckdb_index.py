"""The sidecar a DuckDB-backed document reads instead of its Parquet data.

Built once per set of Parquet files (the app's own schema, ``explorer/io/parquet.py``)
and kept in the user's cache directory under a key made of each file's path, size and
modification time, so a changed file is never answered from a stale index. Building
streams the files in Arrow batches (bounded memory) and computes each event's covered
interval with the same numpy calendar code as the in-memory store, so both backends
agree to the second, deep time included.

What it holds (one DuckDB database file plus numpy count arrays):

``events``   one row per event, sorted by (lo, row): row, lo, hi, status, tid, sid, known.
             ``rowid`` is the ordinal in start order, so the table seeks by position.
``pairs``    one row per (event, lane): the events of each actor's lane (lane -1 for
             events that name nobody), split by length into ``pairs`` (short, sorted by
             lo, so a window reads a few row groups) and ``pairs_long`` (the longest
             1 %, read whole: few rows, and without them one long span would make every
             window query read everything before it).
``titles``, ``summaries``  distinct texts (search runs over these, then maps codes).
``event_themes``, ``event_sources``  links, by event row.
``event_roles``  every (event row, lane, role) an event gives an actor (the web of actors).
``counts/S_L.npy``, ``counts/E_L.npy``  per lane (rows: lane + 1), cumulative counts of
             starts and ends at power-of-two bins of width 2**L seconds from ``origin``:
             S[l, k] = events of lane l with lo < edge(k+1), E[l, k] = with hi <= edge(k+1).
             Events overlapping bin k are S[k] - E[k-1]: a zoomed-out frame reads about
             two numbers per pixel column and lane, whatever the number of events.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from explorer.io.parquet import METADATA_KEY
from explorer.model.document import STATUS_CATEGORIES, bounds_of

INDEX_VERSION: Final = 5
BATCH_ROWS: Final = 1 << 20
MAX_COUNT_CELLS: Final = 1 << 25  # lanes x bins at the finest count level (128 MB an array)
LONG_SHARE: Final = 0.01  # the longest events kept apart (see the module docstring)
_COLUMNS: Final = (
    "title",
    "summary",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "status",
    "actors",
    "sources",
    "themes",
)

Progress = Callable[[float], None]


class ParquetIndexError(Exception):
    """The Parquet data cannot be indexed (the message says why, naming the file)."""


class IndexCancelledError(Exception):
    """The user cancelled building the index."""


@dataclass(frozen=True)
class IndexInfo:
    """What the backend needs to know about a built index (saved as info.json)."""

    version: int
    files: list[str]
    n_events: int
    n_pairs: int
    origin: int
    span_lo: int
    span_hi: int
    level_min: int
    level_max: int
    short_max: int  # longest event in `pairs` (seconds); `pairs_long` holds the rest
    long_max: int
    single_lane: bool  # every event is in at most one lane
    n_lanes: int
    metadata: dict[str, Any]  # title, description, actors, sources, themes (file format)
    build_seconds: float


def cache_root() -> Path:
    """Where sidecars live: $TIMELINE_EXPLORER_CACHE, else the XDG cache directory."""
    override = os.environ.get("TIMELINE_EXPLORER_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "timeline-explorer" / "index"


def parquet_files(source: Path) -> list[Path]:
    """One Parquet file, or every ``*.parquet`` in a folder (sorted: rows number in order)."""
    if source.is_dir():
        files = sorted(p for p in source.glob("*.parquet") if p.is_file())
        if not files:
            raise ParquetIndexError(f"{source}: no .parquet files in this folder")
        return files
    if not source.is_file():
        raise ParquetIndexError(f"{source}: not a file or folder")
    return [source]


def fingerprint(files: Sequence[Path]) -> str:
    """Changes whenever a file is replaced, grows, or is touched."""
    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    for path in files:
        st = path.stat()
        h.update(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:32]


def index_dir(files: Sequence[Path], cache: Path | None = None) -> Path:
    return (cache or cache_root()) / fingerprint(files)


def load_info(folder: Path) -> IndexInfo | None:
    try:
        raw = json.loads((folder / "info.json").read_text("utf-8"))
        info = IndexInfo(**raw)
    except (OSError, ValueError, TypeError):
        return None
    return info if info.version == INDEX_VERSION else None


def ensure_index(
    source: Path,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    cache: Path | None = None,
) -> tuple[Path, IndexInfo]:
    """The sidecar folder for `source` and its info, building it first if needed
    (under `cache`, else the user's cache directory)."""
    files = parquet_files(source)
    folder = index_dir(files, cache)
    info = load_info(folder)
    if info is not None:
        return folder, info
    return folder, build_index(files, folder, progress, cancelled)


# --- reading the files' own metadata ---------------------------------------------------


def _file_metadata(path: Path) -> dict[str, Any]:
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise ParquetIndexError(f"{path}: not a readable Parquet file ({exc})") from None
    missing = [c for c in _COLUMNS if c not in schema.names]
    if missing:
        raise ParquetIndexError(
            f"{path}: not a Timeline Explorer Parquet file (no column {missing[0]!r})"
        )
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return {"actors": [], "sources": [], "themes": []}
    try:
        meta = json.loads(raw)
    except ValueError:
        raise ParquetIndexError(f"{path}: its document metadata is not JSON") from None
    if not isinstance(meta, dict):
        raise ParquetIndexError(f"{path}: its document metadata is not an object")
    return meta


def merged_metadata(files: Sequence[Path]) -> dict[str, Any]:
    """Actors, sources, themes and periods of every file, each id once (the first file
    wins)."""
    out: dict[str, Any] = {"title": "", "description": "", "actors": [], "sources": []}
    out["themes"], out["periods"] = [], []
    seen: dict[str, set[str]] = {k: set() for k in ("actors", "sources", "themes", "periods")}
    carried = False
    for path in files:
        meta = _file_metadata(path)
        carried = carried or "title" in meta
        if not out["title"]:
            out["title"] = str(meta.get("title") or "")
            out["description"] = str(meta.get("description") or "")
        for table in ("actors", "sources", "themes", "periods"):
            for record in meta.get(table) or []:
                if isinstance(record, dict) and str(record.get("id")) not in seen[table]:
                    seen[table].add(str(record.get("id")))
                    out[table].append(record)
        for key in ("attribute_columns", "attribute_empty"):
            if key in meta and key not in out:
                out[key] = meta[key]
    if not carried:  # no file says its title: name the data after its file or folder
        out["title"] = files[0].stem if len(files) == 1 else files[0].parent.name
    return out


# --- building --------------------------------------------------------------------------


def _status_codes(column: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int8]:
    values = pc.fill_null(column.cast(pa.string()), "")
    codes = pd.Categorical(values.to_pandas(), dtype=STATUS_CATEGORIES).codes
    return np.asarray(codes, dtype=np.int8)


def _flatten(column: Any) -> tuple[npt.NDArray[np.int64], pa.Array]:
    """Parent row and value of every item of a list column."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    parents = np.asarray(pc.list_parent_indices(column).to_numpy(), dtype=np.int64)
    return parents, pc.list_flatten(column)


def _first_per_row(
    parents: npt.NDArray[np.int64], values: npt.NDArray[np.int64], n: int
) -> npt.NDArray[np.int64]:
    """The first value (in list order) of each row's list, -1 for an empty one."""
    out = np.full(n, -1, dtype=np.int64)
    if len(parents):
        firsts, at = np.unique(parents, return_index=True)
        out[firsts] = values[at]
    return out


def build_index(
    files: Sequence[Path],
    folder: Path,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> IndexInfo:
    """Stream every file once into a fresh sidecar, then swap it into place."""
    import duckdb

    began = time.perf_counter()
    report = progress or (lambda _f: None)
    stop = cancelled or (lambda: False)
    meta = merged_metadata(files)
    actor_index = pd.Index([str(a.get("id")) for a in meta["actors"]])
    source_index = pd.Index([str(s.get("id")) for s in meta["sources"]])
    theme_index = pd.Index([str(t.get("id")) for t in meta["themes"]])
    published = np.full(len(source_index), np.iinfo(np.int64).max, dtype=np.int64)
    for i, record in enumerate(meta["sources"]):
        if record.get("published"):
            from explorer.model.dates import DateError, parse_date

            with contextlib.suppress(DateError):
                published[i] = parse_date(str(record["published"])).seconds
    total_rows = 0
    readers = []
    for path in files:
        try:
            handle = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise ParquetIndexError(f"{path}: not a readable Parquet file ({exc})") from None
        readers.append((path, handle))
        total_rows += handle.metadata.num_rows

    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.with_name(folder.name + f".building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    (work / "counts").mkdir(parents=True)
    con = duckdb.connect(str(work / "index.duckdb"))
    try:
        con.sql(f"SET temp_directory = '{work / 'spill'}'")
        con.sql("SET memory_limit = '3GB'")
        con.sql("SET preserve_insertion_order = false")
        con.sql(
            "CREATE TABLE raw_pairs (row BIGINT, lo BIGINT, hi BIGINT, lane INTEGER, "
            "status TINYINT, sp TINYINT, ed BIGINT, ep TINYINT, known BIGINT, dated BOOLEAN)"
        )
        con.sql(
            "CREATE TABLE raw_events (row BIGINT, lo BIGINT, hi BIGINT, status TINYINT, "
            "sp TINYINT, ed BIGINT, ep TINYINT, known BIGINT, dated BOOLEAN, first_lane INTEGER, "
            "first_source INTEGER, title VARCHAR, summary VARCHAR)"
        )
        con.sql("CREATE TABLE event_themes (row BIGINT, theme INTEGER)")
        con.sql("CREATE TABLE event_sources (row BIGINT, source INTEGER)")
        con.sql("CREATE TABLE event_roles (row BIGINT, lane INTEGER, role VARCHAR)")
        offset = 0
        single_lane = True
        for path, handle in readers:
            for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=list(_COLUMNS)):
                if stop():
                    raise IndexCancelledError()
                n = batch.num_rows
                rows = np.arange(offset, offset + n, dtype=np.int64)
                sp = batch.column("start_precision").to_numpy().astype(np.int8)
                ed = batch.column("end").to_numpy().astype(np.int64)
                ep = batch.column("end_precision").to_numpy().astype(np.int8)
                lo, hi = bounds_of(batch.column("start").to_numpy().astype(np.int64), sp, ed, ep)
                status = _status_codes(batch.column("status"))
                if (status < 0).any():
                    bad = int(np.flatnonzero(status < 0)[0])
                    raise ParquetIndexError(f'{path}: row {bad + offset}: field "status": unknown')
                # Lanes: (event, actor) pairs, each once; events naming nobody: lane -1.
                parents, refs = _flatten(batch.column("actors"))
                lane = np.asarray(
                    actor_index.get_indexer(pc.struct_field(refs, "actor").to_pandas()),
                    dtype=np.int64,
                )
                ok = lane >= 0
                parents, lane = parents[ok], lane[ok]
                parents_all, lane_all = parents, lane
                roles = pa.table(
                    {
                        "row": rows[parents],
                        "lane": lane.astype(np.int32),
                        "role": pc.fill_null(
                            pc.struct_field(refs, "role").cast(pa.string()), ""
                        ).filter(pa.array(ok)),
                    }
                )
                key = np.unique(parents * (len(actor_index) + 1) + lane)
                parents, lane = key // (len(actor_index) + 1), key % (len(actor_index) + 1)
                if len(parents) > 1 and (parents[1:] == parents[:-1]).any():
                    single_lane = False
                linked = np.zeros(n, dtype=bool)
                linked[parents] = True
                alone = np.flatnonzero(~linked)
                p_rows = np.concatenate([parents, alone])
                p_lane = np.concatenate([lane, np.full(len(alone), -1, np.int64)])
                first_lane = _first_per_row(parents_all, lane_all, n)
                pairs_cols = {
                    "row": rows[p_rows],
                    "lo": lo[p_rows],
                    "hi": hi[p_rows],
                    "lane": p_lane.astype(np.int32),
                    "status": status[p_rows],
                    "sp": sp[p_rows],
                    "ed": ed[p_rows],
                    "ep": ep[p_rows],
                }
                # Known: the earliest dated source's publication, else the event's start.
                s_parents, s_values = _flatten(batch.column("sources"))
                s_codes = np.asarray(source_index.get_indexer(s_values.to_pandas()), np.int64)
                keep = s_codes >= 0
                known = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
                if keep.any():
                    np.minimum.at(known, s_parents[keep], published[s_codes[keep]])
                dated = known != np.iinfo(np.int64).max
                known = np.where(dated, known, lo)
                pairs = pa.table({**pairs_cols, "known": known[p_rows], "dated": dated[p_rows]})
                first_source = _first_per_row(s_parents[keep], s_codes[keep], n)
                t_parents, t_values = _flatten(batch.column("themes"))
                t_codes = np.asarray(theme_index.get_indexer(t_values.to_pandas()), np.int64)
                events = pa.table(
                    {
                        "row": rows,
                        "lo": lo,
                        "hi": hi,
                        "status": status,
                        "sp": sp,
                        "ed": ed,
                        "ep": ep,
                        "known": known,
                        "dated": dated,
                        "first_lane": first_lane.astype(np.int32),
                        "first_source": first_source.astype(np.int32),
                        "title": pc.fill_null(batch.column("title").cast(pa.string()), ""),
                        "summary": pc.fill_null(batch.column("summary").cast(pa.string()), ""),
                    }
                )
                themes = pa.table(
                    {
                        "row": rows[t_parents[t_codes >= 0]],
                        "theme": t_codes[t_codes >= 0].astype(np.int32),
                    }
                )
                sources = pa.table(
                    {"row": rows[s_parents[keep]], "source": s_codes[keep].astype(np.int32)}
                )
                for name, table in (
                    ("raw_pairs", pairs),
                    ("raw_events", events),
                    ("event_themes", themes),
                    ("event_sources", sources),
                    ("event_roles", roles),
                ):
                    con.register("batch_in", table)
                    con.sql(f"INSERT INTO {name} SELECT * FROM batch_in")
                    con.unregister("batch_in")
                offset += n
                report(0.6 * offset / max(total_rows, 1))
        info = _finish(con, work, files, meta, offset, single_lane, len(actor_index), report)
    except BaseException:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
        raise
    con.close()
    info = IndexInfo(**{**asdict(info), "build_seconds": time.perf_counter() - began})
    (work / "info.json").write_text(json.dumps(asdict(info), ensure_ascii=False), "utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(work, folder)
    report(1.0)
    return info


def _finish(
    con: Any,
    work: Path,
    files: Sequence[Path],
    meta: dict[str, Any],
    n_events: int,
    single_lane: bool,
    n_lanes: int,
    report: Progress,
) -> IndexInfo:
    """Sorted tables, text dictionaries and the count arrays, from the raw tables."""
    for kind, column in (("titles", "title"), ("summaries", "summary")):
        con.sql(
            f"CREATE TABLE {kind} AS SELECT (row_number() OVER (ORDER BY {column}) - 1)::INTEGER "
            f"AS code, {column} AS text FROM (SELECT DISTINCT {column} FROM raw_events)"
        )
    report(0.7)
    con.sql(
        "CREATE TABLE events AS SELECT e.row, e.lo, e.hi, e.status, e.sp, e.ed, e.ep, "
        "e.known, e.dated, e.first_lane, e.first_source, "
        "t.code AS tid, s.code AS sid FROM raw_events e "
        "JOIN titles t ON t.text = e.title JOIN summaries s ON s.text = e.summary "
        "ORDER BY e.lo, e.row"
    )
    con.sql("DROP TABLE raw_events")
    # Where each event row sits in start order: one event is found by rowid, not a scan.
    order = con.sql("SELECT row FROM events ORDER BY rowid").fetchnumpy()["row"]
    ordinal = np.empty(n_events, dtype=np.int64)
    ordinal[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    np.save(work / "ordinal.npy", ordinal)
    del order, ordinal
    report(0.8)
    if n_events:
        cut = con.sql(f"SELECT quantile_disc(hi - lo, {1 - LONG_SHARE}) FROM raw_pairs").fetchall()[
            0
        ][0]
    else:
        cut = 1
    con.sql(
        f"CREATE TABLE pairs AS SELECT * FROM raw_pairs WHERE hi - lo <= {cut} ORDER BY lo, row"
    )
    con.sql(
        f"CREATE TABLE pairs_long AS SELECT * FROM raw_pairs WHERE hi - lo > {cut} ORDER BY lo, row"
    )
    con.sql("DROP TABLE raw_pairs")
    stats = con.sql("SELECT min(lo), max(hi), count(*), max(hi - lo) FROM pairs").fetchall()[0]
    lstats = con.sql("SELECT min(lo), max(hi), count(*), max(hi - lo) FROM pairs_long").fetchall()[
        0
    ]
    los = [v for v in (stats[0], lstats[0]) if v is not None]
    his = [v for v in (stats[1], lstats[1]) if v is not None]
    span_lo, span_hi = (min(los), max(his)) if los else (0, 0)
    n_pairs = int(stats[2]) + int(lstats[2])
    report(0.85)
    # Bins are aligned to the epoch (query.density_edges): the origin is a multiple of
    # the coarsest bin, so every level's edges fall on multiples of its own width.
    level_max = max(int(max(span_hi - span_lo, 1)).bit_length(), 1)
    while True:
        origin = (span_lo >> level_max) << level_max
        if span_hi - origin <= 2 << level_max:
            break
        level_max += 1
    width = max(span_hi - origin, 1)
    rows = n_lanes + 1
    level_min = 0
    # Bounded, and never much larger than the data itself.
    cells = min(MAX_COUNT_CELLS, max(1 << 16, 32 * n_pairs))
    while rows * ((width >> level_min) + 1) > cells:
        level_min += 1
    level_max = max(level_min, level_max)
    _write_counts(con, work / "counts", origin, width, rows, level_min, level_max)
    report(0.98)
    return IndexInfo(
        version=INDEX_VERSION,
        files=[str(p.resolve()) for p in files],
        n_events=n_events,
        n_pairs=n_pairs,
        origin=int(origin),
        span_lo=int(span_lo),
        span_hi=int(span_hi),
        level_min=level_min,
        level_max=level_max,
        short_max=int(stats[3] or 0),
        long_max=int(lstats[3] or 0),
        single_lane=single_lane,
        n_lanes=n_lanes,
        metadata=meta,
        build_seconds=0.0,
    )


def _write_counts(
    con: Any, folder: Path, origin: int, width: int, rows: int, level_min: int, level_max: int
) -> None:
    """Cumulative start/end counts per lane at every level from level_min up."""
    bins = (width >> level_min) + 1
    cumulative = []
    for expr in (f"(lo - {origin}) >> {level_min}", f"(hi - 1 - {origin}) >> {level_min}"):
        counts = np.zeros((rows, bins), dtype=np.int64)
        for table in ("pairs", "pairs_long"):
            got = con.sql(
                f"SELECT lane + 1 AS l, least({expr}, {bins - 1}) AS b, count(*) AS n "
                f"FROM {table} GROUP BY ALL"
            ).to_arrow_table()
            np.add.at(
                counts,
                (got.column("l").to_numpy(), got.column("b").to_numpy()),
                got.column("n").to_numpy(),
            )
        cumulative.append(np.cumsum(counts, axis=1).astype(np.int32))
    for level in range(level_min, level_max + 1):
        step = 1 << (level - level_min)
        for name, cum in zip(("S", "E"), cumulative, strict=True):
            # Bin k at this level ends where fine bin (k + 1) * step - 1 ends.
            coarse = cum[:, step - 1 :: step]
            if cum.shape[1] % step:
                coarse = np.concatenate([coarse, cum[:, -1:]], axis=1)
            np.save(folder / f"{name}_{level}.npy", np.ascontiguousarray(coarse))
