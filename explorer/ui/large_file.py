"""File > Open Large File: stream a big CSV or log into Parquet, then open that.

The conversion (`explorer.io.convert`) runs on a worker thread with a progress
dialog and Cancel (nothing is written when cancelled: the output is atomic); when it
is done, the Parquet file is opened through the window's usual importer, which
today reads Parquet into memory (opening windows on the DuckDB backend is the views'
work, issue 9: once a window can open on it, this is where it plugs in).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from explorer.io.convert import Converted, convert
from explorer.io.errors import ReadError, WriteError
from explorer.io.formats import Cancelled


class _ConvertThread(QThread):
    progress = Signal(int)
    succeeded = Signal(object)  # Converted
    failed = Signal(str)
    was_cancelled = Signal()

    def __init__(self, inputs: Sequence[Path], out: Path, stop: threading.Event) -> None:
        super().__init__()
        self.inputs, self.out, self.stop = list(inputs), out, stop

    def run(self) -> None:
        try:
            done = convert(
                self.inputs,
                self.out,
                progress=lambda f: self.progress.emit(int(f * 100)),
                cancelled=self.stop.is_set,
            )
        except Cancelled:
            self.was_cancelled.emit()
        except (ReadError, WriteError, OSError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must not kill the app from a thread
            self.failed.emit(f"the conversion failed ({type(exc).__name__}: {exc})")
        else:
            self.succeeded.emit(done)


class LargeFileOpener(QObject):
    """Converts for `window`, then opens the result with `open_paths`."""

    finished = Signal(object)  # Converted, or None when cancelled or failed

    def __init__(self, window: QWidget, open_paths: Callable[[list[Path]], None]) -> None:
        super().__init__(window)
        self.window = window
        self.open_paths = open_paths
        self.worker: _ConvertThread | None = None
        self.dialog: QProgressDialog | None = None
        self.stop = threading.Event()
        self.last_error = ""

    def choose_and_convert(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Open large file",
            str(Path.home()),
            "Logs and tables (*.csv *.tsv *.txt *.jsonl *.log *.json);;All files (*)",
        )
        if not names:
            return
        first = Path(names[0])
        out, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save the converted file as",
            str(first.with_suffix(".parquet")),
            "Parquet (*.parquet)",
        )
        if out:
            self.convert_and_open([Path(n) for n in names], Path(out))

    def convert_and_open(self, inputs: Sequence[Path], out: Path) -> None:
        if self.worker is not None:
            return
        self.stop.clear()
        self.worker = _ConvertThread(inputs, out, self.stop)
        dialog = QProgressDialog(f"Converting {inputs[0].name} to Parquet…", "Cancel", 0, 100)
        dialog.setParent(self.window, dialog.windowFlags())
        dialog.setObjectName("convert-progress")
        dialog.setWindowTitle("Open large file")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self.worker.progress.connect(dialog.setValue)
        self.worker.succeeded.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.was_cancelled.connect(lambda: self._end(None))
        self.worker.start()
        dialog.show()

    def cancel(self) -> None:
        self.stop.set()

    def _done(self, done: Converted) -> None:
        self._end(done)
        self.open_paths([done.out])

    def _failed(self, message: str) -> None:
        self.last_error = message
        self._end(None)
        QMessageBox.warning(self.window, "Open large file", message)

    def _end(self, done: Converted | None) -> None:
        if self.worker is not None:
            self.worker.wait()
            self.worker = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        self.finished.emit(done)

    def shutdown(self) -> None:
        self.stop.set()
        if self.worker is not None:
            self.worker.wait()
