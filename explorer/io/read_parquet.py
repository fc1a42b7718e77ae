"""Registers the Parquet form of the native document with the format registry."""

from __future__ import annotations

from pathlib import Path

from explorer.io.formats import Format, ReadOptions, register
from explorer.io.parquet import MAGIC, read_parquet
from explorer.io.result import ImportResult
from explorer.io.writers import WRITERS


def _sniff(head: bytes, path: Path) -> int:
    """2 for the Parquet magic number: any Parquet file, ours or not (the reader
    tells them apart by the file's metadata)."""
    return 2 if head.startswith(MAGIC) else 0


def _read(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    document = read_parquet(path)
    options.report(1.0)
    return ImportResult(document, path, "parquet")


PARQUET = register(
    Format(
        "parquet",
        "Timeline Explorer Parquet",
        (".parquet",),
        _sniff,
        _read,
        writes=(".parquet",),
        write=WRITERS["parquet"],
        overwrite=True,
    )
)
