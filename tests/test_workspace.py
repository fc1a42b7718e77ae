"""The workspace as a keyboard user meets it: search, filters, panels, palette, help."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from explorer.model.dates import parse_date
from explorer.model.store import EventStore, Filter
from explorer.ui.actor_panel import NAME
from explorer.ui.event_table import EventTableModel


def ident(window, row: int) -> str:
    return "" if row < 0 else str(window.store.document.events["id"].iloc[row])


def type_text(qtbot, widget, text: str) -> None:
    qtbot.keyClicks(widget, text)


def test_keyboard_only_session(qtbot, window) -> None:
    """The issue's scenario, by keys alone."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    # Ctrl+F, type, Enter: the accusation is selected and shown.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.field.hasFocus()
    type_text(qtbot, window.search.field, "Alibaba")
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    assert ident(window, window.state.selected) == "e-alibaba-accusation"
    # Two events mention Alibaba; Enter goes first to the one whose title does.
    assert window.search.count.text() == "2 of 6 events"
    assert window.detail.sections["status"].text().startswith("Alleged")
    assert "Bloomberg" in window.detail.sections["sources"].text()
    # Esc clears the search; Tab reaches the actor panel; Space hides Anthropic.
    qtbot.keyClick(window.search.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.search.count.text() == "6 of 6 events")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # the actor panel
    view = window.actor_panel.view
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # Anthropic is second
    assert view.currentIndex().siblingAtColumn(NAME).data() == "Anthropic"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert "Anthropic" not in [lane.name for lane in window.timeline.lanes]
    # The palette runs "Fit all".
    window.timeline.zoom_in()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.palette_dialog
    qtbot.waitExposed(palette)
    type_text(qtbot, palette.field, "fit all")
    assert palette.matches()[0] == "view.fit"
    qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    lo, hi = window.store.span()
    assert window.timeline.viewport.contains(lo, hi)
    # F1 lists the shortcuts.
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.shortcut_sheet
    assert "Fit All | F" in sheet.text()
    assert "Edit | Find | Ctrl+F" in sheet.text()
    assert "Quit | Ctrl+Q" in sheet.text()


def test_search_covers_actors_themes_and_sources(window) -> None:
    store = window.store
    for needle, expected in (
        ("huawei", {"e-deepseek-v4-pro-launch"}),  # an actor's name
        ("moat", {"e-alibaba-accusation", "e-anthropic-id-mandate"}),  # a theme's name
        ("bloomberg", {"e-alibaba-accusation"}),  # an actor and a source
        ("FABLE 5", {"e-fable5-shutdown"}),  # case-insensitive title
    ):
        mask = store.mask(Filter(text=needle))
        assert {ident(window, r) for r in np.flatnonzero(mask)} >= expected, needle


def test_status_filter_chip_and_counts(qtbot, window) -> None:
    window.state.set_filter(Filter(statuses=frozenset({"alleged"})))
    assert window.search.count.text() == "1 of 6 events"
    assert window.search.chip_texts() == ["Status: alleged  ✕"]
    counts = {
        window.actor_panel.model.data(
            window.actor_panel.model.index(r, NAME)
        ): window.actor_panel.model.data(
            window.actor_panel.model.index(r, 3), Qt.ItemDataRole.UserRole
        )
        for r in range(window.actor_panel.model.rowCount())
    }
    assert counts["Anthropic"] == 1
    assert counts["US Government"] == 0
    assert window.table.model().rowCount() == 1
    # The chip removes its filter.
    chip = window.search.chips.itemAt(0).widget()
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert window.state.filter == Filter()
    assert window.table.model().rowCount() == 6


def test_theme_and_actor_filters(window) -> None:
    window.state.set_filter(Filter(themes=frozenset({"t-identity-moat"})))
    shown = {ident(window, r) for r in np.flatnonzero(window.state.mask)}
    assert shown == {"e-anthropic-id-mandate", "e-alibaba-accusation"}
    window.state.set_filter(Filter(actors=frozenset({"deepseek"})))
    assert {ident(window, r) for r in np.flatnonzero(window.state.mask)} == {
        "e-deepseek-v4-pro-launch"
    }


