"""Every view works the same over any backend: the same keys and clicks on a window
opened on the in-memory story and on one opened on DuckDB over the story as Parquet
(no Document at all) show the user the same things.

The DuckDB window answers frames on a worker thread (PrefetchingQueries); before each
look the test lets its questions be answered (`MainWindow.settle`), as a user waits
for the frame to arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.prefetch import PrefetchingQueries
from explorer.io.parquet import write_parquet
from explorer.model.document import Document
from explorer.ui.actor_panel import EVENTS
from explorer.ui.event_table import COLUMNS, TITLE
from explorer.ui.main_window import MainWindow

Window = Any


def _open(qtbot: Any, source: Any, path: Path | None) -> Window:
    win = MainWindow(source, path)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    win.timeline.setFocus()
    win.settle()
    return win


@pytest.fixture
def pair(qtbot: Any, story: Document, tmp_path: Path) -> Iterator[tuple[Window, Window]]:
    """The story in memory, and the same story as Parquet through DuckDB."""
    parquet = tmp_path / "story.parquet"
    write_parquet(story, parquet)
    memory = _open(qtbot, story, None)
    duck = _open(qtbot, DuckDBBackend(parquet, cache=tmp_path / "cache"), parquet)
    yield memory, duck
    for win in (memory, duck):
        win.editor.stack.setClean()
        win.close()
        win.deleteLater()


def ids(win: Window, keys: Any) -> list[str]:
    keys = np.asarray(keys, dtype=np.int64)
    return win.queries.event_ids(keys) if len(keys) else []


def seen(win: Window) -> dict[str, Any]:
    """What the user sees, by event id (keys are each backend's own)."""
    win.settle()
    t = win.timeline
    table = win.table.table_model
    actors = win.actor_panel.model
    selected = win.state.selected
    return {
        "selected": win.state.selected_id,
        "detail": win.detail.text(),
        "described": t.accessibleDescription(),
        "current lane": t.lanes[t.current_lane].name if t.lanes else None,
        "viewport": (t.viewport.start_ns, t.viewport.span_ns),
        "lanes": [
            (f.lane.name, f.density, f.visible_count, sorted(ids(win, f.rows)), f.overflow)
            for f in t._frames
        ],
        "labels": sorted(t.drawn_labels.values()),
        "edge tags": sorted(t.edge_tags),
        "density": t.density_mode,
        "status bar": win.statusBar().currentMessage().split(" · out of core")[0],
        "count": win.search.count.text(),
        "chips": win.search.chip_texts(),
        "actors": [
            (actors.actor_id(r), actors.data(actors.index(r, EVENTS)))
            for r in range(actors.rowCount())
        ],
        "table rows": table.rowCount(),
        "table": [
            [table.data(table.index(r, c)) for c in range(len(COLUMNS))]
            for r in range(min(table.rowCount(), 40))
        ],
        "table current": win.table.currentIndex().row(),
        "table selected": table.position_of(selected) if selected >= 0 else -1,
    }


def both(pair: tuple[Window, Window], act: Callable[[Window], None]) -> dict[str, Any]:
    memory, duck = pair
    act(memory)
    act(duck)
    shown = seen(memory)
    assert seen(duck) == shown
    return shown


def keys(*sequence: Any) -> Callable[[Window], None]:
    def press(win: Window) -> None:
        activate(win)
        for item in sequence:
            key, mods = item if isinstance(item, tuple) else (item, Qt.KeyboardModifier.NoModifier)
            QTest.keyClick(win.focusWidget() or win.timeline, key, mods)
            win.settle()

    return press


def activate(win: Window) -> None:
    """Keys go to the window in front (shortcuts are the active window's)."""
    win.activateWindow()
    QApplication.processEvents()
    assert QApplication.activeWindow() is win


def menu_action(win: Window, menu_title: str, text: str) -> QAction:
    win.search._fill_menu()
    sub = next(m for m in win.search.menu.findChildren(QMenu) if m.title() == menu_title)
    return next(a for a in sub.actions() if a.text() == text)


def test_the_duckdb_window_has_no_document(pair: tuple[Window, Window]) -> None:
    memory, duck = pair
    assert memory.in_memory
    assert not duck.in_memory
    assert duck.state.store is None
    assert isinstance(duck.queries, PrefetchingQueries)
    # No tables in memory, but edits: they go to the overlay beside the data.
    assert "out of core, edits kept in" in duck.statusBar().currentMessage()
    assert duck.actions_by_id["edit.new_event"].isEnabled()
    assert not duck.actions_by_id["file.export_page"].isEnabled()
    assert seen(duck) == seen(memory)


def test_timeline_keys_select_the_same_events(pair: tuple[Window, Window]) -> None:
    ctrl = Qt.KeyboardModifier.ControlModifier
    shift = Qt.KeyboardModifier.ShiftModifier
    looks = []
    for step in (
        keys(Qt.Key.Key_Home),
        keys(Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right),
        keys(Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right),
        keys((Qt.Key.Key_Right, ctrl), (Qt.Key.Key_Right, ctrl), Qt.Key.Key_Up),
        keys(Qt.Key.Key_Z, Qt.Key.Key_Plus, Qt.Key.Key_Minus, (Qt.Key.Key_Right, shift)),
        keys(Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Return),
        keys(Qt.Key.Key_End, (Qt.Key.Key_Left, ctrl), Qt.Key.Key_F),
        keys(Qt.Key.Key_Escape),
    ):
        looks.append(both(pair, step))
    # The steps did something a user sees: other events, other views, labels drawn.
    assert len({look["selected"] for look in looks}) >= 4
    assert len({look["viewport"] for look in looks}) >= 4
    assert all(look["labels"] for look in looks[:-1])
    assert looks[-1]["selected"] is None
    assert looks[-2]["detail"] != looks[-1]["detail"]


def test_table_detail_and_actor_panel_agree(pair: tuple[Window, Window]) -> None:
    ctrl = Qt.KeyboardModifier.ControlModifier
    # The table: focus it, walk down, sort by title and walk on.
    walked = both(pair, keys((Qt.Key.Key_4, ctrl), Qt.Key.Key_Down, Qt.Key.Key_Down))
    assert walked["table current"] == walked["table selected"] == 2
    by_title = both(pair, lambda w: w.table.sortByColumn(TITLE, Qt.SortOrder.DescendingOrder))
    titles = [row[TITLE] for row in by_title["table"]]
    assert titles == sorted(titles, key=str.lower, reverse=True)
    assert walked["table"] != by_title["table"]
    both(pair, keys(Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Up))
    # The actor panel: a lane chosen there selects its next event on the timeline.
    lane = both(pair, keys((Qt.Key.Key_2, ctrl), Qt.Key.Key_Down, Qt.Key.Key_Return))
    actors = pair[0].queries.actors()
    chosen = pair[0].actor_panel.current_actor()
    assert lane["current lane"] == actors.names[actors.row_of(chosen)]
    solo = both(pair, keys((Qt.Key.Key_O, ctrl | Qt.KeyboardModifier.ShiftModifier)))
    assert len(solo["lanes"]) < len(lane["lanes"])
    both(pair, keys((Qt.Key.Key_A, ctrl | Qt.KeyboardModifier.ShiftModifier)))


def test_search_and_filters_agree(pair: tuple[Window, Window], qtbot: Any) -> None:
    ctrl = Qt.KeyboardModifier.ControlModifier

    def search(win: Window) -> None:
        activate(win)
        qtbot.keyClick(win.timeline, Qt.Key.Key_F, ctrl)
        qtbot.keyClicks(win.search.field, "china")
        win.search.apply_text()
        qtbot.keyClick(win.search.field, Qt.Key.Key_Return)

    found = both(pair, search)
    assert "china" in found["detail"].lower()
    shown, total = (
        int(n.replace(",", "")) for n in found["count"].split(" events")[0].split(" of ")
    )
    assert 0 < shown < total
    both(
        pair, keys(Qt.Key.Key_F3, Qt.Key.Key_F3, (Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier))
    )
    # Filter chips: a status left out, then known by a date, through the Filters menu.
    both(pair, lambda w: menu_action(w, "&Claim status", "alleged").trigger())
    both(pair, lambda w: menu_action(w, "&Theme", w.queries.themes().names[0]).trigger())
    memory, duck = pair
    assert memory.search.chip_texts()
    assert duck.search.chip_texts() == memory.search.chip_texts()

    def known_by(win: Window) -> None:
        from explorer.model.dates import parse_date

        win.search.set_known_by(parse_date("2025-06-01"))

    both(pair, known_by)
    assert any("Known by" in chip for chip in memory.search.chip_texts())
    both(pair, keys(Qt.Key.Key_Home, Qt.Key.Key_Right, Qt.Key.Key_Down))
    both(pair, keys((Qt.Key.Key_L, ctrl | Qt.KeyboardModifier.ShiftModifier)))
