"""New from article: pick a file or paste text, confirm the publication date, then
review the proposed events beside the article and add the accepted ones as one edit.

The analysis is explorer.article (no Qt); this module only presents it. Review keys
come from the action table (scope "review"): accept, reject, edit, merge, jump to the
sentence, accept all, add.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.article.proposals import Analysis
from explorer.article.records import Plan, merge_records, plan
from explorer.article.source import Article, article_from_text, load_article
from explorer.edits import SetRecord
from explorer.io.errors import ReadError
from explorer.model.dates import DatedValue, DateError, parse_date
from explorer.model.document import Document
from explorer.ui.actions import build_actions, shortcut_text, spec
from explorer.ui.edit_dialogs import EventDialog
from explorer.ui.messages import plain_label

PROPOSED: Final = "proposed"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
_MARKS: Final = {PROPOSED: "·", ACCEPTED: "✓", REJECTED: "✗"}
_HIGHLIGHT: Final = QColor("#fff1b8")


class ArticleSourceDialog(QDialog):
    """Where the article comes from (a file or pasted text) and what it is: headline,
    publisher, URL and the publication date the user confirms."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from Article")
        self.setObjectName("article-source-dialog")
        self.folder = folder or Path.home()
        self.loaded: Article | None = None
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Article file (.txt, .md or .html)")
        self.path_edit.editingFinished.connect(self._load_path)
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.paste = QPlainTextEdit()
        self.paste.setPlaceholderText("…or paste the article's text here")
        self.paste.setAccessibleName("Pasted article text")
        self.paste.setTabChangesFocus(True)
        self.headline = QLineEdit()
        self.publisher = QLineEdit()
        self.url = QLineEdit()
        self.published = QLineEdit()
        self.published.setPlaceholderText("YYYY-MM-DD: anchors dates without a year")
        self.published.setAccessibleName("Publication date")
        self.message = plain_label(wrap=True, name="Article message")
        form = QFormLayout(self)
        form.addRow(plain_label("&File:", self.path_edit), row)
        form.addRow(plain_label("&Text:", self.paste), self.paste)
        form.addRow(plain_label("&Headline:", self.headline), self.headline)
        form.addRow(plain_label("Pu&blisher:", self.publisher), self.publisher)
        form.addRow(plain_label("&URL:", self.url), self.url)
        form.addRow(plain_label("Publication &date:", self.published), self.published)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Propose Events")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(640, 520)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open article", str(self.folder), "Articles (*.txt *.md *.html *.htm);;All (*)"
        )
        if name:
            self.path_edit.setText(name)
            self._load_path()

    def _load_path(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        try:
            article = load_article(Path(text))
        except ReadError as exc:
            self.message.setText(str(exc))
            self.loaded = None
            return
        self.show_article(article)

    def show_article(self, article: Article) -> None:
        self.loaded = article
        self.headline.setText(article.title)
        self.publisher.setText(article.publisher)
        self.url.setText(article.url)
        if article.published is not None:
            self.published.setText(article.published.iso())
            self.message.setText("Publication date from the page's metadata: please confirm it.")
        else:
            self.message.setText(
                "No publication date in the file: enter it, or dates without a year take "
                "the year the article writes most."
            )

    def _accept(self) -> None:
        try:
            self.result_article()
        except (ReadError, DateError, ValueError) as exc:
            self.message.setText(str(exc))
            return
        self.accept()

    def published_date(self) -> DatedValue | None:
        text = self.published.text().strip()
        return parse_date(text) if text else None

    def result_article(self) -> Article:
        """The article with the user's metadata; raises with a sentence if there is none."""
        pasted = self.paste.toPlainText()
        if self.loaded is None and self.path_edit.text().strip():
            self._load_path()
        if self.loaded is not None and not pasted.strip():
            article = self.loaded
        elif pasted.strip():
            article = article_from_text(pasted)
        else:
            raise ValueError("Choose an article file or paste its text.")
        published = self.published_date()
        return Article(
            text=article.text,
            name=article.name,
            title=self.headline.text().strip() or article.title,
            publisher=self.publisher.text().strip(),
            url=self.url.text().strip(),
            published=published,
            path=article.path,
        )


@dataclass
class Row:
    """One proposal under review: its record (edited in place) and where it is said."""

    record: dict[str, Any]
    spans: list[tuple[int, int]]
    notes: list[str]
    decision: str = PROPOSED
    merged: list[str] = field(default_factory=list)


class ProposalModel(QAbstractTableModel):
    HEADERS: Final = ("", "Date", "Status", "Title", "Actors", "Notes")

    def __init__(self, rows: list[Row], actor_names: dict[str, str]) -> None:
        super().__init__()
        self.rows = rows
        self.actor_names = actor_names

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def cell(self, row: Row, column: int) -> str:
        record = row.record
        if column == 0:
            return _MARKS[row.decision]
        if column == 1:
            try:
                return parse_date(record["start"]).human()
            except DateError:
                return str(record["start"])
        if column == 2:
            return str(record["status"])
        if column == 3:
            return str(record["title"])
        if column == 4:
            return ", ".join(
                self.actor_names.get(a["actor"], a["actor"])
                + (f" ({a['role']})" if a["role"] else "")
                for a in record["actors"]
            )
        return "; ".join(row.notes)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(row, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole and index.column() == 0:
            return row.decision
        if role == Qt.ItemDataRole.ForegroundRole and row.decision == REJECTED:
            return QColor("#9a9a9a")
        return None

    def changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()


class ReviewDialog(QDialog):
    """The proposals beside the article. `accepted_records()` after exec()."""

    def __init__(self, analysis: Analysis, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Review Proposals — {analysis.article.title or analysis.article.name}")
        self.setObjectName("article-review")
        self.analysis = analysis
        self.plan: Plan = plan(document, analysis)
        self.preview = _preview(document, self.plan)
        names = dict(zip(self.preview.actors["id"], self.preview.actors["name"], strict=True))
        rows = [
            Row(
                self.plan.events[p.ident],
                [(s.start, s.end) for s in p.sentences],
                [*p.notes, f"status: {p.status_reason}"],
            )
            for p in analysis.proposals
        ]
        self.model = ProposalModel(rows, names)
        self.table = QTableView()
        self.table.setObjectName("proposal-table")
        self.table.setAccessibleName("Proposed events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 28), (1, 110), (2, 80), (4, 200), (5, 160)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.article_view = QTextEdit()
        self.article_view.setObjectName("article-text")
        self.article_view.setAccessibleName("Article")
        self.article_view.setReadOnly(True)
        self.article_view.setPlainText(analysis.article.text)
        self.details = plain_label(wrap=True, selectable=True, name="Proposal details")
        left = QWidget()
        stack = QVBoxLayout(left)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.table, 1)
        stack.addWidget(self.details)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.article_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        keys = ", ".join(
            f"{shortcut_text(spec(i))} {label}"
            for i, label in (
                ("review.accept", "accept"),
                ("review.reject", "reject"),
                ("review.edit", "edit"),
                ("review.merge", "merge with next"),
                ("review.jump", "show in article"),
                ("review.finish", "add accepted"),
            )
        )
        self.help = plain_label(keys, wrap=True, name="Review keys")
        self.count = plain_label(name="Accepted count")
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton(
            "&Add Accepted", QDialogButtonBox.ButtonRole.AcceptRole
        )
        accept_all = self.buttons.addButton("Accept A&ll", QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                # Return edits the proposal (action table); it must not press a button.
                button.setAutoDefault(False)
                button.setDefault(False)
        accept_all.clicked.connect(self.accept_all)
        self.buttons.accepted.connect(self.finish)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for note in analysis.notes:
            layout.addWidget(plain_label(f"Note: {note}", wrap=True))
        layout.addWidget(splitter, 1)
        layout.addWidget(self.help)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.review_actions = build_actions(self, {"review": self}, {"review": self})
        self._jump_at = 0
        self.resize(1280, 760)
        self._update_count()
        if rows:
            self.table.setCurrentIndex(self.model.index(0, 3))
        self.table.setFocus()

    # --- helpers --------------------------------------------------------------------

    def current(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def _set(self, decision: str) -> None:
        row = self.current()
        if row < 0:
            return
        self.model.rows[row].decision = decision
        self.model.changed(row)
        self._update_count()
        if row + 1 < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row + 1, 3))

    def _update_count(self) -> None:
        accepted = sum(r.decision == ACCEPTED for r in self.model.rows)
        self.count.setText(f"{accepted} of {len(self.model.rows)} proposals accepted")
        self.add_button.setEnabled(accepted > 0)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._jump_at = 0
        if not current.isValid():
            self.details.setText("")
            self.article_view.setExtraSelections([])
            return
        row = self.model.rows[current.row()]
        self._highlight(row)
        self.details.setText(_describe(row, self.model.actor_names))

    def _highlight(self, row: Row) -> None:
        selections = []
        fmt = QTextCharFormat()
        fmt.setBackground(_HIGHLIGHT)
        for start, end in row.spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.article_view.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.article_view.setExtraSelections(selections)
        if row.spans:
            cursor = QTextCursor(self.article_view.document())
            cursor.setPosition(min(s for s, _ in row.spans))
            self.article_view.setTextCursor(cursor)
            self.article_view.ensureCursorVisible()

    # --- handlers named in the action table (scope "review") ------------------------

    def accept_current(self) -> None:
        self._set(ACCEPTED)

    def reject_current(self) -> None:
        self._set(REJECTED)

    def accept_all(self) -> None:
        for i, row in enumerate(self.model.rows):
            if row.decision == PROPOSED:
                row.decision = ACCEPTED
                self.model.changed(i)
        self._update_count()

    def edit_current(self) -> None:
        row_number = self.current()
        if row_number < 0:
            return
        row = self.model.rows[row_number]
        dialog = EventDialog(self.preview, copy.deepcopy(row.record), self)
        dialog.setWindowTitle("Edit Proposal")
        if dialog.exec():
            row.record = dialog.record()
            if row.decision == PROPOSED:
                row.decision = ACCEPTED  # editing a proposal is taking it
            self.model.changed(row_number)
            self._update_count()
            self._current_changed(self.table.currentIndex(), QModelIndex())

    def merge_current(self) -> None:
        """Merge the selected proposals (or the current one with the next) into the first."""
        selected = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if len(selected) < 2:
            current = self.current()
            selected = [current, current + 1] if 0 <= current < self.model.rowCount() - 1 else []
        if len(selected) < 2:
            return
        keep = self.model.rows[selected[0]]
        for number in reversed(selected[1:]):
            other = self.model.rows[number]
            keep.record = merge_records(keep.record, other.record)
            keep.spans += other.spans
            keep.notes += [n for n in other.notes if n not in keep.notes]
            keep.merged.append(other.record["id"])
            self.model.remove(number)
        self.model.changed(selected[0])
        self.table.setCurrentIndex(self.model.index(selected[0], 3))
        self.table.selectRow(selected[0])
        self._current_changed(self.table.currentIndex(), QModelIndex())
        self._update_count()

    def jump_to_sentence(self) -> None:
        """Select the proposal's next sentence in the article and move there."""
        row_number = self.current()
        if row_number < 0 or not self.model.rows[row_number].spans:
            return
        spans = sorted(self.model.rows[row_number].spans)
        start, end = spans[self._jump_at % len(spans)]
        self._jump_at += 1
        cursor = QTextCursor(self.article_view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.article_view.setTextCursor(cursor)
        self.article_view.ensureCursorVisible()

    def finish(self) -> None:
        if any(r.decision == ACCEPTED for r in self.model.rows):
            self.accept()

    def accepted_records(self) -> list[dict[str, Any]]:
        return [r.record for r in self.model.rows if r.decision == ACCEPTED]


def _preview(document: Document, drafted: Plan) -> Document:
    """The document's actors, sources and themes plus the article and its new actors:
    what the edit dialog offers while a proposal is edited."""
    preview = Document(actors=document.actors, sources=document.sources, themes=document.themes)
    SetRecord("sources", drafted.source["id"], drafted.source).apply(preview)
    for actor in drafted.actors:
        SetRecord("actors", actor["id"], actor).apply(preview)
    return preview


def _describe(row: Row, names: dict[str, str]) -> str:
    record = row.record
    lines = [record["summary"]]
    for f in record["figures"]:
        qualifier = f" ({f['qualifier']})" if f["qualifier"] else ""
        label = f": {f['label']}" if f["label"] else ""
        lines.append(f"Figure: {f['text']} {f['unit']}{qualifier}{label}".replace("  ", " "))
    for key, value in record["attributes"].items():
        if key.startswith("quote"):
            lines.append(f"Quote: {value}")
    new = [names.get(a["actor"], a["actor"]) for a in record["actors"]]
    if new:
        lines.append("Actors: " + ", ".join(new))
    if row.notes:
        lines.append("Notes: " + "; ".join(row.notes))
    return "\n".join(lines)
