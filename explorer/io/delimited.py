"""Delimited text through Arrow's C++ reader: blocks on a worker thread, rows numbered
like a spreadsheet, bad rows set aside, UTF-8 checked, Cancel between blocks.

Shared by the forensic readers (Timesketch, Plaso) that must open a million rows within
twice a bare ``pandas.read_csv``.
"""

from __future__ import annotations

import codecs
import csv
import io
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from explorer.io.attributes import AttributesDtype, ColumnAttributes  # noqa: F401 (re-exported)
from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions
from explorer.io.limits import check_cells, check_columns, check_file

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]

BLOCK_SIZE = 4 << 20  # Arrow reads this much per step; Cancel is checked between steps
READ_SHARE = 0.8  # of the progress bar, for reading the file


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
    check_columns(path, len(names), where="row 1" if header else "line 1")
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
    unit = "row" if header else "line"
    check_cells(path, table.column_names, table.columns, lambda i: f"{unit} {numbers[i]}")
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
    check_file(path)
    try:
        return path.open("rb")
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
