"""The native file written column by column: the same bytes as ``json.dumps(document_to_json(
doc), ensure_ascii=False, indent=2)``, without a Python dict per event.

Every piece of an event's record is a cell of some Arrow string column (its id, title
and summary escaped as JSON strings, its dates formatted by numpy digit arithmetic, its
actors, sources, themes and figures joined through list offsets, its attributes one
column per key) or one of a few literals (``,\\n      "title": ``). A block of records is
then one Arrow ``take`` over all those pieces in file order (:class:`_Splice`): a copy
per piece in C, no join per field, no Python object per event. The records' bytes go
to the file a block at a time, so memory follows the block, not the document. The small
tables (actors, sources, themes, periods) are written by ``json.dumps`` as before.

Anything this path cannot reproduce exactly (a lone surrogate, a non-text cell in a
text column, attribute values that are not all text) raises :class:`NotColumnar`
and the caller writes the document the reference way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from json.encoder import ESCAPE_DCT
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.attributes import ColumnAttributes
from explorer.model.dates import DAY, HOUR, MINUTE, Precision, civil_from_days, format_iso
from explorer.model.document import NO_END, Document

BLOCK: Final = 65_536  # events encoded at a time: bounds the memory a save takes
_S: Final = pa.large_string()
I64 = npt.NDArray[np.int64]


class NotColumnar(ValueError):  # noqa: N818 (a signal to take the reference path)
    """The document holds something only the reference writer reproduces exactly."""


class _Splice:
    """Rows of text, each the concatenation of its slots, made by one Arrow ``take``.

    A slot holds, per row, the index of a piece: a cell of an array given to
    :meth:`add`, or a literal from :meth:`lit` (negative until :meth:`rows` places
    the literals after the arrays). A literal common to every row is a str slot,
    merged with its neighbours. Empty pieces are dropped before the take."""

    def __init__(self, rows: int) -> None:
        self.m = rows
        self.arrays: list[pa.Array] = []
        self.size = 0
        self.literals: dict[str, int] = {}
        self.slots: list[I64 | str] = []

    def lit(self, text: str) -> int:
        if text not in self.literals:
            self.literals[text] = -1 - len(self.literals)
        return self.literals[text]

    def add(self, arr: pa.Array) -> I64:
        """The piece indices of `arr`'s cells (a text array without nulls)."""
        if arr.null_count:
            raise NotColumnar("a null cell")
        base = self.size
        self.arrays.append(arr if arr.type == _S else arr.cast(_S))
        self.size += len(arr)
        return np.arange(base, base + len(arr), dtype=np.int64)

    def put(self, *slots: str | I64) -> None:
        """Append slots: a str is a literal for every row."""
        for slot in slots:
            if isinstance(slot, str) and self.slots and isinstance(self.slots[-1], str):
                self.slots[-1] += slot
            else:
                self.slots.append(slot)

    def rows(self) -> pa.LargeStringArray:
        m = self.m
        slots = [
            self.lit(s) if isinstance(s, str) else s
            for s in self.slots
            if not isinstance(s, str) or s
        ]
        k = len(slots)
        index = np.empty((m, k), dtype=np.int64)
        for j, slot in enumerate(slots):
            index[:, j] = slot
        flat = index.ravel()
        if "" in self.literals:
            keep = flat != self.literals[""]
            bounds = np.zeros(m + 1, dtype=np.int64)
            np.cumsum(keep.reshape(m, k).sum(axis=1), out=bounds[1:])
            flat = flat[keep]
        else:
            bounds = np.arange(0, m * k + 1, k, dtype=np.int64)
        flat = np.where(flat < 0, self.size - 1 - flat, flat)
        texts = sorted(self.literals, key=lambda t: -self.literals[t])
        values = pa.concat_arrays([*self.arrays, pa.array(texts, _S)])
        taken = values.take(pa.array(flat))
        offsets = np.frombuffer(taken.buffers()[1], dtype=np.int64)
        row_offsets = offsets[taken.offset + bounds]
        return pa.LargeStringArray.from_buffers(
            m, pa.py_buffer(row_offsets), taken.buffers()[2] or pa.py_buffer(b"")
        )


def _spliced(m: int, *slots: str | pa.Array) -> pa.LargeStringArray:
    """Element-wise concatenation of m-long arrays and literals."""
    sp = _Splice(m)
    sp.put(*(s if isinstance(s, str) else sp.add(s) for s in slots))
    return sp.rows()


# --- JSON text of values -----------------------------------------------------------------


