"""Periods drawn as labelled bands behind every lane of the timeline.

Painting reads only the document's periods table (a few rows, whatever the number of
events) and the view being drawn: the spans are computed once per periods table, so a
frame costs one rectangle and one label per period on screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from explorer.model.html_text import html_to_plain
from explorer.model.periods import period_spans
from explorer.model.viewport import Viewport
from explorer.ui import style
from explorer.ui.display_text import shown

BAND_ALPHA = 34
LABEL_H = 16


class PeriodBands:
    """What the timeline draws for periods; `drawn` lists the labels last painted."""

    def __init__(self) -> None:
        self._source: pd.DataFrame | None = None
        self._lo = np.zeros(0, np.int64)
        self._hi = np.zeros(0, np.int64)
        self._labels: list[str] = []
        self._colours: list[QColor] = []
        self.drawn: list[str] = []

    def _refresh(self, periods: pd.DataFrame) -> None:
        if periods is self._source:
            return
        self._source = periods
        self._lo, self._hi = period_spans(periods)
        self._labels = [
            shown(html_to_plain(str(label)[:2_000]).text, lines=False) for label in periods["label"]
        ]
        self._colours = [
            QColor(str(c)) if str(c) else style.group_colour(k)
            for k, c in enumerate(periods["colour"])
        ]

    def span(self, periods: pd.DataFrame) -> tuple[int, int] | None:
        """First and last second the periods cover (None without periods)."""
        self._refresh(periods)
        if not len(self._lo):
            return None
        return int(self._lo.min()), int(self._hi.max())

    def paint(
        self,
        p: QPainter,
        periods: pd.DataFrame,
        vp: Viewport,
        left: float,
        top: float,
        height: float,
    ) -> None:
        """Bands over [top, top + height) at x offset `left` (the plot's left edge)."""
        self._refresh(periods)
        self.drawn = []
        if not len(self._lo):
            return
        t0, t1 = vp.window()
        on_screen = np.flatnonzero((self._lo < t1) & (self._hi > t0))
        if not len(on_screen):
            return
        x0 = np.clip(vp.x_of(self._lo[on_screen]), -1.0, vp.width + 1.0) + left
        x1 = np.clip(vp.x_of(self._hi[on_screen]), -1.0, vp.width + 1.0) + left
        font = QFont(p.font())
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 7.0))
        metrics = QFontMetricsF(font)
        p.save()
        p.setFont(font)
        for k, row in enumerate(on_screen.tolist()):
            colour = QColor(self._colours[row])
            fill = QColor(colour)
            fill.setAlpha(BAND_ALPHA)
            width = max(float(x1[k] - x0[k]), 1.0)
            p.fillRect(QRectF(float(x0[k]), top, width, height), fill)
            edge = QColor(colour)
            edge.setAlpha(110)
            p.setPen(QPen(edge, 1))
            p.drawLine(QPointF(float(x0[k]), top), QPointF(float(x0[k]), top + height))
            p.drawLine(QPointF(float(x1[k]), top), QPointF(float(x1[k]), top + height))
            room = width - 8
            if room < 24:
                continue
            text = metrics.elidedText(self._labels[row], Qt.TextElideMode.ElideRight, room)
            p.setPen(QPen(colour.darker(170)))
            p.drawText(
                # At the foot of the band: lanes fill from the top, so marks rarely cover it.
                QRectF(float(x0[k]) + 4, top + height - LABEL_H - 2, room, LABEL_H),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            self.drawn.append(self._labels[row])
        p.restore()
