"""The edit form's keys and words, and forensic rows (issue 12), played by keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton

from explorer.edits import AddEvent
from explorer.io.formats import read_any
from explorer.io.native import read_native
from explorer.ui.event_table import DATE
from explorer.ui.main_window import MainWindow
from tests.test_edit_dialogs import alt, edit_event, focused, key, new_event
from tests.test_first_look import CORPUS, needs_corpus, open_window, painted
from tests.test_session import drive_dialogs


def test_new_event_warns_until_a_source_backs_its_status(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    assert dialog.status.currentData() == "unassessed"  # the model's default status
    assert not dialog.source_warning.isVisible()  # nobody has stated it yet
    dialog.status.setCurrentIndex(dialog.status.findData("reported"))
    assert dialog.source_warning.isVisible()
    assert "No source" in dialog.source_warning.text()
    dialog.sources.item(0).setCheckState(Qt.CheckState.Checked)
    assert not dialog.source_warning.isVisible()
    dialog.sources.item(0).setCheckState(Qt.CheckState.Unchecked)
    dialog.status.setCurrentIndex(dialog.status.findData("disputed"))
    assert not dialog.source_warning.isVisible()  # disputed needs no stated source


def test_tab_leaves_the_actors_table(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    with qtbot.waitSignal(dialog.add_actor.clicked, timeout=2000):
        alt(qtbot, "d")  # Add actor: editing the new row's actor cell
    assert isinstance(focused(), QComboBox)
    qtbot.keyClicks(focused(), "Hua")
    key(qtbot, Qt.Key.Key_Tab)  # to the role
    qtbot.keyClicks(focused(), "supplier")
    key(qtbot, Qt.Key.Key_Tab)  # past the last cell: out of the table
    assert focused() is dialog.add_actor
    assert not dialog.actors.isAncestorOf(focused())
    refs = dialog.record()["actors"]
    assert {"actor": "huawei", "role": "supplier"} in refs


def test_edit_says_what_changed_in_history_and_status_bar(qtbot, window, monkeypatch) -> None:
    def disputed(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.status.setFocus()
        qtbot.keyClicks(dialog.status, "disputed")

    drive_dialogs(monkeypatch, qtbot, [disputed])
    window.state.select_id("e-fable5-shutdown")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.timeline.setFocus()
    qtbot.keyClick(window.timeline, Qt.Key.Key_F2)
    text = window.editor.stack.text(window.editor.stack.index() - 1)
    assert "Status: reported → disputed" in text
    assert window.statusBar().currentMessage().startswith("Saved ")
    assert "Status: reported → disputed" in window.statusBar().currentMessage()


def test_table_dates_show_time_to_their_precision(qtbot, window) -> None:
    window.editor.apply(AddEvent({"id": "e-log", "title": "Logon", "start": "2012-01-22T06:54:32"}))
    table = window.table
    model = table.model()
    row = int(
        next(i for i in range(model.rowCount()) if "2012" in str(model.index(i, DATE).data()))
    )
    text = str(model.index(row, DATE).data())
    assert text == "22 January 2012, 06:54:32 UTC"
    metrics = QFontMetrics(table.font())
    assert table.columnWidth(DATE) >= metrics.horizontalAdvance(text) + 8  # not cut
    # The header's menu offers compact dates.
    compact = table.build_header_menu().actions()[0]  # what a right-click on the header shows
    compact.trigger()
    assert str(model.index(row, DATE).data()) == "2012-01-22 06:54:32"


@needs_corpus
def test_detail_view_lists_attributes_searchable_and_copyable(qtbot) -> None:
    window = open_window(qtbot, read_any(CORPUS / "plaso" / "extract_and_output.log"))
    try:
        window.timeline.setFocus()
        qtbot.keyClick(window.timeline, Qt.Key.Key_Home)
        table = window.detail.attributes
        assert table is not None
        keys = [k for k, _ in table.pairs]
        assert "parser" in keys
        qtbot.keyClicks(table.find_field, "parser")
        assert [k for k, _ in table.shown()] == ["parser"] or all(
            "parser" in f"{k} {v}".lower() for k, v in table.shown()
        )
        copy_all = table.findChild(QPushButton, "attribute-copy")
        qtbot.mouseClick(copy_all, Qt.MouseButton.LeftButton)
        assert QApplication.clipboard().text().startswith("parser\t")
        # Forensic lanes: empty Kind/Posture columns give names the room.
        assert window.actor_panel.view.isColumnHidden(2)
    finally:
        window.close()


def test_span_label_reads_on_a_dark_bar(qtbot, tmp_path: Path) -> None:
    story = read_native(
        Path(__file__).resolve().parents[1] / "resources/datasets/permission-layer.json"
    )
    actors = story.actors.copy()
    actors.loc[actors["id"] == "china", "colour"] = "#2b2b2b"
    story.actors = actors
    window = MainWindow(story, None)
    window.resize(1400, 860)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.editor.apply(
            AddEvent(
                {
                    "id": "e-span",
                    "title": "A long confirmed programme",
                    "start": "2026-06-13",
                    "end": "2026-07-05",
                    "actors": [{"actor": "china"}],
                }
            )
        )
        t = window.timeline
        image = t.grab().toImage()  # a real paint: the frame that hit tests use
        row = window.store.row_of("e-span")
        frame = next(f for f in t._frames if row in f.rows.tolist() and f.lane.name == "China")
        i = frame.rows.tolist().index(row)
        left, top = t.plot_rect().left(), t.plot_rect().top()
        x0 = int(left + max(frame.x[i], 0) + 4)
        y = int(top + frame.y[i])
        light = [
            image.pixelColor(x, yy).lightness()
            for x in range(x0, x0 + 120)
            for yy in range(y - 4, y + 4)
        ]
        assert max(light) > 200  # white letters on the dark bar
        assert row in t.drawn_labels
    finally:
        window.editor.stack.setClean()
        window.close()


@needs_corpus
def test_lanes_from_any_column_chosen_in_the_actor_panel_and_remembered(qtbot) -> None:
    path = CORPUS / "plaso" / "extract_and_output.log"
    window = open_window(qtbot, read_any(path))
    try:
        t = window.timeline
        assert [lane.name for lane in t.lanes] == ["(no actor)"]
        painted(window)
        assert sum(len(frame.rows) for frame in t._frames) <= 40
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # &Lanes:
        combo = window.actor_panel.lanes_by
        assert focused() is combo
        qtbot.keyClicks(combo, "parser")
        names = [lane.name for lane in t.lanes]
        assert len(names) > 1
        assert names == sorted(names, key=str.lower)
        assert sum(len(lane.rows) for lane in t.lanes) == window.store.n
        painted(window)
        # More of the 445 events show as marks than the one lane's six rows did.
        assert sum(len(frame.rows) for frame in t._frames) > 40
        assert "lanes by parser" in window.actor_panel.lanes_note.text()
    finally:
        window.close()
    again = open_window(qtbot, read_any(path))  # the choice is remembered per document
    try:
        qtbot.waitUntil(lambda: again.state.lane_grouping is not None)
        assert again.state.lane_grouping.column == "parser"
        assert again.actor_panel.lanes_by.currentText() == "parser"
    finally:
        again.close()
