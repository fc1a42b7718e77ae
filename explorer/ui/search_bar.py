"""Search and filters: a live search field, a filter menu, and the active filters as chips.

Typing is debounced (the filter runs once the user pauses), so a search over a
million events never runs per keystroke. Every chip removes its own filter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)

from explorer.model.dates import DAY, DatedValue, Precision, format_human, format_iso
from explorer.model.document import ClaimStatus
from explorer.model.sourcing import LEVEL_NAMES, SOURCING_LEVELS
from explorer.model.store import Filter
from explorer.ui.date_dialog import DateDialog
from explorer.ui.display_text import button_text
from explorer.ui.view_state import ViewState

DEBOUNCE_MS: Final = 200
# A date range open at one end runs to these (any event's seconds fit well inside).
OPEN_START: Final = -(2**62)
OPEN_END: Final = 2**62
_FIRST: Final = (-(2**63), -1)  # before every event, for step()
_LAST: Final = (2**63 - 1, 2**63 - 1)  # after every event


KNOWN_BY_RULE: Final = (
    "Known by: an event counts as known from the publication date of its earliest "
    "dated source. An event whose sources carry no date (or that has none) has no "
    "known date: Filters > Include Events with No Dated Source decides whether it "
    "is shown."
)


class SearchBar(QWidget):
    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("search-bar")
        self.setAccessibleName("Search and filters")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        self.field = QLineEdit()
        self.field.setObjectName("search-field")
        self.field.setAccessibleName("Search")
        self.field.setAccessibleDescription(
            "Filters live over titles, summaries, actors, themes and sources. "
            "Enter: next match; Shift+Enter: previous; Escape: clear"
        )
        self.field.setPlaceholderText("Search titles, summaries, actors, themes, sources…")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(320)
        self.field.installEventFilter(self)
        layout.addWidget(self.field)
        self.filters_button = QToolButton()
        self.filters_button.setText("Filters")
        self.filters_button.setObjectName("filters-button")
        self.filters_button.setAccessibleName("Filters menu")
        self.filters_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.filters_button.setMenu(self.menu)
        layout.addWidget(self.filters_button)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(4)
        layout.addLayout(self.chips)
        layout.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("match-count")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setAccessibleName("Events shown")
        layout.addWidget(self.count)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply_text)
        self.field.textChanged.connect(lambda _text: self._timer.start())
        state.filter_changed.connect(self._refresh)
        state.document_changed.connect(self._refresh)
        self._refresh()

    # --- text -----------------------------------------------------------------------

    def apply_text(self) -> None:
        self._timer.stop()
        text = self.field.text()
        if text != self.state.filter.text:
            self.state.set_filter(replace(self.state.filter, text=text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_text()
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.jump(-1 if shift else 1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                if self.field.text():
                    self.field.clear()
                    self.apply_text()
                else:
                    self.escape_to_timeline()
                return True
        return super().eventFilter(watched, event)

    def escape_to_timeline(self) -> None:
        window = self.window()
        timeline = window.findChild(QWidget, "timeline")
        if timeline is not None:
            timeline.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def jump(self, step: int) -> None:
        """Select the next (or previous) event in the filter after the selection, by
        time, wrapping at either end (asked of the query interface: no scan)."""
        q = self.state.queries
        flt = self.state.filter
        selected = self.state.selected
        if selected >= 0 and q.passes(flt, np.array([selected]))[0]:
            lo = int(q.bounds(np.array([selected]))[0][0])
            row = q.step(flt, None, (lo, selected), step)
            if row < 0:  # past the end: wrap round
                row = q.step(flt, None, _FIRST if step > 0 else _LAST, step)
        elif step > 0:
            row = q.first_title_match(flt) if flt.text.strip() else -1
            row = row if row >= 0 else q.step(flt, None, _FIRST, 1)
        else:
            row = q.step(flt, None, _LAST, -1)
        if row >= 0:
            self.state.select(row)

    def focus_search(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    # --- filters ------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        self.state.set_filter(replace(self.state.filter, **changes))  # type: ignore[arg-type]

    def _toggle(self, facet: str, value: str, every: list[str]) -> None:
        current = getattr(self.state.filter, facet)
        chosen = set(every if current is None else current) ^ {value}
        self._set(**{facet: None if chosen == set(every) else frozenset(chosen)})

    def _fill_menu(self) -> None:
        self.menu.clear()
        flt = self.state.filter
        themes, actors = self.state.queries.themes(), self.state.actors
        facets = (
            (
                "&Claim status",
                "statuses",
                [s.value for s in ClaimStatus],
                [s.value for s in ClaimStatus],
            ),
            (
                "&Theme",
                "themes",
                list(themes.ids),
                list(themes.names),
            ),
            (
                "&Actor",
                "actors",
                list(actors.ids),
                list(actors.names),
            ),
            ("&Sourcing", "sourcing", list(SOURCING_LEVELS), list(LEVEL_NAMES.values())),
        )
        for title, facet, values, names in facets:
            sub = self.menu.addMenu(title)
            chosen = getattr(flt, facet)
            if not values:
                sub.setEnabled(False)
            for value, name in list(zip(values, names, strict=True))[:200]:
                action = QAction(name, sub)
                action.setCheckable(True)
                action.setChecked(chosen is None or value in chosen)
                action.triggered.connect(
                    lambda _checked=False, f=facet, v=value, every=values: self._toggle(f, v, every)
                )
                sub.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction("&Date Range…", self.ask_date_range)
        self.menu.addAction("&Known By…", self.ask_known_by)
        undated = self.menu.addAction("&Include Events with No Dated Source")
        undated.setCheckable(True)
        undated.setChecked(flt.known_undated)
        undated.setEnabled(flt.known_by is not None)
        undated.setToolTip(KNOWN_BY_RULE)
        undated.toggled.connect(lambda on: self._set(known_undated=on))
        self.undated_action = undated
        self.menu.addSeparator()
        clear = self.menu.addAction("C&lear All Filters", self.clear_all)
        clear.setEnabled(not flt.is_empty)

    def ask_date_range(self) -> None:
        window = self.state.filter.window
        values = ("", "")
        if window is not None:
            lo, hi = window
            values = (
                format_iso(lo, Precision.DAY) if lo > OPEN_START else "",
                format_iso(hi - DAY, Precision.DAY) if hi < OPEN_END else "",
            )
        dialog = DateDialog("Date range", ("&From:", "&To:"), values, self)
        if dialog.exec() != DateDialog.DialogCode.Accepted:
            return
        start, end = dialog.values
        if start is None and end is None:
            self._set(window=None)
            return
        lo = start.seconds if start is not None else OPEN_START
        hi = end.end if end is not None else OPEN_END
        if lo >= hi:
            QMessageBox.warning(self, "Date range", "The range ends before it starts.")
            return
        self._set(window=(lo, hi))

    def ask_known_by(self) -> None:
        known = self.state.filter.known_by
        value = "" if known is None else format_iso(known, Precision.DAY)
        dialog = DateDialog("Known by", ("&Published by:",), (value,), self)
        if dialog.exec() != DateDialog.DialogCode.Accepted:
            return
        self.set_known_by(dialog.values[0])

    def set_known_by(self, value: DatedValue | None) -> None:
        # "Known by June 2026" includes everything published during June 2026.
        self._set(known_by=None if value is None else value.end - 1)

    def clear_all(self) -> None:
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self.state.set_filter(Filter())

    # --- chips and count ----------------------------------------------------------

    def filter_summary(self) -> str:
        """The active filter in words (for exported pictures): the chips and the search."""
        parts = [text.removesuffix("  ✕") for text in self.chip_texts()]
        if self.state.filter.text.strip():
            parts.insert(0, f"Search: “{self.state.filter.text.strip()}”")
        return " · ".join(parts)

    def tab_chain(self) -> list[QWidget]:
        """The bar's stops in reading order (chips follow the Filters button)."""
        return [self.field, self.filters_button]

    def chip_texts(self) -> list[str]:

        return [self.chips.itemAt(i).widget().text() for i in range(self.chips.count())]  # type: ignore[union-attr]

    def _refresh(self) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        flt = self.state.filter
        actors, themes = self.state.actors, self.state.queries.themes()
        names = {
            "actors": dict(zip(actors.ids, actors.names, strict=True)),
            "themes": dict(zip(themes.ids, themes.names, strict=True)),
            "statuses": {s.value: s.value for s in ClaimStatus},
            "sourcing": dict(LEVEL_NAMES),
            "sources": dict(
                zip(
                    self.state.queries.sources().ids,
                    self.state.queries.sources().names,
                    strict=True,
                )
            ),
        }
        names["together"] = names["actors"]
        for facet, label in (
            ("statuses", "Status"),
            ("themes", "Theme"),
            ("actors", "Actor"),
            ("sourcing", "Sourcing"),
            ("sources", "Source"),
            ("together", "Together"),
        ):
            chosen = getattr(flt, facet)
            if chosen is not None:
                shown = ", ".join(sorted(names[facet].get(v, v) for v in chosen)) or "none"
                self._chip(f"{label}: {shown}", tip="", **{facet: None})
        if flt.window is not None:
            lo, hi = flt.window
            parts = [
                format_human(lo, Precision.DAY) if lo > OPEN_START else "…",
                format_human(hi - 1, Precision.DAY) if hi < OPEN_END else "…",
            ]
            self._chip(f"Dates: {parts[0]} – {parts[1]}", window=None)
        if flt.known_by is not None:
            undated = self.state.queries.undated_count()
            text = f"Known by: {format_human(flt.known_by, Precision.DAY)} (earliest dated source)"
            if undated:
                verb = "kept" if flt.known_undated else "left out"
                text += f" · {undated:,} with no dated source {verb}"
            self._chip(text, tip=KNOWN_BY_RULE, known_by=None, known_undated=False)
        if flt.starred:
            self._chip("Starred", starred=False)
        if flt.noted:
            self._chip("With notes", noted=False)
        if flt.tags is not None:
            self._chip(f"Tag: {', '.join(sorted(flt.tags)) or 'none'}", tags=None)
        if self.field.text() != flt.text and not self._timer.isActive():
            self.field.blockSignals(True)
            self.field.setText(flt.text)
            self.field.blockSignals(False)
        count = self.state.queries.event_count(flt)
        self.count.setText(f"{count:,} of {self.state.queries.event_count():,} events")

    def _chip(self, text: str, *, tip: str = "", **clear: object) -> None:
        chip = QToolButton()
        chip.setText(f"{button_text(text)}  ✕")  # an actor "AT&T" is not a mnemonic
        chip.setObjectName("filter-chip")
        chip.setAccessibleName(f"Remove filter {text}")
        chip.setToolTip(f"{tip}\n\nClick to remove this filter." if tip else "Remove this filter")
        chip.setStyleSheet(
            "QToolButton { background: #e8eef9; border: 1px solid #b8c7e6;"
            " border-radius: 9px; padding: 1px 8px; }"
            "QToolButton:focus { border: 2px solid #2e6fd8; }"
        )
        chip.clicked.connect(lambda: self._set(**clear))
        previous = self.chips.itemAt(self.chips.count() - 1) if self.chips.count() else None
        self.chips.addWidget(chip)
        # A new chip joins the tab order where it is drawn, not at the end of the window.
        before = previous.widget() if previous is not None else self.filters_button
        if before is not None:
            QWidget.setTabOrder(before, chip)
