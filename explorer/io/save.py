"""Saving a document in a format chosen by the file's extension, always atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from explorer.io.errors import WriteError
from explorer.io.native import write_native
from explorer.model.document import Document

SAVE_FORMATS: Final = (".json", ".parquet")


def save_document(document: Document, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_native(document, path)
    elif suffix == ".parquet":
        from explorer.io.parquet import write_parquet  # pyarrow: loaded only when needed

        write_parquet(document, path)
    else:
        raise WriteError(
            path, f"cannot save as {suffix or 'a file without extension'} (use .json or .parquet)"
        )
