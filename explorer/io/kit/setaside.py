"""The one set-aside collector: rows a reader could not read, the first MAX_SKIPPED_KEPT
kept in full and all counted, so a million bad rows cost a counter, not a million objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from explorer.io.errors import ReadError
from explorer.io.result import MAX_SKIPPED_KEPT, SkippedRow


@dataclass
class SetAside:
    """Rows set aside while reading, the first MAX_SKIPPED_KEPT kept in full."""

    rows: list[SkippedRow] = field(default_factory=list)
    total: int = 0

    def add(self, where: str, column: str, reason: str) -> None:
        self.total += 1
        if len(self.rows) < MAX_SKIPPED_KEPT:
            self.rows.append(SkippedRow(where, column, reason))

    def room(self) -> int:
        return MAX_SKIPPED_KEPT - len(self.rows)

    def nothing_read(self, path: Path, what: str) -> ReadError:
        """The error for a file of which nothing could be read, naming the first reason."""
        if self.rows:
            first = self.rows[0]
            return ReadError(
                path,
                f"no {what} could be read ({self.total} set aside; the first: {first.reason})",
                where=first.where,
                field=first.field or None,
            )
        return ReadError(path, f"has no {what}")
