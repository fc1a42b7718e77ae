"""Saving a document in a format chosen by the file's extension, always atomically.

Save writes back only in the formats that keep everything a document holds (those
registered with ``overwrite=True``: the native JSON and Parquet); an imported file
is never written over in its own, lossier format.
"""

from __future__ import annotations

from pathlib import Path

from explorer.io.errors import WriteError
from explorer.io.formats import Format, savable
from explorer.model.document import Document


def save_suffixes() -> tuple[str, ...]:
    """The extensions Save writes (".json", ".parquet")."""
    return tuple(suffix for fmt in savable() for suffix in fmt.writes)


def save_format(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((fmt for fmt in savable() if suffix in fmt.writes), None)


def save_document(document: Document, path: Path) -> None:
    fmt = save_format(path)
    if fmt is None or fmt.write is None:
        known = " or ".join(save_suffixes())
        suffix = path.suffix.lower() or "a file without extension"
        raise WriteError(path, f"cannot save as {suffix} (use {known})")
    fmt.write(document, path)
