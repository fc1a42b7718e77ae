"""Back and forward through where the analyst has been: zooms, pans, selections, filters.

Like a browser's history, but of views: each entry is what was on screen (range,
selected event, filter). Steps of one kind that follow each other quickly (a burst of
zoom-wheel notches, a held arrow key, typing in the search field) are one entry, so
Back returns to where the burst began rather than one notch. Going back and then
somewhere new drops the forward entries. Undoable edits are not history: that is Undo.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from PySide6.QtCore import QObject, Signal

from explorer.model.viewport import Viewport
from explorer.ui import view_snapshot
from explorer.ui.view_state import ViewState

MAX_ENTRIES: Final = 500
COALESCE_SECONDS: Final = 0.8  # steps of one kind closer than this make one entry
# A change of another kind this soon after is the same step (a selection that scrolls).
FOLLOW_SECONDS: Final = 0.25


@dataclass(frozen=True)
class Entry:
    start_ns: int
    ns_per_px: int  # the scale, so that resizing the window is not a step
    selected_id: str | None
    filter: tuple[tuple[str, Any], ...]
    # The exact range it was shown at (not compared: the scale above is what counts).
    span_ns: int = field(default=0, compare=False)
    width: float = field(default=0.0, compare=False)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


class NavigationHistory(QObject):
    """Follows the view state; `back()` and `forward()` show earlier and later entries."""

    changed = Signal()  # can_back/can_forward may have changed

    def __init__(
        self,
        state: ViewState,
        set_viewport: Callable[[Viewport], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self._set_viewport = set_viewport or state.set_viewport
        self.coalesce_seconds = COALESCE_SECONDS
        self.follow_seconds = FOLLOW_SECONDS
        self._entries: list[Entry] = []
        self._index = -1
        self._last_kind = ""
        self._last_time = 0.0
        self._moving = False  # showing an entry: its signals are not new history
        state.viewport_changed.connect(lambda: self._record("range"))
        state.selection_changed.connect(lambda _row: self._record("selection"))
        state.filter_changed.connect(lambda: self._record("filter"))
        state.document_changed.connect(self.reset)
        self.reset()

    def _entry(self) -> Entry:
        vp = self.state.viewport
        flt = view_snapshot.filter_data(self.state.filter)
        return Entry(
            vp.start_ns,
            round(vp.span_ns / max(vp.width, 1)),
            self.state.selected_id,
            tuple((k, _frozen(v)) for k, v in sorted(flt.items())),
            vp.span_ns,
            vp.width,
        )

    def reset(self) -> None:
        """A new document (or its restored view): history starts here."""
        if self.state.last_change_was_edit and self._entries:
            return  # an edit keeps the history (ids stay valid; a gone one selects nothing)
        self._entries = [self._entry()]
        self._index = 0
        self._last_kind = ""
        self.changed.emit()

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    @property
    def index(self) -> int:
        return self._index

    def end_burst(self) -> None:
        """The next change is a step of its own, however soon it comes."""
        self._last_kind = ""

    def can_back(self) -> bool:
        return self._index > 0

    def can_forward(self) -> bool:
        return self._index < len(self._entries) - 1

    def _record(self, kind: str) -> None:
        if self._moving:
            return
        entry = self._entry()
        if entry == self._entries[self._index]:
            return
        now = time.monotonic()
        since = now - self._last_time
        burst = bool(self._last_kind) and (
            (kind == self._last_kind and since < self.coalesce_seconds)
            or since < self.follow_seconds
        )
        self._last_kind, self._last_time = kind, now
        if burst and self._index == len(self._entries) - 1 and self._index > 0:
            self._entries[self._index] = entry  # the burst's latest step stands for it
        else:
            del self._entries[self._index + 1 :]
            self._entries.append(entry)
            del self._entries[:-MAX_ENTRIES]
            self._index = len(self._entries) - 1
        self.changed.emit()

    def back(self) -> bool:
        return self._go(self._index - 1)

    def forward(self) -> bool:
        return self._go(self._index + 1)

    def _go(self, index: int) -> bool:
        if not 0 <= index < len(self._entries):
            return False
        entry = self._entries[index]
        self._index = index
        self._last_kind = ""
        self._moving = True
        try:
            state = self.state
            state.set_filter(view_snapshot.filter_from(dict(entry.filter)))
            width = state.viewport.width
            span = max(round(entry.span_ns * width / entry.width), 1) if entry.width else 1
            self._set_viewport(Viewport(entry.start_ns, span, width))
            key = -1 if entry.selected_id is None else state.queries.key_of(entry.selected_id)
            state.select(key, reveal=False)
        finally:
            self._moving = False
        self.changed.emit()
        return True
