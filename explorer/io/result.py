"""What an import hands back: the document, the rows it set aside, and what it assumed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from explorer.io.guard import guard
from explorer.model.document import Document


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row that could not be read; the rest of the file was."""

    where: str  # "row 983", "line 12", "events[3]"
    field: str  # the column or key at fault ("" when the whole row is)
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {f'column {self.field!r}: ' if self.field else ''}{self.reason}"


@dataclass
class ImportResult:
    document: Document
    path: Path
    format: str
    skipped: list[SkippedRow] = field(default_factory=list)
    skipped_total: int = 0  # may exceed len(skipped): only the first ones are kept
    notes: list[str] = field(default_factory=list)  # assumptions the user should know

    def skipped_by_file(self) -> list[tuple[str, SkippedRow]]:
        """Each set-aside row with its file's name (a merged import has several)."""
        return [(self.path.name, row) for row in self.skipped]

    def skipped_csv(self) -> str:
        """The set-aside rows as CSV, for the user to export and fix. The cells quote the
        file's own headers and values, so they are guarded like any export."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["file", "where", "field", "reason"])
        for name, row in self.skipped_by_file():
            writer.writerow([guard(v) for v in (name, row.where, row.field, row.reason)])
        return out.getvalue()


MAX_SKIPPED_KEPT = 10_000
