"""`edit_one` out of core: one status change through the overlay until every view has
updated, measured as the in-memory `edit_one` of explorer/bench.py is (the edit
through the query interface, its one Change reaching the event table and the search
bar, then the timeline's next frame), with the window's own front: the DuckDB backend
behind `PrefetchingQueries`, so the frame counts only once the worker's answer to the
new question has arrived and been painted.

Two figures: `edit_one` edits one event back and forth (as the in-memory figure
does: after the first edit the event is the overlay's), `edit_one_first` edits
another event each time (each pays for taking its row over from the data). The
crash copy is written a moment after an edit, as in the window (its cost is its own
figure, `overlay_crash_copy`). The overlay goes to a temporary folder: the
benchmark's Parquet file keeps no edits.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from explorer.engines.bench_duckdb import Row


def overlay_edit_rows(path: Path, repeats: int, width: int, height: int) -> list[Row]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from explorer.engines.duckdb_backend import DuckDBBackend
    from explorer.engines.overlay import OverlayFiles
    from explorer.engines.prefetch import PrefetchingQueries
    from explorer.model.query import SetEventFields
    from explorer.ui.event_table import EventTable
    from explorer.ui.search_bar import SearchBar
    from explorer.ui.timeline import TimelineWidget
    from explorer.ui.view_state import ViewState

    app = QApplication.instance() or QApplication([])  # noqa: F841 (outlives the widgets)
    size = QSize(width, height)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = OverlayFiles(Path(tmp) / "overlay.json", Path(tmp) / "overlay.unsaved", False)
        duck = DuckDBBackend(path, overlay=files)
        front = PrefetchingQueries(duck)
        state = ViewState(front)
        widget = TimelineWidget(state)
        widget.resize(size)
        widget.fit_all()
        table = EventTable(state)
        bar = SearchBar(state)

        def frame() -> None:
            """Paint; while a paint asked the engine something, let the worker answer
            and paint again (the frame with the new answers is the updated one)."""
            for _ in range(4):
                asked = front.asked
                painter = QPainter(image)
                widget.paint(painter, size)
                painter.end()
                front.wait_idle(30.0)
                if front.asked == asked:
                    break
            QApplication.processEvents()

        duck.defer_crash_copy = lambda: None  # as in the window: written a moment later
        frame()
        n = duck.event_count()
        rng = np.random.default_rng(7)
        statuses = iter(["disputed", "alleged"] * (4 * repeats + 4))

        def edit(key: int) -> float:
            ident = front.event_ids(np.asarray([key]))[0]
            began = time.perf_counter()
            front.apply(SetEventFields((ident,), {"status": next(statuses)}, keys=(key,)))
            frame()
            return (time.perf_counter() - began) * 1000

        one = int(rng.integers(0, n))
        edit(one)  # warm: the event is the overlay's from now on
        same = statistics.median(edit(one) for _ in range(repeats))
        first = statistics.median(edit(int(k)) for k in rng.integers(0, n, size=repeats))
        copies = []
        for _ in range(3):
            duck._crash_copy_due = True
            began = time.perf_counter()
            duck.write_crash_copy()
            copies.append((time.perf_counter() - began) * 1000)
        rows.append(Row("edit_one", 1, same, None, n))
        rows.append(Row("edit_one_first", 1, first, None, n))
        # The crash copy of the overlay so edited, written a moment after the edits.
        rows.append(Row("overlay_crash_copy", 1, statistics.median(copies), None, n))
        views = (table, bar)  # kept to here: the views that heard every Change
        assert all(v is not None for v in views)
        front.close()
        duck.close()
    return rows
