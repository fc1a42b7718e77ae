"""The main window: timeline in the centre, actors on the left, the event on the right.

A window is opened on a `TimelineQueries` backend (or a Document, which it wraps in
the in-memory backend): every view asks the backend through the shared ViewState.
A backend that is not in memory (DuckDB over Parquet, a SQL engine) is put behind
`PrefetchingQueries`, so frames never wait for it. Edits go through the backend's
`apply` wherever it `can_edit` (in memory, or out of core into its overlay); what
needs the document's own tables (publishing, the brief) exists only in memory.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QInputDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from explorer.engines.memory import MemoryBackend
from explorer.engines.prefetch import PrefetchingQueries
from explorer.io.errors import WriteError
from explorer.model import zones
from explorer.model.document import Document
from explorer.model.query import TimelineQueries
from explorer.model.store import EventStore
from explorer.ui import export, gui_gc, settings, view_snapshot
from explorer.ui.actions import ACTIONS, build_actions
from explorer.ui.actor_panel import ActorPanel
from explorer.ui.annotating import AnnotationController
from explorer.ui.detail_view import DetailView
from explorer.ui.display_text import button_text
from explorer.ui.document_session import DocumentSession
from explorer.ui.editing import EditController
from explorer.ui.event_table import EventTable
from explorer.ui.export_dialog import ExportViewDialog
from explorer.ui.import_flow import ImportController
from explorer.ui.large_file import LargeFileOpener
from explorer.ui.messages import plain
from explorer.ui.nav_history import NavigationHistory
from explorer.ui.notes_bar import NotesBar
from explorer.ui.open_large import OutOfCoreOpener
from explorer.ui.palette import CommandPalette, ShortcutSheet
from explorer.ui.periods_panel import PeriodsPanel
from explorer.ui.publish import PublishController
from explorer.ui.saved_views import SavedViews, ViewsPanel
from explorer.ui.search_bar import SearchBar
from explorer.ui.timeline import TimelineWidget
from explorer.ui.view_state import ViewState
from explorer.ui.word_docks import WordDocks
from explorer.ui.zone_dialog import ZoneDialog

# A visible focus frame on every panel, so keyboard users always know where they are.
FOCUS_FRAME = """
QAbstractItemView:focus, QLineEdit:focus, QScrollArea#detail-view:focus {
    border: 2px solid #2e6fd8;
}
"""


class OutOfCoreError(RuntimeError):
    """Something that needs the document's own tables, asked of a window whose
    backend is out of core (its actions are disabled: reaching this is a bug)."""


class _FrameReady(QObject):
    """A prefetched frame answer arrived (on the worker thread): repaint, on ours."""

    ready = Signal()


def backend_of(source: Document | TimelineQueries) -> TimelineQueries:
    """The backend a window asks: a Document in memory, or any TimelineQueries."""
    return MemoryBackend(EventStore(source)) if isinstance(source, Document) else source


def close_backend(queries: TimelineQueries) -> None:
    """Stop a prefetch worker and close an engine's connection (if they have them)."""
    for part in (queries, getattr(queries, "inner", None)):
        close = getattr(part, "close", None)
        if callable(close):
            close()


