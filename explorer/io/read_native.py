"""Registers the native JSON format with the format registry."""

from __future__ import annotations

from pathlib import Path

from explorer.io.formats import Format, ReadOptions, register
from explorer.io.native import FORMAT_NAME, read_native
from explorer.io.result import ImportResult
from explorer.io.writers import WRITERS


def _sniff(head: bytes, path: Path) -> int:
    if (
        f'"format": "{FORMAT_NAME}"'.encode() in head
        or f'"format":"{FORMAT_NAME}"'.encode() in head
    ):
        return 3
    return 0


def _read(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    document = read_native(path)
    options.report(1.0)
    return ImportResult(document, path, "native")


NATIVE = register(
    Format(
        "native",
        "Timeline Explorer JSON",
        (".json",),
        _sniff,
        _read,
        writes=(".json",),
        write=WRITERS["native"],
        overwrite=True,
    )
)
