"""The analyst's desk by keys: the display zone, saved views, back and forward."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QInputDialog

from explorer.io.native import write_native
from explorer.model import zones
from explorer.model.dates import parse_date
from explorer.model.document import Document
from explorer.model.store import Filter
from explorer.ui import settings
from explorer.ui.actions import conflicts, key_sequences, spec
from tests.factories import event, make_document

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def forensic() -> Document:
    """Logins on two hosts around New York's spring DST change, and one dated report."""
    events = [
        event(f"login-{i}", f"2026-03-0{7 + i // 4}T{(i % 4) * 6:02d}:15:00Z", title=f"Login {i}")
        for i in range(12)
    ]
    events.append(event("report", "2026-03-08", title="Incident report (day only)"))
    return make_document(events)


@pytest.fixture
def forensic_window(qtbot, tmp_path: Path) -> Iterator[object]:
    from explorer.ui.main_window import MainWindow

    path = tmp_path / "forensic.json"
    write_native(forensic(), path)
    from explorer.io.native import read_native

    win = MainWindow(read_native(path), path)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    win.timeline.setFocus()
    yield win
    win.editor.stack.setClean()
    win.close()
    win.deleteLater()


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def choose_zone_by_keys(qtbot, window, typed: str) -> None:
    """Ctrl+K, "time zone", Enter; then type the zone and Enter, as a user would."""
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    palette = window.palette_dialog
    qtbot.waitExposed(palette)
    qtbot.waitUntil(palette.field.hasFocus)
    qtbot.keyClicks(palette.field, "time zone")
    assert palette.matches()[0] == "view.time_zone"
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    dialog = window.zone_dialog
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.field.hasFocus)
    qtbot.keyClicks(dialog.field, typed)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def date_cells(window) -> dict[str, str]:
    model = window.table.table_model
    return {
        model.record(model.key_at(r)).id: str(model.data(model.index(r, 0)))
        for r in range(model.rowCount())
    }


# --- the display time zone -------------------------------------------------------------


def test_choosing_new_york_by_keys_shows_times_there(qtbot, forensic_window) -> None:
    window = forensic_window
    before = date_cells(window)
    assert before["login-0"] == "7 March 2026, 00:15:00 UTC"
    choose_zone_by_keys(qtbot, window, "new york")
    assert window.state.zone.key == "America/New_York"
    after = date_cells(window)
    assert after["login-0"] == "6 March 2026, 19:15:00 EST (UTC−05:00)"
    assert after["login-8"] == "8 March 2026, 20:15:00 EDT (UTC−04:00)"  # after the change
    assert after["report"] == before["report"] == "8 March 2026"  # a day is a day anywhere
    window.state.select_id("login-8")
    assert "20:15:00 EDT (UTC−04:00)" in window.detail.sections["date"].text()
    assert "EDT" in window.timeline.describe(window.state.selected)
    # Stored times stay UTC.
    assert window.store.document.events.set_index("id").at["login-8", "start"] == (
        window.store.document.events.set_index("id").at["login-0", "start"] + 2 * 86400
    )
    # The axis names the zone, and the View menu offers UTC back.
    window.actions_by_id["view.zone_utc"].trigger()
    assert window.state.zone.is_utc
    assert date_cells(window)["login-0"] == before["login-0"]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_day_precision_event_keeps_its_day(qtbot, window, zone: str) -> None:
    window.state.select_id("e-alibaba-accusation")
    choose_zone_by_keys(qtbot, window, zone.split("/")[1].lower())
    assert window.state.zone.key == zone
    assert window.detail.sections["date"].text().startswith("24 June 2026 ")
    assert date_cells(window)["e-alibaba-accusation"] == "24 June 2026"
    assert "24 June 2026" in window.timeline.describe(window.state.selected)
    # On the timeline too: zoomed in (Z), its bar runs from the zone's midnight of the
    # 24th to its midnight of the 25th, between those local day ticks, not UTC's.
    timeline = window.timeline
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Z)
    timeline.repaint()
    key = window.state.selected
    frames = [f for f in timeline._frames if key in f.rows.tolist()]
    assert frames  # the accusation is drawn in the lanes of both its actors
    at = [f.rows.tolist().index(key) for f in frames]
    tz = window.state.zone.tz
    midnights = zones.from_wall(
        np.array([parse_date(d).seconds for d in ("2026-06-24", "2026-06-25")]), tz
    )
    vp = timeline.viewport
    for frame, i in zip(frames, at, strict=True):
        assert frame.x[i] == pytest.approx(vp.x_of_one(int(midnights[0])), abs=0.5)
        assert frame.x_end[i] == pytest.approx(vp.x_of_one(int(midnights[1])), abs=0.5)
    assert (
        abs(vp.x_of_one(int(midnights[0])) - vp.x_of_one(parse_date("2026-06-24").seconds)) > 3
    )  # (14 h apart)


