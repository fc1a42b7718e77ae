"""The web of actors and the sources panel as docks of the main window, and their actions.

Kept out of main_window.py so the window only creates this controller: it adds the
two docks (the web tabbed with the event detail, the sources with the actors) and
handles the actions of scope "word" in the action table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QWidget

from explorer.io.errors import WriteError
from explorer.ui.actor_web import ActorWeb
from explorer.ui.messages import plain
from explorer.ui.sources_panel import SourcesPanel


class _Window(Protocol):
    """What the controller needs of the main window."""

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget: ...
    def focus_timeline(self) -> None: ...


class WordDocks(QObject):
    """Creates the two docks and answers their actions."""

    def __init__(self, window: QMainWindow, anchors: tuple[QDockWidget, QDockWidget]) -> None:
        super().__init__(window)
        self.window = window
        state = window.state  # type: ignore[attr-defined]
        self.web = ActorWeb(state, window)
        self.sources = SourcesPanel(state, window)
        make: _Window = window  # type: ignore[assignment]
        self.web_dock = make._dock(self.web, "Web", Qt.DockWidgetArea.RightDockWidgetArea)
        self.sources_dock = make._dock(
            self.sources, "Sources", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.web_dock.setWindowTitle("Web of actors")
        actors, detail = anchors
        window.tabifyDockWidget(actors, self.sources_dock)
        window.tabifyDockWidget(detail, self.web_dock)
        actors.raise_()
        detail.raise_()
        self.sources_dock.visibilityChanged.connect(self.sources.set_shown)
        self.web_dock.visibilityChanged.connect(self.web.set_shown)
        self.web.actor_chosen.connect(self._actor_chosen)
        self.web.escape_pressed.connect(make.focus_timeline)
        self.sources.escape_pressed.connect(make.focus_timeline)

    def _actor_chosen(self, actor_id: str) -> None:
        """A node chosen in the web selects the actor as the actor panel does: current
        in the panel, its lane brought into view."""
        panel = self.window.actor_panel  # type: ignore[attr-defined]
        panel.select_actor(actor_id)
        row = self.web.ids.index(actor_id) if actor_id in self.web.ids else -1
        if row >= 0:
            self.window.timeline.go_to_lane(row)  # type: ignore[attr-defined]
        self.web.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions (handlers named in the action table) -------------------------------

    def show_web(self) -> None:
        self.web_dock.show()
        self.web_dock.raise_()
        self.web.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_sources(self) -> None:
        self.sources_dock.show()
        self.sources_dock.raise_()
        self.sources.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def export_web(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Export Web of Actors", "web-of-actors.png", "PNG (*.png);;SVG (*.svg)"
        )
        if not name:
            return
        try:
            self.web.export(Path(name))
        except (OSError, ValueError, WriteError) as exc:
            QMessageBox.critical(self.window, "Export failed", plain(str(exc)))
            return
        self.window.statusBar().showMessage(f"Exported the web of actors to {name}", 5000)
