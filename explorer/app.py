"""Command line: open files (default: the embedded story), render a screenshot, or convert.

`timeline-explorer FILE [FILE...]` opens one or several files (several merge into
one document, lanes kept apart by source); `timeline-explorer convert IN... OUT.parquet`
streams large files into Parquet (explorer/convert_cli.py); `--export OUT` converts without a window
and without a QApplication; rendering (`--screenshot`, `--export view.png`) uses
Qt's offscreen platform unless a display was asked for.

Exit status: 0 done, 1 a file could not be written, 2 a file could not be read or
the command line is wrong. Every error is one line on stderr, naming the file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from explorer import __version__
from explorer.engines.choice import DUCKDB_THRESHOLD_BYTES, ENGINES, choose_engine, parquet_bytes
from explorer.io import limits
from explorer.io.atomic import atomic_write_bytes
from explorer.io.errors import ReadError, WriteError
from explorer.io.escaping import escape_controls
from explorer.io.formats import formats, takes_mapping
from explorer.io.merging import (  # noqa: F401 (the command line's names for them)
    MERGED,
    MergedImport,
    combine_results,
    labels_for,
    parts_of,
    read_files,
    reader_mapping,
    skipped_rows,
)
from explorer.io.native import read_native
from explorer.io.result import ImportResult
from explorer.io.writers import EXTENSIONS, WRITERS, write_as
from explorer.model.document import Document
from explorer.resources import dataset_path

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from explorer.model.query import TimelineQueries
    from explorer.ui.main_window import MainWindow

PROG: Final = "timeline-explorer"
VIEW_FORMATS: Final = (".png", ".svg")  # .pdf is the brief; --to view writes the bare view
QT_WRITERS: Final = ("view", "brief")  # written through the window's painter
DATE_ORDERS: Final = ("dmy", "mdy")
SKIPPED_SHOWN: Final = 5  # set-aside rows printed on stderr; --skipped writes them all


# --- the command line --------------------------------------------------------------------


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT (e.g. 1600x900)") from None
    if not (200 <= w <= 20000 and 150 <= h <= 20000):
        raise argparse.ArgumentTypeError(f"{text!r}: width 200-20000, height 150-20000")
    return w, h


def _limit(text: str) -> tuple[str, int]:
    try:
        return limits.parse_setting(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _role_column(text: str) -> tuple[str, str]:
    role, sep, column = text.partition("=")
    if not sep or not role.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not ROLE=COLUMN (e.g. date=Start Date)")
    return role.strip(), column


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Explore who did what, when, and on whose word.",
        epilog=(
            "formats: "
            + ", ".join(f.name for f in formats())
            + ". Mapping roles (csv, excel): date, end, title, text, actors, roles, group, "
            "tags, status, id; a role may be given several times (actors=home, actors=away)."
        ),
    )
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="timelines to open; several merge into one document "
        "(default: the embedded Permission Layer story)",
    )
    p.add_argument(
        "--format",
        metavar="NAME",
        help="read every FILE with this reader instead of detecting it",
    )
    p.add_argument(
        "--map",
        "--mapping",
        dest="mapping",
        metavar="ROLE=COLUMN",
        type=_role_column,
        action="append",
        default=[],
        help="csv/excel: read ROLE from COLUMN (repeatable; an empty COLUMN drops the role)",
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="csv/excel: read 03/04/2020 as day/month (dmy) or month/day (mdy)",
    )
    p.add_argument(
        "--export",
        metavar="OUT",
        type=Path,
        help="write the document and exit, no window: .json (native), .timelinejs.json, "
        ".parquet, .csv, .xlsx, .html (a standalone page), .pdf (a printable brief); "
        "or the timeline view: .png, .svg",
    )
    p.add_argument(
        "--to",
        choices=(*WRITERS, *QT_WRITERS),
        help="write --export in this format whatever its extension (view: the bare "
        "timeline picture as .png, .svg or .pdf)",
    )
    p.add_argument(
        "--from-article",
        metavar="ARTICLE",
        type=Path,
        help="draft events from an article (.txt, .md, .html) and accept every proposal; "
        "added to the FILEs opened, or to a new document",
    )
    p.add_argument(
        "--published",
        metavar="YYYY-MM-DD",
        help="the article's publication date, which anchors dates written without a year "
        "and relative dates (default: the page's metadata)",
    )
    p.add_argument(
        "--skipped",
        metavar="CSV",
        type=Path,
        help="write every set-aside row (file, where, field, reason) to this CSV file",
    )
    p.add_argument(
        "--limit",
        dest="limits",
        metavar="NAME=VALUE",
        type=_limit,
        action="append",
        default=[],
        help="raise an input limit (repeatable): "
        + ", ".join(
            f"{name}={limits.shown(name.replace('-', '_'), value)}"
            for name, value in zip(limits.names(), vars(limits.DEFAULTS).values(), strict=True)
        )
        + "; sizes take K, M or G",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="do not report set-aside rows and notes"
    )
    p.add_argument(
        "--screenshot",
        metavar="PNG",
        type=Path,
        help="render the window offscreen to a PNG and exit",
    )
    p.add_argument(
        "--size",
        metavar="WxH",
        type=_size,
        default=(1400, 860),
        help="window or image size (default 1400x860)",
    )
    p.add_argument("--select", metavar="EVENT_ID", help="select this event before rendering")
    p.add_argument(
        "--tz",
        metavar="ZONE",
        help="show times in this zone: UTC (default), local, or an IANA name such as "
        "America/New_York; --screenshot and view exports draw in it, CSV/Excel exports "
        "add start_local and end_local (stored times stay UTC)",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="answer the views in memory, or with DuckDB out of core over Parquet "
        f"(default auto: DuckDB for one Parquet file or folder of at least "
        f"{DUCKDB_THRESHOLD_BYTES // 2**20} MiB)",
    )
    sql = p.add_argument_group(
        "shared engines",
        "open a table loaded with `timeline-explorer convert IN --to URL --table NAME`",
    )
    sql.add_argument(
        "--source",
        metavar="URL",
        help="postgresql://user@host:5432/db, sc://host:15002, clickhouse://host:8123/db, "
        "chdb:///folder, duckdb:///file.duckdb (a password is asked for)",
    )
    sql.add_argument("--table", metavar="NAME", default="timeline", help="the table (--source)")
    sql.add_argument("--search", metavar="TEXT", help="--source --export: events matching TEXT")
    sql.add_argument(
        "--status", metavar="NAME", action="append", help="--source --export: this status"
    )
    sql.add_argument("--actor", metavar="ID", action="append", help="--source --export: actor")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


class UsageError(Exception):
    """A command line that cannot be carried out (exit status 2)."""


def mapping_from(args: argparse.Namespace) -> dict[str, str | list[str]] | None:
    """--map and --date-order as a reader mapping; a role given twice is a list."""
    mapping: dict[str, str | list[str]] = {}
    for role, column in args.mapping:
        previous = mapping.get(role)
        if previous is None:
            mapping[role] = column
        else:
            mapping[role] = [*([previous] if isinstance(previous, str) else previous), column]
    if args.date_order:
        mapping["date_order"] = args.date_order
    return mapping or None


def export_format(args: argparse.Namespace) -> str | None:
    """The writer for --export ("view" for an image), or None without --export."""
    if args.export is None:
        if args.to:
            raise UsageError("--to needs --export OUT")
        return None
    if args.to:
        if args.to == "view" and not args.export.name.lower().endswith((*VIEW_FORMATS, ".pdf")):
            raise UsageError(f"{args.export.name}: the view is written as .png, .svg or .pdf")
        return str(args.to)
    name = args.export.name.lower()
    if name.endswith(VIEW_FORMATS):
        return "view"
    for suffix, writer in EXTENSIONS:
        if name.endswith(suffix):
            return writer
    known = ", ".join([suffix for suffix, _ in EXTENSIONS] + list(VIEW_FORMATS))
    raise UsageError(f"{args.export.name}: unknown export format (use {known}, or --to NAME)")


def check_args(args: argparse.Namespace) -> None:
    if args.format is not None and args.format not in {f.name for f in formats()}:
        known = ", ".join(f.name for f in formats())
        raise UsageError(f"unknown format {args.format!r} (known: {known})")
    if not args.files and (args.format or args.mapping or args.date_order):
        raise UsageError("--format, --map and --date-order need a FILE")
    if args.published is not None and args.from_article is None:
        raise UsageError("--published needs --from-article ARTICLE")
    read_zone(args)


def read_zone(args: argparse.Namespace) -> None:
    """--tz ZONE as `args.zone` (None without it)."""
    if args.tz is not None:
        from explorer.model.zones import ZoneError, zone

        try:
            args.zone = zone(args.tz)
        except ZoneError as exc:
            raise UsageError(f"--tz: {exc}") from None
    else:
        args.zone = None


def check_out_of_core(args: argparse.Namespace, writer: str | None) -> None:
    """What DuckDB out of core can do from the command line: open one Parquet file or
    folder in the window, render it (--screenshot, a view export); not merge, map,
    import an article or write a document."""
    if len(args.files) != 1 or parquet_bytes(args.files[0]) is None:
        raise UsageError("--engine duckdb opens one Parquet file (or a folder of them)")
    if args.format or args.mapping or args.date_order or args.from_article is not None:
        raise UsageError("--engine duckdb reads Parquet as it is: no --format, --map or article")
    if writer is not None and writer not in QT_WRITERS:
        raise UsageError(
            "--export of a document needs it in memory (--engine memory); "
            "out of core, export the view (.png, .svg)"
        )


def load(args: argparse.Namespace) -> tuple[ImportResult, Path]:
    """The files on the command line as one result (default: the embedded story)."""
    if not args.files and args.from_article is not None:
        return ImportResult(Document(), args.from_article, "article"), args.from_article
    if not args.files:
        path = dataset_path()
        return ImportResult(read_native(path), path, "native"), path
    result = read_files(args.files, args.format, mapping_from(args))
    return result, args.files[0]


def report(result: ImportResult, args: argparse.Namespace) -> None:
    """Set-aside rows (a count and the first few) and notes, on stderr."""
    for part in parts_of(result):
        if (args.mapping or args.date_order) and not takes_mapping(part.format):
            _say(
                f"{part.path.name}: --map and --date-order are not used for this file "
                f"(read as {part.format}; --format csv reads it as a table)"
            )
        if args.quiet:
            continue
        _report_skipped(part, full_list=args.skipped is not None)
        for note in part.notes:
            _say(f"{part.path.name}: note: {note}")


def _report_skipped(part: ImportResult, *, full_list: bool) -> None:
    name = part.path.name
    if not part.skipped_total:
        return
    rows = "row" if part.skipped_total == 1 else "rows"
    _say(f"{name}: {part.skipped_total:,} {rows} set aside")
    for row in part.skipped[:SKIPPED_SHOWN]:
        where = f'{row.where}: column "{row.field}"' if row.field else row.where
        _say(f"{name}: {where}: {row.reason}")
    more = part.skipped_total - min(len(part.skipped), SKIPPED_SHOWN)
    if more > 0 and not full_list:
        _say(f"{name}: ... and {more:,} more (--skipped FILE.csv writes the list)")


def write_skipped(result: ImportResult, path: Path) -> None:
    atomic_write_bytes(path, result.skipped_csv().encode("utf-8"))


def export_document(document: Document, path: Path, writer: str, zone: Any = None) -> None:
    """Write with the writers' table; a display zone (--tz) adds local times to tables."""
    write_as(document, path, writer, None if zone is None or zone.is_utc else zone.tz)