def _arrow_text(values: Any) -> pa.Array:
    """A text column as one Arrow array (no copy when pandas already holds it in Arrow)."""
    if isinstance(values, pd.Series):
        values = values.array
    try:
        arr = pa.array(values, _S) if not isinstance(values, pa.Array | pa.ChunkedArray) else values
    except (pa.ArrowException, UnicodeEncodeError, TypeError) as exc:
        raise NotColumnar(str(exc)) from None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise NotColumnar("not a text column")
    if arr.null_count:
        raise NotColumnar("a missing text cell")  # json.dumps writes null or NaN for it
    return arr.cast(_S)


# json.dumps(ensure_ascii=False) escapes a quote, a backslash and the control characters,
# by its own table (ESCAPE_DCT); in UTF-8 those bytes are never part of another
# character, so they can be found in the data buffer.


def escaped(values: Any) -> pa.Array:
    """Each text escaped as inside a ``json.dumps(ensure_ascii=False)`` string literal
    (without the quotes), by Arrow's replace kernel once per character present."""
    arr = _arrow_text(values)
    n = len(arr)
    if not n or arr.buffers()[2] is None:
        return arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    odd = (data < 0x20) | (data == 0x22) | (data == 0x5C)
    at = np.flatnonzero(odd)
    if not len(at):
        return arr
    present = np.flatnonzero(np.bincount(data[at], minlength=0x60)).tolist()
    rows = np.searchsorted(offsets, at + offsets[0], side="right") - 1  # sorted, as `at` is
    rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
    part = arr if 4 * len(rows) > n else arr.take(pa.array(rows))
    # The backslash first: the escapes added after it hold backslashes of their own.
    for byte in sorted(present, key=lambda b: b != 0x5C):
        part = pc.replace_substring(part, chr(byte), ESCAPE_DCT[chr(byte)])
    if len(part) == n:
        return part
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(arr, pa.array(mask), part.cast(_S))