class MainWindow(QMainWindow):
    def __init__(
        self,
        document: Document | TimelineQueries,
        path: Path | None = None,
        *,
        imported: bool = False,
        render_only: bool = False,
    ) -> None:
        super().__init__()
        gui_gc.install()
        self.setObjectName("main-window")
        self._frame_ready = _FrameReady(self)
        self.state = ViewState(self._front(backend_of(document)), self)
        self.timeline = TimelineWidget(self.state, self)
        self._frame_ready.ready.connect(self.timeline.update)
        self.table = EventTable(self.state, self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("centre-splitter")
        splitter.addWidget(self.timeline)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.notes_bar = NotesBar(self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(2)
        centre_layout.addWidget(self.notes_bar)
        centre_layout.addWidget(splitter, 1)
        self.setCentralWidget(centre)
        self.search = SearchBar(self.state, self)
        toolbar = QToolBar("Search", self)
        toolbar.setObjectName("search-toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.search)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.actor_panel = ActorPanel(self.state, self)
        self.detail = DetailView(self.state, self)
        self.actor_panel.lane_requested.connect(self.timeline.go_to_lane)
        self.detail.actor_activated.connect(self._actor_from_detail)
        self._docks = [
            self._dock(self.actor_panel, "Actors", Qt.DockWidgetArea.LeftDockWidgetArea),
            self._dock(self.detail, "Event", Qt.DockWidgetArea.RightDockWidgetArea),
        ]
        self._docks_sized = False
        self.word = WordDocks(self, (self._docks[0], self._docks[1]))
        # Saved views and the navigation history (issue 13); --tz pins the zone.
        self.zone_override: zones.DisplayZone | None = None
        self.saved_views = SavedViews(self)
        self.navigation = NavigationHistory(self.state, self.timeline.set_viewport, self)
        self.state.zone_changed.connect(self._on_zone)
        self.timeline.activated.connect(self.show_detail)
        self.editor = EditController(self.state, self)
        self.history = QUndoView(self.editor.stack)
        self.history.setObjectName("undo-history")
        self.history.setAccessibleName("Undo history")
        self.history.setEmptyLabel("Opened file")
        self._history_dock = self._dock(
            self.history, "History", Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._history_dock.hide()
        self.periods = PeriodsPanel(self.state, self.editor, self)
        self.periods.jump_requested.connect(self.timeline.zoom_to_span)
        self._periods_dock = self._dock(
            self.periods, "Periods", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.periods.dock_wanted.connect(self._periods_dock.setVisible)
        self._periods_dock.setVisible(bool(len(self.state.queries.periods())))
        self.editor.stack.cleanChanged.connect(lambda clean: self.setWindowModified(not clean))
        self.detail.edit_requested.connect(self.editor.edit_event)
        self.timeline.move_requested.connect(self.editor.move_event)
        # render_only: a headless screenshot reads the file and never locks it.
        self.session = DocumentSession(self, path, imported=imported, render_only=render_only)
        self.session.changed.connect(self._update_title)
        self.importer = ImportController(self, self.session.adopt, self.open_out_of_core)
        self.large_files = LargeFileOpener(self, self.importer.open_paths)
        self.actor_panel.use_default_order(authored=self.session.imported_from is None)
        self.actor_panel.escape_pressed.connect(self.focus_timeline)
        self.table.escape_pressed.connect(self.focus_timeline)
        self.publisher = PublishController(self)
        self.annotator = AnnotationController(self.state, self.editor.stack, self)
        self.actions_by_id: dict[str, QAction] = build_actions(
            self,
            {
                "window": self,
                "timeline": self.timeline,
                "editor": self.editor,
                "session": self.session,
                "publish": self.publisher,
                "annotate": self.annotator,
                "periods": self.periods,
                "word": self.word,
            },
            {
                "window": self,
                "timeline": self.timeline,
                "editor": self,
                "session": self,
                "publish": self,
                "annotate": self,
                "periods": self,
                "word": self,
            },
        )
        self.annotator.name_quick_tags(self.actions_by_id)
        self._build_menus()
        self.views_panel = ViewsPanel(self.saved_views, self)
        self.views_panel.restore_requested.connect(self.restore_saved_view)
        self.views_panel.save_requested.connect(self.save_named_view)
        self._views_dock = self._dock(
            self.views_panel, "Views", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self._views_dock.hide()
        self.navigation.changed.connect(self._update_navigation)
        self._update_navigation()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # the mouse's back and forward buttons
        self._set_tab_order()
        self.statusBar().showMessage(self._summary())
        self.state.filter_changed.connect(lambda: self.statusBar().showMessage(self._summary()))
        self._build_recent_menu()
        self._update_title()
        self.setStyleSheet(FOCUS_FRAME)
        self.resize(QSize(1400, 860))
        self.timeline.setFocus()
        self.session.start()
        self._apply_capabilities()

    # --- the backend ------------------------------------------------------------------

    def _front(self, queries: TimelineQueries) -> TimelineQueries:
        """In memory, the backend as it is; any other behind a prefetching front whose
        answers arrive on a worker thread and repaint the timeline on this one."""
        if isinstance(queries, MemoryBackend | PrefetchingQueries):
            return queries
        return PrefetchingQueries(queries, on_ready=self._frame_ready.ready.emit)

    def settle(self, timeout: float = 30.0) -> None:
        """Every frame question answered and painted (before a headless render or a
        test's look): an out-of-core backend answers on a worker thread, and one
        frame's answers can lead to the next questions (marks once counts are in)."""
        wait = getattr(self.state.queries, "wait_idle", None)
        QApplication.processEvents()  # layouts and resizes first: they move the frame
        for _ in range(4 if callable(wait) else 1):
            self.timeline.repaint()
            if callable(wait):
                wait(timeout)
            QApplication.processEvents()
        self.timeline.repaint()

    @property
    def queries(self) -> TimelineQueries:
        return self.state.queries

    @property
    def store(self) -> EventStore:
        """The in-memory document's store (saving, edit forms, publishing)."""
        if self.state.store is None:
            raise OutOfCoreError("this document is out of core: it has no in-memory tables")
        return self.state.store

    @property
    def in_memory(self) -> bool:
        return self.state.store is not None

    def use_backend(self, source: Document | TimelineQueries) -> None:
        """Show another document (or the same one through another engine) in this
        window: every view starts over on it; the old backend is closed."""
        old = self.state.queries
        self.state.set_backend(self._front(backend_of(source)))
        if old is not self.state.queries:
            close_backend(old)
        self._apply_capabilities()

    def open_out_of_core(self, path: Path) -> None:
        """Open a large Parquet file through DuckDB: the index is built (first time) on
        a worker thread with progress and Cancel; then this window shows it."""
        if not self.session.maybe_save():
            return
        opener = OutOfCoreOpener(path, self)
        self.opener = opener
        opener.opened.connect(lambda backend: self.session.adopt_backend(backend, path))
        opener.failed.connect(
            lambda message: QMessageBox.warning(self, "Cannot open", plain(message))
        )
        opener.start()

    def _apply_capabilities(self) -> None:
        """Out of core, the actions that need the document's tables are disabled."""
        self.set_read_only(self.session.read_only)
        for action_id, action in self.actions_by_id.items():
            spec_scope = next(spec.scope for spec in ACTIONS if spec.id == action_id)
            if spec_scope == "publish":
                action.setEnabled(self.in_memory)

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
            # The timeline gets the room; docks start at a readable width. The last view
            # of this document comes back once the layout has settled.
            self._docks_sized = True
            self.resizeDocks(self._docks, [390, 310], Qt.Orientation.Horizontal)
            QTimer.singleShot(0, self.session.restore_view)
            if QGuiApplication.platformName() not in ("offscreen", "minimal"):
                # A crashed session's unsaved edits are offered back on a real screen
                # (never while rendering a screenshot, where nobody could answer).
                QTimer.singleShot(0, self.session.offer_recovery)

    def _build_menus(self) -> None:
        menus: dict[str, object] = {}
        for item in ACTIONS:
            if item.menu is None or item.id not in self.actions_by_id:
                continue
            if item.menu not in menus:
                menus[item.menu] = self.menuBar().addMenu(item.menu)
            menus[item.menu].addAction(self.actions_by_id[item.id])  # type: ignore[attr-defined]

    def _build_recent_menu(self) -> None:
        file_menu = next(
            (m for m in self.menuBar().findChildren(QMenu) if m.title() == "&File"), None
        )
        if file_menu is None:
            return
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.setObjectName("recent-menu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.insertMenu(self.actions_by_id["file.save"], self.recent_menu)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = settings.recent_files()
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number % 10} {button_text(path.name)}")
            action.setToolTip(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.importer.open_paths([p]))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear Recent Files", settings.clear_recent)

    def _summary(self) -> str:
        q = self.state.queries
        shown = q.event_count(self.state.filter)
        total = q.event_count()
        actors = len(self.state.actors)
        engine = ""
        if not self.in_memory:
            overlay = q.edit_overlay()
            engine = " · out of core, read-only"
            if overlay is not None:
                engine = f" · out of core, edits kept in {overlay.location.name}"
        return f"{shown:,} of {total:,} events · {actors:,} actors{engine}"

    @property
    def path(self) -> Path | None:
        return self.session.path

    def _update_title(self) -> None:
        # "[*]" is where Qt shows the modified mark, driven by the undo stack's clean state.
        name = self.session.display_name() + "[*]"
        title = self.state.queries.title()
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

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.search.focus_search()

    def find_next(self) -> None:
        self.search.jump(1)

    def find_previous(self) -> None:
        self.search.jump(-1)

    def ask_date_range(self) -> None:
        self.search.ask_date_range()

    def ask_known_by(self) -> None:
        self.search.ask_known_by()

    def clear_filters(self) -> None:
        self.search.clear_all()

    def solo_actor(self) -> None:
        actor = self.actor_panel.current_actor()
        if actor is not None:
            self.state.solo_actor(actor)

    def show_all_actors(self) -> None:
        self.state.show_all_actors()

    def panels(self) -> list[QWidget]:
        """The panels F6 cycles through, in reading order."""
        return [self.search.field, self.actor_panel.view, self.timeline, self.table, self.detail]

    def _set_tab_order(self) -> None:
        """Tab visits the panels in reading order: search, actors (find, then list),
        timeline, table, then the detail view's buttons, and back to the search."""
        chain: list[QWidget] = [
            *self.search.tab_chain(),
            self.actor_panel.find_field,
            self.actor_panel.view,
            self.timeline,
            self.table,
            self.detail,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _cycle(self, step: int) -> None:
        panels = self.panels()
        focus = QApplication.focusWidget()
        current = next(
            (
                i
                for i, w in enumerate(panels)
                if focus is not None and (w is focus or w.isAncestorOf(focus))
            ),
            -1,
        )
        panels[(current + step) % len(panels)].setFocus(Qt.FocusReason.TabFocusReason)

    def next_panel(self) -> None:
        self._cycle(1)

    def previous_panel(self) -> None:
        self._cycle(-1)

    def show_palette(self) -> None:
        views = {
            f"saved-view:{i}": (f"Show Saved View: {name}", lambda i=i: self.restore_saved_view(i))
            for i, name in enumerate(self.saved_views.names())
        }
        self.palette_dialog = CommandPalette(self.actions_by_id, self, extra=views)
        self.palette_dialog.open()

    def show_shortcuts(self) -> None:
        self.shortcut_sheet = ShortcutSheet(self)
        self.shortcut_sheet.open()

    def _actor_from_detail(self, actor_id: str) -> None:
        self.actor_panel.select_actor(actor_id)
        self.actor_panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_file(self) -> None:
        """Pick files of any supported format; they open off the GUI thread, with
        progress and Cancel, and several at once merge into one document."""
        self.importer.choose_and_open()

    def open_large_file(self) -> None:
        """Stream a file too large for memory into Parquet (worker thread, progress,
        Cancel), then open the result."""
        self.large_files.choose_and_convert()

    def connect_source(self) -> None:
        """File > Connect to Database: a table in a SQL engine, through the mapping step."""
        from explorer.ui.connect_dialog import ConnectDialog

        if not self.session.maybe_save():  # the table replaces this document
            return
        self.connect_dialog = ConnectDialog(self)
        self.connect_dialog.opened.connect(self.open_source)
        self.connect_dialog.open()

    def open_source(self, backend: object) -> None:
        """Show a SQL engine's table in this window (through the window's backend seam)."""
        use = getattr(self, "use_backend", None)
        if use is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(
                self,
                "Connect to Database",
                "Connected, but this build's views read the document directly; a window on "
                "a database table needs the views on the query interface (issue 9).",
            )
            close = getattr(backend, "close", None)
            if close is not None:
                close()
            return
        self.session.adopt_backend(cast(TimelineQueries, backend), None)

    @property
    def can_edit(self) -> bool:
        """Whether the backend takes edits (in memory, or through an overlay over
        Parquet or a shared table; a bare SqlBackend does not)."""
        return self.state.queries.can_edit

    def set_read_only(self, read_only: bool) -> None:
        """Someone else has the file: look, search, export, Save As; no edits. (So is a
        backend that takes no edits: `TimelineQueries.can_edit`.)"""
        read_only = read_only or not self.can_edit
        for action_id, action in self.actions_by_id.items():
            spec_scope = next(spec.scope for spec in ACTIONS if spec.id == action_id)
            if spec_scope == "editor" or action_id.startswith("annotate."):
                action.setEnabled(not read_only)
        self.timeline.editable = not read_only
        self.detail.set_editable(not read_only)
        self._update_title()

    def toggle_history(self) -> None:
        self._history_dock.setVisible(not self._history_dock.isVisible())
        if self._history_dock.isVisible():
            self.history.setFocus()

    def export_view(self) -> None:
        suggested = self.session.suggested_path()
        dialog = ExportViewDialog(
            self.timeline.size(), suggested.with_name(f"{suggested.name.split('.')[0]}.png"), self
        )
        if dialog.exec() != ExportViewDialog.DialogCode.Accepted:
            return
        try:
            export.export_view(self.timeline, dialog.path, dialog.size, self.export_heading())
        except (OSError, ValueError, WriteError) as exc:
            QMessageBox.critical(self, "Export failed", plain(str(exc)))
            return
        self.statusBar().showMessage(f"Exported the view to {dialog.path}", 5000)

    def export_heading(self) -> export.Heading:
        zone = self.state.zone
        return export.Heading(
            self.state.queries.title(),
            self.search.filter_summary(),
            "" if zone.is_utc else zone.name,
        )

    # --- display time zone, saved views, back and forward (issue 13) -------------------

    def set_zone(self, zone: zones.DisplayZone) -> None:
        self.zone_override = None  # the user's own choice from now on
        self.state.set_zone(zone)

    def _on_zone(self) -> None:
        self.statusBar().showMessage(f"Times shown in {self.state.zone.name}", 5000)

    def choose_zone(self) -> None:
        self.zone_dialog = ZoneDialog(self.state.zone, self)
        self.zone_dialog.accepted.connect(self._zone_chosen)
        self.zone_dialog.open()

    def _zone_chosen(self) -> None:
        if self.zone_dialog.chosen is not None:
            self.set_zone(self.zone_dialog.chosen)

    def zone_utc(self) -> None:
        self.set_zone(zones.UTC_ZONE)

    def zone_local(self) -> None:
        self.set_zone(zones.zone(zones.LOCAL_KEY))

    def save_named_view(self) -> None:
        default = f"View {len(self.saved_views.views) + 1}"
        name, ok = QInputDialog.getText(self, "Save View", "Name this view:", text=default)
        if ok:
            self.save_view_as(name)

    def save_view_as(self, name: str) -> str:
        saved = self.saved_views.add(name, view_snapshot.capture(self.state))
        self._views_dock.show()
        self.statusBar().showMessage(f"Saved the view as “{saved}”", 5000)
        return saved

    def restore_saved_view(self, index: int) -> None:
        if not 0 <= index < len(self.saved_views.views):
            return
        saved = self.saved_views.views[index]
        try:
            view_snapshot.apply(self.state, saved.view, self.timeline.set_viewport)
        except (KeyError, TypeError, ValueError, IndexError):
            self.statusBar().showMessage(f"The view “{saved.name}” could not be read", 5000)
            return
        self.statusBar().showMessage(f"Showing the view “{saved.name}”", 5000)

    def show_views_panel(self) -> None:
        self._views_dock.show()
        self._views_dock.raise_()
        self.views_panel.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def go_back(self) -> None:
        self.navigation.back()

    def go_forward(self) -> None:
        self.navigation.forward()

    def _update_navigation(self) -> None:
        self.actions_by_id["go.back"].setEnabled(self.navigation.can_back())
        self.actions_by_id["go.forward"].setEnabled(self.navigation.can_forward())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            button = event.button()
            if button in (Qt.MouseButton.BackButton, Qt.MouseButton.ForwardButton) and (
                isinstance(watched, QWidget) and watched.window() is self
            ):
                self.go_back() if button == Qt.MouseButton.BackButton else self.go_forward()
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.session.close():
            event.ignore()
            return
        self.importer.shutdown()
        self.large_files.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.table.stop_following()
        close_backend(self.state.queries)
        super().closeEvent(event)
