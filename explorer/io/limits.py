"""Input limits: how big a file, a header, a cell, a line or a workbook may be.

Every reader is bounded in time and memory by these, checked before the expensive
step (a workbook's inflated size and stated dimensions before openpyxl sees it, a
header's width before pandas builds its columns). A file over a limit is refused with
one line naming the limit and how to raise it: `--limit NAME=VALUE` on the command
line, for a user who means it (docs/formats.md lists them).

The limits are process-wide (set once from the command line, read by the readers on
any thread), so a reader needs no extra argument to honour them.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Final

from explorer.io.errors import ReadError

KIB: Final = 1024
MIB: Final = 1024 * KIB
GIB: Final = 1024 * MIB


@dataclass
class Limits:
    """The limits in force; the field names (with - for _) are what --limit takes."""

    file: int = 4 * GIB  # bytes of any input file
    columns: int = 5_000  # columns of a table (CSV header, sheet, delimited log)
    cell: int = 4 * MIB  # characters of one table cell
    line: int = 64 * MIB  # characters of one JSON line
    xlsx_inflated: int = 512 * MIB  # bytes of a workbook once unzipped
    xlsx_cells: int = 50_000_000  # rows x columns a sheet says it spans


LIMITS = Limits()
DEFAULTS: Final = Limits()
_SIZE_UNITS: Final = {"": 1, "k": KIB, "kb": KIB, "m": MIB, "mb": MIB, "g": GIB, "gb": GIB}
_BYTES: Final = frozenset({"file", "xlsx_inflated"})


def names() -> list[str]:
    return [f.name.replace("_", "-") for f in fields(Limits)]


def shown(name: str, value: int) -> str:
    """A limit's value as a user reads it: 4 GiB, 4,194,304 characters, 5,000."""
    if name in _BYTES:
        for unit, size in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
            if value >= size and value % size == 0:
                return f"{value // size:,} {unit}"
        return f"{value:,} bytes"
    if name in ("cell", "line"):
        exact = value % MIB == 0
        return f"{value // MIB:,}M characters" if exact else f"{value:,} characters"
    return f"{value:,}"


def parse_setting(text: str) -> tuple[str, int]:
    """ "columns=20000" or "xlsx-inflated=2G" as (field name, value); ValueError if not."""
    name, sep, raw = text.partition("=")
    key = name.strip().lower().replace("-", "_")
    if not sep or key not in {f.name for f in fields(Limits)}:
        raise ValueError(f"{text!r} is not NAME=VALUE with NAME one of {', '.join(names())}")
    match = re.fullmatch(r"\s*([0-9][0-9_,]*)\s*([kmg]b?|)\s*", raw.lower())
    if not match:
        raise ValueError(f"{text!r}: the value is a whole number, optionally with K, M or G")
    value = int(match.group(1).replace(",", "").replace("_", "")) * _SIZE_UNITS[match.group(2)]
    if value <= 0:
        raise ValueError(f"{text!r}: a limit must be above zero")
    return key, value


def set_limit(key: str, value: int) -> None:
    setattr(LIMITS, key, value)


def reset() -> None:
    for f in fields(Limits):
        setattr(LIMITS, f.name, getattr(DEFAULTS, f.name))


def over(path: Path, key: str, what: str, *, where: str | None = None) -> ReadError:
    """The error for a file over limit `key`: what was found, the limit, how to raise it."""
    flag = key.replace("_", "-")
    value = getattr(LIMITS, key)
    return ReadError(
        path,
        f"{what}, over the limit of {shown(key, value)} "
        f"(if you mean it, raise it with --limit {flag}=N)",
        where=where,
    )


# --- the checks ----------------------------------------------------------------------


