"""Choosing the display time zone: type any part of a name, arrows to move, Enter to choose."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.model import zones
from explorer.model.zones import DisplayZone

KEY_ROLE = Qt.ItemDataRole.UserRole


class ZoneDialog(QDialog):
    """UTC and the computer's zone first, then every IANA zone tzdata knows."""

    def __init__(self, current: DisplayZone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Time Zone")
        self.setObjectName("zone-dialog")
        self.setAccessibleName("Choose the display time zone")
        self.resize(420, 460)
        self.chosen: DisplayZone | None = None
        layout = QVBoxLayout(self)
        note = QLabel(
            "Times of day are shown in this zone, with its offset. Stored times stay UTC; "
            "dates known only to the day, month or year are never shifted."
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        self.field = QLineEdit()
        self.field.setObjectName("zone-filter")
        self.field.setPlaceholderText("Type a zone or city, e.g. new york, kolkata, utc…")
        self.field.setAccessibleName("Zone name")
        self.field.installEventFilter(self)
        self.list = QListWidget()
        self.list.setObjectName("zone-list")
        self.list.setAccessibleName("Matching time zones")
        layout.addWidget(note)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        local = zones.zone(zones.LOCAL_KEY)
        self._entries = [
            ("UTC", zones.UTC_KEY),
            (f"This computer's zone: {local.name.removeprefix('Local (').rstrip(')')}", "local"),
            *((name, name) for name in zones.zone_names() if name != "UTC"),
        ]
        self._current = current.key
        self.field.textChanged.connect(self._filter)
        self.list.itemActivated.connect(self._choose)
        self._filter("")

    def _filter(self, text: str) -> None:
        """Every word must match; a city that starts with what was typed comes first
        ("pago pago" is Pacific/Pago_Pago before Pacific/Galapagos)."""
        phrase = " ".join(text.lower().replace("_", " ").split())
        words = phrase.split()
        found: list[tuple[int, int, str, str]] = []
        for order, (title, key) in enumerate(self._entries):
            haystack = f"{title} {key}".lower().replace("_", " ")
            if all(w in haystack for w in words):
                city = key.rsplit("/", 1)[-1].lower().replace("_", " ")
                rank = 0 if city.startswith(phrase) else 1 if phrase in haystack else 2
                found.append((rank if words else 0, order, title, key))
        self.list.clear()
        for _rank, _order, title, key in sorted(found):
            item = QListWidgetItem(title)
            item.setData(KEY_ROLE, key)
            self.list.addItem(item)
            if key == self._current and not words:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.list.keyPressEvent(event)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._choose(item)
                return True
        return super().eventFilter(watched, event)

    def keys(self) -> list[str]:
        """The zone keys listed now, in order (what a screen reader walks)."""
        return [str(self.list.item(i).data(KEY_ROLE)) for i in range(self.list.count())]

    def _choose(self, item: QListWidgetItem) -> None:
        try:
            self.chosen = zones.zone(str(item.data(KEY_ROLE)))
        except zones.ZoneError:
            return
        self.accept()
