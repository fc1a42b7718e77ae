"""The quick-tag palette and the notes dialog: keyboard first, plain text only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.model.annotations import clean_tag, tag_problem
from explorer.model.query import Note
from explorer.ui.display_text import shown


def note_heading(note: Note) -> str:
    when = dt.datetime.fromtimestamp(note.time, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{note.author or 'anonymous'} · {when}"


class TagPalette(QDialog):
    """Type to find a tag or make a new one; Enter (or its digit) toggles it on the event.

    Lists the quick tags first, numbered 1-9 (Alt+digit does the same from the
    window), then every other tag of the document; a ✓ marks the event's own."""

    def __init__(
        self,
        quick: Sequence[str],
        others: Sequence[str],
        present: Sequence[str],
        parent: QWidget | None = None,
        title: str = "Tag Event",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("tag-palette")
        self.setAccessibleName("Tag palette")
        self.resize(420, 380)
        self.chosen: str | None = None
        self._quick = list(quick)
        self._tags = list(dict.fromkeys([*quick, *others]))
        self._present = set(present)
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Type a tag…")
        self.field.setAccessibleName("Tag")
        self.field.setMaxLength(200)
        self.field.installEventFilter(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Tags")
        self.hint = QLabel("Enter toggles the tag · a digit picks a quick tag · Esc closes")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self.field.textChanged.connect(self._filter)
        self.list.itemActivated.connect(self._choose)
        self._filter("")

    def _filter(self, text: str) -> None:
        wanted = clean_tag(text).lower()
        self.list.clear()
        if wanted and wanted not in (t.lower() for t in self._tags):
            problem = tag_problem(text)
            item = QListWidgetItem(problem or f"New tag “{shown(clean_tag(text))}”")
            item.setData(Qt.ItemDataRole.UserRole, None if problem else clean_tag(text))
            self.list.addItem(item)
        for tag in self._tags:
            if wanted in tag.lower():
                mark = "✓ " if tag in self._present else "   "
                number = self._quick.index(tag) + 1 if tag in self._quick else 0
                label = f"{mark}{shown(tag)}" + (f"    Alt+{number}" if number else "")
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, tag)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def tags_listed(self) -> list[str | None]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._choose(item)
                return True
            digit = int(key) - Qt.Key.Key_1.value
            if not self.field.text() and 0 <= digit < min(len(self._quick), 9):
                self.chosen = self._quick[digit]
                self.accept()
                return True
        return super().eventFilter(watched, event)

    def _choose(self, item: QListWidgetItem) -> None:
        tag = item.data(Qt.ItemDataRole.UserRole)
        if tag:
            self.chosen = str(tag)
            self.accept()


class NotesDialog(QDialog):
    """The event's notes, oldest first, and a box for a new one (Ctrl+Return adds it).

    Selecting a note loads it for editing (Save replaces it); Delete removes the
    selected note. Each change is its own undo step, made through `put`."""

    def __init__(
        self,
        title: str,
        notes: Sequence[Note],
        author: str,
        put: Callable[[str | None, str], bool],
        remove: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Notes — {shown(title)}")
        self.setObjectName("notes-dialog")
        self.setAccessibleName("Notes")
        self.resize(520, 460)
        self._put, self._remove = put, remove
        self._editing: str | None = None
        self._notes = list(notes)
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Notes on this event")
        self.list.setWordWrap(True)
        self.author = QLabel(f"Writing as {shown(author)} (Annotate › Note Author… changes it)")
        self.author.setTextFormat(Qt.TextFormat.PlainText)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Note text")
        self.editor.setPlaceholderText("Write a note (plain text)…")
        self.editor.setTabChangesFocus(True)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Add Note")
        self.delete_button = QPushButton("&Delete Note")
        self.close_button = QPushButton("Close")
        for button in (self.save_button, self.delete_button, self.close_button):
            buttons.addWidget(button)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.author)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete_selected)
        self.close_button.clicked.connect(self.accept)
        self.list.currentRowChanged.connect(self._load)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.save)
        self._fill()
        self.editor.setFocus()

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for note in self._notes:
            item = QListWidgetItem(f"{note_heading(note)}\n{shown(note.text)}")
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            self.list.addItem(item)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.delete_button.setEnabled(False)

    def set_notes(self, notes: Sequence[Note]) -> None:
        self._notes = list(notes)
        self._editing = None
        self.save_button.setText("&Add Note")
        self._fill()

    def _load(self, row: int) -> None:
        if 0 <= row < len(self._notes):
            note = self._notes[row]
            self._editing = note.id
            self.editor.setPlainText(note.text)
            self.save_button.setText("&Save Note")
            self.delete_button.setEnabled(True)

    def save(self) -> None:
        text = self.editor.toPlainText()
        if text.strip() and self._put(self._editing, text):
            self.editor.clear()

    def delete_selected(self) -> None:
        if self._editing is not None and self._remove(self._editing):
            self.editor.clear()
