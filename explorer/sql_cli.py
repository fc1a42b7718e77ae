"""The command line's SQL engines: `convert IN... --to URL --table NAME`, and
`--source URL --table NAME [--export OUT]`.

Passwords are asked for (getpass) when the URL names a user without one, or taken
from $TIMELINE_EXPLORER_PASSWORD (for scripts); they are never printed, logged or
saved: every message shows the URL without its password. A refused connection, a
missing table or a table this program did not load is one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Final

from explorer.engines.sql_engines import Engine, EngineError, connect, needs_password, redact
from explorer.io.escaping import escape_controls
from explorer.model.store import Filter

PROG: Final = "timeline-explorer"
PASSWORD_ENV: Final = "TIMELINE_EXPLORER_PASSWORD"
DEFAULT_TABLE: Final = "timeline"


def _say(line: str) -> None:
    print(f"{PROG}: {escape_controls(line)}", file=sys.stderr)


def password_for(url: str) -> str | None:
    """The password for `url`: none needed, $TIMELINE_EXPLORER_PASSWORD, or asked."""
    if not needs_password(url):
        return None
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        return None  # no one to ask: try without (trust or .pgpass)
    return getpass.getpass(f"Password for {redact(url)}: ")


def open_engine(url: str) -> Engine:
    return connect(url, password_for(url))


# --- convert IN... --to URL --table NAME ----------------------------------------------------


def convert_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"{PROG} convert",
        description="Load timelines into a SQL engine, with the count tables the views need.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="IN", help="files to load")
    p.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="postgresql://user@host:5432/db, sc://host:15002, clickhouse://host:8123/db, "
        "chdb:///folder, duckdb:///file.duckdb",
    )
    p.add_argument("--table", default=DEFAULT_TABLE, metavar="NAME", help="table name")
    p.add_argument("--format", metavar="NAME", help="read every IN with this reader")
    p.add_argument(
        "--replace",
        action="store_true",
        help="overwrite a table of that name even if timeline-explorer did not load it",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return p


def convert_main(argv: Sequence[str]) -> int:
    args = convert_parser().parse_args(list(argv))
    from explorer.engines.sql_tables import upload, upload_document
    from explorer.io.errors import ReadError

    began = time.perf_counter()
    try:
        engine = open_engine(args.to)
    except EngineError as exc:
        _say(str(exc))
        return 2
    try:
        if all(p.suffix.lower() == ".parquet" for p in args.files) and len(args.files) == 1:
            # streamed, never in memory
            done = upload(engine, args.table, args.files[0], replace=args.replace)
        else:
            from explorer.io.merging import read_files

            result = read_files(args.files, args.format, None)
            doc = result.document
            done = upload_document(engine, args.table, doc, replace=args.replace)
            kept = {"stars": len(doc.stars), "tags": len(doc.tags), "notes": len(doc.notes)}
            if any(kept.values()):
                listed = ", ".join(f"{n:,} {what}" for what, n in kept.items() if n)
                _say(
                    f"{args.table}: {listed} not loaded: a shared table carries no "
                    "annotations (they stay in your files)"
                )
    except (ReadError, EngineError) as exc:
        _say(str(exc))
        return 2
    finally:
        engine.close()
    if not args.quiet:
        rows = done.get(args.table, 0)
        _say(
            f"{redact(args.to)}: {args.table}: {rows:,} events and {len(done) - 1} count and "
            f"index tables loaded in {time.perf_counter() - began:.1f} s"
        )
    return 0


# --- --source URL -------------------------------------------------------------------------


def filter_from(args: argparse.Namespace) -> Filter:
    """--search, --status and --actor as the filter a window would hold."""
    return Filter(
        text=args.search or "",
        statuses=frozenset(args.status) if args.status else None,
        actors=frozenset(args.actor) if args.actor else None,
    )


def open_source(
    url: str,
    table: str,
    mapping: dict[str, str | list[str]] | None = None,
    *,
    editable: bool = False,
) -> tuple[Engine, object]:
    """(engine, SqlBackend) for `url` and `table` (read through `mapping` when the table
    was not loaded by convert); EngineError with one line. `editable`: the table under
    the analyst's overlay, kept locally (explorer/engines/sql_overlay.py), as a window
    opens it."""
    from explorer.engines.duckdb_index import cache_root
    from explorer.engines.sql_backend import SqlBackend
    from explorer.engines.sql_foreign import open_mapped

    engine = open_engine(url)
    try:
        if mapping:
            engine, table = open_mapped(engine, table, mapping, cache_root().parent / "sql")
        if editable:
            from explorer.engines.sql_overlay import SqlOverlaid, sql_overlay_files

            return engine, SqlOverlaid(engine, table, sql_overlay_files(url, table))
        return engine, SqlBackend(engine, table)
    except EngineError as exc:
        engine.close()
        raise EngineError(f"{redact(url)}: {exc}") from None


def export_from_source(
    url: str,
    table: str,
    flt: Filter,
    out: Path,
    writer: str,
    mapping: dict[str, str | list[str]] | None = None,
    tz: tzinfo | None = None,
) -> int:
    """Pull the events passing `flt` down and write them as `writer` would a file (tables
    with local times in `tz` as well, as --tz asks)."""
    from explorer.engines.sql_backend import SqlBackend
    from explorer.engines.sql_tables import document_from_rows
    from explorer.io.errors import ReadError, WriteError
    from explorer.io.writers import write_as

    try:
        engine, backend = open_source(url, table, mapping)
    except EngineError as exc:
        _say(str(exc))
        return 2
    assert isinstance(backend, SqlBackend)
    try:
        rows = engine.arrow(
            f"SELECT * FROM {backend.table} WHERE ekey IN (SELECT ekey FROM {backend.t.events} "
            f"WHERE {backend.where(flt)})"
        )
        with tempfile.TemporaryDirectory(prefix="timeline-explorer-export-") as work:
            doc = document_from_rows(rows, backend.meta, Path(work))
    except (EngineError, ReadError) as exc:
        _say(str(exc))
        return 2
    finally:
        engine.close()
    try:
        write_as(doc, out, writer, tz)
    except (WriteError, OSError) as exc:
        _say(str(exc))
        return 1
    return 0
