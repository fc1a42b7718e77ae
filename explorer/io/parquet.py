"""The native document as Parquet, for documents too large for JSON to be quick.

One row per event, in one Parquet table:

================ ==========================================================
column           type
================ ==========================================================
id               string
title            string
summary          string
start            int64 (seconds since 1970-01-01 UTC, as in the model)
start_precision  int8 (0 year ... 5 second)
end              int64 (0 when there is no end)
end_precision    int8 (-1: no end)
status           dictionary<int8, string> (a claim status)
attributes       string: the attributes as a JSON object, or null
actors           list<struct<actor: string, role: string>> (actor ids)
sources          list<string> (source ids)
themes           list<string> (theme ids)
figures          string: a JSON list of figures as in the native format, or null
================ ==========================================================

The small tables ride in the file's key-value metadata under the key
``timeline-explorer``: a JSON object ``{"format": "timeline-explorer-parquet",
"version": 1, "title", "description", "actors", "sources", "themes"}`` whose
lists hold records as in the native JSON format (docs/format.md), and ``"periods"``
when the document has any (older readers ignore the key).

Reading is columnar throughout: links come from exploding the list columns in
Arrow, and only non-null JSON cells are parsed, so a million events load in well
under a second. A document read back equals the one written (``Document.equals``)
when its links are grouped by event in event order, as every reader makes them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from explorer.io.atomic import atomic_open
from explorer.io.errors import ReadError, WriteError
from explorer.io.parquet_annotations import VERSION as ANNOTATIONS_VERSION
from explorer.io.parquet_annotations import annotation_columns, read_annotation_columns
from explorer.model.dates import DateError, Precision, format_iso, parse_date, period_ends
from explorer.model.document import (
    ACTOR_COLUMNS,
    NO_END,
    STATUS_CATEGORIES,
    THEME_COLUMNS,
    Document,
    empty_figures,
    empty_sources,
)
from explorer.model.periods import PeriodRecordError, period_records, periods_from_records
from explorer.model.validate import problems

FORMAT_NAME: Final = "timeline-explorer-parquet"
FORMAT_VERSION: Final = 1
READS_UP_TO: Final = max(FORMAT_VERSION, ANNOTATIONS_VERSION)  # version 2: annotations
METADATA_KEY: Final = b"timeline-explorer"
MAGIC: Final = b"PAR1"

_LARGE = pa.large_string()
_ACTOR_REF = pa.struct([("actor", pa.string()), ("role", pa.string())])
SCHEMA: Final = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("summary", pa.string()),
        ("start", pa.int64()),
        ("start_precision", pa.int8()),
        ("end", pa.int64()),
        ("end_precision", pa.int8()),
        ("status", pa.dictionary(pa.int8(), pa.string())),
        ("attributes", pa.string()),
        ("actors", pa.list_(_ACTOR_REF)),
        ("sources", pa.list_(pa.string())),
        ("themes", pa.list_(pa.string())),
        ("figures", pa.string()),
    ]
)


# --- writing -----------------------------------------------------------------------------


def _strings(values: pd.Series) -> pa.Array:
    arr = pa.array(values.array, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr.cast(pa.string()), "")


def _grouped_offsets(rows: npt.NDArray[np.int64], n: int) -> tuple[npt.NDArray[np.int64], pa.Array]:
    """Stable order of link rows by event, and list offsets for `n` events."""
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=n) if len(rows) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return order, pa.array(offsets, pa.int32())


def _event_rows(
    events: pd.Index, frame: pd.DataFrame, table: str, path: Path
) -> npt.NDArray[np.int64]:
    rows = np.asarray(events.get_indexer(pd.Index(frame["event_id"])), dtype=np.int64)
    if (rows < 0).any():
        bad = frame["event_id"].iloc[int(np.flatnonzero(rows < 0)[0])]
        raise WriteError(path, f"{table} refer to an unknown event {bad!r}")
    return rows


def _json_cell(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _quantity(value: float) -> int | float | None:
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else value


def _date_or_none(seconds: int, precision: int) -> str | None:
    return None if precision == NO_END else format_iso(int(seconds), Precision(int(precision)))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    cols = {c: frame[c].tolist() for c in frame.columns}
    return [{c: cols[c][i] for c in cols} for i in range(len(frame))]


def to_arrow(doc: Document, path: Path = Path("document.parquet")) -> pa.Table:
    """The Arrow table :func:`write_parquet` saves, metadata included."""
    events = doc.events
    n = len(events)
    index = pd.Index(events["id"])
    if not index.is_unique:
        raise WriteError(path, "event ids are not unique")

    def listed(frame: pd.DataFrame, table: str, column: str) -> pa.Array:
        rows = _event_rows(index, frame, table, path)
        order, offsets = _grouped_offsets(rows, n)
        values = _strings(frame[column]).take(pa.array(order))
        return pa.ListArray.from_arrays(offsets, values)

    links = doc.links
    rows = _event_rows(index, links, "links", path)
    order, offsets = _grouped_offsets(rows, n)
    take = pa.array(order)
    refs = pa.StructArray.from_arrays(
        [_strings(links["actor_id"]).take(take), _strings(links["role"]).take(take)],
        fields=list(_ACTOR_REF),
    )
    actors = pa.ListArray.from_arrays(offsets, refs)

    codes = np.asarray(
        pd.Categorical(events["status"], dtype=STATUS_CATEGORIES).codes, dtype=np.int8
    )
    if (codes < 0).any():
        raise WriteError(path, "an event has no claim status")
    status = pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int8()), pa.array(list(STATUS_CATEGORIES.categories), pa.string())
    )
    # Attributes kept as columns (a forensic import) are saved as columns: one JSON
    # string per event would cost seconds per million events each way.
    columnar = _attribute_columns(events["attributes"])
    if columnar is not None:
        attribute_columns, empty = columnar
        attributes = pa.nulls(n, pa.string())
    else:
        attribute_columns, empty = {}, frozenset()
        try:
            attributes = pa.array(
                [None if a is None else _json_cell(a) for a in events["attributes"].tolist()],
                pa.string(),
            )
        except (TypeError, ValueError) as exc:
            raise WriteError(path, f"attributes cannot be stored as JSON ({exc})") from None

    figures_col: list[str | None] = [None] * n
    figs = doc.figures
    if len(figs):
        fig_rows = _event_rows(index, figs, "figures", path)
        fcols = {c: figs[c].tolist() for c in figs.columns}
        per_event: dict[int, list[dict[str, Any]]] = {}
        for i, row in enumerate(fig_rows.tolist()):
            per_event.setdefault(row, []).append(
                {
                    "text": fcols["text"][i],
                    "quantity": _quantity(float(fcols["quantity"][i])),
                    "unit": fcols["unit"][i],
                    "qualifier": fcols["qualifier"][i],
                    "label": fcols["label"][i],
                }
            )
        for row, items in per_event.items():
            figures_col[row] = _json_cell(items)

    src = doc.sources
    meta = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": doc.title,
        "description": doc.description,
        "actors": _records(doc.actors[list(ACTOR_COLUMNS)]),
        "sources": [
            {
                "id": record["id"],
                "publisher": record["publisher"],
                "title": record["title"],
                "url": record["url"],
                "published": _date_or_none(record["published"], record["published_precision"]),
            }
            for record in _records(src)
        ],
        "themes": _records(doc.themes[list(THEME_COLUMNS)]),
    }
    table = pa.Table.from_arrays(
        [
            _strings(events["id"]),
            _strings(events["title"]),
            _strings(events["summary"]),
            pa.array(events["start"].to_numpy(np.int64)),
            pa.array(events["start_precision"].to_numpy(np.int8)),
            pa.array(events["end"].to_numpy(np.int64)),
            pa.array(events["end_precision"].to_numpy(np.int8)),
            status,
            attributes,
            actors,
            listed(doc.event_sources, "sources", "source_id"),
            listed(doc.event_themes, "themes", "theme_id"),
            pa.array(figures_col, pa.string()),
        ],
        schema=SCHEMA,
    )
    annotations = annotation_columns(doc)
    for name, column in annotations.items():
        table = table.append_column(name, column)
    if annotations:
        meta["version"] = ANNOTATIONS_VERSION
    if len(doc.periods):
        meta["periods"] = period_records(doc.periods)
    if attribute_columns:
        meta["attribute_columns"] = list(attribute_columns)
        meta["attribute_empty"] = sorted(empty)
        for name, column in attribute_columns.items():
            table = table.append_column(ATTRIBUTE_PREFIX + name, column.cast(pa.large_string()))
    text = json.dumps(meta, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return table.replace_schema_metadata({METADATA_KEY: text})


ATTRIBUTE_PREFIX: Final = "attribute:"


def _attribute_columns(
    column: pd.Series,
) -> tuple[dict[str, pa.ChunkedArray], frozenset[str]] | None:
    from explorer.io.attributes import ColumnAttributes

    array = column.array
    return array.columns() if isinstance(array, ColumnAttributes) else None


def write_parquet(doc: Document, path: str | Path) -> None:
    """Save atomically: written beside the target, then swapped in."""
    path = Path(path)
    table = to_arrow(doc, path)
    with atomic_open(path) as handle:
        pq.write_table(table, handle, compression="zstd")


# --- reading -----------------------------------------------------------------------------


def _fail(path: Path, reason: str, where: str | None = None, field: str | None = None) -> ReadError:
    return ReadError(path, reason, where=where, field=field)


def _str_series(arr: Any) -> pd.Series:
    """A string column as pandas "str", sharing Arrow's buffers (chunks are not copied)."""
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 0:
        arr = pa.array([], _LARGE)
    arr = pc.fill_null(arr.cast(_LARGE), "")
    return pd.Series(pd.arrays.ArrowStringArray(arr), dtype="str")


