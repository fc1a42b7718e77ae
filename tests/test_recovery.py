"""Crash recovery: per-session recovery files, found after a crash, loaded exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from factories import event, make_document
from PySide6.QtCore import QStandardPaths

from explorer.io.errors import ReadError, WriteError
from explorer.io.native import dumps_native
from explorer.model.document import Document
from explorer.ui import recovery
from explorer.ui.recovery import AutosaveTimer, RecoveryInfo, RecoveryStore, read_header


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv(recovery.STATE_DIR_ENV, str(directory))
    return directory


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def set_header(path: Path, **fields: object) -> None:
    """Rewrite header fields of a recovery file, as another process would have written."""
    first, rest = path.read_bytes().split(b"\n", 1)
    header = json.loads(first[:-1] + b"}")
    header.update(fields)
    path.write_bytes(json.dumps(header).encode()[:-1] + b",\n" + rest)


def tricky() -> Document:
    """Non-ASCII, a lone surrogate, a figure without a quantity: what must survive."""
    return make_document(
        [
            event("e1", "2026-11-28", title="Störy 日本語", attributes={"k\udc00": "v\ud800"}),
            event("e2", "-500", end="-499-06", figures=[{"text": "many", "quantity": None}]),
        ],
        title="t\udfff",
    )


def crashed(store: RecoveryStore, doc: Document, pid: int, session: str = "s1") -> Path:
    path = store.write(doc, Path("/data/story.json"), session)
    set_header(path, pid=pid)
    return path


def test_a_crashed_session_is_pending_in_a_new_store(
    story: Document, state: Path, dead_pid: int
) -> None:
    path = crashed(RecoveryStore(), story, dead_pid)
    assert path.parent == state
    assert path.name == "s1.recovery.json"
    store = RecoveryStore()
    (info,) = store.pending()
    assert store.corrupt == []
    assert info.path == path
    assert info.pid == dead_pid
    assert info.document_path == Path("/data/story.json").absolute()
    assert info.events == len(story.events)
    assert abs((datetime.now(UTC) - info.saved_at).total_seconds()) < 60
    assert info.summary().startswith("Unsaved changes to story.json from ")
    assert info.summary().endswith(f": {len(story.events)} events")


@pytest.mark.parametrize("make", [lambda s: s, lambda s: tricky()], ids=["story", "tricky"])
def test_load_gives_back_the_document_exactly(story: Document, dead_pid: int, make) -> None:
    doc = make(story)
    crashed(RecoveryStore(), doc, dead_pid)
    store = RecoveryStore()
    (info,) = store.pending()
    again = store.load(info)
    assert again.equals(doc)
    assert dumps_native(again) == dumps_native(doc)


def test_the_file_is_json_with_the_document_embedded(story: Document) -> None:
    path = RecoveryStore().write(story, None, "s1")
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == "timeline-explorer-recovery"
    assert data["version"] == 1
    assert data["document_path"] is None
    assert data["pid"] == os.getpid()
    assert data["document"]["format"] == "timeline-explorer"
    assert len(data["document"]["events"]) == len(story.events)


def test_own_and_running_sessions_are_never_pending(
    story: Document, live_pid: int, dead_pid: int
) -> None:
    store = RecoveryStore()
    store.write(story, None, "mine")
    crashed(store, story, live_pid, "running")
    assert store.pending() == []
    crashed(store, story, dead_pid, "gone")
    assert [i.path.name for i in store.pending()] == ["gone.recovery.json"]


def test_a_session_on_another_host_cannot_be_checked_so_is_pending(story: Document) -> None:
    store = RecoveryStore()
    path = store.write(story, None, "s1")
    set_header(path, host="some-other-machine")
    assert [i.host for i in store.pending()] == ["some-other-machine"]


def test_pending_lists_newest_first(story: Document, dead_pid: int) -> None:
    store = RecoveryStore()
    for session, when in [("a", "2026-01-02T10:00:00+00:00"), ("b", "2026-03-01T09:00:00+01:00"),
                          ("c", "2025-12-31T23:00:00-05:00")]:  # fmt: skip
        set_header(crashed(store, story, dead_pid, session), saved_at=when)
    # c is 2026-01-01T04:00Z: older than a although its local date is later.
    assert [i.path.stem for i in store.pending()] == ["b.recovery", "a.recovery", "c.recovery"]


def test_discard_removes_the_file(story: Document, dead_pid: int) -> None:
    store = RecoveryStore()
    path = crashed(store, story, dead_pid)
    (info,) = store.pending()
    store.discard(info)
    assert not path.exists()
    assert store.pending() == []
    store.discard(info)  # already gone: fine


def test_discard_refuses_files_that_are_not_recovery_files(story: Document, tmp_path: Path) -> None:
    other = tmp_path / "story.json"
    other.write_bytes(dumps_native(story))
    with pytest.raises(ValueError, match="not a recovery file"):
        RecoveryStore().discard(other)
    assert other.exists()


def test_remove_deletes_the_sessions_file(story: Document) -> None:
    store = RecoveryStore()
    path = store.write(story, None, "s1")
    store.remove("s1")
    assert not path.exists()
    store.remove("s1")


def test_corrupt_files_are_skipped_and_reported(
    story: Document, state: Path, dead_pid: int
) -> None:
    store = RecoveryStore()
    good = crashed(store, story, dead_pid, "good")
    (state / "garbage.recovery.json").write_bytes(b"\x00\xffnot json at all")
    (state / "empty.recovery.json").write_bytes(b"")
    truncated = crashed(store, story, dead_pid, "truncated")
    truncated.write_bytes(truncated.read_bytes()[:-100])
    set_header(crashed(store, story, dead_pid, "newer"), version=2)
    set_header(crashed(store, story, dead_pid, "nopid"), pid="x")
    (state / "alien.recovery.json").write_text('{"format": "something else",\n"document": {}}\n')
    (state / "notes.txt").write_text("ignored: not a recovery file name")

    assert [i.path for i in store.pending()] == [good]
    reported = {e.path.name: e.reason for e in store.corrupt}
    assert set(reported) == {
        f"{name}.recovery.json"
        for name in ("garbage", "empty", "truncated", "newer", "nopid", "alien")
    }
    assert "cut off" in reported["truncated.recovery.json"]
    assert "newer" in reported["newer.recovery.json"]
    for error in store.corrupt:  # the user can still throw them away
        store.discard(error.path)
    assert [i.path for i in store.pending()] == [good]
    assert store.corrupt == []


def test_load_of_a_corrupt_document_raises_read_error(story: Document, dead_pid: int) -> None:
    store = RecoveryStore()
    path = crashed(store, story, dead_pid)
    text = path.read_text("utf-8").replace('"start":"', '"start":"not a date ', 1)
    path.write_text(text, "utf-8")
    (info,) = store.pending()  # the header is fine
    with pytest.raises(ReadError) as caught:
        store.load(info)
    assert caught.value.path == path
    assert caught.value.field == "start"
    path.write_text("{}", "utf-8")
    with pytest.raises(ReadError, match="not a recovery file"):
        store.load(info)


def test_summary_wording() -> None:
    when = datetime(2026, 11, 28, 10, 42, tzinfo=UTC).astimezone()
    info = RecoveryInfo(Path("x"), Path("/d/story.json"), when, 1, events=12)
    assert info.summary() == "Unsaved changes to story.json from 28 November 2026 10:42: 12 events"
    one = RecoveryInfo(Path("x"), None, when, 1, title="Draft", events=1)
    assert one.summary().startswith("Unsaved changes to the unsaved timeline “Draft” from ")
    assert one.summary().endswith(": 1 event")
    assert "an unsaved timeline" in RecoveryInfo(Path("x"), None, when, 1).summary()


def test_state_dir_honours_the_override_and_is_created(state: Path) -> None:
    assert not state.exists()
    assert recovery.state_dir() == state
    assert state.is_dir()
    assert RecoveryStore().directory == state


def test_state_dir_defaults_to_the_apps_local_data_folder(
    qapp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(recovery.STATE_DIR_ENV)
    made: list[Path] = []
    monkeypatch.setattr(Path, "mkdir", lambda self, **kw: made.append(self))  # touch no home
    names = qapp.organizationName(), qapp.applicationName()
    try:
        qapp.setOrganizationName("Timeline Explorer")
        qapp.setApplicationName("Timeline Explorer")
        expected = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppLocalDataLocation
        )
        assert recovery.state_dir() == Path(expected) / "recovery"
        qapp.setOrganizationName("")
        qapp.setApplicationName("something else")
        assert recovery.state_dir() == Path(expected) / "recovery"  # whatever the app's name
    finally:
        qapp.setOrganizationName(names[0])
        qapp.setApplicationName(names[1])
    assert made == [Path(expected) / "recovery"] * 2


@pytest.mark.parametrize("bad", ["", "../x", "a/b", ".hidden", "x" * 200])
def test_session_ids_must_be_plain_names(bad: str) -> None:
    with pytest.raises(ValueError, match="session id"):
        RecoveryStore().path_for(bad)


def test_write_failure_is_a_write_error(story: Document, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(WriteError):
        RecoveryStore(blocker / "sub").write(story, None, "s1")


def test_header_is_read_without_the_document(story: Document) -> None:
    path = RecoveryStore().write(story, None, "s1")
    assert path.read_bytes().split(b"\n")[0].endswith(b",")
    assert read_header(path).events == len(story.events)


# --- autosave ------------------------------------------------------------------------


class Holder:
    def __init__(self, doc: Document, path: Path | None = None) -> None:
        self.doc = doc
        self.path = path


@pytest.fixture
def autosave(qtbot) -> Iterator[Callable[..., AutosaveTimer]]:
    """Makes AutosaveTimers for session "win1", cleaned up after the test."""
    made: list[AutosaveTimer] = []

    def make(holder: Holder, store: RecoveryStore | None = None, **kw: Any) -> AutosaveTimer:
        timer = AutosaveTimer(
            store or RecoveryStore(), lambda: holder.doc, lambda: holder.path, "win1", **kw
        )
        made.append(timer)
        return timer

    yield make
    for timer in made:
        timer.clean()


def test_autosave_debounces_edits_into_one_write(qtbot, autosave, story: Document) -> None:
    timer = autosave(Holder(story, Path("story.json")), delay_ms=150)
    saved: list[Path] = []
    timer.saved.connect(saved.append)
    target = timer.store.path_for("win1")
    for _ in range(5):
        timer.schedule()
        qtbot.wait(20)
    assert not target.exists()
    qtbot.waitUntil(lambda: saved == [target], timeout=5000)
    qtbot.wait(300)
    assert saved == [target]
    assert timer.writes == 1
    assert not timer.pending
    assert timer.store.load(read_header(target)).equals(story)


def test_a_long_run_of_edits_is_still_written_by_max_wait(qtbot, autosave, story: Document) -> None:
    timer = autosave(Holder(story), delay_ms=200, max_wait_ms=300)
    started = time.monotonic()
    while timer.writes == 0 and time.monotonic() - started < 3:
        timer.schedule()
        qtbot.wait(50)
    assert timer.writes == 1


def test_clean_cancels_the_pending_write_and_removes_the_file(
    qtbot, autosave, story: Document
) -> None:
    timer = autosave(Holder(story), delay_ms=50)
    target = timer.flush()
    assert target.exists()
    timer.schedule()
    timer.clean()
    assert not target.exists()
    qtbot.wait(200)
    assert not target.exists()
    assert not timer.pending


class SlowStore(RecoveryStore):
    """A store whose writes wait until the test lets them go."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.started = threading.Event()
        self.titles: list[str] = []

    def write(self, document: Document, document_path: Path | None, session: str) -> Path:
        self.started.set()
        self.gate.wait(10)
        self.titles.append(document.title)
        return super().write(document, document_path, session)