_PAIRS: Final = np.array([[48 + k // 10, 48 + k % 10] for k in range(100)], dtype=np.uint8)


_LENGTHS: Final = np.array([4, 7, 10, 13, 16, 19], dtype=np.int64)  # by precision


def iso_dates(seconds: I64, precision: npt.NDArray[np.int8]) -> pa.Array:
    """``format_iso`` of each date, quoted; years 0..9999 by digit arithmetic, others
    (deep time, BC) one by one."""
    n = len(seconds)
    days, rest = np.divmod(seconds, DAY)
    year, month, day = civil_from_days(days)
    hour, rest = np.divmod(rest, HOUR)
    minute, second = np.divmod(rest, MINUTE)
    mat = np.empty((n, 21), dtype=np.uint8)
    mat[:, 0] = mat[:, 20] = ord('"')
    years = np.clip(year, 0, 9999)
    mat[:, 1:3] = _PAIRS[years // 100]
    mat[:, 3:5] = _PAIRS[years % 100]
    for col, char in ((5, "-"), (8, "-"), (11, "T"), (14, ":"), (17, ":")):
        mat[:, col] = ord(char)
    for col, part in ((6, month), (9, day), (12, hour), (15, minute), (18, second)):
        mat[:, col : col + 2] = _PAIRS[part]
    prec = np.clip(precision.astype(np.int64), 0, 5)
    length = _LENGTHS[prec] + 2
    # The closing quote goes right after the last character the precision keeps.
    mat[np.arange(n), length - 1] = ord('"')
    if n and (length == length[0]).all():  # one precision (the usual import): no mask
        data = mat[:, : int(length[0])]
        offsets = np.arange(n + 1, dtype=np.int64) * int(length[0])
    else:
        data = mat[np.arange(21)[None, :] < length[:, None]]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(length, out=offsets[1:])
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))
    odd = (year < 0) | (year > 9999)
    if odd.any():
        rows = np.flatnonzero(odd)
        fixed = [
            '"' + format_iso(int(seconds[r]), Precision(int(precision[r]))) + '"' for r in rows
        ]
        arr = pc.replace_with_mask(arr, pa.array(odd), pa.array(fixed, _S))
    return arr


# --- per-event lists ---------------------------------------------------------------------


class _Children:
    """Rows of a child table (links, figures...) grouped by event, in table order."""

    def __init__(self, event_rows: I64, n_events: int) -> None:
        valid = event_rows >= 0
        order = np.flatnonzero(valid)
        order = order[np.argsort(event_rows[valid], kind="stable")]
        self.order = order.astype(np.int64)
        counts = np.bincount(event_rows[valid], minlength=n_events)
        self.offsets = np.zeros(n_events + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])

    def put(
        self, sp: _Splice, lo: int, hi: int, fragments: Callable[[I64], pa.Array], indent: str
    ) -> None:
        """The slots of each event's list in [lo, hi): ``[]``, or its fragments one per line."""
        a, b = int(self.offsets[lo]), int(self.offsets[hi])
        if a == b:
            sp.put("[]")
            return
        offsets = self.offsets[lo : hi + 1] - a
        lists = pa.LargeListArray.from_arrays(pa.array(offsets), fragments(self.order[a:b]))
        joined = sp.add(pc.binary_join(lists, pa.scalar(",\n", _S)))
        empty = np.diff(offsets) == 0
        sp.put(
            np.where(empty, sp.lit("[]"), sp.lit("[\n")),
            joined,
            np.where(empty, sp.lit(""), sp.lit("\n" + indent + "]")),
        )


def _event_rows(events: pd.DataFrame, child: pd.DataFrame) -> I64:
    ids = events["id"].reset_index(drop=True)
    refs = child["event_id"].reset_index(drop=True)
    if len(ids) == len(refs) and bool((ids == refs).all()):
        return np.arange(len(ids), dtype=np.int64)
    if not len(refs):
        return np.zeros(0, dtype=np.int64)
    index = pd.Index(ids)
    if not index.is_unique:
        raise NotColumnar("event ids repeat")  # the reference path groups children by id
    return np.asarray(index.get_indexer(refs), dtype=np.int64)


def _quantity_text(value: float) -> str:
    if value != value:  # NaN: no quantity
        return "null"
    return str(int(value)) if value.is_integer() else repr(value)


# --- attributes ----------------------------------------------------------------------------

_ATTR_INDENT: Final = "\n      "
Attributes = Callable[[_Splice, int, int], None]


def _attribute_slots(column: pd.Series) -> Attributes:
    """A function putting the slots of the ``attributes`` JSON of events [lo, hi)."""
    array = column.array
    columns = array.columns() if isinstance(array, ColumnAttributes) else None
    # Column by column costs a few Arrow calls per key and block: worth it for many
    # rows, not for a wide file of few rows (6,000 keys, one row), which dicts do at once.
    if (
        columns is not None
        and not bool((array._rows < 0).any())
        and len(columns[0]) * 64 <= len(array)
    ):
        return _column_attribute_slots(*columns)
    values = column.tolist()

    def objects(sp: _Splice, lo: int, hi: int) -> None:
        out = []
        for value in values[lo:hi]:
            if isinstance(value, dict) and value:
                out.append(
                    json.dumps(value, ensure_ascii=False, indent=2).replace("\n", _ATTR_INDENT)
                )
            else:
                out.append("{}")
        if all(text == "{}" for text in out):
            sp.put("{}")
            return
        try:
            sp.put(sp.add(pa.array(out, _S)))
        except (pa.ArrowException, UnicodeEncodeError) as exc:
            raise NotColumnar(str(exc)) from None

    return objects


def _column_attribute_slots(
    columns: dict[str, pa.ChunkedArray], empty: frozenset[str]
) -> Attributes:
    for col in columns.values():
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            raise NotColumnar("attribute column not text")
    keys = {name: "        " + json.dumps(name, ensure_ascii=False) + ': "' for name in columns}
    blanks = pa.array(sorted(empty), _S)

    def slots(sp: _Splice, lo: int, hi: int) -> None:
        if not columns:
            sp.put("{}")
            return
        m = hi - lo
        present = np.empty((m, len(columns)), dtype=bool)
        values = []
        for j, col in enumerate(columns.values()):
            cell = col.slice(lo, m).combine_chunks().cast(_S)
            blank = pc.is_null(cell).to_numpy(zero_copy_only=False)
            if len(blanks):
                blank |= pc.fill_null(pc.is_in(cell, value_set=blanks), False).to_numpy(
                    zero_copy_only=False
                )
            present[:, j] = ~blank
            values.append(sp.add(escaped(pc.fill_null(cell, ""))))
        first = present & (np.cumsum(present, axis=1) == 1)
        none, opening, comma, quote = sp.lit(""), sp.lit("{\n"), sp.lit(",\n"), sp.lit('"')
        for j, name in enumerate(columns):
            here = present[:, j]
            sp.put(
                np.where(here, np.where(first[:, j], opening, comma), none),
                np.where(here, sp.lit(keys[name]), none),
                np.where(here, values[j], none),
                np.where(here, quote, none),
            )
        sp.put(np.where(present.any(axis=1), sp.lit("\n      }"), sp.lit("{}")))

    return slots


# --- the whole file ------------------------------------------------------------------------


def _status_names(events: pd.DataFrame) -> tuple[list[str], I64]:
    """The JSON text of each status category, and each event's category."""
    status = events["status"]
    if not isinstance(status.dtype, pd.CategoricalDtype):
        raise NotColumnar("status is not categorical")
    names = [json.dumps(str(c)) for c in status.cat.categories] + ["null"]
    codes = status.cat.codes.to_numpy(np.int64)
    return names, np.where(codes < 0, len(names) - 1, codes)


def _or_null(sp: _Splice, given: npt.NDArray[np.bool_], seconds: I64, precision: Any) -> I64:
    """The slot of dates that may be missing: ``null``, or the date (formatted only where
    given)."""
    index = np.full(len(given), sp.lit("null"), dtype=np.int64)
    if given.any():
        index[given] = sp.add(iso_dates(seconds[given], precision[given]))
    return index


def event_blocks(doc: Document) -> Iterator[memoryview]:
    """The ``events`` list's records as UTF-8, a block of events at a time, each record
    followed by ``,\\n`` but the last."""
    ev = doc.events
    n = len(ev)
    text = {c: _arrow_text(ev[c]) for c in ("id", "title", "summary")}
    links = _Children(_event_rows(ev, doc.links), n)
    sources = _Children(_event_rows(ev, doc.event_sources), n)
    themes = _Children(_event_rows(ev, doc.event_themes), n)
    figures = _Children(_event_rows(ev, doc.figures), n)
    link_actor = escaped(doc.links["actor_id"])
    link_role = escaped(doc.links["role"])
    source_ids = escaped(doc.event_sources["source_id"])
    theme_ids = escaped(doc.event_themes["theme_id"])
    fig = doc.figures
    fig_text = {c: escaped(fig[c]) for c in ("text", "unit", "qualifier", "label")}
    fig_quantity = pa.array([_quantity_text(float(q)) for q in fig["quantity"].tolist()], _S)
    status_names, status_codes = _status_names(ev)
    attributes = _attribute_slots(ev["attributes"])
    start = ev["start"].to_numpy(np.int64)
    start_prec = ev["start_precision"].to_numpy(np.int8)
    end = ev["end"].to_numpy(np.int64)
    end_prec = ev["end_precision"].to_numpy(np.int8)

    def link_fragments(rows: I64) -> pa.Array:
        take = pa.array(rows)
        return _spliced(
            len(rows),
            '        {\n          "actor": "',
            link_actor.take(take),
            '",\n          "role": "',
            link_role.take(take),
            '"\n        }',
        )

    def id_fragments(column: pa.Array) -> Callable[[I64], pa.Array]:
        return lambda rows: _spliced(len(rows), '        "', column.take(pa.array(rows)), '"')

    def figure_fragments(rows: I64) -> pa.Array:
        take = pa.array(rows)
        return _spliced(
            len(rows),
            '        {\n          "text": "',
            fig_text["text"].take(take),
            '",\n          "quantity": ',
            fig_quantity.take(take),
            ',\n          "unit": "',
            fig_text["unit"].take(take),
            '",\n          "qualifier": "',
            fig_text["qualifier"].take(take),
            '",\n          "label": "',
            fig_text["label"].take(take),
            '"\n        }',
        )

    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        sp = _Splice(hi - lo)
        has_end = end_prec[lo:hi] != NO_END
        status = np.array([sp.lit(name) for name in status_names], dtype=np.int64)
        sp.put('    {\n      "id": "', sp.add(escaped(text["id"].slice(lo, hi - lo))))
        sp.put('",\n      "title": "', sp.add(escaped(text["title"].slice(lo, hi - lo))))
        sp.put('",\n      "summary": "', sp.add(escaped(text["summary"].slice(lo, hi - lo))))
        sp.put('",\n      "start": ', sp.add(iso_dates(start[lo:hi], start_prec[lo:hi])))
        sp.put(',\n      "end": ', _or_null(sp, has_end, end[lo:hi], end_prec[lo:hi]))
        sp.put(',\n      "status": ', status[status_codes[lo:hi]])
        sp.put(',\n      "actors": ')
        links.put(sp, lo, hi, link_fragments, "      ")
        sp.put(',\n      "sources": ')
        sources.put(sp, lo, hi, id_fragments(source_ids), "      ")
        sp.put(',\n      "themes": ')
        themes.put(sp, lo, hi, id_fragments(theme_ids), "      ")
        sp.put(',\n      "figures": ')
        figures.put(sp, lo, hi, figure_fragments, "      ")
        sp.put(',\n      "attributes": ')
        attributes(sp, lo, hi)
        closing = np.full(hi - lo, sp.lit("\n    },\n"), dtype=np.int64)
        if hi == n:
            closing[-1] = sp.lit("\n    }")  # the file's last record: no comma
        sp.put(closing)
        yield _string_bytes(sp.rows())


def _string_bytes(arr: pa.Array) -> memoryview:
    """The concatenated UTF-8 of a string array, straight from its data buffer."""
    arr = arr.cast(_S)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    first, last = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    data = arr.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[first:last]
