"""Opening files from the window: the worker thread, progress and Cancel, errors, the
column-mapping dialog and the set-aside rows dialog, driven by keys where a user would.

Modal boxes never block here: the controller opens its dialogs with ``open()``, and
``QMessageBox.exec`` / ``QFileDialog.getSaveFileName`` are replaced by recorders.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QWidget,
)

from explorer.app import MergedImport
from explorer.io.formats import Cancelled, ReadOptions
from explorer.io.result import ImportResult, SkippedRow
from explorer.io.sample_files import generate_timesketch_csv
from explorer.model.document import Document
from explorer.ui import import_flow
from explorer.ui.import_flow import (
    ImportController,
    MappingDialog,
    SkippedRowsDialog,
    SkippedRowsModel,
    table_sample,
)

ALT = Qt.KeyboardModifier.AltModifier

GENERIC_CSV = (
    "when,headline,who,notes\n"
    "2020-04-03,Meeting,Alice; Bob,kick-off call\n"
    "2020-05-01,Launch,Carol,product ships\n"
    "2020-06-30,Review,Alice,post-mortem\n"
)


def write_plain(folder: Path) -> Path:
    path = folder / "plain.csv"
    path.write_text(GENERIC_CSV)
    return path


class Adopter:
    """Stands in for the window's adopt: records the result and replaces the document."""

    def __init__(self, window: Any, answer: bool = True) -> None:
        self.window = window
        self.answer = answer
        self.results: list[ImportResult] = []

    def __call__(self, result: ImportResult) -> bool:
        self.results.append(result)
        if self.answer:
            self.window.store.replace(result.document)
        return self.answer


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        assert box.textFormat() == Qt.TextFormat.PlainText
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


@pytest.fixture
def controller(window: Any) -> Iterator[tuple[ImportController, Adopter]]:
    adopter = Adopter(window)
    ctl = ImportController(window, adopter)
    yield ctl, adopter
    ctl.shutdown()
    for dialog in (ctl.mapping_dialog, ctl.skipped_dialog):
        if dialog is not None:
            dialog.close()