def test_the_zone_is_remembered_with_the_document(qtbot, forensic_window) -> None:
    from explorer.ui.main_window import MainWindow

    window = forensic_window
    choose_zone_by_keys(qtbot, window, "kolkata")
    path = window.path
    window.close()  # remembers the view, and lets go of the file
    again = MainWindow(window.store.document, path)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: again.state.zone.key == "Asia/Kolkata")
    again.editor.stack.setClean()
    again.close()
    assert settings.load_view(path)["zone"] == "Asia/Kolkata"  # type: ignore[index]


# --- saved views -------------------------------------------------------------------------


def test_a_saved_view_comes_back_from_the_views_panel(qtbot, window) -> None:
    state = window.state
    state.set_filter(Filter(text="Anthropic"))
    state.toggle_actor("huawei")
    state.set_lane_grouping("status")
    window.set_zone(__import__("explorer.model.zones", fromlist=["zone"]).zone("Europe/Paris"))
    qtbot.keyClicks(window.timeline, "+")
    saved_range = (state.viewport.start_ns, state.viewport.span_ns)

    # Ctrl+Shift+D asks for a name.
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Accusation, Paris time")
        dialog.accept()

    activate(qtbot, window)
    QTimer.singleShot(0, answer)
    qtbot.keyClick(window, Qt.Key.Key_D, CTRL | SHIFT)
    assert window.saved_views.names() == ["Accusation, Paris time"]

    # Somewhere else entirely.
    window.clear_filters()
    state.show_all_actors()
    state.set_lane_grouping(None)
    window.zone_utc()
    qtbot.keyClick(window.timeline, Qt.Key.Key_F)
    assert state.filter == Filter()

    # Ctrl+Shift+V, Enter: back to the saved view.
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_V, CTRL | SHIFT)
    qtbot.waitUntil(window.views_panel.list.hasFocus)
    qtbot.keyClick(window.views_panel.list, Qt.Key.Key_Return)
    assert state.filter.text == "Anthropic"
    assert state.hidden_actors == frozenset({"huawei"})
    assert state.lane_grouping is not None
    assert state.lane_grouping.column == "status"
    assert state.zone.key == "Europe/Paris"
    assert (state.viewport.start_ns, state.viewport.span_ns) == saved_range

    # The palette lists it too; Delete in the panel removes it (not the selected event).
    window.zone_utc()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_K, CTRL)
    palette = window.palette_dialog
    qtbot.waitUntil(palette.field.hasFocus)
    qtbot.keyClicks(palette.field, "paris time")
    assert palette.matches() == ["saved-view:0"]
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    assert state.zone.key == "Europe/Paris"
    n = window.store.n
    window.show_views_panel()
    qtbot.keyClick(window.views_panel.list, Qt.Key.Key_Delete)
    assert window.saved_views.names() == []
    assert window.store.n == n


def test_saved_views_are_kept_with_the_document(qtbot, forensic_window) -> None:
    from explorer.ui.main_window import MainWindow

    window = forensic_window
    window.state.set_filter(Filter(text="Login 1"))
    window.save_view_as("  first\tlogins \x1b ")
    window.close()
    again = MainWindow(window.store.document, window.path)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: again.saved_views.names() == ["first logins"])
    again.restore_saved_view(0)
    assert again.state.filter.text == "Login 1"
    again.editor.stack.setClean()
    again.close()


# --- back and forward ---------------------------------------------------------------------


def test_back_and_forward_by_keys(qtbot, window) -> None:
    state, timeline, history = window.state, window.timeline, window.navigation
    activate(qtbot, window)
    timeline.setFocus()
    start = (state.viewport.start_ns, state.viewport.span_ns)
    for _ in range(4):  # a burst of zoom steps is one entry
        qtbot.keyClick(timeline, Qt.Key.Key_Plus)
    zoomed = (state.viewport.start_ns, state.viewport.span_ns)
    assert zoomed != start
    assert len(history.entries) == 2
    # Steps a hand makes seconds apart (a test's keys come faster than any hand).
    history.end_burst()
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    first = state.selected_id
    history.end_burst()
    qtbot.keyClick(timeline, Qt.Key.Key_Right, CTRL)
    second = state.selected_id
    assert first
    assert second
    assert first != second
    history.end_burst()
    window.search.field.setText("Alibaba")
    qtbot.waitUntil(lambda: state.filter.text == "Alibaba")
    assert len(history.entries) == 5

    back = key_sequences(spec("go.back"))[0]
    assert back.toString() == "Ctrl+["
    qtbot.keyClick(timeline, Qt.Key.Key_BracketLeft, CTRL)
    assert state.filter.text == ""
    assert state.selected_id == second
    qtbot.keyClick(timeline, Qt.Key.Key_BracketLeft, CTRL)
    assert state.selected_id == first
    while history.can_back():
        qtbot.keyClick(timeline, Qt.Key.Key_BracketLeft, CTRL)
    assert (state.viewport.start_ns, state.viewport.span_ns) == start
    assert state.selected_id is None
    assert not window.actions_by_id["go.back"].isEnabled()
    qtbot.keyClick(timeline, Qt.Key.Key_BracketRight, CTRL)
    assert (state.viewport.start_ns, state.viewport.span_ns) == zoomed  # the burst, at once
    # The mouse's back button, anywhere in the window.
    press = QMouseEvent(
        QMouseEvent.Type.MouseButtonPress,
        QPointF(50, 50),
        QPointF(50, 50),
        Qt.MouseButton.BackButton,
        Qt.MouseButton.BackButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window.table.viewport(), press)
    assert (state.viewport.start_ns, state.viewport.span_ns) == start
    # Alt+Left still moves the selected event, and nothing shares a key.
    assert conflicts() == []
    assert key_sequences(spec("edit.nudge_earlier"))[0].toString() == "Alt+Left"


