"""The command line, run as a user runs it: in a subprocess, checked by files and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from explorer.io.native import read_native
from explorer.resources import dataset_path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_export_writes_the_embedded_dataset(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run("--export", str(out))
    assert result.returncode == 0, result.stderr
    assert read_native(out).equals(read_native(dataset_path()))
    assert out.read_bytes() == dataset_path().read_bytes()


def test_unreadable_file_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "timeline-explorer", "version": 1,'
        ' "events": [{"id": "e1", "title": "x", "start": "2020-02-30"}]}'
    )
    result = run(str(bad), "--export", str(tmp_path / "x.json"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.json" in lines[0]
    assert 'events[0] (id "e1")' in lines[0]
    assert 'field "start"' in lines[0]
    assert not (tmp_path / "x.json").exists()


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "nope.json" in result.stderr


def test_screenshot_renders_the_window(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run(
        "--screenshot", str(shot), "--size", "1200x700", "--select", "e-alibaba-accusation"
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 700)


def test_select_unknown_event_fails(tmp_path: Path) -> None:
    result = run("--screenshot", str(tmp_path / "s.png"), "--select", "no-such-event")
    assert result.returncode == 2
    assert "no-such-event" in result.stderr


def test_export_view_as_svg(tmp_path: Path) -> None:
    out = tmp_path / "view.svg"
    result = run("--export", str(out), "--size", "1000x500")
    assert result.returncode == 0, result.stderr
    assert b"<svg" in out.read_bytes()


def test_unknown_export_format(tmp_path: Path) -> None:
    result = run("--export", str(tmp_path / "x.docx"))
    assert result.returncode == 2
    assert "unknown export format" in result.stderr
