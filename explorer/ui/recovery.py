"""Crash recovery: unsaved edits are written to a per-session file, offered back on start.

Each window (a "session", named by an id its caller makes, e.g. ``uuid4().hex``)
owns one file ``<session>.recovery.json`` in :func:`state_dir`. After an edit the
window calls :meth:`AutosaveTimer.schedule`; after a save or a clean exit it calls
:meth:`AutosaveTimer.clean`, which removes the file. A file that outlives its
process therefore means a crash, and :meth:`RecoveryStore.pending` lists those.

File layout (valid JSON, but written so the header can be read without parsing the
document, which for a large timeline is tens of megabytes)::

    {"format": "timeline-explorer-recovery", "version": 1, "document_path": ..., ...,
    "document": {...the native format's object, see explorer.io.native...}}

The first line holds every header key and ends with a comma; the second line holds
the document and closes the object.

Threading: serialising a document is pure Python (about 70 µs an event, so 1.5 s
for 20,000 events), too slow for the GUI thread. The timer therefore takes a
snapshot on the GUI thread (a new Document sharing the tables: edits replace
tables, they never change one in place, so the shared tables cannot change under
the writer) and writes it on a Python worker thread, one write at a time. Edits
made during a write mark the session dirty and are written after it. After a write
that took t seconds the next one waits at least 4t, so autosave of a huge document
spends at most a fifth of the time writing.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from explorer.io.atomic import atomic_write_bytes
from explorer.io.errors import ReadError, WriteError
from explorer.io.native import document_from_json, document_to_json
from explorer.model.dates import MONTH_NAMES
from explorer.model.document import TABLES, Document

RECOVERY_FORMAT: Final = "timeline-explorer-recovery"
RECOVERY_VERSION: Final = 1
STATE_DIR_ENV: Final = "TIMELINE_EXPLORER_STATE_DIR"
ORGANIZATION: Final = "Timeline Explorer"  # as app.py names the application
APPLICATION: Final = "Timeline Explorer"
SUFFIX: Final = ".recovery.json"
# Above this many events the recovery copy is Parquet rather than native JSON.
PARQUET_FROM_EVENTS: Final = 20_000

_HEADER_LIMIT: Final = 64 * 1024  # the first line is a few hundred bytes
_TEMP_MAX_AGE_S: Final = 24 * 3600
_BACKOFF: Final = 4  # wait at least this many times the last write's duration
_SESSION_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
)


def state_dir() -> Path:
    """Where recovery files live, created on demand.

    ``$TIMELINE_EXPLORER_STATE_DIR`` if set (tests, CI), else the app's local data
    folder + "recovery": the AppLocalDataLocation of an application named as app.py
    names it, built from the generic data folder so that it does not depend on
    whether (or how) the running QApplication was named.
    """
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        directory = Path(override)
    else:
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
        root = Path(base) if base else Path.home() / ".local" / "share"
        directory = root / ORGANIZATION / APPLICATION / "recovery"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _check_session(session: str) -> str:
    if not session or len(session) > 128 or not set(session) <= _SESSION_CHARS:
        raise ValueError(f"session id {session!r}: use letters, digits, '-', '_' or '.'")
    if session.startswith("."):
        raise ValueError(f"session id {session!r} must not start with '.'")
    return session


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (True if it cannot be told)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: exists, but another user's
        return True
    return True


def _pid_alive_windows(pid: int) -> bool:
    """os.kill(pid, 0) would send CTRL_C_EVENT on Windows: ask the kernel instead."""
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return bool(code.value == 259)  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


@dataclass(frozen=True)
class RecoveryInfo:
    """One recovery file left by a session that is no longer running."""

    path: Path
    document_path: Path | None
    saved_at: datetime  # timezone-aware
    pid: int
    host: str = ""
    title: str = ""
    events: int = 0

    def summary(self) -> str:
        """E.g. "Unsaved changes to story.json from 28 November 2026 10:42: 12 events"."""
        if self.document_path is not None:
            name = self.document_path.name
        elif self.title:
            name = f"the unsaved timeline “{self.title}”"
        else:
            name = "an unsaved timeline"
        t = self.saved_at.astimezone()
        when = f"{t.day} {MONTH_NAMES[t.month - 1]} {t.year} {t:%H:%M}"
        count = f"{self.events:,} event" + ("" if self.events == 1 else "s")
        return f"Unsaved changes to {name} from {when}: {count}"


def _encode(header: dict[str, Any], key: str, document: Any) -> bytes:
    head = json.dumps(header, ensure_ascii=False)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = head[:-1] + f',\n"{key}":' + body + "}\n"
    # Lone surrogates (a \ud800 escape read from a file, or an undecodable file name)
    # go back out as the same JSON escape, as explorer.io.native does.
    return text.encode("utf-8", "backslashreplace")


def _header_fields(header: Any, path: Path) -> RecoveryInfo:
    """The RecoveryInfo a parsed header describes; ReadError if it is not one."""
    if not isinstance(header, dict) or header.get("format") != RECOVERY_FORMAT:
        raise ReadError(path, f'not a recovery file (no "format": "{RECOVERY_FORMAT}")')
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReadError(path, "must be a whole number", field="version")
    if version > RECOVERY_VERSION:
        raise ReadError(
            path, f"version {version} is newer than this program reads", field="version"
        )
    pid = header.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        raise ReadError(path, "must be a positive whole number", field="pid")
    document_path = header.get("document_path")
    if document_path is not None and not isinstance(document_path, str):
        raise ReadError(path, "must be a path or null", field="document_path")
    try:
        saved_at = datetime.fromisoformat(str(header.get("saved_at")))
    except ValueError:
        raise ReadError(path, "must be an ISO date and time", field="saved_at") from None
    if saved_at.tzinfo is None:
        saved_at = saved_at.replace(tzinfo=UTC)
    host, title, events = header.get("host", ""), header.get("title", ""), header.get("events", 0)
    return RecoveryInfo(
        path=path,
        document_path=Path(document_path) if document_path else None,
        saved_at=saved_at,
        pid=pid,
        host=host if isinstance(host, str) else "",
        title=title if isinstance(title, str) else "",
        events=events if isinstance(events, int) and not isinstance(events, bool) else 0,
    )


def read_header(path: Path) -> RecoveryInfo:
    """The header of a recovery file, without reading the document; ReadError if corrupt.

    Also checks that the file ends as a complete one does, so a truncated file is
    caught here rather than when the user asks to recover it.
    """
    try:
        with path.open("rb") as handle:
            first = handle.readline(_HEADER_LIMIT)
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 2))
            tail = handle.read()
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
    try:
        text = first.decode("utf-8").rstrip("\r\n")
        if not text.endswith(","):
            raise ValueError("the header line does not end with a comma")
        header = json.loads(text[:-1] + "}")
    except (ValueError, RecursionError) as exc:
        raise ReadError(path, f"not a recovery file ({exc})", where="line 1") from None
    info = _header_fields(header, path)
    if tail != b"}\n":
        raise ReadError(path, "the file is incomplete (it was cut off while being written)")
    return info


class RecoveryStore:
    """The recovery files in one folder (:func:`state_dir` unless given)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else state_dir()
        # Files pending() skipped, with why: set by each call to pending().
        self.corrupt: list[ReadError] = []
        self._host = socket.gethostname()

    def path_for(self, session: str) -> Path:
        return self.directory / f"{_check_session(session)}{SUFFIX}"

    def write(self, document: Document, document_path: Path | None, session: str) -> Path:
        """Atomically (re)write this session's recovery file; WriteError if impossible.

        Safe to call from a worker thread with a snapshot of the document.
        """
        target = self.path_for(session)
        header = {
            "format": RECOVERY_FORMAT,
            "version": RECOVERY_VERSION,
            "document_path": str(Path(document_path).absolute()) if document_path else None,
            "saved_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "host": self._host,
            "title": document.title,
            "events": len(document.events),
        }
        if len(document.events) > PARQUET_FROM_EVENTS:
            # Native JSON costs ~70 µs an event in Python; a large document goes in as
            # Parquet (base64 in the same file), written by Arrow in well under a second.
            data = _encode(header, "document_parquet", _parquet_text(document, target))
        else:
            data = _encode(header, "document", document_to_json(document))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(target, f"cannot create {self.directory}: {exc.strerror}") from exc
        atomic_write_bytes(target, data)
        return target

    def remove(self, session: str) -> bool:
        """Remove this session's file, if any (after a save or a clean exit).

        Never raises: returns whether no file is left.
        """
        path = self.path_for(session)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            return not path.exists()
        return True

    def pending(self) -> list[RecoveryInfo]:
        """Recovery files of sessions no longer running, newest first.

        Files this process wrote, or whose process still runs on this machine, are
        not listed. A file from another machine (a shared home folder) cannot be
        checked and is listed. Unreadable files are skipped and put in `corrupt`.
        """
        self.corrupt = []
        found: list[RecoveryInfo] = []
        if not self.directory.is_dir():
            return found
        self._sweep_temporaries()
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            if not path.is_file():
                continue
            try:
                info = read_header(path)
            except ReadError as exc:
                self.corrupt.append(exc)
                continue
            if info.host in ("", self._host) and pid_alive(info.pid):
                continue
            found.append(info)
        found.sort(key=lambda i: i.saved_at, reverse=True)
        return found

    def load(self, info: RecoveryInfo) -> Document:
        """The document saved in a recovery file; ReadError if it is corrupt."""
        path = info.path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ReadError(path, exc.strerror or str(exc)) from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ReadError(
                path, f"not UTF-8 text ({exc.reason})", where=f"byte {exc.start}"
            ) from None
        except json.JSONDecodeError as exc:
            raise ReadError(
                path, f"not valid JSON: {exc.msg}", where=f"line {exc.lineno}, column {exc.colno}"
            ) from None
        except (ValueError, RecursionError) as exc:
            raise ReadError(path, f"not valid JSON: {exc}") from None
        _header_fields(data, path)
        if "document_parquet" in data:
            return _from_parquet_text(data["document_parquet"], path)
        return document_from_json(data.get("document"), path)

    def discard(self, info: RecoveryInfo | Path) -> None:
        """Delete a recovery file (a RecoveryInfo, or the path of a corrupt one)."""
        path = info.path if isinstance(info, RecoveryInfo) else Path(info)
        if path.parent.resolve() != self.directory.resolve() or not path.name.endswith(SUFFIX):
            raise ValueError(f"{path} is not a recovery file of {self.directory}")
        path.unlink(missing_ok=True)

    def _sweep_temporaries(self) -> None:
        """Remove day-old half-written files left by a crash during an atomic write."""
        cutoff = time.time() - _TEMP_MAX_AGE_S
        for tmp in self.directory.glob(f".*{SUFFIX}.*.tmp"):
            with contextlib.suppress(OSError):
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()