# --- the command line --------------------------------------------------------------------


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


def test_tz_on_the_command_line_with_export_and_screenshot(tmp_path: Path) -> None:
    source = tmp_path / "forensic.json"
    write_native(forensic(), source)
    out = tmp_path / "out.csv"
    done = run(str(source), "--tz", "America/New_York", "--export", str(out), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    assert rows["login-8"]["start"] == "2026-03-09T00:15:00"  # stored UTC, unchanged
    assert rows["login-8"]["start_local"] == "2026-03-08T20:15:00-04:00"
    assert rows["login-0"]["start_local"] == "2026-03-06T19:15:00-05:00"
    assert rows["report"]["start_local"] == "2026-03-08"

    png = tmp_path / "shot.png"
    done = run(str(source), "--tz", "America/New_York", "--screenshot", str(png), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not QImage(str(png)).isNull()

    bad = run(str(source), "--tz", "Mars/Olympus", "--export", str(out), tmp_path=tmp_path)
    assert bad.returncode == 2
    assert "--tz: 'Mars/Olympus' is not a time zone" in bad.stderr


# --- out of core: the same zone, saved views and history over DuckDB ------------------


def test_zone_saved_views_and_history_work_out_of_core(qtbot, tmp_path: Path) -> None:
    """No Document behind the window: times in the zone come from records, a saved view
    and the history find actors and events through the query interface."""
    from explorer.engines.duckdb_backend import DuckDBBackend
    from explorer.io.parquet import write_parquet
    from explorer.ui.main_window import MainWindow

    parquet = tmp_path / "forensic.parquet"
    write_parquet(forensic(), parquet)
    window = MainWindow(DuckDBBackend(parquet, cache=tmp_path / "cache"), parquet)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    window.settle()
    assert window.state.store is None
    state = window.state
    window.set_zone(zones.zone("America/New_York"))
    window.settle()
    cells = date_cells(window)
    assert cells["login-0"] == "6 March 2026, 19:15:00 EST (UTC−05:00)"
    assert cells["report"] == "8 March 2026"
    assert state.select_id("login-8")
    window.settle()
    assert "20:15:00 EDT (UTC−04:00)" in window.detail.sections["date"].text()
    assert "EDT" in window.timeline.describe(state.selected)
    window.save_view_as("evening")
    window.zone_utc()
    state.set_filter(Filter(text="Login 1"))
    window.restore_saved_view(0)
    assert state.zone.key == "America/New_York"
    assert state.filter.text == ""
    window.navigation.end_burst()
    state.select_id("login-2")
    window.navigation.end_burst()
    window.go_back()
    assert state.selected_id == "login-8"
    window.close()
    window.deleteLater()


_NAMES = st.frozensets(st.text(min_size=1, max_size=8), max_size=3)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.builds(
        Filter,
        actors=st.none() | _NAMES,
        themes=st.none() | _NAMES,
        statuses=st.none() | _NAMES,
        text=st.text(max_size=10),
        window=st.none() | st.tuples(st.integers(-(2**40), 0), st.integers(1, 2**40)),
        known_by=st.none() | st.integers(-(2**40), 2**40),
        known_undated=st.booleans(),
        starred=st.booleans(),
        noted=st.booleans(),
        tags=st.none() | _NAMES,
        sources=st.none() | _NAMES,
        sourcing=st.none() | _NAMES,
        together=st.none() | _NAMES,
    )
)
def test_every_filter_field_survives_a_saved_view(flt: Filter) -> None:
    """Saved views and back/forward store filters as JSON: every field comes back
    (starred, tags, sources, sourcing levels and actors together included)."""
    from explorer.ui.view_snapshot import filter_data, filter_from

    assert filter_from(json.loads(json.dumps(filter_data(flt)))) == flt
