"""Registers the native JSON format with the format registry."""

from __future__ import annotations

from pathlib import Path

from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.columns import Columns
from explorer.io.native import FORMAT_NAME, read_native
from explorer.io.writers import WRITERS


def _sniff(head: bytes, path: Path) -> int:
    if (
        f'"format": "{FORMAT_NAME}"'.encode() in head
        or f'"format":"{FORMAT_NAME}"'.encode() in head
    ):
        return 3
    return 0


def _read(path: Path, options: ReadOptions) -> Columns:
    options.report(0.0)
    document = read_native(path)
    options.report(1.0)
    return Columns.of_document(document, path, "native")  # read whole: nothing to build


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
