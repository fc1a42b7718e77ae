"""Timesketch CSV and JSONL, and the fast delimited-file machinery the forensic readers share.

Timesketch's own importer is the reference for what a file means:

* ``message`` is required (the event's title); ``timestamp_desc`` is its summary.
* When ``datetime`` is present and readable it wins; a row whose ``datetime`` is
  empty falls back to ``timestamp`` (epoch seconds, milliseconds, microseconds or
  nanoseconds, told apart by magnitude). A ``datetime`` column that holds epoch
  numbers (``csv_timestamp_as_datetime.csv``) is read as epoch.
* A row whose ``datetime`` is written but is not a date is set aside, even when it
  has a ``timestamp``: Timesketch drops it too, and its timestamp is usually as
  doubtful ("1234 19:01:01" beside 88888888). A row with neither is set aside.
* Times without a UTC offset are read as UTC (counted in the notes). Precision is
  the second; the text as written (sub-second fraction included) stays in the
  ``datetime`` / ``timestamp`` attributes.
* ``tag`` and ``label`` ("[]", "['a', 'b']", JSON lists, "a,b") become themes.
* Lanes (actors) are hosts: the first non-empty of ``computer_name``, ``hostname``,
  ``host_name``, ``host``, ``computer``. A file with no host at all gets users
  instead (``username``, ``user_name``, ``user``, ``uid``, ``user_id``, ``user_sid``).
  ``data_type`` and ``source`` say what kind of record it is, not who, so they stay
  attributes.
* Every other column is kept as a per-event attribute (empty cells dropped), except
  the search-index bookkeeping Timesketch itself scrubs (``_id``, ``__ts_timeline_id``...).

Rows are numbered like a spreadsheet: the header is row 1, the first event row 2;
a cell with line breaks in it is still one row, and blank lines are not counted.
JSONL is numbered by line (the first line is line 1).

Speed (a 1,000,000-row export opens in under twice the time of a bare
``pandas.read_csv`` of it): Arrow's C++ reader parses the CSV in 4 MB blocks on a
worker thread while this thread works on the block before (`BlockWork`): the UTF-8
check (skipped where a block is pure ASCII), the dates, by a vectorised ISO 8601
reader over the raw bytes (the model's own parser takes the odd row it cannot), the
lane columns, coded, and the ids. Progress is reported and Cancel honoured between
blocks. Attributes are not turned into a million dicts: `ColumnAttributes` keeps the
extra columns as Arrow strings and makes a row's dict only when someone reads that row.
"""

from __future__ import annotations

import ast
import codecs
import csv
import io
import json
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from explorer.io.attributes import AttributesDtype, ColumnAttributes  # noqa: F401 (re-exported)
from explorer.io.builder import unique_ids
from explorer.io.errors import ReadError
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.result import MAX_SKIPPED_KEPT, ImportResult, SkippedRow
from explorer.io.text import decode, read_bytes
from explorer.io.timeparse import parse_datetimes
from explorer.model.dates import DAY, DateError, Precision, days_from_civil, parse_date
from explorer.model.document import (
    ACTOR_COLUMNS,
    NO_END,
    STATUS_CATEGORIES,
    TABLES,
    THEME_COLUMNS,
    Document,
    make_events,
)

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]

BLOCK_SIZE = 4 << 20  # Arrow reads this much per step; Cancel is checked between steps
READ_SHARE = 0.8  # of the progress bar, for reading the file
# Epoch values must land between years 1 and 9999 (what a forensic tool writes).
_MIN_EPOCH = days_from_civil(1, 1, 1) * DAY
_MAX_EPOCH = days_from_civil(10000, 1, 1) * DAY - 1

HOST_COLUMNS = ("computer_name", "hostname", "host_name", "host", "computer")
USER_COLUMNS = ("username", "user_name", "user", "uid", "user_id", "user_sid")
# Timesketch scrubs these from every event (search-index bookkeeping).
SCRUBBED = frozenset({"_id", "_type", "_index", "_source", "__ts_timeline_id"})


@dataclass
class SetAside:
    """Rows set aside while reading, the first MAX_SKIPPED_KEPT kept in full."""

    rows: list[SkippedRow] = field(default_factory=list)
    total: int = 0

    def add(self, where: str, column: str, reason: str) -> None:
        self.total += 1
        if len(self.rows) < MAX_SKIPPED_KEPT:
            self.rows.append(SkippedRow(where, column, reason))

    def room(self) -> int:
        return MAX_SKIPPED_KEPT - len(self.rows)


# --- reading delimited text through Arrow -------------------------------------------


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return "utf8"


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for sniffing (a cut character is dropped)."""
    if _encoding(head) == "utf-16":
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8-sig", errors="ignore")


def first_record(head: bytes, delimiter: str = ",", quoted: bool = True) -> list[str] | None:
    """The first CSV record of a file's head (its header), or None if there is none."""
    try:
        text = head_text(head)
        if quoted:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=False)
            return next(reader, None)
        line = text.split("\n", 1)[0].rstrip("\r")
        return line.split(delimiter) if line else None
    except (csv.Error, ValueError):
        return None


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique and non-empty: "a", "a" -> "a", "a.1" (as pandas does)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        base = raw.strip() or f"column_{i + 1}"
        name, k = base, 0
        while name in seen:
            k += 1
            name = f"{base}.{k}"
        seen.add(name)
        out.append(name)
    return out


@dataclass
class Delimited:
    """A delimited file read as Arrow strings, with the number of each row in the file."""

    table: pa.Table
    numbers: I64  # spreadsheet row (or line) of each table row
    malformed: list[tuple[int | None, str]]  # (row number, reason) of rows Arrow could not split


BatchWork = Callable[[pa.RecordBatch, int], None]


def read_delimited(
    path: Path,
    options: ReadOptions,
    *,
    delimiter: str = ",",
    quoted: bool = True,
    names: Sequence[str] | None = None,
    header: bool = True,
    on_batch: BatchWork | None = None,
) -> Delimited:
    """Every cell as a string ("" when empty); rows with the wrong number of fields are
    left out and listed. `names` defaults to the file's header. Progress 0..READ_SHARE.

    Arrow parses block after block on a thread of its own while `on_batch(batch, first
    row)` works on the previous one here (numpy and Arrow let go of the GIL), so what a
    reader does per block (parsing dates) costs next to nothing. If the file has to be
    read again (a cell longer than a block), `on_batch` sees row 0 again."""
    size = max(_file_size(path), 1)
    with open_file(path) as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise ReadError(path, "the file is empty")
    encoding = _encoding(head)
    if names is None:
        record = first_record(head, delimiter, quoted)
        if not record:
            raise ReadError(path, "no header row", where="row 1")
        names = record
    names = unique_names(names)
    malformed: list[tuple[int | None, str]] = []

    def invalid(row: Any) -> str:
        malformed.append(
            (row.number, f"has {row.actual_columns} fields, expected {row.expected_columns}")
        )
        return "skip"

    parse_options = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"' if quoted else False,
        newlines_in_values=quoted,
        invalid_row_handler=invalid,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
        check_utf8=False,  # checked block by block on the other thread (see _check_utf8)
    )
    options.report(0.0)
    batches: list[pa.RecordBatch] = []
    schema = None
    with _quiet_handler(invalid) as undecodable:
        # A cell longer than a block (a huge XML blob) needs a bigger block: try once more.
        for block_size in (BLOCK_SIZE, min(max(size + 1, BLOCK_SIZE), 1 << 30)):
            read_options = pacsv.ReadOptions(
                column_names=names,
                skip_rows=1 if header else 0,
                use_threads=False,  # so Arrow knows each bad row's number
                block_size=block_size,
                encoding=encoding,
            )
            malformed.clear()
            try:
                batches, schema = _stream(
                    path,
                    (read_options, parse_options, convert_options),
                    options,
                    min(block_size / size, 1.0),
                    on_batch,
                )
                break
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) and block_size < size + 1:
                    continue
                reason = arrow_reason(exc, delimiter)
            except (pa.ArrowException, ValueError, OSError, UnicodeError) as exc:
                reason = arrow_reason(exc, delimiter)
            except _NotUtf8 as exc:
                number = _row_numbers(exc.row + 1, malformed, 2 if header else 1)[-1]
                raise ReadError(
                    path,
                    "not UTF-8 text; save the file as UTF-8 and try again",
                    where=f"row {number}",
                ) from None
            if undecodable:  # Arrow could not even show us a bad row: not UTF-8
                reason = "not UTF-8 text; save the file as UTF-8 and try again"
            raise ReadError(path, reason)
    table = pa.Table.from_batches(batches, schema=schema)
    numbers = _row_numbers(table.num_rows, malformed, 2 if header else 1)
    if table.num_rows == 0 and malformed:
        raise ReadError(
            path,
            f"no row could be read: every row has a different number of fields than "
            f"the header ({len(names)})",
            where=f"row {malformed[0][0]}" if malformed[0][0] else None,
        )
    return Delimited(table, numbers, malformed)


