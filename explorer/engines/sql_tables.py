"""The tables a SQL engine holds for one timeline, and how they are made and read back.

For a table named ``T`` (``--table T``):

``T``                 one row per event, readable by anyone: ekey, id, title, summary,
                      start_seconds, start_precision, end_seconds, end_precision, status,
                      attributes (JSON), actors (JSON [{actor, role}]), sources and
                      themes (JSON lists of ids), figures (JSON), and any
                      ``attribute:NAME`` columns.
``T__events``         per event: ekey, lo, hi (its covered interval), status code, start
                      precision, end, end precision, known, dated, first lane and source,
                      title and summary codes, and the lower-cased sort keys.
``T__pairs``, ``T__pairs_long``  one row per (event, lane), short and long events apart.
``T__titles``, ``T__summaries``  distinct texts, lower-cased for search, by code.
``T__event_themes``, ``T__event_sources``  links by event key and entity row.
``T__counts``         starts and ends per (lvl, lane, bucket) at power-of-two buckets of
                      2**lvl seconds from ``origin``, only where not zero: a zoomed-out
                      frame is one small query whatever the number of events.
``T__meta``           name, value: the document (title, actors, sources, themes) and the
                      index figures, as JSON.

They are derived by the same code as the DuckDB sidecar (engines/duckdb_index: the
same numpy calendar), so every engine answers as the in-memory backend does; loading
ships each table as Arrow (COPY for PostgreSQL).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from explorer.engines.duckdb_index import ensure_index, parquet_files
from explorer.engines.sql_engines import Engine, EngineError, check_name
from explorer.io.parquet import FORMAT_NAME, FORMAT_VERSION, METADATA_KEY, read_parquet
from explorer.model.document import Document

SCHEMA_VERSION: Final = 1
COUNT_ROWS_MIN: Final = 1 << 16  # the finest count level kept has at most this many rows,
COUNT_SHARE: Final = 4  # or a quarter of the (event, lane) pairs when that is more,
COUNT_PER_LANE: Final = 4096  # or this many buckets a lane (a full-width frame's level)

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Layout:
    """The names of one timeline's tables."""

    table: str

    def __getattr__(self, part: str) -> str:
        if part.startswith("_"):
            raise AttributeError(part)
        return f"{self.table}__{part}"


def _lower(values: pd.Series) -> pa.Array:
    """Python's str.lower, as the in-memory backend compares and sorts."""
    return pa.array(values.astype(str).str.lower(), type=pa.string())


