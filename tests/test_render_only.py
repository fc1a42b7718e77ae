"""A headless render reads the document and takes no lock: killed mid-render, it leaves
nothing behind, and it never makes the file read-only for the user's window."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hostile import run_cli

from explorer.io.native import read_native
from explorer.resources import dataset_path
from explorer.ui.doc_lock import lock_path_for


def test_a_render_only_window_takes_no_lock(qtbot: Any, tmp_path: Path) -> None:
    from explorer.ui.main_window import MainWindow

    story = tmp_path / "story.json"
    shutil.copy(dataset_path(), story)
    shown = MainWindow(read_native(story), story, render_only=True)
    qtbot.addWidget(shown)
    shown.show()
    assert shown.session.lock is None
    assert not lock_path_for(story).exists()
    assert not shown.session.read_only
    # An ordinary window on the same file does lock it (so the check above can fail).
    normal = MainWindow(read_native(story), story)
    qtbot.addWidget(normal)
    normal.show()
    assert lock_path_for(story).exists()
    normal.session.release_lock()


def test_screenshot_of_a_file_leaves_only_the_file_and_the_picture(tmp_path: Path) -> None:
    story = tmp_path / "story.json"
    shutil.copy(dataset_path(), story)
    run = run_cli(str(story), "--screenshot", str(tmp_path / "shot.png"))
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.png", "story.json"]
