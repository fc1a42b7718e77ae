"""Every document writer by name, and which file endings choose which: the one table the
command line and the window export through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import Final

from explorer.io.native import write_native
from explorer.model.document import Document


def _write_parquet(document: Document, path: Path) -> None:
    from explorer.io.parquet import write_parquet  # pyarrow: loaded only when needed

    write_parquet(document, path)


def _write_csv(document: Document, path: Path) -> None:
    from explorer.io.write_table import write_csv

    write_csv(document, path)


def _write_excel(document: Document, path: Path) -> None:
    from explorer.io.write_table import write_excel

    write_excel(document, path)


def _write_page(document: Document, path: Path) -> None:
    from explorer.io.write_page import write_page

    write_page(document, path)


def _write_timelinejs(document: Document, path: Path) -> None:
    from explorer.io.write_timelinejs import write_timelinejs

    write_timelinejs(document, path)


WRITERS: Final[dict[str, Callable[[Document, Path], None]]] = {
    "native": write_native,
    "timelinejs": _write_timelinejs,
    "csv": _write_csv,
    "excel": _write_excel,
    "parquet": _write_parquet,
    "html": _write_page,
}
# Longest first: "story.timelinejs.json" is TimelineJS, "story.json" native.
EXTENSIONS: Final = (
    (".timelinejs.json", "timelinejs"),
    (".json", "native"),
    (".parquet", "parquet"),
    (".csv", "csv"),
    (".xlsx", "excel"),
    (".html", "html"),
    (".htm", "html"),
    (".pdf", "brief"),
)


def write_as(document: Document, path: Path, writer: str, tz: tzinfo | None = None) -> None:
    """Write with the table above; a display zone (--tz) adds local times to the tables
    (CSV, Excel), whose readers see the zone's clock; every other format stores UTC."""
    if tz is not None and writer in ("csv", "excel"):
        from explorer.io.write_table import write_csv, write_excel

        (write_csv if writer == "csv" else write_excel)(document, path, tz)
        return
    WRITERS[writer](document, path)
