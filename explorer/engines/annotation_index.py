"""The annotations of an out-of-core document, held in memory by event key.

Stars, tags and notes are the analyst's: a few thousand at most where events are
millions, so an engine over Parquet reads the annotated rows once (the three
optional columns of explorer.io.parquet_annotations) and answers annotation
filters, searches, marks and records from these small arrays. Edits out of core
(the overlay) replay the same `explorer.model.annotations` ops on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.io.parquet_annotations import COLUMNS, read_annotation_columns
from explorer.model.annotations import notes_of, tag_counts, tags_of
from explorer.model.document import Document
from explorer.model.query import FLAG_NOTED, FLAG_STARRED, FLAG_TAGGED, Note

I64 = npt.NDArray[np.int64]


@dataclass
class AnnotationIndex:
    """Annotations keyed by event key: the tables (by event id) and each table's keys."""

    doc: Document = field(default_factory=Document)
    keys: dict[str, I64] = field(default_factory=dict)
    key_of_id: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, files: list[Path], offsets: I64, query: Any) -> AnnotationIndex:
        """Read the annotated rows of `files` (`query(sql)` runs DuckDB, giving Arrow)."""
        import pyarrow.parquet as pq

        out = cls()
        parts: dict[str, list[pd.DataFrame]] = {"stars": [], "tags": [], "notes": []}
        for f, path in enumerate(files):
            names = set(pq.read_schema(path).names)
            present = [c for c in COLUMNS if c in names]
            if not present:
                continue
            wanted = []
            if "starred" in names:
                wanted.append("coalesce(starred, FALSE)")
            if "tags" in names:
                wanted.append("coalesce(len(tags), 0) > 0")
            if "notes" in names:
                wanted.append("notes IS NOT NULL")
            text = str(path).replace("'", "''")
            table: pa.Table = query(
                f"SELECT file_row_number, id, {', '.join(present)} FROM read_parquet('{text}', "
                f"file_row_number = true) WHERE {' OR '.join(wanted)}"
            )
            ids = pd.Series(table.column("id").to_pylist(), dtype="str")
            rows = np.asarray(table.column("file_row_number").to_numpy(), dtype=np.int64)
            for ident, row in zip(ids.tolist(), rows.tolist(), strict=True):
                out.key_of_id.setdefault(ident, int(offsets[f]) + row)
            for name, frame in read_annotation_columns(table, ids, path).items():
                parts[name].append(frame)
        for name, frames in parts.items():
            if frames:
                setattr(out.doc, name, pd.concat(frames, ignore_index=True))
        out._reindex()
        return out

    def _reindex(self) -> None:
        for name in ("stars", "tags", "notes"):
            ids = getattr(self.doc, name)["event_id"].tolist()
            self.keys[name] = np.asarray([self.key_of_id.get(i, -1) for i in ids], np.int64)

    @property
    def empty(self) -> bool:
        return not any(len(k) for k in self.keys.values())

    def with_table(self, name: str) -> I64:
        keys = self.keys.get(name, np.zeros(0, np.int64))
        return np.unique(keys[keys >= 0])

    def tagged(self, tags: frozenset[str]) -> I64:
        keys = self.keys.get("tags", np.zeros(0, np.int64))
        hit = self.doc.tags["tag"].isin(tags).to_numpy(dtype=bool) & (keys >= 0)
        return np.unique(keys[hit])

    def text_hits(self, needle: str) -> I64:
        """Keys of events one of whose tags, or a note's text or author, holds `needle`."""
        found: list[I64] = []
        for name, columns in (("tags", ("tag",)), ("notes", ("text", "author"))):
            frame = getattr(self.doc, name)
            if not len(frame):
                continue
            hit = np.zeros(len(frame), dtype=bool)
            for column in columns:
                got = frame[column].astype("str").str.contains(needle, case=False, regex=False)
                hit |= got.fillna(False).to_numpy(dtype=bool)
            keys = self.keys[name]
            found.append(keys[hit & (keys >= 0)])
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def flags(self, keys: I64) -> npt.NDArray[np.uint8]:
        out = np.zeros(len(keys), dtype=np.uint8)
        for bit, name in ((FLAG_STARRED, "stars"), (FLAG_NOTED, "notes"), (FLAG_TAGGED, "tags")):
            have = self.keys.get(name)
            if have is not None and len(have) and len(keys):
                out |= np.where(np.isin(keys, have), bit, 0).astype(np.uint8)
        return out

    def of(self, event_id: str) -> tuple[bool, tuple[str, ...], tuple[Note, ...]]:
        if event_id not in self.key_of_id:
            return False, (), ()
        starred = bool((self.doc.stars["event_id"] == event_id).any())
        return starred, tags_of(self.doc, event_id), notes_of(self.doc, event_id)

    def tag_counts(self) -> Mapping[str, int]:
        return tag_counts(self.doc)
