"""Streaming conversion: files too large to open in memory, turned into Parquet.

The input is read a block of records at a time (`CHUNK_ROWS`), each block handed to
the same reader the app opens that format with, so column mapping, date handling and
set-aside rows are the importers' own. What must be the same across blocks is fixed
by the first: for a generic table, the columns' roles and the day/month order are
read from the first block and given to every block as if the user had said them (a
guess is shown once, never silently changed half-way). Set-aside rows keep their
place in the whole file ("row 1,234,567"), as do the ids made from row numbers.

Each block is written as its own Parquet part in a temporary folder; the parts are
then copied, batch by batch, into one file with the union of their columns, written
atomically (cancel or a crash leaves no partial output). Memory is bounded by one
block, whatever the size of the input.

Streamed: the line-based formats (CSV with a header row: generic tables, Timesketch
and Plaso CSV; JSON lines: Timesketch and Plaso). Other formats are read whole (they
are documents, not logs), with a note saying so.

Known limits: an id in the file spelled exactly like a generated one ("row-12") is
renumbered with the block like one; ids repeated across blocks are not made unique
(the in-memory reader does that within a file).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from explorer.io.atomic import atomic_write_with
from explorer.io.errors import ReadError
from explorer.io.formats import Cancelled, Format, ReadOptions, detect, get
from explorer.io.limits import check_file
from explorer.io.parquet import METADATA_KEY, to_arrow
from explorer.io.result import MAX_SKIPPED_KEPT, SkippedRow
from explorer.model.document import Document

CHUNK_ROWS: Final = 100_000
WITH_HEADER: Final = frozenset({"csv", "timesketch-csv", "plaso-dynamic", "l2tcsv"})
LINES: Final = frozenset({"timesketch-jsonl", "plaso-jsonl"})
_WHERE = re.compile(r"^(row|line) (\d+)")
_MADE_ID = re.compile(r"^(row|line)-(\d+)$")
_ORDER = re.compile(r"read as (day/month|month/day)")

Progress = Callable[[float], None]


@dataclass
class Converted:
    """What a conversion did: events written, rows set aside (the first
    MAX_SKIPPED_KEPT, with their file), notes for the user."""

    out: Path
    events: int = 0
    skipped: list[tuple[str, SkippedRow]] = field(default_factory=list)
    skipped_total: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file name, note)


def _records(handle: BinaryIO, quoted: bool) -> Iterator[bytes]:
    """Records of a line-based file: lines, joined while a quoted CSV cell is open."""
    pending = b""
    for line in handle:
        pending += line
        if quoted and pending.count(b'"') % 2:
            continue
        yield pending
        pending = b""
    if pending:
        yield pending


def _blocks(path: Path, header: bool, rows: int) -> Iterator[tuple[bytes, list[bytes], int]]:
    """(header line, the block's records, bytes read so far), block by block."""
    with path.open("rb") as handle:
        records = _records(handle, quoted=header)
        head = next(records, b"") if header else b""
        block: list[bytes] = []
        for record in records:
            block.append(record)
            if len(block) >= rows:
                yield head, block, handle.tell()
                block = []
        if block or not header:
            yield head, block, handle.tell()


def _shift(text: str, pattern: re.Pattern[str], offset: int, sep: str) -> str:
    match = pattern.match(text)
    if not match or not offset:
        return text
    return f"{match.group(1)}{sep}{int(match.group(2)) + offset}{text[match.end() :]}"


def _fixed_mapping(fmt: Format, first: Any, given: dict[str, Any] | None) -> dict[str, Any] | None:
    """For a generic table: the roles and day/month order the first block was read
    with, given to every block, so that all are read alike."""
    if fmt.name != "csv":
        return given
    mapping = dict(given or {})
    for note in first.notes:
        if note.startswith("columns read as: "):
            for part in re.findall(r'(\w+) ((?:"[^"]*"(?: \+ )?)+)', note):
                role, columns = part
                mapping.setdefault(role, re.findall(r'"([^"]*)"', columns))
        if (order := _ORDER.search(note)) and "date_order" not in mapping:
            mapping["date_order"] = "dmy" if order.group(1) == "day/month" else "mdy"
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in mapping.items()}