def activate(qtbot: Any, widget: QWidget) -> None:
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def test_opens_a_timesketch_csv_off_the_gui_thread(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path, window: Any
) -> None:
    ctl, adopter = controller
    path = generate_timesketch_csv(tmp_path / "story.csv", 50, seed=3)
    with qtbot.waitSignal(ctl.opened, timeout=20_000):
        ctl.open_paths([path])
        assert ctl.busy
    assert len(adopter.results) == 1
    result = adopter.results[0]
    assert result.format == "timesketch-csv"
    assert result.path == path
    assert len(window.store.document.events) == 50
    assert not ctl.busy
    assert ctl.progress_dialog is None
    # Timesketch notes (lanes are hosts) are shown after the open, in a bar (nothing
    # was set aside: no dialog); Details opens the full list, Dismiss closes the bar.
    assert ctl.skipped_dialog is None
    bar = window.notes_bar
    assert bar.isVisible()
    assert "Lanes are hosts" in bar.label.text()
    qtbot.mouseClick(bar.details, Qt.MouseButton.LeftButton)
    assert ctl.skipped_dialog is not None
    assert "Lanes are hosts" in ctl.skipped_dialog.notes.toPlainText()
    ctl.skipped_dialog.close()
    bar.dismiss.setFocus()
    qtbot.keyClick(bar.dismiss, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_several_files_merge_into_one_document(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path
) -> None:
    ctl, adopter = controller
    a = generate_timesketch_csv(tmp_path / "a.csv", 20, seed=1)
    b = generate_timesketch_csv(tmp_path / "b.csv", 30, seed=2)
    with qtbot.waitSignal(ctl.opened, timeout=20_000):
        ctl.open_paths([a, b])
    result = adopter.results[0]
    assert isinstance(result, MergedImport)
    assert result.format == "merged"
    assert len(result.document.events) == 50
    assert [p.path for p in result.parts] == [a, b]
    assert result.document.events["id"].is_unique


def test_cancel_during_progress_leaves_the_document_alone(
    qtbot: Any,
    controller: tuple[ImportController, Adopter],
    tmp_path: Path,
    window: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctl, adopter = controller
    before = window.store.document
    events_before = before.events.copy()
    path = generate_timesketch_csv(tmp_path / "big.csv", 300_000, seed=4)
    # The reader reports between blocks; slow each report down a little so that there
    # is time to see the progress and press Escape before the file is read.
    original = ReadOptions.report

    def slow_report(self: ReadOptions, fraction: float) -> None:
        time.sleep(0.05)
        original(self, fraction)

    monkeypatch.setattr(ReadOptions, "report", slow_report)
    raised: list[BaseException] = []
    real_read = import_flow.read_any

    def recording_read(*args: Any, **kwargs: Any) -> ImportResult:
        try:
            return real_read(*args, **kwargs)
        except BaseException as exc:
            raised.append(exc)
            raise

    monkeypatch.setattr(import_flow, "read_any", recording_read)
    ctl.open_paths([path])
    progress = ctl.progress_dialog
    assert progress is not None
    assert progress.labelText() == "Opening big.csv…"
    assert progress.windowModality() == Qt.WindowModality.WindowModal
    qtbot.waitUntil(lambda: progress.isVisible() and progress.value() > 0, timeout=20_000)
    assert window.isEnabled()  # the event loop runs: the window repaints, the bar moves
    with qtbot.waitSignal(ctl.cancelled, timeout=20_000):
        qtbot.keyClick(progress, Qt.Key.Key_Escape)
    assert adopter.results == []
    assert len(raised) == 1
    assert isinstance(raised[0], Cancelled)
    assert window.store.document is before
    assert window.store.document.events.equals(events_before)
    assert not ctl.busy
    assert ctl.progress_dialog is None


def test_a_broken_file_shows_the_error_and_changes_nothing(
    qtbot: Any,
    controller: tuple[ImportController, Adopter],
    tmp_path: Path,
    window: Any,
    warnings: list[str],
) -> None:
    ctl, adopter = controller
    before = window.store.document
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "timeline-explorer", "version": 1,'
        ' "events": [{"id": "e1", "title": "x", "start": "2020-02-30"}]}'
    )
    with qtbot.waitSignal(ctl.failed, timeout=20_000) as blocker:
        ctl.open_paths([bad])
    assert "bad.json" in blocker.args[0]
    assert len(warnings) == 1
    assert 'events[0] (id "e1")' in warnings[0]
    assert 'field "start"' in warnings[0]
    assert "unchanged" in warnings[0]
    assert adopter.results == []
    assert window.store.document is before
    assert not ctl.busy


def test_an_unknown_file_is_refused_before_reading(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path, warnings: list[str]
) -> None:
    ctl, adopter = controller
    blob = tmp_path / "photo.bin"
    blob.write_bytes(bytes(range(256)) * 4)
    with qtbot.waitSignal(ctl.failed, timeout=5_000):
        ctl.open_paths([blob])
    assert "photo.bin" in warnings[0]
    assert adopter.results == []


def test_a_window_that_keeps_its_document_gets_no_report(
    qtbot: Any, window: Any, tmp_path: Path
) -> None:
    adopter = Adopter(window, answer=False)  # the user chose Cancel at "Save changes?"
    ctl = ImportController(window, adopter)
    path = generate_timesketch_csv(tmp_path / "story.csv", 10, seed=3)
    ctl.open_paths([path])
    qtbot.waitUntil(lambda: not ctl.busy, timeout=20_000)
    assert len(adopter.results) == 1
    assert ctl.skipped_dialog is None


def test_mapping_dialog_changes_the_title_column_by_keyboard(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path, window: Any
) -> None:
    ctl, adopter = controller
    path = tmp_path / "plain.csv"
    path.write_text(GENERIC_CSV)
    ctl.open_paths([path])
    dialog = ctl.mapping_dialog
    assert isinstance(dialog, MappingDialog)
    activate(qtbot, dialog)
    # Pre-filled from the reader's guess.
    assert dialog.combos["date"].currentData() == "when"
    assert dialog.combos["title"].currentData() == "headline"
    assert dialog.actor_columns() == ["who"]
    # Alt+T goes to the title; typing picks the "notes" column; Enter opens.
    qtbot.keyClick(dialog, Qt.Key.Key_T, ALT)
    assert QApplication.focusWidget() is dialog.combos["title"]
    qtbot.keyClicks(dialog.combos["title"], "notes")
    assert dialog.combos["title"].currentData() == "notes"
    with qtbot.waitSignal(ctl.opened, timeout=20_000):
        qtbot.keyClick(dialog.combos["title"], Qt.Key.Key_Return)
    result = adopter.results[0]
    assert result.format == "csv"
    titles = list(result.document.events["title"])
    assert titles == ["kick-off call", "product ships", "post-mortem"]
    assert window.store.document is result.document
    assert set(result.document.actors["name"]) == {"Alice", "Bob", "Carol"}


def test_mapping_dialog_needs_a_date_and_cancel_aborts(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path
) -> None:
    ctl, adopter = controller
    path = tmp_path / "plain.csv"
    path.write_text(GENERIC_CSV)
    ctl.open_paths([path])
    dialog = ctl.mapping_dialog
    assert dialog is not None
    activate(qtbot, dialog)
    dialog.combos["date"].setCurrentIndex(0)  # (none)
    qtbot.keyClick(dialog.combos["date"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "dates" in dialog.error_label.text()
    assert QApplication.focusWidget() is dialog.combos["date"]
    with qtbot.waitSignal(ctl.cancelled, timeout=5_000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert adopter.results == []
    assert not ctl.busy


def test_mapping_dialog_actors_and_date_order(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "matches.csv"
    path.write_text(
        "date,home_team,away_team,score\n03/04/2020,Ajax,PSV,1-0\n05/06/2020,PSV,Feyenoord,2-2\n"
    )
    sample = table_sample(path, "csv")
    dialog = MappingDialog(path, sample)
    qtbot.addWidget(dialog)
    assert dialog.actor_columns() == ["home_team", "away_team"]
    # Space unticks the current column in the checklist.
    dialog.actors_list.setFocus()
    dialog.actors_list.setCurrentRow(2)  # away_team
    qtbot.keyClick(dialog.actors_list, Qt.Key.Key_Space)
    assert dialog.actor_columns() == ["home_team"]
    dialog.order_combo.setCurrentIndex(2)
    mapping = dialog.mapping()
    assert mapping["date"] == "date"
    assert mapping["actors"] == ["home_team"]
    assert mapping["date_order"] == "mdy"
    assert mapping["end"] == ""  # every offered role is given: the guess is not redone
    assert dialog.preview.rowCount() == 2
    assert dialog.combos["title"].accessibleName()


def test_table_sample_names_columns_as_the_reader_does(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(
        "\ufeffdate;name;name;\n2020-01-01;'=1+1;b;c\n".encode("utf-16")  # UTF-16 with BOM
    )
    sample = table_sample(path, "csv")
    assert list(sample.columns) == ["date", "name", "name.1", "Unnamed: 3"]
    assert sample.iloc[0]["name"] == "=1+1"  # the writers' injection guard undone


def test_skipped_rows_dialog_lists_rows_and_exports_them(
    qtbot: Any,
    controller: tuple[ImportController, Adopter],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctl, adopter = controller
    path = tmp_path / "results.csv"
    path.write_text(
        "date,title\n2020-01-01,good\n31/02/2020,bad day\n2020-01-03,good too\nsoon,bad\n"
    )
    ctl.open_paths([path])
    assert ctl.mapping_dialog is not None
    with qtbot.waitSignal(ctl.opened, timeout=20_000):
        ctl.mapping_dialog.buttons.accepted.emit()
    result = adopter.results[0]
    assert len(result.document.events) == 2
    dialog = ctl.skipped_dialog
    assert isinstance(dialog, SkippedRowsDialog)
    activate(qtbot, dialog)
    assert dialog.heading.text() == "2 rows set aside"
    model = dialog.model
    assert model.rowCount() == 2
    assert [model.index(r, 0).data() for r in range(2)] == ["row 3", "row 5"]
    assert model.index(0, 1).data() == "date"
    assert "31/02/2020" in model.index(0, 2).data()
    assert QApplication.focusWidget() is dialog.table
    out = tmp_path / "out" / "set-aside.csv"
    out.parent.mkdir()
    asked: list[str] = []

    def save_name(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args[2])
        return str(out), "CSV (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    qtbot.keyClick(dialog, Qt.Key.Key_E, ALT)  # a button's mnemonic clicks it after 100 ms
    qtbot.waitUntil(lambda: out.exists(), timeout=5_000)
    assert asked == [str(tmp_path / "results-set-aside.csv")]
    assert out.read_bytes() == result.skipped_csv().encode("utf-8")
    assert out.read_text().splitlines()[0] == "file,where,field,reason"
    assert "results.csv,row 3,date," in out.read_text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_skipped_rows_dialog_lists_at_most_ten_thousand(qtbot: Any, story: Any) -> None:
    rows = [SkippedRow(f"row {i + 2}", "date", "is empty") for i in range(12_000)]
    result = ImportResult(story, Path("huge.csv"), "csv", rows, 50_000, ["a note"])
    dialog = SkippedRowsDialog(result)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "50,000 rows set aside"
    assert dialog.model.rowCount() == 10_000
    assert "first 10,000" in dialog.detail.text()
    assert dialog.notes.toPlainText() == "• a note"


def test_skipped_rows_model(qtmodeltester: Any) -> None:
    rows = [
        ("a.csv", SkippedRow("row 2", "date", "is empty")),
        ("b.csv", SkippedRow("line 4", "", "x")),
    ]
    model = SkippedRowsModel(rows, with_file=True)
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "b.csv"
    assert model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Reason"


def test_file_filter_lists_every_reader() -> None:
    text = import_flow.file_filter()
    assert text.startswith("Timelines (")
    for extension in ("*.json", "*.csv", "*.xlsx", "*.timeline", "*.parquet", "*.jsonl"):
        assert extension in text.split(";;")[0]
    assert text.endswith("All files (*)")


def test_a_table_not_in_utf8_is_refused_before_the_mapping(
    qtbot: Any, controller: tuple[ImportController, Adopter], tmp_path: Path, warnings: list[str]
) -> None:
    ctl, adopter = controller
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,title\n2020-01-01,café\n".encode("latin-1"))
    with qtbot.waitSignal(ctl.failed, timeout=5_000):
        ctl.open_paths([path])
    assert ctl.mapping_dialog is None
    assert "latin1.csv: byte 25: not UTF-8 text" in warnings[0]
    assert adopter.results == []


def mnemonics(dialog: QWidget) -> list[str]:
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    texts += [button.text() for button in dialog.findChildren(QAbstractButton)]
    return [t[t.index("&") + 1].lower() for t in texts if "&" in t]


def test_every_mnemonic_is_unique_and_every_control_named(
    qtbot: Any, tmp_path: Path, story: Document
) -> None:
    path = write_plain(tmp_path)
    mapping = MappingDialog(path, table_sample(path, "csv"))
    qtbot.addWidget(mapping)
    keys = mnemonics(mapping)
    assert len(keys) == len(set(keys)) >= 12
    for widget in mapping.findChildren(QComboBox):
        assert widget.accessibleName()
    result = ImportResult(story, path, "csv", [SkippedRow("row 2", "date", "x")], 1, ["n"])
    skipped = SkippedRowsDialog(result)
    qtbot.addWidget(skipped)
    keys = mnemonics(skipped)
    assert len(keys) == len(set(keys)) >= 3
    for label in [*mapping.findChildren(QLabel), *skipped.findChildren(QLabel)]:
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_mapping_dialog_shows_the_guess_and_its_alternatives(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "pecmd.csv"
    path.write_text(
        "SourceCreated,ExecutableName,LastRun\n"
        "2023-05-01 10:00:00,CMD.EXE,2019-03-04 05:06:07\n"
        "2023-05-01 10:00:01,NOTEPAD.EXE,2018-01-01 00:00:00\n"
    )
    dialog = MappingDialog(path, table_sample(path, "csv"))
    qtbot.addWidget(dialog)
    assert dialog.combos["date"].currentData() == "LastRun"
    shown = dialog.guess_label.text()
    assert 'date "LastRun" (sure' in shown
    assert '"SourceCreated" (100% dates; a copy time)' in shown
    assert dialog.guess_label.isVisibleTo(dialog)


def _as_read(dialog: MappingDialog) -> list[list[str]]:
    table = dialog.as_read
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_mapping_preview_follows_the_date_column_chosen_by_keys(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "filed,happened,headline,who,verified\n"
        "2023-05-01,1977,Founded,Alice,confirmed\n"
        "2023-05-02,March 1978,First sale,Bob,\n"
        "2023-05-03,not known,Gap year,Carol,disputed\n"
    )
    dialog = MappingDialog(path, table_sample(path, "csv"))
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    dialog.combos["title"].setFocus()
    header = [dialog.as_read.horizontalHeaderItem(c).text() for c in range(5)]
    assert header == ["Row", "Date", "Title", "Lane", "Status"]
    # The user picks "filed" as the date, by keys: Alt+D, then type its first letter.
    qtbot.keyClick(dialog, Qt.Key.Key_D, ALT)
    assert QApplication.focusWidget() is dialog.combos["date"]
    qtbot.keyClicks(dialog.combos["date"], "f")
    assert dialog.combos["date"].currentData() == "filed"
    rows = _as_read(dialog)
    assert [r[:4] for r in rows] == [
        ["row 2", "1 May 2023", "Founded", "Alice"],
        ["row 3", "2 May 2023", "First sale", "Bob"],
        ["row 4", "3 May 2023", "Gap year", "Carol"],
    ]
    assert [r[4] for r in rows] == ["confirmed", "unassessed", "disputed"]
    # Then the next column, "happened": the years and the month at their precision, and
    # the row that has no date set aside with its reason.
    qtbot.keyClick(dialog.combos["date"], Qt.Key.Key_Down)
    assert dialog.combos["date"].currentData() == "happened"
    rows = _as_read(dialog)
    assert rows[0][:3] == ["row 2", "1977", "Founded"]
    assert rows[1][:3] == ["row 3", "March 1978", "First sale"]
    assert rows[2][0] == "row 4"
    assert rows[2][1].startswith("Set aside: column 'happened'")
    assert "not known" in rows[2][1]
    # No date column: the preview says why it is empty.
    dialog.combos["date"].setCurrentIndex(0)
    assert dialog.as_read.rowCount() == 0
    assert dialog.as_read_error.isVisibleTo(dialog)
    assert "Choose the date column" in dialog.as_read_error.text()


def test_mapping_preview_follows_the_day_month_order_and_the_lane(
    qtbot: Any, tmp_path: Path
) -> None:
    path = tmp_path / "matches.csv"
    path.write_text("date,home,away\n03/04/2020,Ajax,PSV\n05/06/2020,PSV,Feyenoord\n")
    dialog = MappingDialog(path, table_sample(path, "csv"))
    qtbot.addWidget(dialog)
    dialog.order_combo.setFocus()
    qtbot.keyClick(dialog.order_combo, Qt.Key.Key_Down)  # day/month
    assert _as_read(dialog)[0][1] == "3 April 2020"
    qtbot.keyClick(dialog.order_combo, Qt.Key.Key_Down)  # month/day
    assert _as_read(dialog)[0][1] == "4 March 2020"
    # Unticking "away" (Space in the checklist) leaves the home team as the lane.
    lanes = {r[3] for r in _as_read(dialog)}
    dialog.actors_list.setFocus()
    dialog.actors_list.setCurrentRow(2)
    qtbot.keyClick(dialog.actors_list, Qt.Key.Key_Space)
    assert dialog.actor_columns() == ["home"]
    assert [r[3] for r in _as_read(dialog)] == ["Ajax", "PSV"]
    assert lanes != {"Ajax", "PSV"}
