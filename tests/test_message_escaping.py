"""Untrusted text in messages: a terminal escape, a line break or a bidi override from a
file name, an id or a cell is printed escaped, so the error stays one honest line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile import run_cli
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from explorer.io.errors import ReadError
from explorer.io.escaping import escape_controls
from explorer.ui.import_flow import ImportController


def test_a_file_name_with_escapes_and_a_line_break_prints_one_escaped_line(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "clear\x1b[2J\nnext\u202eline.json"
    bad.write_text(
        '{"format": "timeline-explorer", "version": 1,'
        ' "events": [{"id": "e\\u001b[31m1", "title": "x", "start": "2020-02-30"}]}'
    )
    run = run_cli(str(bad), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert "\x1b" not in run.stderr
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("timeline-explorer: clear\\x1b[2J\\nnext\\u202eline.json: ")
    assert 'id "e\\x1b[31m1"' in run.stderr


def test_set_aside_rows_and_notes_print_escaped(tmp_path: Path) -> None:
    table = tmp_path / "rows.csv"
    table.write_text('date,title\n2020-01-01,fine\n"\x1b]0;owned\x07 2020",bad\n', newline="")
    run = run_cli(str(table), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stderr
    assert "\x07" not in run.stderr
    assert (
        'timeline-explorer: rows.csv: row 3: column "date": "\\x1b]0;owned\\x07 2020" '
        "is not a date" in run.stderr
    )


@given(st.text())
def test_escaped_text_has_no_controls_and_escaping_is_idempotent(text: str) -> None:
    once = escape_controls(text)
    assert escape_controls(once) == once
    assert all(ch.isprintable() or ch == " " or ord(ch) > 0x9F for ch in once)
    assert "\n" not in once
    assert "\u202e" not in once


def test_read_error_is_one_line() -> None:
    error = ReadError(Path("a\nb.csv"), "bad \x1b[2J", where="row\r2", field="t\tx")
    assert str(error) == 'a\\nb.csv: row\\r2: field "t\\tx": bad \\x1b[2J'


def test_the_windows_warning_shows_the_escaped_message(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        assert box.textFormat() == Qt.TextFormat.PlainText
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", record)
    ctl = ImportController(window, lambda result: True)
    bad = tmp_path / "evil\x1b[2J\u202e.json"
    bad.write_text("{not json")
    with qtbot.waitSignal(ctl.failed, timeout=20_000):
        ctl.open_paths([bad])
    ctl.shutdown()
    assert len(shown) == 1
    assert shown[0].startswith("evil\\x1b[2J\\u202e.json: ")
    assert "\x1b" not in shown[0]
    assert "\u202e" not in shown[0]
    assert shown[0].endswith("\n\nNothing was opened; the current document is unchanged.")
