"""The analyst's annotations in the app's Parquet files: three optional columns.

=========== =================================================================
column      type
=========== =================================================================
starred     bool
tags        list<string> (sorted)
notes       string: a JSON list of ``{"id", "author", "time", "text"}`` as in
            the native format (``time`` ISO 8601 UTC), or null
=========== =================================================================

They are written only when the document has annotations (the metadata's version
is then 2, so an older reader refuses the file instead of dropping them), and
read when present. An out-of-core engine finds them in the same rows as the events.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.errors import ReadError
from explorer.io.native_annotations import annotation_tables, has_annotations, note_time
from explorer.model.annotations import rows_for
from explorer.model.document import Document

COLUMNS: Final = ("starred", "tags", "notes")
VERSION: Final = 2


def annotation_columns(doc: Document) -> dict[str, pa.Array]:
    """The three columns for `doc`'s events ({} when it has no annotations)."""
    if not has_annotations(doc):
        return {}
    ids = doc.events["id"]
    n = len(ids)
    star_rows = rows_for(ids, doc.stars["event_id"])
    starred = np.zeros(n, dtype=bool)
    starred[star_rows[star_rows >= 0]] = True
    tag_rows = rows_for(ids, doc.tags["event_id"])
    keep = tag_rows >= 0
    rows, tags = tag_rows[keep], doc.tags["tag"].astype("str").to_numpy()[keep]
    order = np.lexsort((tags, rows))
    rows, tags = rows[order], tags[order]
    counts = np.bincount(rows, minlength=n) if len(rows) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    tag_lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(tags.tolist(), pa.string()))
    notes: list[str | None] = [None] * n
    frame = doc.notes
    note_rows = rows_for(ids, frame["event_id"])
    per_event: dict[int, list[tuple[int, str, dict[str, Any]]]] = {}
    for row, ident, author, time, text in zip(
        note_rows.tolist(),
        frame["note_id"].tolist(),
        frame["author"].tolist(),
        frame["time"].tolist(),
        frame["text"].tolist(),
        strict=True,
    ):
        if row >= 0:
            item = {"id": ident, "author": author, "time": note_time(time), "text": text}
            per_event.setdefault(row, []).append((int(time), str(ident), item))
    for row, items in per_event.items():
        notes[row] = json.dumps(
            [i for _, _, i in sorted(items, key=lambda x: x[:2])], ensure_ascii=False
        )
    return {
        "starred": pa.array(starred, pa.bool_()),
        "tags": tag_lists,
        "notes": pa.array(notes, pa.string()),
    }


def read_annotation_columns(table: pa.Table, ids: pd.Series, path: Path) -> dict[str, pd.DataFrame]:
    """The stars, tags and notes tables from the columns, when the file has them."""
    names = set(table.column_names)
    if not names & set(COLUMNS):
        return {}
    entries: dict[int, dict[str, Any]] = {}
    if "starred" in names:
        starred = table.column("starred")
        if not pa.types.is_boolean(starred.type):
            raise ReadError(path, "must be true or false", where="events", field="starred")
        for row in np.flatnonzero(pc.fill_null(starred, False).to_numpy(zero_copy_only=False)):
            entries.setdefault(int(row), {})["starred"] = True
    if "tags" in names:
        column = table.column("tags").combine_chunks()
        if not pa.types.is_list(column.type):
            raise ReadError(path, "must be a list of text", where="events", field="tags")
        lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False)
        values = pc.list_flatten(column).to_pylist()
        parents = np.repeat(np.arange(len(lengths)), lengths).tolist()
        for parent, tag in zip(parents, values, strict=True):
            entries.setdefault(int(parent), {}).setdefault("tags", []).append(tag)
    if "notes" in names:
        column = table.column("notes")
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            raise ReadError(path, "must be JSON text", where="events", field="notes")
        valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
        cells = column.to_pylist()
        for at in np.flatnonzero(valid).tolist():
            try:
                parsed = json.loads(cells[at])
            except ValueError as exc:
                raise ReadError(
                    path, f"not valid JSON ({exc})", where=f"events row {at}", field="notes"
                ) from None
            entries.setdefault(int(at), {})["notes"] = parsed
    id_list = ids.tolist()
    data = {
        "annotations": [{"event": str(id_list[row]), **entries[row]} for row in sorted(entries)]
    }

    def fail(reason: str, where: str | None, field: str | None) -> ReadError:
        return ReadError(path, reason, where=where, field=field)

    return annotation_tables(data, fail)
