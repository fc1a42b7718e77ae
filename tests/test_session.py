"""Never losing work: a keyboard edit session with undo, crash recovery, locks, recent files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox

from explorer.io.native import dumps_native, read_native, write_native
from explorer.model.dates import Precision
from explorer.model.document import start_value
from explorer.ui import settings
from explorer.ui.edit_dialogs import EventDialog
from explorer.ui.recovery import RecoveryStore

ROOT = Path(__file__).resolve().parents[1]


def focused():
    return QApplication.focusWidget()


def drive_dialogs(monkeypatch, qtbot, steps: list[Callable[[EventDialog], None]]) -> None:
    """Each EventDialog the window opens is shown and driven by the next step's keys."""
    queue = list(steps)

    def exec_(dialog: EventDialog) -> int:
        # Like QDialog.exec: a nested event loop; the keys arrive from inside it, as a
        # user's would, not from within the shortcut's own key event.
        loop = QEventLoop()

        def drive() -> None:
            dialog.activateWindow()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
            queue.pop(0)(dialog)
            qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: not dialog.isVisible())
            loop.quit()

        dialog.show()
        QTimer.singleShot(0, drive)
        loop.exec()
        return int(dialog.result())

    monkeypatch.setattr(EventDialog, "exec", exec_)


def test_keyboard_only_edit_session(qtbot, window, monkeypatch) -> None:
    store, t = window.store, window.timeline

    def type_title(dialog: EventDialog) -> None:
        assert focused() is dialog.title_edit
        qtbot.keyClicks(focused(), "Sanctions announced")  # QTest types ASCII only

    def year_precision(dialog: EventDialog) -> None:
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # &Precision
        assert focused() is dialog.start.precision
        qtbot.keyClick(focused(), Qt.Key.Key_Home)  # the coarsest: year

    def add_actor(dialog: EventDialog) -> None:
        def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
            qtbot.keyClick(focused(), k, modifier)
            QApplication.processEvents()  # item views end a cell edit by a queued call

        with qtbot.waitSignal(dialog.add_actor.clicked, timeout=2000):
            key(Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # "Add actor"
        assert isinstance(focused(), QComboBox)
        qtbot.keyClicks(focused(), "Alib")
        key(Qt.Key.Key_Tab)
        qtbot.keyClicks(focused(), "accused")
        key(Qt.Key.Key_Return)

    def alleged(dialog: EventDialog) -> None:
        dialog.status.setFocus()
        qtbot.keyClicks(dialog.status, "alleged")

    drive_dialogs(monkeypatch, qtbot, [type_title, year_precision, add_actor, alleged])

    def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        # Back in the main window after a dialog (as the window manager would make it).
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        t.setFocus()
        qtbot.keyClick(t, key, modifier)

    def new() -> dict:
        row = window.state.selected
        ev = store.document.events
        links = store.document.links
        ident = str(ev["id"].iloc[row])
        return {
            "title": str(ev["title"].iloc[row]),
            "start": start_value(ev, row),
            "status": str(ev["status"].iloc[row]),
            "actors": links[links["event_id"] == ident][["actor_id", "role"]].values.tolist(),
            "lanes": [t.lanes[i].name for i in t._lanes_of(row)],
            "rows": window.table.model().rowCount(),
        }

    press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    step1 = new()
    assert step1["title"] == "Sanctions announced"
    assert step1["start"].precision == Precision.DAY
    assert step1["rows"] == 7
    assert step1["lanes"] == ["(no actor)"]
    assert window.isWindowModified()
    press(Qt.Key.Key_F2)
    step2 = new()
    assert step2["start"].precision == Precision.YEAR
    press(Qt.Key.Key_F2)
    step3 = new()
    assert step3["actors"] == [["alibaba", "accused"]]
    assert step3["lanes"] == ["Alibaba"]
    press(Qt.Key.Key_F2)
    step4 = new()
    assert step4["status"] == "alleged"
    assert (
        window.table.model().data(window.table.model().index(window.table.currentIndex().row(), 3))
        == "alleged"
    )
    undo = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    redo = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    for expected in (step3, step2, step1):
        press(*undo)
        assert new() == expected
    for expected in (step2, step3):
        press(*redo)
        assert new() == expected
    assert window.editor.stack.count() == 4


CRASHING_SESSION = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from explorer.edits import ReplaceEvent, event_record
    from explorer.io.native import dumps_native, read_native
    from explorer.ui.main_window import MainWindow

    app = QApplication([])
    path = Path(sys.argv[1])
    window = MainWindow(read_native(path), path)
    window.show()
    app.processEvents()
    window.state.select_id("e-fable5-shutdown")
    QTest.keyClick(window.timeline, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    record = dict(event_record(window.store.document, "e-fable5-shutdown"), title=sys.argv[2])
    window.editor.apply(ReplaceEvent("e-fable5-shutdown", record))
    Path(sys.argv[3]).write_bytes(dumps_native(window.store.document))
    deadline = time.time() + 30
    while not list(window.session.recovery.directory.glob("*.recovery.json")):
        app.processEvents()
        time.sleep(0.05)
        if time.time() > deadline:
            sys.exit("no recovery file written")
    print("ready", flush=True)
    while True:
        app.processEvents()
        time.sleep(0.05)
    """
)


def test_edits_survive_sigkill_and_are_offered_back(
    qtbot, tmp_path: Path, story, monkeypatch
) -> None:
    from explorer.ui.main_window import MainWindow

    story_file = tmp_path / "story.json"
    write_native(story, story_file)
    expected_file = tmp_path / "expected.json"
    typed = "Fable 5 — “shut down” <b>for</b> foreign nationals ✓"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SESSION, str(story_file), typed, str(expected_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "ready", child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert story_file.read_bytes() == dumps_native(story)  # the file itself was never saved
    pending = RecoveryStore().pending()
    assert len(pending) == 1
    assert "story.json" in pending[0].summary()
    # The restarted app offers the edits; the user accepts.
    asked: list[str] = []

    def answer(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window = MainWindow(read_native(story_file), story_file)
    try:
        assert window.session.offer_recovery()
        assert asked
        assert "Unsaved changes to story.json" in asked[0]
        assert dumps_native(window.store.document) == expected_file.read_bytes()
        row = window.store.row_of("e-fable5-shutdown")
        assert str(window.store.document.events["title"].iloc[row]) == typed
        assert window.isWindowModified()
        assert RecoveryStore().pending() == []  # decided: the old file is gone
    finally:
        window.editor.stack.setClean()
        window.close()


def test_clean_exit_leaves_no_recovery_file(qtbot, window, tmp_path: Path) -> None:
    window.state.select_id("e-fable5-shutdown")
    window.editor.nudge_later()
    window.session.autosave.flush()
    directory = window.session.recovery.directory
    assert list(directory.glob("*.recovery.json"))
    window.editor.undo()  # back to the saved state: nothing to recover
    assert not list(directory.glob("*.recovery.json"))
    window.editor.redo()
    window.session.autosave.flush()
    window.session.save_to(tmp_path / "saved.json")
    assert not list(directory.glob("*.recovery.json"))


def test_second_window_on_the_same_file_opens_read_only(
    qtbot, story, tmp_path: Path, monkeypatch
) -> None:
    from explorer.ui.main_window import MainWindow

    path = tmp_path / "shared.json"
    write_native(story, path)
    first = MainWindow(read_native(path), path)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append(box.text()) or 0)
    second = MainWindow(read_native(path), path)
    try:
        assert first.session.lock is not None
        assert second.session.read_only
        assert told
        assert "shared.json is open in Timeline Explorer" in told[0]
        assert "(read-only)" in second.windowTitle()
        assert not second.actions_by_id["edit.new_event"].isEnabled()
        assert first.actions_by_id["edit.new_event"].isEnabled()
    finally:
        second.close()
        first.close()
    # Once the first window closes, the file can be opened for editing again.
    third = MainWindow(read_native(path), path)
    try:
        assert not third.session.read_only
    finally:
        third.close()


def test_recent_files_and_last_view_are_remembered(qtbot, story, tmp_path: Path) -> None:
    from explorer.ui.main_window import MainWindow

    path = tmp_path / "story.json"
    write_native(story, path)
    window = MainWindow(read_native(path), path)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    window.timeline.zoom_in()
    window.timeline.zoom_in()
    view = window.timeline.viewport
    window.state.toggle_actor("huawei")
    window.close()
    assert settings.recent_files()[0] == path.resolve() or settings.recent_files()[0] == path
    again = MainWindow(read_native(path), path)
    again.resize(1400, 860)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: again.state.hidden_actors == frozenset({"huawei"}))
    try:
        assert again.state.hidden_actors == frozenset({"huawei"})
        assert again.timeline.viewport.start_ns == view.start_ns
        assert again.timeline.viewport.span_ns == view.span_ns
        again._fill_recent()
        assert any(a.text().endswith("story.json") for a in again.recent_menu.actions())
    finally:
        again.close()


@pytest.mark.parametrize("suffix", [".json", ".parquet"])
def test_save_as_native_or_parquet_round_trips(qtbot, window, tmp_path: Path, suffix: str) -> None:
    from explorer.io.formats import read_any

    target = tmp_path / f"story{suffix}"
    assert window.session.save_to(target)
    assert read_any(target).document.equals(window.store.document)