def _say(line: str) -> None:
    """One line on stderr; text from files (names, cells, ids) has its controls escaped."""
    print(f"{PROG}: {escape_controls(line)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["convert"] and "--to" in argv and not any(a.startswith("--to=") for a in argv):
        from explorer.sql_cli import convert_main

        return convert_main(argv[1:])
    if argv[:1] == ["convert"] and not Path("convert").exists():
        from explorer.convert_cli import main as convert_main  # streaming, no document

        return convert_main(argv[1:])
    args = parser().parse_args(argv)
    if args.source is not None:
        return _from_source(args)
    limits.reset()
    for key, value in args.limits:
        limits.set_limit(key, value)
    try:
        check_args(args)
        writer = export_format(args)
        if choose_engine(args.files, args.engine) == "duckdb":
            check_out_of_core(args, writer)
            if args.screenshot is not None or writer in QT_WRITERS:
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            return _run_out_of_core(args.files[0], args, writer)
        result, path = load(args)
    except UsageError as exc:
        _say(str(exc))
        return 2
    except ReadError as exc:
        _say(str(exc))
        return 2
    report(result, args)
    if args.from_article is not None:
        try:
            from_article(result.document, args)
        except UsageError as exc:
            _say(str(exc))
            return 2
        except ReadError as exc:
            _say(str(exc))
            return 2
    try:
        if args.skipped is not None:
            write_skipped(result, args.skipped)
        if writer is not None and writer not in QT_WRITERS:
            export_document(result.document, args.export, writer, args.zone)
            return 0
    except (WriteError, OSError) as exc:
        _say(str(exc))
        return 1
    headless = args.screenshot is not None or writer in QT_WRITERS
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    native = result.format in ("native", "parquet") and args.from_article is None
    return _run_gui(result.document, path, args, headless, native=native, writer=writer)


def _from_source(args: argparse.Namespace) -> int:
    """--source URL: export from it, or open a window on it."""
    from explorer.sql_cli import export_from_source, filter_from

    if args.files or args.from_article is not None:
        _say("--source opens a table: give no FILE and no --from-article")
        return 2
    try:
        writer = export_format(args)
        read_zone(args)
    except UsageError as exc:
        _say(str(exc))
        return 2
    if writer is not None and writer not in QT_WRITERS:
        zone = args.zone
        return export_from_source(
            args.source,
            args.table,
            filter_from(args),
            args.export,
            writer,
            mapping_from(args),
            None if zone is None or zone.is_utc else zone.tz,
        )
    from explorer.engines.sql_engines import EngineError
    from explorer.sql_cli import open_source

    try:
        _engine, backend = open_source(args.source, args.table, mapping_from(args), editable=True)
    except EngineError as exc:
        _say(str(exc))
        return 2
    headless = args.screenshot is not None or writer in QT_WRITERS
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return _run_source_gui(backend, args, headless, writer)


def from_article(document: Document, args: argparse.Namespace) -> None:
    """Add every proposal of --from-article to `document` (in place), and say what."""
    from explorer.article.proposals import NoDatesError, analyse
    from explorer.article.records import article_edit
    from explorer.article.source import load_article
    from explorer.model.dates import DateError, parse_date

    try:
        published = parse_date(args.published) if args.published else None
    except DateError as exc:
        raise UsageError(f"--published: {exc}") from None
    article = load_article(args.from_article)
    actors = list(
        zip(document.actors["id"], document.actors["name"], document.actors["kind"], strict=True)
    )
    try:
        analysis = analyse(article, actors, published)
    except NoDatesError as exc:
        raise UsageError(str(exc)) from None
    if not document.title and not len(document.events):
        document.title = article.title
    article_edit(document, analysis, analysis.proposals).apply(document)
    name = article.name
    if not args.quiet:
        for note in analysis.notes:
            _say(f"{name}: note: {note}")
        for p in analysis.proposals:
            flags = f" [{'; '.join(p.notes)}]" if p.notes else ""
            _say(f"{name}: {p.date.iso()} {p.status.value}: {p.title}{flags}")
    count = len(analysis.proposals)
    _say(f"{name}: {count} event{'s' if count != 1 else ''} added from the article")


def _run_out_of_core(path: Path, args: argparse.Namespace, writer: str | None) -> int:
    """Open `path` through DuckDB: the index is built (first time) on a worker thread
    with progress and Cancel, then the window opens on it."""
    from PySide6.QtWidgets import QApplication

    from explorer.ui.open_large import OutOfCoreOpener

    headless = args.screenshot is not None or writer in QT_WRITERS
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Timeline Explorer")
    app.setOrganizationName("Timeline Explorer")
    opener = OutOfCoreOpener(path)
    outcome: list[object] = []
    opener.opened.connect(outcome.append)
    opener.failed.connect(lambda message: outcome.append(message))
    opener.cancelled.connect(lambda: outcome.append(None))
    opener.start()
    if headless:
        opener.wait()
    else:
        while not outcome:
            app.processEvents()
            opener.wait(0.02)
    backend = outcome[0] if outcome else None
    if backend is None:
        _say(f"{path.name}: cancelled")
        return 1
    if isinstance(backend, str):
        _say(backend)
        return 2
    return _run_gui(backend, path, args, headless, native=True, writer=writer)  # type: ignore[arg-type]


def _run_source_gui(
    backend: object, args: argparse.Namespace, headless: bool, writer: str | None
) -> int:
    """A window on the SQL backend, through the window's seam for any TimelineQueries."""
    return _run_gui(cast(Any, backend), Path(args.table), args, headless, writer=writer)


def _run_gui(
    document: Document | TimelineQueries,
    path: Path,
    args: argparse.Namespace,
    headless: bool,
    *,
    native: bool = True,
    writer: str | None = None,
) -> int:
    from PySide6.QtCore import QSize, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from explorer.ui import export
    from explorer.ui.main_window import MainWindow

    if headless:
        qInstallMessageHandler(_quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Timeline Explorer")
    app.setOrganizationName("Timeline Explorer")
    # An imported file (TimelineJS, CSV, a merge...) is shown as "Untitled, imported from":
    # Save must never write the app's format over the user's source file.
    window = MainWindow(document, path, imported=not native, render_only=headless)
    if args.zone is not None:
        window.zone_override = args.zone  # wins over the zone remembered for the file
        window.state.set_zone(args.zone)
    window.resize(QSize(*args.size))
    if args.select and not window.state.select_id(args.select):
        _say(f"{path.name}: no event with id {args.select!r}")
        return 2
    if not headless:
        window.show()
        _stop_on_sigterm(app, window)
        return int(app.exec())
    window.show()
    app.processEvents()
    try:
        window.settle()
        if args.screenshot is not None:
            export.save_png(window.grab().toImage(), args.screenshot)
        if args.export is not None and writer == "brief":
            from explorer.ui.brief import write_brief

            write_brief(window, args.export)
        elif args.export is not None:
            export.export_view(
                window.timeline, args.export, QSize(*args.size), window.export_heading()
            )
    except (OSError, ValueError, WriteError) as exc:
        _say(str(exc))
        return 1
    finally:
        window.close()
    return 0


def _stop_on_sigterm(app: QCoreApplication, window: MainWindow) -> None:
    """SIGTERM (a logout, `kill`): keep unsaved edits for recovery, drop the lock, quit.
    Python runs signal handlers only between bytecodes, so a timer wakes it up."""
    import signal

    from PySide6.QtCore import QTimer

    def stop(_signum: int, _frame: object) -> None:
        window.session.terminate()
        app.exit(0)  # not quit(): that would close the window, which asks about changes

    signal.signal(signal.SIGTERM, stop)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """The offscreen platform warns that it cannot resize native windows; say the rest."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)
