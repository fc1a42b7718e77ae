"""Atomic saves: write beside the target, flush to disk, then replace in one step.

A crash or a full disk mid-save leaves the previous file whole, because the target
is only ever swapped for a complete, fsynced file (os.replace is atomic on POSIX
and on NTFS within one volume).

What the target is matters: a symlink is written through, atomically beside the
file it points to (the link stays a link); a FIFO, a device or a folder is never
replaced by a regular file (as root, `--export /dev/stdout` would have replaced
the device); "-" means standard output. The temporary file is locked while it is
written, so a save killed half-way (SIGKILL leaves a full-size `.name.XXXX.tmp`)
is told from one in progress, and the next save to that folder removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

from explorer.io.errors import WriteError
from explorer.io.limits import file_kind

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no stale-file detection, saves still atomic
    fcntl = None  # type: ignore[assignment]

STDOUT: Final = "-"
_TEMP_NAME: Final = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # mkstemp(prefix=".name.", ".tmp")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def resolve_target(path: str | Path) -> Path:
    """The file a save replaces: symlinks followed; refused unless it is a regular file
    or does not exist yet."""
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        mode = given.stat().st_mode  # through any links: /dev/stdout is the pipe or tty
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise WriteError(given, exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(mode):
        raise WriteError(
            given,
            f"is {file_kind(mode)}, not a regular file: not replaced "
            f"(to write to standard output, give {STDOUT})",
        )
    return target


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove our temporary files in `folder` that no save holds (a save killed before
    it could clean up); those being written are locked and left alone."""
    removed: list[Path] = []
    if fcntl is None:
        return removed
    try:
        names = [n for n in os.listdir(folder) if _TEMP_NAME.match(n)]
    except OSError:
        return removed
    for name in names:
        candidate = folder / name
        try:
            fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or os.fstat(fd).st_uid != os.getuid():
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # locked: a save in progress
        else:
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def _stdout() -> Iterator[BinaryIO]:
    stream = sys.stdout.buffer
    yield stream
    stream.flush()


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that replaces `path` only if the block finishes without error."""
    if str(path) == STDOUT:
        with _stdout() as stream:
            yield stream
        return
    target = resolve_target(path)
    remove_stale_temporaries(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(target, f"cannot write in {target.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held until closed: tells this save from a dead one
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            with contextlib.suppress(OSError):
                # mkstemp makes 0600 files; keep the old file's mode, or the usual one for new.
                mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
                os.chmod(tmp, mode)
            os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise WriteError(target, exc.strerror or str(exc)) from exc
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path) as handle:
        handle.write(data)


def atomic_write_with(path: str | Path, writer: Callable[[BinaryIO], None]) -> None:
    with atomic_open(path) as handle:
        writer(handle)