def _text_table(records: Any, columns: tuple[str, ...], name: str, path: Path) -> pd.DataFrame:
    if not isinstance(records, list):
        raise _fail(path, "must be a list", "metadata", name)
    data: dict[str, list[str]] = {c: [] for c in columns}
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise _fail(path, "must be an object", f"metadata {name}[{i}]")
        for column in columns:
            value = record.get(column, "")
            value = "" if value is None else value
            if not isinstance(value, str):
                raise _fail(path, "must be text", f"metadata {name}[{i}]", column)
            data[column].append(value)
    return pd.DataFrame({c: pd.Series(data[c], dtype="str") for c in columns})


def _sources(records: Any, path: Path) -> pd.DataFrame:
    table = _text_table(records, ("id", "publisher", "title", "url"), "sources", path)
    if not len(table):
        return empty_sources()
    published = np.zeros(len(table), np.int64)
    precision = np.full(len(table), NO_END, np.int8)
    for i, record in enumerate(records):
        raw = record.get("published")
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise _fail(path, "must be a date string", f"metadata sources[{i}]", "published")
        try:
            value = parse_date(raw)
        except DateError as exc:
            raise _fail(path, str(exc), f"metadata sources[{i}]", "published") from None
        published[i], precision[i] = value.seconds, int(value.precision)
    table["published"] = published
    table["published_precision"] = precision
    return table


