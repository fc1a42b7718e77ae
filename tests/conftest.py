"""Shared fixtures: the embedded story, a main window on it, and a store at scale."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.io.native import read_native
from explorer.model.document import Document
from explorer.model.store import EventStore
from explorer.resources import dataset_path


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never touch the user's settings, recent files, recovery folder or cache
    (sidecars, count tables, overlays of shared tables): nor each other's, when the
    suite runs in several processes."""
    root = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(root / "cache" / "index"))
    monkeypatch.setenv("TIMELINE_EXPLORER_STATE_DIR", str(root / "recovery"))
    monkeypatch.setenv("TIMELINE_EXPLORER_SETTINGS", str(root / "settings.ini"))


@pytest.fixture(autouse=True)
def collect_garbage_on_the_main_thread() -> Iterator[None]:
    """What a test leaves in reference cycles (windows, dialogs) is collected here, on
    the main thread, as the app's GUI-thread collector would (explorer/ui/gui_gc.py):
    never by a worker thread of the next test."""
    yield
    gc.collect()


@pytest.fixture
def story() -> Document:
    return read_native(dataset_path())


@pytest.fixture
def story_path() -> Path:
    return dataset_path()


@pytest.fixture
def window(qtbot, story: Document, story_path: Path) -> Iterator[object]:
    from explorer.ui.main_window import MainWindow

    win = MainWindow(story, story_path)
    # Not qtbot.addWidget: pytest-qt would close it before this fixture's teardown,
    # and a window with edits would then wait for an answer to "Save changes?".
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    win.timeline.setFocus()
    yield win
    # A test may leave edits behind: close without the unsaved-changes question.
    win.editor.stack.setClean()
    win.close()
    win.deleteLater()


@pytest.fixture
def story_store(story: Document) -> EventStore:
    return EventStore(story)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the engines the suite started (PostgreSQL, Spark Connect, chdb)."""
    from tests.engines import stop_all

    stop_all()