def convert(
    inputs: Sequence[Path],
    out: Path,
    format_name: str | None = None,
    mapping: dict[str, Any] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Converted:
    """Convert `inputs` (one document, in order) into the Parquet file `out`.
    Raises ReadError for an input that cannot be read, Cancelled when cancelled
    (then `out` is untouched)."""
    result = Converted(out=out)
    for path in inputs:
        try:  # missing, a folder, a FIFO: refused before anything is written
            check_file(path)
        except ReadError:
            if not path.is_file():
                raise  # (a regular file over the in-memory size limit streams fine)
    total = sum(max(p.stat().st_size, 1) for p in inputs)
    done = 0
    title = inputs[0].stem if inputs else out.stem
    entities: dict[str, dict[str, dict[str, Any]]] = {"actors": {}, "sources": {}, "themes": {}}
    with tempfile.TemporaryDirectory(prefix=".convert-", dir=out.parent) as tmp:
        parts: list[Path] = []

        def report(fraction_of_file: float, size: int) -> None:
            if cancelled is not None and cancelled():
                raise Cancelled
            if progress is not None:
                progress(min((done + fraction_of_file * size) / total, 1.0) * 0.9)

        for path in inputs:
            size = max(path.stat().st_size, 1)
            fmt = get(format_name) if format_name else detect(path)
            for doc, skipped, notes in _documents(
                path, fmt, mapping, chunk_rows, report, size, Path(tmp)
            ):
                if len(doc.events):
                    part = Path(tmp) / f"part-{len(parts):06d}.parquet"
                    pq.write_table(to_arrow(doc, part), part)
                    parts.append(part)
                result.events += len(doc.events)
                for table in entities:
                    for record in getattr(doc, table).to_dict("records"):
                        entities[table].setdefault(str(record["id"]), record)
                result.skipped_total += len(skipped)
                room = MAX_SKIPPED_KEPT - len(result.skipped)
                result.skipped += [(path.name, row) for row in skipped[: max(room, 0)]]
                _add_notes(result.notes, path.name, notes)
            done += size

        def tick(fraction: float) -> None:
            if cancelled is not None and cancelled():
                raise Cancelled
            if progress is not None:
                progress(0.9 + 0.1 * fraction)

        _join(parts, out, title, entities, tick)
    if progress is not None:
        progress(1.0)
    return result


def _documents(
    path: Path,
    fmt: Format,
    given: dict[str, Any] | None,
    chunk_rows: int,
    report: Callable[[float, int], None],
    size: int,
    tmp: Path,
) -> Iterator[tuple[Document, list[SkippedRow], list[str]]]:
    """Each block of `path` read by `fmt`'s own reader: (document, set-aside rows with
    their place in the whole file, notes)."""
    if fmt.name not in WITH_HEADER | LINES:
        report(0.0, size)
        whole = fmt.open(path, ReadOptions(mapping=given))
        notes = [*whole.notes, "read whole (not a line-based format): it must fit in memory"]
        yield whole.document, whole.skipped, notes
        return
    header = fmt.name in WITH_HEADER
    mapping = given
    offset = 0  # records before this block
    chunk = tmp / f"block{path.suffix or '.txt'}"
    try:
        for n, (head, block, read) in enumerate(_blocks(path, header, chunk_rows)):
            report(read / size, size)
            newline = b"" if head.endswith(b"\n") or not head else b"\n"
            chunk.write_bytes(head + newline + b"".join(block))
            try:
                got = fmt.open(chunk, ReadOptions(mapping=mapping))
            except ReadError as exc:
                where = None if exc.where is None else _shift(exc.where, _WHERE, offset, " ")
                raise ReadError(path, exc.reason, where=where, field=exc.field) from None
            if n == 0:
                mapping = _fixed_mapping(fmt, got, given)
            doc = got.document
            if offset:
                ids = doc.events["id"].astype(str)
                made = ids.str.extract(_MADE_ID)
                hit = made[1].notna()
                if hit.any():
                    fixed = ids.copy()
                    numbers = made.loc[hit, 1].astype("int64") + offset
                    fixed[hit] = made.loc[hit, 0] + "-" + numbers.astype(str)
                    doc = _renamed(doc, dict(zip(ids[hit], fixed[hit], strict=True)))
            skipped = [
                SkippedRow(_shift(r.where, _WHERE, offset, " "), r.field, r.reason)
                for r in got.skipped
            ]
            notes = got.notes if n == 0 else [x for x in got.notes if "as given" not in x]
            yield doc, skipped, notes
            offset += len(block)
    finally:
        chunk.unlink(missing_ok=True)


def _add_notes(kept: list[tuple[str, str]], name: str, notes: list[str]) -> None:
    """Each block's notes once: a note that only counts ("59999 times had...") adds
    its count to the same note of earlier blocks."""
    for note in notes:
        shape = re.sub(r"\d+", "#", note)
        for i, (file, seen) in enumerate(kept):
            if file == name and re.sub(r"\d+", "#", seen) == shape:
                a, b = re.match(r"\d+", seen), re.match(r"\d+", note)
                if a and b and seen[a.end() :] == note[b.end() :]:
                    kept[i] = (file, f"{int(a.group()) + int(b.group())}{note[b.end() :]}")
                break
        else:
            kept.append((name, note))


def _renamed(doc: Document, names: dict[str, str]) -> Document:
    out = doc.copy()

    def rename(values: pd.Series) -> pd.Series:
        text = values.astype(str)
        return text.map(names).fillna(text)

    out.events = out.events.assign(id=rename(out.events["id"]))
    for table in ("links", "event_sources", "event_themes", "figures"):
        frame = getattr(out, table)
        setattr(out, table, frame.assign(event_id=rename(frame["event_id"])))
    return out


def _join(
    parts: list[Path],
    out: Path,
    title: str,
    entities: dict[str, dict[str, dict[str, Any]]],
    tick: Callable[[float], None],
) -> None:
    """The parts as one Parquet file (the union of their columns), written atomically,
    with the document's metadata (every block's actors, sources, themes)."""
    doc = Document(title=title)
    for table, records in entities.items():
        if records:
            setattr(doc, table, pd.DataFrame(list(records.values())))
    empty = to_arrow(doc, out)
    schemas = [empty.schema] + [pq.read_schema(p) for p in parts]
    schema = pa.unify_schemas([s.remove_metadata() for s in schemas])
    meta = json.loads(empty.schema.metadata[METADATA_KEY])
    extra = [name for name in schema.names if name not in empty.schema.names]
    if extra:
        meta["attribute_columns"] = [n.removeprefix("attribute:") for n in extra]
        meta["attribute_empty"] = []
    text = json.dumps(meta, ensure_ascii=False).encode("utf-8", "backslashreplace")
    schema = schema.with_metadata({METADATA_KEY: text})

    def write(handle: BinaryIO) -> None:
        with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
            for i, part in enumerate(parts):
                tick(i / max(len(parts), 1))
                for batch in pq.ParquetFile(part).iter_batches(batch_size=65_536):
                    table = pa.Table.from_batches([batch])
                    for name in schema.names:
                        if name not in table.column_names:
                            table = table.append_column(
                                name, pa.nulls(len(table), schema.field(name).type)
                            )
                    writer.write_table(table.select(schema.names).cast(schema))

    atomic_write_with(out, write)
