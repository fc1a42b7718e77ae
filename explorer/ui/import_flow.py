"""Opening files from the window: off the GUI thread, with progress, Cancel and plain answers.

`ImportController.open_paths` takes one or several files:

1. the format of each is the one asked for, or the one detected;
2. a generic table (``csv``, ``excel``) first gets a `MappingDialog`: which column is
   the date, the title, the actors... pre-filled with the reader's own guess
   (`explorer.io.read_table.guess_mapping` on a sample of the first rows);
3. the files are read on a worker thread (`QThread`) while a window-modal
   `QProgressDialog` shows "Opening story.csv…" and the percentage the reader
   reports; Cancel (or Escape) sets a flag that the reader checks between blocks
   (`ReadOptions.cancelled`), so it stops with `Cancelled`; the window stays
   responsive and its document is not touched;
4. several files are merged into one document (`explorer.io.merging.combine_results`);
5. the result goes to `adopt` (the window replaces its document; it answers False
   when the user keeps the old one at "Save changes?"); a `ReadError` is shown in
   a warning instead and nothing changes;
6. rows the reader set aside, and its notes (assumptions such as "naive times read
   as UTC"), are shown in a `SkippedRowsDialog`, whose "Export List…" writes them
   as CSV.

Every dialog is usable from the keyboard (mnemonics, Tab order, Enter, Escape),
labels are plain text (a file's contents never render as markup), and every
control has an accessible name. Dialogs are opened with ``open()``, not ``exec()``:
the controller goes on from their signals, and tests drive them directly.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.engines.choice import choose_engine
from explorer.io.atomic import atomic_write_bytes
from explorer.io.errors import ReadError, WriteError
from explorer.io.escaping import escape_controls
from explorer.io.formats import (
    Cancelled,
    ReadOptions,
    detect,
    formats,
    get,
    read_any,
    shows_mapping_dialog,
)
from explorer.io.limits import check_columns, check_workbook, first_header_width
from explorer.io.merging import MergedImport, combine_results, reader_mapping, skipped_rows
from explorer.io.preview import PreviewRow, preview_rows
from explorer.io.result import ImportResult, SkippedRow
from explorer.io.text import decode, head
from explorer.ui.messages import plain, plain_label

SAMPLE_ROWS: Final = 200  # rows read for the mapping guess (the reader guesses from as many)
PREVIEW_ROWS: Final = 8
SAMPLE_BYTES: Final = 1 << 20
MAX_LISTED: Final = 10_000  # set-aside rows listed in the dialog (all are exported)
PROGRESS_DELAY_MS: Final = 300  # a quick open shows no progress dialog at all
NONE_TEXT: Final = "(none)"
AS_READ_COLUMNS: Final = ("Row", "Date", "Title", "Lane", "Status")
ERROR_COLOUR: Final = "#c0392b"

Mapping = dict[str, str | list[str]]
# Roles offered in the mapping dialog, in order: (role, label with mnemonic, accessible name).
SINGLE_ROLES: Final = (
    ("date", "&Date (required):", "Date column (required)"),
    ("end", "&End:", "End date column"),
    ("title", "&Title:", "Title column"),
    ("text", "Te&xt:", "Text (summary) column"),
    ("group", "&Group:", "Group column, made a theme"),
    ("tags", "Tag&s:", "Tags column"),
    ("status", "Stat&us:", "Claim status column"),
    ("id", "&Id:", "Event id column"),
)
DATE_ORDER_CHOICES: Final = (
    (None, "Decide from the data"),
    ("dmy", "Day/month: 03/04/2020 is 3 April"),
    ("mdy", "Month/day: 03/04/2020 is 4 March"),
)


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    """A warning whose text is shown as written (never as markup, controls escaped)."""
    text = escape_controls(text, keep_newlines=True)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setObjectName("import-warning")
    box.exec()


def file_filter() -> str:
    """The "Open" dialog's filter: every extension a reader claims, then each format."""
    extensions = sorted({ext for fmt in formats() for ext in fmt.extensions})
    every = " ".join(f"*{ext}" for ext in extensions)
    per_format = [f"{fmt.title} ({' '.join('*' + e for e in fmt.extensions)})" for fmt in formats()]
    return ";;".join([f"Timelines ({every})", *per_format, "All files (*)"])


