"""File > Connect to Database: a URL, a table, a password, and the column mapping.

Step one names the engine (the URLs of ``--source``) and the table; the password is
typed here, used for this connection only, never stored. Looking at the table runs off
the GUI thread (a server may take seconds). A table loaded by ``convert`` opens as it
is; any other table gets the CSV import's mapping step: which column is the time, the
end, the lane/actor, the title..., preset from the column names and a sample of rows
as the CSV import guesses them, so the guess is shown, never silent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ROLES: Final = (
    ("date", "Time"),
    ("end", "End"),
    ("actors", "Lane / actor"),
    ("title", "Title"),
    ("text", "Summary"),
    ("status", "Status"),
    ("id", "Id"),
)
NONE: Final = "(none)"


class _Job:
    """Work on a thread; the dialog polls it (paint never waits on an engine)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: str | None = None
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._abandoned = False

        def run() -> None:
            try:
                self.result = work()
            except Exception as exc:  # one line for the user, whatever the driver raised
                self.error = " ".join(str(exc).split())[:300]
            with self._lock:
                self.done.set()
                if self._abandoned:
                    self._close_result()

        threading.Thread(target=run, daemon=True).start()

    def abandon(self) -> None:
        """The user cancelled: nobody takes the result; a connection it made is closed."""
        with self._lock:
            self._abandoned = True
            if self.done.is_set():
                self._close_result()

    def _close_result(self) -> None:
        close = getattr(self.result, "close", None)
        if callable(close):
            close()
        self.result = None


class ConnectDialog(QDialog):
    """Emits `opened(backend)` with a `TimelineQueries` on the table, then closes."""

    opened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Database")
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("postgresql://user@host:5432/db, sc://host:15002, ...")
        self.table = QLineEdit("timeline", self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("asked for here, never saved")
        self.look = QPushButton("&Look at Table", self)
        self.look.clicked.connect(self.look_at_table)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&URL:", self.url)
        form.addRow("&Table:", self.table)
        form.addRow("&Password:", self.password)
        self.mapping_box = QGroupBox("Columns (read as the CSV import reads them)", self)
        mapping_form = QFormLayout(self.mapping_box)
        self.roles: dict[str, QComboBox] = {}
        for role, label in ROLES:
            combo = QComboBox(self.mapping_box)
            self.roles[role] = combo
            mapping_form.addRow(f"{label}:", combo)
        self.mapping_box.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.open_table)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.look)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._job: _Job | None = None
        self._then: Callable[[Any], None] | None = None
        self._foreign = False
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)

    # --- steps ---------------------------------------------------------------------------

    def _engine_maker(self) -> Callable[[], Any]:
        """A connection made later on the worker, from the boxes as they are now (widgets
        are read on the GUI thread only)."""
        from explorer.engines.sql_engines import connect

        url, password = self.url.text().strip(), self.password.text() or None
        return lambda: connect(url, password)

    def reject(self) -> None:
        """Cancel: the step under way is dropped (its connection closed when it ends)."""
        self._timer.stop()
        job, self._job, self._then = self._job, None, None
        if job is not None:
            job.abandon()
        self.look.setEnabled(True)
        super().reject()

    def look_at_table(self) -> None:
        """Connect and read the table's columns (off the GUI thread)."""
        from explorer.engines.sql_engines import EngineError, check_name
        from explorer.engines.sql_tables import read_meta

        url, table = self.url.text().strip(), self.table.text().strip()
        make_engine = self._engine_maker()

        def work() -> tuple[bool, list[str], Any]:
            check_name(table)
            engine = make_engine()
            try:
                try:
                    read_meta(engine, table)
                    return True, [], None
                except EngineError:
                    if not engine.has_table(table):
                        raise
                sample = engine.arrow(f"SELECT * FROM {table} LIMIT 100").to_pandas()
                return False, [str(c) for c in sample.columns], sample
            finally:
                engine.close()

        if not url:
            self.status.setText("Give the engine's URL.")
            return
        self._start(work, self._looked, "Connecting…")

    def _looked(self, got: tuple[bool, list[str], Any]) -> None:
        loaded, columns, sample = got
        self._foreign = not loaded
        if loaded:
            self.mapping_box.hide()
            self.status.setText("A timeline table: it opens as it is.")
        else:
            from explorer.io.read_table import guess_mapping

            guess = guess_mapping(columns, sample.astype("str")) if columns else {}
            for role, combo in self.roles.items():
                combo.clear()
                combo.addItems([NONE, *columns])
                chosen = guess.get(role)
                if isinstance(chosen, list):
                    chosen = chosen[0] if chosen else None
                combo.setCurrentText(chosen if chosen in columns else NONE)
            self.mapping_box.show()
            self.status.setText(
                "Not loaded by timeline-explorer convert: say which column holds what "
                "(guessed from the names and the first rows)."
            )
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(True)

    def mapping(self) -> dict[str, str | list[str]]:
        return {
            role: combo.currentText()
            for role, combo in self.roles.items()
            if combo.currentText() not in ("", NONE)
        }

    def open_table(self) -> None:
        """Open the backend (deriving the count tables of a mapped table first)."""
        from explorer.engines.duckdb_index import cache_root
        from explorer.engines.sql_foreign import open_mapped
        from explorer.engines.sql_overlay import SqlOverlaid

        table = self.table.text().strip()
        mapping = self.mapping() if self._foreign else {}
        if self._foreign and "date" not in mapping:
            self.status.setText("Choose the column that holds the time.")
            return

        make_engine = self._engine_maker()

        def work() -> SqlOverlaid:
            engine = make_engine()
            name = table
            if mapping:
                engine, name = open_mapped(engine, table, mapping, cache_root().parent / "sql")
            # The shared table stays as it is; the analyst's edits go to a local overlay.
            return SqlOverlaid(engine, name)

        self._start(work, self._opened, "Opening…")

    def _opened(self, backend: Any) -> None:
        self.password.clear()
        self.opened.emit(backend)
        self.accept()

    # --- the worker ----------------------------------------------------------------------

    def _start(self, work: Callable[[], Any], then: Callable[[Any], None], note: str) -> None:
        self.status.setText(note)
        self.look.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(False)
        self._job, self._then = _Job(work), then
        self._timer.start()

    def _poll(self) -> None:
        job = self._job
        if job is None or not job.done.is_set():
            return
        self._timer.stop()
        self._job = None
        self.look.setEnabled(True)
        if job.error is not None:
            self.status.setText(job.error)
            self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(
                self.mapping_box.isVisible()
            )
            return
        if self._then is not None:
            self._then(job.result)

    def wait(self, seconds: float = 60.0) -> bool:
        """Block until the current step is done (for tests and scripts)."""
        job = self._job
        if job is not None:
            job.done.wait(seconds)
        self._poll()
        return job is None or job.done.is_set()