def _counts(
    con: Any, origin: int, width: int, n_pairs: int, start: int, n_lanes: int
) -> tuple[pa.Table, int, int]:
    """Starts and ends per (level, lane, bucket) from the finest level whose rows fit,
    up to the level where everything is one bucket; (table, finest, top)."""
    cap = max(COUNT_ROWS_MIN, n_pairs // COUNT_SHARE, (n_lanes + 1) * COUNT_PER_LANE)
    top = max(int(width).bit_length(), 1)
    parts = " UNION ALL ".join(
        f"SELECT lane, (lo - {origin}) >> {{level}} AS bucket, 1 AS s, 0 AS e FROM {t} "
        f"UNION ALL SELECT lane, (hi - 1 - {origin}) >> {{level}} AS bucket, 0 AS s, 1 AS e "
        f"FROM {t}"
        for t in ("pairs", "pairs_long")
    )
    level = start
    # The finest level with few enough rows: rows shrink as buckets widen.
    while True:
        n = con.sql(
            "SELECT count(*) FROM (SELECT DISTINCT lane, bucket FROM "
            f"({parts.format(level=level)}))"
        ).fetchall()[0][0]
        if n <= cap or level >= top:
            break
        level = max(level + 1, level + (int(n) // cap).bit_length() - 1)
    con.sql(
        f"CREATE TEMP TABLE c{level} AS SELECT lane, bucket, sum(s)::BIGINT AS starts, "
        f"sum(e)::BIGINT AS ends FROM ({parts.format(level=level)}) GROUP BY ALL"
    )
    for up in range(level + 1, top + 1):
        con.sql(
            f"CREATE TEMP TABLE c{up} AS SELECT lane, bucket >> 1 AS bucket, "
            f"sum(starts)::BIGINT AS starts, sum(ends)::BIGINT AS ends FROM c{up - 1} GROUP BY ALL"
        )
    union = " UNION ALL ".join(
        f"SELECT {lv}::INTEGER AS lvl, lane::INTEGER AS lane, bucket::BIGINT AS bucket, "
        f"starts, ends FROM c{lv}"
        for lv in range(level, top + 1)
    )
    table = con.sql(union).to_arrow_table()
    return table, level, top


def derive(source: Path, work: Path, progress: Progress | None = None) -> dict[str, pa.Table]:
    """Every table of the layout (names without the prefix; "" for the events table)
    for the Parquet data at `source` (a file or a folder of them)."""
    report = progress or (lambda _f: None)
    folder, info = ensure_index(source, lambda f: report(0.6 * f), None, work / "index")
    con = duckdb.connect(str(folder / "index.duckdb"), read_only=True)
    try:
        meta = info.metadata
        actors = pd.Series([str(a.get("name") or "") for a in meta.get("actors") or []])
        sources = pd.Series(
            [str(s.get("publisher") or s.get("title") or "") for s in meta.get("sources") or []]
        )
        titles = con.sql("SELECT code, text FROM titles ORDER BY code").to_arrow_table()
        summaries = con.sql("SELECT code, text FROM summaries ORDER BY code").to_arrow_table()
        title_lc = _lower(titles.column("text").to_pandas())
        lanes_lc = pa.table({"lane": pa.array(range(len(actors)), pa.int32()), "v": _lower(actors)})
        sources_lc = pa.table(
            {"source": pa.array(range(len(sources)), pa.int32()), "v": _lower(sources)}
        )
        codes_lc = pa.table({"code": titles.column("code"), "v": title_lc})
        for name, table in (
            ("lanes_lc", lanes_lc),
            ("sources_lc", sources_lc),
            ("codes_lc", codes_lc),
        ):
            con.register(name, table)
        events = con.sql(
            "SELECT e.row AS ekey, e.lo, e.hi, e.status::SMALLINT AS status, e.sp, e.ed, e.ep, "
            "e.known, e.dated, e.first_lane, e.first_source, e.tid, e.sid, "
            "t.v AS title_lc, coalesce(a.v, '') AS actor_lc, coalesce(s.v, '') AS source_lc "
            "FROM events e JOIN codes_lc t ON t.code = e.tid "
            "LEFT JOIN lanes_lc a ON a.lane = e.first_lane "
            "LEFT JOIN sources_lc s ON s.source = e.first_source ORDER BY e.lo, e.row"
        ).to_arrow_table()
        pairs = {
            name: con.sql(
                f"SELECT row AS ekey, lo, hi, lane, status::SMALLINT AS status, sp, ed, ep, "
                f"known, dated FROM {name} ORDER BY lo, row"
            ).to_arrow_table()
            for name in ("pairs", "pairs_long")
        }
        links = {
            name: con.sql(f"SELECT row AS ekey, {col} FROM {name}").to_arrow_table()
            for name, col in (("event_themes", "theme"), ("event_sources", "source"))
        }
        counts, level_min, top = _counts(
            con, info.origin, info.span_hi - info.origin, info.n_pairs, info.level_min, info.n_lanes
        )
        no_actor = con.sql("SELECT count(*) FROM pairs WHERE lane = -1").fetchall()[0][0]
        no_actor += con.sql("SELECT count(*) FROM pairs_long WHERE lane = -1").fetchall()[0][0]
    finally:
        con.close()
    report(0.75)
    records = _records(parquet_files(source))
    report(0.85)
    index = {
        "version": SCHEMA_VERSION,
        "n_events": info.n_events,
        "span_lo": info.span_lo,
        "span_hi": info.span_hi,
        "origin": info.origin,
        "short_max": info.short_max,
        "long_max": info.long_max,
        "single_lane": info.single_lane,
        "counts_min": level_min,
        "counts_top": top,
        "level_max": info.level_max,
        "has_no_actor": bool(no_actor),
    }
    meta_table = pa.table(
        {
            "name": ["document", "index"],
            "value": [json.dumps(meta, ensure_ascii=False), json.dumps(index)],
        }
    )
    return {
        "": records,
        "events": events,
        "pairs": pairs["pairs"],
        "pairs_long": pairs["pairs_long"],
        "titles": pa.table(
            {"code": titles.column("code"), "label": titles.column("text"), "text_lc": title_lc}
        ),
        "summaries": pa.table(
            {
                "code": summaries.column("code"),
                "text_lc": _lower(summaries.column("text").to_pandas()),
            }
        ),
        "event_themes": links["event_themes"],
        "event_sources": links["event_sources"],
        "counts": counts,
        "meta": meta_table,
    }


def _records(files: Sequence[Path]) -> pa.Table:
    """The events as rows anyone can read: list columns as JSON text (every engine
    stores text; only this program needs the lists back)."""
    con = duckdb.connect()
    try:
        names = pq.read_schema(files[0]).names
        extra = "".join(f', "{n}"' for n in names if n.startswith("attribute:"))
        paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
        return con.sql(
            "SELECT (row_number() OVER (ORDER BY filename, file_row_number) - 1)::BIGINT AS ekey, "
            "id, title, summary, start AS start_seconds, start_precision::SMALLINT AS "
            'start_precision, "end" AS end_seconds, end_precision::SMALLINT AS end_precision, '
            "status::VARCHAR AS status, attributes, to_json(actors)::VARCHAR AS actors, "
            "to_json(sources)::VARCHAR AS sources, to_json(themes)::VARCHAR AS themes, "
            f"figures{extra} FROM read_parquet([{paths}], filename = true, "
            "file_row_number = true) ORDER BY ekey"
        ).to_arrow_table()
    finally:
        con.close()


# The sort order each table is loaded in (and, for ClickHouse, its primary key).
ORDER: Final = {
    "": "ekey",
    "events": "lo, ekey",
    "pairs": "lo, ekey",
    "pairs_long": "lo, ekey",
    "titles": "code",
    "summaries": "code",
    "event_themes": "ekey",
    "event_sources": "ekey",
    "counts": "lvl, bucket, lane",
    "meta": "name",
}


def upload(
    engine: Engine,
    table: str,
    source: Path,
    progress: Progress | None = None,
    replace: bool = False,
) -> dict[str, int]:
    """Load the Parquet data at `source` into `engine` as table `table` and its
    count tables; returns the rows loaded per table. A timeline loaded before under
    that name is replaced; any other table of that name is refused unless `replace`
    (it may be somebody's data)."""
    check_name(table)
    if not replace and engine.has_table(table):
        try:
            read_meta(engine, table)
        except EngineError:
            raise EngineError(
                f"{table}: a table of that name exists and was not loaded by "
                "timeline-explorer; choose another --table (or --replace to overwrite it)"
            ) from None
    report = progress or (lambda _f: None)
    layout = Layout(table)
    with tempfile.TemporaryDirectory(prefix="timeline-explorer-load-") as work:
        tables = derive(source, Path(work), lambda f: report(0.5 * f))
        done: dict[str, int] = {}
        for i, (part, data) in enumerate(tables.items()):
            name = table if not part else getattr(layout, part)
            engine.load(name, data, ORDER[part])
            done[name] = data.num_rows
            report(0.5 + 0.5 * (i + 1) / len(tables))
    return done


def upload_document(
    engine: Engine,
    table: str,
    doc: Document,
    progress: Progress | None = None,
    replace: bool = False,
) -> dict[str, int]:
    """`upload` for a document in memory (written to Parquet in a temporary folder)."""
    from explorer.io.parquet import write_parquet

    with tempfile.TemporaryDirectory(prefix="timeline-explorer-doc-") as work:
        path = Path(work) / "document.parquet"
        write_parquet(doc, path)
        return upload(engine, table, path, progress, replace)


# --- reading back --------------------------------------------------------------------------


def document_from_rows(rows: pa.Table, meta: dict[str, Any], work: Path) -> Document:
    """A Document from rows of ``T`` (list columns back from JSON) and the stored
    metadata, through the Parquet reader (the one set of checks a file gets)."""
    con = duckdb.connect()
    try:
        con.register("rows_in", rows)
        extra = "".join(f', "{n}"' for n in rows.column_names if n.startswith("attribute:"))
        table = con.sql(
            "SELECT id, title, summary, start_seconds AS start, start_precision::TINYINT AS "
            'start_precision, end_seconds AS "end", end_precision::TINYINT AS end_precision, '
            "status, attributes, "
            'from_json(actors, \'[{"actor": "VARCHAR", "role": "VARCHAR"}]\') AS actors, '
            "from_json(sources, '[\"VARCHAR\"]') AS sources, "
            "from_json(themes, '[\"VARCHAR\"]') AS themes, figures"
            f"{extra} FROM rows_in ORDER BY ekey"
        ).to_arrow_table()
    finally:
        con.close()
    stored = {**meta, "format": FORMAT_NAME, "version": FORMAT_VERSION}
    table = table.replace_schema_metadata(
        {METADATA_KEY: json.dumps(stored, ensure_ascii=False).encode("utf-8")}
    )
    path = work / "rows.parquet"
    pq.write_table(table, path)
    return read_parquet(path)


def read_meta(engine: Engine, table: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(document metadata, index figures) of `table`; EngineError naming what is missing."""
    check_name(table)
    layout = Layout(table)
    try:
        rows = dict(engine.rows(f"SELECT name, value FROM {layout.meta}"))
    except EngineError:
        if engine.has_table(table):
            raise EngineError(
                f"{table}: a table, but not one loaded by timeline-explorer convert "
                f"(no {layout.meta}); load it with: timeline-explorer convert FILE "
                f"--to URL --table {table}"
            ) from None
        raise EngineError(f"{table}: no such table") from None
    try:
        meta, index = json.loads(rows["document"]), json.loads(rows["index"])
    except (KeyError, ValueError):
        raise EngineError(f"{layout.meta}: not readable (load the table again)") from None
    if int(index.get("version", 0)) != SCHEMA_VERSION:
        raise EngineError(
            f"{table}: loaded by another version of timeline-explorer (load it again)"
        )
    return meta, index
