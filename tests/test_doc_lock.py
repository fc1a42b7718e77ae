"""A document open twice: the second window learns who has it and may take it over."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.ui.doc_lock import DocumentLock, LockHolder, lock_path_for

ROOT = Path(__file__).resolve().parents[1]

HOLD = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from explorer.ui.doc_lock import DocumentLock
app = QCoreApplication([])
lock = DocumentLock(Path(sys.argv[1]))
print("locked" if lock.acquire() else "failed: " + str(lock.reason), flush=True)
time.sleep(120)
"""


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "story.json"
    path.write_text("{}")
    return path


@pytest.fixture
def locks() -> Iterator[list[DocumentLock]]:
    made: list[DocumentLock] = []
    yield made
    for lock in made:
        lock.release()


@pytest.fixture
def other_process(doc: Path) -> Iterator[subprocess.Popen[str]]:
    """Another Timeline Explorer holding `doc`'s lock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(doc)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "locked":
        proc.kill()
        proc.wait()
        pytest.fail(f"the other process did not lock: {line!r}")
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


def make(locks: list[DocumentLock], path: Path, **kw: int) -> DocumentLock:
    lock = DocumentLock(path, **kw)
    locks.append(lock)
    return lock


def test_the_lock_file_is_hidden_beside_the_document(doc: Path, locks) -> None:
    lock = make(locks, doc)
    assert lock.lock_path == doc.parent / ".story.json.lock" == lock_path_for(doc)
    assert lock.acquire()
    assert lock.locked
    assert lock.reason is None
    assert lock.lock_path.exists()
    assert lock.acquire()  # again: still ours
    lock.release()
    assert not lock.locked
    assert not lock.lock_path.exists()
    lock.release()  # twice: fine


def test_second_lock_in_one_process_is_refused_and_names_the_first(doc: Path, locks) -> None:
    first, second = make(locks, doc), make(locks, doc)
    assert first.acquire()
    assert not second.acquire()
    holder = second.holder()
    assert holder == LockHolder(os.getpid(), socket.gethostname(), holder.app_name)
    assert holder.describe() == f"Timeline Explorer (pid {os.getpid()}) on this computer"
    assert second.reason == f"story.json is open in {holder.describe()}"
    assert not second.take_over()  # the holder is alive and holds the file
    assert first.locked
    first.release()
    assert second.acquire()
    assert second.reason is None


def test_another_process_holds_the_lock_until_it_dies(
    doc: Path, locks, other_process: subprocess.Popen[str]
) -> None:
    lock = make(locks, doc)
    assert not lock.acquire()
    holder = lock.holder()
    assert holder is not None
    assert holder.pid == other_process.pid
    assert f"(pid {other_process.pid})" in holder.describe()
    assert f"pid {other_process.pid}" in (lock.reason or "")
    assert not lock.take_over()
    assert "still open" in (lock.reason or "")

    if sys.platform == "win32":
        other_process.kill()
    else:
        os.kill(other_process.pid, signal.SIGKILL)
    other_process.wait()  # reaped: a zombie would still look alive
    assert lock.lock_path.exists()  # left behind by the crash
    assert lock.holder() == holder
    assert lock.take_over()
    assert lock.locked
    assert lock.holder() is not None
    assert lock.holder().pid == os.getpid()


def test_a_crashed_holder_on_this_machine_frees_the_lock_at_once(
    doc: Path, locks, other_process: subprocess.Popen[str]
) -> None:
    other_process.kill()
    other_process.wait()
    assert make(locks, doc).acquire()  # QLockFile sees the pid is gone


def test_a_missing_folder_is_no_lock_and_says_why(tmp_path: Path, locks) -> None:
    lock = make(locks, tmp_path / "gone" / "story.json")
    assert not lock.acquire()
    assert lock.holder() is None
    assert lock.reason is not None
    assert "cannot create a lock file" in lock.reason
    assert not lock.take_over()


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="needs a POSIX user without root"
)
def test_a_read_only_folder_is_no_lock_and_says_why(doc: Path, locks) -> None:
    doc.parent.chmod(0o555)
    try:
        lock = make(locks, doc)
        assert not lock.acquire()
        assert lock.holder() is None
        assert "read-only" in (lock.reason or "")
    finally:
        doc.parent.chmod(0o755)


def test_an_unreadable_lock_file_is_held_by_someone_unknown(doc: Path, locks) -> None:
    lock_path_for(doc).write_text("garbage")
    lock = make(locks, doc)
    assert not lock.acquire()
    assert lock.holder() is None
    assert lock.reason == "story.json is open in another program"
    assert lock.take_over()


def test_a_held_lock_is_kept_fresh_so_it_never_looks_stale(doc: Path, locks) -> None:
    lock = make(locks, doc, stale_ms=300)  # heartbeat every 0.1 s
    assert lock.acquire()
    os.utime(lock.lock_path, (1, 1))
    deadline = time.monotonic() + 5
    while lock.lock_path.stat().st_mtime < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert time.time() - lock.lock_path.stat().st_mtime < 5
    lock.release()
    assert not lock.lock_path.exists()


def test_describe_names_another_host() -> None:
    holder = LockHolder(1234, "x", "python3")
    assert holder.describe() == "Timeline Explorer (pid 1234) on host x"
