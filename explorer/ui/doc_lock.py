"""One document, one window: a lock file beside the document while it is open.

``story.json`` is locked by ``.story.json.lock`` in the same folder (a QLockFile:
pid, process name and host inside), so a second Timeline Explorer, on this
machine or on another one sharing the folder, can say who has it open.

Stale locks: QLockFile treats a lock as stale when its process is gone (same host)
or when the file is older than the stale time (30 s here; any host). A live
holder would then look stale after 30 s, so while a lock is held a heartbeat
thread touches it every 10 s. A lock left by a crash is thus free at once on the
same machine and after 30 s from another one; :meth:`DocumentLock.take_over`
forces it sooner, after asking the user.

A folder where no lock can be made (read-only, a CD, a missing folder) is not an
error: :meth:`DocumentLock.acquire` returns False with `reason` set and
:meth:`DocumentLock.holder` None, and the window opens the document unlocked.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QLockFile

STALE_MS: Final = 30_000
APP_LABEL: Final = "Timeline Explorer"


def lock_path_for(path: Path) -> Path:
    """The lock file of a document: a hidden file beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lock, as its lock file says."""

    pid: int
    hostname: str
    app_name: str  # the holder's process name as Qt records it, e.g. "python3.11"

    @property
    def same_host(self) -> bool:
        return not self.hostname or self.hostname == socket.gethostname()

    def describe(self) -> str:
        """E.g. "Timeline Explorer (pid 1234) on host x"."""
        # Only Timeline Explorer makes these lock files; the process name Qt records is
        # the interpreter's or the executable's, which means nothing to the user.
        where = f"on host {self.hostname}" if self.hostname else "on an unknown host"
        if self.same_host:
            where = "on this computer"
        return f"{APP_LABEL} (pid {self.pid}) {where}"


class DocumentLock:
    """The lock of one document; `acquire()` on open, `release()` on close."""

    def __init__(self, path: Path, stale_ms: int = STALE_MS) -> None:
        self.path = Path(path)
        self.lock_path = lock_path_for(self.path)
        self.stale_ms = stale_ms
        self.reason: str | None = None  # why the last acquire/take_over failed
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(stale_ms)
        self._stop: threading.Event | None = None

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return bool(self._lock.isLocked())

    def acquire(self) -> bool:
        """Take the lock if it is free (or stale); never waits."""
        if self.locked:
            return True
        return self._try()

    def holder(self) -> LockHolder | None:
        """Who holds the lock (maybe this object), or None if nobody or unknown."""
        pid, hostname, app_name = self._lock.getLockInfo()
        if pid <= 0:
            return None
        return LockHolder(int(pid), str(hostname), str(app_name))

    def take_over(self) -> bool:
        """Remove another's lock and take it (after the user agreed to).

        Fails while the holder still runs on this machine or keeps the file open
        (Qt then cannot remove it), or if the folder cannot be written.
        """
        if self.locked:
            return True
        if self._try():
            return True
        if self.lock_path.exists() and not self._lock.removeStaleLockFile():
            holder = self.holder()
            who = holder.describe() if holder else "another program"
            self.reason = f"{self.path.name} is still open in {who}"
            return False
        return self._try()

    def release(self) -> None:
        """Give the lock up (no-op if not held)."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None
        if self.locked:
            self._lock.unlock()

    def _try(self) -> bool:
        if self._lock.tryLock(0):
            self.reason = None
            self._start_heartbeat()
            return True
        error = self._lock.error()
        folder = self.lock_path.parent
        if error == QLockFile.LockError.LockFailedError:
            holder = self.holder()
            who = holder.describe() if holder else "another program"
            self.reason = f"{self.path.name} is open in {who}"
        elif error == QLockFile.LockError.PermissionError:
            self.reason = f"cannot create a lock file in {folder} (the folder is read-only)"
        elif not folder.is_dir():
            self.reason = f"cannot create a lock file in {folder} (no such folder)"
        else:
            self.reason = f"cannot create a lock file in {folder}"
        return False

    def _start_heartbeat(self) -> None:
        if self.stale_ms <= 0:
            return
        stop = threading.Event()
        self._stop = stop
        # The thread holds only the path and the event, not self, so a forgotten lock
        # can still be collected (QLockFile's destructor then removes the file).
        thread = threading.Thread(
            target=_heartbeat,
            args=(self.lock_path, stop, self.stale_ms / 3000),
            name=f"lock-heartbeat {self.path.name}",
            daemon=True,
        )
        thread.start()

    def __del__(self) -> None:
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()


def _heartbeat(lock_path: Path, stop: threading.Event, interval_s: float) -> None:
    """Keep a held lock's modification time fresh, so it never looks stale by age."""
    pid = str(os.getpid()).encode()
    while not stop.wait(interval_s):
        try:
            with lock_path.open("rb") as handle:
                if handle.readline().strip() != pid:
                    return  # no longer ours (released, or taken over)
            os.utime(lock_path)
        except OSError:
            return
