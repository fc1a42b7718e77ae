"""New from article, and publishing: a standalone web page and a printable brief.

Handlers named in the action table (scope "publish"). Exports follow the current
filter: what the user sees is what gets published.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from explorer.article.proposals import NoDatesError, analyse
from explorer.article.records import plan_edit
from explorer.io.atomic import atomic_write_bytes
from explorer.io.errors import ReadError, WriteError
from explorer.io.write_page import page_html
from explorer.model.document import subset
from explorer.ui.article_review import ArticleSourceDialog, ReviewDialog
from explorer.ui.brief import write_brief
from explorer.ui.messages import plain

if TYPE_CHECKING:
    from explorer.ui.main_window import MainWindow


def ask_save_path(parent: QWidget, title: str, default: Path, filters: str) -> Path | None:
    """A save dialog (a seam for tests)."""
    name, _ = QFileDialog.getSaveFileName(parent, title, str(default), filters)
    return Path(name) if name else None


class PublishController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.review: ReviewDialog | None = None

    def _folder(self) -> Path:
        path = self.window.path
        return path.parent if path is not None and path.parent.is_dir() else Path.home()

    def _stem(self) -> str:
        path = self.window.path
        return path.stem if path is not None else "timeline"

    def _filtered(self) -> bool:
        q = self.window.state.queries
        return q.event_count(self.window.state.filter) < q.event_count()

    # --- new from article -------------------------------------------------------------

    def new_from_article(self) -> None:
        source = ArticleSourceDialog(self.window, self._folder())
        if not source.exec():
            return
        try:
            article = source.result_article()
        except (ReadError, ValueError) as exc:
            QMessageBox.warning(self.window, "New from Article", plain(str(exc)))
            return
        self.review_article(article)

    def review_article(self, article: object) -> ReviewDialog | None:
        """Analyse `article` against the open document and open the review (modal)."""
        from explorer.article.source import Article

        assert isinstance(article, Article)
        document = self.window.store.document
        actors = list(
            zip(
                document.actors["id"], document.actors["name"], document.actors["kind"], strict=True
            )
        )
        try:
            analysis = analyse(article, actors, article.published)
        except NoDatesError as exc:
            QMessageBox.information(self.window, "New from Article", plain(str(exc)))
            return None
        self.review = ReviewDialog(analysis, document, self.window)
        self.review.accepted.connect(self._add_reviewed)
        self.review.open()
        return self.review

    def _add_reviewed(self) -> None:
        review = self.review
        if review is None:
            return
        records = review.accepted_records()
        edit = plan_edit(self.window.store.document, review.plan, records)
        if self.window.editor.apply(edit):
            self.window.statusBar().showMessage(
                f"Added {len(records)} events from the article (Ctrl+Z undoes it)", 8000
            )
            if records:
                self.window.state.select_id(records[0]["id"])

    # --- publishing -------------------------------------------------------------------

    def export_page(self) -> None:
        path = ask_save_path(
            self.window,
            "Export web page",
            self._folder() / f"{self._stem()}.html",
            "Web page (*.html)",
        )
        if path is None:
            return
        if path.suffix.lower() not in (".html", ".htm"):
            path = path.with_suffix(".html")
        document = subset(self.window.store.document, self.window.state.mask)
        try:
            atomic_write_bytes(path, page_html(document).encode("utf-8"))
        except (OSError, ValueError, WriteError) as exc:
            QMessageBox.critical(self.window, "Export failed", plain(str(exc)))
            return
        self._done(path, len(document.events))

    def export_brief(self) -> None:
        path = ask_save_path(
            self.window,
            "Export brief",
            self._folder() / f"{self._stem()}-brief.pdf",
            "PDF document (*.pdf)",
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            write_brief(self.window, path)
        except (OSError, ValueError, WriteError) as exc:
            QMessageBox.critical(self.window, "Export failed", plain(str(exc)))
            return
        self._done(path, int(self.window.state.mask.sum()))

    def _done(self, path: Path, count: int) -> None:
        which = " (the filtered events)" if self._filtered() else ""
        self.window.statusBar().showMessage(f"Exported {count:,} events{which} to {path}", 8000)
