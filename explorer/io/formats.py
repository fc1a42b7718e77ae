"""The format registry: which reader opens a file, detected from content and extension.

A format is one module (``explorer/io/read_*.py``) that registers a `Format`: its
name, the extensions it claims, a `sniff` function that scores the first bytes of a
file (0: not mine, 1: possible by extension, 2 or 3: sure by content), `read`,
optionally `write`, whether Save may write back over a file read in it (`overwrite`:
only formats that keep everything a document holds), and what mapping it takes
(`mapping`: "columns" for tables, whose columns the mapping dialog shows; "keys" for
JSON records, whose keys `--map` names; "" for formats that say what they hold).
Detection picks the highest score; `--format` overrides it. A sniff that raises is
a bug in that format, not a reason to stop: the registry scores it 0, here, once.
The parts formats share (text and JSON errors, the set-aside collector, columns to
a Document, dates and epochs) are in `explorer.io.kit`; no format imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from explorer.io.errors import ReadError
from explorer.io.limits import check_file
from explorer.io.result import ImportResult
from explorer.io.text import encoding_problem, head
from explorer.model.dates import Precision
from explorer.model.document import Document

MappingSupport = Literal["", "columns", "keys"]


class Cancelled(Exception):  # noqa: N818 (it is not an error: the user chose it)
    """The user cancelled a long read; nothing was changed."""


@dataclass
class ReadOptions:
    """What the user (or the command line) told the reader beyond the file itself."""

    # generic CSV/Excel: role -> column name (or several, for actors)
    mapping: dict[str, str | list[str]] | None = None
    progress: Callable[[float], None] | None = None  # 0..1
    cancelled: Callable[[], bool] | None = None

    def report(self, fraction: float) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled
        if self.progress is not None:
            self.progress(min(max(fraction, 0.0), 1.0))


@dataclass(frozen=True)
class Format:
    name: str  # what --format takes: "native", "timelinejs", "timesketch-csv", ...
    title: str  # what a user reads: "TimelineJS JSON"
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, Path], int]
    read: Callable[[Path, ReadOptions], ImportResult]
    writes: tuple[str, ...] = field(default=())  # the extensions `write` is chosen by
    write: Callable[[Document, Path], None] | None = None
    overwrite: bool = False  # Save may write back over a file read in this format
    mapping: MappingSupport = ""

    def score(self, data: bytes, path: Path) -> int:
        """The sniff's score, 0 when the sniff fails (a bad guess must not stop detection)."""
        try:
            return max(int(self.sniff(data, path)), 0)
        except Exception:
            return 0


_FORMATS: dict[str, Format] = {}
_LOADED = False


def register(fmt: Format) -> Format:
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> list[Format]:
    _load_readers()
    return list(_FORMATS.values())


def get(name: str) -> Format:
    _load_readers()
    try:
        return _FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise KeyError(f"unknown format {name!r} (known: {known})") from None


def takes_mapping(name: str) -> bool:
    """Whether the format of that name reads through a mapping (`--map`, the dialog)."""
    _load_readers()
    fmt = _FORMATS.get(name)
    return fmt is not None and bool(fmt.mapping)


def shows_mapping_dialog(name: str) -> bool:
    """Whether opening a file of that format in the window first asks for its columns."""
    _load_readers()
    fmt = _FORMATS.get(name)
    return fmt is not None and fmt.mapping == "columns"


def savable() -> list[Format]:
    """The formats Save writes back over (they keep all a document holds)."""
    return [fmt for fmt in formats() if fmt.overwrite and fmt.write is not None]


def detect(path: Path) -> Format:
    """The reader for `path`, by content first, extension second."""
    _load_readers()
    data = head(path)
    scored = sorted(
        ((fmt.score(data, path), i, fmt) for i, fmt in enumerate(_FORMATS.values())),
        key=lambda item: (-item[0], item[1]),
    )
    if not scored or scored[0][0] <= 0:
        problem = encoding_problem(data)
        if problem is not None:
            raise ReadError(path, problem[1], where=problem[0])
        raise ReadError(
            path, "not a timeline format this program reads (use --format to say which it is)"
        )
    return scored[0][2]


def read_any(
    path: str | Path, format_name: str | None = None, options: ReadOptions | None = None
) -> ImportResult:
    """Open any supported file; raises ReadError (or Cancelled) and nothing else."""
    path = Path(path)
    check_file(path)  # before opening: a FIFO would block, /dev/zero never end
    fmt = get(format_name) if format_name else detect(path)
    options = options or ReadOptions()
    try:
        result = fmt.read(path, options)
    except (ReadError, Cancelled):
        raise
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None
    except MemoryError:
        raise ReadError(path, "too large to read into memory") from None
    except (
        Exception
    ) as exc:  # a reader bug must not take the app down (tests hold readers to ReadError)
        raise ReadError(
            path, f"could not be read as {fmt.title} ({type(exc).__name__}: {exc})"
        ) from exc
    every_row_set_aside(result)
    if not fmt.overwrite:  # our own formats say what they mean
        result.notes.extend(zero_time_notes(result.document))
    return result


# Clocks' zero points, written by tools for "no time": (Unix seconds, what it is).
ZERO_TIMES: Final = (
    (-11_644_473_600, "1601-01-01T00:00:00 UTC, the Windows zero time"),
    (0, "1970-01-01T00:00:00 UTC, the Unix zero time"),
)


def zero_time_notes(document: Document) -> list[str]:
    """A note for events dated exactly at a clock's zero, to the second: tools write it
    for "no time", so the user should know before reading a span of centuries. They
    are kept (the file says so), not guessed away."""
    events = document.events
    if not len(events):
        return []
    start = events["start"].to_numpy()
    exact = events["start_precision"].to_numpy() == int(Precision.SECOND)
    notes = []
    for seconds, what in ZERO_TIMES:
        n = int((exact & (start == seconds)).sum())
        if n and n < len(events):
            noun = "event is" if n == 1 else "events are"
            notes.append(
                f"{n:,} {noun} dated {what}, which tools write for no time: "
                "filter them out if that is what they mean"
            )
    return notes


def every_row_set_aside(result: ImportResult) -> None:
    """A file whose every row was set aside is an error, not an empty document: the
    same for every reader, with the count and the first reason."""
    if len(result.document.events) or not result.skipped_total:
        return
    first = f"; the first: {result.skipped[0]}" if result.skipped else ""
    raise ReadError(
        result.path,
        f"every row was set aside ({result.skipped_total:,}), so nothing was opened{first}",
    )


def _load_readers() -> None:
    """Import the reader modules so they register themselves (once: a reader module
    imported directly registers only its own formats, so a flag, not _FORMATS, says)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import importlib
    import pkgutil

    import explorer.io as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("read_"):
            importlib.import_module(f"explorer.io.{module.name}")
