"""Which engine opens a file: in memory (the default), or DuckDB out of core.

A Parquet file (or a folder of them) at least `DUCKDB_THRESHOLD_BYTES` on disk opens
through DuckDB on its own: in memory it would cost several times its size (about
10 GB resident for 20M events), out of core a few hundred MB whatever its size.
Every other input, and every smaller Parquet file, opens in memory. `--engine`
forces the choice either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal

Engine = Literal["memory", "duckdb"]
ENGINES: Final[tuple[str, ...]] = ("auto", "memory", "duckdb")
DUCKDB_THRESHOLD_BYTES: Final = 256 * 1024 * 1024  # 256 MiB: about 5M events of ours


def parquet_bytes(path: Path) -> int | None:
    """Bytes of Parquet data at `path` (a .parquet file, or a folder holding them), or
    None when it is not Parquet."""
    if path.is_file():
        return path.stat().st_size if path.suffix.lower() == ".parquet" else None
    if path.is_dir():
        files = [p for p in path.glob("*.parquet") if p.is_file()]
        return sum(p.stat().st_size for p in files) if files else None
    return None


def choose_engine(paths: Sequence[Path], engine: str = "auto") -> Engine:
    """The engine for opening `paths`: `engine` when it is not "auto"; else DuckDB for
    one Parquet file or folder of at least the threshold, memory otherwise."""
    if engine == "memory":
        return "memory"
    if engine == "duckdb":
        return "duckdb"
    if len(paths) != 1:
        return "memory"
    size = parquet_bytes(paths[0])
    return "duckdb" if size is not None and size >= DUCKDB_THRESHOLD_BYTES else "memory"