def _parquet_text(document: Document, target: Path) -> str:
    import pyarrow.parquet as pq

    from explorer.io.parquet import to_arrow

    buffer = io.BytesIO()
    pq.write_table(to_arrow(document, target), buffer, compression="zstd")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _from_parquet_text(text: object, path: Path) -> Document:
    from explorer.io.parquet import read_parquet

    if not isinstance(text, str):
        raise ReadError(path, "must be base64 text", field="document_parquet")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise ReadError(path, "is not valid base64", field="document_parquet") from None
    with tempfile.TemporaryDirectory() as folder:
        inner = Path(folder) / "recovered.parquet"
        inner.write_bytes(raw)
        try:
            return read_parquet(inner)
        except ReadError as exc:
            raise ReadError(path, exc.reason, where=exc.where, field=exc.field) from None


def snapshot(document: Document) -> Document:
    """A Document sharing `document`'s tables, unaffected by later edits to it.

    Cheap (no table is copied): edits replace a document's tables, never change one
    in place (see explorer.edits), so the shared tables stay as they were.
    """
    return Document(
        title=document.title,
        description=document.description,
        **{name: getattr(document, name) for name in TABLES},
    )


class AutosaveTimer(QObject):
    """Writes a session's recovery file a moment after the last edit.

    `schedule()` after each edit restarts a single-shot timer of `delay_ms`; a run of
    edits longer than `max_wait_ms` (default 10 × delay) is still written by then.
    The write runs on a worker thread (see the module docstring). `saved` or
    `failed` (a message for the status bar) is emitted on the GUI thread afterwards;
    a failed write is not retried until the next edit. Create and use it on the GUI
    thread.
    """

    saved = Signal(Path)
    failed = Signal(str)
    _finished = Signal(int, object, float)  # generation, Path or WriteError, seconds

    def __init__(
        self,
        store: RecoveryStore,
        get_document: Callable[[], Document],
        get_path: Callable[[], Path | None],
        session: str,
        delay_ms: int = 1500,
        *,
        max_wait_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.session = _check_session(session)
        self._get_document = get_document
        self._get_path = get_path
        self.delay_ms = delay_ms
        self.max_wait_ms = 10 * delay_ms if max_wait_ms is None else max_wait_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start_write)
        self._finished.connect(self._on_finished)
        self._dirty = False
        self._first_edit = 0.0  # monotonic time of the oldest unwritten edit
        self._not_before = 0.0  # monotonic time before which no write starts (backoff)
        self._worker: threading.Thread | None = None
        self._generation = 0
        self.writes = 0  # completed writes, for tests and diagnostics

    @property
    def pending(self) -> bool:
        """Whether an edit has not yet been written (or is being written)."""
        return self._dirty or self._worker is not None

    def schedule(self) -> None:
        """Call after every edit: write a moment after the last one."""
        now = time.monotonic()
        if not self._dirty:
            self._first_edit = now
        self._dirty = True
        if self._worker is not None:
            return  # _on_finished schedules the next write
        self._arm(now)

    def _arm(self, now: float) -> None:
        wait = self.delay_ms / 1000
        wait = min(wait, max(0.0, self._first_edit + self.max_wait_ms / 1000 - now))
        wait = max(wait, self._not_before - now)
        self._timer.start(max(0, round(wait * 1000)))

    def clean(self, *, wait: bool = True) -> None:
        """Call after a save or on a clean exit: nothing left to recover.

        Cancels a pending write and removes the file. With wait=False (after a save) a
        write in progress is not waited for: it removes its own file when it finishes,
        so a large document's autosave never holds up the window.
        """
        self._timer.stop()
        self._dirty = False
        self._generation += 1
        if wait:
            self._join()
        self.store.remove(self.session)

    def flush(self) -> Path:
        """Write now, on this thread (WriteError if it fails)."""
        self._timer.stop()
        self._generation += 1  # a write in progress is superseded: ignore its outcome
        self._join()
        path = self.store.write(snapshot(self._get_document()), self._get_path(), self.session)
        self._dirty = False
        self.writes += 1
        return path

    def _join(self) -> None:
        worker = self._worker
        if worker is not None:
            worker.join()
            self._worker = None

    def _start_write(self) -> None:
        if self._worker is not None or not self._dirty:
            return
        self._dirty = False
        document = snapshot(self._get_document())
        document_path = self._get_path()
        generation = self._generation
        store, session, done = self.store, self.session, self._finished

        def run() -> None:
            started = time.monotonic()
            result: Path | WriteError
            try:
                result = store.write(document, document_path, session)
                if generation != self._generation:
                    store.remove(session)  # cleaned while writing: the copy is not wanted
            except WriteError as exc:
                result = exc
            except Exception as exc:  # never lose the thread's outcome
                result = WriteError(store.path_for(session), f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(RuntimeError):  # the timer was deleted meanwhile
                done.emit(generation, result, time.monotonic() - started)

        self._worker = threading.Thread(target=run, name=f"autosave-{self.session}", daemon=True)
        self._worker.start()

    def _on_finished(self, generation: int, result: object, seconds: float) -> None:
        self._join()  # finished: frees the slot for the next write
        if generation != self._generation:
            if self._dirty:
                self._arm(time.monotonic())
            return  # clean() or flush() came in between: the outcome no longer matters
        now = time.monotonic()
        self._not_before = now + _BACKOFF * seconds
        if isinstance(result, Path):
            self.writes += 1
            self.saved.emit(result)
        else:
            self.failed.emit(f"Could not save a recovery copy: {result}")
        if self._dirty:
            self._arm(now)
