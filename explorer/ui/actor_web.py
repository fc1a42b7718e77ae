"""The web of actors: who is named with whom, in which roles, under the current filter.

Actors are nodes (sized by their events under the filter), pairs that share events
are edges (thickness by count), each end labelled with the role its actor plays.
The layout comes from networkx (a seeded spring layout) over the whole document,
computed once per document and reused for every filter, so replaying the story
with Known By shows the web growing in place instead of jumping about; edits that
change who is linked relax it from the old positions. Painting is this widget's
own (one paintEvent, no item per node) and reads only what `refresh` stored.

Keys: arrows move to the nearest actor in that direction, Home to the first;
Space (Shift+Space) walks the edges of the current actor; Enter selects the actor
(as the actor panel does) or, on an edge, filters to the events the pair shares;
Esc returns to the timeline.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Final

import networkx as nx
import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from explorer.io.atomic import atomic_write_bytes
from explorer.model.query import ALL, ActorPairs, Change
from explorer.ui import style
from explorer.ui.display_text import shown
from explorer.ui.export import save_png, svg_bytes
from explorer.ui.view_state import ViewState

MAX_NODES: Final = 150  # the actors with most events; more would be unreadable
LABEL_EDGES: Final = 60  # role labels on every edge up to this many edges
SEED: Final = 7
MARGIN: Final = 70.0
EDGE_COLOUR: Final = QColor("#8a94a3")
CURRENT_COLOUR: Final = QColor("#2e6fd8")
WEB_FORMATS: Final = (".png", ".svg")

F64 = npt.NDArray[np.float64]


class ActorWeb(QWidget):
    """The relationship view (a dock); see the module docstring for its keys."""

    actor_chosen = Signal(str)  # actor id: select it, as the actor panel does
    escape_pressed = Signal()

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("actor-web")
        self.setAccessibleName("Web of actors")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(260, 220)
        self.setMouseTracking(True)
        self.positions: dict[str, tuple[float, float]] = {}  # actor id -> layout, in [0, 1]
        self.ids: tuple[str, ...] = ()
        self.names: tuple[str, ...] = ()
        self.colours: list[QColor] = []
        self.counts = np.zeros(0, dtype=np.int64)  # events per actor row under the filter
        self.nodes = np.zeros(0, dtype=np.int64)  # actor rows drawn
        self.pairs = ActorPairs()
        self.current: tuple[str, int] | None = None  # ("node", actor row) / ("edge", index)
        self._edge_from = -1  # the node an edge walk started from
        self._stale = True
        self.shown = True  # until the dock says otherwise
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(self.font().pointSizeF() - 1.5, 7.0))
        state.document_changed.connect(self._on_document)
        state.filter_changed.connect(self._on_filter)
        state.changed.connect(self._on_change)
        self._on_document()

    # --- data ------------------------------------------------------------------------

    def _on_document(self) -> None:
        if not self.state.last_change_was_edit:
            self.positions = {}  # another document: its own layout
        self._layout_all()
        self._on_filter()

    def _on_change(self, change: Change) -> None:
        if not change.replaced and change.touches("links", "actors"):
            self._layout_all()
            self._on_filter()

    def _on_filter(self) -> None:
        self._stale = True
        if self.shown:
            self.refresh()

    def set_shown(self, shown: bool) -> None:
        """The dock's visibility (a tab behind another is not visible): ask the
        filter's question only while someone can see the answer."""
        self.shown = shown
        if shown and self._stale:
            self.refresh()

    def _layout_all(self) -> None:
        """Positions for every actor with events, over the whole document's web; old
        positions seed the new layout, so an edit moves the web only a little."""
        q = self.state.queries
        actors = q.actors()
        self.ids, self.names = actors.ids, actors.names
        self.colours = [style.actor_colour(c, i) for i, c in enumerate(actors.colours)]
        counts = q.actor_counts(ALL)
        kept = np.flatnonzero(counts > 0)
        if len(kept) > MAX_NODES:
            kept = np.sort(kept[np.argsort(-counts[kept], kind="stable")[:MAX_NODES]])
        whole = q.actor_pairs(ALL)
        graph: nx.Graph[int] = nx.Graph()
        graph.add_nodes_from(int(r) for r in kept)
        inside = np.isin(whole.a, kept) & np.isin(whole.b, kept)
        for a, b, n in zip(
            whole.a[inside].tolist(),
            whole.b[inside].tolist(),
            whole.events[inside].tolist(),
            strict=True,
        ):
            graph.add_edge(a, b, weight=1.0 + math.log2(n))
        if not len(graph):
            self.positions = {}
            return
        old = {
            row: self.positions[self.ids[row]]
            for row in graph.nodes
            if self.ids[row] in self.positions
        }
        self.positions = {self.ids[row]: xy for row, xy in pack(graph, old).items()}

    def refresh(self) -> None:
        """Ask the filter's question (nodes: actors with events passing it; edges: pairs
        sharing them) and repaint. Positions stay those of the whole document's layout."""
        self._stale = False
        q = self.state.queries
        flt = self.state.filter
        self.counts = q.actor_counts(flt)
        laid = np.asarray([ident in self.positions for ident in self.ids], dtype=bool)
        self.nodes = np.flatnonzero((self.counts > 0) & laid[: len(self.counts)])
        pairs = q.actor_pairs(flt)
        keep = np.isin(pairs.a, self.nodes) & np.isin(pairs.b, self.nodes)
        picked = np.flatnonzero(keep).tolist()
        self.pairs = ActorPairs(
            a=pairs.a[keep],
            b=pairs.b[keep],
            events=pairs.events[keep],
            roles=tuple(pairs.roles[i] for i in picked),
        )
        if self.current is not None and not self._current_valid():
            self.current = None
        self._announce()
        self.update()

    def _current_valid(self) -> bool:
        assert self.current is not None
        kind, value = self.current
        if kind == "node":
            return bool(np.isin(value, self.nodes))
        return value < len(self.pairs)

    # --- geometry ----------------------------------------------------------------------

    def node_xy(self, size: QSize | None = None) -> F64:
        """Widget coordinates of each drawn node (rows of `nodes`)."""
        size = size or self.size()
        w = max(size.width() - 2 * MARGIN, 1.0)
        h = max(size.height() - 2 * MARGIN - 16, 1.0)
        xy = np.asarray(
            [self.positions[self.ids[r]] for r in self.nodes.tolist()], dtype=np.float64
        ).reshape(-1, 2)
        return np.column_stack([MARGIN + xy[:, 0] * w, MARGIN + 16 + xy[:, 1] * h])

    def radius(self) -> F64:
        counts = self.counts[self.nodes].astype(np.float64)
        return np.minimum(5.0 + 3.0 * np.sqrt(counts), 22.0)

    def _where(self, row: int, xy: F64) -> tuple[float, float]:
        i = int(np.searchsorted(self.nodes, row))
        return float(xy[i, 0]), float(xy[i, 1])

    def node_at(self, pos: QPointF) -> int:
        """The actor row under `pos`, or -1."""
        if not len(self.nodes):
            return -1
        xy = self.node_xy()
        d = np.hypot(xy[:, 0] - pos.x(), xy[:, 1] - pos.y())
        best = int(np.argmin(d))
        return int(self.nodes[best]) if d[best] <= self.radius()[best] + 4 else -1

    def edge_at(self, pos: QPointF) -> int:
        """The edge (index into `pairs`) within a few pixels of `pos`, or -1."""
        if not len(self.pairs):
            return -1
        xy = self.node_xy()
        ia = np.searchsorted(self.nodes, self.pairs.a)
        ib = np.searchsorted(self.nodes, self.pairs.b)
        p0, p1 = xy[ia], xy[ib]
        d = p1 - p0
        length2 = np.maximum((d**2).sum(axis=1), 1e-9)
        point = np.array([pos.x(), pos.y()])
        t = np.clip(((point - p0) * d).sum(axis=1) / length2, 0.0, 1.0)
        gap = np.hypot(*(p0 + t[:, None] * d - point).T)
        best = int(np.argmin(gap))
        return best if gap[best] <= 5.0 else -1

    # --- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.paint(painter, self.size())
        finally:
            painter.end()

    def paint(self, p: QPainter, size: QSize) -> None:
        """The web at `size` (the widget, or an exported picture); reads state only."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(QRect(0, 0, size.width(), size.height()), style.BACKGROUND)
        p.setPen(style.MUTED_TEXT)
        p.setFont(self._small)
        p.drawText(QPointF(8, 16), self.summary())
        if len(self.nodes):
            xy = self.node_xy(size)
            self._paint_edges(p, xy)
            self._paint_nodes(p, xy)
        caption = self.caption()
        if caption:
            p.setFont(self._small)
            p.setPen(CURRENT_COLOUR)
            metrics = QFontMetrics(self._small)
            text = metrics.elidedText(caption, Qt.TextElideMode.ElideRight, size.width() - 16)
            p.drawText(QPointF(8, size.height() - 8), text)
        if self.hasFocus() and p.device() is self:
            p.setPen(QPen(CURRENT_COLOUR, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(1, 1, size.width() - 2, size.height() - 2))

    def caption(self) -> str:
        """What the current node or edge is, and what Enter does with it."""
        if self.current is None:
            return ""
        kind, value = self.current
        if kind == "node":
            return self.describe_node(value) + " — Enter: select this actor"
        return self.describe_edge(value) + " — Enter: show these events"

    def summary(self) -> str:
        n, e = len(self.nodes), len(self.pairs)
        if not n:
            return "No actor has events under this filter"
        actors = "actor" if n == 1 else "actors"
        links = "pair shares events" if e == 1 else "pairs share events"
        return f"{n:,} {actors} · {e:,} {links}"

    def _paint_edges(self, p: QPainter, xy: F64) -> None:
        pairs = self.pairs
        current = self.current[1] if self.current and self.current[0] == "edge" else -1
        for i, (a, b, n) in enumerate(
            zip(pairs.a.tolist(), pairs.b.tolist(), pairs.events.tolist(), strict=True)
        ):
            (x0, y0), (x1, y1) = self._where(a, xy), self._where(b, xy)
            width = 1.2 + 1.6 * math.log2(n) if n > 1 else 1.2
            colour = CURRENT_COLOUR if i == current else EDGE_COLOUR
            p.setPen(QPen(colour, width + (1.5 if i == current else 0)))
            p.drawLine(QPointF(x0, y0), QPointF(x1, y1))
        if len(pairs) > LABEL_EDGES and current < 0:
            return
        p.setFont(self._small)
        metrics = QFontMetrics(self._small)
        for i in range(len(pairs)) if len(pairs) <= LABEL_EDGES else [current]:
            a, b = int(pairs.a[i]), int(pairs.b[i])
            (x0, y0), (x1, y1) = self._where(a, xy), self._where(b, xy)
            colour = CURRENT_COLOUR if i == current else style.AXIS_TEXT
            ends = (
                (x0, y0, x1, y1, role_text(pairs, i, 0)),
                (x1, y1, x0, y0, role_text(pairs, i, 1)),
            )
            for sx, sy, ox, oy, text in ends:
                if not text:
                    continue
                length = max(math.hypot(ox - sx, oy - sy), 1.0)
                along = min(0.5, 34.0 / length + 0.12)
                cx, cy = sx + (ox - sx) * along, sy + (oy - sy) * along
                self._label(p, metrics, cx, cy, text, colour)
            n = int(pairs.events[i])
            if n > 1:
                self._label(p, metrics, (x0 + x1) / 2, (y0 + y1) / 2, f"×{n}", colour)

    @staticmethod
    def _label(
        p: QPainter, metrics: QFontMetrics, x: float, y: float, text: str, colour: QColor
    ) -> None:
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, 160)
        w = metrics.horizontalAdvance(text) + 6
        h = metrics.height()
        box = QRectF(x - w / 2, y - h / 2, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(251, 251, 250, 225))
        p.drawRoundedRect(box, 3, 3)
        p.setPen(colour)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_nodes(self, p: QPainter, xy: F64) -> None:
        radius = self.radius()
        current = self.current[1] if self.current and self.current[0] == "node" else -1
        metrics = QFontMetrics(self.font())
        p.setFont(self.font())
        for i, row in enumerate(self.nodes.tolist()):
            x, y, r = float(xy[i, 0]), float(xy[i, 1]), float(radius[i])
            p.setPen(QPen(style.BACKGROUND, 2))
            p.setBrush(self.colours[row])
            p.drawEllipse(QPointF(x, y), r, r)
            if row == current:
                p.setPen(QPen(CURRENT_COLOUR, 3))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(QPointF(x, y), r + 4, r + 4)
            name = metrics.elidedText(
                shown(self.names[row], lines=False), Qt.TextElideMode.ElideRight, 150
            )
            w = metrics.horizontalAdvance(name)
            p.setPen(CURRENT_COLOUR if row == current else style.AXIS_TEXT)
            p.drawText(QPointF(x - w / 2, y + r + metrics.ascent() + 2), name)

    # --- keyboard and mouse ---------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        directions = {
            Qt.Key.Key_Left: (-1.0, 0.0),
            Qt.Key.Key_Right: (1.0, 0.0),
            Qt.Key.Key_Up: (0.0, -1.0),
            Qt.Key.Key_Down: (0.0, 1.0),
        }
        if self._stale:
            self.refresh()
        if key in directions:
            self.step_toward(*directions[key])
        elif key == Qt.Key.Key_Home:
            self.set_current(("node", int(self.nodes[0])) if len(self.nodes) else None)
        elif key == Qt.Key.Key_Space:
            back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.walk_edges(-1 if back else 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate()
        elif key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        else:
            super().keyPressEvent(event)

    def _node_of_current(self) -> int:
        if self.current is None:
            return -1
        kind, value = self.current
        return value if kind == "node" else self._edge_from

    def step_toward(self, dx: float, dy: float) -> None:
        """To the nearest node in direction (dx, dy): within 60 degrees of it, by
        distance weighted against the angle (what a user pointing that way means)."""
        if not len(self.nodes):
            return
        here = self._node_of_current()
        if here < 0 or not np.isin(here, self.nodes):
            self.set_current(("node", int(self.nodes[0])))
            return
        xy = self.node_xy()
        i = int(np.searchsorted(self.nodes, here))
        d = xy - xy[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        cos = (d[:, 0] * dx + d[:, 1] * dy) / np.maximum(dist, 1e-9)
        ok = (cos > 0.5) & (dist > 0)
        if not ok.any():
            return
        score = np.where(ok, dist * (2.0 - cos), np.inf)
        self.set_current(("node", int(self.nodes[int(np.argmin(score))])))

    def edges_of(self, row: int) -> list[int]:
        """Edges touching actor `row`, heaviest first."""
        touching = np.flatnonzero((self.pairs.a == row) | (self.pairs.b == row))
        order = np.argsort(-self.pairs.events[touching], kind="stable")
        return [int(e) for e in touching[order]]

    def walk_edges(self, step: int) -> None:
        here = self._node_of_current()
        if here < 0:
            if len(self.nodes):
                self.set_current(("node", int(self.nodes[0])))
            return
        edges = self.edges_of(here)
        if not edges:
            return
        at = self.current[1] if self.current and self.current[0] == "edge" else None
        index = edges.index(at) + step if at in edges else (0 if step > 0 else -1)
        self._edge_from = here
        self.set_current(("edge", edges[index % len(edges)]))

    def set_current(self, current: tuple[str, int] | None) -> None:
        if current is not None and current[0] == "node":
            self._edge_from = current[1]
        self.current = current
        self._announce()
        self.update()

    def activate(self) -> None:
        """Enter: select the actor, or filter to the events the edge's pair shares."""
        if self.current is None:
            return
        kind, value = self.current
        if kind == "node":
            self.actor_chosen.emit(self.ids[value])
            return
        a, b = int(self.pairs.a[value]), int(self.pairs.b[value])
        flt = self.state.filter
        self.state.set_filter(replace(flt, together=frozenset({self.ids[a], self.ids[b]})))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        node = self.node_at(event.position())
        if node >= 0:
            self.set_current(("node", node))
            self.activate()
            return
        edge = self.edge_at(event.position())
        if edge >= 0:
            self._edge_from = int(self.pairs.a[edge])
            self.set_current(("edge", edge))
            self.activate()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        node = self.node_at(event.position())
        edge = -1 if node >= 0 else self.edge_at(event.position())
        self.setToolTip(
            self.describe_node(node) if node >= 0 else self.describe_edge(edge) if edge >= 0 else ""
        )

    # --- words for screen readers and tooltips -----------------------------------------

    def describe_node(self, row: int) -> str:
        n = int(self.counts[row]) if row < len(self.counts) else 0
        partners = len(self.edges_of(row))
        return (
            f"{shown(self.names[row], lines=False)}: {n:,} event{'s' if n != 1 else ''}, "
            f"shares events with {partners:,} actor{'s' if partners != 1 else ''}"
        )

    def describe_edge(self, index: int) -> str:
        a, b = int(self.pairs.a[index]), int(self.pairs.b[index])
        n = int(self.pairs.events[index])
        roles = "; ".join(
            f"{r.role_a or 'no role'} → {r.role_b or 'no role'}"
            + (f" ({r.events:,})" if len(self.pairs.roles[index]) > 1 else "")
            for r in self.pairs.roles[index]
        )
        return (
            f"{shown(self.names[a], lines=False)} and {shown(self.names[b], lines=False)}: "
            f"{n:,} shared event{'s' if n != 1 else ''} ({roles})"
        )

    def _announce(self) -> None:
        keys = (
            "Arrows: move between actors; Space: walk the actor's links; "
            "Enter: select the actor, or filter to a link's events; Esc: back to the timeline"
        )
        if self.current is None:
            text = self.summary()
        elif self.current[0] == "node":
            text = self.describe_node(self.current[1])
        else:
            text = self.describe_edge(self.current[1])
        self.setAccessibleDescription(f"{text}. {keys}")

    # --- export --------------------------------------------------------------------------

    def render_image(self, size: QSize) -> QImage:
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.paint(painter, size)
        finally:
            painter.end()
        return image

    def export(self, path: Path, size: QSize | None = None) -> None:
        """Write the web as PNG or SVG (by extension), atomically."""
        if self._stale:
            self.refresh()
        size = size or (self.size() if self.width() > 300 else QSize(900, 700))
        suffix = path.suffix.lower()
        if suffix == ".png":
            save_png(self.render_image(size), path)
            return
        if suffix != ".svg":
            raise ValueError(f"{path.name}: the web of actors exports as .png or .svg")
        atomic_write_bytes(path, svg_bytes(lambda p: self.paint(p, size), size, "Web of actors"))


