"""The edit dialogs, driven the way an analyst uses them: by keys.

Each test shows a dialog on the embedded story, types into it (Tab, Alt+mnemonic,
Enter to accept) and checks the record it hands back, or that a bad field keeps
the dialog open with a visible message and the focus on that field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from explorer.edits import blank_event_record, event_record
from explorer.model.document import ClaimStatus, Document
from explorer.ui import style
from explorer.ui.edit_dialogs import (
    ActorDialog,
    EventDialog,
    FieldError,
    MergeActorsDialog,
    RecordDialog,
    SourceDialog,
    ThemeDialog,
    id_from,
    parse_quantity,
)

ALT = Qt.KeyboardModifier.AltModifier
ALLEGATION = "e-alibaba-accusation"  # starts 2026-06-24, Anthropic as accuser, one figure


def show(qtbot: Any, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(qtbot: Any, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    """One key to the focused widget, then what the event loop would do before the next
    (an item view ends a cell edit by a queued call)."""
    qtbot.keyClick(focused(), k, modifier)
    QApplication.processEvents()


def alt(qtbot: Any, letter: str) -> QWidget:
    """Alt+letter, and the widget that got the focus."""
    key(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)
    return focused()


def press(qtbot: Any, letter: str, button: QAbstractButton) -> QWidget:
    """Alt+letter on a button: Qt animates the click, so wait for it to land."""
    with qtbot.waitSignal(button.clicked, timeout=2000):
        key(qtbot, getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)
    return focused()


def retype(qtbot: Any, text: str) -> None:
    """Replace the focused line edit's text, as select-all then typing does."""
    key(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(focused(), text)
    else:
        key(qtbot, Qt.Key.Key_Delete)


def enter(qtbot: Any) -> None:
    key(qtbot, Qt.Key.Key_Return)


def new_event(qtbot: Any, story: Document, start: str = "2026") -> EventDialog:
    dialog = EventDialog(story, blank_event_record(story, start))
    show(qtbot, dialog)
    return dialog


def edit_event(qtbot: Any, story: Document, ident: str = ALLEGATION) -> EventDialog:
    dialog = EventDialog(story, event_record(story, ident))
    show(qtbot, dialog)
    return dialog


def accepted(dialog: QDialog) -> bool:
    return not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted


def refused(dialog: RecordDialog, *words: str) -> str:
    """The dialog is still open and shows a message containing `words`."""
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    message = dialog.error.text()
    for word in words:
        assert word in message
    return message


# --- dates and precision --------------------------------------------------------------


def test_new_event_typed_as_a_year_gets_year_precision(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    assert focused() is dialog.title_edit
    qtbot.keyClicks(focused(), "Fable 5 shut down")
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.start.edit
    retype(qtbot, "2025")
    assert dialog.start.precision.currentText() == "year"
    assert dialog.start.preview.text().startswith("2025")
    enter(qtbot)
    assert accepted(dialog)
    record = dialog.record()
    assert record["start"] == "2025"
    assert record["end"] is None
    assert record["title"] == "Fable 5 shut down"
    assert record["id"] == blank_event_record(story, "2025")["id"]


def test_choosing_a_finer_precision_extends_the_date(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Year only")
    alt(qtbot, "s")
    retype(qtbot, "2025")
    assert alt(qtbot, "p") is dialog.start.precision
    qtbot.keyClicks(focused(), "day")
    assert dialog.start.edit.text() == "2025-01-01"
    key(qtbot, Qt.Key.Key_Down)  # hour
    assert dialog.start.edit.text() == "2025-01-01T00"
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["start"] == "2025-01-01T00"


@pytest.mark.parametrize(("choice", "expected"), [("y", "2026"), ("mo", "2026-06")])
def test_choosing_a_coarser_precision_truncates_the_date(qtbot, story, choice, expected) -> None:
    dialog = edit_event(qtbot, story)
    assert dialog.start.edit.text() == "2026-06-24"
    assert dialog.start.precision.currentText() == "day"
    alt(qtbot, "p")
    qtbot.keyClicks(focused(), choice)
    assert dialog.start.edit.text() == expected
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["start"] == expected


def test_end_before_start_is_refused_and_the_dialog_stays_open(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    assert alt(qtbot, "e") is dialog.end.edit
    qtbot.keyClicks(focused(), "2026-06-01")
    enter(qtbot)
    refused(dialog, "End", "before the start")
    assert focused() is dialog.end.edit
    assert dialog.end.edit.accessibleDescription() == dialog.error.text()
    # Corrected in place, the same Enter now accepts.
    retype(qtbot, "2026-07")
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["end"] == "2026-07"
    assert not dialog.error.isVisible()


def test_end_in_the_start_year_is_not_before_a_year_start(qtbot, story) -> None:
    dialog = new_event(qtbot, story, "2020")
    qtbot.keyClicks(focused(), "Year-long")
    alt(qtbot, "e")
    qtbot.keyClicks(focused(), "2020-05-03")
    assert dialog.end.precision.currentText() == "day"
    assert alt(qtbot, "n") is dialog.end.precision
    qtbot.keyClicks(focused(), "mo")
    assert dialog.end.edit.text() == "2020-05"
    enter(qtbot)
    assert accepted(dialog)
    assert (dialog.record()["start"], dialog.record()["end"]) == ("2020", "2020-05")


@pytest.mark.parametrize("bad", ["2026-02-30", "June 2026", ""])
def test_a_bad_start_is_refused_with_the_focus_on_it(qtbot, story, bad) -> None:
    dialog = edit_event(qtbot, story)
    alt(qtbot, "s")
    retype(qtbot, bad)
    enter(qtbot)
    refused(dialog, "Start")
    assert focused() is dialog.start.edit


def test_a_time_with_an_offset_is_saved_in_utc(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    alt(qtbot, "s")
    retype(qtbot, "2026-06-24T10:30+02:00")
    assert dialog.start.precision.currentText() == "minute"
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["start"] == "2026-06-24T08:30"


def test_an_empty_title_is_refused(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    enter(qtbot)
    refused(dialog, "Title")
    assert focused() is dialog.title_edit


# --- status, actors, themes, sources, figures -------------------------------------


def test_status_alleged_with_descriptions_as_tooltips(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Accusation")
    assert alt(qtbot, "u") is dialog.status
    qtbot.keyClicks(focused(), "al")
    assert dialog.status.currentText() == "alleged"
    assert dialog.status.toolTip() == style.STATUS_DESCRIPTIONS[ClaimStatus.ALLEGED]
    for i, status in enumerate(ClaimStatus):
        tip = dialog.status.itemData(i, Qt.ItemDataRole.ToolTipRole)
        assert tip == style.STATUS_DESCRIPTIONS[status]
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["status"] == "alleged"


def test_adding_an_actor_with_a_role(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Alibaba accused")
    # Add actor: a row, with the actor cell's combo box open for typing.
    combo = press(qtbot, "d", dialog.add_actor)
    assert isinstance(combo, QComboBox)
    assert combo.accessibleName() == "Actor"
    qtbot.keyClicks(combo, "Alib")
    assert combo.currentText() == "Alibaba"
    key(qtbot, Qt.Key.Key_Tab)  # to the role cell, editing
    qtbot.keyClicks(focused(), "accused")
    enter(qtbot)  # ends the cell edit, not the dialog
    assert dialog.isVisible()
    assert dialog.actors.item(0, 0).text() == "Alibaba"
    press(qtbot, "d", dialog.add_actor)
    qtbot.keyClicks(focused(), "Anth")
    key(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "accuser")
    enter(qtbot)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["actors"] == [
        {"actor": "alibaba", "role": "accused"},
        {"actor": "anthropic", "role": "accuser"},
    ]


def test_enter_on_a_focused_button_presses_it_and_keeps_the_dialog(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    rows = dialog.figures.rowCount()
    alt(qtbot, "f")
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.add_figure
    enter(qtbot)
    assert dialog.isVisible()
    assert dialog.figures.rowCount() == rows + 1
    assert isinstance(focused(), QLineEdit)  # the new row's text cell, editing
    key(qtbot, Qt.Key.Key_Escape)  # ends the cell edit only
    assert dialog.isVisible()
    enter(qtbot)  # the blank row is dropped
    assert accepted(dialog)
    assert dialog.record() == event_record(story, ALLEGATION)


def test_removing_an_actor(qtbot, story) -> None:
    before = event_record(story, ALLEGATION)["actors"]
    assert before
    dialog = edit_event(qtbot, story)
    assert alt(qtbot, "a") is dialog.actors
    press(qtbot, "m", dialog.remove_actor)
    assert dialog.actors.rowCount() == len(before) - 1
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["actors"] == before[1:]


def test_changing_a_role_by_typing_in_the_table(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    alt(qtbot, "a")
    key(qtbot, Qt.Key.Key_Right)  # role column
    key(qtbot, Qt.Key.Key_F2)
    retype(qtbot, "complainant")
    enter(qtbot)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["actors"][0] == {"actor": "anthropic", "role": "complainant"}


def test_checked_themes_and_sources_appear_in_the_record(qtbot, story) -> None:
    themes = list(story.themes["id"])
    sources = list(story.sources["id"])
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Linked")
    assert alt(qtbot, "h") is dialog.themes
    key(qtbot, Qt.Key.Key_Space)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Space)
    assert alt(qtbot, "r") is dialog.sources
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Space)
    enter(qtbot)
    assert accepted(dialog)
    record = dialog.record()
    assert record["themes"] == [themes[0], themes[2]]
    assert record["sources"] == [sources[1]]


def test_sources_are_listed_as_publisher_and_title(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    first = story.sources.iloc[0]
    assert dialog.sources.item(0).text() == f"{first['publisher']} — {first['title']}"


def test_unchecking_keeps_the_order_of_the_rest(qtbot, story) -> None:
    record = event_record(story, ALLEGATION)
    assert record["themes"]
    dialog = edit_event(qtbot, story)
    alt(qtbot, "h")
    rows = [dialog.themes.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)]
    for _ in range(rows.index(record["themes"][0])):
        key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Space)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["themes"] == record["themes"][1:]


def test_an_unknown_theme_is_kept_visible_and_refused(qtbot, story) -> None:
    record = {**event_record(story, ALLEGATION), "themes": ["t-missing"]}
    dialog = EventDialog(story, record)
    show(qtbot, dialog)
    last = dialog.themes.item(dialog.themes.count() - 1)
    assert last.text() == "t-missing (not in this document)"
    assert last.checkState() == Qt.CheckState.Checked
    enter(qtbot)
    refused(dialog, "unknown theme", "t-missing")
    assert focused() is dialog.themes
    key(qtbot, Qt.Key.Key_End)
    key(qtbot, Qt.Key.Key_Space)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["themes"] == []


def test_record_before_ok_reads_the_fields(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    with pytest.raises(FieldError, match="Title"):
        dialog.record()
    qtbot.keyClicks(focused(), "Draft")
    assert dialog.record()["title"] == "Draft"


def add_figure(qtbot: Any, dialog: EventDialog, cells: list[str]) -> None:
    """Alt+G, then the cells typed one after another with Tab, Enter to end the edit."""
    press(qtbot, "g", dialog.add_figure)
    for i, text in enumerate(cells):
        if i:
            key(qtbot, Qt.Key.Key_Tab)
        if text:
            qtbot.keyClicks(focused(), text)
    enter(qtbot)


def test_a_figure_with_a_non_number_quantity_is_refused(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Counted")
    add_figure(qtbot, dialog, ["1,000s", "abc", "accounts", "thousands", "Fraudulent accounts"])
    assert dialog.isVisible()
    enter(qtbot)
    refused(dialog, "Figures", "row 1", "abc")
    assert focused() is dialog.figures
    assert (dialog.figures.currentRow(), dialog.figures.currentColumn()) == (0, 1)
    # Typing on the faulty cell opens it with the first key, replacing what was there.
    key(qtbot, Qt.Key.Key_1)
    assert isinstance(focused(), QLineEdit)
    qtbot.keyClicks(focused(), "000")
    enter(qtbot)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["figures"] == [
        {
            "text": "1,000s",
            "quantity": 1000,
            "unit": "accounts",
            "qualifier": "thousands",
            "label": "Fraudulent accounts",
        }
    ]


def test_ctrl_enter_in_an_open_cell_keeps_what_was_typed(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Mid-edit")
    press(qtbot, "g", dialog.add_figure)
    qtbot.keyClicks(focused(), "200+")
    key(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "200")
    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert accepted(dialog)
    assert dialog.record()["figures"] == [
        {"text": "200+", "quantity": 200, "unit": "", "qualifier": "", "label": ""}
    ]


def test_a_figure_without_quantity_has_none_and_blank_rows_are_dropped(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Vague")
    add_figure(qtbot, dialog, ["dozens", "", "labs"])
    add_figure(qtbot, dialog, [])
    assert dialog.figures.rowCount() == 2
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["figures"] == [
        {"text": "dozens", "quantity": None, "unit": "labs", "qualifier": "", "label": ""}
    ]


def test_a_figure_needs_its_text(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "Textless")
    add_figure(qtbot, dialog, ["", "5"])
    enter(qtbot)
    refused(dialog, "Figures", "text")
    assert dialog.figures.currentColumn() == 0
    press(qtbot, "v", dialog.remove_figure)
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["figures"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("", None), ("  ", None), ("1000", 1000), ("1,000", 1000), ("2.5", 2.5), ("-3", -3)],
)
def test_parse_quantity(text, value) -> None:
    assert parse_quantity(text) == value
    assert type(parse_quantity(text)) is type(value)


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1.2.3"])
def test_parse_quantity_refuses(text) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_quantity(text)


# --- the whole form -------------------------------------------------------------------


def test_every_event_comes_back_unchanged_when_nothing_is_edited(qtbot, story) -> None:
    for ident in story.events["id"]:
        record = event_record(story, str(ident))
        dialog = EventDialog(story, record)
        show(qtbot, dialog)
        enter(qtbot)
        assert accepted(dialog), (ident, dialog.error.text())
        assert dialog.record() == record


def test_summary_and_ctrl_enter(qtbot, story) -> None:
    dialog = new_event(qtbot, story)
    qtbot.keyClicks(focused(), "With summary")
    assert alt(qtbot, "y") is dialog.summary
    qtbot.keyClicks(focused(), "First line.")
    enter(qtbot)  # a new line in the summary, not OK
    qtbot.keyClicks(focused(), "Second line.")
    assert dialog.isVisible()
    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert accepted(dialog)
    assert dialog.record()["summary"] == "First line.\nSecond line."


def test_escape_cancels(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    qtbot.keyClicks(focused(), " changed")
    key(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_tab_order_runs_top_to_bottom(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    expected = [
        dialog.title_edit,
        dialog.start.edit,
        dialog.start.precision,
        dialog.end.edit,
        dialog.end.precision,
        dialog.status,
        dialog.actors,
        dialog.add_actor,
        dialog.remove_actor,
        dialog.themes,
        dialog.sources,
        dialog.figures,
        dialog.add_figure,
        dialog.remove_figure,
        dialog.summary,
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
    ]
    seen = [focused()]
    for _ in expected[1:]:
        key(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == expected


EVENT_MNEMONICS: dict[str, Callable[[EventDialog], QWidget]] = {
    "t": lambda d: d.title_edit,
    "s": lambda d: d.start.edit,
    "p": lambda d: d.start.precision,
    "e": lambda d: d.end.edit,
    "n": lambda d: d.end.precision,
    "u": lambda d: d.status,
    "a": lambda d: d.actors,
    "h": lambda d: d.themes,
    "r": lambda d: d.sources,
    "f": lambda d: d.figures,
    "y": lambda d: d.summary,
}


def test_every_event_field_has_its_mnemonic(qtbot, story) -> None:
    dialog = edit_event(qtbot, story)
    for letter, field in EVENT_MNEMONICS.items():
        assert alt(qtbot, letter) is field(dialog), letter
    assert dialog.isVisible()


def all_dialogs(story: Document) -> list[QDialog]:
    actor = dict(story.actors.iloc[0])
    source = {**dict(story.sources.iloc[0]), "published": "2026-06-24"}
    source.pop("published_precision")
    return [
        EventDialog(story, event_record(story, ALLEGATION)),
        EventDialog(story, blank_event_record(story, "2026")),
        ActorDialog(actor, set(story.actors["id"])),
        ActorDialog({"id": "", "name": ""}, set()),
        SourceDialog(source, set(story.sources["id"])),
        ThemeDialog(dict(story.themes.iloc[0]), set(story.themes["id"])),
        MergeActorsDialog(story),
    ]


def test_no_dialog_uses_a_mnemonic_twice(qtbot, story) -> None:
    for dialog in all_dialogs(story):
        texts = [label.text() for label in dialog.findChildren(QLabel) if label.buddy()]
        texts += [b.text() for b in dialog.findChildren(QAbstractButton)]
        letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
        assert len(letters) == len(set(letters)), (dialog.objectName(), sorted(letters))
        assert letters


def test_actor_dialog_tab_order(qtbot, story) -> None:
    dialog = ActorDialog(dict(story.actors.iloc[0]), set(story.actors["id"]))
    show(qtbot, dialog)
    expected = [dialog.name, dialog.kind, dialog.posture, dialog.colour, dialog.choose]
    expected.append(dialog.description)
    seen = [focused()]
    for _ in expected[1:]:
        key(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    # An editable combo box takes the focus through its line edit.
    assert [w.parent() if isinstance(w.parent(), QComboBox) else w for w in seen] == expected


def test_every_label_is_plain_text(qtbot, story) -> None:
    for dialog in all_dialogs(story):
        show(qtbot, dialog)
        labels = dialog.findChildren(QLabel)
        assert labels
        for label in labels:
            assert label.textFormat() == Qt.TextFormat.PlainText, (dialog, label.text())
        dialog.reject()


def test_markup_from_a_file_is_shown_as_text(qtbot, story) -> None:
    dialog = ActorDialog({"id": "", "name": "<b>Bold</b> & co"}, set())
    show(qtbot, dialog)
    assert dialog.id_label.text() == "b-bold-b-co   (new)"
    assert dialog.id_label.textFormat() == Qt.TextFormat.PlainText


def test_every_control_has_an_accessible_name(qtbot, story) -> None:
    for dialog in all_dialogs(story):
        show(qtbot, dialog)
        box_buttons = set(dialog.buttons.buttons())  # type: ignore[attr-defined]
        for widget in dialog.findChildren(QWidget):
            takes_focus = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            if not takes_focus or widget in box_buttons or not widget.isVisibleTo(dialog):
                continue
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox):
                continue  # an editable combo's own line edit: the combo carries the name
            if isinstance(widget, QAbstractButton):
                assert widget.text() or widget.accessibleName(), widget
                continue
            assert widget.accessibleName(), (dialog.objectName(), widget)
        dialog.reject()


# --- actors, sources, themes ----------------------------------------------------------


def test_new_actor_gets_an_id_from_its_name(qtbot, story) -> None:
    dialog = ActorDialog({"id": ""}, set(story.actors["id"]))
    show(qtbot, dialog)
    assert focused() is dialog.name
    qtbot.keyClicks(focused(), "Anthropic")
    assert dialog.id_label.text().startswith("anthropic-2")
    assert alt(qtbot, "k") is dialog.kind
    retype(qtbot, "person")
    assert alt(qtbot, "p") is dialog.posture
    retype(qtbot, "DUAL TRACK")
    assert alt(qtbot, "l") is dialog.colour
    qtbot.keyClicks(focused(), "#3A7BD5")
    assert alt(qtbot, "d") is dialog.description
    qtbot.keyClicks(focused(), "A second Anthropic, for the test.")
    key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert accepted(dialog)
    assert dialog.record() == {
        "id": "anthropic-2",
        "name": "Anthropic",
        "kind": "person",
        "posture": "DUAL TRACK",
        "description": "A second Anthropic, for the test.",
        "colour": "#3a7bd5",
    }


@pytest.mark.parametrize("bad", ["#12345", "blue", "#gggggg", "3a7bd5"])
def test_actor_colour_must_be_rrggbb(qtbot, story, bad) -> None:
    dialog = ActorDialog({"id": ""}, set())
    show(qtbot, dialog)
    qtbot.keyClicks(focused(), "Someone")
    alt(qtbot, "l")
    qtbot.keyClicks(focused(), bad)
    enter(qtbot)
    refused(dialog, "Colour", "#rrggbb")
    assert focused() is dialog.colour
    retype(qtbot, "")
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record()["colour"] == ""


def test_choose_colour_opens_the_colour_dialog(qtbot, story, monkeypatch) -> None:
    asked: list[QColor] = []

    def fake(initial: QColor, *args: object) -> QColor:
        asked.append(QColor(initial))
        return QColor("#123abc")

    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(fake))
    actor = dict(story.actors.iloc[0])
    dialog = ActorDialog(actor, set(story.actors["id"]))
    show(qtbot, dialog)
    press(qtbot, "h", dialog.choose)
    assert asked == [QColor(actor["colour"])]
    assert dialog.colour.text() == "#123abc"
    assert focused() is dialog.colour
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record() == {**actor, "colour": "#123abc"}


def test_editing_an_actor_keeps_its_id(qtbot, story) -> None:
    actor = dict(story.actors.iloc[1])
    dialog = ActorDialog(actor, set(story.actors["id"]))
    show(qtbot, dialog)
    retype(qtbot, "Anthropic PBC")
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record() == {**actor, "name": "Anthropic PBC"}


def test_an_actor_needs_a_name(qtbot, story) -> None:
    dialog = ActorDialog({"id": ""}, set())
    show(qtbot, dialog)
    enter(qtbot)
    refused(dialog, "Name")
    assert focused() is dialog.name


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "file:///etc/passwd", "example.com"])
def test_source_refuses_non_web_urls(qtbot, story, bad) -> None:
    dialog = SourceDialog({"id": "", "published": None}, set(story.sources["id"]))
    show(qtbot, dialog)
    qtbot.keyClicks(focused(), "Reuters")
    assert alt(qtbot, "u") is dialog.url
    qtbot.keyClicks(focused(), bad)
    enter(qtbot)
    refused(dialog, "URL", "http")
    assert focused() is dialog.url


def test_new_source_by_keys(qtbot, story) -> None:
    dialog = SourceDialog({"id": "", "published": None}, {"s-reuters-chips-ban"})
    show(qtbot, dialog)
    qtbot.keyClicks(focused(), "Reuters")
    assert alt(qtbot, "t") is dialog.title_edit
    qtbot.keyClicks(focused(), "Chips ban")
    alt(qtbot, "u")
    qtbot.keyClicks(focused(), "https://www.reuters.com/x")
    assert alt(qtbot, "s") is dialog.published.edit
    qtbot.keyClicks(focused(), "2026-06-24")
    assert alt(qtbot, "r") is dialog.published.precision
    qtbot.keyClicks(focused(), "mo")
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.record() == {
        "id": "s-reuters-chips-ban-2",
        "publisher": "Reuters",
        "title": "Chips ban",
        "url": "https://www.reuters.com/x",
        "published": "2026-06",
    }


def test_source_published_date_is_checked(qtbot, story) -> None:
    dialog = SourceDialog({"id": "", "published": None}, set())
    show(qtbot, dialog)
    qtbot.keyClicks(focused(), "Reuters")
    alt(qtbot, "s")
    qtbot.keyClicks(focused(), "yesterday")
    enter(qtbot)
    refused(dialog, "Published")
    assert focused() is dialog.published.edit


def test_a_source_needs_a_publisher_or_title(qtbot, story) -> None:
    dialog = SourceDialog({"id": "", "published": None}, set())
    show(qtbot, dialog)
    enter(qtbot)
    refused(dialog, "publisher or a title")


def test_theme_by_keys(qtbot, story) -> None:
    ids = set(story.themes["id"])
    dialog = ThemeDialog({"id": ""}, ids)
    show(qtbot, dialog)
    enter(qtbot)
    refused(dialog, "Name")
    qtbot.keyClicks(focused(), "Identity is now the moat")
    assert alt(qtbot, "d") is dialog.description
    qtbot.keyClicks(focused(), "Again.")
    key(qtbot, Qt.Key.Key_Tab)
    enter(qtbot)  # on OK
    assert accepted(dialog)
    assert dialog.record() == {
        "id": "t-identity-is-now-the-moat",
        "name": "Identity is now the moat",
        "description": "Again.",
    }


def test_ids_from_long_names_are_cut_at_a_word() -> None:
    ident = id_from(
        "The Permission Layer — Who Controls AI Access Controls the Future", "s-", set(), "x"
    )
    assert ident.startswith("s-the-permission-layer")
    assert len(ident) <= 2 + 48
    assert not ident.endswith("-")
    assert id_from("", "t-", {"t-theme"}, "theme") == "t-theme-2"


# --- merging ------------------------------------------------------------------------


def test_merge_actors_by_keys(qtbot, story) -> None:
    dialog = MergeActorsDialog(story)
    show(qtbot, dialog)
    assert alt(qtbot, "k") is dialog.keep
    qtbot.keyClicks(focused(), "Anth")
    assert alt(qtbot, "f") is dialog.drop
    qtbot.keyClicks(focused(), "Glass")
    links = int((story.links["actor_id"] == "glasswing").sum())
    assert dialog.effect.text().startswith(f"Glasswing Ventures's {links} event link")
    enter(qtbot)
    assert accepted(dialog)
    assert dialog.choice() == ("anthropic", "glasswing")


def test_merging_an_actor_with_itself_is_refused(qtbot, story) -> None:
    records = [dict(story.actors.iloc[i]) for i in range(len(story.actors))]
    dialog = MergeActorsDialog(records, None, keep="china", drop="deepseek")
    show(qtbot, dialog)
    assert dialog.choice() == ("china", "deepseek")
    alt(qtbot, "f")
    qtbot.keyClicks(focused(), "China")
    assert "different" in dialog.effect.text()
    enter(qtbot)
    refused(dialog, "different")
    assert focused() is dialog.drop