def test_edits_during_a_write_are_written_after_it_from_a_snapshot(qtbot, autosave) -> None:
    store = SlowStore()
    holder = Holder(make_document([event("e1")], title="first"))
    timer = autosave(holder, store, delay_ms=10)
    timer.schedule()
    qtbot.waitUntil(store.started.is_set, timeout=5000)
    holder.doc.title = "second"  # an edit while the first write is running
    timer.schedule()
    store.gate.set()
    qtbot.waitUntil(lambda: timer.writes == 2, timeout=5000)
    assert store.titles == ["first", "second"]
    assert store.load(read_header(store.path_for("win1"))).title == "second"


def test_clean_during_a_write_leaves_no_file(qtbot, autosave) -> None:
    store = SlowStore()
    timer = autosave(Holder(make_document([event("e1")])), store, delay_ms=10)
    timer.schedule()
    qtbot.waitUntil(store.started.is_set, timeout=5000)
    threading.Timer(0.1, store.gate.set).start()
    timer.clean()  # waits for the write, then removes its file
    assert not store.path_for("win1").exists()
    qtbot.wait(100)
    assert timer.writes == 0


def test_a_failed_write_is_reported_not_raised(
    qtbot, autosave, story: Document, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    timer = autosave(Holder(story), RecoveryStore(blocker / "sub"), delay_ms=10)
    with qtbot.waitSignal(timer.failed, timeout=5000) as signal:
        timer.schedule()
    assert "Could not save a recovery copy" in signal.args[0]
    with pytest.raises(WriteError):
        timer.flush()


def test_flush_during_a_write_waits_for_it_then_writes_the_latest(qtbot, autosave) -> None:
    store = SlowStore()
    holder = Holder(make_document([event("e1")], title="first"))
    timer = autosave(holder, store, delay_ms=10)
    saved: list[Path] = []
    timer.saved.connect(saved.append)
    timer.schedule()
    qtbot.waitUntil(store.started.is_set, timeout=5000)
    holder.doc.title = "second"
    threading.Timer(0.1, store.gate.set).start()
    timer.flush()
    assert store.titles == ["first", "second"]
    qtbot.wait(100)
    assert saved == []  # the superseded write's outcome is dropped
    assert not timer.pending
    assert store.load(read_header(store.path_for("win1"))).title == "second"


def test_large_documents_are_recovered_from_parquet(tmp_path: Path, monkeypatch) -> None:
    """Above the threshold the copy is Parquet inside the recovery file, and comes back equal."""
    from explorer.model.synthetic import synthetic_document
    from explorer.ui import recovery

    monkeypatch.setattr(recovery, "PARQUET_FROM_EVENTS", 100)
    document = synthetic_document(500, n_actors=5, seed=4)
    store = recovery.RecoveryStore(tmp_path)
    path = store.write(document, tmp_path / "big.json", "session-big")
    assert b'"document_parquet":"' in path.read_bytes()
    info = recovery.read_header(path)
    assert info.events == 500
    back = store.load(info)
    assert back.equals(document)
