"""The command palette and the shortcut sheet, both generated from the action table."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.ui.actions import ACTIONS, shortcut_text
from explorer.ui.actions import spec as spec_of


def _plain(title: str) -> str:
    return title.replace("&", "").replace("…", "")


class CommandPalette(QDialog):
    """Type to find any action by its words; Enter runs it."""

    def __init__(
        self,
        actions: Mapping[str, QAction],
        parent: QWidget | None = None,
        extra: Mapping[str, tuple[str, Callable[[], None]]] | None = None,
    ) -> None:
        super().__init__(parent)
        # Commands that are not actions (a document's saved views): id -> (title, run).
        self._extra = dict(extra or {})
        self.setWindowTitle("Command Palette")
        self.setObjectName("command-palette")
        self.setAccessibleName("Command palette")
        self.resize(520, 420)
        self._actions = actions
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Type a command…")
        self.field.setAccessibleName("Command")
        self.field.installEventFilter(self)
        self.list = QListWidget()
        self.list.setAccessibleName("Matching commands")
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self.field.textChanged.connect(self._filter)
        self.list.itemActivated.connect(self._run)
        self._filter("")

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        self.list.clear()
        for spec in ACTIONS:
            action = self._actions.get(spec.id)
            if action is None or not action.isEnabled():
                continue
            title = _plain(action.text())
            haystack = f"{title} {spec.menu or ''} {spec.id}".lower().replace("&", "")
            if all(word in haystack for word in words):
                keys = shortcut_text(spec)
                item = QListWidgetItem(f"{title}    {keys}" if keys else title)
                item.setData(Qt.ItemDataRole.UserRole, spec.id)
                self.list.addItem(item)
        for key, (title, _run) in self._extra.items():
            if all(word in title.lower() for word in words):
                item = QListWidgetItem(title)
                item.setData(Qt.ItemDataRole.UserRole, key)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._run(item)
                return True
        return super().eventFilter(watched, event)

    def matches(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())
        ]

    def _run(self, item: QListWidgetItem) -> None:
        action_id = str(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
        if action_id in self._extra:
            self._extra[action_id][1]()
        else:
            self._actions[action_id].trigger()


class ShortcutSheet(QDialog):
    """Every action with its keys, by menu: the help a keyboard user needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcut-sheet")
        self.resize(560, 620)
        layout = QVBoxLayout(self)
        focus = shortcut_text(spec_of("view.focus_timeline"))
        panels = shortcut_text(spec_of("view.next_panel"))
        intro = QLabel(
            f"Timeline keys work when the timeline has focus ({focus}). "
            f"Tab and {panels} move between panels."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        rows = [spec for spec in ACTIONS if spec.shortcuts]
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Shortcuts")
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, spec in enumerate(rows):
            for column, text in enumerate(
                (_plain(spec.menu or ""), _plain(spec.title), shortcut_text(spec))
            ):
                self.table.setItem(i, column, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)

    def text(self) -> str:
        return "\n".join(
            " | ".join((item.text() if (item := self.table.item(r, c)) else "") for c in range(3))
            for r in range(self.table.rowCount())
        )
