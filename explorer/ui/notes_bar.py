"""A bar above the timeline for what an import assumed: seen, never in the way.

Notes ("lanes are hosts", "times read as UTC") are worth reading but need no answer,
so they do not block the window as a dialog would; the bar stays until dismissed
(its button, or Esc while it has focus) and the next import replaces it. Rows set
aside still get the dialog: that is something the user must look at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from explorer.io.result import ImportResult
from explorer.ui.messages import plain_label

SHOWN_NOTES: Final = 2


class NotesBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import-notes-bar")
        self.setAccessibleName("Notes about the import")
        self.setStyleSheet(
            "QFrame#import-notes-bar { background: #fff6db; border: 1px solid #e6d08a; }"
        )
        self.label = plain_label(name="import-notes-text", wrap=True, selectable=True)
        self.details = QPushButton("&Details…")
        self.details.setObjectName("import-notes-details")
        self.dismiss = QPushButton("Dis&miss")
        self.dismiss.setObjectName("import-notes-dismiss")
        self.dismiss.setAccessibleName("Dismiss the import notes")
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.dismiss)
        self._on_details: Callable[[], object] | None = None
        self.details.clicked.connect(lambda: self._on_details() if self._on_details else None)
        self.hide()

    def show_notes(self, result: ImportResult, on_details: Callable[[], object]) -> None:
        notes = list(result.notes)
        lines = [f"{result.path.name}: {note}" for note in notes[:SHOWN_NOTES]]
        if len(notes) > SHOWN_NOTES:
            lines.append(f"… and {len(notes) - SHOWN_NOTES:,} more notes (Details)")
        self.label.setText("\n".join(lines))
        self._on_details = on_details
        self.show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)
