"""What an import hands back: the document, the rows it set aside, and what it assumed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

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

    def skipped_csv(self) -> str:
        """The set-aside rows as CSV, for the user to export and fix."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["file", "where", "field", "reason"])
        for row in self.skipped:
            writer.writerow([self.path.name, row.where, row.field, row.reason])
        return out.getvalue()


MAX_SKIPPED_KEPT = 10_000
