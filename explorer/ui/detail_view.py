"""The detail view: the selected event, its date as precise as known, and on whose word.

Every piece of text comes from files the user opened, so every label is plain text
(Qt would otherwise guess rich text and render markup from an imported file).
"""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.model.dates import DatedValue, Precision, format_duration, format_human
from explorer.model.document import ClaimStatus
from explorer.model.html_text import html_to_plain
from explorer.model.query import Change, EventRecord
from explorer.model.sourcing import source_lag
from explorer.model.zones import human_in
from explorer.ui import style
from explorer.ui.actions import shortcut_text, spec
from explorer.ui.display_text import TEXT_CHARS, button_text, link_host, shown
from explorer.ui.messages import plain
from explorer.ui.messages import plain_label as shared_plain_label
from explorer.ui.view_state import ViewState


def plain_label(text: str = "", *, object_name: str = "", limit: int = TEXT_CHARS) -> QLabel:
    """Detail text: plain, wrapped, selectable (for copying a quote or a date); bounded
    and with bidi controls shown (display_text.shown), so a huge or tricky title costs
    and reads like any other."""
    return shared_plain_label(shown(text, limit), name=object_name, wrap=True, selectable=True)


def is_web_link(url: str) -> bool:
    return QUrl(url).scheme().lower() in ("http", "https") and bool(QUrl(url).host())


