"""Several files read as one document: the one place the command line and the window
merge imports (so the window never imports the command line)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from explorer.io.builder import merge
from explorer.io.formats import ReadOptions, read_any
from explorer.io.result import ImportResult, SkippedRow

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
    """One result for several files: their documents merged (`explorer.io.builder.merge`),
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