def pack(graph: nx.Graph, old: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    """Positions in [0, 1]² for every node: each connected group laid out on its own
    (a seeded spring layout, started from `old` positions where there are some) in a
    box as wide as its share of the nodes, and actors sharing no event in a strip at
    the bottom (laid out together, the lone nodes would push the web into a corner)."""
    groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    multi = [sorted(c) for c in groups if len(c) > 1]
    alone = sorted(r for c in groups if len(c) == 1 for r in c)
    strip = 0.0 if not alone else (1.0 if not multi else 0.16)
    out: dict[int, tuple[float, float]] = {}
    total = sum(math.sqrt(len(c)) for c in multi)
    x = 0.0
    for nodes in multi:
        width = math.sqrt(len(nodes)) / total
        sub = graph.subgraph(nodes)
        start = {r: np.asarray(old[r]) * 2 - 1 for r in nodes if r in old}
        laid = nx.spring_layout(
            sub,
            pos=start or None,
            k=1.6 / math.sqrt(len(nodes)),
            iterations=120,
            seed=SEED,
            weight="weight",
        )
        xy = np.asarray([laid[r] for r in nodes], dtype=np.float64)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        unit = (xy - lo) / np.where(hi - lo > 1e-9, hi - lo, 1.0)
        pad = min(0.08, width / 6)
        for r, (u, v) in zip(nodes, unit.tolist(), strict=True):
            out[r] = (x + pad + u * (width - 2 * pad), v * (1.0 - strip - (0.08 if strip else 0)))
        x += width
    if alone:
        columns = max(1, math.ceil(math.sqrt(len(alone) * 6)))
        rows = math.ceil(len(alone) / columns)
        for i, r in enumerate(alone):
            col, line = i % columns, i // columns
            u = (col + 0.5) / min(columns, len(alone))
            v = 1.0 - strip + strip * (line + 0.5) / rows if multi else (line + 0.5) / rows
            out[r] = (u, v)
    return out


def role_text(pairs: ActorPairs, index: int, end: int) -> str:
    """The roles one end of an edge plays (its first actor's with end 0), most common first."""
    seen: list[str] = []
    for r in pairs.roles[index]:
        role = r.role_a if end == 0 else r.role_b
        if role and role not in seen:
            seen.append(role)
    return ", ".join(seen[:2]) + (" …" if len(seen) > 2 else "")
