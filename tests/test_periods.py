"""Periods (eras): read from the files that have them, kept out of the events, saved in
every format that can hold them, drawn behind the lanes, listed, jumped to and edited
with undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication

from explorer.edits import SetRecord
from explorer.io.formats import read_any
from explorer.io.native import read_native, write_native
from explorer.io.parquet import read_parquet, write_parquet
from explorer.io.write_page import page_data
from explorer.io.write_timelinejs import to_timelinejs_json
from explorer.model.document import Document
from explorer.model.periods import period_spans
from explorer.model.store import EventStore

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
ERAS = CORPUS / "timelinejs3" / "eras.json"
needs_corpus = pytest.mark.skipif(not ERAS.exists(), reason="corpus not present")


@pytest.fixture
def eras() -> Document:
    if not ERAS.exists():
        pytest.skip("corpus not present")
    return read_any(ERAS).document


@needs_corpus
def test_periods_survive_native_parquet_and_timelinejs(eras: Document, tmp_path: Path) -> None:
    assert (len(eras.events), len(eras.periods)) == (20, 3)
    native = tmp_path / "eras.json"
    write_native(eras, native)
    assert b'"version": 2,' in native.read_bytes()[:60]
    assert read_native(native).equals(eras)
    parquet = tmp_path / "eras.parquet"
    write_parquet(eras, parquet)
    assert read_parquet(parquet).periods.equals(eras.periods)
    story = to_timelinejs_json(eras)
    assert [e["text"]["headline"] for e in story["eras"]] == list(eras.periods["label"])
    assert len(story["events"]) == 20
    lo, hi = period_spans(eras.periods)
    page = page_data(eras)
    assert [(p["name"], p["lo"], p["hi"]) for p in page["periods"]] == list(
        zip(eras.periods["label"], lo.tolist(), hi.tolist(), strict=True)
    )


def test_version_1_files_read_as_before(tmp_path: Path) -> None:
    """A version-1 file holding an era as an event (as saved before periods) stays so."""
    old = tmp_path / "old.json"
    old.write_text(
        '{"format": "timeline-explorer", "version": 1, "events": [{"id": "era-1", '
        '"title": "Era", "start": "0600", "end": "0650", '
        '"attributes": {"timelinejs": {"era": true}}}]}',
        "utf-8",
    )
    doc = read_native(old)
    assert (len(doc.events), len(doc.periods)) == (1, 0)
    assert to_timelinejs_json(doc)["eras"][0]["text"]["headline"] == "Era"


@needs_corpus
def test_period_edits_undo_exactly(eras: Document) -> None:
    doc = eras.copy()
    before = doc.periods.copy()
    record = {"id": "p-new", "label": "Late", "start": "0710", "end": "0715", "colour": ""}
    add = SetRecord("periods", "p-new", record)
    add.apply(doc)
    assert list(doc.periods["id"])[-1] == "p-new"
    add.undo(doc)
    assert doc.periods.equals(before)
    delete = SetRecord("periods", "era-22", None)
    delete.apply(doc)
    assert "era-22" not in set(doc.periods["id"])
    delete.undo(doc)
    assert doc.periods.equals(before)
    with pytest.raises(ValueError, match="ends before it starts"):
        SetRecord("periods", "p-bad", {**record, "id": "p-bad", "end": "0700"}).apply(doc)


@pytest.fixture
def era_window(qtbot, eras: Document, tmp_path: Path) -> Iterator[object]:
    from explorer.ui.main_window import MainWindow

    win = MainWindow(eras, tmp_path / "eras.json")
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    win.timeline.setFocus()
    yield win
    win.editor.stack.setClean()
    win.close()
    win.deleteLater()


def test_periods_model_passes_the_model_tester(qtmodeltester, eras: Document) -> None:
    from explorer.ui.periods_panel import PeriodsModel
    from explorer.ui.view_state import ViewState

    model = PeriodsModel(ViewState(EventStore(eras)))
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(3)] == [
        "Era Test 600-650",
        "Era Test 650-700",
        "Era Test 700-720",
    ]  # in start order, not file order


def _fill_dialog(label: str, start: str, end: str) -> None:
    dialog = QApplication.activeModalWidget()
    assert dialog is not None
    assert dialog.objectName() == "period-dialog"
    dialog.label.setText(label)  # type: ignore[attr-defined]
    dialog.start.edit.setText(start)  # type: ignore[attr-defined]
    dialog.end.edit.setText(end)  # type: ignore[attr-defined]
    dialog._accept()  # type: ignore[attr-defined]


def test_panel_by_keys_jump_add_delete_undo(qtbot, era_window) -> None:
    win = era_window
    periods = lambda: win.store.document.periods  # noqa: E731
    # Bands are drawn behind the lanes, labelled.
    win.timeline.render_image(QSize(1200, 500))
    assert set(win.timeline.period_bands.drawn) >= {"Era Test 600-650", "Era Test 650-700"}
    # Ctrl+5 puts the keyboard in the list; Down, Enter: the timeline shows that period.
    qtbot.keyClick(win.timeline, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = win.periods.view
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert win.periods.current_id() == "era-21"  # 650-700, second by start
    qtbot.keyClick(view, Qt.Key.Key_Return)
    lo, hi = period_spans(periods()[periods()["id"] == "era-21"])
    t0, t1 = win.state.viewport.window()
    assert t0 <= int(lo[0]) < int(hi[0]) <= t1
    assert (t1 - t0) < 2 * (int(hi[0]) - int(lo[0]))  # zoomed to it, not the whole story
    # Insert adds one through the dialog; undo and redo by the usual keys.
    QTimer.singleShot(0, lambda: _fill_dialog("Umayyad late", "0720", "0750"))
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    assert "Umayyad late" in set(periods()["label"])
    assert win.periods.model.index(3, 0).data() == "Umayyad late"
    with qtbot.waitActive(win):  # offscreen, a closed dialog does not hand activation back
        win.activateWindow()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(periods()) == 3
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(periods()) == 4
    # Delete removes the current one (the panel, not the selected event, takes the key).
    events = len(win.store.document.events)
    view.setFocus()
    view.setCurrentIndex(win.periods.model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "Era Test 600-650" not in set(periods()["label"])
    assert len(win.store.document.events) == events
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Era Test 600-650" in set(periods()["label"])


def test_the_story_without_periods_keeps_the_panel_out_of_the_way(window) -> None:
    assert len(window.store.document.periods) == 0
    assert not window.periods.parentWidget().isVisible()
    window.periods.focus_list()
    assert window.periods.parentWidget().isVisible()
