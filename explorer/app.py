"""Command line: open a file (default: the embedded story), render a screenshot, or convert.

`--export` of a document needs no window, so it runs without creating a
QApplication; rendering (`--screenshot`, `--export view.png`) uses Qt's offscreen
platform unless a display was asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from explorer import __version__
from explorer.io.errors import ReadError, WriteError
from explorer.io.native import read_native, write_native
from explorer.model.document import Document
from explorer.resources import dataset_path

DOCUMENT_FORMATS = (".json",)
VIEW_FORMATS = (".png", ".svg", ".pdf")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT (e.g. 1600x900)") from None
    if not (200 <= w <= 20000 and 150 <= h <= 20000):
        raise argparse.ArgumentTypeError(f"{text!r}: width 200-20000, height 150-20000")
    return w, h


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="timeline-explorer",
        description="Explore who did what, when, and on whose word.",
    )
    p.add_argument(
        "file",
        nargs="?",
        type=Path,
        help="timeline to open (default: the embedded Permission Layer story)",
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
        "--export",
        metavar="OUT",
        type=Path,
        help="write the document (.json) or the timeline view (.png, .svg, .pdf) and exit",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def load(path: Path | None) -> tuple[Document, Path]:
    path = path or dataset_path()
    return read_native(path), path


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        document, path = load(args.file)
    except ReadError as exc:
        print(f"timeline-explorer: {exc}", file=sys.stderr)
        return 2
    if args.export is not None and args.export.suffix.lower() in DOCUMENT_FORMATS:
        try:
            write_native(document, args.export)
        except WriteError as exc:
            print(f"timeline-explorer: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.export is not None and args.export.suffix.lower() not in VIEW_FORMATS:
        print(
            f"timeline-explorer: {args.export.name}: unknown export format "
            f"(use {', '.join(DOCUMENT_FORMATS + VIEW_FORMATS)})",
            file=sys.stderr,
        )
        return 2
    headless = args.screenshot is not None or args.export is not None
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return _run_gui(document, path, args, headless)


def _run_gui(document: Document, path: Path, args: argparse.Namespace, headless: bool) -> int:
    from PySide6.QtCore import QSize, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from explorer.ui import export
    from explorer.ui.main_window import MainWindow

    if headless:
        qInstallMessageHandler(_quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Timeline Explorer")
    app.setOrganizationName("Timeline Explorer")
    window = MainWindow(document, path)
    window.resize(QSize(*args.size))
    if args.select and not window.state.select_id(args.select):
        print(f"timeline-explorer: {path.name}: no event with id {args.select!r}", file=sys.stderr)
        return 2
    if not headless:
        window.show()
        return int(app.exec())
    window.show()
    app.processEvents()
    try:
        if args.screenshot is not None and not window.grab().save(str(args.screenshot), "PNG"):
            print(f"timeline-explorer: cannot write {args.screenshot}", file=sys.stderr)
            return 1
        if args.export is not None:
            export.export_view(window.timeline, args.export, QSize(*args.size))
    except (OSError, ValueError, WriteError) as exc:
        print(f"timeline-explorer: {exc}", file=sys.stderr)
        return 1
    finally:
        window.close()
    return 0


def _quiet_offscreen(mode: object, context: object, message: str) -> None:
    """The offscreen platform warns that it cannot resize native windows; say the rest."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)
