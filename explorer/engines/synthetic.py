"""Seeded synthetic Parquet files of any size, written in chunks (bounded memory).

The benchmark's out-of-core data: the same shape as ``model.synthetic`` (bursts over
years, a tenth spans, one actor an event), in the app's own Parquet schema.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from explorer.io.parquet import to_arrow
from explorer.model.synthetic import synthetic_document

CHUNK = 2_000_000


def write_synthetic_parquet(
    path: Path,
    n_events: int,
    n_actors: int = 200,
    years: int = 10,
    seed: int = 1,
    chunk: int = CHUNK,
    progress: Callable[[float], None] | None = None,
) -> Path:
    """Write `n_events` seeded events to `path` (one row group a chunk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    writer: pq.ParquetWriter | None = None
    try:
        done = 0
        while done < n_events or writer is None:
            size = min(chunk, n_events - done)
            doc = synthetic_document(
                size, n_actors=n_actors, years=years, seed=seed + done, first_id=done
            )
            table = to_arrow(doc)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=min(max(size, 1), 1 << 20))
            done += size
            if progress:
                progress(done / max(n_events, 1))
            if size == 0:
                break
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path
