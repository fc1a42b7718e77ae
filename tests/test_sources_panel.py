"""On whose word: the sources panel, single-source marks and filters on the embedded story."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from explorer.model.store import Filter
from explorer.ui.event_table import SINGLE_MARK, SOURCES
from explorer.ui.sources_panel import ALONE, EVENTS, NAME, PUBLISHED, SourcesModel


def _panel(window):
    window.actions_by_id["view.sources"].trigger()
    panel = window.word.sources
    assert panel.view.hasFocus()
    return panel


def _rows(model: SourcesModel) -> dict[str, tuple[str, str, str]]:
    return {
        model.index(r, NAME).data(): (
            model.index(r, PUBLISHED).data(),
            model.index(r, EVENTS).data(),
            model.index(r, ALONE).data(),
        )
        for r in range(model.rowCount())
    }


def test_sources_model_passes_qtmodeltester(qtmodeltester, window) -> None:
    qtmodeltester.check(SourcesModel(window.state), force_py=True)


def test_the_accusation_rests_on_bloomberg_relayed_by_fourweekmba(qtbot, window) -> None:
    panel = _panel(window)
    rows = _rows(panel.model)
    bloomberg = next(k for k in rows if k.startswith("Bloomberg — "))
    article = next(k for k in rows if k.startswith("FourWeekMBA — "))
    assert rows[bloomberg] == ("24 June 2026", "1", "")  # one event, never alone
    assert rows[article] == ("undated", "6", "5")  # every event; five on its word alone
    assert (
        rows[
            "Business Engineer — The Permission Layer — Who Controls AI Access Controls the Future"
        ][1]
        == "0"
    )
    assert panel.summary.text() == (
        "6 events: 5 rest on a single source, 0 on none. 5 rest on FourWeekMBA alone."
    )
    # Bloomberg's one event, beneath it: the accusation.
    source = panel.model.index(0, 0)
    assert panel.model.rowCount(source) == 1
    child = panel.model.index(0, NAME, source)
    assert child.data().startswith("alleged · Anthropic accuses Alibaba")
    # Enter on the source filters to its events; Enter on the event selects it.
    panel.view.setCurrentIndex(source)
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert window.state.filter.sources == frozenset({"s-bloomberg-2026-06-24"})
    assert window.state.queries.event_count(window.state.filter) == 1
    panel.view.setCurrentIndex(panel.model.index(0, NAME, panel.model.index(0, 0)))
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert window.state.selected_id == "e-alibaba-accusation"
    qtbot.keyClick(panel.view, Qt.Key.Key_Escape)
    assert window.timeline.hasFocus()


def test_detail_view_counts_independent_sources_and_the_lag(window) -> None:
    window.state.select_id("e-alibaba-accusation")
    window.show_detail()
    text = window.detail.sections["sourcing"].text()
    assert "Independent sources: 2" in text
    assert "single source" not in text
    assert "First published 24 June 2026 by Bloomberg: published the same day" in text
    window.state.select_id("e-fable5-shutdown")
    window.show_detail()
    text = window.detail.sections["sourcing"].text()
    assert "Independent sources: 1 — single source" in text
    assert "Source lag: unknown (no dated source)" in text


def test_single_source_flags_in_the_table_and_on_the_timeline(window) -> None:
    model = window.table.model()
    flagged = {}
    for r in range(model.rowCount()):
        row = model.index(r, 0).data(Qt.ItemDataRole.UserRole)
        text = model.index(r, SOURCES).data()
        flagged[window.store.document.events["id"].iat[row]] = text.startswith(SINGLE_MARK)
    assert flagged == {
        "e-glasswing-blocks": True,
        "e-china-295b-commitment": True,  # the article and its own unnamed context piece
        "e-fable5-shutdown": True,
        "e-deepseek-v4-pro-launch": True,
        "e-alibaba-accusation": False,
        "e-anthropic-id-mandate": True,
    }
    assert "single source" in window.timeline.legend_items
    rows = {ident: i for i, ident in enumerate(window.store.document.events["id"])}
    assert "Status: reported · single source" in window.timeline.describe(rows["e-fable5-shutdown"])
    assert "single source" not in window.timeline.describe(rows["e-alibaba-accusation"])
    # The dot is painted from the same state: count orange pixels near the marks.
    image = window.timeline.render_image(window.timeline.size())
    orange = 0
    for y in range(0, image.height(), 1):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            orange += c.red() > 200 and 60 < c.green() < 120 and c.blue() < 60
    assert orange > 20


def test_filters_for_single_sourced_and_unsourced_claims(qtbot, window) -> None:
    q = window.state.queries
    assert q.event_count(Filter(sourcing=frozenset({"single"}))) == 5
    assert q.event_count(Filter(sourcing=frozenset({"unsourced"}))) == 0
    assert q.event_count(Filter(sourcing=frozenset({"several"}))) == 1
    # From the Filters menu, as a user: Sourcing > untick all but "Single source".
    window.search._fill_menu()
    sub = next(a.menu() for a in window.search.menu.actions() if a.text() == "&Sourcing")
    for action in sub.actions():
        if action.text() != "Single source":
            action.trigger()
    assert window.state.filter.sourcing == frozenset({"single"})
    assert int(window.state.mask.sum()) == 5
    assert any(t.startswith("Sourcing: Single source") for t in window.search.chip_texts())
    # The panel, tabbed behind the actors, recounts when it is shown, not before.
    assert window.word.sources.model.stale
    window.actions_by_id["view.sources"].trigger()
    assert window.word.sources.summary.text().startswith("5 events: 5 rest on a single source")
    ids = window.state.queries.event_ids(np.flatnonzero(window.state.mask))
    assert "e-alibaba-accusation" not in ids
