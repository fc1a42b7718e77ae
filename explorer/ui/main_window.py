"""The main window: timeline in the centre, actors on the left, the event on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from explorer.io.errors import ReadError, WriteError
from explorer.io.native import read_native, write_native
from explorer.model.document import Document
from explorer.model.store import EventStore
from explorer.ui import export
from explorer.ui.actions import ACTIONS, build_actions
from explorer.ui.actor_panel import ActorPanel
from explorer.ui.detail_view import DetailView
from explorer.ui.export_dialog import ExportViewDialog
from explorer.ui.timeline import TimelineWidget
from explorer.ui.view_state import ViewState


class MainWindow(QMainWindow):
    def __init__(self, document: Document, path: Path | None = None) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.store = EventStore(document)
        self.state = ViewState(self.store, self)
        self.path = path
        self.timeline = TimelineWidget(self.state, self)
        self.setCentralWidget(self.timeline)
        self.actor_panel = ActorPanel(self.state, self)
        self.detail = DetailView(self.state, self)
        self._docks = [
            self._dock(self.actor_panel, "Actors", Qt.DockWidgetArea.LeftDockWidgetArea),
            self._dock(self.detail, "Event", Qt.DockWidgetArea.RightDockWidgetArea),
        ]
        self._docks_sized = False
        self.timeline.activated.connect(self.show_detail)
        self.actions_by_id: dict[str, QAction] = build_actions(
            self,
            {"window": self, "timeline": self.timeline},
            {"window": self, "timeline": self.timeline},
        )
        self._build_menus()
        self.statusBar().showMessage(self._summary())
        self.state.filter_changed.connect(lambda: self.statusBar().showMessage(self._summary()))
        self._update_title()
        self.resize(QSize(1400, 860))
        self.timeline.setFocus()

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        widget.setMinimumWidth(220)
        return dock

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._docks_sized:
            # The timeline gets the room; docks start at a readable width.
            self._docks_sized = True
            self.resizeDocks(self._docks, [330, 330], Qt.Orientation.Horizontal)

    def _build_menus(self) -> None:
        menus: dict[str, object] = {}
        for item in ACTIONS:
            if item.menu is None or item.id not in self.actions_by_id:
                continue
            if item.menu not in menus:
                menus[item.menu] = self.menuBar().addMenu(item.menu)
            menus[item.menu].addAction(self.actions_by_id[item.id])  # type: ignore[attr-defined]

    def _summary(self) -> str:
        shown = int(self.state.mask.sum())
        total = self.store.n
        actors = len(self.store.actor_index)
        return f"{shown:,} of {total:,} events · {actors:,} actors"

    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled"
        title = self.store.document.title
        self.setWindowTitle(
            f"{title} — {name} — Timeline Explorer" if title else f"{name} — Timeline Explorer"
        )

    # --- actions (handlers named in the actions table) ------------------------------

    def show_detail(self, row: int | None = None) -> None:
        self.detail.show_event(self.state.selected if row is None else row)
        dock = self.detail.parentWidget()
        if dock is not None:
            dock.raise_()

    def focus_timeline(self) -> None:
        self.timeline.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_actors(self) -> None:
        self.actor_panel.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_detail(self) -> None:
        self.detail.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Open timeline",
            str(self.path.parent if self.path else Path.home()),
            "Timeline Explorer (*.json);;All files (*)",
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> bool:
        """Open a file; on failure the open document stays exactly as it was."""
        try:
            document = read_native(path)
        except ReadError as exc:
            QMessageBox.warning(self, "Cannot open file", str(exc))
            return False
        self.path = path
        self.store.replace(document)
        self._update_title()
        return True

    def save_as(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Save timeline as",
            str(self.path or Path.home() / "timeline.json"),
            "Timeline Explorer (*.json)",
        )
        if not name:
            return
        try:
            write_native(self.store.document, name)
        except WriteError as exc:
            QMessageBox.critical(self, "Save failed", f"The file was not saved.\n\n{exc}")
            return
        self.path = Path(name)
        self._update_title()

    def export_view(self) -> None:
        folder = self.path.parent if self.path and self.path.parent.is_dir() else Path.home()
        dialog = ExportViewDialog(self.timeline.size(), folder / "timeline.png", self)
        if dialog.exec() != ExportViewDialog.DialogCode.Accepted:
            return
        try:
            export.export_view(self.timeline, dialog.path, dialog.size)
        except (OSError, ValueError, WriteError) as exc:
            QMessageBox.critical(self, "Export failed", str(exc))
            return
        self.statusBar().showMessage(f"Exported the view to {dialog.path}", 5000)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