def _column(table: pa.Table, name: str, path: Path) -> pa.ChunkedArray:
    """A column as read, one chunk per row group (combining them would copy)."""
    if name not in table.column_names:
        raise _fail(path, "is missing", "events", name)
    return table.column(name)


def _ints(table: pa.Table, name: str, dtype: type[np.integer[Any]], path: Path) -> np.ndarray:
    arr = _column(table, name, path)
    if not pa.types.is_integer(arr.type):
        raise _fail(path, f"must be integers, not {arr.type}", "events", name)
    if arr.null_count:
        row = int(np.flatnonzero(~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False)))[0])
        raise _fail(path, "is missing", f"events row {row}", name)
    try:
        return np.asarray(arr.cast(pa.from_numpy_dtype(np.dtype(dtype))).to_numpy(), dtype=dtype)
    except pa.ArrowInvalid as exc:
        raise _fail(path, f"out of range ({exc})", "events", name) from None


def _status(arr: pa.ChunkedArray, path: Path) -> pd.Categorical:
    categories = pd.Index(STATUS_CATEGORIES.categories)
    if pa.types.is_dictionary(arr.type):
        parts = [np.zeros(0, np.int64)]
        for chunk in arr.chunks:  # each chunk may have its own dictionary
            dictionary = [str(v) for v in chunk.dictionary.to_pylist()]
            lookup = np.asarray(categories.get_indexer(dictionary), dtype=np.int64)
            indices = np.asarray(pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False))
            parts.append(np.where(indices >= 0, lookup[np.maximum(indices, 0)], -1))
        codes = np.concatenate(parts)
    else:
        values = pc.fill_null(arr.cast(pa.string()), "").to_numpy(zero_copy_only=False)
        codes = np.asarray(pd.Index(STATUS_CATEGORIES.categories).get_indexer(values))
    bad = np.flatnonzero(codes < 0)
    if len(bad):
        value = arr[int(bad[0])].as_py()
        choices = ", ".join(STATUS_CATEGORIES.categories)
        raise _fail(path, f"{value!r} is not one of {choices}", f"events row {bad[0]}", "status")
    return pd.Categorical.from_codes(codes.astype(np.int8), dtype=STATUS_CATEGORIES)


