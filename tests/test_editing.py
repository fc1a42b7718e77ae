"""Editing in the window: undo/redo, the modified mark, moving by keys and by drag, saving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from explorer.io.native import dumps_native, read_native
from explorer.model.document import start_value


def start_of(window, ident: str) -> str:
    return start_value(window.store.document.events, window.store.row_of(ident)).iso()


def focus(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()


def test_nudges_fold_into_one_undo_step(qtbot, window) -> None:
    focus(qtbot, window)
    window.state.select_id("e-fable5-shutdown")
    for _ in range(3):
        qtbot.keyClick(window.timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert (
        start_of(window, "e-fable5-shutdown") == "2026-06-15"
    )  # a day-precision event moves by days
    assert window.editor.stack.count() == 1
    assert window.isWindowModified()
    qtbot.keyClick(window.timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert start_of(window, "e-fable5-shutdown") == "2026-06-12"
    assert not window.isWindowModified()
    qtbot.keyClick(
        window.timeline,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert start_of(window, "e-fable5-shutdown") == "2026-06-15"


def test_year_precision_moves_by_years(qtbot, window) -> None:
    focus(qtbot, window)
    window.state.select_id("e-glasswing-blocks")
    qtbot.keyClick(window.timeline, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert start_of(window, "e-glasswing-blocks") == "2024"


def test_selection_and_view_survive_an_edit(qtbot, window) -> None:
    focus(qtbot, window)
    window.timeline.zoom_in()
    window.state.select_id("e-deepseek-v4-pro-launch")
    window.state.select_id("e-fable5-shutdown")
    view = window.timeline.viewport
    qtbot.keyClick(window.timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.state.selected_id == "e-fable5-shutdown"
    assert window.timeline.viewport == view


def test_delete_and_undo(qtbot, window) -> None:
    focus(qtbot, window)
    before = dumps_native(window.store.document)
    window.state.select_id("e-fable5-shutdown")
    qtbot.keyClick(window.timeline, Qt.Key.Key_Delete)
    assert window.store.row_of("e-fable5-shutdown") is None
    assert window.table.model().rowCount() == 5
    assert window.search.count.text() == "5 of 5 events"
    window.editor.undo()
    assert dumps_native(window.store.document) == before
    assert window.table.model().rowCount() == 6


def test_drag_a_mark_to_another_lane_and_later(qtbot, window) -> None:
    t = window.timeline
    window.state.select_id("e-fable5-shutdown")
    t.grab()
    row = window.store.row_of("e-fable5-shutdown")
    pos = t.mark_position(row).toPoint()
    target_lane = next(i for i, lane in enumerate(t.lanes) if lane.name == "Alibaba")
    frame = t._frames[target_lane]
    drop = QPoint(pos.x() + 40, int(t.plot_rect().top() + frame.top + frame.height / 2))
    qtbot.mousePress(t, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseMove(t, QPoint(pos.x() + 20, pos.y()))
    qtbot.mouseMove(t, drop)
    qtbot.mouseRelease(t, Qt.MouseButton.LeftButton, pos=drop)
    record_actors = window.store.document.links
    actors = record_actors[record_actors["event_id"] == "e-fable5-shutdown"]["actor_id"].tolist()
    assert actors == ["alibaba"]
    assert start_of(window, "e-fable5-shutdown") > "2026-06-12"  # later, snapped to a day
    assert len(start_of(window, "e-fable5-shutdown")) == 10
    assert window.editor.stack.count() == 1  # one drag, one undo step
    window.editor.undo()
    actors = window.store.document.links
    assert actors[actors["event_id"] == "e-fable5-shutdown"]["actor_id"].tolist() == [
        "us-government"
    ]


def test_save_writes_and_marks_clean(qtbot, window, tmp_path: Path) -> None:
    focus(qtbot, window)
    window.state.select_id("e-fable5-shutdown")
    window.editor.nudge_later()
    assert window.session.save_to(tmp_path / "story.json")
    assert not window.isWindowModified()
    assert read_native(tmp_path / "story.json").equals(window.store.document)


def test_failed_save_keeps_the_old_file_and_says_why(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "story.json"
    target.write_bytes(b"old contents")
    window.state.select_id("e-fable5-shutdown")
    window.editor.nudge_later()
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: messages.append(args[2]))

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert not window.session.save_to(target)
    monkeypatch.undo()
    assert target.read_bytes() == b"old contents"
    assert messages
    assert "No space left on device" in messages[0]
    assert window.isWindowModified()
    assert [p.name for p in tmp_path.iterdir()] == ["story.json"]  # no temp file left


def test_failed_save_into_missing_folder(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: messages.append(args[2]))
    window.editor.stack.resetClean()
    assert not window.session.save_to(tmp_path / "missing" / "story.json")
    assert "not saved" in messages[0]


@pytest.mark.parametrize(("choice", "closes"), [("Cancel", False), ("&Discard Changes", True)])
def test_closing_with_changes_asks(qtbot, window, monkeypatch, choice: str, closes: bool) -> None:
    window.state.select_id("e-fable5-shutdown")
    window.editor.nudge_later()
    asked: list[list[str]] = []

    def exec_(box: QMessageBox) -> int:
        # What the user sees: the question and buttons with mnemonics (Alt+S, Alt+D).
        asked.append([b.text() for b in box.buttons()])
        button = next(b for b in box.buttons() if b.text() == choice)
        button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    window.close()
    assert asked
    assert {"&Save", "&Discard Changes"} <= set(asked[0])
    assert window.isVisible() is not closes


def test_clean_document_closes_without_asking(qtbot, window, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda *args: pytest.fail("asked"))
    window.close()
    assert not window.isVisible()


def test_history_view_lists_steps(qtbot, window) -> None:
    window.state.select_id("e-fable5-shutdown")
    window.editor.duplicate_event()
    window.editor.delete_event()
    window.toggle_history()
    assert window.history.isVisible()
    assert window.editor.stack.count() == 2
    assert window.editor.stack.text(0).startswith("Add")
    assert window.editor.stack.text(1).startswith("Delete")


def test_edit_a_theme_and_a_source(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from explorer.ui.edit_dialogs import SourceDialog, ThemeDialog

    window.state.select_id("e-alibaba-accusation")
    offered: list[list[str]] = []

    def choose(parent, title, label, items, current, editable):
        offered.append(list(items))
        return items[current], True  # the selected event's own first theme/source

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    monkeypatch.setattr(ThemeDialog, "exec", lambda self: 1)
    monkeypatch.setattr(ThemeDialog, "record", lambda self: {**self._record_in, "name": "Identity"})
    monkeypatch.setattr(
        ThemeDialog,
        "__init__",
        lambda self, record, ids, parent=None: setattr(self, "_record_in", record),
    )
    window.editor.edit_theme()
    themes = window.store.document.themes
    assert themes.loc[themes["id"] == "t-identity-moat", "name"].item() == "Identity"
    assert "Identity is now the moat" in offered[0]
    monkeypatch.setattr(SourceDialog, "exec", lambda self: 1)
    monkeypatch.setattr(
        SourceDialog, "record", lambda self: {**self._record_in, "url": "https://example.org/a"}
    )
    monkeypatch.setattr(
        SourceDialog,
        "__init__",
        lambda self, record, ids, parent=None: setattr(self, "_record_in", record),
    )
    window.editor.edit_source()
    sources = window.store.document.sources
    assert "https://example.org/a" in sources["url"].tolist()
    assert window.editor.stack.count() == 2
    window.editor.undo()
    window.editor.undo()
    restored = window.store.document.themes
    assert (
        restored.loc[restored["id"] == "t-identity-moat", "name"].item()
        == "Identity is now the moat"
    )
    assert "https://example.org/a" not in window.store.document.sources["url"].tolist()