def _stream(
    path: Path,
    arrow_options: tuple[Any, Any, Any],
    options: ReadOptions,
    step: float,
    on_batch: BatchWork | None,
) -> tuple[list[pa.RecordBatch], pa.Schema]:
    """Arrow's streaming reader on a worker thread, its batches handed over a short queue.
    Errors come back through the queue; Cancel (raised by options.report here) stops the
    worker after the block it is on."""
    read_options, parse_options, convert_options = arrow_options
    handover: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> None:
        while not stop.is_set():
            try:
                handover.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            with pa.OSFile(str(path)) as stream:
                reader = pacsv.open_csv(
                    stream,
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
                put(("schema", reader.schema))
                for batch in reader:
                    if stop.is_set():
                        return
                    put(("batch", batch))
            put(("end", None))
        except BaseException as exc:  # handed to the reading thread, which raises it
            put(("error", exc))

    worker = threading.Thread(target=produce, name="csv-blocks", daemon=True)
    worker.start()
    batches: list[pa.RecordBatch] = []
    schema = None
    rows = 0
    try:
        while True:
            kind, value = handover.get()
            if kind == "error":
                raise value
            if kind == "end":
                break
            if kind == "schema":
                schema = value
                continue
            _check_utf8(value, rows)
            batches.append(value)
            if on_batch is not None:
                on_batch(value, rows)
            rows += value.num_rows
            options.report(READ_SHARE * min(len(batches) * step, 1.0))
    finally:
        stop.set()
        worker.join()
    return batches, schema


class _NotUtf8(Exception):  # noqa: N818 (internal: becomes a ReadError)
    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row  # index among the rows read


def _check_utf8(batch: pa.RecordBatch, first_row: int) -> None:
    """Arrow's own UTF-8 check runs on the parsing thread and costs a fifth of the read;
    here it runs on the other thread, and only where a byte is not ASCII (a column whose
    bytes are all below 128 is valid UTF-8 by construction)."""
    for column in batch.columns:
        data = column.buffers()[2]
        if data is None or data.size == 0:
            continue
        if int(np.frombuffer(data, dtype=np.uint8).max()) < 128:
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid:
            for i, value in enumerate(column.cast(pa.binary()).to_pylist()):
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    raise _NotUtf8(first_row + i) from None
            raise _NotUtf8(first_row) from None


@contextmanager
def _quiet_handler(handler: Any) -> Iterator[list[BaseException]]:
    """Arrow decodes a bad row as UTF-8 before calling our handler; when that fails it
    prints the error and stops with a parse error. Keep that print off the console and
    say what happened instead (other unraisable errors still go to the usual hook)."""
    caught: list[BaseException] = []
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.object is handler and isinstance(unraisable.exc_value, UnicodeError):
            caught.append(unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield caught
    finally:
        sys.unraisablehook = previous


def _row_numbers(n: int, malformed: list[tuple[int | None, str]], first: int) -> I64:
    """File row of each row Arrow kept, given the rows it left out. Arrow numbers rows
    from 1, header included, so its numbers are ours: the first data row is `first`."""
    rows = np.arange(n, dtype=np.int64) + first
    bad = np.sort(np.array([m for m, _ in malformed if m is not None], dtype=np.int64))
    if bad.size:
        kept_before = bad - first - np.arange(bad.size)  # rows kept before each bad one
        rows += np.searchsorted(kept_before, np.arange(n), side="right")
    return rows


def arrow_reason(exc: BaseException, delimiter: str = ",") -> str:
    text = str(exc)
    if isinstance(exc, UnicodeError) or "UTF8" in text or "utf8" in text.lower():
        return "not UTF-8 text; save the file as UTF-8 and try again"
    if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowException):
        return exc.strerror or text
    first = text.splitlines()[0] if text else type(exc).__name__
    kind = "comma" if delimiter == "," else repr(delimiter)
    return f"not readable as {kind}-separated text ({first[:200]})"


def open_file(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None


# --- dates ---------------------------------------------------------------------------

DATE_OK, DATE_BLANK, DATE_NOT_A_DATE, DATE_OUT_OF_RANGE = 0, 1, 2, 3
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_NUMBER = r"^[+-]?[0-9]+(\.[0-9]*)?$"
_ISO_ROWS = 1 << 15  # rows per step of the ISO reader


@dataclass
class Dates:
    """A column of dates: seconds, precision and, per row, whether (and why not) it read."""

    seconds: I64
    precision: I8
    status: I8  # DATE_OK, DATE_BLANK, DATE_NOT_A_DATE, DATE_OUT_OF_RANGE
    naive: Bool  # read as UTC for want of an offset
    fraction: Bool  # had a sub-second fraction (dropped: precision is the second)

    @property
    def ok(self) -> Bool:
        return np.asarray(self.status == DATE_OK)

    @classmethod
    def empty(cls, n: int) -> Dates:
        return cls(
            np.zeros(n, np.int64),
            np.full(n, int(Precision.SECOND), np.int8),
            np.full(n, DATE_BLANK, np.int8),
            np.zeros(n, bool),
            np.zeros(n, bool),
        )

    @classmethod
    def concat(cls, parts: Sequence[Dates]) -> Dates:
        if not parts:
            return cls.empty(0)
        return cls(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__)
        )

    def fill(self, rows: npt.ArrayLike, other: Dates) -> None:
        """Take `other` (dates for `rows`) where it read."""
        rows = np.asarray(rows, dtype=np.int64)
        good = other.status == DATE_OK
        target = rows[good]
        self.seconds[target] = other.seconds[good]
        self.precision[target] = other.precision[good]
        self.status[target] = DATE_OK
        self.naive[target] = other.naive[good]
        self.fraction[target] = other.fraction[good]


def _string_chunks(values: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = []
    for chunk in chunks:
        if chunk.type != pa.string():
            chunk = chunk.cast(pa.string())
        if chunk.null_count:
            chunk = chunk.fill_null("")
        out.append(chunk)
    return out


def iso_dates(values: pa.ChunkedArray | pa.Array, *, epoch_numbers: bool = True) -> Dates:
    """ISO 8601 date-times to seconds, vectorised over the raw UTF-8 bytes.

    "2012-03-14 04:17:38.276340+00:00", "...T...Z", "...+0000" and naive times take the
    fast path; anything else (dates alone, years beyond 9999) goes to the model's parser.
    With `epoch_numbers`, a cell holding a plain number is an epoch (s/ms/µs/ns).
    """
    # Block by block (as Arrow read them): the byte matrices stay in the CPU cache.
    parts = []
    for chunk in _string_chunks(values):
        for start in range(0, max(len(chunk), 1), _ISO_ROWS):
            parts.append(_iso_chunk(chunk.slice(start, _ISO_ROWS), epoch_numbers))
    return Dates.concat(parts)


def _iso_chunk(arr: pa.Array, epoch_numbers: bool) -> Dates:
    n = len(arr)
    out = Dates.empty(n)
    if n == 0:
        return out
    buffers = arr.buffers()
    offsets: I64 = np.frombuffer(
        buffers[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4
    ).astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None and buffers[2].size
        else np.zeros(0, np.uint8)
    )
    starts, ends = offsets[:-1], offsets[1:]
    long = ends - starts >= 19
    if long.all():  # the usual case: no index arrays, results taken as they come
        good, seconds, naive, fraction = _iso_fast(data, starts, ends)
        out = Dates(
            np.where(good, seconds, 0),
            out.precision,
            np.where(good, DATE_OK, DATE_BLANK).astype(np.int8),
            naive & good,
            fraction & good,
        )
        rest = np.flatnonzero(~good)
        if rest.size:
            _iso_slow(arr.take(pa.array(rest)), rest, out, epoch_numbers)
        return out
    idx = np.flatnonzero(long)
    fast = np.zeros(n, dtype=bool)
    if idx.size:
        good, seconds, naive, fraction = _iso_fast(data, starts[idx], ends[idx])
        rows = idx[good]
        out.seconds[rows] = seconds[good]
        out.status[rows] = DATE_OK
        out.naive[rows] = naive[good]
        out.fraction[rows] = fraction[good]
        fast[rows] = True
    rest = np.flatnonzero(~fast)
    if rest.size:
        _iso_slow(arr.take(pa.array(rest)), rest, out, epoch_numbers)
    return out


def _iso_fast(data: npt.NDArray[np.uint8], s: I64, e: I64) -> tuple[Bool, I64, Bool, Bool]:
    """YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|±hh:mm|±hhmm] for strings [s, e) of `data`.

    Strings of one length are laid side by side as a byte matrix (a view when the
    whole chunk has one length, as machine-written exports do), so every check is a
    column operation."""
    m = len(s)
    lengths = e - s
    size = int(lengths[0])
    if int(e[-1] - s[0]) == m * size and (lengths == size).all():  # one length, side by side
        return _iso_matrix(data[int(s[0]) : int(e[-1])].reshape(m, size))
    good = np.zeros(m, dtype=bool)
    seconds = np.zeros(m, dtype=np.int64)
    naive = np.zeros(m, dtype=bool)
    fraction = np.zeros(m, dtype=bool)
    distinct = np.unique(lengths)
    for length in distinct:
        size = int(length)
        rows = np.flatnonzero(lengths == length) if len(distinct) > 1 else None
        starts = s if rows is None else s[rows]
        first, stop = int(starts[0]), int(e[-1] if rows is None else e[rows[-1]])
        if stop - first == len(starts) * size:  # side by side in the buffer already
            matrix = data[first:stop].reshape(len(starts), size)
        else:
            matrix = data[starts[:, None] + np.arange(size)]
        parts = _iso_matrix(matrix)
        where = slice(None) if rows is None else rows
        good[where], seconds[where], naive[where], fraction[where] = parts
    return good, seconds, naive, fraction


@cache
def month_starts() -> I64:
    """Day number (since 1970) of the first of each month of years 0-9999, and one more:
    a table look-up is ten times faster than the calendar arithmetic per row."""
    months = np.arange(10000 * 12 + 1, dtype=np.int64)
    return days_from_civil(months // 12, months % 12 + 1, np.ones_like(months))


def _iso_matrix(mat: npt.NDArray[np.uint8]) -> tuple[Bool, I64, Bool, Bool]:
    """`_iso_fast` for strings of one length, one per row of a byte matrix."""
    m, size = mat.shape
    # Minus "0" wraps round below it, so "is a digit" is `<= 9`.
    d = mat[:, _DIGITS] - np.uint8(48)
    tail = mat[:, 19:] - np.uint8(48)  # after the seconds: fraction and offset

    def digit(col: int) -> npt.NDArray[np.int32]:
        return tail[:, col - 19].astype(np.int32)

    good = d.max(axis=1) <= 9  # max, not all(): numpy reduces short rows faster so
    good &= (mat[:, 4] == 45) & (mat[:, 7] == 45) & (mat[:, 13] == 58) & (mat[:, 16] == 58)
    good &= (mat[:, 10] == 84) | (mat[:, 10] == 32) | (mat[:, 10] == 116)
    d32 = d.astype(np.int32)
    year = d32[:, 0] * 1000 + d32[:, 1] * 100 + d32[:, 2] * 10 + d32[:, 3]
    month = d32[:, 4] * 10 + d32[:, 5]
    day = d32[:, 6] * 10 + d32[:, 7]
    clock = (d32[:, 8] * 10 + d32[:, 9]) * 3600 + (d32[:, 10] * 10 + d32[:, 11]) * 60
    clock += d32[:, 12] * 10 + d32[:, 13]
    good &= (d32[:, 8] * 10 + d32[:, 9] <= 23) & (d32[:, 10] <= 5) & (d32[:, 12] <= 5)
    # The offset: "Z", "+hh:mm" or "+hhmm" at the end, or none (naive).
    last = mat[:, size - 1]
    zulu = (last == 90) | (last == 122)
    offset = np.zeros(m, dtype=np.int32)
    forms: list[tuple[int, Bool]] = [(1, zulu)]  # (length of the offset, rows written so)
    taken = zulu.copy()
    for cut, colon_at in ((6, size - 3), (5, None)):
        if size < 19 + cut:
            continue
        sign = mat[:, size - cut]
        hh_at = size - cut + 1
        rows = ~taken & ((sign == 43) | (sign == 45))
        if colon_at is not None:
            rows &= mat[:, colon_at] == 58
        for column in (hh_at, hh_at + 1, size - 2, size - 1):
            rows &= tail[:, column - 19] <= 9
        if not rows.any():
            continue
        hh = digit(hh_at) * 10 + digit(hh_at + 1)
        mm = digit(size - 2) * 10 + digit(size - 1)
        good &= ~rows | ((hh <= 23) & (mm <= 59))
        offset = np.where(rows, np.where(sign == 45, -1, 1) * (hh * 3600 + mm * 60), offset)
        taken |= rows
        forms.append((cut, rows))
    forms.append((0, ~taken))
    # Between the seconds and the offset: nothing, or a fraction ".123456789".
    fraction = np.zeros(m, dtype=bool)
    middle_ok = np.zeros(m, dtype=bool)
    dot_ok = ((mat[:, 19] == 46) | (mat[:, 19] == 44)) if size > 19 else None
    for cut, rows in forms:
        stop = size - cut
        if stop == 19:
            middle_ok |= rows
        elif stop >= 21 and dot_ok is not None and rows.any():
            ok = rows & dot_ok & (tail[:, 1 : stop - 19].max(axis=1) <= 9)
            middle_ok |= ok
            fraction |= ok
    good &= middle_ok
    # The calendar: months 1-12 and days that exist (hh:mm:ss were checked above).
    good &= (month >= 1) & (month <= 12)
    safe_month = np.clip(month, 1, 12)
    month_index = np.where(good, year * 12 + safe_month - 1, 0)  # garbage rows: any month
    starts = month_starts()
    first = starts[month_index]
    month_days = starts[month_index + 1] - first
    good &= (day >= 1) & (day <= month_days)
    days = first + day - 1
    seconds: I64 = (days * DAY + (clock - offset)).astype(np.int64)
    return good, seconds, ~taken, fraction


def _iso_slow(values: pa.Array, rows: I64, out: Dates, epoch_numbers: bool) -> None:
    """The rows the fast path did not take: blanks, epoch numbers, other ISO shapes."""
    trimmed = pc.utf8_trim_whitespace(values)
    blank = np.asarray(pc.equal(trimmed, "").to_numpy(zero_copy_only=False), dtype=bool)
    out.status[rows[blank]] = DATE_BLANK
    todo = ~blank
    if epoch_numbers and todo.any():
        numeric = np.asarray(
            pc.match_substring_regex(trimmed, _NUMBER).to_numpy(zero_copy_only=False), dtype=bool
        )
        numeric &= todo
        if numeric.any():
            epoch = epoch_dates(trimmed.filter(pa.array(numeric)))
            where = rows[numeric]
            out.seconds[where] = epoch.seconds
            out.status[where] = epoch.status
            todo &= ~numeric
    if not todo.any():
        return
    texts = trimmed.filter(pa.array(todo)).to_pandas()
    parsed = parse_datetimes(texts)
    where = rows[todo]
    out.status[where] = np.where(parsed.ok, DATE_OK, DATE_NOT_A_DATE).astype(np.int8)
    out.seconds[where] = parsed.seconds
    out.precision[where] = parsed.precision
    # parse_datetimes counts naive times but does not say which; find them the same way.
    has_time = texts.str.contains(r"\d[T ]\d", regex=True).to_numpy(dtype=bool)
    has_zone = texts.str.contains(r"(?:Z|z|[+-]\d\d:?\d\d)$", regex=True).to_numpy(dtype=bool)
    out.naive[where] = parsed.ok & has_time & ~has_zone
    out.fraction[where] = parsed.ok & texts.str.contains(r":\d\d[.,]\d", regex=True).to_numpy(
        dtype=bool
    )


def epoch_dates(values: pa.ChunkedArray | pa.Array | Sequence[Any]) -> Dates:
    """Epoch numbers (s, ms, µs or ns, by magnitude, as Timesketch tells them apart)."""
    if not isinstance(values, pa.ChunkedArray | pa.Array):
        values = pa.array(
            [str(v) if not isinstance(v, str) else v for v in values], type=pa.string()
        )
    parts = []
    for chunk in _string_chunks(values):
        parts.append(_epoch_chunk(pc.utf8_trim_whitespace(chunk)))
    return Dates.concat(parts)


def _unsigned(numbers: Any) -> Any:
    """Arrow reads "-5" as a number but not "+5"."""
    return pc.replace_substring_regex(numbers, pattern=r"^\+", replacement="")


def _epoch_chunk(text: pa.Array) -> Dates:
    n = len(text)
    out = Dates.empty(n)
    if n == 0:
        return out
    blank = np.asarray(pc.equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
    numeric = np.asarray(
        pc.match_substring_regex(text, _NUMBER).to_numpy(zero_copy_only=False), dtype=bool
    )
    out.status[~blank] = DATE_NOT_A_DATE
    if not numeric.any():
        return out
    rows = np.flatnonzero(numeric)
    chosen = text.filter(pa.array(numeric))
    integral = np.asarray(
        pc.match_substring_regex(chosen, r"^[+-]?[0-9]{1,18}$").to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    seconds = np.zeros(len(rows), dtype=np.int64)
    ok = np.zeros(len(rows), dtype=bool)
    if integral.any():
        ints = pc.cast(_unsigned(chosen.filter(pa.array(integral))), pa.int64()).to_numpy()
        magnitude = np.abs(ints)
        divisor = np.select(
            [magnitude >= 10**17, magnitude >= 10**14, magnitude >= 10**11],
            [10**9, 10**6, 10**3],
            default=1,
        ).astype(np.int64)
        seconds[integral] = np.floor_divide(ints, divisor)
        ok[integral] = True
    if (~integral).any():
        floats = pc.cast(_unsigned(chosen.filter(pa.array(~integral))), pa.float64()).to_numpy()
        finite = np.isfinite(floats)
        magnitude = np.abs(np.where(finite, floats, 0.0))
        divisor = np.select(
            [magnitude >= 1e17, magnitude >= 1e14, magnitude >= 1e11], [1e9, 1e6, 1e3], 1.0
        )
        value = np.floor(np.where(finite, floats, 0.0) / divisor)
        finite &= np.abs(value) < 2**62
        seconds[~integral] = np.where(finite, value, 0).astype(np.int64)
        ok[~integral] = finite
    in_range = ok & (seconds >= _MIN_EPOCH) & (seconds <= _MAX_EPOCH)
    out.seconds[rows] = np.where(in_range, seconds, 0)
    out.status[rows] = np.where(in_range, DATE_OK, DATE_OUT_OF_RANGE).astype(np.int8)
    return out


def date_reason(raw: Any, status: int, column: str, epoch: bool = False) -> str:
    """Why one cell is not a date, as the set-aside list says it (`epoch`: the column
    holds epoch numbers, not dates)."""
    text = "" if raw is None else str(raw).strip()
    if status == DATE_BLANK or not text:
        return f"no date: {column} is empty"
    if status == DATE_OUT_OF_RANGE:
        return f"{text[:60]!r} is outside the years 1 to 9999 as an epoch number"
    if epoch:
        return f"{text[:60]!r} is not an epoch number (seconds, ms, µs or ns since 1970)"
    spelled = text.replace(" ", "T", 1) if " " in text else text
    try:
        parse_date(spelled)
    except DateError as exc:  # its message says what is wrong ("day 31 does not exist...")
        return str(exc).replace(repr(spelled), repr(text))[:200]
    return f"{text[:60]!r} is not a date"


# --- building the document -----------------------------------------------------------


@dataclass
class Lanes:
    """Who each event is about: a code per row (-1: nobody) into `names`."""

    codes: I64
    names: list[str]
    kind: str = ""
    columns: list[str] = field(default_factory=list)

    def take(self, rows: I64 | None) -> Lanes:
        codes = self.codes if rows is None else self.codes[rows]
        return Lanes(codes, self.names, self.kind, self.columns)


def factorize_names(values: pd.Series | pa.ChunkedArray | pa.Array, empty: Iterable[str]) -> Lanes:
    """Codes and trimmed names of a column of names; blank and `empty` cells get -1."""
    series = values.to_pandas() if isinstance(values, pa.ChunkedArray | pa.Array) else values
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    return lanes_from_codes(np.asarray(codes, dtype=np.int64), list(uniques), empty)


def lanes_from_codes(codes: I64, uniques: Sequence[Any], empty: Iterable[str]) -> Lanes:
    """`Lanes` from codes into raw names: names trimmed, blank and `empty` ones dropped."""
    trimmed = [str(u).strip() for u in uniques]
    drop = set(empty) | {""}
    # Different raw spellings of one name ("host", "host ") become one.
    joint, names = pd.factorize(
        pd.Series([t if t not in drop else "" for t in trimmed], dtype="str")
    )
    blank = np.asarray([str(name) == "" for name in names], dtype=bool)
    kept = [str(name) for name, b in zip(names, blank, strict=True) if not b]
    order = np.cumsum(~blank) - 1  # close the gap the blank name leaves in the numbering
    joint = np.asarray(joint, dtype=np.int64)
    remap = np.where(blank[joint], -1, order[joint]) if joint.size else joint
    lookup = np.append(remap, -1).astype(np.int64)  # code -1 (missing) stays -1
    return Lanes(lookup[codes], kept)


Encoded = tuple[I64, list[Any]]  # codes into a list of raw names


def merge_encoded(parts: Sequence[Encoded]) -> Encoded:
    """One coding for a column encoded block by block (each block has its own names)."""
    names: list[Any] = []
    codes = []
    for block_codes, block_names in parts:
        codes.append(block_codes + len(names))
        names.extend(block_names)
    joint, uniques = pd.factorize(pd.Series(names, dtype=object))
    lookup = np.asarray(joint, dtype=np.int64)
    merged = lookup[np.concatenate(codes)] if codes else np.zeros(0, np.int64)
    return merged, list(uniques)


def encode_block(values: pa.Array | pa.ChunkedArray) -> Encoded:
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return np.asarray(indices, dtype=np.int64), encoded.dictionary.to_pylist()


def lane_candidates(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(kind, present columns) for hosts, then users, matching names case-insensitively."""
    lower = {name.lower(): name for name in reversed(names)}
    return [
        (kind, [lower[c] for c in candidates if c in lower])
        for kind, candidates in (("host", HOST_COLUMNS), ("user", USER_COLUMNS))
    ]


def who(
    table: pa.Table,
    empty: Iterable[str] = ("", "-"),
    encoded: Mapping[str, Encoded] | None = None,
) -> Lanes | None:
    """The lane of each row: hosts if any host column has a value, else users (the first
    non-empty of the candidate columns, in order). `encoded` has the columns already coded
    block by block (see `BlockWork`)."""
    empty = tuple(empty)
    for kind, present in lane_candidates(table.column_names):
        parts = [
            lanes_from_codes(*encoded[c], empty)
            if encoded and c in encoded
            else factorize_names(table[c], empty)
            for c in present
        ]
        lanes = coalesce_lanes(parts)
        if lanes is not None:
            lanes.kind, lanes.columns = kind, present
            return lanes
    return None


class BlockWork:
    """What a reader does per block while Arrow parses the next one: `per_block(batch)`
    (dates, mostly) and coding the lane columns, so nothing has to pass over the whole
    table again afterwards."""

    def __init__(
        self,
        names: Sequence[str],
        per_block: Callable[[pa.RecordBatch], Any] | None = None,
        id_prefix: str = "row-",
        first_number: int = 2,
    ) -> None:
        self.per_block = per_block
        self.id_prefix, self.first_number = id_prefix, first_number
        names = unique_names(names)
        # The first kind of lane column present (hosts, else users); the other kind is
        # only needed when these are all empty, and is then coded afterwards.
        present = next((cols for _, cols in lane_candidates(names) if cols), [])
        self.lane_index = {c: names.index(c) for c in present}
        self.results: list[Any] = []
        self.blocks: dict[str, list[Encoded]] = {}
        self.ids: list[pa.Array] = []

    def __call__(self, batch: pa.RecordBatch, start: int) -> None:
        if start == 0:  # (again, if the file is read a second time)
            self.results, self.blocks, self.ids = [], {c: [] for c in self.lane_index}, []
        if self.per_block is not None:
            self.results.append(self.per_block(batch))
        for column, index in self.lane_index.items():
            self.blocks[column].append(encode_block(batch.column(index)))
        # Ids as if no row was malformed (the usual case; see `row_ids`).
        numbers = np.arange(start, start + batch.num_rows) + self.first_number
        self.ids.append(row_ids(self.id_prefix, numbers))

    def encoded(self) -> dict[str, Encoded]:
        return {column: merge_encoded(parts) for column, parts in self.blocks.items()}

    def row_ids(self, data: Delimited, keep: I64) -> pa.ChunkedArray:
        """The ids of the rows in `keep` ("row-983": where the event is in the file)."""
        if data.malformed or not self.ids:
            return pa.chunked_array([row_ids(self.id_prefix, data.numbers[keep])])
        ids = pa.chunked_array(self.ids)
        return ids if len(keep) == len(ids) else ids.take(pa.array(keep))


def coalesce_lanes(parts: Sequence[Lanes]) -> Lanes | None:
    """Per row, the first of `parts` that names someone; None if none ever does."""
    parts = [p for p in parts if p.names]
    if not parts:
        return None
    if len(parts) == 1:
        return Lanes(parts[0].codes, parts[0].names)
    codes = np.full(len(parts[0].codes), -1, dtype=np.int64)
    names: list[str] = []
    for part in parts:
        fill = (codes < 0) & (part.codes >= 0)
        codes[fill] = part.codes[fill] + len(names)
        names.extend(part.names)
    joint, uniques = pd.factorize(pd.Series(names, dtype="str"))
    lookup = np.append(np.asarray(joint, dtype=np.int64), -1)
    return Lanes(lookup[codes], [str(u) for u in uniques])


def named_links(
    ids: pa.ChunkedArray,
    rows: npt.ArrayLike,
    codes: npt.ArrayLike,
    names: Sequence[str],
    table_columns: tuple[str, ...],
    link_column: str,
    role: str | None = None,
    **fixed: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A names table (actors or themes) and its links to events, without a per-row loop:
    event `rows[i]` is linked to `names[codes[i]]`. Names nobody uses are left out."""
    rows = np.asarray(rows, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    used = np.bincount(codes, minlength=len(names)) > 0 if codes.size else np.zeros(0, bool)
    renumber = np.cumsum(used) - 1
    codes = renumber[codes] if codes.size else codes
    unique_names = [name for name, u in zip(names, used, strict=False) if u]
    thing_ids = unique_ids(unique_names, "")
    frame: dict[str, Any] = {c: [""] * len(unique_names) for c in table_columns}
    frame["id"] = thing_ids
    frame["name"] = unique_names
    for key, value in fixed.items():
        frame[key] = [value] * len(unique_names)
    things = pd.DataFrame({c: pd.Series(frame[c], dtype="str") for c in table_columns})
    every = len(rows) == len(ids) and bool((rows == np.arange(len(rows))).all())
    linked = ids if every else ids.take(pa.array(rows))
    links: dict[str, Any] = {
        "event_id": pd.Series(linked.to_pandas(), dtype="str").reset_index(drop=True),
        link_column: pd.Series(
            pa.array(thing_ids, type=pa.large_string()).take(pa.array(codes)).to_pandas(),
            dtype="str",
        ),
    }
    if role is not None:
        links["role"] = _repeat(role, len(rows))
    return things, pd.DataFrame(links)


def _repeat(text: str, n: int) -> pd.Series:
    """`n` copies of one string as a "str" Series."""
    values = pa.repeat(pa.scalar(text, pa.large_string()), n)
    return pd.Series(values.to_pandas(), dtype="str").reset_index(drop=True)


def text_column(
    values: pa.ChunkedArray | pa.Array | None, n: int, empty: Iterable[str] = ()
) -> pd.Series:
    """An Arrow string column as the model's "str" Series; `empty` values become ""."""
    if values is None:
        return _repeat("", n)
    empty = list(empty)
    if empty:
        mask = pc.is_in(values, value_set=pa.array(empty, type=pa.string()))
        values = pc.if_else(mask, "", values)
    return pd.Series(values.to_pandas(), dtype="str").reset_index(drop=True)


@dataclass
class Assembly:
    """What a forensic reader found, column by column, ready to become a Document."""

    n: int
    ids: pa.ChunkedArray | pa.Array
    titles: pd.Series
    summaries: pd.Series
    start: I64
    precision: I8
    attributes: ColumnAttributes | Sequence[Any] | None = None
    lanes: Lanes | None = None  # one code per event
    tag_rows: I64 | None = None
    tag_names: Sequence[str] | None = None


@cache
def _empty_document() -> Document:
    return Document()


def assemble(title: str, parts: Assembly) -> Document:
    """The Document from whole columns, as explorer.io.builder does it, with two savings
    that matter at a million rows: ids are unique by construction (they name the row),
    so they are not checked again, and actors and themes are linked by code with Arrow."""
    n = parts.n
    ids = parts.ids if isinstance(parts.ids, pa.ChunkedArray) else pa.chunked_array([parts.ids])
    attributes: Any = np.empty(n, dtype=object)  # all None
    if parts.attributes is not None and not isinstance(parts.attributes, ColumnAttributes):
        attributes[:] = list(parts.attributes)
    events = make_events(
        ids=pd.Series(ids.to_pandas(), dtype="str").reset_index(drop=True),
        titles=parts.titles.fillna(""),
        summaries=parts.summaries.fillna(""),
        start=np.asarray(parts.start, dtype=np.int64),
        start_precision=np.broadcast_to(np.asarray(parts.precision, dtype=np.int8), (n,)),
        end=np.zeros(n, dtype=np.int64),
        end_precision=np.full(n, NO_END, dtype=np.int8),
        status=pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=STATUS_CATEGORIES),
        attributes=attributes,
    )
    if isinstance(parts.attributes, ColumnAttributes):
        events["attributes"] = pd.Series(parts.attributes, index=events.index)
    empty = _empty_document()  # the other tables, copied: building them anew costs more
    doc = Document(
        title=title,
        events=events,
        **{table: getattr(empty, table).copy() for table in TABLES if table != "events"},
    )
    lanes = parts.lanes
    if lanes is not None and lanes.names:
        rows = np.flatnonzero(lanes.codes >= 0)
        doc.actors, doc.links = named_links(
            ids,
            rows,
            lanes.codes[rows],
            lanes.names,
            ACTOR_COLUMNS,
            "actor_id",
            role=lanes.kind,
            kind=lanes.kind,
        )
    if parts.tag_rows is not None and parts.tag_names is not None and len(parts.tag_rows):
        codes, uniques = pd.factorize(pd.Series(list(parts.tag_names), dtype="str"))
        doc.themes, doc.event_themes = named_links(
            ids, parts.tag_rows, codes, [str(u) for u in uniques], THEME_COLUMNS, "theme_id"
        )
    return doc


@cache
def _four_digits() -> npt.NDArray[np.uint32]:
    """ "0000" to "9999", each as the four bytes of one uint32 (little-endian order)."""
    numbers = np.arange(10000)
    table = np.stack([numbers // 10**k % 10 + 48 for k in (3, 2, 1, 0)], axis=1)
    return np.ascontiguousarray(table.astype(np.uint8)).view("<u4").ravel()


def _put_four(matrix: npt.NDArray[np.uint8], offset: int, values: npt.NDArray[np.uint32]) -> None:
    """Four bytes at `offset` of every row of `matrix`, through a strided uint32 view."""
    rows, width = matrix.shape
    view = np.ndarray((rows,), dtype="<u4", buffer=matrix, offset=offset, strides=(width,))
    view[:] = values


def row_ids(prefix: str, numbers: npt.ArrayLike) -> pa.Array:
    """Event ids that say where the event is in the file: "row-983", "line-12".

    `numbers` ascend, so numbers with the same count of digits come in runs; each run is
    written as one byte matrix, four digits at a time from a table, which is several
    times faster than formatting numbers one by one (even in Arrow)."""
    values = np.asarray(numbers, dtype=np.int64)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    if (
        values.size == 0
        or len(head) < 4
        or values[0] < 0
        or values[-1] >= 10**8
        or np.any(np.diff(values) < 0)
    ):
        text = pc.cast(pa.array(values), pa.string())
        return pc.binary_join_element_wise(prefix, text, "").cast(pa.large_string())
    table = _four_digits()
    digits = np.ones(values.size, dtype=np.int64)
    for power in (10, 100, 1000, 10**4, 10**5, 10**6, 10**7):
        digits += values >= power
    pieces = []
    lengths = []
    bounds = np.flatnonzero(np.diff(digits)) + 1  # runs of one digit count
    for run in np.split(values.astype(np.int32), bounds):
        width = len(head) + len(str(int(run[0])))
        high, low = np.divmod(run, 10000)
        matrix = np.empty((run.size, width), dtype=np.uint8)
        if width >= 8:
            _put_four(matrix, width - 8, table[high])  # leading zeros land on the prefix,
        _put_four(matrix, width - 4, table[low])  # which is written last
        matrix[:, : len(head)] = head
        pieces.append(matrix.ravel())
        lengths.append(np.full(run.size, width, dtype=np.int64))
    offsets = np.zeros(values.size + 1, dtype=np.int64)
    np.cumsum(np.concatenate(lengths), out=offsets[1:])
    data = np.concatenate(pieces)
    # large_string: what pandas' "str" columns hold, so handing them over copies nothing.
    return pa.Array.from_buffers(
        pa.large_string(), values.size, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


# --- tags ---------------------------------------------------------------------------

_TAG_EMPTY = frozenset({"", "[]", "-", "None", "nan", "null"})
# Labels Timesketch gives events itself, in words an analyst reads.
_TIMESKETCH_LABELS = {"__ts_star": "starred", "__ts_comment": "commented"}


def tag_list(value: Any, split_spaces: bool = False) -> list[str]:
    """A tag or label cell as a list of names: "[]", "['a', 'b']", '["a"]', "a,b", "a"."""
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    elif isinstance(value, dict):  # Plaso: {"labels": [...]} event_tag containers
        labels = value.get("labels", [])
        items = list(labels) if isinstance(labels, list | tuple) else [labels]
    else:
        text = "" if value is None else str(value).strip()
        if text in _TAG_EMPTY:
            return []
        items = []
        if text.startswith("[") and text.endswith("]") and len(text) < 100_000:
            try:
                parsed = json.loads(text)
            except ValueError:
                try:
                    parsed = ast.literal_eval(text)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    parsed = None
            items = list(parsed) if isinstance(parsed, list | tuple) else text[1:-1].split(",")
        else:
            items = re.split(r"[,\s]+" if split_spaces else r",", text)
    out = []
    for item in items:
        if isinstance(item, dict | list | tuple):
            continue
        name = str(item).strip().strip("'\"").strip()
        name = _TIMESKETCH_LABELS.get(name, name)
        if name and name not in _TAG_EMPTY and name not in out:
            out.append(name)
    return out


def tags_from_columns(
    table: pa.Table, columns: Sequence[str], keep: I64, split_spaces: bool = False
) -> tuple[I64, list[str]]:
    """(event row, theme name) pairs from tag-like columns, parsing only non-empty cells."""
    rows: list[int] = []
    names: list[str] = []
    seen: set[tuple[int, str]] = set()
    position = np.full(table.num_rows, -1, dtype=np.int64)
    position[keep] = np.arange(len(keep))
    for column in columns:
        values = pc.utf8_trim_whitespace(table[column])
        busy = pc.invert(pc.is_in(values, value_set=pa.array(sorted(_TAG_EMPTY))))
        mask = np.asarray(busy.to_numpy(zero_copy_only=False), dtype=bool)
        mask &= position >= 0
        where = np.flatnonzero(mask)
        if not where.size:
            continue
        cells = values.take(pa.array(where)).to_pylist()
        for row, cell in zip(where, cells, strict=True):
            for name in tag_list(cell, split_spaces):
                if (int(row), name) not in seen:  # "tag" and "label" may say the same
                    seen.add((int(row), name))
                    rows.append(int(position[row]))
                    names.append(name)
    order = np.argsort(np.asarray(rows, dtype=np.int64), kind="stable")  # by event, as saved
    return np.asarray(rows, dtype=np.int64)[order], [names[i] for i in order]


# --- Timesketch CSV ------------------------------------------------------------------

_TIMESKETCH_NEEDS = "Timesketch needs message, datetime or timestamp, timestamp_desc"


def _column(table_names: Sequence[str], wanted: str) -> str | None:
    for name in table_names:
        if name.lower() == wanted:
            return name
    return None


def read_timesketch_csv(path: Path, options: ReadOptions) -> ImportResult:
    with open_file(path) as handle:
        head = handle.read(1 << 20)
    header = unique_names(first_record(head) or []) if head.strip() else []
    if header:
        _check_timesketch_header(path, header)
    dt_col, ts_col = _column(header, "datetime"), _column(header, "timestamp")
    work = BlockWork(
        header,
        partial(
            _timesketch_block,
            header.index(dt_col) if dt_col else None,
            header.index(ts_col) if ts_col else None,
        ),
    )
    data = read_delimited(path, options, on_batch=work)
    _check_timesketch_header(path, data.table.column_names)
    return timesketch_table(path, data, work, options, "timesketch-csv")


def _timesketch_block(
    dt_index: int | None, ts_index: int | None, batch: pa.RecordBatch
) -> tuple[Dates, Bool, int]:
    """One block's dates: `datetime` where it reads, else `timestamp` for empty datetimes;
    also which rows took their timestamp, and how many disagree with their datetime."""
    n = batch.num_rows
    dates = iso_dates(batch.column(dt_index)) if dt_index is not None else Dates.empty(n)
    from_timestamp = np.zeros(n, dtype=bool)
    disagree = 0
    if ts_index is not None:
        timestamps = batch.column(ts_index)
        need = np.flatnonzero(dates.status == DATE_BLANK)
        if need.size:
            fallback = epoch_dates(timestamps.take(pa.array(need)))
            dates.fill(need, fallback)
            from_timestamp[need[fallback.ok]] = True
            # Keep the timestamp's verdict for rows whose datetime was empty.
            bad = fallback.status != DATE_OK
            dates.status[need[bad]] = fallback.status[bad]
        disagree = _timestamp_disagreement(timestamps, dates, from_timestamp)
    return dates, from_timestamp, disagree


def _check_timesketch_header(path: Path, names: Sequence[str]) -> None:
    if _column(names, "message") is None:
        raise ReadError(path, f'no "message" column: {_TIMESKETCH_NEEDS}', field="message")
    if _column(names, "datetime") is None and _column(names, "timestamp") is None:
        raise ReadError(
            path,
            f'no "datetime" or "timestamp" column: {_TIMESKETCH_NEEDS}',
            field="datetime",
        )


def timesketch_table(
    path: Path, data: Delimited, work: BlockWork, options: ReadOptions, format_name: str
) -> ImportResult:
    table = data.table
    names = table.column_names
    aside = SetAside()
    notes: list[str] = []
    for number, reason in data.malformed:
        aside.add(f"row {number}" if number is not None else "a row", "", reason)
    message = _column(names, "message")
    assert message is not None
    dt_col = _column(names, "datetime")
    ts_col = _column(names, "timestamp")
    desc_col = _column(names, "timestamp_desc")
    if desc_col is None:
        notes.append('No "timestamp_desc" column: events have no summary.')
    dates = Dates.concat([r[0] for r in work.results])
    from_timestamp = np.concatenate([r[1] for r in work.results] or [np.zeros(0, bool)])
    disagree = sum(r[2] for r in work.results)
    if disagree:
        have, their = ("has", "its") if disagree == 1 else ("have", "their")
        notes.append(
            f"{counted(disagree, 'row')} {have} a timestamp that is not {their} datetime; "
            "the datetime was used, as Timesketch does."
        )
    n = table.num_rows
    ok = dates.ok
    failed = np.flatnonzero(~ok)
    if failed.size:
        _set_aside_dates(aside, table, failed, dates, data.numbers, dt_col, ts_col, from_timestamp)
    keep = np.flatnonzero(ok)
    options.report(READ_SHARE + 0.1)
    notes.extend(date_notes(dates, keep, from_timestamp, "datetime"))
    all_kept = keep.size == n
    picker = None if all_kept else pa.array(keep)

    def pick(column: str | None) -> pa.ChunkedArray | None:
        if column is None:
            return None
        return table[column] if picker is None else table[column].take(picker)

    lanes = who(table, encoded=work.encoded())
    if lanes is None:
        notes.append("No host or user column with a value: events have no lane of their own.")
    tag_columns = [c for c in names if c.lower() in ("tag", "label")]
    tag_rows, tag_names = tags_from_columns(table, tag_columns, keep)
    consumed = {message, desc_col, *tag_columns}
    extra = [c for c in names if c not in consumed and c not in SCRUBBED]
    attributes = ColumnAttributes({c: table[c] for c in extra}, keep)
    parts = Assembly(
        n=int(keep.size),
        ids=work.row_ids(data, keep),
        titles=text_column(pick(message), int(keep.size)),
        summaries=text_column(pick(desc_col), int(keep.size)),
        start=dates.seconds[keep],
        precision=dates.precision[keep],
        attributes=attributes,
        lanes=None if lanes is None else lanes.take(None if all_kept else keep),
        tag_rows=tag_rows,
        tag_names=tag_names,
    )
    document = assemble(path.stem, parts)
    options.report(1.0)
    if lanes is not None:
        notes.append(f"Lanes are {lanes.kind}s, from {', '.join(lanes.columns)}.")
    return ImportResult(document, path, format_name, aside.rows, aside.total, notes)


def _timestamp_disagreement(timestamps: pa.ChunkedArray, dates: Dates, used: Bool) -> int:
    """How many rows have both a datetime and a timestamp more than a second apart."""
    present = np.ones(len(timestamps), dtype=bool)
    try:
        numbers = pc.cast(timestamps, pa.int64()).to_numpy()
    except (pa.ArrowException, ValueError):  # blanks or other text: compare the integers
        integral = pc.match_substring_regex(timestamps, r"^[+-]?[0-9]{1,18}$")
        present = np.asarray(integral.to_numpy(zero_copy_only=False), dtype=bool)
        numbers = np.zeros(len(timestamps), dtype=np.int64)
        if present.any():
            chosen = timestamps.filter(pa.array(present))
            numbers[present] = pc.cast(_unsigned(chosen), pa.int64()).to_numpy()
    magnitude = np.abs(numbers)
    divisor = np.select(
        [magnitude >= 10**17, magnitude >= 10**14, magnitude >= 10**11], [10**9, 10**6, 10**3], 1
    )
    seconds = np.floor_divide(numbers, divisor)
    compared = dates.ok & ~used & present
    return int((compared & (np.abs(seconds - dates.seconds) > 1)).sum())


def _set_aside_dates(
    aside: SetAside,
    table: pa.Table,
    failed: I64,
    dates: Dates,
    numbers: I64,
    dt_col: str | None,
    ts_col: str | None,
    from_timestamp: Bool,
) -> None:
    shown = failed[: max(aside.room(), 0)]
    aside.total += int(failed.size - shown.size)
    picker = pa.array(shown)
    raw_dt = table[dt_col].take(picker).to_pylist() if dt_col else [None] * len(shown)
    raw_ts = table[ts_col].take(picker).to_pylist() if ts_col else [None] * len(shown)
    for row, dt, ts in zip(shown, raw_dt, raw_ts, strict=True):
        where = f"row {numbers[row]}"
        status = int(dates.status[row])
        dt_blank = dt is None or not str(dt).strip()
        if dt_col and not dt_blank:
            aside.add(
                where,
                dt_col,
                date_reason(dt, DATE_NOT_A_DATE if status == DATE_BLANK else status, dt_col),
            )
        elif ts_col and ts is not None and str(ts).strip():
            aside.add(where, ts_col, date_reason(ts, status, ts_col, epoch=True))
        else:
            columns = " and ".join(c for c in (dt_col, ts_col) if c)
            aside.add(
                where,
                dt_col or ts_col or "",
                f"no date: {columns} {'are' if ' and ' in columns else 'is'} empty",
            )


def counted(n: int, noun: str) -> str:
    """ "1 row", "2,000 rows"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _was(n: int) -> str:
    return "was" if n == 1 else "were"


def date_notes(dates: Dates, keep: I64, from_timestamp: Bool, column: str) -> list[str]:
    notes = []
    naive = int(dates.naive[keep].sum())
    if naive:
        notes.append(f"{counted(naive, 'time')} had no UTC offset and {_was(naive)} read as UTC.")
    if dates.fraction[keep].any():
        notes.append(
            "Times are shown to the second; sub-second fractions are in each event's "
            f"{column} attribute."
        )
    used = int(from_timestamp[keep].sum())
    if used:
        its = "its" if used == 1 else "their"
        notes.append(
            f"{counted(used, 'row')} had no {column} and {_was(used)} dated by {its} timestamp."
        )
    coarse = int((dates.precision[keep] < Precision.SECOND).sum())
    if coarse:
        verb = "is" if coarse == 1 else "are"
        notes.append(f"{counted(coarse, 'date')} {verb} less precise than a second (as written).")
    return notes


# --- Timesketch JSONL ----------------------------------------------------------------


def json_lines(
    path: Path, options: ReadOptions, aside: SetAside
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line that is a JSON object; the others set aside."""
    text = _decode(path)
    total = max(len(text), 1)
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number % 20_000 == 0:
            options.report(READ_SHARE * position / total)
        position += len(line) + 1
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            aside.add(f"line {number}", "", "nested too deeply to read")
            continue
        except ValueError as exc:
            aside.add(f"line {number}", "", f"not JSON ({str(exc)[:120]})")
            continue
        if not isinstance(value, dict):
            aside.add(f"line {number}", "", f"a JSON {type(value).__name__}, not an object")
            continue
        yield number, value


def _decode(path: Path) -> str:
    return decode(read_bytes(path), path)


def scalar_text(value: Any) -> str:
    """A JSON value as the text the timeline shows: strings as they are, others as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        if isinstance(value, bool | int | float):
            return json.dumps(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (RecursionError, ValueError, TypeError):
        return "(too deeply nested to show)"


def compact(value: Any) -> bool:
    """Whether an attribute value is worth keeping (not None, "", [] or {})."""
    return value is not None and value != "" and value != [] and value != {} and value != "-"


@dataclass
class Records:
    """Columns gathered from JSON objects, one entry per object that was kept."""

    where: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    attributes: list[dict[str, Any] | None] = field(default_factory=list)
    hosts: list[str | None] = field(default_factory=list)
    users: list[str | None] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)

    def add_who(
        self, record: Mapping[str, Any], hosts: Sequence[str], users: Sequence[str]
    ) -> None:
        self.hosts.append(first_value(record, hosts))
        self.users.append(first_value(record, users))

    def lanes(self, keep: I64) -> Lanes | None:
        for kind, values in (("host", self.hosts), ("user", self.users)):
            chosen = pd.Series([values[i] for i in keep], dtype=object)
            lanes = factorize_names(chosen, ("", "-"))
            if lanes.names:
                lanes.kind = kind
                return lanes
        return None

    def document(self, title: str, seconds: I64, precision: I8, keep: I64) -> Document:
        tag_rows: list[int] = []
        tag_names: list[str] = []
        for new, old in enumerate(keep):
            for name in self.tags[old]:
                tag_rows.append(new)
                tag_names.append(name)
        parts = Assembly(
            n=int(keep.size),
            ids=pa.array([self.ids[i] for i in keep], type=pa.string()),
            titles=pd.Series([self.titles[i] for i in keep], dtype="str"),
            summaries=pd.Series([self.summaries[i] for i in keep], dtype="str"),
            start=seconds[keep],
            precision=precision[keep],
            attributes=[self.attributes[i] for i in keep],
            lanes=self.lanes(keep),
            tag_rows=np.asarray(tag_rows, dtype=np.int64),
            tag_names=tag_names,
        )
        return assemble(title, parts)


def first_value(record: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = record.get(key)
        if compact(value) and not isinstance(value, dict | list):
            text = str(value).strip()
            if text and text != "-":
                return text
    return None


def read_timesketch_jsonl(path: Path, options: ReadOptions) -> ImportResult:
    aside = SetAside()
    rec = Records()
    raw_dt: list[Any] = []
    raw_ts: list[Any] = []
    seen_message = seen_date = False
    options.report(0.0)
    for number, obj in json_lines(path, options, aside):
        where = f"line {number}"
        if "message" not in obj:
            aside.add(
                where,
                "message",
                f'no "message": {_TIMESKETCH_NEEDS}',
            )
            continue
        seen_message = True
        if "datetime" not in obj and "timestamp" not in obj:
            aside.add(where, "datetime", 'no "datetime" or "timestamp"')
            continue
        seen_date = True
        rec.where.append(where)
        rec.ids.append(f"line-{number}")
        rec.titles.append(scalar_text(obj.get("message")))
        rec.summaries.append(scalar_text(obj.get("timestamp_desc")))
        raw_dt.append(obj.get("datetime"))
        raw_ts.append(obj.get("timestamp"))
        rec.add_who(obj, HOST_COLUMNS, USER_COLUMNS)
        tags: list[str] = []
        for key in ("tag", "label"):
            for name in tag_list(obj.get(key)):
                if name not in tags:
                    tags.append(name)
        rec.tags.append(tags)
        rec.attributes.append(
            {
                k: v
                for k, v in obj.items()
                if k not in ("message", "timestamp_desc", "tag", "label")
                and k not in SCRUBBED
                and compact(v)
            }
            or None
        )
    if not rec.where:
        if not seen_message and aside.total:
            raise ReadError(path, f'no "message" on any line: {_TIMESKETCH_NEEDS}', field="message")
        if seen_message and not seen_date:
            raise ReadError(
                path,
                f'no "datetime" or "timestamp" on any line: {_TIMESKETCH_NEEDS}',
                field="datetime",
            )
    n = len(rec.where)
    dates = _json_dates(raw_dt)
    from_timestamp = np.zeros(n, dtype=bool)
    need = np.flatnonzero(dates.status == DATE_BLANK)
    if need.size:
        fallback = epoch_dates([_json_epoch_text(raw_ts[i]) for i in need])
        dates.fill(need, fallback)
        from_timestamp[need[fallback.ok]] = True
        bad = fallback.status != DATE_OK
        dates.status[need[bad]] = fallback.status[bad]
    notes: list[str] = []
    failed = np.flatnonzero(~dates.ok)
    shown = failed[: max(aside.room(), 0)]
    aside.total += int(failed.size - shown.size)
    for row in shown:
        dt, ts = raw_dt[row], raw_ts[row]
        if compact(dt):
            aside.add(rec.where[row], "datetime", date_reason(dt, DATE_NOT_A_DATE, "datetime"))
        elif compact(ts):
            status = int(dates.status[row])
            aside.add(rec.where[row], "timestamp", date_reason(ts, status, "timestamp", epoch=True))
        else:
            aside.add(rec.where[row], "datetime", "no date: datetime and timestamp are empty")
    keep = np.flatnonzero(dates.ok)
    options.report(READ_SHARE + 0.1)
    notes.extend(date_notes(dates, keep, from_timestamp, "datetime"))
    document = rec.document(path.stem, dates.seconds, dates.precision, keep)
    if document.actors.empty:
        notes.append("No host or user field with a value: events have no lane of their own.")
    options.report(1.0)
    return ImportResult(document, path, "timesketch-jsonl", aside.rows, aside.total, notes)


def _json_epoch_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return repr(int(value)) if isinstance(value, int) or value.is_integer() else repr(value)
    return str(value) if isinstance(value, str) else ""


def _json_dates(values: Sequence[Any]) -> Dates:
    """JSON `datetime` values: ISO strings, or numbers (epoch, by magnitude)."""
    texts = []
    for value in values:
        if isinstance(value, bool) or value is None:
            texts.append("")
        elif isinstance(value, int | float):
            texts.append(_json_epoch_text(value))
        elif isinstance(value, str):
            texts.append(value)
        else:
            texts.append("\x00")  # an object or a list: not a date
    return iso_dates(pa.array(texts, type=pa.string()))


# --- sniffing and registration -------------------------------------------------------

_TIMESKETCH_MARKERS = frozenset({"datetime", "timestamp", "timestamp_desc", "timestampdesc"})


def _sniff_csv(head: bytes, path: Path) -> int:
    try:
        header = first_record(head)
        lower = {h.strip().lower() for h in header or []}
        markers = len(lower & _TIMESKETCH_MARKERS)
        if ("message" in lower and markers) or markers >= 2:
            return 2
        return 0
    except Exception:  # sniffing must never fail
        return 0


_JSON_KEY = re.compile(rb'"(message|datetime|timestamp|timestamp_desc)"\s*:')


def _sniff_jsonl(head: bytes, path: Path) -> int:
    try:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0
        line = text.split("\n", 1)[0]
        keys = set(_JSON_KEY.findall(line.encode()))
        if b"message" in keys and (b"datetime" in keys or b"timestamp" in keys):
            return 2
        return 1 if path.suffix.lower() == ".jsonl" else 0
    except Exception:  # sniffing must never fail
        return 0


TIMESKETCH_CSV = register(
    Format("timesketch-csv", "Timesketch CSV", (".csv",), _sniff_csv, read_timesketch_csv)
)
TIMESKETCH_JSONL = register(
    Format(
        "timesketch-jsonl",
        "Timesketch JSONL",
        (".jsonl", ".json"),
        _sniff_jsonl,
        read_timesketch_jsonl,
    )
)

__all__ = [
    "Assembly",
    "BlockWork",
    "ColumnAttributes",
    "Dates",
    "Delimited",
    "SetAside",
    "assemble",
    "epoch_dates",
    "iso_dates",
    "read_delimited",
    "row_ids",
    "tag_list",
    "who",
]
