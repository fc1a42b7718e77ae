"""Building a document from a forensic reader's blocks: lanes (hosts, else users) coded
once, ids made in Arrow, tags to themes, without a Python object per event.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.attributes import AttributesDtype, ColumnAttributes  # noqa: F401 (re-exported)
from explorer.io.builder import unique_ids
from explorer.io.delimited import Delimited, unique_names
from explorer.model.document import (
    ACTOR_COLUMNS,
    DEFAULT_STATUS,
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

HOST_COLUMNS = ("computer_name", "hostname", "host_name", "host", "computer")
USER_COLUMNS = ("username", "user_name", "user", "uid", "user_id", "user_sid")


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
    """(kind, present columns) for hosts, then users, matching names case-insensitively
    and with spaces or dashes as underscores ("Computer Name" is computer_name)."""
    lower = {re.sub(r"[\s\-]+", "_", name.strip().lower()): name for name in reversed(names)}
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
        status=pd.Categorical.from_codes(
            np.full(n, DEFAULT_STATUS.code, dtype=np.int8), dtype=STATUS_CATEGORIES
        ),
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
