"""The native file written column by column: the same bytes as ``json.dumps(document_to_json(
doc), ensure_ascii=False, indent=2)``, without a Python dict per event.

Each event field becomes one Arrow string column of JSON text (strings escaped by the
JSON rules in Arrow's C kernels, dates formatted from numpy digit arithmetic, an
event's actors, sources, themes and figures joined per event through list offsets),
the columns are joined element-wise into one record per event, and the records'
bytes go to the file a block at a time, so memory follows the block, not the
document. The small tables (actors, sources, themes, periods) are written by
``json.dumps`` as before: they are a few thousand rows at most.

Anything this path cannot reproduce exactly (a lone surrogate, a non-text cell in a
text column, attribute values that are not all text) raises :class:`NotColumnar`
and the caller writes the document the reference way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring
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


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, _S)


def _join(*parts: pa.Array | pa.Scalar | str) -> pa.Array:
    """Element-wise concatenation (str parts are literals)."""
    args = [_lit(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*args, _lit(""))


# --- JSON text of values -----------------------------------------------------------------

_NEEDS_ESCAPE: Final = r'["\\\x00-\x1f]'


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


def json_strings(values: Any) -> pa.Array:
    """Each text as a JSON string literal, escaped as ``json.dumps(ensure_ascii=False)``
    does (by its own C encoder, for the cells that need any escape). Nulls stay null
    (for the caller to decide)."""
    arr = _arrow_text(values)
    if len(arr):
        odd = pc.match_substring_regex(arr, _NEEDS_ESCAPE)
        if pc.any(odd).as_py():
            rows = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
            texts = arr.take(pa.array(rows)).to_pylist()
            fixed = [None if t is None else encode_basestring(t)[1:-1] for t in texts]
            arr = pc.replace_with_mask(arr, pc.fill_null(odd, False), pa.array(fixed, _S))
    return _join('"', arr, '"')


def _digits(values: I64, width: int) -> npt.NDArray[np.uint8]:
    out = np.empty((len(values), width), dtype=np.uint8)
    rest = values.copy()
    for k in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        out[:, k] = digit + 48
    return out


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
    mat[:, 1:5] = _digits(np.clip(year, 0, 9999), 4)
    for col, char in ((5, "-"), (8, "-"), (11, "T"), (14, ":"), (17, ":")):
        mat[:, col] = ord(char)
    for col, part in ((6, month), (9, day), (12, hour), (15, minute), (18, second)):
        mat[:, col : col + 2] = _digits(part, 2)
    prec = np.clip(precision.astype(np.int64), 0, 5)
    length = _LENGTHS[prec] + 2
    # The closing quote goes right after the last character the precision keeps.
    mat[np.arange(n), length - 1] = ord('"')
    keep = np.arange(21)[None, :] < length[:, None]
    data = mat[keep]
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

    def block(
        self, lo: int, hi: int, fragments: Callable[[I64], pa.Array], indent: str = "      "
    ) -> pa.Array:
        """Each event's list in [lo, hi): ``[]``, or its fragments one per line."""
        a, b = int(self.offsets[lo]), int(self.offsets[hi])
        if a == b:
            return pa.array(["[]"] * (hi - lo), _S)
        rows = self.order[a:b]
        offsets = self.offsets[lo : hi + 1] - a
        lists = pa.LargeListArray.from_arrays(pa.array(offsets), fragments(rows))
        joined = pc.binary_join(lists, _lit(",\n"))
        wrapped = _join("[\n", joined, "\n" + indent + "]")
        empty = pa.array(np.diff(offsets) == 0)
        return pc.if_else(empty, _lit("[]"), wrapped)


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


def _attribute_blocks(column: pd.Series) -> Callable[[int, int], pa.Array]:
    """A function giving the ``attributes`` JSON of events [lo, hi)."""
    array = column.array
    columns = array.columns() if isinstance(array, ColumnAttributes) else None
    # Column by column costs a few Arrow calls per key and block: worth it for many
    # rows, not for a wide file of few rows (6,000 keys, one row), which dicts do at once.
    if (
        columns is not None
        and not bool((array._rows < 0).any())
        and len(columns[0]) * 64 <= len(array)
    ):
        return _column_attribute_blocks(*columns)
    values = column.tolist()

    def objects(lo: int, hi: int) -> pa.Array:
        out = []
        for value in values[lo:hi]:
            if isinstance(value, dict) and value:
                out.append(
                    json.dumps(value, ensure_ascii=False, indent=2).replace("\n", _ATTR_INDENT)
                )
            else:
                out.append("{}")
        try:
            return pa.array(out, _S)
        except (pa.ArrowException, UnicodeEncodeError) as exc:
            raise NotColumnar(str(exc)) from None

    return objects


