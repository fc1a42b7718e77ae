"""The open document's life: open, save, close, and never losing an analyst's work.

It owns what is true of the file rather than of the view: its path, whether it is
read-only (someone else has it open), the lock beside it, the autosave of unsaved
edits for crash recovery, recent files, and the last view per document.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.io.errors import ReadError, WriteError
from explorer.io.result import ImportResult
from explorer.io.save import save_document, save_suffixes
from explorer.model.query import EditOverlay, TimelineQueries
from explorer.resources import is_installed
from explorer.ui import settings, view_snapshot
from explorer.ui.doc_lock import DocumentLock
from explorer.ui.messages import plain
from explorer.ui.recovery import AutosaveTimer, RecoveryInfo, RecoveryStore

if TYPE_CHECKING:
    from explorer.ui.main_window import MainWindow


CRASH_COPY_MS: Final = 1000  # out of core: the overlay's crash copy, after an edit


def documents_folder() -> Path:
    """The user's documents folder (home when the platform names none)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path = Path(folder) if folder else Path.home()
    return path if path.is_dir() else Path.home()


class DocumentSession(QObject):
    changed = Signal()  # path, read-only or modified state changed: retitle

    def __init__(
        self,
        window: MainWindow,
        path: Path | None,
        *,
        imported: bool = False,
        render_only: bool = False,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.render_only = render_only  # a headless render: no lock, no recent-files entry
        native = not imported and path is not None and path.suffix.lower() in save_suffixes()
        # A story shipped with the app opens as an untitled copy: Save asks where.
        self.copy_of = path if path is not None and is_installed(path) else None
        self.path = path if native and self.copy_of is None else None
        self.imported_from = path if self.path is None and self.copy_of is None else None
        self.read_only = False
        self.lock: DocumentLock | None = None
        self.session_id = uuid.uuid4().hex
        self.recovery = RecoveryStore()
        self.autosave = AutosaveTimer(
            self.recovery,
            lambda: window.store.document,
            lambda: self.path,
            self.session_id,
            parent=self,
        )
        # Out of core, the overlay's crash copy: at most a second after an edit.
        self._crash_copy = QTimer(self)
        self._crash_copy.setSingleShot(True)
        self._crash_copy.setInterval(CRASH_COPY_MS)
        self._crash_copy.timeout.connect(self._write_crash_copy)
        stack = window.editor.stack
        stack.indexChanged.connect(self._after_edit)
        stack.cleanChanged.connect(lambda _clean: self.changed.emit())

    # --- state ---------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return not self.window.editor.stack.isClean()

    def display_name(self) -> str:
        if self.path is not None:
            name = self.path.name
        elif self.imported_from is not None:
            name = f"Untitled (imported from {self.imported_from.name})"
        elif self.copy_of is not None:
            name = "Untitled (a copy of the bundled story)"
        else:
            name = "Untitled"
        return name + (" (read-only)" if self.read_only else "")

    def _after_edit(self) -> None:
        # Unsaved changes go to the recovery file shortly after each edit; a document
        # back at its saved state needs none. (The stack also signals as it is destroyed.)
        if not shiboken6.isValid(self.window.editor.stack):
            return
        if not self.window.in_memory:
            return  # out of core the overlay writes its own crash copy after each edit
        if self.modified:
            self.autosave.schedule()
        else:
            self.autosave.clean(wait=False)

    # --- opening -------------------------------------------------------------------------

    def start(self) -> None:
        """As the window opens: lock the file. (Its last view is restored once the window
        has its size: see MainWindow.showEvent.)"""
        if self.path is not None and not self.render_only:
            self._lock(self.path)
            settings.add_recent(self.path)
        self._overlay_opened()
        self.changed.emit()

    def _lock(self, path: Path) -> None:
        self.release_lock()
        lock = DocumentLock(path)
        if lock.acquire():
            self.lock, self.read_only = lock, False
            return
        holder = lock.holder()
        if holder is None:
            # Cannot lock (a read-only folder): nobody else can either; open normally.
            self.read_only = False
            return
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("File already open")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{path.name} is open in {holder.describe()}.")
        box.setInformativeText(
            "Open it read-only, or take it over if that copy is no longer running "
            "(its unsaved changes there would be lost)."
        )
        read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.AcceptRole)
        take = box.addButton("&Take Over", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(read_only)
        box.exec()
        if box.clickedButton() is take and lock.take_over():
            self.lock, self.read_only = lock, False
        else:
            self.read_only = True
        self.window.set_read_only(self.read_only)

    def release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def adopt(self, result: ImportResult) -> bool:
        """Show an opened or imported document in this window, once changes are settled."""
        if not self.maybe_save():
            return False
        self.save_view()
        self.autosave.clean()
        native = result.format in ("native", "parquet")
        self.copy_of = result.path if is_installed(result.path) else None
        self.path = result.path if native and self.copy_of is None else None
        self.imported_from = None if native or self.copy_of else result.path
        self.read_only = False
        self.window.set_read_only(False)
        if self.window.in_memory:
            self.window.store.replace(result.document)
        else:
            self.window.use_backend(result.document)  # back in memory
        self.window.editor.stack.clear()
        self.window.actor_panel.use_default_order(authored=native)
        if self.path is not None:
            self._lock(self.path)
            settings.add_recent(self.path)
            self.restore_view()
        else:
            self.release_lock()
            self.restore_view()
        self.changed.emit()
        return True

    def adopt_backend(self, queries: TimelineQueries, path: Path | None) -> None:
        """Show a file answered out of core, or a database table (`path` None: no file
        to remember or lock), after the old document's view is saved and its undo
        history, lock and crash copy are let go. The data is never written: edits go
        to the backend's overlay, which keeps its own crash copy."""
        self.save_view()
        self.autosave.clean()
        self.release_lock()
        self.copy_of, self.imported_from, self.path = None, None, path
        self.read_only = False
        self.window.use_backend(queries)
        self.window.editor.stack.clear()
        self.window.actor_panel.use_default_order(authored=True)
        if path is not None:
            if not self.render_only:
                settings.add_recent(path)
            self.restore_view()
        self._overlay_opened()
        self.changed.emit()

    def _overlay(self) -> EditOverlay | None:
        return None if self.window.in_memory else self.window.queries.edit_overlay()

    def _overlay_opened(self) -> None:
        """Out of core: say what the overlay brought. A crash copy (edits a killed
        session did not save) is applied and shown as unsaved changes; on a real
        screen the analyst is asked whether to keep them, as the in-memory recovery
        asks; a saved overlay that could not be applied is reported, never lost."""
        overlay = self._overlay()
        if overlay is None:
            return
        overlay.defer_crash_copy = self._schedule_crash_copy
        bar = self.window.statusBar()
        if overlay.load_problem:
            bar.showMessage(plain(f"Edits not applied: {overlay.load_problem}"), 15000)
        if not overlay.recovered:
            return
        self.window.editor.stack.resetClean()  # restored edits are unsaved edits
        bar.showMessage(
            f"Recovered unsaved edits from {overlay.location.name}.unsaved (Save keeps them)",
            15000,
        )
        if not self.render_only and QGuiApplication.platformName() not in ("offscreen", "minimal"):
            QTimer.singleShot(0, self._ask_keep_recovered)

    def _schedule_crash_copy(self) -> None:
        if not self._crash_copy.isActive():  # not restarted: a long burst is still written
            self._crash_copy.start()

    def _write_crash_copy(self) -> None:
        overlay = self._overlay()
        if overlay is not None:
            try:
                overlay.write_crash_copy()
            except OSError as exc:
                self.window.statusBar().showMessage(
                    plain(f"Could not write the crash copy of the edits: {exc}"), 8000
                )

    def _ask_keep_recovered(self) -> None:
        overlay = self._overlay()
        if overlay is None or not overlay.recovered:
            return
        answer = QMessageBox.question(
            self.window,
            "Recover unsaved changes",
            plain(
                "Timeline Explorer closed without saving the edits of this file.\n\n"
                f"They were kept in {overlay.location.name}.unsaved. Keep these changes? "
                "(No goes back to the last saved edits.)"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.No:
            overlay.discard_unsaved()
            self.window.editor.stack.clear()
            self.changed.emit()

    # --- saving ------------------------------------------------------------------------

    def save(self) -> bool:
        if self._overlay() is not None:
            return self.save_overlay()
        if self.read_only or self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_overlay(self) -> bool:
        """Out of core: write the edits (atomically) where the overlay keeps them; the
        data file is never written."""
        overlay = self._overlay()
        if overlay is None:
            return False
        try:
            written = overlay.save()
        except OSError as exc:
            QMessageBox.critical(
                self.window,
                "Save failed",
                plain(f"The edits were not saved; they stay in the crash copy.\n\n{exc}"),
            )
            return False
        self.window.editor.stack.setClean()
        self.changed.emit()
        self.window.statusBar().showMessage(
            f"Saved the edits in {written.name} in {written.parent} (the data is unchanged)", 8000
        )
        return True

    def save_as(self) -> bool:
        overlay = self._overlay()
        if overlay is not None:
            QMessageBox.information(
                self.window,
                "Save As",
                plain(
                    "This file is read out of core and is never written: your edits are "
                    f"saved beside it, in {overlay.location}. (File > Export writes a copy "
                    "of the events in another format.)"
                ),
            )
            return self.save_overlay()
        suggested = self.suggested_path()
        name, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save timeline as",
            str(suggested),
            "Timeline Explorer (*.json);;Parquet, for large documents (*.parquet)",
        )
        return bool(name) and self.save_to(Path(name))

    def suggested_path(self) -> Path:
        """Where Save As starts: the file itself, beside an imported file (never the file:
        that would replace the user's source), else the documents folder. Never inside
        the installation."""
        if self.path is not None:
            return self.path
        if self.imported_from is not None and not is_installed(self.imported_from):
            stem = self.imported_from.name.split(".")[0] or "timeline"
            return self.imported_from.with_name(f"{stem}.timeline.json")
        source = self.copy_of or self.imported_from
        stem = source.name.split(".")[0] if source is not None else "timeline"
        return documents_folder() / f"{stem}.json"

    def save_to(self, path: Path) -> bool:
        """Save atomically; on failure say why, and the document stays modified.

        Saving under a new name first takes that file's lock: a file another window
        has open is never written over.
        """
        if not self.window.in_memory:
            QMessageBox.information(
                self.window,
                "Cannot save here",
                "This file is read out of core and is never written: Save keeps your edits "
                "in its overlay beside it.",
            )
            return False
        new_lock: DocumentLock | None = None
        if path != self.path or self.lock is None:
            new_lock = DocumentLock(path)
            holder = None if new_lock.acquire() else new_lock.holder()
            if holder is not None:
                QMessageBox.warning(
                    self.window,
                    "File in use",
                    plain(f"{path.name} is open in {holder.describe()}. Save under another name."),
                )
                return False
        try:
            save_document(self.window.store.document, path)
        except (WriteError, OSError) as exc:
            if new_lock is not None:
                new_lock.release()
            QMessageBox.critical(
                self.window,
                "Save failed",
                plain(f"The document was not saved. The file on disk is unchanged.\n\n{exc}"),
            )
            return False
        if new_lock is not None:
            self.release_lock()
            self.lock = new_lock if new_lock.locked else None
            self.path, self.imported_from = path, None
            self.read_only = False
            self.window.set_read_only(False)
        self.window.editor.stack.setClean()
        self.autosave.clean(wait=False)
        settings.add_recent(path)
        self.copy_of = None
        self.changed.emit()
        self.window.statusBar().showMessage(f"Saved {path.name} in {path.parent}", 8000)
        return True

    def maybe_save(self) -> bool:
        """Before the document goes away: Save / Discard / Cancel if it has changes."""
        if not self.modified:
            return True
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Save the changes to {self.display_name()}?")
        # Own buttons, so each has a mnemonic (Alt+S, Alt+D) on every platform.
        save = box.addButton("&Save", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Discard Changes", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        self.unsaved_box = box
        box.exec()
        if box.clickedButton() is save:
            return self.save()
        if box.clickedButton() is discard:
            overlay = self._overlay()
            if overlay is not None:  # or the next open would recover them
                overlay.discard_unsaved()
            return True
        return False

    def close(self) -> bool:
        """The window is closing: settle changes, then leave nothing behind."""
        if not self.maybe_save():
            return False
        self.save_view()
        self.autosave.clean()
        self.release_lock()
        return True

    def terminate(self) -> None:
        """The system asked the app to stop (SIGTERM): nobody can answer a question, so
        unsaved edits go to the recovery file (offered back next time) and the lock goes."""
        if self.modified and self.window.in_memory:
            with contextlib.suppress(WriteError, OSError):
                self.autosave.flush()
        overlay = self._overlay()
        if overlay is not None:  # out of core: the overlay's crash copy, now
            with contextlib.suppress(OSError):
                overlay.write_crash_copy()
        self.save_view()
        self.release_lock()

    # --- crash recovery -------------------------------------------------------------------

    def offer_recovery(self) -> bool:
        """At start-up: offer what a crashed session left unsaved. True if restored."""
        for info in self.recovery.pending():
            answer = QMessageBox.question(
                self.window,
                "Recover unsaved changes",
                plain(
                    f"Timeline Explorer closed without saving.\n\n{info.summary()}\n\n"
                    "Restore these changes? (No discards them.)"
                ),
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                continue  # keep it for next time
            if answer == QMessageBox.StandardButton.Yes and self._restore(info):
                self.recovery.discard(info)
                return True
            self.recovery.discard(info)
        return False

    def _restore(self, info: RecoveryInfo) -> bool:
        try:
            document = self.recovery.load(info)
        except ReadError as exc:
            QMessageBox.warning(self.window, "Cannot recover", plain(str(exc)))
            return False
        path = info.document_path
        if self.window.in_memory:
            self.window.store.replace(document)
        else:
            self.window.use_backend(document)
        self.window.editor.stack.clear()
        self.path = path if path is not None and path.suffix.lower() in save_suffixes() else None
        if self.path is not None:
            self._lock(self.path)
        # Restored changes are unsaved changes: the window shows them as modified and
        # this session's own recovery file takes over from the old one.
        self.window.editor.stack.resetClean()
        self.autosave.schedule()
        self.changed.emit()
        return True

    # --- the last view, per document ----------------------------------------------------

    def _view_key(self) -> Path | None:
        """Views are remembered per file: the document's, or the file it was imported from."""
        return self.path or self.imported_from

    def save_view(self) -> None:
        """The last view, and the named saved views, kept per document in the settings
        (the native format's version 2 may carry them instead; see view_snapshot)."""
        key = self._view_key()
        if key is None:
            return
        view: dict[str, Any] = view_snapshot.capture(self.window.state)
        view["saved_views"] = self.window.saved_views.to_data()
        with contextlib.suppress(TypeError, ValueError):  # a view not worth an error
            settings.save_view(key, view)

    def restore_view(self) -> None:
        key = self._view_key()
        view = settings.load_view(key) if key is not None else None
        window = self.window
        window.saved_views.load_data(view.get("saved_views") if view else None)
        if view:
            with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
                # an old or damaged view: the fitted view is fine
                view_snapshot.apply(window.state, view, window.timeline.set_viewport)
        if window.zone_override is not None:  # --tz on the command line wins
            window.state.set_zone(window.zone_override)
        window.navigation.reset()
