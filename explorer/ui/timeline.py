"""The timeline: one lane per actor, custom-painted with level of detail.

Nothing here is per event: lanes hold numpy arrays sorted once when the filter or
the lanes change; a paint finds the visible slice of each lane with searchsorted,
then either stacks and draws the marks in a few batched calls (drawPoints and
drawLines over QPolygonF buffers) or, when too many are visible, draws each lane
as a density strip from counts per pixel column. The frame keeps the positions it
drew, so hit tests and keyboard navigation agree with what the user sees.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QToolTip, QWidget

from explorer.model import layout, zones
from explorer.model.dates import DatedValue, Precision, floor_to, format_iso, period_end
from explorer.model.document import ClaimStatus
from explorer.model.query import (
    FLAG_NOTED,
    FLAG_STARRED,
    FLAG_TAGGED,
    Change,
    TimelineQueries,
    density_edges,
)
from explorer.model.store import NO_ACTOR, Filter, Rows
from explorer.model.ticks import Axis, Tick, axis
from explorer.model.viewport import NS, Viewport
from explorer.ui import marks, qtarrays, source_marks, style
from explorer.ui.display_text import shown
from explorer.ui.marks import MARK
from explorer.ui.messages import plain
from explorer.ui.period_bands import PeriodBands
from explorer.ui.view_state import ViewState

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

HEADER_W: Final = 178
AXIS_H: Final = 46
LEGEND_H: Final = 26
ROW_H: Final = 20
LANE_PAD: Final = 5
MAX_SUBROWS: Final = 6
DENSITY_LANE_H: Final = 30
GAP: Final = 3.0  # least space between marks in one sub-row
MIN_BAND_PX: Final = 5.0  # narrower than this, an interval is drawn as a point
LABEL_MIN_PX: Final = 36.0  # room needed after a mark to draw its title
# With this few marks in view, each mark keeps room for its title on its sub-row (so
# titles are read whole), unless that would stack the lane deeper than MAX_SUBROWS.
LABEL_STACK_MAX: Final = 300
LABEL_RESERVE_PX: Final = 320.0  # the most room a mark reserves for its title
# The opening view leaves this share of its width free on the right, where the last
# events' titles are drawn, and OPEN_LEFT on the left.
OPEN_RIGHT: Final = 0.3
OPEN_LEFT: Final = 0.04
EDGE_H: Final = 16.0  # height of an "events off screen" tag at a lane's edge

# Level of detail: above DENSITY_ON visible marks, lanes become density strips; they
# return to marks only below DENSITY_OFF, so hovering at the threshold cannot flicker.
DENSITY_ON: Final = 20_000
DENSITY_OFF: Final = 15_000
# Even in density mode, a lane with this few visible events still shows its marks.
SPARSE_LANE: Final = 200
MAX_LABELS: Final = 400

STATUS_ORDER: Final = tuple(ClaimStatus)
TODAY_LABEL: Final = "today"
GROUP_KEY: Final = -2  # lane k of a column's lanes has key GROUP_KEY - k (never an actor)


_NONE = np.zeros(0, np.int64)
_NO_MARKS: Final = (_NONE, _NONE, _NONE, _NONE, _NONE, _NONE, _NONE)


def _resample(counts: I64, edges: I64, t0: int, t1: int, bins: int, lanes: int) -> I64:
    """A density answer for these columns: itself when it is for them; an older one
    (for the last window, while the new one is on its way) read at each column's middle,
    so the last frame stays where it was instead of blinking out."""
    if counts.shape == (lanes, bins) and np.array_equal(edges, density_edges(t0, t1, bins)):
        return counts
    if counts.shape[0] != lanes or len(edges) < 2:
        return np.zeros((lanes, bins), dtype=np.int64)
    wanted = density_edges(t0, t1, bins)
    middles = wanted[:-1] // 2 + wanted[1:] // 2
    at = np.searchsorted(edges, middles, side="right") - 1
    inside = (at >= 0) & (at < counts.shape[1])
    out = np.zeros((lanes, bins), dtype=np.int64)
    out[:, inside] = counts[:, at[inside]]
    return out


@dataclass
class MoveDrag:
    """A mark being dragged: where it started (pixels, lane) and where it is now."""

    row: int
    lane0: int
    x0: float
    x: float
    lane: int


def snap(seconds: int, precision: Precision) -> int:
    """The period boundary of `precision` nearest to `seconds` (a year event moves by years)."""
    floor = floor_to(seconds, precision)
    ceiling = period_end(floor, precision)
    return floor if seconds - floor < ceiling - seconds else ceiling


@dataclass
class Lane:
    """A lane as the headers show it. Actor lanes (key: actor row, or NO_ACTOR) hold
    no events: each frame asks the backend for the marks on screen. Lanes grouped by a
    column (keys below NO_ACTOR, in-memory only) keep their filtered rows by start."""

    key: int
    name: str
    posture: str
    colour: QColor
    rows: Rows = field(default_factory=lambda: np.zeros(0, np.int64))
    lo: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    max_len: int = 0

    @property
    def grouped(self) -> bool:
        return self.key < NO_ACTOR


def _no_flags(cut: slice) -> I64:
    return np.zeros(max(cut.stop - cut.start, 0), np.int64)


def _annotation_flags(q: TimelineQueries, keys: I64) -> I64:
    """FLAG_* bits of `keys` asked through filters (lanes the marks query does not
    answer: groups by a column)."""
    out = np.zeros(len(keys), np.int64)
    tags = frozenset(q.tag_counts())
    for bit, flt in (
        (FLAG_STARRED, Filter(starred=True)),
        (FLAG_NOTED, Filter(noted=True)),
        (FLAG_TAGGED, Filter(tags=tags) if tags else None),
    ):
        if flt is not None:
            out |= np.where(q.passes(flt, keys), bit, 0)
    return out


@dataclass
class LaneFrame:
    """What one paint put in one lane: positions for hit tests and navigation."""

    lane: Lane
    top: float
    height: float
    density: bool
    rows: Rows = field(default_factory=lambda: np.zeros(0, np.int64))  # event keys drawn
    core_lo: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # aligned with rows
    core_hi: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    status: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    single: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    flags: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # FLAG_* of the marks
    x: F64 = field(default_factory=lambda: np.zeros(0))  # mark centre (points) or band left
    x_end: F64 = field(default_factory=lambda: np.zeros(0))
    y: F64 = field(default_factory=lambda: np.zeros(0))
    overflow: int = 0
    visible_count: int = 0


_FIRST: Final = (-(2**63), -1)
_LAST: Final = (2**63 - 1, 2**63 - 1)


def _walk_rows(lane: Lane, at: tuple[int, int], step: int) -> int:
    """`TimelineQueries.step` over a lane's own rows (lanes grouped by a column)."""
    when, key = at
    first = int(np.searchsorted(lane.lo, when, side="left"))
    last = int(np.searchsorted(lane.lo, when, side="right"))
    ties = lane.rows[first:last]
    if step > 0:
        after = first + int(np.searchsorted(ties, key, side="right"))
        return int(lane.rows[after]) if after < len(lane.rows) else -1
    before = first + int(np.searchsorted(ties, key, side="left")) - 1
    return int(lane.rows[before]) if before >= 0 else -1