def _column_attribute_blocks(
    columns: dict[str, pa.ChunkedArray], empty: frozenset[str]
) -> Callable[[int, int], pa.Array]:
    for col in columns.values():
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            raise NotColumnar("attribute column not text")
    keys = {name: json.dumps(name, ensure_ascii=False) for name in columns}

    def blocks(lo: int, hi: int) -> pa.Array:
        parts = []
        for name, col in columns.items():
            cell = col.slice(lo, hi - lo).cast(_S)
            blank = pc.is_null(cell)
            for value in empty:
                blank = pc.or_(blank, pc.equal(cell, _lit(value)))
            text = _join("        " + keys[name] + ": ", json_strings(pc.fill_null(cell, "")))
            parts.append(pc.if_else(blank, pa.scalar(None, _S), text))
        if not parts:
            return pa.array(["{}"] * (hi - lo), _S)
        joined = pc.binary_join_element_wise(*parts, _lit(",\n"), null_handling="skip")
        has = pc.greater(pc.binary_length(joined), 0)
        return pc.if_else(has, _join("{\n", joined, "\n      }"), _lit("{}"))

    return blocks


# --- the whole file ------------------------------------------------------------------------


def _status_texts(events: pd.DataFrame) -> Callable[[int, int], pa.Array]:
    status = events["status"]
    if not isinstance(status.dtype, pd.CategoricalDtype):
        raise NotColumnar("status is not categorical")
    names = pa.array([json.dumps(str(c)) for c in status.cat.categories] + ["null"], _S)
    codes = status.cat.codes.to_numpy(np.int64)
    codes = np.where(codes < 0, len(names) - 1, codes)
    return lambda lo, hi: names.take(pa.array(codes[lo:hi]))


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
    link_actor = json_strings(doc.links["actor_id"])
    link_role = json_strings(doc.links["role"])
    source_ids = json_strings(doc.event_sources["source_id"])
    theme_ids = json_strings(doc.event_themes["theme_id"])
    fig = doc.figures
    fig_text = {c: json_strings(fig[c]) for c in ("text", "unit", "qualifier", "label")}
    fig_quantity = pa.array([_quantity_text(float(q)) for q in fig["quantity"].tolist()], _S)
    status = _status_texts(ev)
    attributes = _attribute_blocks(ev["attributes"])
    start = ev["start"].to_numpy(np.int64)
    start_prec = ev["start_precision"].to_numpy(np.int8)
    end = ev["end"].to_numpy(np.int64)
    end_prec = ev["end_precision"].to_numpy(np.int8)

    def link_fragments(rows: I64) -> pa.Array:
        take = pa.array(rows)
        return _join(
            '        {\n          "actor": ',
            link_actor.take(take),
            ',\n          "role": ',
            link_role.take(take),
            "\n        }",
        )

    def id_fragments(column: pa.Array) -> Callable[[I64], pa.Array]:
        return lambda rows: _join("        ", column.take(pa.array(rows)))

    def figure_fragments(rows: I64) -> pa.Array:
        take = pa.array(rows)
        return _join(
            '        {\n          "text": ',
            fig_text["text"].take(take),
            ',\n          "quantity": ',
            fig_quantity.take(take),
            ',\n          "unit": ',
            fig_text["unit"].take(take),
            ',\n          "qualifier": ',
            fig_text["qualifier"].take(take),
            ',\n          "label": ',
            fig_text["label"].take(take),
            "\n        }",
        )

    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        has_end = end_prec[lo:hi] != NO_END
        ends = iso_dates(end[lo:hi], np.where(has_end, end_prec[lo:hi], 0).astype(np.int8))
        record = _join(
            '    {\n      "id": ',
            json_strings(text["id"].slice(lo, hi - lo)),
            ',\n      "title": ',
            json_strings(text["title"].slice(lo, hi - lo)),
            ',\n      "summary": ',
            json_strings(text["summary"].slice(lo, hi - lo)),
            ',\n      "start": ',
            iso_dates(start[lo:hi], start_prec[lo:hi]),
            ',\n      "end": ',
            pc.if_else(pa.array(has_end), ends, _lit("null")),
            ',\n      "status": ',
            status(lo, hi),
            ',\n      "actors": ',
            links.block(lo, hi, link_fragments),
            ',\n      "sources": ',
            sources.block(lo, hi, id_fragments(source_ids)),
            ',\n      "themes": ',
            themes.block(lo, hi, id_fragments(theme_ids)),
            ',\n      "figures": ',
            figures.block(lo, hi, figure_fragments),
            ',\n      "attributes": ',
            attributes(lo, hi),
            _closings(hi - lo, last=hi == n),
        )
        if record.null_count:
            raise NotColumnar("a null cell")
        chunks = record.chunks if isinstance(record, pa.ChunkedArray) else [record]
        for chunk in chunks:
            yield _string_bytes(chunk)


def _closings(count: int, *, last: bool) -> pa.Array:
    """Each record's end: a comma and a new line after every record but the file's last."""
    closing = pa.array(np.full(count, "\n    },\n", dtype=object), _S)
    if last and count:
        final = np.zeros(count, dtype=bool)
        final[-1] = True
        closing = pc.if_else(pa.array(final), _lit("\n    }"), closing)
    return closing


def _string_bytes(arr: pa.Array) -> memoryview:
    """The concatenated UTF-8 of a string array, straight from its data buffer."""
    arr = arr.cast(_S)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    first, last = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    data = arr.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[first:last]