def test_date_range_filter(window) -> None:
    june = parse_date("2026-06")
    window.state.set_filter(Filter(window=(june.seconds, june.end)))
    shown = {ident(window, r) for r in np.flatnonzero(window.state.mask)}
    # June events, plus the year-precision 2026 commitment which may fall in June.
    assert shown == {
        "e-fable5-shutdown",
        "e-deepseek-v4-pro-launch",
        "e-alibaba-accusation",
        "e-china-295b-commitment",
    }
    assert window.search.chip_texts()[0].startswith("Dates: 1 June 2026 – 30 June 2026")


def test_known_by_replays_what_had_been_published(window) -> None:
    store = window.store
    before = parse_date("2026-06-23")
    window.search.set_known_by(before)
    shown = {ident(window, r) for r in np.flatnonzero(window.state.mask)}
    # The accusation was published by Bloomberg on 24 June: not known on the 23rd.
    assert "e-alibaba-accusation" not in shown
    window.search.set_known_by(parse_date("2026-06-24"))
    assert "e-alibaba-accusation" in {ident(window, r) for r in np.flatnonzero(window.state.mask)}
    assert store.known_at[store.row_of("e-alibaba-accusation")] == parse_date("2026-06-24").seconds


def test_known_by_uses_the_earliest_source(story) -> None:
    doc = story.copy()
    store = EventStore(doc)
    row = store.row_of("e-fable5-shutdown")
    # An event with no dated source is known from its own start.
    assert store.known_at[row] >= store.lo[row] or store.known_at[row] > 0


def test_selection_sync_table_to_timeline_and_back(qtbot, window) -> None:
    table = window.table
    model = table.model()
    position = next(
        i
        for i in range(model.rowCount())
        if model.data(model.index(i, 1)).startswith("US government")
    )
    table.setFocus()
    table.selectRow(position)
    assert ident(window, window.state.selected) == "e-fable5-shutdown"
    window.state.select_id("e-anthropic-id-mandate")
    current = table.currentIndex()
    assert model.data(model.index(current.row(), 1)).startswith("Anthropic’s passport")


def test_table_sorts_by_each_column(qtbot, window) -> None:
    model = window.table.model()
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        assert model.rowCount() == 6
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, 0)) == "2025"
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, 0)) == "8 July 2026"


def test_models_pass_qtmodeltester(qtmodeltester, window) -> None:
    qtmodeltester.check(EventTableModel(window.state), force_py=True)
    qtmodeltester.check(window.actor_panel.proxy, force_py=True)


def test_enter_in_actor_panel_goes_to_the_lane(qtbot, window) -> None:
    view = window.actor_panel.view
    view.setFocus()
    window.actor_panel.select_actor("china")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.timeline.lanes[window.timeline.current_lane].name == "China"
    assert ident(window, window.state.selected) in {
        "e-china-295b-commitment",
        "e-deepseek-v4-pro-launch",
        "e-alibaba-accusation",
    }


def test_actor_find_and_solo(qtbot, window) -> None:
    panel = window.actor_panel
    qtbot.keyClicks(panel.find_field, "glass")
    assert panel.proxy.rowCount() == 1
    assert panel.current_actor() == "glasswing"
    window.solo_actor()
    assert [lane.name for lane in window.timeline.lanes] == ["Glasswing Ventures"]
    window.show_all_actors()
    assert len(window.timeline.lanes) == 8


def test_detail_actor_activation_selects_the_actor(qtbot, window) -> None:
    window.state.select_id("e-alibaba-accusation")
    buttons = window.detail.findChildren(type(window.detail.findChild(object, "detail-actor")))
    alibaba = next(b for b in buttons if getattr(b, "text", lambda: "")().startswith("Alibaba"))
    qtbot.mouseClick(alibaba, Qt.MouseButton.LeftButton)
    assert window.actor_panel.current_actor() == "alibaba"


def test_links_open_only_for_http(window) -> None:
    from explorer.ui.detail_view import is_web_link

    assert is_web_link("https://www.bloomberg.com/news")
    assert not is_web_link("javascript:alert(1)")
    assert not is_web_link("file:///etc/passwd")
    assert not is_web_link("mailto:a@b.c")


def test_f6_cycles_panels_with_focus(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    seen = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        seen.append(QApplication.focusWidget())
    panels = window.panels()
    assert set(map(id, seen)) == set(map(id, panels)) or len({id(w) for w in seen}) == 5


def test_every_panel_has_an_accessible_name(window) -> None:
    for widget in (
        window.timeline,
        window.table,
        window.detail,
        window.actor_panel,
        window.search.field,
    ):
        assert widget.accessibleName()
