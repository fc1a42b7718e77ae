"""Several files read as one document: the one place the command line and the window
merge imports (so the window never imports the command line)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from explorer.io.formats import ReadOptions, read_any
from explorer.io.kit.columns import slug
from explorer.io.result import ImportResult, SkippedRow
from explorer.model.document import ACTOR_COLUMNS, Document

MERGED: Final = "merged"  # the format of a result made of several files


@dataclass
class MergedImport(ImportResult):
    """Several files read as one document; `parts` are the files' own results."""

    parts: list[ImportResult] = field(default_factory=list)

    def skipped_by_file(self) -> list[tuple[str, SkippedRow]]:
        return skipped_rows(self)


def skipped_rows(result: ImportResult) -> list[tuple[str, SkippedRow]]:
    """Each set-aside row with the name of its file (several for a merged import)."""
    return [(part.path.name, row) for part in parts_of(result) for row in part.skipped]


def labels_for(paths: Sequence[Path]) -> list[str]:
    """A label per file, its name, or parent/name where two files share a name."""
    names = [p.name for p in paths]
    return [
        f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 and p.parent.name else p.name
        for p in paths
    ]


def combine_results(results: Sequence[ImportResult]) -> ImportResult:
    """One result for several files: their documents merged (`merge`),
    set-aside rows and notes kept per file. One result is returned as it is."""
    if len(results) == 1:
        return results[0]
    labels = labels_for([r.path for r in results])
    document = merge([r.document for r in results], labels)
    notes = [
        f"{label}: {note}" for r, label in zip(results, labels, strict=True) for note in r.notes
    ]
    notes.append(
        f"{len(results)} files merged into one document; events without actors are "
        "in a lane named after their file"
    )
    return MergedImport(
        document=document,
        path=results[0].path,
        format=MERGED,  # never "native": saving must not overwrite the first file
        skipped=[row for r in results for row in r.skipped],
        skipped_total=sum(r.skipped_total for r in results),
        notes=notes,
        parts=list(results),
    )


def reader_mapping(mapping: dict[str, str | list[str]] | None) -> dict[str, str | list[str]] | None:
    """A copy of `mapping` for one file's `ReadOptions` (None when empty)."""
    return dict(mapping) if mapping else None


def read_files(
    paths: Sequence[Path],
    format_name: str | None = None,
    mapping: dict[str, str | list[str]] | None = None,
) -> ImportResult:
    """Read every file (with `format_name` if given, else the detected format) and
    combine them; raises ReadError for the first file that cannot be read."""
    results = [
        read_any(path, format_name, ReadOptions(mapping=reader_mapping(mapping))) for path in paths
    ]
    return combine_results(results)


def parts_of(result: ImportResult) -> list[ImportResult]:
    """The results of the files behind `result` (itself, unless several were merged)."""
    return list(result.parts) if isinstance(result, MergedImport) else [result]


def merge(documents: Sequence[Document], labels: Sequence[str]) -> Document:
    """Several documents as one; ids are prefixed by their file's label where they clash.

    Events without actors get their file as actor, so lanes stay apart by source.
    """
    if len(documents) == 1:
        return documents[0]
    parts: dict[str, list[pd.DataFrame]] = {}
    for doc, label in zip(documents, labels, strict=True):
        prefix = f"{slug(label)}:"
        renamed = doc.copy()
        for table, columns in (
            ("events", ("id",)),
            ("actors", ("id",)),
            ("sources", ("id",)),
            ("themes", ("id",)),
            ("links", ("event_id", "actor_id")),
            ("event_sources", ("event_id", "source_id")),
            ("event_themes", ("event_id", "theme_id")),
            ("figures", ("event_id",)),
            ("stars", ("event_id",)),
            ("tags", ("event_id",)),
            ("notes", ("event_id",)),
            ("periods", ("id",)),
        ):
            frame = getattr(renamed, table)
            for column in columns:
                frame[column] = prefix + frame[column].astype("str")
            parts.setdefault(table, []).append(frame)
        linked = set(renamed.links["event_id"])
        orphans = renamed.events.loc[~renamed.events["id"].isin(linked), "id"]
        if len(orphans):
            source_actor = pd.DataFrame(
                {c: pd.Series([""], dtype="str") for c in ACTOR_COLUMNS}
            ).assign(id=f"{prefix}source", name=label, kind="source file")
            parts["actors"].append(source_actor)
            parts["links"].append(
                pd.DataFrame(
                    {
                        "event_id": orphans.astype("str"),
                        "actor_id": pd.Series([f"{prefix}source"] * len(orphans), dtype="str"),
                        "role": pd.Series(["source"] * len(orphans), dtype="str"),
                    }
                )
            )
    merged = Document(
        title=" + ".join(d.title or label for d, label in zip(documents, labels, strict=True)),
        description="",
        **{table: pd.concat(frames, ignore_index=True) for table, frames in parts.items()},
    )
    merged.events["status"] = merged.events["status"].astype(documents[0].events["status"].dtype)
    merged.periods = merged.periods.astype(documents[0].periods.dtypes.to_dict())
    return merged
