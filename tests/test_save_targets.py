"""Where a save writes: through a symlink to its target, never over a FIFO or a device,
to standard output for "-", and without leaving a killed save's temporary file behind."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from hostile import run_cli

from explorer.io.native import read_native
from explorer.resources import dataset_path


def test_a_symlinked_target_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "data" / "story.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    run = run_cli("--export", str(link))
    assert run.returncode == 0, run.stderr
    assert link.is_symlink()
    assert read_native(real).equals(read_native(dataset_path()))
    assert sorted(p.name for p in real.parent.iterdir()) == ["story.json"]


def test_a_fifo_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    run = run_cli("--export", str(fifo), timeout=60)
    assert run.returncode == 1
    assert run.stderr == (
        f"timeline-explorer: {fifo}: is a named pipe (FIFO), not a regular file: not replaced "
        "(to write to standard output, give -)\n"
    )
    assert fifo.is_fifo()


def test_dev_stdout_is_not_replaced_and_dash_writes_to_standard_output() -> None:
    # Under the test, standard output is a pipe: /dev/stdout leads to it.
    run = run_cli("--export", "/dev/stdout", "--to", "csv", timeout=60)
    assert run.returncode == 1
    assert "/dev/stdout: is a named pipe (FIFO), not a regular file: not replaced" in run.stderr
    assert Path("/dev/null").is_char_device()
    dash = run_cli("--export", "-", "--to", "csv", timeout=60)
    assert dash.returncode == 0, dash.stderr
    assert dash.stdout.startswith("\ufeffid,start,end,title,summary,status,actors")
    rows = list(csv.reader(io.StringIO(dash.stdout)))
    assert len(rows) == 1 + len(read_native(dataset_path()).events)


def test_a_device_target_is_refused() -> None:
    run = run_cli("--export", "/dev/null", "--to", "native", timeout=60)
    assert run.returncode == 1
    assert run.stderr == (
        "timeline-explorer: /dev/null: is a device, not a regular file: not replaced "
        "(to write to standard output, give -)\n"
    )
    assert Path("/dev/null").is_char_device()


_KILLED_SAVE = """
import os, signal, sys
from explorer.io.atomic import atomic_open
with atomic_open(sys.argv[1]) as handle:
    handle.write(b"x" * 1_000_000)
    handle.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_next_save_removes_a_killed_saves_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "story.json"
    killed = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(target)], check=False)
    assert killed.returncode == -signal.SIGKILL
    (stale,) = [p for p in tmp_path.iterdir() if p.name.startswith(".story.json.")]
    assert stale.stat().st_size == 1_000_000
    # A save in progress elsewhere (its temporary file locked) is left alone.
    busy = tmp_path / ".other.json.abcd1234.tmp"
    busy.write_bytes(b"partial")
    holder = os.open(busy, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    unrelated = tmp_path / ".notes.txt"
    unrelated.write_text("mine")
    try:
        run = run_cli("--export", str(target))
        assert run.returncode == 0, run.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".notes.txt",
            ".other.json.abcd1234.tmp",
            "story.json",
        ]
    finally:
        os.close(holder)


def test_excel_export_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "x.xlsx"
    run = run_cli("--export", str(out))
    assert run.returncode == 1
    assert run.stderr == (
        f"timeline-explorer: {out}: cannot write in {out.parent}: No such file or directory\n"
    )
