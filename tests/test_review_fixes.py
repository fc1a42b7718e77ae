"""Faults found in review, each pinned by a test a regression would fail."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QMessageBox

from explorer.io.formats import read_any
from explorer.io.native import read_native, write_native
from explorer.io.result import ImportResult, SkippedRow
from explorer.model.store import Filter
from explorer.ui.date_dialog import DateDialog
from explorer.ui.event_table import TITLE
from explorer.ui.search_bar import OPEN_END


def tjs_story(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "title": {"text": {"headline": "Story"}},
                "events": [
                    {"start_date": {"year": "2020"}, "text": {"headline": "One"}},
                    {"start_date": {"year": "2021"}, "text": {"headline": "Two"}},
                ],
            }
        )
    )
    return path


def test_an_imported_json_is_never_saved_over(qtbot, tmp_path: Path, monkeypatch) -> None:
    from explorer.ui.main_window import MainWindow

    source = tjs_story(tmp_path / "story.json")
    before = source.read_bytes()
    result = read_any(source)
    assert result.format == "timelinejs"
    window = MainWindow(result.document, source, imported=True)
    try:
        assert window.session.path is None
        assert "imported from story.json" in window.windowTitle()
        chosen: list[str] = []

        def pick(*args, **kwargs):
            chosen.append(args[2])
            return "", ""

        monkeypatch.setattr("explorer.ui.document_session.QFileDialog.getSaveFileName", pick)
        window.session.save()  # Save of an import asks where, and never suggests the source
        assert chosen == [str(tmp_path / "story.timeline.json")]
        assert source.read_bytes() == before
    finally:
        window.close()


def test_sorting_the_table_keeps_the_selected_event_highlighted(qtbot, window) -> None:
    table = window.table
    window.state.select_id("e-fable5-shutdown")
    table.model().sort(TITLE)
    row = table.model().key_at(table.currentIndex().row())
    assert row == window.store.row_of("e-fable5-shutdown")
    assert table.selectionModel().isRowSelected(table.currentIndex().row())


def test_a_new_document_starts_unfiltered(qtbot, window, story) -> None:
    window.search.field.setText("alibaba")
    window.search.apply_text()
    window.state.set_filter(Filter(text="alibaba", actors=frozenset({"alibaba"})))
    assert window.search.count.text() == "1 of 6 events"
    window.session.adopt(ImportResult(story.copy(), Path("other.json"), "native"))
    assert window.state.filter == Filter()
    assert window.search.field.text() == ""
    assert window.search.count.text() == "6 of 6 events"


def test_an_open_ended_date_range_reopens_with_an_empty_field(qtbot, window, monkeypatch) -> None:
    window.state.set_filter(Filter(window=(0, OPEN_END)))
    shown: list[str] = []

    def look(dialog: DateDialog) -> int:
        shown.extend(field.text() for field in dialog.fields)
        return 0

    monkeypatch.setattr(DateDialog, "exec", look)
    window.search.ask_date_range()
    assert shown == ["1970-01-01", ""]


def test_a_reversed_date_range_is_refused(qtbot, window, monkeypatch) -> None:
    from explorer.model.dates import parse_date

    def answer(dialog: DateDialog) -> int:
        dialog.values = [parse_date("2026"), parse_date("2025")]
        return DateDialog.DialogCode.Accepted

    told: list[str] = []
    monkeypatch.setattr(DateDialog, "exec", answer)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: told.append(args[2]))
    window.search.ask_date_range()
    assert told
    assert window.state.filter.window is None


def test_set_aside_rows_export_is_guarded_against_formulas(story) -> None:
    result = ImportResult(
        story,
        Path("evil.csv"),
        "csv",
        skipped=[SkippedRow("row 2", '=HYPERLINK("http://x")', "@SUM(1)")],
    )
    text = result.skipped_csv()
    assert "'=HYPERLINK" in text
    assert "'@SUM(1)" in text
    assert "\n=HYPERLINK" not in text


def test_save_as_onto_a_file_open_elsewhere_is_refused(
    qtbot, window, story, tmp_path, monkeypatch
) -> None:
    from explorer.ui.main_window import MainWindow

    target = tmp_path / "theirs.json"
    write_native(story, target)
    other = MainWindow(read_native(target), target)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: told.append(args[2]))
    try:
        assert not window.session.save_to(target)
        assert told
        assert "theirs.json is open in Timeline Explorer" in told[0]
    finally:
        other.close()


def test_message_boxes_and_tooltips_show_file_text_as_written(window) -> None:
    from explorer.ui.messages import plain

    assert plain('<img src="x"> & <b>') == '<qt>&lt;img src="x"&gt; &amp; &lt;b&gt;</qt>'
    model = window.table.model()
    tip = model.data(model.index(0, TITLE), 3)  # ToolTipRole
    assert tip.startswith("<qt>")
    assert np.all([not s.startswith("<qt>") for s in [model.data(model.index(0, TITLE))]])
