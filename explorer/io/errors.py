"""The one error every reader raises: which file, where in it, which field, and why."""

from __future__ import annotations

from pathlib import Path

from explorer.io.escaping import escape_controls


class ReadError(Exception):
    """A file that cannot be read as a timeline, located as precisely as the format allows.

    `where` is a row ("row 983"), a line ("line 12"), a byte offset or a path into a
    JSON document ("events[3] (id \"e4\")"); `field` names the column or key. The
    message is one line: control characters from the file are escaped.
    """

    def __init__(
        self, path: str | Path, reason: str, *, where: str | None = None, field: str | None = None
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.where = where
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.path.name]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f'field "{self.field}"')
        parts.append(self.reason)
        return escape_controls(": ".join(parts))


class WriteError(Exception):
    """A save that did not happen; the previous file is untouched."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(escape_controls(f"{self.path}: {reason}"))
