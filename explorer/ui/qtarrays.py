"""numpy arrays straight into Qt geometry, without a Python object per point.

A QPolygonF is a contiguous array of (x, y) doubles; we size it, then write into
its memory through a numpy view. One ``drawPoints``/``drawLines`` call then paints
thousands of marks, which is what keeps the timeline inside a frame's budget.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shiboken6
from PySide6.QtGui import QPainter, QPolygonF


def polygon(xy: npt.NDArray[np.float64]) -> QPolygonF:
    """A QPolygonF holding the rows of an (n, 2) float array."""
    points = np.ascontiguousarray(xy, dtype=np.float64).reshape(-1, 2)
    poly = QPolygonF()
    poly.resize(len(points))
    if len(points):
        buffer = shiboken6.VoidPtr(poly.data(), points.nbytes, True)  # type: ignore[call-arg, arg-type]
        np.frombuffer(buffer, dtype=np.float64).reshape(-1, 2)[:] = points  # type: ignore[call-overload]
    return poly


def points(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> QPolygonF:
    return polygon(np.column_stack([x, y]))


def segments(
    x0: npt.NDArray[np.float64], x1: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> QPolygonF:
    """Horizontal segments as the point pairs ``QPainter.drawLines`` takes."""
    xy = np.empty((2 * len(x0), 2), dtype=np.float64)
    xy[0::2, 0] = x0
    xy[1::2, 0] = x1
    xy[0::2, 1] = y
    xy[1::2, 1] = y
    return polygon(xy)


def draw_points(painter: QPainter, poly: QPolygonF) -> None:
    """``drawPoints`` with a QPolygonF (the stubs only list sequences; Qt takes both)."""
    painter.drawPoints(poly)


def draw_lines(painter: QPainter, poly: QPolygonF) -> None:
    """``drawLines`` over point pairs held in a QPolygonF, in one call."""
    painter.drawLines(poly)  # type: ignore[call-overload]
