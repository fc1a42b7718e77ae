"""Hostile and huge input, from the command line: each file is refused quickly, in
bounded memory, with one line naming the limit and how to raise it (explorer/io/limits.py).

Time and memory are measured in a child process (its wall time and its own peak RSS);
the bounds are generous (the machine is shared), the figures are in the issue's report.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hostile import SHEET_HEAD, baseline_mb, inline, run_cli, write_workbook

END = "</row></sheetData></worksheet>"
SECONDS = 20.0  # a refusal must come well within this
EXTRA_MB = 300.0  # over the baseline of the command line itself


def assert_bounded(run_seconds: float, peak_mb: float) -> None:
    assert run_seconds < SECONDS, f"took {run_seconds:.1f} s"
    assert peak_mb < baseline_mb() + EXTRA_MB, f"peak {peak_mb:.0f} MB, base {baseline_mb():.0f}"


def test_sparse_sheet_with_a_cell_at_column_xfd_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "sparse.xlsx"
    rows = (
        f'<row r="{r}">{inline(f"A{r}", "2020-01-01")}{inline(f"XFD{r}", "x")}</row>'
        for r in range(1, 2001)
    )
    write_workbook(book, [SHEET_HEAD, "<sheetData>", *rows, "</sheetData></worksheet>"])
    assert book.stat().st_size < 100_000
    run = run_cli(str(book), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: sparse.xlsx: sheet sheet1.xml has cells across 16,384 columns, "
        "over the limit of 5,000 (if you mean it, raise it with --limit columns=N)\n"
    )
    assert_bounded(run.seconds, run.peak_mb)


def test_sheet_that_says_it_spans_too_many_cells_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    book = tmp_path / "stated.xlsx"
    write_workbook(
        book,
        [
            SHEET_HEAD,
            '<dimension ref="A1:CV1048576"/><sheetData>',
            f'<row r="1">{inline("A1", "date")}</row>',
            "</sheetData></worksheet>",
        ],
    )
    run = run_cli(str(book), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: stated.xlsx: sheet sheet1.xml says it spans 1,048,576 rows x 100 "
        "columns, over the limit of 50,000,000 (if you mean it, raise it with "
        "--limit xlsx-cells=N)\n"
    )


def test_workbook_that_inflates_past_the_limit_is_refused_unopened(tmp_path: Path) -> None:
    book = tmp_path / "bomb.xlsx"
    row = '<row r="2">' + inline("A2", "2020-01-01") + inline("B2", "y" * 4000) + "</row>"
    chunk = row * 1000  # about 4 MB
    write_workbook(
        book,
        [SHEET_HEAD, "<sheetData>", *(chunk for _ in range(140)), "</sheetData></worksheet>"],
    )
    assert book.stat().st_size < 5_000_000  # 560 MB once inflated
    run = run_cli(str(book), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: bomb.xlsx: the workbook unzips to 576,101,513 bytes, over the "
        "limit of 512 MiB (if you mean it, raise it with --limit xlsx-inflated=N)\n"
    )
    assert_bounded(run.seconds, run.peak_mb)


def test_a_million_column_csv_header_is_refused_at_once(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("date," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n2020,1\n")
    run = run_cli(str(wide), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: wide.csv: row 1: the header has 1,000,001 columns, over the limit "
        "of 5,000 (if you mean it, raise it with --limit columns=N)\n"
    )
    assert_bounded(run.seconds, run.peak_mb)


def test_a_raised_limit_lets_a_wide_file_through(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    header = "date,title," + ",".join(f"c{i}" for i in range(6000))
    wide.write_text(header + "\n2020-01-02,hello," + ",".join(["1"] * 6000) + "\n")
    out = tmp_path / "out.json"
    refused = run_cli(str(wide), "-q", "--export", str(out))
    assert refused.returncode == 2
    assert "--limit columns=N" in refused.stderr
    run = run_cli(str(wide), "-q", "--limit", "columns=10000", "--export", str(out))
    assert run.returncode == 0, run.stderr
    assert '"title": "hello"' in out.read_text()


def test_an_oversized_cell_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    big = tmp_path / "cell.csv"
    big.write_text("date,title\n2020-01-01,ok\n2020-01-02," + "x" * (5 << 20) + "\n")
    run = run_cli(str(big), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        'timeline-explorer: cell.csv: row 3: field "title": the cell holds 5,242,880 '
        "characters, over the limit of 4M characters (if you mean it, raise it with "
        "--limit cell=N)\n"
    )
    ok = run_cli(str(big), "-q", "--limit", "cell=8M", "--export", str(tmp_path / "out.json"))
    assert ok.returncode == 0, ok.stderr


def test_a_log_with_an_oversized_cell_is_refused_too(tmp_path: Path) -> None:
    log = tmp_path / "big.csv"
    log.write_text(
        "message,datetime,timestamp_desc\nfine,2020-01-01T00:00:00,t\n"
        + "y" * (5 << 20)
        + ",2020-01-01T00:00:01,t\n"
    )
    run = run_cli(str(log), "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert 'big.csv: row 3: field "message": the cell holds 5,242,880 characters' in run.stderr


def test_an_oversized_json_line_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "big.jsonl"
    line = '{"message": "%s", "datetime": "2020-01-01T00:00:00", "timestamp_desc": "t"}'
    log.write_text(line % "ok" + "\n" + line % ("z" * (1 << 20)) + "\n")
    run = run_cli(str(log), "--limit", "line=1M", "--export", str(tmp_path / "out.json"))
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: big.jsonl: line 2: the line holds 1,048,649 characters, over the "
        "limit of 1M characters (if you mean it, raise it with --limit line=N)\n"
    )


def test_dev_zero_is_refused_as_a_device() -> None:
    run = run_cli("/dev/zero", "--format", "csv", "--export", "/tmp/never.json", timeout=60)
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: zero: is a device, not a regular file; only files are read\n"
    )
    assert_bounded(run.seconds, run.peak_mb)


@pytest.mark.parametrize("forced", [False, True])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, forced: bool) -> None:
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    extra = ["--format", "csv"] if forced else []
    run = run_cli(str(fifo), *extra, "--export", str(tmp_path / "out.json"), timeout=60)
    assert run.returncode == 2
    assert run.stderr == (
        "timeline-explorer: events.csv: is a named pipe (FIFO), not a regular file; "
        "only files are read\n"
    )
    assert run.seconds < SECONDS


def test_a_fifo_that_a_writer_feeds_is_still_refused(tmp_path: Path) -> None:
    """Even with a writer on the other end, the reader never blocks on the pipe."""
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        fd = os.open(fifo, os.O_WRONLY)  # blocks until someone reads; the test ends it
        os.close(fd)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    run = run_cli(str(fifo), "--export", str(tmp_path / "out.json"), timeout=60)
    assert run.returncode == 2
    assert "named pipe (FIFO)" in run.stderr
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # let the writer go
    writer.join(5)


def test_a_bad_limit_option_is_a_usage_error() -> None:
    run = run_cli("--limit", "colums=5")
    assert run.returncode == 2
    assert "'colums=5' is not NAME=VALUE with NAME one of file, columns, cell, line" in run.stderr


def test_the_window_refuses_a_sparse_workbook_before_its_preview(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from explorer.ui.import_flow import ImportController

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    book = tmp_path / "sparse.xlsx"
    write_workbook(
        book,
        [SHEET_HEAD, '<sheetData><row r="1">', inline("A1", "date"), inline("XFD1", "x"), END],
    )
    before = window.store.document
    ctl = ImportController(window, lambda result: True)
    with qtbot.waitSignal(ctl.failed, timeout=20_000):
        ctl.open_paths([book])
    ctl.shutdown()
    assert shown == [
        "sparse.xlsx: sheet sheet1.xml has cells across 16,384 columns, over the limit of 5,000 "
        "(if you mean it, raise it with --limit columns=N)\n\n"
        "Nothing was opened; the current document is unchanged."
    ]
    assert window.store.document is before
