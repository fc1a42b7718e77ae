"""The timeline, driven as a user drives it: keys, clicks, the wheel; checked by what is drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage

from explorer.model.dates import parse_date
from explorer.model.store import EventStore
from explorer.model.synthetic import synthetic_document
from explorer.model.viewport import NS, Viewport
from explorer.ui import export, style
from explorer.ui.timeline import DENSITY_OFF, DENSITY_ON, TimelineWidget
from explorer.ui.view_state import ViewState

LANES = ("us-government", "anthropic", "glasswing", "china", "alibaba", "deepseek", "huawei")


def selected_id(window) -> str:
    row = window.state.selected
    return "" if row < 0 else str(window.store.document.events["id"].iloc[row])


def key(qtbot, widget, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, k, modifier)


# --- keyboard --------------------------------------------------------------------------


def test_arrow_keys_walk_lanes_and_time(qtbot, window) -> None:
    t = window.timeline
    key(qtbot, t, Qt.Key.Key_Home)
    assert selected_id(window) == "e-glasswing-blocks"
    assert t.lanes[t.current_lane].name == "Glasswing Ventures"
    key(qtbot, t, Qt.Key.Key_Right)  # the only event in its lane: stays
    assert selected_id(window) == "e-glasswing-blocks"
    key(qtbot, t, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # next in any lane
    assert selected_id(window) == "e-china-295b-commitment"
    assert t.lanes[t.current_lane].name == "China"
    key(qtbot, t, Qt.Key.Key_Right)
    assert selected_id(window) == "e-deepseek-v4-pro-launch"
    key(qtbot, t, Qt.Key.Key_Right)
    assert selected_id(window) == "e-alibaba-accusation"
    key(qtbot, t, Qt.Key.Key_Left)
    assert selected_id(window) == "e-deepseek-v4-pro-launch"
    key(qtbot, t, Qt.Key.Key_Up)  # Glasswing's lane: its only event
    assert selected_id(window) == "e-glasswing-blocks"
    key(qtbot, t, Qt.Key.Key_Up)  # Anthropic's lane: nearest in time to 2025 is the accusation
    assert selected_id(window) == "e-alibaba-accusation"
    assert t.lanes[t.current_lane].name == "Anthropic"
    key(qtbot, t, Qt.Key.Key_End)
    assert selected_id(window) == "e-anthropic-id-mandate"
    key(qtbot, t, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert selected_id(window) == "e-alibaba-accusation"
    key(qtbot, t, Qt.Key.Key_Escape)
    assert window.state.selected == -1


def test_zoom_keys_are_bounded_and_reversible(qtbot, window) -> None:
    t = window.timeline
    window.state.select_id("e-alibaba-accusation")
    before = t.viewport
    anchor = t.viewport.x_of_one(int(window.store.lo[window.state.selected]) + 43200)
    key(qtbot, t, Qt.Key.Key_Plus)
    assert t.viewport.span_ns == pytest.approx(before.span_ns / 2, abs=1)
    # Zoom is about the selection, which moves halfway to the centre.
    centre = t.viewport.width / 2
    assert t.viewport.x_of_one(
        int(window.store.lo[window.state.selected]) + 43200
    ) == pytest.approx((anchor + centre) / 2, abs=1)
    key(qtbot, t, Qt.Key.Key_Minus)
    assert abs(t.viewport.start_ns - before.start_ns) <= 2
    assert abs(t.viewport.span_ns - before.span_ns) <= 2
    for _ in range(80):
        key(qtbot, t, Qt.Key.Key_Plus)
    assert t.viewport.span_ns == NS  # not past one second across the view
    for _ in range(120):
        key(qtbot, t, Qt.Key.Key_Minus)
    lo, hi = window.store.span()
    assert t.viewport.span_ns <= (hi - lo) * NS * 1.1 * 4 + 1  # not past the data x margin


def test_pan_fit_and_zoom_to_selection(qtbot, window) -> None:
    t = window.timeline
    t.zoom_in()
    start, span = t.viewport.start_ns, t.viewport.span_ns
    key(qtbot, t, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert t.viewport.start_ns == pytest.approx(start + span / 10, abs=2)
    key(qtbot, t, Qt.Key.Key_PageUp)
    assert t.viewport.start_ns == pytest.approx(start + span / 10 - span * 0.9, abs=2)
    key(qtbot, t, Qt.Key.Key_F)
    lo, hi = window.store.span()
    assert t.viewport.contains(lo, hi)
    window.state.select_id("e-fable5-shutdown")
    key(qtbot, t, Qt.Key.Key_Z)
    day = parse_date("2026-06-12")
    assert t.viewport.contains(day.seconds, day.end)
    assert t.viewport.span_ns <= 3 * 86400 * NS * 1.2


def test_enter_shows_the_event_in_the_detail_view(qtbot, window) -> None:
    t = window.timeline
    window.state.select_id("e-fable5-shutdown")
    with qtbot.waitSignal(t.activated, timeout=1000) as signal:
        key(qtbot, t, Qt.Key.Key_Return)
    assert signal.args == [window.state.selected]
    assert "Fable 5" in window.detail.sections["title"].text()


def test_tab_leaves_the_timeline(qtbot, window) -> None:
    t = window.timeline
    window.activateWindow()
    t.setFocus()
    qtbot.waitUntil(t.hasFocus)
    key(qtbot, t, Qt.Key.Key_Tab)
    assert not t.hasFocus()


# --- mouse -------------------------------------------------------------------------------


def test_click_selects_the_mark_under_the_cursor(qtbot, window) -> None:
    t = window.timeline
    t.grab()  # paint once, so marks have positions
    row = window.store.row_of("e-fable5-shutdown")
    pos = t.mark_position(row)
    assert pos is not None
    qtbot.mouseClick(t, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert selected_id(window) == "e-fable5-shutdown"
    # Clicking empty space keeps the selection (it does not jump elsewhere).
    qtbot.mouseClick(t, Qt.MouseButton.LeftButton, pos=QPoint(t.width() - 30, t.height() - 60))
    assert selected_id(window) == "e-fable5-shutdown"


def test_wheel_zooms_about_the_cursor(qtbot, window) -> None:
    from PySide6.QtCore import QPoint as P
    from PySide6.QtGui import QWheelEvent

    t = window.timeline
    x = t.plot_rect().left() + 300
    under = t.viewport.seconds_at(300)
    span = t.viewport.span_ns
    event = QWheelEvent(
        QPointF(x, 200),
        QPointF(t.mapToGlobal(P(x, 200))),
        P(0, 0),
        P(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    t.wheelEvent(event)
    assert t.viewport.span_ns < span
    assert abs(t.viewport.seconds_at(300) - under) <= max(t.viewport.seconds_per_px, 1)


def test_drag_pans(qtbot, window) -> None:
    t = window.timeline
    t.zoom_in()
    start = t.viewport.start_ns
    y = t.height() - 80
    qtbot.mousePress(t, Qt.MouseButton.LeftButton, pos=QPoint(700, y))
    qtbot.mouseMove(t, QPoint(600, y))
    qtbot.mouseRelease(t, Qt.MouseButton.LeftButton, pos=QPoint(600, y))
    assert t.viewport.start_ns == pytest.approx(
        start + 100 * t.viewport.span_ns / t.viewport.width, rel=1e-6
    )


# --- what is drawn --------------------------------------------------------------------------


def _pixel(image: QImage, x: float, y: float) -> QColor:
    return image.pixelColor(round(x), round(y))


def _is_background(colour: QColor) -> bool:
    bg = (style.BACKGROUND, style.LANE_ALT, style.GRID)
    return any(
        abs(colour.red() - b.red())
        + abs(colour.green() - b.green())
        + abs(colour.blue() - b.blue())
        < 12
        for b in bg
    )


def test_year_precision_is_a_band_across_its_year(qtbot, window) -> None:
    t = window.timeline
    key(qtbot, t, Qt.Key.Key_F)  # the whole range: both years
    image = t.grab().toImage()  # a real paint: the frame hit tests use
    row = window.store.row_of("e-glasswing-blocks")
    frame = next(f for f in t._frames if row in f.rows)
    i = int(np.flatnonzero(frame.rows == row)[0])
    left = t.plot_rect().left()
    y = t.plot_rect().top() + frame.y[i] + 4  # below the title text, inside the band
    year = parse_date("2025")
    x_start = left + t.viewport.x_of_one(year.seconds)
    x_end = left + t.viewport.x_of_one(year.end)
    assert x_end - x_start > 100  # a band, not a dot
    for fraction in (0.05, 0.5, 0.95):  # coloured across the whole year...
        assert not _is_background(_pixel(image, x_start + fraction * (x_end - x_start), y))
    # ...and nowhere before it.
    assert _is_background(_pixel(image, x_start - 6, y))


def test_alleged_is_drawn_differently_from_reported(qtbot, window) -> None:
    """At full view both are points: the alleged one hollow, the reported one filled."""
    t = window.timeline
    key(qtbot, t, Qt.Key.Key_F)
    image = t.grab().toImage()  # a real paint: the frame hit tests use
    centre = {}
    for ident in ("e-alibaba-accusation", "e-deepseek-v4-pro-launch"):
        pos = t.mark_position(window.store.row_of(ident), lane_index=3)  # China has both
        assert pos is not None
        centre[ident] = _pixel(image, pos.x() - 1, pos.y())
    assert _is_background(centre["e-alibaba-accusation"])  # hollow: alleged
    assert not _is_background(centre["e-deepseek-v4-pro-launch"])  # filled: reported


def test_alleged_band_is_hatched_when_zoomed_in(qtbot, window) -> None:
    """Zoomed in, a day is a band: the alleged one hatched, the reported one solid."""
    t = window.timeline
    t.set_viewport(
        Viewport.fit(
            parse_date("2026-06-17").seconds, parse_date("2026-06-27").seconds, t.viewport.width
        )
    )
    image = t.grab().toImage()  # drawn on screen: what hit tests read is this frame
    frame = t._frames[3]  # China
    left, top = t.plot_rect().left(), t.plot_rect().top()
    gaps = {}
    for ident in ("e-alibaba-accusation", "e-deepseek-v4-pro-launch"):
        i = int(np.flatnonzero(frame.rows == window.store.row_of(ident))[0])
        assert frame.x_end[i] - frame.x[i] > 20  # drawn as a band at this zoom
        xs = np.arange(frame.x[i] + 3, frame.x_end[i] - 3)
        ys = np.arange(frame.y[i] - 4, frame.y[i] + 5)
        pixels = [_pixel(image, left + x, top + y) for x in xs for y in ys]
        gaps[ident] = sum(_is_background(c) for c in pixels) / len(pixels)
    assert gaps["e-deepseek-v4-pro-launch"] == 0  # solid soft fill
    assert gaps["e-alibaba-accusation"] > 0.2  # hatching leaves gaps


def test_legend_names_every_status(qtbot, window) -> None:
    # The legend is painted text; check its content through the same constants.
    from explorer.ui.timeline import STATUS_ORDER

    assert [s.value for s in STATUS_ORDER] == [
        "confirmed",
        "reported",
        "alleged",
        "disputed",
        "retracted",
        "unassessed",
    ]


def test_selection_from_elsewhere_scrolls_into_view(qtbot, window) -> None:
    t = window.timeline
    for _ in range(8):
        t.zoom_in()
    t.page_left()
    t.page_left()
    row = window.store.row_of("e-anthropic-id-mandate")
    assert not t.viewport.contains(int(window.store.lo[row]), int(window.store.hi[row]))
    window.state.select_id("e-anthropic-id-mandate")
    assert t.viewport.contains(int(window.store.lo[row]), int(window.store.hi[row]))


def test_tooltip_and_accessible_description_are_plain_text(qtbot, story) -> None:
    doc = story.copy()
    doc.events.loc[0, "title"] = "<b>bold</b> & <img src=x>"
    state = ViewState(EventStore(doc))
    t = TimelineWidget(state)
    qtbot.addWidget(t)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img" in t.tooltip_html(0)
    state.select(0)
    assert t.accessibleDescription().startswith("<b>bold</b> & <img src=x>")
    assert "2025" in t.accessibleDescription()


# --- level of detail ---------------------------------------------------------------------------


@pytest.fixture
def big(qtbot):
    doc = synthetic_document(60_000, n_actors=12, years=2, seed=3)
    state = ViewState(EventStore(doc))
    t = TimelineWidget(state)
    qtbot.addWidget(t)
    t.resize(1400, 700)
    t.fit_all()
    return t


def test_density_when_zoomed_out_marks_when_zoomed_in(big: TimelineWidget) -> None:
    image = big.grab().toImage()
    assert big.visible_count() > DENSITY_ON
    assert big.density_mode
    assert all(f.density for f in big._frames)
    assert big.density_peak > 1
    # Zoom in until few events are visible: marks return.
    while big.visible_count() > DENSITY_OFF / 4:
        big.zoom_in()
    big.grab().toImage()
    assert not big.density_mode
    assert any(len(f.rows) for f in big._frames)
    assert image.width() == 1400


def test_density_does_not_flicker_at_the_threshold(big: TimelineWidget) -> None:
    big.grab().toImage()
    assert big.density_mode
    # Between the two thresholds the mode holds, whichever way we came from.
    while big.visible_count() > (DENSITY_ON + DENSITY_OFF) // 2:
        big.set_viewport(big.viewport.zoomed(0.97))
    assert DENSITY_OFF < big.visible_count() <= DENSITY_ON
    big.grab().toImage()
    assert big.density_mode
    while big.visible_count() >= DENSITY_OFF:
        big.set_viewport(big.viewport.zoomed(0.97))
    big.grab().toImage()
    assert not big.density_mode
    big.set_viewport(big.viewport.zoomed(1 / 0.97))
    big.grab().toImage()
    if big.visible_count() <= DENSITY_ON:
        assert not big.density_mode


def test_marks_in_one_sub_row_do_not_overlap(big: TimelineWidget) -> None:
    while big.visible_count() > 3000:
        big.zoom_in()
    big.grab().toImage()
    for frame in big._frames:
        for y in np.unique(frame.y):
            xs = np.sort(frame.x[frame.y == y])
            points = frame.x[frame.y == y] == frame.x_end[frame.y == y]
            if points.all() and len(xs) > 1:
                assert np.diff(xs).min() >= 9  # a mark's width: no two squares overlap


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_export_view(window, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"view{suffix}"
    export.export_view(window.timeline, out, QSize(1200, 600))
    data = out.read_bytes()
    assert len(data) > 1000
    if suffix == ".png":
        image = QImage(str(out))
        assert (image.width(), image.height()) == (1200, 600)
    elif suffix == ".svg":
        assert b"<svg" in data
        assert b"Glasswing" in data
    else:
        assert data.startswith(b"%PDF")


def test_export_refuses_unknown_format(window, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot export"):
        export.export_view(window.timeline, tmp_path / "view.bmp", QSize(400, 300))


def test_exporting_never_changes_what_is_on_screen_or_what_a_click_hits(qtbot, window) -> None:
    t = window.timeline
    t.repaint()
    viewport, frames = t.viewport, t._frames
    mark = next(f for f in frames if len(f.rows))
    pos = t.mark_position(int(mark.rows[0]))
    assert pos is not None
    hit = t.event_at(pos)
    image = t.render_image(QSize(3000, 1400))  # another width: another layout
    assert image.width() == 3000
    assert t.viewport == viewport
    assert t._frames is frames
    assert t.event_at(pos) == hit == int(mark.rows[0])