def _json_cells(arr: pa.Array, name: str, path: Path, kind: type) -> dict[int, Any]:
    """The parsed non-null cells of a JSON text column, by row."""
    out: dict[int, Any] = {}
    if arr.null_count == len(arr):
        return out
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise _fail(path, f"must be JSON text, not {arr.type}", "events", name)
    valid = np.flatnonzero(np.asarray(arr.is_valid().to_numpy(zero_copy_only=False)))
    texts = arr.take(pa.array(valid)).to_pylist()
    for row, text in zip(valid.tolist(), texts, strict=True):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _fail(path, f"not valid JSON ({exc})", f"events row {row}", name) from None
        if not isinstance(value, kind):
            raise _fail(path, f"must be a JSON {kind.__name__}", f"events row {row}", name)
        out[row] = value
    return out


def _exploded(arr: pa.Array, ids: pa.Array, name: str, path: Path) -> tuple[pa.Array, pa.Array]:
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        raise _fail(path, f"must be a list column, not {arr.type}", "events", name)
    parents = pc.list_parent_indices(arr)
    if isinstance(parents, pa.ChunkedArray):
        parents = parents.combine_chunks() if parents.num_chunks else pa.array([], pa.int64())
    return ids.take(parents), pc.list_flatten(arr)


def _figures(values: dict[int, Any], ids: pa.Array, path: Path) -> pd.DataFrame:
    rows: dict[str, list[Any]] = {
        c: [] for c in ("event_id", "text", "quantity", "unit", "qualifier", "label")
    }
    for row, figures in sorted(values.items()):
        for k, fig in enumerate(figures):
            where = f"events row {row}, figures[{k}]"
            if not isinstance(fig, dict) or not isinstance(fig.get("text"), str):
                raise _fail(path, 'each must be an object with "text"', where, "figures")
            quantity = fig.get("quantity")
            if quantity is not None and (
                isinstance(quantity, bool)
                or not isinstance(quantity, int | float)
                or not math.isfinite(float(quantity))
            ):
                raise _fail(path, "must be a finite number or null", where, "quantity")
            rows["event_id"].append(str(ids[row].as_py()))
            rows["text"].append(fig["text"])
            rows["quantity"].append(float("nan") if quantity is None else float(quantity))
            for key in ("unit", "qualifier", "label"):
                value = fig.get(key, "")
                if not isinstance(value, str):
                    raise _fail(path, "must be text", where, key)
                rows[key].append(value)
    if not rows["event_id"]:
        return empty_figures()
    frame = pd.DataFrame({c: pd.Series(rows[c], dtype="str") for c in ("event_id", "text")})
    frame["quantity"] = np.array(rows["quantity"], dtype=np.float64)
    for c in ("unit", "qualifier", "label"):
        frame[c] = pd.Series(rows[c], dtype="str")
    return frame


