"""A table this program did not load (a security log, a case table): read through a
column mapping (`--map ROLE=COLUMN`, the CSV import's roles), its count tables made
once beside it in the engine, or, without write rights there, in a local cache.

The mapped rows are pulled once (at most `MAX_ROWS`, in Arrow), read by the CSV
reader's rules (dates at their precision, actor lanes from a column, statuses), and
loaded as ``T_te…`` and its count tables; every later open of the same mapping and
row count reuses them, so the views then push down to the engine as for a converted
table (a table that gained or lost rows is derived again; one edited in place without
changing its row count is not noticed). The local cache is named by the database as
well, so two databases' tables of one name never share it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from explorer.engines.sql_engines import Engine, EngineError, check_name, connect
from explorer.engines.sql_tables import read_meta, upload_document

MAX_ROWS: Final = 5_000_000


def mapped_name(table: str, mapping: Mapping[str, str | list[str]], rows: int = -1) -> str:
    """The derived table's name: one per source table, mapping and row count (a log
    that grew is derived again rather than shown as it was)."""
    key = repr(sorted((k, v if isinstance(v, str) else tuple(v)) for k, v in mapping.items()))
    key += f"|{rows}"
    return f"{table.replace('.', '_')}_te{hashlib.sha256(key.encode()).hexdigest()[:6]}"


def _where(url: str) -> str:
    """Which database a URL names (scheme, host, port, path), for the local cache's name:
    two databases' tables of one name must not share a cache."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}"


def open_mapped(
    engine: Engine, table: str, mapping: dict[str, str | list[str]], cache: Path
) -> tuple[Engine, str]:
    """(engine, table) holding `table` as read through `mapping`, derived on first use:
    in `engine` when it takes new tables, else in a DuckDB file under `cache`."""
    from explorer.io.errors import ReadError
    from explorer.io.read_table import read_frame

    check_name(table)
    counted = engine.rows(f"SELECT count(*) FROM {table}")
    derived = mapped_name(table, mapping, int(counted[0][0]) if counted else -1)
    place = hashlib.sha256(_where(engine.url).encode()).hexdigest()[:8]
    local_path = cache / f"{derived}-{place}.duckdb"
    for candidate in (engine, None):
        eng = candidate if candidate is not None else _local(local_path)
        if eng is None:
            continue
        try:
            read_meta(eng, derived)
            return eng, derived
        except EngineError:
            pass
    columns = sorted({c for v in mapping.values() for c in ([v] if isinstance(v, str) else v)})
    listed = ", ".join(_quoted(c, engine.dialect) for c in columns if c)
    if not listed:
        raise EngineError(f"{table}: --map names no column (e.g. --map date=ts --map title=msg)")
    rows = engine.arrow(f"SELECT {listed} FROM {table} LIMIT {MAX_ROWS + 1}")
    if rows.num_rows > MAX_ROWS:
        raise EngineError(
            f"{table}: more than {MAX_ROWS:,} rows; load it with timeline-explorer convert"
        )
    frame = rows.to_pandas().fillna("")
    try:
        doc = read_frame(frame, Path(table), mapping).document
    except ReadError as exc:
        raise EngineError(str(exc)) from None
    try:
        upload_document(engine, derived, doc)
        return engine, derived
    except EngineError:
        pass  # no write rights there: the count tables live in the local cache
    cache.mkdir(parents=True, exist_ok=True)
    local = connect(f"duckdb:///{local_path}")
    upload_document(local, derived, doc)
    return local, derived


def _local(path: Path) -> Engine | None:
    return connect(f"duckdb:///{path}") if path.exists() else None


def _quoted(column: str, dialect: str) -> str:
    """A column name as written in DuckDB's dialect (sqlglot renders the quotes)."""
    return '"' + column.replace('"', '""') + '"'