# --- a sample of a table, for the mapping dialog ----------------------------------------------


def table_sample(path: Path, format_name: str, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The header and first rows of a CSV file or Excel sheet, as text cells named as the
    reader names them; raises ReadError."""
    try:
        if format_name == "excel":
            return _excel_sample(path, rows)
        return _csv_sample(path, rows)
    except ReadError:
        raise
    except Exception as exc:  # pandas, openpyxl and csv raise many kinds: all mean unreadable
        raise ReadError(
            path, f"could not be read as a table ({type(exc).__name__}: {exc})"
        ) from None


def _csv_sample(path: Path, rows: int) -> pd.DataFrame:
    from explorer.io.read_table import _delimiter, unguard

    data = head(path, SAMPLE_BYTES)
    truncated = len(data) == SAMPLE_BYTES
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
        if truncated and "\n" in text:
            text = text[: text.rindex("\n") + 1]  # whole lines only
    else:
        if truncated and b"\n" in data:
            data = data[: data.rindex(b"\n") + 1]  # whole lines: no character cut in two
        text = decode(data, path)  # not UTF-8: refused now, not after the mapping
    if not text.strip():
        raise ReadError(path, "is empty")
    delimiter = _delimiter(text)
    check_columns(path, first_header_width(text, delimiter))
    columns = [
        str(c)
        for c in pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, nrows=0, index_col=False
        ).columns
    ]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        next(reader, None)
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((record + [""] * len(columns))[: len(columns)])
            if len(records) > rows:
                break
    except csv.Error:
        pass  # a quoted cell cut by the sample's end: the rows before it will do
    if truncated and records:
        records = records[:-1]
    frame = pd.DataFrame(records[:rows], columns=columns, dtype="str")
    return frame.apply(unguard) if len(frame) else frame


def _excel_sample(path: Path, rows: int) -> pd.DataFrame:
    from explorer.io.read_table import _cell_text, _excel_column, _unique_names, unguard

    check_workbook(path)  # the preview is bounded like the read (explorer/io/limits.py)
    raw = pd.read_excel(
        path, sheet_name=0, header=0, nrows=rows, dtype=object, na_filter=False, engine="openpyxl"
    )
    frame = pd.DataFrame({i: _excel_column(raw.iloc[:, i].tolist()) for i in range(raw.shape[1])})
    frame.columns = pd.Index(_unique_names([_cell_text(c, False) for c in raw.columns]))
    return frame.apply(unguard) if len(frame) else frame


def guess_for(sample: pd.DataFrame) -> Mapping:
    from explorer.io.read_table import guess_mapping

    return guess_mapping([str(c) for c in sample.columns], sample)


def explain_guess(sample: pd.DataFrame) -> str:
    """The guess in words: which column, how sure, why, and the alternatives."""
    from explorer.io.read_table import infer_mapping

    return infer_mapping([str(c) for c in sample.columns], sample).describe()


# --- the mapping dialog -------------------------------------------------------------------------


class MappingDialog(QDialog):
    """Which column of a table holds what: one combo per role, a checklist for actors.

    `mapping()` is the complete answer for `ReadOptions.mapping`: every role offered is
    given (``""`` for none), so the reader's own guess applies only to actor roles.
    """

    def __init__(
        self,
        path: Path,
        sample: pd.DataFrame,
        guess: Mapping | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mapping-dialog")
        self.setWindowTitle(f"Columns of {path.name}")
        self.setAccessibleName(f"Columns of {path.name}")
        self.path = path
        self.columns = [str(c) for c in sample.columns]
        guess = dict(guess if guess is not None else guess_for(sample))
        self._guess = guess
        examples = {c: _example(sample[c]) for c in self.columns}

        intro = plain_label(
            f"Say which columns of {path.name} hold each part of an event. The choices are "
            "guessed from the column names and the first rows; only the date is required.",
            wrap=True,
        )
        self.guess_label = plain_label(f"Guessed: {explain_guess(sample)}", wrap=True)
        self.guess_label.setObjectName("mapping-guess")
        self.guess_label.setAccessibleName("What was guessed, how sure, and the alternatives")
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for role, text, name in SINGLE_ROLES:
            combo = QComboBox()
            combo.setObjectName(f"mapping-{role}")
            combo.setAccessibleName(name)
            combo.addItem(NONE_TEXT, "")
            for column in self.columns:
                hint = f"  (e.g. {examples[column]})" if examples[column] else ""
                combo.addItem(f"{column}{hint}", column)
            chosen = _first(guess.get(role))
            if chosen in self.columns:
                combo.setCurrentIndex(self.columns.index(chosen) + 1)
            self.combos[role] = combo
            form.addRow(plain_label(text, combo), combo)
            if role == "title":
                self.actors_list = self._actors_list(guess, examples)
                form.addRow(
                    plain_label("&Actors (one or more):", self.actors_list),
                    self.actors_list,
                )
        self.order_combo = QComboBox()
        self.order_combo.setObjectName("mapping-date-order")
        self.order_combo.setAccessibleName("Day and month order of dates like 03/04/2020")
        for value, text in DATE_ORDER_CHOICES:
            self.order_combo.addItem(text, value)
        given_order = guess.get("date_order")
        if given_order in ("dmy", "mdy"):
            self.order_combo.setCurrentIndex(1 if given_order == "dmy" else 2)
        form.addRow(plain_label("Day/month o&rder:", self.order_combo), self.order_combo)

        self.preview = self._preview(sample)
        self.sample = sample
        self.as_read = self._as_read_table()
        self.as_read_error = plain_label("", wrap=True)
        self.as_read_error.setObjectName("mapping-as-read-problem")
        self.as_read_error.setAccessibleName("Why no row can be previewed")
        self.as_read_error.hide()
        self.error_label = plain_label("", wrap=True)
        self.error_label.setObjectName("mapping-error")
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.setAccessibleName("Problem with the mapping")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Open")
        ok.setAccessibleName("Open with these columns")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.guess_label)
        layout.addLayout(form)
        layout.addWidget(plain_label("Pre&view, as the rows will be read:", self.as_read))
        layout.addWidget(self.as_read, 1)
        layout.addWidget(self.as_read_error)
        layout.addWidget(plain_label("&First rows of the file:", self.preview))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(680, 760)
        for combo in (*self.combos.values(), self.order_combo):
            combo.currentIndexChanged.connect(self.refresh_preview)
        self.actors_list.itemChanged.connect(self.refresh_preview)
        self.refresh_preview()
        self.combos["date"].setFocus()

    def _actors_list(self, guess: Mapping, examples: dict[str, str]) -> QListWidget:
        """Checkable columns: Space ticks the current one, arrows move."""
        chosen = set(_list(guess.get("actors")))
        box = QListWidget()
        box.setObjectName("mapping-actors")
        box.setAccessibleName("Actor columns (Space ticks a column)")
        for column in self.columns:
            hint = f"  (e.g. {examples[column]})" if examples[column] else ""
            item = QListWidgetItem(f"{column}{hint}")
            item.setData(Qt.ItemDataRole.UserRole, column)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(
                Qt.CheckState.Checked if column in chosen else Qt.CheckState.Unchecked
            )
            box.addItem(item)
        if box.count():
            box.setCurrentRow(0)
        box.setMaximumHeight(110)
        return box

    def _preview(self, sample: pd.DataFrame) -> QTableWidget:
        rows = sample.head(PREVIEW_ROWS)
        table = QTableWidget(len(rows), len(self.columns))
        table.setObjectName("mapping-preview")
        table.setAccessibleName("First rows of the file")
        table.setHorizontalHeaderLabels(self.columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        for r, values in enumerate(rows.itertuples(index=False)):
            for c, value in enumerate(values):
                item = QTableWidgetItem(_shorten(str(value), 80))
                item.setToolTip(plain(str(value)[:500]))
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        return table

    def _as_read_table(self) -> QTableWidget:
        table = QTableWidget(0, len(AS_READ_COLUMNS))
        table.setObjectName("mapping-as-read")
        table.setAccessibleName("The first rows as they will be read: date, title, lane, status")
        table.setHorizontalHeaderLabels(list(AS_READ_COLUMNS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def preview_rows(self) -> list[PreviewRow]:
        """The first rows read with the current choices (empty when they cannot be)."""
        mapping = self.mapping()
        if not mapping.get("date"):
            self._preview_problem("Choose the date column to see the rows as they will be read.")
            return []
        from explorer.io.read_table import read_sample

        try:
            result = read_sample(self.sample, self.path, mapping)
        except ReadError as exc:
            self._preview_problem(f"With these columns the file cannot be read: {exc.reason}")
            return []
        self.as_read_error.hide()
        return preview_rows(result, min(PREVIEW_ROWS, len(self.sample)))

    def _preview_problem(self, text: str) -> None:
        self.as_read_error.setText(escape_controls(text))
        self.as_read_error.show()

    def refresh_preview(self) -> None:
        """Read the sample again with the current choices and show its first rows."""
        rows = self.preview_rows()
        table = self.as_read
        table.clearSpans()
        table.clearContents()
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [row.where] + (
                [] if row.set_aside else [row.date, row.title, row.lanes, row.status]
            )
            for c, value in enumerate(cells):
                table.setItem(r, c, _preview_item(value))
        table.resizeColumnsToContents()  # sized by the events, not by a long reason
        for r, row in enumerate(rows):
            if row.set_aside:
                item = _preview_item(f"Set aside: {row.set_aside}")
                item.setForeground(QColor(ERROR_COLOUR))
                table.setItem(r, 1, item)
                table.setSpan(r, 1, 1, len(AS_READ_COLUMNS) - 1)

    def actor_columns(self) -> list[str]:
        return [
            str(self.actors_list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.actors_list.count())
            if self.actors_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def mapping(self) -> Mapping:
        """The mapping to read with: role -> column ("" for none), actors as a list."""
        result: Mapping = {role: str(combo.currentData()) for role, combo in self.combos.items()}
        result["actors"] = self.actor_columns()
        if not result["actors"]:
            result["actors"] = ""
            result["roles"] = ""
        elif (
            self._guess.get("roles")
            and len(result["actors"]) == 1
            and _list(self._guess.get("actors")) == result["actors"]
        ):
            result["roles"] = _first(self._guess.get("roles")) or ""
        else:
            result["roles"] = ""
        order = self.order_combo.currentData()
        if order:
            result["date_order"] = str(order)
        return result

    def _accept(self) -> None:
        if not self.combos["date"].currentData():
            self.error_label.setText("Choose the column that holds the dates.")
            self.error_label.show()
            self.combos["date"].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()


def _preview_item(value: str) -> QTableWidgetItem:
    item = QTableWidgetItem(_shorten(" ".join(value.split()), 80))
    item.setToolTip(plain(value[:500]))
    return item


def _example(values: pd.Series) -> str:
    for value in values.head(50):
        text = str(value).strip()
        if text:
            return _shorten(" ".join(text.split()), 30)
    return ""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first(value: object) -> str | None:
    names = _list(value)
    return names[0] if names else None


def _list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


# --- the set-aside rows dialog ------------------------------------------------------------------


class SkippedRowsModel(QAbstractTableModel):
    """Set-aside rows as a table: (file,) where, field, reason."""

    def __init__(
        self, rows: Sequence[tuple[str, SkippedRow]], with_file: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.headers = (["File"] if with_file else []) + ["Where", "Field", "Reason"]
        self.with_file = with_file

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        name, row = self.rows[index.row()]
        values = ([name] if self.with_file else []) + [row.where, row.field, row.reason]
        value = values[index.column()]
        return plain(str(value)) if role == Qt.ItemDataRole.ToolTipRole else value

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return section + 1


class SkippedRowsDialog(QDialog):
    """What an import set aside, and what it assumed; the list can be exported as CSV."""

    def __init__(self, result: ImportResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skipped-rows-dialog")
        self.import_result = result
        rows = skipped_rows(result)
        total = result.skipped_total
        name = result.path.name if not isinstance(result, MergedImport) else "the files"
        self.setWindowTitle(f"Opened {result.path.name}" if total == 0 else "Rows set aside")
        heading = (
            f"{total:,} {'row' if total == 1 else 'rows'} set aside"
            if total
            else "No rows set aside"
        )
        self.heading = plain_label(heading, wrap=True)
        self.heading.setObjectName("skipped-heading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.heading.setAccessibleName(heading)
        if total:
            detail = (
                f"These rows of {name} could not be read; the rest was opened. "
                "Export the list to fix them in the file."
            )
            if len(rows) < total:
                shown = min(len(rows), MAX_LISTED)
                detail += f" The first {shown:,} are listed."
        else:
            detail = f"Every row of {name} was read."
        self.detail = plain_label(detail, wrap=True)

        self.model = SkippedRowsModel(
            rows[:MAX_LISTED], isinstance(result, MergedImport), parent=self
        )
        self.table = QTableView()
        self.table.setObjectName("skipped-table")
        self.table.setAccessibleName("Rows set aside: where, field and reason")
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setVisible(bool(rows))
        if rows:
            self.table.setCurrentIndex(self.model.index(0, 0))

        self.notes = QPlainTextEdit()
        self.notes.setObjectName("import-notes")
        self.notes.setAccessibleName("Notes about the import")
        self.notes.setReadOnly(True)
        self.notes.setTabChangesFocus(True)
        self.notes.setPlainText("\n".join(f"• {note}" for note in result.notes))
        self.notes.setVisible(bool(result.notes))
        notes_label = plain_label("&Notes:", self.notes)
        notes_label.setVisible(bool(result.notes))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("&Export List…")
        self.export_button.setObjectName("export-skipped")
        self.export_button.setAccessibleName("Export the list of rows set aside as CSV")
        self.export_button.setEnabled(bool(rows))
        self.export_button.setAutoDefault(False)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export_list)
        self.buttons.rejected.connect(self.reject)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail)
        if rows:
            layout.addWidget(plain_label("&Rows:", self.table))
        layout.addWidget(self.table, 3)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 520 if rows else 320)
        (self.table if rows else close).setFocus()

    def default_export_path(self) -> Path:
        folder = (
            self.import_result.path.parent
            if self.import_result.path.parent.is_dir()
            else Path.home()
        )
        return folder / f"{self.import_result.path.stem}-set-aside.csv"

    def export_list(self) -> bool:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export rows set aside", str(self.default_export_path()), "CSV (*.csv)"
        )
        return bool(name) and self.export_to(Path(name))

    def export_to(self, path: Path) -> bool:
        """Write the list (file, where, field, reason) atomically; say so if it fails."""
        try:
            atomic_write_bytes(path, self.import_result.skipped_csv().encode("utf-8"))
        except (WriteError, OSError) as exc:
            show_warning(self, "Export failed", f"The list was not written.\n\n{exc}")
            return False
        self.export_button.setText("&Export List… (saved)")
        self.export_button.setAccessibleName(f"Export the list again (saved to {path.name})")
        return True


# --- reading on a worker thread ---------------------------------------------------------------


@dataclass
class _Job:
    path: Path
    format_name: str
    mapping: Mapping | None = None


class _ReadThread(QThread):
    """Reads the jobs in turn, then merges them; says how it went by signal (queued to
    the GUI thread, since the receivers live there)."""

    progress = Signal(int)  # percent of the whole
    label = Signal(str)
    succeeded = Signal(object)  # ImportResult
    failed = Signal(str)
    was_cancelled = Signal()

    def __init__(self, jobs: Sequence[_Job], stop: threading.Event) -> None:
        super().__init__()
        self.jobs = list(jobs)
        self.stop = stop
        self._percent = -1

    def _report(self, index: int, fraction: float) -> None:  # on the reading thread
        percent = int(100 * (index + fraction) / len(self.jobs))
        if percent != self._percent:
            self._percent = percent
            self.progress.emit(percent)

    def run(self) -> None:
        try:
            results = []
            for index, job in enumerate(self.jobs):
                self.label.emit(_opening_text(job.path, index, len(self.jobs)))
                options = ReadOptions(
                    mapping=reader_mapping(job.mapping),
                    progress=partial(self._report, index),
                    cancelled=self.stop.is_set,
                )
                results.append(read_any(job.path, job.format_name, options))
            if self.stop.is_set():
                raise Cancelled
            if len(results) > 1:
                self.label.emit(f"Merging {len(results)} files…")
            result = combine_results(results)
        except Cancelled:
            self.was_cancelled.emit()
        except ReadError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug in merging must not kill the app from a thread
            self.failed.emit(f"the files could not be merged ({type(exc).__name__}: {exc})")
        else:
            self.succeeded.emit(result)


def _opening_text(path: Path, index: int, count: int) -> str:
    return (
        f"Opening {path.name}…" if count == 1 else f"Opening {path.name} ({index + 1} of {count})…"
    )


class _Progress(QProgressDialog):
    """Escape cancels (a plain QProgressDialog only hides itself on Escape)."""

    def reject(self) -> None:
        self.canceled.emit()


class ImportController(QObject):
    """Opens files for `window` and hands the result to `adopt` (see the module docstring).

    Signals say how each open ended: `opened(result)` once adopted, `failed(message)`,
    `cancelled()` (by the user, at the mapping or during reading). One open at a time:
    `open_paths` is ignored while `busy`.
    """

    opened = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        window: QWidget,
        adopt: Callable[[ImportResult], bool],
        open_large: Callable[[Path], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.adopt = adopt
        # A Parquet file above the threshold (engines/choice.py) opens out of core.
        self.open_large = open_large
        self.mapping_dialog: MappingDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.skipped_dialog: SkippedRowsDialog | None = None
        self._thread: _ReadThread | None = None
        self._stop = threading.Event()
        self._jobs: list[_Job] = []
        self._pending: list[_Job] = []
        self._in_set_value = False
        self._deferred: Callable[[], None] | None = None

    @property
    def busy(self) -> bool:
        return bool(self._jobs) or self._thread is not None

    # --- asking -------------------------------------------------------------------------

    def choose_and_open(self, folder: Path | None = None) -> None:
        """Ask for one or several files and open them."""
        names, _ = QFileDialog.getOpenFileNames(
            self.window, "Open timeline", str(folder or Path.home()), file_filter()
        )
        if names:
            self.open_paths([Path(n) for n in names])

    def open_paths(self, paths: Sequence[Path], format_name: str | None = None) -> None:
        if self.busy or not paths:
            return
        if (
            format_name is None
            and self.open_large is not None
            and choose_engine([Path(p) for p in paths]) == "duckdb"
        ):
            self.open_large(Path(paths[0]))
            return
        try:
            if format_name is not None:
                get(format_name)
            self._jobs = [_Job(Path(p), format_name or detect(Path(p)).name) for p in paths]
        except KeyError as exc:  # an unknown format name
            self._jobs = []
            self._fail(str(exc.args[0]))
            return
        except ReadError as exc:
            self._jobs = []
            self._fail(str(exc))
            return
        self._pending = [job for job in self._jobs if shows_mapping_dialog(job.format_name)]
        self._next_mapping()

    def _next_mapping(self) -> None:
        """Ask for the columns of each table in turn, then read."""
        if not self._pending:
            self._start()
            return
        job = self._pending[0]
        try:
            sample = table_sample(job.path, job.format_name)
        except ReadError as exc:
            self._jobs, self._pending = [], []
            self._fail(str(exc))
            return
        dialog = MappingDialog(job.path, sample, guess_for(sample), self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._mapped(job, dialog))
        dialog.rejected.connect(self._mapping_cancelled)
        self.mapping_dialog = dialog
        dialog.open()

    def _mapped(self, job: _Job, dialog: MappingDialog) -> None:
        job.mapping = dialog.mapping()
        self._forget(dialog)
        self._pending.pop(0)
        self._next_mapping()

    def _mapping_cancelled(self) -> None:
        if self.mapping_dialog is not None:
            self._forget(self.mapping_dialog)
        self._jobs, self._pending = [], []
        self._status("Opening cancelled")
        self.cancelled.emit()

    def _forget(self, dialog: QDialog) -> None:
        if self.mapping_dialog is dialog:
            self.mapping_dialog = None
        dialog.deleteLater()

    # --- reading ------------------------------------------------------------------------

    def _start(self) -> None:
        self._stop = threading.Event()
        thread = _ReadThread(self._jobs, self._stop)
        progress = _Progress(self.window)
        progress.setObjectName("import-progress")
        progress.setWindowTitle("Opening")
        progress.setLabelText(_opening_text(self._jobs[0].path, 0, len(self._jobs)))
        progress.setAccessibleName(progress.labelText())
        progress.setRange(0, 100)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.canceled.connect(self.cancel)
        progress.setValue(0)
        thread.progress.connect(self._progress)
        thread.label.connect(self._label)
        thread.succeeded.connect(lambda result: self._ended(self._succeeded, result))
        thread.failed.connect(lambda message: self._ended(self._failed, message))
        thread.was_cancelled.connect(lambda: self._ended(self._cancelled))
        self.progress_dialog = progress
        self._thread = thread
        thread.start()

    def _progress(self, percent: int) -> None:
        # A window-modal QProgressDialog processes events inside setValue: an end of
        # reading delivered then is handled once setValue has returned (see _ended).
        if self.progress_dialog is None or self._in_set_value:
            return
        self._in_set_value = True
        try:
            self.progress_dialog.setValue(percent)
        finally:
            self._in_set_value = False
        if self._deferred is not None:
            deferred, self._deferred = self._deferred, None
            deferred()

    def _label(self, text: str) -> None:
        if self.progress_dialog is not None and not self._stop.is_set():
            self.progress_dialog.setLabelText(text)
            self.progress_dialog.setAccessibleName(text)

    def _ended(self, handler: Callable[..., None], *args: Any) -> None:
        if self._in_set_value:
            self._deferred = lambda: handler(*args)
        else:
            handler(*args)

    def cancel(self) -> None:
        """Ask the reader to stop; the document is left as it is."""
        self._stop.set()
        if self.progress_dialog is not None:
            self.progress_dialog.setLabelText("Cancelling…")

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the reading thread has ended (for shutdown and tests)."""
        thread = self._thread
        return thread is None or thread.wait(msecs)

    def shutdown(self) -> None:
        """The window is going: stop reading and wait for the thread."""
        self._stop.set()
        self.wait()

    def _end_reading(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect(self.cancel)
            self.progress_dialog.reset()
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        self._jobs = []

    def _succeeded(self, result: ImportResult) -> None:
        cancelled = self._stop.is_set()
        self._end_reading()
        if cancelled:  # finished before it saw Cancel: the user still said no
            self._cancelled_by_user()
            return
        if not self.adopt(result):
            return
        self.opened.emit(result)
        self._status(_summary(result))
        bar = getattr(self.window, "notes_bar", None)
        if bar is not None:
            bar.hide()
        # Rows set aside need the user's eyes (a dialog); notes alone do not (the bar).
        if result.skipped_total or (result.notes and bar is None):
            self.show_skipped(result)
        elif result.notes and bar is not None:
            bar.show_notes(result, lambda: self.show_skipped(result))

    def _failed(self, message: str) -> None:
        self._end_reading()
        self._fail(message)

    def _cancelled(self) -> None:
        self._end_reading()
        self._cancelled_by_user()

    def _cancelled_by_user(self) -> None:
        self._status("Opening cancelled; the document is unchanged")
        self.cancelled.emit()

    def _fail(self, message: str) -> None:
        self.failed.emit(message)
        show_warning(
            self.window,
            "Cannot open file",
            f"{message}\n\nNothing was opened; the current document is unchanged.",
        )

    # --- after -------------------------------------------------------------------------

    def show_skipped(self, result: ImportResult) -> SkippedRowsDialog:
        if self.skipped_dialog is not None:
            self.skipped_dialog.deleteLater()
        dialog = SkippedRowsDialog(result, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.skipped_dialog = dialog
        dialog.open()
        return dialog

    def _status(self, text: str) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, 6000)


def _summary(result: ImportResult) -> str:
    n = len(result.document.events)
    text = f"Opened {n:,} {'event' if n == 1 else 'events'}"
    if result.skipped_total:
        text += f"; {result.skipped_total:,} rows set aside"
    return text
