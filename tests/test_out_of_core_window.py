"""A Parquet file opened through DuckDB in the window: the index is built on a worker
thread (the window keeps running, Cancel works), frames are answered on another, and
panning and zooming by keys while questions are in flight keeps the last frame on
screen until the answer arrives; what is finally drawn is what the in-memory oracle
draws. Editing through the overlay, undo, save and reopen: tests/test_out_of_core_editing.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.prefetch import PrefetchingQueries
from explorer.engines.synthetic import write_synthetic_parquet
from explorer.model.synthetic import synthetic_document
from explorer.ui.main_window import MainWindow
from explorer.ui.open_large import OutOfCoreOpener

N_EVENTS = 60_000
N_ACTORS = 24


@pytest.fixture
def parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))
    return write_synthetic_parquet(tmp_path / "big.parquet", N_EVENTS, n_actors=N_ACTORS)


def _open(qtbot: Any, parquet: Path) -> tuple[OutOfCoreOpener, list[int]]:
    """Start indexing; count the event loop's ticks while it runs (a frozen window
    would tick nothing)."""
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    opener = OutOfCoreOpener(parquet)
    opener.start()
    qtbot.addWidget(opener.dialog)
    opener._ticker = timer  # type: ignore[attr-defined]  # kept alive with the opener
    return opener, ticks


@pytest.fixture
def window(qtbot: Any, parquet: Path) -> Iterator[MainWindow]:
    opener, ticks = _open(qtbot, parquet)
    with qtbot.waitSignal(opener.opened, timeout=300_000) as opened:
        pass
    assert ticks, "the window froze while the index was built"
    backend = opened.args[0]
    assert isinstance(backend, DuckDBBackend)
    win = MainWindow(backend, parquet)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    win.timeline.setFocus()
    win.settle()
    yield win
    win.close()
    win.deleteLater()


def test_cancel_stops_the_first_open(qtbot: Any, parquet: Path) -> None:
    opener, _ = _open(qtbot, parquet)
    opener.cancel()
    with qtbot.waitSignals([opener.cancelled], timeout=300_000, raising=False) as got:
        pass
    assert got.signal_triggered or opener._result is not None  # too quick to cancel is fine
    if got.signal_triggered:
        # Nothing half-built is kept: the next open builds the index whole. (The first
        # opener stays referenced: collected by Python's cycle collector, it would be
        # freed on whichever thread allocates next, the worker's, and Qt objects must
        # die on their own thread.)
        first = opener
        opener, _ = _open(qtbot, parquet)
        with qtbot.waitSignal(opener.opened, timeout=300_000) as opened:
            pass
        assert first.path == opener.path
        backend = opened.args[0]
        assert backend.event_count() == N_EVENTS
        backend.close()


def frame_picture(win: MainWindow) -> list[tuple[str, bool, int, list[int]]]:
    """Each lane as drawn: name, density or marks, events in view, the marks' ids."""
    return [
        (f.lane.name, f.density, f.visible_count, sorted(f.rows.tolist()))
        for f in win.timeline._frames
    ]


def test_pan_and_zoom_by_keys_while_queries_are_in_flight(qtbot: Any, window: MainWindow) -> None:
    win = window
    queries = win.queries
    assert isinstance(queries, PrefetchingQueries)
    first = frame_picture(win)
    assert any(density for _, density, _, _ in first), "a zoomed-out 60k view is density"
    shift = Qt.KeyboardModifier.ShiftModifier
    asked_before = queries.asked + queries.dropped
    # A burst of pans and zooms, painted as they come, without waiting for answers.
    for key, mods in (
        [(Qt.Key.Key_Right, shift)] * 2
        + [(Qt.Key.Key_Left, shift)] * 4
        + [(Qt.Key.Key_Plus, Qt.KeyboardModifier.NoModifier)] * 5
        + [(Qt.Key.Key_Right, shift)] * 3
    ):
        QTest.keyClick(win.timeline, key, mods)
        win.timeline.repaint()  # a frame while its questions are on their way
        # The last frame stays on screen (the view stays inside the data): never blank.
        assert win.timeline._frames
        assert any(f.density or len(f.rows) for f in win.timeline._frames)
    assert queries.asked + queries.dropped > asked_before
    win.settle()
    # Once answered, the frame is the oracle's at the same view.
    oracle = MainWindow(synthetic_document(N_EVENTS, n_actors=N_ACTORS, years=10, seed=1))
    try:
        oracle.resize(1400, 860)
        oracle.show()
        qtbot.waitExposed(oracle)
        oracle.settle()
        oracle.timeline.set_viewport(win.timeline.viewport)
        oracle.settle()
        win.settle()
        assert oracle.timeline.viewport == win.timeline.viewport
        keys = [np.asarray(r, np.int64) for _, _, _, r in frame_picture(win)]
        ids = [win.queries.event_ids(k) if len(k) else [] for k in keys]
        oracle_ids = [
            oracle.queries.event_ids(np.asarray(r, np.int64)) if r else []
            for _, _, _, r in frame_picture(oracle)
        ]
        assert [row[:3] for row in frame_picture(win)] == [row[:3] for row in frame_picture(oracle)]
        assert [sorted(i) for i in ids] == [sorted(i) for i in oracle_ids]
        assert win.timeline.edge_tags == oracle.timeline.edge_tags
    finally:
        oracle.close()
        oracle.deleteLater()


