"""What a new user sees first and trips over (issue 12), played by keys and clicks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from explorer.io.formats import read_any
from explorer.model.dates import parse_date
from explorer.model.opening_view import opening_window
from explorer.model.viewport import Viewport
from explorer.ui.main_window import MainWindow

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def open_window(qtbot, result) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(result.document, result.path, imported=True)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts need the window active, as a user's would be
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    return window


def painted(window: MainWindow) -> None:
    window.timeline.grab()  # a real paint: the frame that hit tests use


def test_the_story_opens_readable(qtbot, window) -> None:
    t = window.timeline
    painted(window)
    store = window.store
    titles = [str(x) for x in store.document.events["title"]]
    plot_w = t.plot_rect().width()
    for row, title in enumerate(titles):
        tag = [text for _, _, text in t.edge_tags if title[:20] in text]
        label = t.drawn_labels.get(row, "")
        # The whole title, or as much as fits (at least its first words), or its name
        # at the lane's edge when it lies outside the view.
        assert label == title or (len(label) > 25 and title.startswith(label[:-1])) or tag, title
    # The dated events spread over the width instead of huddling in its last tenth.
    dated = [r for r in range(store.n) if int(store.hi[r] - store.lo[r]) <= 86400]
    xs = t.viewport.x_of(store.lo[dated])
    assert xs.min() < 0.2 * plot_w
    assert xs.max() - xs.min() > 0.5 * plot_w
    # F still shows everything; the view it opened on is the dense stretch.
    qtbot.keyClick(t, Qt.Key.Key_F)
    lo, hi = store.span()
    assert t.viewport.contains(lo, hi)


def test_opening_window_rule() -> None:
    day = 86400
    # Two long bands and a burst of short events: the burst.
    lo = np.array([0, 365 * day, 500 * day, 507 * day, 512 * day, 526 * day], dtype=np.int64)
    hi = np.array([365 * day, 730 * day, 501 * day, 508 * day, 513 * day, 527 * day])
    assert opening_window(lo, hi) == (500 * day, 527 * day)
    # Evenly spread events: everything.
    even = np.arange(10, dtype=np.int64) * 30 * day
    assert opening_window(even, even + day) == (0, 271 * day)


def test_plus_zooms_about_the_selection_toward_the_centre(qtbot, window) -> None:
    t = window.timeline
    window.state.select_id("e-fable5-shutdown")  # the first dated event, near the left
    row = window.state.selected
    store = window.store
    x_before = t.viewport.x_of_one(int(store.lo[row] + store.hi[row]) // 2)
    centre = t.viewport.width / 2
    qtbot.keyClick(t, Qt.Key.Key_Plus)
    x_after = t.viewport.x_of_one(int(store.lo[row] + store.hi[row]) // 2)
    assert abs(x_after - centre) < abs(x_before - centre)
    assert 0 <= x_after <= t.viewport.width


def test_year_band_keeps_its_label_when_zoomed_in(qtbot, window) -> None:
    t = window.timeline
    june = parse_date("2026-06-10").seconds, parse_date("2026-06-20").seconds
    t.set_viewport(Viewport.fit(*june, t.viewport.width))
    painted(window)
    row = window.store.row_of("e-china-295b-commitment")
    assert t.drawn_labels[row].startswith("China commits $295 billion")


def test_legend_has_today_and_axis_labels_are_whole(qtbot, window) -> None:
    t = window.timeline
    for _ in range(4):
        painted(window)
        assert "today" in t.legend_items
        assert t.axis_labels
        assert not any(label.endswith("…") for label in t.axis_labels)
        qtbot.keyClick(t, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


@needs_corpus
def test_end_scrolls_the_lanes_to_the_selected_event(qtbot) -> None:
    window = open_window(qtbot, read_any(CORPUS / "other" / "results.csv"))
    try:
        t = window.timeline
        qtbot.keyClick(t, Qt.Key.Key_End)
        painted(window)
        pos = t.mark_position(window.state.selected)
        assert pos is not None  # drawn, even over a density strip
        assert t.plot_rect().top() <= pos.y() <= t.plot_rect().bottom()
        # Lanes come in name order, naturally sorted.
        names = [lane.name.lower() for lane in t.lanes if lane.key >= 0]
        assert names[:5] == sorted(names)[:5]
    finally:
        window.close()


@needs_corpus
def test_timelinejs_html_is_plain_text_with_link_buttons(qtbot) -> None:
    window = open_window(qtbot, read_any(CORPUS / "timelinejs3" / "women_in_computing.json"))
    try:
        summaries = window.store.document.events["summary"].astype(str)
        row = next(i for i, s in enumerate(summaries) if "<a " in s and "<p" in s)
        window.state.select(row)
        text = window.detail.sections["summary"].text()
        assert "<p" not in text
        assert "<a" not in text
        assert "href" not in text
        assert window.detail.links  # the link targets, as buttons
        assert all(url.startswith(("http://", "https://")) for url in window.detail.links)
    finally:
        window.close()


def test_no_source_warning_in_the_detail_view(qtbot, window) -> None:
    window.editor.apply(
        __import__("explorer.edits", fromlist=["AddEvent"]).AddEvent(
            {"id": "e-new", "title": "Unsourced", "start": "2026-06-20", "status": "reported"}
        )
    )
    window.state.select_id("e-new")
    assert "No source" in window.detail.sections["source_warning"].text()
    window.state.select_id("e-alibaba-accusation")
    assert "source_warning" not in window.detail.sections


def test_known_by_shows_its_rule_and_asks_about_undated(qtbot, window) -> None:
    search = window.search
    search.set_known_by(parse_date("2026-06-30"))
    chip = next(t for t in search.chip_texts() if t.startswith("Known by"))
    assert "earliest dated source" in chip
    assert "5 with no dated source left out" in chip
    # Only the accusation rests on a dated source (Bloomberg, 24 June).
    assert search.count.text() == "1 of 6 events"
    search._fill_menu()
    search.undated_action.trigger()
    assert search.count.text() == "6 of 6 events"
    assert "kept" in next(t for t in search.chip_texts() if t.startswith("Known by"))
    search.set_known_by(parse_date("2026-06-20"))
    assert window.state.filter.known_undated  # the choice stays with the filter
    window.state.select_id("e-fable5-shutdown")
    assert "Known date unknown" in window.detail.sections["status"].text()
    window.state.select_id("e-alibaba-accusation")
    assert "Known since: 24 June 2026" in window.detail.sections["status"].text()


def test_tab_and_esc_leave_every_panel_in_reading_order(qtbot, window) -> None:
    window.search.field.setFocus()
    seen = [QApplication.focusWidget()]
    for _ in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    expected = [
        window.search.field,
        window.search.filters_button,
        window.actor_panel.find_field,
        window.actor_panel.view,
        window.timeline,
        window.table,
    ]
    assert seen[:6] == expected
    assert seen[6] is window.detail or window.detail.isAncestorOf(seen[6])
    # Tab in the table leaves it without moving the selection.
    window.state.select_id("e-fable5-shutdown")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not window.table
    assert window.state.selected_id == "e-fable5-shutdown"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.table
    # Esc in the table and in the actor panel returns to the timeline.
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.timeline
    window.actor_panel.view.setFocus()
    qtbot.keyClick(window.actor_panel.view, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.timeline
