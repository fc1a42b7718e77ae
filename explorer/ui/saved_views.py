"""Named views of a document, and the dock that lists them.

A saved view is a view snapshot (filter, range, hidden lanes, lane grouping, time zone)
under a name the analyst gives it ("Bloomberg claim, week 1"). They are kept with the
document's other view settings; the dock is usable from the keyboard: Enter shows the
view, F2 renames it, Delete removes it, Ctrl+Shift+D saves the current view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.ui.actions import shortcut_text, spec
from explorer.ui.display_text import shown

MAX_SAVED_VIEWS: Final = 200
MAX_NAME_CHARS: Final = 200


@dataclass
class SavedView:
    name: str
    view: dict[str, Any] = field(default_factory=dict)


def clean_name(text: str) -> str:
    """One line, no control characters, bounded: names come from users and files."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(flat.split())[:MAX_NAME_CHARS]


class SavedViews(QObject):
    """The document's named views, in the order they were saved."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.views: list[SavedView] = []

    def names(self) -> list[str]:
        return [v.name for v in self.views]

    def add(self, name: str, view: dict[str, Any]) -> str:
        """Save `view` as `name` (replacing a view of that name). Returns the name used."""
        name = clean_name(name) or f"View {len(self.views) + 1}"
        self.views = [v for v in self.views if v.name != name]
        self.views.append(SavedView(name, dict(view)))
        del self.views[:-MAX_SAVED_VIEWS]
        self.changed.emit()
        return name

    def rename(self, index: int, name: str) -> None:
        name = clean_name(name)
        if not name or not 0 <= index < len(self.views):
            return
        target = self.views[index]
        self.views = [v for v in self.views if v is target or v.name != name]
        target.name = name
        self.changed.emit()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.views):
            del self.views[index]
            self.changed.emit()

    def to_data(self) -> list[dict[str, Any]]:
        return [{"name": v.name, "view": v.view} for v in self.views]

    def load_data(self, data: object) -> None:
        """Views as stored; anything that is not a named view is left out."""
        views: list[SavedView] = []
        if isinstance(data, list):
            for entry in data[:MAX_SAVED_VIEWS]:
                if isinstance(entry, dict) and isinstance(entry.get("view"), dict):
                    name = clean_name(str(entry.get("name", "")))
                    if name:
                        views.append(SavedView(name, entry["view"]))
        self.views = views
        self.changed.emit()


class ViewsPanel(QWidget):
    """The saved views of the document: Enter (or a double click) shows one."""

    restore_requested = Signal(int)
    save_requested = Signal()

    def __init__(self, views: SavedViews, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("views-panel")
        self.views = views
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget(self)
        self.list.setObjectName("views-list")
        self.list.setAccessibleName("Saved views")
        self.list.installEventFilter(self)
        self.list.itemActivated.connect(
            lambda item: self.restore_requested.emit(self.list.row(item))
        )
        self.empty = QLabel("No saved views yet.")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        buttons = QHBoxLayout()
        keys = shortcut_text(spec("view.save_view"))
        self.save_button = QPushButton(f"Save current view…  ({keys})" if keys else "Save view…")
        self.save_button.setObjectName("views-save")
        self.save_button.clicked.connect(self.save_requested.emit)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        hint = QLabel("Enter: show · F2: rename · Delete: remove")
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setObjectName("views-hint")
        layout.addWidget(hint)
        self.setFocusProxy(self.list)
        views.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        current = self.list.currentRow()
        self.list.clear()
        for view in self.views.views:
            item = QListWidgetItem(shown(view.name, lines=False))
            item.setToolTip(view.name)
            self.list.addItem(item)
        self.empty.setVisible(not self.views.views)
        if self.list.count():
            self.list.setCurrentRow(min(max(current, 0), self.list.count() - 1))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # F2 and Delete edit events window-wide; in this list they rename and remove views.
        if watched is self.list and event.type() in (
            QEvent.Type.ShortcutOverride,
            QEvent.Type.KeyPress,
        ):
            assert isinstance(event, QKeyEvent)
            row = self.list.currentRow()
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_F2) and row >= 0:
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()
                    return True
                if event.key() == Qt.Key.Key_Delete:
                    self.views.remove(row)
                else:
                    self.rename(row)
                return True
        return super().eventFilter(watched, event)

    def rename(self, row: int) -> None:
        name, ok = QInputDialog.getText(
            self, "Rename View", "Name:", text=self.views.views[row].name
        )
        if ok:
            self.views.rename(row, name)