def test_file_open_of_a_large_parquet_goes_out_of_core_and_back(
    qtbot: Any, parquet: Path, story_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold, File > Open reads through DuckDB; a small file opened
    afterwards brings the window back in memory."""
    from explorer.engines import choice
    from explorer.io.native import read_native
    from explorer.io.save import save_document

    monkeypatch.setattr(choice, "DUCKDB_THRESHOLD_BYTES", parquet.stat().st_size)
    win = MainWindow(read_native(story_path), None)
    try:
        win.show()
        qtbot.waitExposed(win)
        win.importer.open_paths([parquet])
        with qtbot.waitSignal(win.opener.opened, timeout=300_000):
            pass
        win.settle()
        assert not win.in_memory
        assert win.queries.event_count() == N_EVENTS
        assert f"{N_EVENTS:,} of {N_EVENTS:,} events" in win.statusBar().currentMessage()
        assert win.path == parquet
        assert win.actions_by_id["edit.new_event"].isEnabled()  # edits go to the overlay
        assert not win.actions_by_id["file.export_page"].isEnabled()  # needs the tables
        small = tmp_path / "small.json"
        save_document(read_native(story_path), small)
        with qtbot.waitSignal(win.importer.opened, timeout=60_000):
            win.importer.open_paths([small])
        win.settle()
        assert win.in_memory
        assert win.actions_by_id["edit.new_event"].isEnabled()
        assert win.queries.event_count() == len(read_native(story_path).events)
    finally:
        win.editor.stack.setClean()
        win.close()
        win.deleteLater()


def test_engine_choice_by_size_and_flag(tmp_path: Path, parquet: Path) -> None:
    from explorer.engines import choice

    assert choice.choose_engine([parquet]) == "memory"  # small: in memory
    assert choice.choose_engine([parquet], "duckdb") == "duckdb"
    big = parquet.stat().st_size
    assert choice.parquet_bytes(parquet.parent) == big  # a folder of Parquet files
    assert choice.parquet_bytes(tmp_path / "none.csv") is None
    csv = tmp_path / "events.csv"
    csv.write_text("date,title\n2020-01-01,a\n")
    assert choice.choose_engine([csv]) == "memory"
    assert choice.choose_engine([parquet, parquet]) == "memory"  # several files merge in memory


def test_command_line_renders_parquet_through_duckdb(
    tmp_path: Path, parquet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PySide6.QtGui import QImage

    from explorer.app import main

    png = tmp_path / "out.png"
    assert main([str(parquet), "--engine", "duckdb", "--screenshot", str(png)]) == 0
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() == 1400
    csv = tmp_path / "events.csv"
    csv.write_text("date,title\n2020-01-01,a\n")
    assert main([str(csv), "--engine", "duckdb", "--screenshot", str(png)]) == 2
    assert "--engine duckdb opens one Parquet file" in capsys.readouterr().err
    out = tmp_path / "doc.json"
    assert main([str(parquet), "--engine", "duckdb", "--export", str(out)]) == 2
    assert "--engine memory" in capsys.readouterr().err
