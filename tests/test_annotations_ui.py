"""Annotations from the keyboard: star, tag and note an event, undo, save, reopen,
on the embedded story (native JSON) and on a generated forensic document (Parquet)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from explorer.io.native import read_native
from explorer.io.parquet import read_parquet, write_parquet
from explorer.model.document import Document
from explorer.model.query import FLAG_NOTED, FLAG_STARRED
from explorer.model.synthetic import synthetic_document
from explorer.resources import dataset_path
from explorer.ui.annotation_dialogs import NotesDialog, TagPalette
from explorer.ui.event_table import NOTES, STARRED, TAGS

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def story_copy(tmp_path: Path) -> tuple[Document, Path]:
    path = tmp_path / "story.json"
    shutil.copy(dataset_path(), path)
    return read_native(path), path


def forensic_copy(tmp_path: Path) -> tuple[Document, Path]:
    path = tmp_path / "forensic.parquet"
    write_parquet(synthetic_document(n_events=3_000, n_actors=6, years=1, seed=7), path)
    return read_parquet(path), path


def reader(path: Path) -> Callable[[Path], Document]:
    return read_parquet if path.suffix == ".parquet" else read_native


@pytest.fixture
def open_window(qtbot) -> Iterator[Callable[[Document, Path], object]]:  # type: ignore[no-untyped-def]
    from explorer.ui.main_window import MainWindow

    opened: list[MainWindow] = []

    def make(doc: Document, path: Path) -> MainWindow:
        win = MainWindow(doc, path)
        win.resize(1400, 860)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        win.timeline.setFocus()
        opened.append(win)
        return win

    yield make
    for win in opened:
        win.editor.stack.setClean()
        win.close()
        win.deleteLater()


def in_dialog(qtbot, kind: type, act: Callable[[QWidget], None]) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Run `act` on the dialog of `kind` once it is up (exec() blocks the test). A
    failure closes the dialog and is handed back, so the test cannot hang on it."""
    errors: list[BaseException] = []

    def attempt(tries: int = 0) -> None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        if found:
            try:
                found[0].activateWindow()  # offscreen, focus stays behind otherwise
                qtbot.waitUntil(found[0].isActiveWindow)
                act(found[0])
            except BaseException as exc:
                errors.append(exc)
                found[0].reject()  # type: ignore[attr-defined]
        elif tries < 200:
            QTimer.singleShot(20, lambda: attempt(tries + 1))
        else:
            errors.append(AssertionError(f"no {kind.__name__} came up"))

    QTimer.singleShot(0, attempt)
    return errors


