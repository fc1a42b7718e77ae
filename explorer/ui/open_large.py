"""Opening Parquet out of core: the first open builds DuckDB's sidecar index on a
worker thread, with progress and Cancel, and the window never waits for it.

The index is built once per set of files (kept in the user's cache directory, see
explorer/engines/duckdb_index.py); later opens find it and take a moment.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.duckdb_index import IndexCancelledError, ParquetIndexError

POLL_MS: Final = 50


class OutOfCoreOpener(QObject):
    """Build (or find) the index of `path` off the GUI thread; then `opened(backend)`,
    `failed(message)` or `cancelled()`, on the GUI thread."""

    opened = Signal(object)  # DuckDBBackend
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._fraction = 0.0
        self._stop = threading.Event()
        self._result: DuckDBBackend | BaseException | None = None
        self._thread = threading.Thread(target=self._build, name="duckdb-index", daemon=True)
        self.dialog = QProgressDialog(
            f"Indexing {path.name} for fast browsing…", "Cancel", 0, 100, parent
        )
        self.dialog.setObjectName("out-of-core-progress")
        self.dialog.setWindowTitle("Opening a large file")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)  # a file already indexed opens without a flash
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self) -> None:
        self._thread.start()
        self._timer.start()

    def cancel(self) -> None:
        self._stop.set()
        self.dialog.setLabelText("Cancelling…")

    def wait(self, timeout: float | None = None) -> None:
        """Block until the worker ends (tests and headless renders)."""
        self._thread.join(timeout)
        self._poll()

    def _build(self) -> None:  # on the worker thread
        def progress(fraction: float) -> None:
            self._fraction = fraction

        try:
            self._result = DuckDBBackend(self.path, progress, self._stop.is_set)
        except BaseException as exc:  # handed to the GUI thread, which says what it was
            self._result = exc

    def _poll(self) -> None:
        self.dialog.setValue(int(min(max(self._fraction, 0.0), 1.0) * 100))
        if self._thread.is_alive() or not self._timer.isActive():
            return
        self._timer.stop()
        self.dialog.close()
        result = self._result
        if isinstance(result, DuckDBBackend):
            self.opened.emit(result)
        elif isinstance(result, IndexCancelledError) or self._stop.is_set():
            self.cancelled.emit()
        elif isinstance(result, ParquetIndexError | OSError | ValueError):
            self.failed.emit(str(result))
        elif result is not None:
            self.failed.emit(f"{self.path.name}: could not be opened out of core ({result})")