def check_file(path: Path) -> int:
    """The size of `path`, refused unless it is a regular file (after symlinks) within
    the file limit. Stat never blocks, where opening a FIFO without a writer would."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        kind = file_kind(info.st_mode)
        raise ReadError(path, f"is {kind}, not a regular file; only files are read")
    if info.st_size > LIMITS.file:
        raise over(path, "file", f"the file is {info.st_size:,} bytes")
    return info.st_size


def file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_columns(path: Path, count: int, *, where: str = "row 1") -> None:
    if count > LIMITS.columns:
        raise over(path, "columns", f"the header has {count:,} columns", where=where)


def check_cell(path: Path, length: int, *, where: str, field: str | None = None) -> None:
    if length > LIMITS.cell:
        error = over(path, "cell", f"the cell holds {length:,} characters", where=where)
        raise ReadError(error.path, error.reason, where=where, field=field)


def check_cells(
    path: Path, names: Sequence[str], columns: Sequence[Any], where: Callable[[int], str]
) -> None:
    """The longest cell of each (Arrow string) column against the cell limit; `where`
    names the row of a cell by its index. Bytes first, from the offsets alone: no
    character is longer than its bytes, so most columns cost next to nothing."""
    import pyarrow.compute as pc  # here: saving (which imports this module) needs no Arrow

    for name, column in zip(names, columns, strict=True):
        if len(column) == 0 or (pc.max(pc.binary_length(column)).as_py() or 0) <= LIMITS.cell:
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py() or 0
        if longest > LIMITS.cell:
            row = int(pc.index(lengths, longest).as_py())
            check_cell(path, longest, where=where(row), field=name)


def check_line(path: Path, length: int, *, where: str) -> None:
    if length > LIMITS.line:
        raise over(path, "line", f"the line holds {length:,} characters", where=where)


def first_header_width(text: str, delimiter: str) -> int:
    """Fields on the first line of delimited text, counted without building them (a
    quoted delimiter is rare in a header; counting it once too often errs on the safe side)."""
    end = text.find("\n", 0, LIMITS.line + 1)
    line = text[: end if end >= 0 else LIMITS.line + 1]
    return line.count(delimiter) + 1


# --- workbooks ----------------------------------------------------------------------

_DIMENSION: Final = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_CELL_REF: Final = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')


def column_number(letters: str) -> int:
    """A spreadsheet column's number: A is 1, XFD is 16,384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would inflate past the limit, or a sheet whose stated or
    actual extent is wider than the column limit or larger than the cell limit, before
    openpyxl builds it (a sparse cell at XFD2000 makes 16,384 columns of 2,000 rows)."""
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            inflated = sum(m.file_size for m in members)
            if inflated > LIMITS.xlsx_inflated:
                raise over(
                    path,
                    "xlsx_inflated",
                    f"the workbook unzips to {inflated:,} bytes",
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    _check_sheet(path, book, member)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ReadError(path, f"could not be read as an Excel workbook ({exc})") from None


def _check_sheet(path: Path, book: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    sheet = member.filename.rsplit("/", 1)[-1]
    widest, last_row = 0, 0
    tail = b""
    # The stated size is in <dimension> near the top; the cells may say otherwise,
    # so every cell reference is looked at too (bounded: the workbook's inflated size is).
    with book.open(member) as stream:
        for chunk in iter(lambda: stream.read(4 * MIB), b""):
            data = tail + chunk
            if not widest and not last_row:
                found = _DIMENSION.search(data[: 64 * KIB])
                if found and found.group(3):
                    widest = column_number(found.group(3).decode())
                    last_row = int(found.group(4))
                    _check_extent(path, sheet, widest, last_row, stated=True)
            refs = set(_CELL_REF.findall(data))
            if refs:
                widest = max(widest, max(column_number(c.decode()) for c, _ in refs))
                last_row = max(last_row, max(int(r) for _, r in refs))
                _check_extent(path, sheet, widest, last_row, stated=False)
            tail = data[-256:]


def _check_extent(path: Path, sheet: str, columns: int, rows: int, *, stated: bool) -> None:
    how = "says it spans" if stated else "has cells across"
    if columns > LIMITS.columns:
        raise over(path, "columns", f"sheet {sheet} {how} {columns:,} columns")
    if columns * rows > LIMITS.xlsx_cells:
        raise over(
            path,
            "xlsx_cells",
            f"sheet {sheet} {how} {rows:,} rows x {columns:,} columns",
        )