def refocus(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """Back to the window after a dialog (offscreen, nothing does it for us)."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.timeline.setFocus()


def flags_of(win, key: int) -> int:  # type: ignore[no-untyped-def]
    q = win.state.queries
    lanes = q.lanes().keys
    lo, hi = q.span()
    marks = q.marks(win.state.filter, lanes, lo - 1, hi + 1, 1_000_000)
    return int(np.bitwise_or.reduce(marks.flags[marks.key == key], initial=0))


def table_cell(win, key: int, column: int) -> str:  # type: ignore[no-untyped-def]
    model = win.table.table_model
    position = model.position_of(key)
    return str(model.data(model.index(position, column)))


@pytest.mark.parametrize("make", [story_copy, forensic_copy], ids=["story", "forensic"])
def test_star_tag_note_undo_save_reopen_from_the_keyboard(
    qtbot,  # type: ignore[no-untyped-def]
    open_window,
    tmp_path: Path,
    make: Callable[[Path], tuple[Document, Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USER", "analyst-kim")
    monkeypatch.setenv("LOGNAME", "analyst-kim")
    doc, path = make(tmp_path)
    win = open_window(doc, path)
    timeline = win.timeline
    qtbot.keyClick(timeline, Qt.Key.Key_Home)  # the first event
    key = win.state.selected
    assert key >= 0
    event_id = win.state.selected_id

    # Star it: the timeline, the detail view and the table show it.
    qtbot.keyClick(timeline, Qt.Key.Key_B, CTRL)
    assert win.state.queries.record(key).starred
    assert flags_of(win, key) & FLAG_STARRED
    assert "★ Starred" in win.detail.text()
    assert table_cell(win, key, STARRED) == "★"

    # A new tag through the palette, then a quick tag with Alt+1.
    def type_tag(dialog: QWidget) -> None:
        assert isinstance(dialog, TagPalette)
        qtbot.keyClicks(dialog.field, "needs second source")
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    errors = in_dialog(qtbot, TagPalette, type_tag)
    qtbot.keyClick(timeline, Qt.Key.Key_T, CTRL)
    assert not errors, errors
    refocus(qtbot, win)
    qtbot.keyClick(timeline, Qt.Key.Key_1, ALT)
    assert win.state.queries.record(key).tags == ("needs second source", "suspicious")
    assert not win.table.isColumnHidden(TAGS)
    assert table_cell(win, key, TAGS) == "needs second source, suspicious"
    assert "needs second source, suspicious" in win.detail.text()

    # A note, signed with the computer's user name.
    def write_note(dialog: QWidget) -> None:
        assert isinstance(dialog, NotesDialog)
        qtbot.keyClicks(dialog.editor, "Timestamps disagree with the log")
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, CTRL)
        assert dialog.list.count() == 1
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Escape)

    errors = in_dialog(qtbot, NotesDialog, write_note)
    qtbot.keyClick(timeline, Qt.Key.Key_N, CTRL | ALT)
    assert not errors, errors
    refocus(qtbot, win)
    (note,) = win.state.queries.record(key).notes
    assert (note.author, note.text) == ("analyst-kim", "Timestamps disagree with the log")
    assert flags_of(win, key) & FLAG_NOTED
    assert "Timestamps disagree with the log" in win.detail.text()
    assert table_cell(win, key, NOTES) == "Timestamps disagree with the log"

    # Filters and search find them.
    qtbot.keyClick(timeline, Qt.Key.Key_B, CTRL | ALT)
    assert int(win.state.mask.sum()) == 1
    assert bool(win.state.mask[key])
    assert "Starred" in " ".join(win.search.chip_texts())
    qtbot.keyClick(timeline, Qt.Key.Key_B, CTRL | ALT)
    assert int(win.state.mask.sum()) == win.store.n
    win.search.field.setText("disagree with the LOG")
    win.search.apply_text()
    assert np.flatnonzero(win.state.mask).tolist() == [key]
    win.search.clear_all()

    # Undo takes the note off, redo puts it back; undo twice more takes both tags off.
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    assert win.state.queries.record(key).notes == ()
    assert not flags_of(win, key) & FLAG_NOTED
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(win.state.queries.record(key).notes) == 1
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL)
    record = win.state.queries.record(key)
    assert record.starred
    assert record.tags == ()
    assert record.notes == ()
    for _ in range(3):
        qtbot.keyClick(timeline, Qt.Key.Key_Z, CTRL | SHIFT)

    # Save (Ctrl+S, in the file's own format) and reopen: everything is there.
    qtbot.keyClick(timeline, Qt.Key.Key_S, CTRL)
    assert win.editor.stack.isClean()
    shown_flags = flags_of(win, key)
    assert win.close()  # saved: closes without a question, and lets go of the file
    again = open_window(reader(path)(path), path)
    row = again.store.row_of(event_id)
    assert row is not None
    reopened = again.state.queries.record(row)
    assert reopened.starred
    assert reopened.tags == ("needs second source", "suspicious")
    assert [(n.author, n.text) for n in reopened.notes] == [
        ("analyst-kim", "Timestamps disagree with the log")
    ]
    assert flags_of(again, row) == shown_flags == FLAG_STARRED | FLAG_NOTED | 4
    if path.suffix == ".json":
        saved = json.loads(path.read_text(encoding="utf-8"))
        assert saved["version"] == 2
        assert saved["annotations"][0]["event"] == event_id


def test_the_author_setting_signs_notes(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from explorer.ui import annotating

    annotating.set_author("K. Reporter")
    assert annotating.author() == "K. Reporter"
    annotating.set_author("")
    monkeypatch.setenv("USER", "someone")
    monkeypatch.setenv("LOGNAME", "someone")
    assert annotating.author() == "someone"


def test_annotation_keys_are_in_the_one_table_and_clash_with_nothing() -> None:
    from explorer.ui.actions import ACTIONS, conflicts

    ids = {spec.id for spec in ACTIONS}
    assert {"annotate.star", "annotate.tag", "annotate.notes", "filter.starred"} <= ids
    assert {f"annotate.quick_tag_{n}" for n in range(1, 10)} <= ids
    assert conflicts() == []


def test_a_bad_tag_is_refused_and_nothing_changes(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from explorer.model.annotations import TagEvents
    from explorer.model.query import InvalidEditError

    q = window.state.queries
    ident = q.event_ids(np.array([0]))[0]
    heard: list[object] = []
    q.subscribe(heard.append)
    with pytest.raises(InvalidEditError, match="a tag cannot be empty"):
        q.apply(TagEvents((ident,), "   ", True))
    with pytest.raises(InvalidEditError, match="control characters"):
        q.apply(TagEvents((ident,), "a\x07b", True))
    assert heard == []
    assert q.record(0).tags == ()