def read_metadata(path: Path, schema: pa.Schema) -> dict[str, Any]:
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise _fail(path, "a Parquet file, but not a Timeline Explorer document (no metadata)")
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(path, f"its metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise _fail(path, f'not a Timeline Explorer document (no "format": "{FORMAT_NAME}")')
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(path, "must be a whole number", "metadata", "version")
    if version > READS_UP_TO:
        raise _fail(
            path,
            f"version {version} is newer than this program reads ({READS_UP_TO}); "
            "update Timeline Explorer",
            "metadata",
            "version",
        )
    for key in ("title", "description"):
        if not isinstance(meta.get(key, ""), str):
            raise _fail(path, "must be text", "metadata", key)
    return meta


def _arrow_of(values: pd.Series) -> Any:
    """The Arrow data behind a string column (chunked or not, as it is)."""
    return pa.array(values.array, from_pandas=True)


def _plainly_valid(doc: Document) -> bool:
    """The checks of :func:`problems`, done in Arrow: True when none can fail, so the
    slower checks (which name the culprit) run only on a faulty file."""
    for table in (doc.events, doc.actors, doc.sources, doc.themes):
        ids = _arrow_of(table["id"])
        if len(ids) and (
            pc.any(pc.equal(pc.utf8_trim_whitespace(ids), "")).as_py()
            or table["id"].duplicated().any()
        ):
            return False
    for links, key, target in (
        (doc.links, "actor_id", doc.actors),
        (doc.event_sources, "source_id", doc.sources),
        (doc.event_themes, "theme_id", doc.themes),
    ):
        refs = _arrow_of(links[key])
        known = _arrow_of(target["id"])
        if isinstance(known, pa.ChunkedArray):
            known = known.combine_chunks() if known.num_chunks else pa.array([], _LARGE)
        if len(refs) and not pc.all(pc.is_in(refs, value_set=known)).as_py():
            return False
    end_prec = doc.events["end_precision"].to_numpy(np.int8)
    has_end = np.flatnonzero(end_prec != NO_END)
    if len(has_end):
        ends = period_ends(doc.events["end"].to_numpy(np.int64)[has_end], end_prec[has_end])
        if (ends <= doc.events["start"].to_numpy(np.int64)[has_end]).any():
            return False
    colours = doc.actors["colour"].astype("str")
    return bool(colours.str.fullmatch(r"(?:#[0-9a-fA-F]{6})?").all())


def _read_attribute_columns(table: pa.Table, meta: dict[str, Any], path: Path) -> pd.Series | None:
    """Attributes saved as columns come back as columns (see `_attribute_columns`)."""
    from explorer.io.attributes import ColumnAttributes

    names = meta.get("attribute_columns")
    if not names:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _fail(path, "must be a list of names", "metadata", "attribute_columns")
    empty = meta.get("attribute_empty", [""])
    if not isinstance(empty, list) or not all(isinstance(e, str) for e in empty):
        raise _fail(path, "must be a list of text", "metadata", "attribute_empty")
    missing = [n for n in names if ATTRIBUTE_PREFIX + n not in table.column_names]
    if missing:
        raise _fail(path, f"column {ATTRIBUTE_PREFIX + missing[0]!r} is missing", "events")
    columns = {n: table.column(ATTRIBUTE_PREFIX + n).cast(pa.large_string()) for n in names}
    values = ColumnAttributes(columns, np.arange(table.num_rows, dtype=np.int64), empty=empty)
    return pd.Series(values)


def _periods(meta: dict[str, Any], path: Path) -> pd.DataFrame:
    try:
        return periods_from_records(meta.get("periods", []))
    except PeriodRecordError as exc:
        raise _fail(path, exc.reason, f"metadata {exc.where()}", exc.field or "periods") from None


def read_parquet(path: str | Path) -> Document:
    """Load a document saved by :func:`write_parquet`; any fault raises ReadError."""
    path = Path(path)
    try:
        table = pq.read_table(path, memory_map=True)
    except OSError as exc:
        raise _fail(path, f"not a readable Parquet file ({exc})") from None
    except (pa.ArrowException, ValueError) as exc:
        raise _fail(path, f"not a readable Parquet file ({exc})") from None
    meta = read_metadata(path, table.schema)

    ids_arr = pc.fill_null(_column(table, "id", path).cast(_LARGE), "")
    ids = _str_series(ids_arr)
    start = _ints(table, "start", np.int64, path)
    start_prec = _ints(table, "start_precision", np.int8, path)
    end = _ints(table, "end", np.int64, path)
    end_prec = _ints(table, "end_precision", np.int8, path)
    for name, prec, allowed_none in (
        ("start_precision", start_prec, False),
        ("end_precision", end_prec, True),
    ):
        low = NO_END if allowed_none else 0
        bad = np.flatnonzero((prec < low) | (prec > int(Precision.SECOND)))
        if len(bad):
            raise _fail(
                path, f"{int(prec[bad[0]])} is not a precision", f"events row {bad[0]}", name
            )
    attributes: Any = _read_attribute_columns(table, meta, path)
    if attributes is None:
        attributes = [None] * len(ids)
        for row, value in _json_cells(
            _column(table, "attributes", path), "attributes", path, dict
        ).items():
            attributes[row] = value
        attributes = pd.Series(attributes, dtype=object)
    events = pd.DataFrame(
        {
            "id": ids,
            "title": _str_series(_column(table, "title", path)),
            "summary": _str_series(_column(table, "summary", path)),
            "start": start,
            "start_precision": start_prec,
            "end": end,
            "end_precision": end_prec,
            "status": _status(_column(table, "status", path), path),
            "attributes": attributes,
        }
    )

    actors_arr = _column(table, "actors", path)
    link_events, refs = _exploded(actors_arr, ids_arr, "actors", path)
    if not pa.types.is_struct(refs.type) or {f.name for f in refs.type} != {"actor", "role"}:
        raise _fail(path, "must hold {actor, role} records", "events", "actors")
    links = pd.DataFrame(
        {
            "event_id": _str_series(link_events),
            "actor_id": _str_series(pc.struct_field(refs, "actor")),
            "role": _str_series(pc.struct_field(refs, "role")),
        }
    )
    src_events, src_ids = _exploded(_column(table, "sources", path), ids_arr, "sources", path)
    theme_events, theme_ids = _exploded(_column(table, "themes", path), ids_arr, "themes", path)
    figures = _figures(
        _json_cells(_column(table, "figures", path), "figures", path, list), ids_arr, path
    )
    doc = Document(
        title=str(meta.get("title", "")),
        description=str(meta.get("description", "")),
        events=events,
        actors=_text_table(meta.get("actors", []), ACTOR_COLUMNS, "actors", path),
        sources=_sources(meta.get("sources", []), path),
        themes=_text_table(meta.get("themes", []), THEME_COLUMNS, "themes", path),
        links=links,
        event_sources=pd.DataFrame(
            {"event_id": _str_series(src_events), "source_id": _str_series(src_ids)}
        ),
        event_themes=pd.DataFrame(
            {"event_id": _str_series(theme_events), "theme_id": _str_series(theme_ids)}
        ),
        figures=figures,
        **read_annotation_columns(table, ids, path),
        periods=_periods(meta, path),
    )
    found = [] if _plainly_valid(doc) else problems(doc, limit=1)
    if found:
        p = found[0]
        raise ReadError(path, p.reason, where=p.where(), field=p.field)
    return doc
