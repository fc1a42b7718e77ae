"""The "single source" mark: a small dot at the top right of every mark whose event
rests on one independent source (explorer.model.sourcing), drawn in one batched call
from the arrays the timeline already holds for the frame."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from explorer.ui import qtarrays
from explorer.ui.marks import MARK

SINGLE_SOURCE: Final = QColor("#e8590c")  # orange: seen on every actor colour
DOT: Final = 5.0
LABEL: Final = "single source"


def paint(
    p: QPainter,
    x_end: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    single: npt.NDArray[np.bool_],
) -> None:
    """One dot per single-sourced mark, at the top right of `x` (its point, or where
    its band starts in view)."""
    if not single.any():
        return
    pen = QPen(SINGLE_SOURCE, DOT)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    qtarrays.draw_points(p, qtarrays.points(x_end[single] + MARK / 2, y[single] - MARK / 2))


def legend(p: QPainter, metrics: QFontMetrics, x: float, y: float, text_colour: QColor) -> float:
    """The legend item at (x, y); returns where the next item starts."""
    paint(p, np.array([x]), np.array([y + MARK / 2]), np.array([True]))
    p.setPen(text_colour)
    p.drawText(QPointF(x + MARK / 2 + 8, y + metrics.ascent() / 2 - 1), LABEL)
    return x + MARK / 2 + 20 + metrics.horizontalAdvance(LABEL)
