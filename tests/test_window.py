"""The workspace around the timeline: actor panel, detail view, menus from the action table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from explorer.ui.actions import ACTIONS
from explorer.ui.actor_panel import EVENTS, NAME, ActorModel


def test_actor_model_passes_qtmodeltester(qtmodeltester, window) -> None:
    qtmodeltester.check(ActorModel(window.state), force_py=True)


def test_actor_panel_lists_actors_with_posture_and_counts(window) -> None:
    model = window.actor_panel.model
    rows = {
        model.data(model.index(r, NAME)): (
            model.data(model.index(r, 2)),
            model.data(model.index(r, EVENTS), Qt.ItemDataRole.UserRole),
        )
        for r in range(model.rowCount())
    }
    assert rows["US Government"] == ("ESCALATING", 1)
    assert rows["Anthropic"] == ("PROACTIVE", 2)
    assert rows["Glasswing Ventures"] == ("DOCUMENTED", 1)
    assert rows["China"] == ("DUAL TRACK", 3)
    assert rows["Alibaba"][1] == 1


def test_space_in_actor_panel_hides_the_lane(qtbot, window) -> None:
    view = window.actor_panel.view
    names_before = [lane.name for lane in window.timeline.lanes]
    assert "Anthropic" in names_before
    view.setFocus()
    row = next(
        r
        for r in range(view.model().rowCount())
        if view.model().index(r, NAME).data() == "Anthropic"
    )
    view.setCurrentIndex(view.model().index(row, NAME))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert "Anthropic" not in [lane.name for lane in window.timeline.lanes]
    assert (
        view.model().index(row, NAME).data(Qt.ItemDataRole.CheckStateRole)
        == Qt.CheckState.Unchecked
    )
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert [lane.name for lane in window.timeline.lanes] == names_before


def test_detail_view_shows_the_alleged_accusation_and_its_source(window) -> None:
    window.state.select_id("e-alibaba-accusation")
    detail = window.detail
    assert "Alibaba" in detail.sections["title"].text()
    assert detail.sections["date"].text().startswith("24 June 2026")
    assert "day precision" in detail.sections["date"].text()
    assert detail.sections["status"].text().startswith("Alleged")
    assert "Bloomberg" in detail.sections["status"].text()
    assert "Anthropic — accuser" in detail.sections["actors"].text()
    assert "Alibaba — accused" in detail.sections["actors"].text()
    assert "1,000s" in detail.sections["figures"].text()
    assert "Bloomberg" in detail.sections["sources"].text()
    assert "published 24 June 2026" in detail.sections["sources"].text()


def test_detail_view_writes_dates_as_their_precision_allows(window) -> None:
    window.state.select_id("e-glasswing-blocks")
    assert window.detail.sections["date"].text().startswith("2025   (year precision)")


def test_detail_view_has_an_empty_state(window) -> None:
    window.state.select(-1)
    assert "No event selected" in window.detail.text()


def test_every_label_is_plain_text(window) -> None:
    window.state.select_id("e-alibaba-accusation")
    labels = window.detail.findChildren(QLabel)
    assert labels
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_menus_come_from_the_action_table(window) -> None:
    titles = {
        a.text()
        for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
        for a in menu.actions()
    }
    for spec in ACTIONS:
        if spec.menu:
            assert spec.title in titles, spec.id
    assert window.actions_by_id["view.fit"].shortcut().toString() == "F"


def test_action_table_has_no_duplicate_shortcuts_in_one_scope() -> None:
    seen: dict[tuple[str, str], str] = {}
    for spec in ACTIONS:
        for k in spec.shortcuts:
            if isinstance(k, str):
                assert (spec.scope, k) not in seen, (spec.id, seen.get((spec.scope, k)))
                seen[(spec.scope, k)] = spec.id


def test_failed_open_leaves_the_document_untouched(qtbot, window, tmp_path, monkeypatch) -> None:
    from explorer.ui import import_flow

    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "timeline-explorer", "version": 1, "events": [{"id": "x"}]}')
    shown: list[str] = []
    monkeypatch.setattr(import_flow, "show_warning", lambda parent, title, text: shown.append(text))
    before = window.store.document
    with qtbot.waitSignal(window.importer.failed, timeout=10_000):
        window.importer.open_paths([bad])  # File > Open's path, off the GUI thread
    assert window.store.document is before
    assert shown
    assert "broken.json" in shown[0]
    assert 'field "title"' in shown[0]


def test_export_view_from_the_menu_at_a_chosen_size(qtbot, window, tmp_path, monkeypatch) -> None:
    from PySide6.QtGui import QImage

    from explorer.ui.export_dialog import ExportViewDialog

    out = tmp_path / "chosen.png"

    def fill_and_accept(dialog: ExportViewDialog) -> int:
        dialog.path_edit.setText(str(out))
        dialog.width_box.setValue(900)
        dialog.height_box.setValue(450)
        return ExportViewDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportViewDialog, "exec", fill_and_accept)
    window.actions_by_id["file.export_view"].trigger()
    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 450)
