"""The bundled story is the user's to read, not to overwrite; exports say what they show."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from explorer import app
from explorer.io.native import read_native, write_native
from explorer.resources import dataset_path, is_installed
from explorer.ui import document_session
from explorer.ui.doc_lock import lock_path_for
from explorer.ui.export_dialog import ExportViewDialog
from explorer.ui.main_window import MainWindow
from tests.test_session import drive_dialogs

ROOT = Path(__file__).resolve().parents[1]


def launch_without_a_file(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    """What `timeline-explorer` with no argument opens."""
    args = app.parser().parse_args([])
    result, path = app.load(args)
    window = MainWindow(result.document, path, imported=result.format != "native")
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    window.timeline.setFocus()
    return window


def press(qtbot, window, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:  # type: ignore[no-untyped-def]
    """A key on the timeline, back in the main window after a dialog."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    qtbot.keyClick(window.timeline, key, modifier)


def test_ctrl_s_on_the_bundled_story_asks_where_in_documents(
    qtbot, monkeypatch, tmp_path: Path
) -> None:
    shipped = dataset_path().read_bytes()
    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(document_session, "documents_folder", lambda: documents)
    asked: list[str] = []
    target = documents / "mine.json"

    def save_dialog(_parent, _caption, suggested, _filters):  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window = launch_without_a_file(qtbot)
    try:
        assert "Untitled (a copy of the bundled story)" in window.windowTitle()
        assert not lock_path_for(dataset_path()).exists()

        def title(dialog) -> None:  # type: ignore[no-untyped-def]
            qtbot.keyClicks(dialog.title_edit, "A new event")

        drive_dialogs(monkeypatch, qtbot, [title])
        press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert asked == [str(documents / "permission-layer.json")]
        assert dataset_path().read_bytes() == shipped
        assert not lock_path_for(dataset_path()).exists()
        assert "A new event" in {str(t) for t in read_native(target).events["title"]}
        assert window.statusBar().currentMessage().startswith("Saved mine.json")
        assert window.windowTitle().startswith("The Permission Layer")
        assert "mine.json" in window.windowTitle()
    finally:
        window.editor.stack.setClean()
        window.close()


def test_the_bundled_story_counts_as_installed(tmp_path: Path) -> None:
    assert is_installed(dataset_path())
    assert not is_installed(tmp_path / "story.json")
    assert not is_installed(document_session.documents_folder())


def test_a_killed_holders_lock_is_stale_and_taken_over(qtbot, tmp_path: Path) -> None:
    story = tmp_path / "story.json"
    write_native(read_native(dataset_path()), story)
    # Another Timeline Explorer holds the file, then dies without cleaning up.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from explorer.ui.doc_lock import DocumentLock
                lock = DocumentLock({str(story)!r})
                assert lock.acquire()
                print("locked", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    assert lock_path_for(story).exists()
    window = MainWindow(read_native(story), story)  # no "already open" question
    try:
        assert not window.session.read_only
        assert window.session.lock is not None
        assert window.session.lock.locked
        assert "read-only" not in window.windowTitle()
    finally:
        window.close()


def test_sigterm_leaves_no_lock_and_keeps_edits_for_recovery(tmp_path: Path) -> None:
    story = tmp_path / "story.json"
    write_native(read_native(dataset_path()), story)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["TIMELINE_EXPLORER_STATE_DIR"] = str(tmp_path / "state")
    env["TIMELINE_EXPLORER_SETTINGS"] = str(tmp_path / "settings.ini")
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QTimer
        from explorer import app
        from explorer.ui import main_window

        def edit_then_report():
            window = next(
                w for w in app_qt.topLevelWidgets() if isinstance(w, main_window.MainWindow)
            )
            window.timeline.select_first()
            window.editor.nudge_later()
            print("edited", flush=True)

        from PySide6.QtWidgets import QApplication
        app_qt = QApplication(sys.argv[:1])
        QTimer.singleShot(500, edit_then_report)
        sys.exit(app.main([{str(story)!r}]))
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "edited"
        assert lock_path_for(story).exists()
        child.send_signal(signal.SIGTERM)
        assert child.wait(20) == 0
    finally:
        child.kill()
    assert not lock_path_for(story).exists()
    assert list((tmp_path / "state").glob("*")), "the unsaved edit is kept for recovery"


def test_export_view_starts_in_documents_with_a_real_label(
    qtbot, window, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(document_session, "documents_folder", lambda: tmp_path)
    seen: list[ExportViewDialog] = []

    def exec_(dialog: ExportViewDialog) -> int:
        seen.append(dialog)
        return 0

    monkeypatch.setattr(ExportViewDialog, "exec", exec_)
    qtbot.keyClick(window.timeline, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    (dialog,) = seen
    assert dialog.path.parent == tmp_path
    assert not is_installed(dialog.path)
    labels = [label for label in dialog.findChildren(QLabel) if "File" in label.text()]
    assert labels
    assert labels[0].buddy() is dialog.path_edit  # shown as "File:", F underlined


def test_exported_view_draws_title_and_filter(qtbot, window, tmp_path: Path) -> None:
    from explorer.ui import export

    window.search.field.setText("china")
    window.search.apply_text()
    heading = window.export_heading()
    assert heading.title == window.store.document.title
    assert "china" in heading.filter
    out = tmp_path / "view.png"
    export.export_view(window.timeline, out, QSize(1200, 600), heading)
    image = QImage(str(out))
    bare = tmp_path / "bare.png"
    export.export_view(window.timeline, bare, QSize(1200, 600 - export.HEADING_H))
    below = QImage(str(bare))
    # The view itself is drawn whole below the strip ...
    for y in (60, 200, 400):
        for x in (200, 600, 1000):
            assert image.pixelColor(x, y + export.HEADING_H) == below.pixelColor(x, y)

    # ... and the strip has two lines of ink: the title, then the filter.
    def inked_columns(y0: int, y1: int) -> int:
        return sum(
            any(image.pixelColor(x, y).lightness() < 200 for y in range(y0, y1))
            for x in range(0, 1200, 2)
        )

    assert inked_columns(4, 24) > 100
    assert inked_columns(28, 42) > 30
