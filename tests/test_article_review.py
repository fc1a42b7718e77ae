"""New from article in the window: the review list driven by keys beside the article,
accept/reject/edit/merge/jump, and one undo step for everything accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from explorer.article.proposals import analyse
from explorer.article.source import article_from_text, load_article
from explorer.ui.article_review import ACCEPTED, REJECTED, ArticleSourceDialog, ReviewDialog
from tests.test_article import SEED, needs_seed

TEXT = """Port closes

The Harbour Authority closed the north port on 4 March 2024 after a fuel spill, according
to the coastguard.

Fishermen said the spill had begun on 2 March 2024, and that 200+ boats were stuck.

On 9 March 2024 the Harbour Authority reopened the port.
"""


def _actors(doc):  # type: ignore[no-untyped-def]
    return list(zip(doc.actors["id"], doc.actors["name"], doc.actors["kind"], strict=True))


@pytest.fixture
def review(qtbot, window):  # type: ignore[no-untyped-def]
    analysis = analyse(article_from_text(TEXT, "port.txt"), _actors(window.store.document))
    dialog = ReviewDialog(analysis, window.store.document, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.setFocus()
    return dialog


def test_proposal_model_passes_the_model_tester(qtmodeltester, review) -> None:
    qtmodeltester.check(review.model)


def test_review_by_keys_then_one_undo_step(qtbot, window, review) -> None:
    assert review.model.rowCount() == 3
    before = window.store.document.copy()
    depth = window.editor.stack.count()
    # In time order: the spill (2 March), the closure (4 March), the reopening (9 March).
    qtbot.keyClick(review.table, Qt.Key.Key_R)  # reject the first, move to the next
    assert review.model.rows[0].decision == REJECTED
    assert review.current() == 1
    qtbot.keyClick(review.table, Qt.Key.Key_A)  # accept the second
    assert review.model.rows[1].decision == ACCEPTED
    qtbot.keyClick(review.table, Qt.Key.Key_Space)  # accept the third
    assert review.count.text() == "2 of 3 proposals accepted"
    window.publisher.review = review
    review.accepted.connect(window.publisher._add_reviewed)
    qtbot.keyClick(review.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.result() == QDialog.DialogCode.Accepted
    doc = window.store.document
    assert len(doc.events) == len(before.events) + 2
    added = set(doc.events["title"]) - set(before.events["title"])
    assert any("port" in t for t in added)
    assert window.editor.stack.count() == depth + 1  # one undoable edit
    assert "Harbour Authority" in set(doc.actors["name"])
    window.editor.undo()
    assert window.store.document.equals(before)


def test_the_current_proposal_is_highlighted_in_the_article(qtbot, review) -> None:
    row = review.model.rows[0]
    selections = review.article_view.extraSelections()
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in selections] == row.spans
    qtbot.keyClick(review.table, Qt.Key.Key_J)  # jump: the sentence is selected
    cursor = review.article_view.textCursor()
    start, end = row.spans[0]
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (start, end)
    assert "2 March 2024" in cursor.selectedText()


def test_merge_two_proposals(qtbot, review) -> None:
    first, second = review.model.rows[0].record, review.model.rows[1].record
    qtbot.keyClick(review.table, Qt.Key.Key_M)  # the current with the next
    assert review.model.rowCount() == 2
    merged = review.model.rows[0]
    assert merged.record["title"] == first["title"]
    assert second["summary"] in merged.record["summary"]
    assert len(merged.spans) == 2
    assert {f["text"] for f in merged.record["figures"]} >= {"200+"}


def test_edit_a_proposal_with_the_event_form(qtbot, review, monkeypatch) -> None:
    from explorer.ui import article_review

    class FakeDialog:
        def __init__(self, doc, record, parent) -> None:  # type: ignore[no-untyped-def]
            self._record = dict(record, title="Port closed after spill", status="confirmed")

        def setWindowTitle(self, title: str) -> None:
            pass

        def exec(self) -> int:
            return 1

        def record(self):  # type: ignore[no-untyped-def]
            return self._record

    monkeypatch.setattr(article_review, "EventDialog", FakeDialog)
    qtbot.keyClick(review.table, Qt.Key.Key_F2)
    row = review.model.rows[0]
    assert row.record["title"] == "Port closed after spill"
    assert row.decision == ACCEPTED  # editing a proposal is taking it
    index = review.model.index(0, 3)
    assert review.model.data(index) == "Port closed after spill"


def test_edit_form_offers_the_new_actors(qtbot, review) -> None:
    from explorer.ui.edit_dialogs import EventDialog

    dialog = EventDialog(review.preview, review.model.rows[0].record, review)
    qtbot.addWidget(dialog)
    names = [label for _, label in dialog.actor_labels]
    assert any("Harbour Authority" in n for n in names)
    assert review.plan.source["id"] in set(review.preview.sources["id"])


def test_source_dialog_reads_a_file_and_asks_for_the_date(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "port.txt"
    path.write_text(TEXT, encoding="utf-8")
    dialog = ArticleSourceDialog(None, tmp_path)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(path))
    dialog.path_edit.editingFinished.emit()
    assert dialog.headline.text() == "Port closes"
    assert "No publication date" in dialog.message.text()
    dialog.published.setText("2024-03-10")
    article = dialog.result_article()
    assert article.published is not None
    assert article.published.iso() == "2024-03-10"
    dialog.published.setText("tenth of March")
    dialog._accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "not a date" in dialog.message.text()


def test_pasted_text_without_dates_says_so_and_adds_nothing(qtbot, window, monkeypatch) -> None:
    from explorer.ui import publish

    shown: list[str] = []
    monkeypatch.setattr(
        publish.QMessageBox, "information", lambda parent, title, text: shown.append(text)
    )
    before = len(window.store.document.events)
    result = window.publisher.review_article(article_from_text("Nothing dated here at all.\n"))
    assert result is None
    assert shown
    assert "no dates found" in shown[0]
    assert len(window.store.document.events) == before


def test_new_from_article_is_in_the_file_menu_and_palette(window) -> None:
    action = window.actions_by_id["file.new_from_article"]
    assert action.text() == "New from &Article…"
    assert "file.export_page" in window.actions_by_id
    assert "file.export_brief" in window.actions_by_id


@needs_seed
def test_review_dialog_screenshot(qtbot, window, tmp_path: Path) -> None:
    analysis = analyse(load_article(SEED), _actors(window.store.document))
    dialog = ReviewDialog(analysis, window.store.document, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.setCurrentIndex(dialog.model.index(4, 3))  # the accusation
    image = dialog.grab().toImage()
    assert image.width() > 800
    image.save(str(tmp_path / "review.png"))
    assert dialog.model.rows[4].record["status"] == "alleged"


def test_export_page_and_brief_from_the_menu(qtbot, window, tmp_path, monkeypatch) -> None:
    from explorer.ui import publish

    targets = iter([tmp_path / "story.html", tmp_path / "brief"])
    monkeypatch.setattr(publish, "ask_save_path", lambda *args: next(targets))
    window.actions_by_id["file.export_page"].trigger()
    assert "application/json" in (tmp_path / "story.html").read_text(encoding="utf-8")
    window.actions_by_id["file.export_brief"].trigger()
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert "brief.pdf" in window.statusBar().currentMessage()