class TimelineWidget(QWidget):
    """Lanes of marks over a time axis; keyboard-first, zoom from aeons to seconds."""

    activated = Signal(int)  # Enter on an event: show it in the detail view
    viewport_changed = Signal()
    # A mark dragged to new dates and/or another lane: event id, start, end (ISO, at
    # their precision; end may be None), actor id of the lane it left and the one it
    # was dropped on (None for the no-actor lane). The editor turns it into an edit.
    move_requested = Signal(str, str, object, object, object)

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("timeline")
        self.setAccessibleName("Timeline")
        self.setAccessibleDescription("No event selected")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(480, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._scroll = QScrollBar(Qt.Orientation.Vertical, self)
        self._scroll.valueChanged.connect(self.update)
        self._scroll.hide()
        self._lanes: list[Lane] = []
        self._painting: Viewport | None = None
        self._frames: list[LaneFrame] = []
        self._density_mode = False
        self._current_lane = 0
        self._hover = -1
        self._drag_origin: QPoint | None = None
        self._move: MoveDrag | None = None
        self.editable = True
        self._drag_viewport: Viewport | None = None
        self.density_peak = 0
        self._content_height = 0.0
        self._fitted = True  # until the user zooms or pans, a resize refits the data
        self._fit_whole = False  # what a refit shows: everything (F), or the opening view
        self._title_widths: dict[int, float] = {}
        self._titles: dict[int, str] = {}  # key -> title, for labels (asked once per key)
        # Each lane's last marks from the backend: drawn while a new answer is on its way.
        self._last_marks: dict[int, tuple[I64, ...]] = {}
        # The selected event as the timeline needs it: (key, lo, hi, status, lanes it
        # is drawn in under the filter), asked once per selection, filter or edit.
        self._sel: tuple[int, int, int, ClaimStatus, frozenset[int]] | None = None
        self.drawn_labels: dict[int, str] = {}  # row -> the title text last painted
        self.edge_tags: list[tuple[int, str, str]] = []  # (lane, "left"/"right", text)
        self.legend_items: list[str] = []
        self.axis_labels: list[str] = []  # the period labels last painted, whole
        self.last_paint_ms = 0.0
        self.period_bands = PeriodBands()  # the document's periods, behind the lanes
        self._font = QFont(self.font())
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(self.font().pointSizeF() - 1.5, 7.0))
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        state.document_changed.connect(self._on_document)
        state.lanes_changed.connect(self._rebuild_lanes)
        state.filter_changed.connect(self._on_filter)
        state.selection_changed.connect(self._on_selection)
        state.reveal_requested.connect(self.reveal)
        state.changed.connect(self._on_change)
        state.zone_changed.connect(self.update)
        self._rebuild_lanes()
        self.open_view()

    # --- data ----------------------------------------------------------------------

    def _on_document(self) -> None:
        self._title_widths = {}
        self._titles = {}
        self._sel = None
        self._last_marks = {}
        self._rebuild_lanes()
        if not self.state.last_change_was_edit:
            self.open_view()  # a new document opens where its events are; edits keep the view

    def _on_change(self, change: Change) -> None:
        """Fields edited in place: the next frame asks the backend again (marks move
        with new dates); titles are measured again when they changed."""
        self._sel = None
        self._last_marks = {}
        if "title" in change.columns or change.replaced:
            self._title_widths = {}
            self._titles = {}
        if change.columns & {"start", "end"} and not change.replaced:
            self._rebuild_lanes()
        else:
            self.update()

    def _on_filter(self) -> None:
        self._sel = None
        self._last_marks = {}
        self._rebuild_lanes()

    def _rebuild_lanes(self) -> None:
        """The lanes' headers: names, postures and colours from the backend's actor
        table. No events are copied: frames ask for what is on screen."""
        grouping = self.state.lane_grouping
        if grouping is not None:
            self._lanes = [
                self._group_lane(GROUP_KEY - k, name, style.group_colour(k), grouping.rows(k))
                for k, name in enumerate(grouping.names)
            ]
        else:
            actors = self.state.actors
            lanes = []
            for key in self.state.visible_lanes():
                if key == NO_ACTOR:
                    name, posture, colour = "(no actor)", "", QColor(style.NO_ACTOR_COLOUR)
                else:
                    name, posture = actors.names[key], actors.postures[key]
                    colour = style.actor_colour(actors.colours[key], key)
                lanes.append(Lane(key=key, name=name, posture=posture, colour=colour))
            self._lanes = lanes
        self._current_lane = min(self._current_lane, max(len(self._lanes) - 1, 0))
        self.update()

    def _group_lane(self, key: int, name: str, colour: QColor, rows: Rows) -> Lane:
        """A lane of a column's value: its rows passing the filter, by start (lanes by a
        column are an in-memory feature: see ViewState.set_lane_grouping)."""
        q = self.state.queries
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[q.passes(self.state.filter, rows)] if len(rows) else rows
        lo, hi = q.bounds(rows)
        return Lane(key, name, "", colour, rows, lo, int((hi - lo).max()) if len(rows) else 0)

    @property
    def lanes(self) -> list[Lane]:
        return self._lanes

    # --- geometry ------------------------------------------------------------------

    def plot_rect(self, size: QSize | None = None) -> QRect:
        size = size or self.size()
        scroll_w = self._scroll.sizeHint().width() if self._scroll.isVisible() else 0
        return QRect(
            HEADER_W,
            AXIS_H,
            max(size.width() - HEADER_W - scroll_w, 1),
            max(size.height() - AXIS_H - LEGEND_H, 1),
        )

    @property
    def viewport(self) -> Viewport:
        return self.state.viewport

    @property
    def _viewport(self) -> Viewport:
        """The visible range lives in the shared view state; the widget only reads it
        (while painting, the copy being drawn)."""
        return self._painting if self._painting is not None else self.state.viewport

    def _data_span(self) -> tuple[int, int] | None:
        """What the view keeps in reach: the events and the periods."""
        q = self.state.queries
        spans = [q.span()] if q.event_count() else []
        periods = self.period_bands.span(self.state.queries.periods())
        spans += [periods] if periods is not None else []
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def set_viewport(self, viewport: Viewport, *, fitted: bool = False) -> None:
        self._fitted = fitted
        span = self._data_span()
        clamped = viewport.clamped(*span) if span is not None else viewport
        if clamped != self._viewport:
            self.state.set_viewport(clamped)
            self.viewport_changed.emit()
            self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = self.plot_rect().width()
        self._place_scrollbar()
        if self._fitted:
            self.fit_all() if self._fit_whole else self.open_view()
        else:
            self.state.set_viewport(self._viewport.resized(width))

    def _place_scrollbar(self) -> None:
        w = self._scroll.sizeHint().width()
        self._scroll.setGeometry(
            self.width() - w, AXIS_H, w, max(self.height() - AXIS_H - LEGEND_H, 1)
        )

    # --- level of detail and layout --------------------------------------------------

    def _visible_slice(self, lane: Lane, t0: int, t1: int) -> tuple[int, int]:
        i0 = int(np.searchsorted(lane.lo, t0 - lane.max_len, side="left"))
        i1 = int(np.searchsorted(lane.lo, t1, side="left"))
        return i0, i1

    def visible_count(self) -> int:
        t0, t1 = self._viewport.window()
        return int(self._window_counts(self._lanes, t0, t1).sum())

    def _split(self, lanes: list[Lane]) -> tuple[I64, npt.NDArray[np.bool_]]:
        keys = np.asarray([lane.key for lane in lanes], dtype=np.int64)
        return keys, keys >= NO_ACTOR

    def _window_counts(self, lanes: list[Lane], t0: int, t1: int) -> npt.NDArray[np.int64]:
        """Events of each lane overlapping [t0, t1): actor lanes from the backend; lanes
        made from a column (keys below NO_ACTOR, which no backend knows) from their rows."""
        keys, ours = self._split(lanes)
        out = np.zeros(len(lanes), dtype=np.int64)
        if ours.any():
            got = self.state.queries.window_counts(self.state.filter, keys[ours], t0, t1)
            out[ours] = got if len(got) == int(ours.sum()) else 0
        for i in np.flatnonzero(~ours):
            lane = lanes[int(i)]
            i0, i1 = self._visible_slice(lane, t0, t1)
            _, hi = self.state.queries.bounds(lane.rows[i0:i1])
            out[i] = int((hi > t0).sum())
        return out

    def _density(self, lanes: list[Lane], t0: int, t1: int, bins: int) -> npt.NDArray[np.int64]:
        """Counts per lane per pixel column, routed as `_window_counts` routes them. An
        answer still on its way leaves the last one (drawn where its edges say)."""
        keys, ours = self._split(lanes)
        out = np.zeros((len(lanes), max(bins, 1)), dtype=np.int64)
        if ours.any():
            got = self.state.queries.density(self.state.filter, keys[ours], t0, t1, bins)
            out[ours] = _resample(got.counts, got.edges, t0, t1, max(bins, 1), len(keys[ours]))
        if (~ours).any():
            edges = density_edges(t0, t1, bins)
            for i in np.flatnonzero(~ours):
                lane = lanes[int(i)]
                ends = np.sort(self.state.queries.bounds(lane.rows)[1])
                out[i] = np.searchsorted(lane.lo, edges[1:], side="left") - np.searchsorted(
                    ends, edges[:-1], side="right"
                )
        return out

    def _marks(self, lanes: list[Lane], t0: int, t1: int, cap: int) -> list[tuple[I64, ...] | None]:
        """For each lane: (keys, lo, hi, core_lo, core_hi, status, flags) of its events
        overlapping [t0, t1), by (lo, key). Actor lanes in one question to the backend;
        a lane the answer at hand does not cover (the real one is on its way) is None."""
        keys, ours = self._split(lanes)
        out: list[tuple[I64, ...] | None] = [None] * len(lanes)
        if ours.any():
            m = self.state.queries.marks(self.state.filter, keys[ours], t0, t1, cap)
            where = {int(k): i for i, k in enumerate(m.lanes.tolist())}
            for i in np.flatnonzero(ours).tolist():
                at = where.get(int(keys[i]))
                if at is None:
                    continue
                cut = m.of_lane(at)
                lo, hi, core_lo, core_hi = zones.on_local_days(
                    m.lo[cut],
                    m.hi[cut],
                    m.core_lo[cut],
                    m.core_hi[cut],
                    m.start_precision[cut],
                    m.end_precision[cut],
                    self.state.zone.tz,
                )
                out[i] = (
                    m.key[cut],
                    lo,
                    hi,
                    core_lo,
                    core_hi,
                    np.asarray(m.status[cut], np.int64),
                    np.asarray(m.flags[cut], np.int64) if len(m.flags) else _no_flags(cut),
                )
        for i in np.flatnonzero(~ours).tolist():
            out[i] = self._group_marks(lanes[i], t0, t1)
        return out

    def _group_marks(self, lane: Lane, t0: int, t1: int) -> tuple[I64, ...]:
        i0, i1 = self._visible_slice(lane, t0, t1)
        rows = lane.rows[i0:i1]
        q = self.state.queries
        rows = rows[q.bounds(rows)[1] > t0]
        if not len(rows):
            return _NO_MARKS
        store = self.state.store
        assert store is not None  # lanes by a column exist only in memory
        core_lo, core_hi = store.core(rows)
        lo, hi, core_lo, core_hi = zones.on_local_days(
            store.lo[rows],
            store.hi[rows],
            core_lo,
            core_hi,
            store.start_precisions(rows),
            store.end_precisions(rows),
            self.state.zone.tz,
        )
        return (
            rows,
            lo,
            hi,
            np.asarray(core_lo, np.int64),
            np.asarray(core_hi, np.int64),
            np.asarray(store.status_codes[rows], np.int64),
            _annotation_flags(q, rows),
        )

    @property
    def density_mode(self) -> bool:
        return self._density_mode

    def _layout(self, plot: QRect, scroll: int = 0) -> list[LaneFrame]:
        """Lane heights for all lanes; marks stacked only for lanes on screen.

        A lane's height needs only its overlap depth (vectorised); the stacking
        itself, the costlier part, is done for the lanes the user can see.
        """
        vp = self._viewport
        t0, t1 = vp.window()
        counts = self._window_counts(self._lanes, t0, t1).tolist()
        total = sum(counts)
        if total > DENSITY_ON:
            self._density_mode = True
        elif total < DENSITY_OFF:
            self._density_mode = False
        frames: list[LaneFrame] = []
        top = 0.0
        bottom = scroll + plot.height()
        dense = [self._density_mode and count > SPARSE_LANE for count in counts]
        # Marks are asked only of lanes with events in view (an engine still counting
        # says 0: nothing is fetched until it knows), at most as many as the most any
        # of them holds.
        asked = [
            i for i, (d, count) in enumerate(zip(dense, counts, strict=True)) if not d and count
        ]
        cap = max([counts[i] for i in asked], default=0)
        answers = dict(
            zip(asked, self._marks([self._lanes[i] for i in asked], t0, t1, cap), strict=True)
        )
        for index, answer in answers.items():
            if answer is None:
                # Still on its way: the lane's last marks, drawn where they were; a lane
                # never drawn as marks stays a density strip until they arrive.
                answers[index] = self._last_marks.get(self._lanes[index].key)
                dense[index] = answers[index] is None
            else:
                self._last_marks[self._lanes[index].key] = answer
        for index, (lane, count, is_dense) in enumerate(
            zip(self._lanes, counts, dense, strict=True)
        ):
            if is_dense:
                frames.append(LaneFrame(lane, top, DENSITY_LANE_H, True, visible_count=count))
                top += DENSITY_LANE_H
                continue
            rows, lo, hi, core_lo, core_hi, status, flags = answers.get(index) or _NO_MARKS
            x0 = vp.x_of(lo)
            x1 = vp.x_of(hi)
            narrow = (x1 - x0) < MIN_BAND_PX
            left = np.where(narrow, (x0 + x1) / 2 - MARK / 2, x0)
            right = np.where(narrow, left + MARK, x1)
            if total <= LABEL_STACK_MAX:
                with_titles = np.maximum(right, left + self._title_room(rows))
                if layout.depth(left, with_titles, MARK, GAP) <= MAX_SUBROWS:
                    right = with_titles
            shown = min(max(layout.depth(left, right, MARK, GAP), 1), MAX_SUBROWS)
            height = 2 * LANE_PAD + shown * ROW_H
            frame = LaneFrame(lane, top, height, False, visible_count=len(rows))
            if top + height >= scroll and top <= bottom:
                sub = layout.stack(left, right, MARK, GAP)
                on = sub < MAX_SUBROWS
                frame.rows = rows[on]
                frame.core_lo, frame.core_hi = core_lo[on], core_hi[on]
                frame.status = np.asarray(status[on], np.int8)
                frame.flags = flags[on]
                frame.x = np.where(narrow, (x0 + x1) / 2, x0)[on]
                frame.x_end = np.where(narrow, (x0 + x1) / 2, x1)[on]
                frame.y = np.asarray(top + LANE_PAD + (sub[on] + 0.5) * ROW_H, dtype=np.float64)
                frame.overflow = int((~on).sum())
            frames.append(frame)
            top += height
        self._content_height = top
        self._mark_single_sources(frames)
        return frames

    def _mark_single_sources(self, frames: list[LaneFrame]) -> None:
        """Which drawn marks rest on one independent source: one question per layout
        for every lane on screen (out of core, one query, not one per lane)."""
        drawn = [f for f in frames if len(f.rows)]
        if not drawn:
            return
        counts = self.state.queries.independent_sources(np.concatenate([f.rows for f in drawn]))
        at = 0
        for f in drawn:
            f.single = np.asarray(counts[at : at + len(f.rows)] == 1, np.bool_)
            at += len(f.rows)

    def _title_room(self, rows: Rows) -> F64:
        """Pixels each row's title needs after its mark (capped), measured once per row."""
        cache = self._title_widths
        missing = [r for r in rows.tolist() if r not in cache]
        if missing:
            metrics = QFontMetrics(self._small)
            titles = self._titles_of(np.asarray(missing, np.int64))
            for r, title in zip(missing, titles, strict=True):
                # Room is capped anyway: measure a bounded prefix (a title may be huge).
                cache[r] = metrics.horizontalAdvance(str(title)[:200]) + MARK + 12
        return np.minimum(
            np.array([cache[r] for r in rows.tolist()], dtype=np.float64), LABEL_RESERVE_PX
        )

    def _titles_of(self, keys: Rows) -> list[str]:
        """Titles of `keys`, each asked of the backend once (until a title edit)."""
        cache = self._titles
        missing = [k for k in keys.tolist() if k not in cache]
        if missing:
            if len(cache) > 200_000:
                cache.clear()
            got = self.state.queries.titles(np.asarray(missing, np.int64))
            cache.update(zip(missing, got, strict=True))
        return [cache[k] for k in keys.tolist()]

    # --- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        painter = QPainter(self)
        try:
            self._update_scrollbar()
            self.paint(painter, self.size())
        finally:
            painter.end()
        self.last_paint_ms = (time.perf_counter() - started) * 1000

    def _update_scrollbar(self) -> None:
        plot = self.plot_rect()
        extra = int(self._content_height - plot.height())
        self._scroll.setVisible(extra > 0)
        if extra > 0:
            self._scroll.setRange(0, extra)
            self._scroll.setPageStep(plot.height())
            self._scroll.setSingleStep(ROW_H)
            self._place_scrollbar()

    def paint(self, p: QPainter, size: QSize, *, keep: bool = True) -> None:
        """Draw the whole timeline at `size` (the widget, or an exported image).

        Reads the view state and never writes it: an export (keep=False) draws a copy
        of the visible range at its own width and leaves what was drawn on screen,
        which hit tests and keyboard navigation use, as it was."""
        plot = self.plot_rect(size)
        vp = self.state.viewport
        if plot.width() != round(vp.width):
            vp = vp.resized(plot.width())
        saved = (self._frames, self._content_height, self._density_mode, self.density_peak)
        self._painting = vp
        try:
            self._paint(p, size, plot)
        finally:
            self._painting = None
            if not keep:
                self._frames, self._content_height, self._density_mode, self.density_peak = saved

    def _paint(self, p: QPainter, size: QSize, plot: QRect) -> None:
        p.fillRect(QRect(QPoint(0, 0), size), style.BACKGROUND)
        p.setFont(self._font)
        scroll = self._scroll.value() if self._scroll.isVisible() else 0
        self._frames = self._layout(plot, scroll)
        ticks = axis(self._viewport.t0, self._viewport.t1, plot.width(), tz=self.state.zone.tz)
        # Lanes, clipped below the axis.
        p.save()
        p.setClipRect(QRect(0, plot.top(), size.width(), plot.height()))
        p.translate(0, plot.top() - scroll)
        for index, frame in enumerate(self._frames):
            if frame.top + frame.height < scroll or frame.top > scroll + plot.height():
                continue
            self._paint_lane_background(p, frame, index, size.width())
        p.setClipRect(QRect(plot.left(), scroll, plot.width(), plot.height()))
        self.period_bands.paint(
            p, self.state.queries.periods(), self._viewport, plot.left(), scroll, plot.height()
        )
        self._paint_grid(p, plot, ticks.ticks, scroll)
        self._paint_today(p, plot, scroll)
        p.translate(plot.left(), 0)
        self._paint_edge_tags(p, plot, scroll)
        density_frames = [
            f
            for f in self._frames
            if f.density and f.top + f.height >= scroll and f.top <= scroll + plot.height()
        ]
        if density_frames:
            self._paint_density(p, plot, density_frames)
        for frame in self._frames:
            if (
                not frame.density
                and frame.top + frame.height >= scroll
                and frame.top <= scroll + plot.height()
            ):
                self._paint_marks(p, frame)
                self._paint_annotations(p, frame)
        self._paint_selection(p, plot, scroll)
        self._paint_move(p)
        self._paint_labels(p, plot, scroll)
        p.restore()
        self._paint_headers(p, plot, scroll)
        self._paint_axis(p, plot, ticks)
        self._paint_legend(p, size)
        if self.hasFocus():
            p.setPen(QPen(QColor("#2e6fd8"), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(1, 1, size.width() - 2, size.height() - 2))

    def _paint_lane_background(self, p: QPainter, frame: LaneFrame, index: int, width: int) -> None:
        if index % 2:
            p.fillRect(QRectF(0, frame.top, width, frame.height), style.LANE_ALT)
        p.setPen(QPen(style.GRID, 1))
        p.drawLine(QPointF(0, frame.top + frame.height), QPointF(width, frame.top + frame.height))

    def _paint_grid(self, p: QPainter, plot: QRect, ticks: list[Tick], scroll: int) -> None:
        if not ticks:
            return
        xs = np.array([self._viewport.x_of_one(t.seconds) for t in ticks]) + plot.left()
        top = np.full(len(xs), float(scroll))
        pen = QPen(style.GRID, 1)
        p.setPen(pen)
        xy = np.empty((2 * len(xs), 2))
        xy[0::2, 0] = xs
        xy[1::2, 0] = xs
        xy[0::2, 1] = top
        xy[1::2, 1] = top + plot.height()
        qtarrays.draw_lines(p, qtarrays.polygon(xy))

    def _paint_today(self, p: QPainter, plot: QRect, scroll: int) -> None:
        now = int(time.time())
        x = self._viewport.x_of_one(now)
        if 0 <= x <= plot.width():
            pen = QPen(style.TODAY, 1, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(
                QPointF(plot.left() + x, scroll), QPointF(plot.left() + x, scroll + plot.height())
            )

    @staticmethod
    def _status_split(
        codes: npt.NDArray[np.int8],
    ) -> list[tuple[ClaimStatus, npt.NDArray[np.bool_]]]:
        return [(status, codes == i) for i, status in enumerate(STATUS_ORDER) if (codes == i).any()]

    def _paint_marks(self, p: QPainter, frame: LaneFrame) -> None:
        if not len(frame.rows):
            return
        colour = frame.lane.colour
        rows = frame.status
        vp = self._viewport
        is_point = frame.x == frame.x_end
        band_h = ROW_H - 6
        # Soft bands: the whole period an imprecise or spanning event may cover.
        bands = ~is_point
        if bands.any():
            # Filled softly; hatched when the claim is alleged or disputed, with a
            # dashed or dotted outline, so status reads at every zoom level.
            for status, sel in self._status_split(rows):
                pick = bands & sel
                if not pick.any():
                    continue
                xb0, xb1, yb = frame.x[pick], frame.x_end[pick], frame.y[pick]
                p.setPen(marks.band_pen(status, colour, band_h))
                qtarrays.draw_lines(p, qtarrays.segments(xb0, xb1, yb))
                p.setPen(marks.edge_pen(status, colour))
                qtarrays.draw_lines(p, qtarrays.segments(xb0, xb1, yb - band_h / 2))
                qtarrays.draw_lines(p, qtarrays.segments(xb0, xb1, yb + band_h / 2))
            # The certain core of a span, solid (hatched when the claim is not confirmed).
            core_lo = vp.x_of(frame.core_lo)
            core_hi = vp.x_of(frame.core_hi)
            has_core = bands & (core_hi - core_lo >= 1)
            for status, sel in self._status_split(rows):
                pick = has_core & sel
                if pick.any():
                    p.setPen(marks.bar_pen(status, colour, band_h - 6))
                    qtarrays.draw_lines(
                        p, qtarrays.segments(core_lo[pick], core_hi[pick], frame.y[pick])
                    )
        # Points: one batched call per claim status.
        if is_point.any():
            for status, sel in self._status_split(rows):
                pick = is_point & sel
                if pick.any():
                    marks.draw_points(
                        p, status, colour, qtarrays.points(frame.x[pick], frame.y[pick])
                    )
        # On whose word: a dot on marks resting on a single independent source.
        # (a band's dot sits at its left end, kept in view).
        at = np.where(is_point, frame.x_end, np.maximum(frame.x, 0.0))
        source_marks.paint(p, at, frame.y, frame.single)

    def _paint_annotations(self, p: QPainter, frame: LaneFrame) -> None:
        """Stars and note corners on the marks drawn (explorer.ui.marks): the flags the
        backend gave with the marks on screen."""
        if len(frame.flags) and frame.flags.any():
            marks.draw_annotations(p, frame.x, frame.y, frame.flags.astype(np.uint8))

    def _paint_density(self, p: QPainter, plot: QRect, frames: list[LaneFrame]) -> None:
        width = plot.width()
        t0, t1 = self._viewport.window()
        # One question for every lane on screen: counts per pixel column, read from the
        # backend's power-of-two count tables (edges snapped to them, within a column).
        counts = self._density([f.lane for f in frames], t0, t1, width)
        h = DENSITY_LANE_H - 6
        qimage, peak = marks.density_image(counts, [f.lane.colour for f in frames], h)
        for k, frame in enumerate(frames):
            p.drawImage(QPointF(0, frame.top + 3), qimage, QRectF(0, k * h, width, h))
        self.density_peak = peak

    def _paint_selection(self, p: QPainter, plot: QRect, scroll: int) -> None:
        selected = self.state.selected
        if selected < 0:
            return
        ys = []
        xs = []
        for frame in self._frames:
            if frame.density:
                # A density strip has no marks: the selected event is drawn over it.
                spot = self._density_spot(frame, selected)
                if spot is not None:
                    x, y = spot
                    marks.draw_points(
                        p,
                        self._selection()[3],
                        frame.lane.colour,
                        qtarrays.points(np.array([x]), np.array([y])),
                    )
                    p.setPen(QPen(style.SELECTION, 2))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(QRectF(x - MARK / 2 - 3, y - MARK / 2 - 3, MARK + 6, MARK + 6))
                    xs.append(x)
                    ys.append(y)
                continue
            hit = np.flatnonzero(frame.rows == selected)
            for i in hit:
                xs.append(float(frame.x[i]))
                ys.append(float(frame.y[i]))
                x0, x1 = float(frame.x[i]), float(frame.x_end[i])
                p.setPen(QPen(style.SELECTION, 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                if x1 - x0 >= MIN_BAND_PX:
                    p.drawRect(QRectF(x0 - 2, frame.y[i] - ROW_H / 2, x1 - x0 + 4, ROW_H))
                else:
                    p.drawRect(
                        QRectF(x0 - MARK / 2 - 3, frame.y[i] - MARK / 2 - 3, MARK + 6, MARK + 6)
                    )
        if len(ys) > 1:
            # The same event in several lanes: join its marks so it reads as one.
            pen = QPen(style.SELECTION, 1, Qt.PenStyle.DotLine)
            p.setPen(pen)
            order = np.argsort(ys)
            for a, b in itertools.pairwise(order):
                p.drawLine(
                    QPointF(xs[a], ys[a] + MARK / 2 + 3), QPointF(xs[b], ys[b] - MARK / 2 - 3)
                )

    def _density_spot(self, frame: LaneFrame, row: int) -> tuple[float, float] | None:
        """Where `row` sits on a density lane (centre x, lane middle), if it is in it."""
        if not self._in_lane(frame.lane, row):
            return None
        lo, hi = self.state.queries.bounds(np.array([row], np.int64))
        x = float(self._viewport.x_of(np.array([lo[0], hi[0]])).mean())
        return x, frame.top + frame.height / 2

    def _selection(self) -> tuple[int, int, int, ClaimStatus, frozenset[int]]:
        """(key, lo, hi, status, lanes) of the selected event, asked once per selection,
        filter or edit; lanes is empty when the filter hides it."""
        key = self.state.selected
        if self._sel is None or self._sel[0] != key:
            q = self.state.queries
            if key < 0:
                self._sel = (key, 0, 0, ClaimStatus.CONFIRMED, frozenset())
            else:
                picked = np.array([key], np.int64)
                lo, hi = q.bounds(picked)
                status = ClaimStatus(q.record(key).status)
                shown = bool(q.passes(self.state.filter, picked)[0])
                lanes = frozenset(q.lanes_of(key).tolist()) if shown else frozenset()
                self._sel = (key, int(lo[0]), int(hi[0]), status, lanes)
        return self._sel

    def _in_lane(self, lane: Lane, row: int) -> bool:
        """Whether event `row` is drawn in `lane` under the filter."""
        if lane.grouped:
            return bool(np.any(lane.rows == row))
        if row == self.state.selected:
            return lane.key in self._selection()[4]
        q = self.state.queries
        picked = np.array([row], np.int64)
        return bool(q.passes(self.state.filter, picked)[0]) and lane.key in q.lanes_of(row)

    def _paint_move(self, p: QPainter) -> None:
        """While dragging a mark: a dashed ghost where it will land."""
        move = self._move
        if move is None or not (0 <= move.lane < len(self._frames)):
            return
        pos = self.mark_position(move.row, move.lane0)
        if pos is None:
            return
        frame = self._frames[move.lane]
        x = pos.x() - self.plot_rect().left() - 1 + (move.x - move.x0)
        y = frame.top + frame.height / 2
        p.setPen(QPen(style.SELECTION, 2, Qt.PenStyle.DashLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(x - MARK, y - MARK, 2 * MARK, 2 * MARK))

    def _paint_labels(self, p: QPainter, plot: QRect, scroll: int) -> None:
        """Titles beside marks where there is room before the next mark in the sub-row.

        A band's title sits inside it from its visible left edge (so a year-long band
        keeps its name when zoomed in), in a colour that reads on the band's core.
        """
        p.setFont(self._small)
        metrics = QFontMetrics(self._small)
        budget = MAX_LABELS
        self.drawn_labels = {}
        width = float(plot.width())
        for frame in self._frames:
            if frame.density or not len(frame.rows) or budget <= 0:
                continue
            if frame.top + frame.height < scroll or frame.top > scroll + plot.height():
                continue
            point = frame.x == frame.x_end
            start = np.where(point, frame.x + MARK / 2 + 4, np.maximum(frame.x, 0.0) + 4)
            # Next mark on the same sub-row: sort by (y, x) and look one ahead.
            order = np.lexsort((frame.x, frame.y))
            nxt = np.full(len(order), width)
            same_row = frame.y[order][1:] == frame.y[order][:-1]
            following = np.where(same_row, frame.x[order][1:] - MARK / 2 - 4, width)
            nxt[order[:-1]] = following
            room = np.minimum(nxt, width) - start
            # Inside a wide band, the label sits in the band.
            room = np.where(
                ~point, np.maximum(room, np.minimum(frame.x_end, width) - start - 4), room
            )
            can = np.flatnonzero((room >= LABEL_MIN_PX) & (start < width) & (start > -200))
            can = can[:budget]
            core_lo, core_hi = frame.core_lo[can], frame.core_hi[can]
            # Over a span's solid core (most of the label's first letters on it)?
            on_core = (~point[can]) & (self._viewport.x_of(core_lo) <= start[can] + LABEL_MIN_PX)
            on_core &= self._viewport.x_of(core_hi) > start[can] + 2 * LABEL_MIN_PX
            on_dark = style.reads_light_on(frame.lane.colour)
            texts = self._titles_of(frame.rows[can])
            for k, (i, title) in enumerate(zip(can.tolist(), texts, strict=True)):
                text = metrics.elidedText(
                    shown(str(title), lines=False), Qt.TextElideMode.ElideRight, int(room[i])
                )
                p.setPen(QColor("#ffffff") if on_dark and on_core[k] else style.AXIS_TEXT)
                x = max(float(start[i]), 2.0)
                p.drawText(QPointF(x, frame.y[i] + metrics.ascent() / 2 - 1), text)
                self.drawn_labels[int(frame.rows[i])] = text
            budget -= len(can)

    def _paint_edge_tags(self, p: QPainter, plot: QRect, scroll: int) -> None:
        """At a lane's edges, what lies beyond the view: "◂ title" for one event, "◂ N
        earlier" for more (counts from the sorted starts and ends, two searchsorted)."""
        t0, t1 = self._viewport.window()
        metrics = QFontMetrics(self._small)
        p.setFont(self._small)
        self.edge_tags = []
        width = float(plot.width())
        on_screen = [
            i
            for i, f in enumerate(self._frames)
            if not (f.top + f.height < scroll or f.top > scroll + plot.height())
        ]
        # Wholly before and after the view: actor lanes from the backend; lanes grouped
        # by a column (keys below NO_ACTOR) from their own rows.
        before, after = self._beyond_counts([self._frames[i].lane for i in on_screen], t0, t1)
        for at, index in enumerate(on_screen):
            frame = self._frames[index]
            lane = frame.lane
            earlier, later = int(before[at]), int(after[at])
            # An empty lane with events on one side only gives its tag the whole width.
            alone = not len(frame.rows) and not (earlier and later)
            room = width - 24 if alone else width / 2 - 12
            for side, count in (("left", earlier), ("right", later)):
                if not count:
                    continue
                if count == 1:
                    row = self._beyond(lane, t0, t1, side)
                    record = self.state.queries.record(row) if row >= 0 else None
                    title = shown(record.title, lines=False) if record is not None else ""
                    date = self._when(record.start) if record is not None else ""
                    body = f"{title} ({date})" if title else "1 more"
                else:
                    body = f"{count:,} {'earlier' if side == 'left' else 'later'}"
                text = f"◂ {body}" if side == "left" else f"{body} ▸"
                text = metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, int(room))
                w = metrics.horizontalAdvance(text) + 10
                x = 2.0 if side == "left" else width - w - 2
                y = self._free_row(frame, x, x + w)
                if y is None:
                    continue  # no room without hiding a mark: the lane header counts them
                box = QRectF(x, y - EDGE_H / 2, w, EDGE_H)
                p.fillRect(box, style.EDGE_TAG)
                p.setPen(style.MUTED_TEXT)
                p.drawText(box.adjusted(5, 0, -5, 0), Qt.AlignmentFlag.AlignVCenter, text)
                self.edge_tags.append((index, side, text))

    @staticmethod
    def _free_row(frame: LaneFrame, x0: float, x1: float) -> float | None:
        """The middle of the lane's first sub-row with no mark between x0 and x1, if any."""
        if frame.density:
            return None
        rows = max(round((frame.height - 2 * LANE_PAD) / ROW_H), 1)
        for sub in range(rows):
            y = frame.top + LANE_PAD + (sub + 0.5) * ROW_H
            on_row = frame.y == y
            left = np.where(frame.x == frame.x_end, frame.x - MARK, frame.x)[on_row]
            right = np.where(frame.x == frame.x_end, frame.x + MARK, frame.x_end)[on_row]
            if not np.any((left < x1 + 4) & (right > x0 - 4)):
                return y
        return None

    def _beyond_counts(self, lanes: list[Lane], t0: int, t1: int) -> tuple[I64, I64]:
        """Events of each lane wholly before [t0, t1) and wholly after it."""
        keys, ours = self._split(lanes)
        before = np.zeros(len(lanes), dtype=np.int64)
        after = np.zeros(len(lanes), dtype=np.int64)
        if ours.any():
            got = self.state.queries.beyond(self.state.filter, keys[ours], t0, t1)
            if len(got[0]) == int(ours.sum()):
                before[ours], after[ours] = got
        for i in np.flatnonzero(~ours).tolist():
            lane = lanes[i]
            overlapping = int(self._window_counts([lane], t0, t1)[0])  # from its own rows
            after[i] = len(lane.lo) - int(np.searchsorted(lane.lo, t1, side="left"))
            before[i] = len(lane.lo) - after[i] - overlapping
        return before, after

    def _beyond(self, lane: Lane, t0: int, t1: int, side: str) -> int:
        """The lane's one event entirely before t0 (left) or after t1 (right), or -1."""
        q = self.state.queries
        if lane.grouped:
            if side == "right":
                i = int(np.searchsorted(lane.lo, t1, side="left"))
                return int(lane.rows[i]) if i < len(lane.rows) else -1
            first = int(np.searchsorted(lane.lo, t0, side="right"))
            head = lane.rows[: min(first, 10_000)]  # more: not worth a scan, "1 more"
            ended = np.flatnonzero(q.bounds(head)[1] <= t0)
            return int(head[ended[0]]) if len(ended) else -1
        lanes = np.array([lane.key], np.int64)
        if side == "right":
            return q.step(self.state.filter, lanes, (t1, -1), 1)
        # Walking back from t0 passes the events that started before it and still
        # overlap the view; a few steps find the one that ended, or say "1 more".
        at = (t0, -1)
        for _ in range(16):
            key = q.step(self.state.filter, lanes, at, -1)
            if key < 0:
                return -1
            lo, hi = q.bounds(np.array([key], np.int64))
            if int(hi[0]) <= t0:
                return key
            at = (int(lo[0]), key)
        return -1

    def _paint_headers(self, p: QPainter, plot: QRect, scroll: int) -> None:
        p.save()
        p.setClipRect(QRect(0, plot.top(), HEADER_W, plot.height()))
        p.fillRect(QRect(0, plot.top(), HEADER_W, plot.height()), style.BACKGROUND)
        metrics = QFontMetrics(self._bold)
        small = QFontMetrics(self._small)
        for index, frame in enumerate(self._frames):
            top = plot.top() + frame.top - scroll
            if top + frame.height < plot.top() or top > plot.bottom():
                continue
            if index % 2:
                p.fillRect(QRectF(0, top, HEADER_W, frame.height), style.LANE_ALT)
            lane = frame.lane
            p.fillRect(QRectF(0, top + 2, 5, frame.height - 4), lane.colour)
            if index == self._current_lane and self.hasFocus():
                p.fillRect(QRectF(5, top + 2, 2, frame.height - 4), style.SELECTION)
            p.setFont(self._bold)
            p.setPen(style.AXIS_TEXT)
            name_y = top + min(frame.height / 2, 14) + metrics.ascent() / 2 - 2
            p.drawText(
                QPointF(12, name_y),
                metrics.elidedText(lane.name, Qt.TextElideMode.ElideRight, HEADER_W - 18),
            )
            detail = []
            if lane.posture:
                detail.append(lane.posture)
            if frame.overflow:
                detail.append(f"+{frame.overflow:,} more")
            elif frame.density:
                detail.append(f"{frame.visible_count:,} in view")
            if detail and frame.height >= 28:
                p.setFont(self._small)
                p.setPen(style.posture_colour(lane.posture) if lane.posture else style.MUTED_TEXT)
                p.drawText(
                    QPointF(12, name_y + small.height()),
                    small.elidedText(
                        " · ".join(detail), Qt.TextElideMode.ElideRight, HEADER_W - 18
                    ),
                )
        p.setPen(QPen(style.GRID, 1))
        p.drawLine(QPointF(HEADER_W - 0.5, plot.top()), QPointF(HEADER_W - 0.5, plot.bottom()))
        p.restore()

    def _paint_axis(self, p: QPainter, plot: QRect, ticks: Axis) -> None:
        p.fillRect(QRect(0, 0, plot.right() + 40, AXIS_H), style.BACKGROUND)
        p.setPen(QPen(style.GRID, 1))
        p.drawLine(QPointF(0, AXIS_H - 0.5), QPointF(plot.right() + 1, AXIS_H - 0.5))
        p.setFont(self._small)
        metrics = QFontMetrics(self._small)
        p.setPen(style.MUTED_TEXT)
        vp = self._viewport
        zone = self.state.zone
        if zone.is_utc:
            p.drawText(QPointF(12, 18), "UTC")
        else:  # the zone, and its offset at the middle of the view
            middle = np.array([(vp.start_ns + vp.span_ns // 2) // NS], dtype=np.int64)
            offset = zones.offset_text(int(zones.utc_offsets(middle, zone.tz)[0]))
            room = HEADER_W - 16
            p.drawText(
                QPointF(12, 18), metrics.elidedText(zone.name, Qt.TextElideMode.ElideMiddle, room)
            )
            p.drawText(QPointF(12, 32), offset)
        p.save()
        p.setClipRect(QRect(plot.left(), 0, plot.width(), AXIS_H))
        context = list(ticks.context)
        bold = QFontMetrics(self._bold)
        self.axis_labels = []
        for i, tick in enumerate(context):
            x = vp.x_of_one(tick.seconds)
            nxt = vp.x_of_one(context[i + 1].seconds) if i + 1 < len(context) else plot.width()
            label_w = bold.horizontalAdvance(tick.label) + 8
            # A label is drawn whole or not at all (never "2…" or a clipped "025"): the
            # one at the left edge stays in view while it fits before the next one.
            label_x = max(x, 0.0)
            if label_x + label_w <= min(nxt, plot.width()) + 1:
                p.setFont(self._bold)
                p.setPen(style.AXIS_TEXT)
                p.drawText(QPointF(plot.left() + label_x + 4, 18), tick.label)
                self.axis_labels.append(tick.label)
            if tick.seconds * NS >= vp.start_ns:
                p.setPen(QPen(style.AXIS_TEXT, 1))
                p.drawLine(QPointF(plot.left() + x, 4), QPointF(plot.left() + x, AXIS_H))
        p.setFont(self._small)
        for tick in ticks.ticks:
            x = vp.x_of_one(tick.seconds)
            p.setPen(QPen(style.MUTED_TEXT, 1))
            p.drawLine(QPointF(plot.left() + x, AXIS_H - 8), QPointF(plot.left() + x, AXIS_H))
            if x + 3 + metrics.horizontalAdvance(tick.label) <= plot.width():
                p.setPen(style.AXIS_TEXT)
                p.drawText(QPointF(plot.left() + x + 3, AXIS_H - 10), tick.label)
        p.restore()
        del metrics

    def _paint_legend(self, p: QPainter, size: QSize) -> None:
        top = size.height() - LEGEND_H
        p.fillRect(QRect(0, top, size.width(), LEGEND_H), style.BACKGROUND)
        p.setPen(QPen(style.GRID, 1))
        p.drawLine(QPointF(0, top + 0.5), QPointF(size.width(), top + 0.5))
        p.setFont(self._small)
        metrics = QFontMetrics(self._small)
        x = 12.0
        y = top + LEGEND_H / 2
        sample = QColor("#4e79a7")
        for status in STATUS_ORDER:
            marks.draw_points(
                p, status, sample, qtarrays.points(np.array([x + MARK / 2]), np.array([y]))
            )
            p.setPen(style.AXIS_TEXT)
            label = status.value
            p.drawText(QPointF(x + MARK + 6, y + metrics.ascent() / 2 - 1), label)
            x += MARK + 14 + metrics.horizontalAdvance(label)
        x = source_marks.legend(p, metrics, x, y, style.AXIS_TEXT)
        band = QColor(sample)
        band.setAlpha(60)
        p.fillRect(QRectF(x, y - 6, 26, 12), band)
        p.setPen(style.AXIS_TEXT)
        # The longer wording only where "today" still fits after it.
        uncertain = "uncertain period (e.g. year only)"
        rest = (
            40 + metrics.horizontalAdvance(uncertain) + 24 + metrics.horizontalAdvance(TODAY_LABEL)
        )
        if x + rest > size.width():
            uncertain = "uncertain period"
        p.drawText(QPointF(x + 32, y + metrics.ascent() / 2 - 1), uncertain)
        x += 40 + metrics.horizontalAdvance(uncertain)
        p.setPen(QPen(style.TODAY, 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(x + 4, y - 7), QPointF(x + 4, y + 7))
        p.setPen(style.AXIS_TEXT)
        p.drawText(QPointF(x + 12, y + metrics.ascent() / 2 - 1), TODAY_LABEL)
        self.legend_items = [s.value for s in STATUS_ORDER] + [source_marks.LABEL]
        self.legend_items += ["uncertain period", TODAY_LABEL]
        x += 24 + metrics.horizontalAdvance(TODAY_LABEL)
        if self._density_mode:
            p.setPen(style.MUTED_TEXT)
            note = "density: bar height = events per pixel column"
            p.drawText(QPointF(x + 10, y + metrics.ascent() / 2 - 1), note)

    # --- hit testing -------------------------------------------------------------------

    def event_at(self, pos: QPoint | QPointF) -> int:
        """The event row drawn under `pos` (widget coordinates), or -1."""
        plot = self.plot_rect()
        scroll = self._scroll.value() if self._scroll.isVisible() else 0
        px = pos.x() - plot.left()
        py = pos.y() - plot.top() + scroll
        if px < 0 or pos.y() < plot.top():
            return -1
        best, best_d = -1, float("inf")
        for frame in self._frames:
            if (
                frame.density
                or not (frame.top <= py < frame.top + frame.height)
                or not len(frame.rows)
            ):
                continue
            dy = np.abs(frame.y - py)
            point = frame.x == frame.x_end
            dx = np.where(
                point,
                np.abs(frame.x - px),
                np.where(
                    (px >= frame.x) & (px <= frame.x_end),
                    0.0,
                    np.minimum(np.abs(frame.x - px), np.abs(frame.x_end - px)),
                ),
            )
            ok = (dx <= MARK) & (dy <= ROW_H / 2)
            if ok.any():
                d = np.where(ok, dx + dy, np.inf)
                i = int(np.argmin(d))
                if d[i] < best_d:
                    best, best_d = int(frame.rows[i]), float(d[i])
        return best

    def lane_at(self, y: float) -> int:
        plot = self.plot_rect()
        scroll = self._scroll.value() if self._scroll.isVisible() else 0
        py = y - plot.top() + scroll
        for index, frame in enumerate(self._frames):
            if frame.top <= py < frame.top + frame.height:
                return index
        return -1

    def mark_position(self, row: int, lane_index: int | None = None) -> QPointF | None:
        """Where the event's mark was last drawn (widget coordinates), if it was."""
        plot = self.plot_rect()
        scroll = self._scroll.value() if self._scroll.isVisible() else 0
        for index, frame in enumerate(self._frames):
            if lane_index is not None and index != lane_index:
                continue
            if frame.density:
                spot = self._density_spot(frame, row)
                if spot is not None:
                    return QPointF(plot.left() + spot[0] + 1, plot.top() + spot[1] - scroll)
                continue
            hit = np.flatnonzero(frame.rows == row)
            if len(hit):
                i = int(hit[0])
                return QPointF(plot.left() + frame.x[i] + 1, plot.top() + frame.y[i] - scroll)
        return None

    # --- mouse -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            row = self.event_at(event.position())
            lane = self.lane_at(event.position().y())
            if lane >= 0:
                self._current_lane = lane
            # Pressing on the mark that is already selected starts moving it; anywhere
            # else a drag pans. (A first click selects, so a stray drag never edits.)
            if row >= 0 and row == self.state.selected and self.editable:
                self._move = MoveDrag(row, lane, event.position().x(), event.position().x(), lane)
            elif row >= 0:
                self.state.select(row, reveal=False)
            self._drag_origin = event.position().toPoint()
            self._drag_viewport = self._viewport
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._move is not None:
            self._move.x = event.position().x()
            lane = self.lane_at(event.position().y())
            self._move.lane = lane if lane >= 0 else self._move.lane
            self.setCursor(Qt.CursorShape.SizeAllCursor)
            self.update()
        elif self._drag_origin is not None and self._drag_viewport is not None:
            dx = event.position().x() - self._drag_origin.x()
            if abs(dx) > 2:
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
                self.set_viewport(self._drag_viewport.panned(-dx))
        else:
            row = self.event_at(event.position())
            if row != self._hover:
                self._hover = row
                self.setCursor(
                    Qt.CursorShape.PointingHandCursor if row >= 0 else Qt.CursorShape.ArrowCursor
                )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        move, self._move = self._move, None
        if move is not None and (abs(move.x - move.x0) > 3 or move.lane != move.lane0):
            self._finish_move(move)
        self._drag_origin = None
        self._drag_viewport = None
        self.unsetCursor()
        self.update()
        super().mouseReleaseEvent(event)

    def _finish_move(self, move: MoveDrag) -> None:
        """Dates shifted by the drag and snapped to their own precision; lane by drop."""
        record = self.state.queries.record(move.row)
        start, end = record.start, record.end
        delta = round((move.x - move.x0) * self._viewport.seconds_per_px)
        new_start = snap(start.seconds + delta, start.precision)
        shift = new_start - start.seconds
        new_end = (
            None
            if end is None
            else format_iso(snap(end.seconds + shift, end.precision), end.precision)
        )

        if self.state.lane_grouping is not None:
            move.lane = move.lane0  # lanes are a column's values: a drag moves in time only

        def actor_of(index: int) -> str | None:
            key = self._lanes[index].key if 0 <= index < len(self._lanes) else NO_ACTOR
            return None if key < 0 else self.state.actors.ids[key]

        self.move_requested.emit(
            record.id,
            format_iso(new_start, start.precision),
            new_end,
            actor_of(move.lane0),
            actor_of(move.lane),
        )

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self.event_at(event.position())
        if row >= 0:
            self.activated.emit(row)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._scroll.setValue(self._scroll.value() - delta.y() // 2)
        elif delta.x() and not delta.y():
            self.set_viewport(self._viewport.panned(-delta.x() / 2))
        elif delta.y():
            factor = 0.8 ** (delta.y() / 120)
            anchor = event.position().x() - self.plot_rect().left()
            self.set_viewport(self._viewport.zoomed(factor, anchor))
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            row = self.event_at(event.pos())
            if row >= 0:
                QToolTip.showText(event.globalPos(), self.tooltip_html(row), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _when(self, value: DatedValue) -> str:
        """A date in the display zone (times of day converted, days never shifted)."""
        return zones.human_in(value.seconds, value.precision, self.state.zone)

    def tooltip_html(self, row: int) -> str:
        """Imported text is untrusted: escape it, then wrap it, never interpret it."""
        return plain(self.describe(row))

    def describe(self, row: int) -> str:
        """Plain text for tooltips and screen readers: title, date, status, actors."""
        record = self.state.queries.record(row)
        date = self._when(record.start)
        if record.end is not None:
            date += " – " + self._when(record.end)
        actors = ", ".join(dict.fromkeys(a.name for a in record.actors))
        parts = [shown(record.title), date, f"Status: {record.status}"]
        sources = int(self.state.queries.independent_sources(np.array([row], np.int64))[0])
        parts[-1] += " · single source" if sources == 1 else "" if sources else " · no source"
        if actors:
            parts.append(f"Actors: {shown(actors, lines=False)}")
        return "\n".join(parts)

    # --- selection and navigation --------------------------------------------------------

    def _lanes_of(self, row: int) -> list[int]:
        """Indexes of the lanes that draw event `row` under the filter."""
        return [i for i, lane in enumerate(self._lanes) if self._in_lane(lane, row)]

    def _on_selection(self, row: int) -> None:
        self._sel = None
        if row >= 0:
            self.setAccessibleDescription(self.describe(row))
            lanes = self._lanes_of(row)
            if lanes and self._current_lane not in lanes:
                self._current_lane = lanes[0]
        else:
            self.setAccessibleDescription("No event selected")
        self.update()

    def reveal(self, row: int) -> None:
        """Scroll (and if needed zoom) so the event is in view, and its lane too."""
        lo_a, hi_a = self.state.queries.bounds(np.array([row], np.int64))
        lo, hi = int(lo_a[0]), int(hi_a[0])
        vp = self._viewport
        if (hi - lo) * NS > vp.span_ns * 0.9:
            self.set_viewport(Viewport.fit(lo, hi, vp.width))
        elif not vp.contains(lo, hi):
            self.set_viewport(vp.centred_on((lo * NS + hi * NS) // 2))
        self._ensure_lane_visible(row)
        self.update()

    def _ensure_lane_visible(self, row: int) -> None:
        self._frames = self._layout(self.plot_rect())
        self._update_scrollbar()
        if not self._scroll.isVisible():
            return
        candidates = self._lanes_of(row)
        if not candidates:
            return
        index = self._current_lane if self._current_lane in candidates else candidates[0]
        frame = self._frames[index]
        plot_h = self.plot_rect().height()
        value = self._scroll.value()
        if frame.top < value:
            self._scroll.setValue(int(frame.top))
        elif frame.top + frame.height > value + plot_h:
            self._scroll.setValue(int(frame.top + frame.height - plot_h))

    def _centre(self) -> int:
        return (self._viewport.start_ns + self._viewport.span_ns // 2) // NS

    def _walk(self, lanes: list[Lane], at: tuple[int, int], step: int) -> int:
        """The next (step > 0) or previous event in (lo, key) order from `at` among
        `lanes`' events passing the filter, or -1: asked of the backend for actor
        lanes; lanes grouped by a column walk their own rows."""
        q = self.state.queries
        if any(lane.grouped for lane in lanes):
            best = -1
            for lane in lanes:
                key = _walk_rows(lane, at, step)
                if key >= 0 and (best < 0 or (step > 0) == (self._at(key) < self._at(best))):
                    best = key
            return best
        keys = np.asarray([lane.key for lane in lanes], dtype=np.int64)
        every = len(lanes) == len(self.state.all_lanes)
        return q.step(self.state.filter, None if every else keys, at, step)

    def _at(self, key: int) -> tuple[int, int]:
        return int(self.state.queries.bounds(np.array([key], np.int64))[0][0]), key

    def _step_in_lane(self, step: int) -> None:
        if not self._lanes:
            return
        lane = self._lanes[self._current_lane]
        selected = self.state.selected
        if selected >= 0 and self._in_lane(lane, selected):
            key = self._walk([lane], self._at(selected), step)
            if key < 0:
                return  # at the lane's end: stay
        else:
            # Nothing selected here: start from the first event at or after the view's
            # centre (the last before it going back), else from the other side.
            key = self._walk([lane], (self._centre(), -1), step)
            if key < 0:
                key = self._walk([lane], (self._centre(), -1), -step)
        if key >= 0:
            self.state.select(key)

    def select_prev_in_lane(self) -> None:
        self._step_in_lane(-1)

    def select_next_in_lane(self) -> None:
        self._step_in_lane(1)

    def _step_any(self, step: int) -> None:
        if not self._lanes:
            return
        selected = self.state.selected
        if selected >= 0 and self._lanes_of(selected):
            key = self._walk(self._lanes, self._at(selected), step)
            if key < 0:
                return
            self._select_keep_lane(key)
        elif step > 0:
            self.select_first()
        else:
            self.select_last()

    def _select_keep_lane(self, row: int) -> None:
        lanes = self._lanes_of(row)
        if lanes and self._current_lane not in lanes:
            self._current_lane = lanes[0]
        self.state.select(row)

    def select_prev_any(self) -> None:
        self._step_any(-1)

    def select_next_any(self) -> None:
        self._step_any(1)

    def select_first(self) -> None:
        key = self._walk(self._lanes, _FIRST, 1) if self._lanes else -1
        if key >= 0:
            self._select_keep_lane(key)

    def select_last(self) -> None:
        key = self._walk(self._lanes, _LAST, -1) if self._lanes else -1
        if key >= 0:
            self._select_keep_lane(key)

    def _lane_counts(self) -> I64:
        keys, ours = self._split(self._lanes)
        out = np.asarray([len(lane.rows) for lane in self._lanes], dtype=np.int64)
        if ours.any():
            out[ours] = self.state.queries.lane_counts(self.state.filter, keys[ours])
        return out

    def _step_lane(self, step: int) -> None:
        """Move to the nearest event in time in the next non-empty lane above/below."""
        if not self._lanes:
            return
        selected = self.state.selected
        if selected >= 0:
            _, lo, hi, _, _ = self._selection()
            when = (lo + hi) // 2
        else:
            when = self._centre()
        counts = self._lane_counts()
        index = self._current_lane + step
        q = self.state.queries
        while 0 <= index < len(self._lanes):
            lane = self._lanes[index]
            if counts[index]:
                if lane.grouped:
                    mid = (lane.lo + q.bounds(lane.rows)[1]) // 2
                    key = int(lane.rows[int(np.argmin(np.abs(mid - when)))])
                else:
                    key = q.nearest(self.state.filter, lane.key, when)
                self._current_lane = index
                self.state.select(key)
                return
            index += step

    def select_lane_above(self) -> None:
        self._step_lane(-1)

    def select_lane_below(self) -> None:
        self._step_lane(1)

    @property
    def current_lane(self) -> int:
        return self._current_lane

    def go_to_lane(self, actor_row: int) -> None:
        """Make the actor's lane current (showing it if hidden), select its next event
        after the selection (or the view's centre), and bring it into view."""
        ident = self.state.actors.ids[actor_row]
        if ident in self.state.hidden_actors:
            self.state.set_hidden_actors(self.state.hidden_actors - {ident})
        index = next((i for i, lane in enumerate(self._lanes) if lane.key == actor_row), -1)
        if index < 0:
            return
        self._current_lane = index
        lane = self._lanes[index]
        selected = self.state.selected
        at = (self._selection()[1], _LAST[1]) if selected >= 0 else (self._centre(), -1)
        key = self._walk([lane], at, 1)
        if key < 0:
            key = self._walk([lane], _LAST, -1)
        if key < 0:
            self.update()
            return
        self.state.select(key)

    def show_selection(self) -> None:
        if self.state.selected >= 0:
            self.activated.emit(self.state.selected)

    def clear_selection(self) -> None:
        self.state.select(-1)

    # --- zoom and pan ----------------------------------------------------------------

    def fit_all(self) -> None:
        lo, hi = self._data_span() or (0, 0)
        self.set_viewport(Viewport.fit(lo, hi, self.plot_rect().width()), fitted=True)
        self._fit_whole = True

    def open_view(self) -> None:
        """The view a document opens on: where its events are dense (see
        model/opening_view), with room on the right for the last titles."""
        q = self.state.queries
        start, end = q.opening()
        if (start, end) == q.span():
            self.fit_all()
            self._fit_whole = False
            return
        length = max(end - start, 60) * NS
        span = round(length / (1 - OPEN_LEFT - OPEN_RIGHT))
        width = self.plot_rect().width()
        self.set_viewport(Viewport(start * NS - round(span * OPEN_LEFT), span, width), fitted=True)
        self._fit_whole = False

    def _zoom_anchor(self) -> int | None:
        """The selection's middle (in ns), when it is on screen: zoom keeps it in place."""
        selected = self.state.selected
        if selected < 0:
            return None
        _, lo, hi, _, _ = self._selection()
        middle = (lo + hi) * NS // 2
        on_screen = (
            self._viewport.start_ns <= middle <= self._viewport.start_ns + self._viewport.span_ns
        )
        return middle if on_screen else None

    def _zoom(self, factor: float) -> None:
        """Zoom about the selection, which zooming in also moves halfway to the centre
        (so zooming in on the first event does not push the rest off screen), and zooming
        out moves back (so + then - returns); about the centre when it is off screen."""
        anchor = self._zoom_anchor()
        zoomed = self._viewport.zoomed(factor, anchor_ns=anchor)
        if anchor is not None:
            vp = self._viewport
            where = Fraction(anchor - vp.start_ns, vp.span_ns)
            half = Fraction(1, 2)
            target = (where + half) / 2 if factor < 1 else 2 * where - half
            if not 0 <= target <= 1:
                target = where
            start = anchor - math.floor(target * zoomed.span_ns)
            zoomed = replace(zoomed, start_ns=start)
        self.set_viewport(zoomed)

    def zoom_in(self) -> None:
        self._zoom(0.5)

    def zoom_out(self) -> None:
        self._zoom(2.0)

    def zoom_to_selection(self) -> None:
        row = self.state.selected
        if row < 0:
            return
        _, lo, hi, _, _ = self._selection()
        # Show the event with context: it fills about a third of the view.
        length = max(hi - lo, 60)
        self.set_viewport(Viewport.fit(lo - length, hi + length, self._viewport.width))

    def zoom_to_span(self, lo: int, hi: int) -> None:
        """Show [lo, hi) seconds whole (a period the user jumped to), with a margin."""
        self.set_viewport(Viewport.fit(lo, hi, self._viewport.width))

    def pan_left(self) -> None:
        self.set_viewport(self._viewport.panned(-self._viewport.width / 10))

    def pan_right(self) -> None:
        self.set_viewport(self._viewport.panned(self._viewport.width / 10))

    def page_left(self) -> None:
        self.set_viewport(self._viewport.panned(-self._viewport.width * 0.9))

    def page_right(self) -> None:
        self.set_viewport(self._viewport.panned(self._viewport.width * 0.9))

    # --- export ----------------------------------------------------------------------

    def render_image(self, size: QSize) -> QImage:
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.paint(painter, size, keep=False)
        finally:
            painter.end()
        return image