class AttributeTable(QWidget):
    """An event's attributes: find field, key/value table (plain text), copy buttons."""

    def __init__(self, attributes: dict[str, object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detail-attributes")
        self.pairs = [(str(k), _attribute_text(v)) for k, v in attributes.items()]
        self.find_field = QLineEdit()
        self.find_field.setObjectName("attribute-find")
        self.find_field.setPlaceholderText("Find attribute…")
        self.find_field.setAccessibleName("Find attribute")
        self.find_field.setClearButtonEnabled(True)
        self.table = QTableWidget(len(self.pairs), 2)
        self.table.setObjectName("attribute-table")
        self.table.setAccessibleName("Attributes")
        self.table.setHorizontalHeaderLabels(["Field", "Value"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, (key, value) in enumerate(self.pairs):
            for column, text in enumerate((key, value)):
                item = QTableWidgetItem(shown(text, TEXT_CHARS))  # copies keep the whole value
                item.setToolTip(plain(shown(text)))
                self.table.setItem(i, column, item)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 160))
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(min(60 + 24 * len(self.pairs), 320))
        copy_shortcut = QShortcut(QKeySequence.StandardKey.Copy, self.table)
        copy_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy_shortcut.activated.connect(self.copy_selected)
        copy_all = QPushButton("&Copy all attributes")
        copy_all.setObjectName("attribute-copy")
        copy_all.clicked.connect(self.copy_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.find_field)
        layout.addWidget(self.table)
        layout.addWidget(copy_all, 0, Qt.AlignmentFlag.AlignLeft)
        self.find_field.textChanged.connect(self.filter)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i, (key, value) in enumerate(self.pairs):
            self.table.setRowHidden(i, bool(needle) and needle not in f"{key}\n{value}".lower())

    def shown(self) -> list[tuple[str, str]]:
        return [p for i, p in enumerate(self.pairs) if not self.table.isRowHidden(i)]

    def _copy(self, pairs: list[tuple[str, str]]) -> None:
        QApplication.clipboard().setText("\n".join(f"{k}\t{v}" for k, v in pairs))

    def copy_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        self._copy([self.pairs[r] for r in rows] or self.shown())

    def copy_all(self) -> None:
        self._copy(self.shown())


def _attribute_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


class DetailView(QScrollArea):
    """Shows one event; an explicit empty state when nothing is selected."""

    actor_activated = Signal(str)  # actor id
    edit_requested = Signal()

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("detail-view")
        self.setAccessibleName("Event detail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(12, 10, 12, 10)
        self._layout.setSpacing(4)
        self.setWidget(self._body)
        self.sections: dict[str, QLabel] = {}
        self.actor_buttons: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.attributes: AttributeTable | None = None
        self._editable = True
        state.selection_changed.connect(self.show_event)
        state.document_changed.connect(lambda: self.show_event(state.selected))
        state.changed.connect(self._on_change)
        state.zone_changed.connect(lambda: self.show_event(state.selected))
        self.show_event(state.selected)

    def _on_change(self, change: Change) -> None:
        """An event edited in place: show it again if it is the one shown (other
        changes arrive as document_changed, which re-shows already)."""
        if change.columns and self.state.selected in change.events.updated.tolist():
            self.show_event(self.state.selected)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self.show_event(self.state.selected)

    def _clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.sections = {}
        self.actor_buttons = []
        self.links = []

    def _heading(self, text: str) -> None:
        label = plain_label(text.upper())
        font = QFont(label.font())
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        font.setBold(True)
        label.setFont(font)
        label.setStyleSheet(f"color: {style.MUTED_TEXT.name()}; margin-top: 8px;")
        self._layout.addWidget(label)

    def _section(self, key: str, heading: str, text: str) -> None:
        if not text:
            return
        self._heading(heading)
        label = plain_label(text, object_name=f"detail-{key}")
        self._layout.addWidget(label)
        self.sections[key] = label

    def text(self) -> str:
        """Everything the view shows, as plain text (what a screen reader would read)."""
        return "\n".join(label.text() for label in self._body.findChildren(QLabel))

    def show_event(self, row: int) -> None:
        self._clear()
        try:
            record = self.state.queries.record(row) if row >= 0 else None
        except KeyError:
            record = None
        if record is None:
            empty = plain_label(
                "No event selected.\n\nSelect a mark on the timeline (arrow keys, or click) "
                "to see its date, actors, claim status, figures and sources.",
                object_name="detail-empty",
            )
            empty.setStyleSheet(f"color: {style.MUTED_TEXT.name()};")
            self._layout.addWidget(empty)
            self._layout.addStretch(1)
            self.setAccessibleDescription("No event selected")
            return
        title = plain_label(
            html_to_plain(record.title[:8_000]).text,
            object_name="detail-title",
            limit=2_000,
        )
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        title.setFont(font)
        self._layout.addWidget(title)
        self.sections["title"] = title
        edit = QPushButton(f"Edit event…  ({shortcut_text(spec('edit.edit_event'))})")
        edit.setEnabled(self._editable)
        edit.setObjectName("detail-edit")
        edit.setAccessibleName("Edit this event")
        edit.clicked.connect(self.edit_requested.emit)
        self._layout.addWidget(edit, 0, Qt.AlignmentFlag.AlignLeft)
        self._annotations(record)

        start = record.start
        zone = self.state.zone
        shown_start = human_in(start.seconds, start.precision, zone)
        when = f"{shown_start}   ({start.precision.label} precision)"
        end = record.end
        if end is not None:
            length = record.hi - record.lo
            until = human_in(end.seconds, end.precision, zone)
            when += f"\nuntil {until}   ({end.precision.label} precision)"
            when += f"\nlasting about {format_duration(length)}"
        self._section("date", "When", when)

        status = ClaimStatus(record.status)
        rests_on = ", ".join(s.publisher or s.title for s in record.sources)
        status_text = style.STATUS_DESCRIPTIONS[status]
        if rests_on:
            status_text += f"\nOn the word of: {rests_on}"
        if any(s.published is not None for s in record.sources):
            known = format_human(record.known_at, Precision.DAY)
            status_text += f"\nKnown since: {known} (its earliest dated source)"
        else:
            status_text += "\nKnown date unknown: no dated source"
        self._section("status", "Claim status", status_text)
        self._section("sourcing", "On whose word", self._sourcing_text(record))
        warning = style.source_warning(status, len(record.sources))
        if warning:
            label = plain_label(warning, object_name="detail-source-warning")
            label.setStyleSheet(f"color: {style.WARNING_COLOUR};")
            self._layout.addWidget(label)
            self.sections["source_warning"] = label

        actor_lines = []
        self.actor_buttons = []
        for actor in record.actors:
            actor_lines.append(actor.name + (f" — {actor.role}" if actor.role else ""))
            self.actor_buttons.append((actor.id, actor_lines[-1]))
        if actor_lines:
            self._heading("Actors")
            # One button per actor: activating it selects the actor in the actor panel.
            for actor_id, line in self.actor_buttons:
                button = QPushButton(button_text(line))  # "AT&T" is text, not Alt+T
                button.setFlat(True)
                button.setObjectName("detail-actor")
                button.setAccessibleName(
                    f"Actor {shown(line, lines=False)}; press to select in the actor panel"
                )
                button.setStyleSheet("text-align: left; padding: 1px 0px;")
                button.clicked.connect(lambda _c=False, a=actor_id: self.actor_activated.emit(a))
                self._layout.addWidget(button)
            self.sections["actors"] = plain_label("\n".join(actor_lines))

        figure_lines = []
        for figure in record.figures:
            text, unit, qualifier, quantity = (
                figure.text,
                figure.unit,
                figure.qualifier,
                figure.quantity,
            )
            line = f"{text}  {figure.label}".strip()
            extra = ", ".join(x for x in (qualifier, unit) if x)
            if not np.isnan(quantity):
                extra = f"{quantity:,.0f}" + (f" ({extra})" if extra else "")
            figure_lines.append(line + (f"\n    {extra}" if extra else ""))
        self._section("figures", "Figures", "\n".join(figure_lines))

        self._section("themes", "Themes", "\n".join(t.name or t.id for t in record.themes))
        # Bounded before parsing: the label shows at most TEXT_CHARS of it anyway.
        summary = html_to_plain(record.summary[: 4 * TEXT_CHARS])
        self._section("summary", "Summary", summary.text)
        summary_links = [url for url in summary.links if is_web_link(url)]

        source_lines = []
        for src in record.sources:
            line = " — ".join(x for x in (src.publisher, src.title) if x)
            if src.published is not None:
                line += f"\n    published {self._in_zone(src.published)}"
            url = src.url
            if url:
                line += f"\n    {url}"
            source_lines.append(line)
            if is_web_link(url):
                self.links.append(url)
        self._section("sources", "Sources", "\n".join(source_lines))
        self.links += [url for url in summary_links if url not in self.links]
        for url in self.links:
            # Links open only on request, and only http(s): nothing from a file runs itself.
            # The host as a user can trust it: punycode when a label mixes scripts.
            button = QPushButton(button_text(f"Open {link_host(url) or url}"))
            button.setObjectName("detail-link")
            button.setAccessibleName(f"Open link {shown(url, lines=False)} in the browser")
            button.setToolTip(plain(shown(url)))
            button.clicked.connect(lambda _c=False, u=url: QDesktopServices.openUrl(QUrl(u)))
            self._layout.addWidget(button)
        self._attributes(dict(record.attributes))
        self._layout.addStretch(1)
        self.setAccessibleDescription(self.text())

    def _annotations(self, record: EventRecord) -> None:
        """The analyst's star, tags and notes (explorer/ui/annotating.py edits them)."""
        from explorer.ui.actions import shortcut_text as keys
        from explorer.ui.annotation_dialogs import note_heading

        if record.starred:
            star = plain_label(
                f"★ Starred   ({keys(spec('annotate.star'))} to unstar)", object_name="detail-star"
            )
            star.setStyleSheet(f"color: {style.STAR_COLOUR.name()}; font-weight: bold;")
            self._layout.addWidget(star)
            self.sections["starred"] = star
        self._section("tags", "Tags", ", ".join(record.tags))
        self._section(
            "notes",
            "Notes",
            "\n\n".join(f"{note_heading(n)}\n{n.text}" for n in record.notes),
        )

    def _sourcing_text(self, record: EventRecord) -> str:
        """Independent sources (distinct publishers) and the source lag."""
        keys = np.array([record.key], np.int64)
        independent = int(self.state.queries.independent_sources(keys)[0])
        if not independent:
            return "No source"
        line = f"Independent sources: {independent:,}"
        if independent == 1:
            line += " — single source"
        dated_sources = [s for s in record.sources if s.published is not None]
        first = min(
            dated_sources, key=lambda s: s.published.seconds if s.published else 0, default=None
        )
        lag = source_lag(record.start, first.published if first else None)
        if first is None or first.published is None:
            return f"{line}\nSource lag: {lag}"
        name = first.publisher or first.title
        return f"{line}\nFirst published {self._in_zone(first.published)} by {name}: {lag}"

    def _in_zone(self, value: DatedValue) -> str:
        return human_in(value.seconds, value.precision, self.state.zone)

    def _attributes(self, attributes: object) -> None:
        """Every other field the file had (Plaso's parser, source_long...): a key/value
        table, filterable by typing, copyable (Ctrl+C, or the button for all)."""
        if not isinstance(attributes, dict) or not attributes:
            self.attributes = None
            return
        self._heading("Attributes")
        self.attributes = AttributeTable(attributes, self)
        self._layout.addWidget(self.attributes)
