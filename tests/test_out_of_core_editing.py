"""Editing a Parquet file opened out of core, in the window, as a user does it: the
file opened through the window's large-file seam (DuckDB, index built on a worker),
pan and zoom by keys while frame questions are in flight, a status change through
the edit form, undo and redo, a star and a quick tag, Save, close, reopen; what the
detail view and the table show after reopening is what the saved overlay holds, and
the Parquet file itself is never written. A crash copy is reported on the next open."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from explorer.engines.synthetic import write_synthetic_parquet
from explorer.io.native import read_native
from explorer.model.document import ClaimStatus
from explorer.resources import dataset_path
from explorer.ui import style
from explorer.ui.edit_dialogs import EventDialog
from explorer.ui.event_table import STARRED, STATUS, TAGS
from explorer.ui.main_window import MainWindow
from tests.test_annotations_ui import in_dialog, refocus, table_cell

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
N_EVENTS = 20_000


@pytest.fixture
def parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))
    return write_synthetic_parquet(tmp_path / "big.parquet", N_EVENTS, n_actors=12)


@pytest.fixture
def open_large(qtbot: Any) -> Iterator[Any]:
    """A window on the bundled story that then opens `path` the way File > Open does
    for a large Parquet file (MainWindow.open_out_of_core: DuckDB, on a worker)."""
    opened: list[MainWindow] = []

    def make(path: Path) -> MainWindow:
        win = MainWindow(read_native(dataset_path()), dataset_path())
        win.resize(1400, 860)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        win.open_out_of_core(path)
        with qtbot.waitSignal(win.opener.opened, timeout=300_000):
            pass
        win.settle()
        assert not win.in_memory
        refocus(qtbot, win)  # back from the progress dialog
        opened.append(win)
        return win

    yield make
    for win in opened:
        if win.isVisible():  # (a test may have closed it, as the user does)
            win.editor.stack.setClean()
            win.close()
        win.deleteLater()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status_shown(win: MainWindow, key: int) -> tuple[str, bool]:
    """The status as the table shows it, and whether the detail view describes it."""
    status = str(table_cell(win, key, STATUS))
    return status, style.STATUS_DESCRIPTIONS[ClaimStatus(status)] in win.detail.text()


def test_edit_undo_redo_star_tag_save_reopen(qtbot: Any, open_large: Any, parquet: Path) -> None:
    before = sha(parquet)
    win = open_large(parquet)
    timeline = win.timeline
    assert win.actions_by_id["edit.edit_event"].isEnabled()
    assert win.actions_by_id["annotate.star"].isEnabled()
    assert "edits kept in big.parquet.overlay.json" in win.statusBar().currentMessage()

    # Pan and zoom by keys, a frame painted after each key without waiting for answers.
    asked = win.queries.asked + win.queries.dropped  # type: ignore[attr-defined]
    for key, mods in (
        [(Qt.Key.Key_Plus, Qt.KeyboardModifier.NoModifier)] * 4
        + [(Qt.Key.Key_Right, SHIFT)] * 3
        + [(Qt.Key.Key_Minus, Qt.KeyboardModifier.NoModifier)] * 2
    ):
        qtbot.keyClick(timeline, key, mods)
        timeline.repaint()
        assert any(f.density or len(f.rows) for f in timeline._frames), "a blank frame"
    assert win.queries.asked + win.queries.dropped > asked  # type: ignore[attr-defined]
    win.settle()

    qtbot.keyClick(timeline, Qt.Key.Key_Home)  # the first event
    key, ident = win.state.selected, win.state.selected_id
    assert key >= 0
    assert ident is not None
    original = win.queries.record(key).status
    target = "disputed" if original != "disputed" else "alleged"
    assert status_shown(win, key) == (original, True)

    # F2: the edit form, status changed from the keyboard, Ctrl+Return to accept.
    def change_status(dialog: QWidget) -> None:
        assert isinstance(dialog, EventDialog)
        dialog.status.setFocus()
        while dialog.status.currentData() != target:
            qtbot.keyClick(dialog.status, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.status, Qt.Key.Key_Return, CTRL)

    errors = in_dialog(qtbot, EventDialog, change_status)
    qtbot.keyClick(timeline, Qt.Key.Key_F2)
    assert not errors, errors
    refocus(qtbot, win)
    assert win.isWindowModified()
    assert status_shown(win, key) == (target, True)
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    assert status_shown(win, key) == (original, True)
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status_shown(win, key) == (target, True)

    # Delete the last event (Del), then undo: gone from the table, then back.
    qtbot.keyClick(timeline, Qt.Key.Key_End)
    last = win.state.selected_id
    assert last is not None
    assert last != ident
    rows = win.table.table_model.rowCount()
    qtbot.keyClick(timeline, Qt.Key.Key_Delete)
    assert win.table.table_model.rowCount() == rows - 1
    assert win.queries.key_of(last) < 0
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    assert win.table.table_model.rowCount() == rows
    assert win.queries.key_of(last) >= 0
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    assert win.state.selected_id == ident

    # A star (Ctrl+B) and the first quick tag (Alt+1: "suspicious").
    qtbot.keyClick(timeline, Qt.Key.Key_B, CTRL)
    qtbot.keyClick(timeline, Qt.Key.Key_1, ALT)
    assert table_cell(win, key, STARRED) == "★"
    assert table_cell(win, key, TAGS) == "suspicious"
    assert "★ Starred" in win.detail.text()

    qtbot.keyClick(timeline, Qt.Key.Key_S, CTRL)
    overlay = parquet.with_name("big.parquet.overlay.json")
    assert overlay.exists()
    assert not overlay.with_name(overlay.name + ".unsaved").exists()  # Save, not the crash copy
    assert not win.isWindowModified()
    assert sha(parquet) == before  # the data is never written
    saved = json.loads(overlay.read_text("utf-8"))["current"]
    (event,) = [e for e in saved["events"] if e["id"] == ident]
    assert event["status"] == target
    win.close()
    assert not win.isVisible()  # saved: closes without asking

    again = open_large(parquet)
    assert not again.queries.edit_overlay().recovered  # type: ignore[union-attr]
    qtbot.keyClick(again.timeline, Qt.Key.Key_Home)
    assert again.state.selected_id == ident
    key = again.state.selected
    assert status_shown(again, key) == (target, True)
    assert table_cell(again, key, STARRED) == "★"
    assert table_cell(again, key, TAGS) == "suspicious"
    assert "★ Starred" in again.detail.text()
    assert "suspicious" in again.detail.text()
    assert not again.isWindowModified()
    assert sha(parquet) == before


def test_unsaved_edits_come_back_as_unsaved_after_a_crash(
    qtbot: Any, open_large: Any, parquet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = open_large(parquet)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Home)
    ident = win.state.selected_id
    qtbot.keyClick(win.timeline, Qt.Key.Key_B, CTRL)
    crash_copy = parquet.with_name("big.parquet.overlay.json.unsaved")
    qtbot.waitUntil(crash_copy.exists, timeout=5_000)  # a moment after the edit, unsaved
    # The process dies: nobody is asked, nothing is saved or discarded (here: the
    # window goes without its question; the crash copy stays as a kill leaves it).
    win.editor.stack.setClean()
    win.close()
    assert crash_copy.exists()

    again = open_large(parquet)
    assert "Recovered unsaved edits" in again.statusBar().currentMessage()
    assert again.isWindowModified()  # restored edits are unsaved edits
    key = again.queries.key_of(str(ident))
    assert again.queries.record(key).starred
    assert not parquet.with_name("big.parquet.overlay.json").exists()

    # Closing and discarding them leaves no crash copy to recover the next time.
    def discard(box: QMessageBox) -> int:
        next(b for b in box.buttons() if b.text() == "&Discard Changes").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", discard)
    again.close()
    assert not again.isVisible()
    assert not crash_copy.exists()


def test_nudges_fold_into_one_undo_step_out_of_core(
    qtbot: Any, open_large: Any, parquet: Path
) -> None:
    win = open_large(parquet)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Home)
    key = win.state.selected
    start = win.queries.record(key).start
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right, ALT)
    qtbot.keyClick(win.timeline, Qt.Key.Key_Right, ALT)
    moved = win.queries.record(win.queries.key_of(str(win.state.selected_id))).start
    assert moved.seconds > start.seconds
    assert win.editor.stack.count() == 1  # two nudges, one step
    qtbot.keyClick(win.timeline, Qt.Key.Key_Z, CTRL)
    assert win.queries.record(key).start == start
    qtbot.keyClick(win.timeline, Qt.Key.Key_Z, CTRL | SHIFT)
    assert win.queries.record(key).start == moved
