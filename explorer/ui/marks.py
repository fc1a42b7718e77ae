"""How claim status looks: pens and glyphs for marks, and the density histogram image.

One vocabulary for the timeline and its legend, so they cannot drift apart:
confirmed is filled, reported outlined, alleged hollow (hatched as a band),
disputed hollow with a red core (cross-hatched), retracted small and grey,
unassessed neutral: a pale fill in a thin grey frame, neither firm nor doubtful.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPolygonF

from explorer.model.document import ClaimStatus
from explorer.ui import qtarrays, style

MARK: Final = 9  # side of a point mark, pixels


def band_pen(status: ClaimStatus, colour: QColor, width: float) -> QPen:
    soft = QColor("#9a9a9a") if status == ClaimStatus.RETRACTED else QColor(colour)
    pattern = {
        ClaimStatus.ALLEGED: Qt.BrushStyle.BDiagPattern,
        ClaimStatus.DISPUTED: Qt.BrushStyle.DiagCrossPattern,
    }.get(status, Qt.BrushStyle.SolidPattern)
    soft.setAlpha(60 if pattern == Qt.BrushStyle.SolidPattern else 170)
    return QPen(QBrush(soft, pattern), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)


def edge_pen(status: ClaimStatus, colour: QColor) -> QPen:
    edge = QColor("#9a9a9a") if status == ClaimStatus.RETRACTED else QColor(colour)
    edge.setAlpha(170)
    line = {
        ClaimStatus.ALLEGED: Qt.PenStyle.DashLine,
        ClaimStatus.DISPUTED: Qt.PenStyle.DotLine,
        ClaimStatus.RETRACTED: Qt.PenStyle.DotLine,
    }.get(status, Qt.PenStyle.SolidLine)
    return QPen(edge, 1, line)


def bar_pen(status: ClaimStatus, colour: QColor, width: float) -> QPen:
    if status == ClaimStatus.RETRACTED:
        colour = QColor("#9a9a9a")
    pattern = {
        ClaimStatus.CONFIRMED: Qt.BrushStyle.SolidPattern,
        ClaimStatus.REPORTED: Qt.BrushStyle.Dense2Pattern,
        ClaimStatus.ALLEGED: Qt.BrushStyle.BDiagPattern,
        ClaimStatus.DISPUTED: Qt.BrushStyle.DiagCrossPattern,
        ClaimStatus.RETRACTED: Qt.BrushStyle.Dense5Pattern,
        ClaimStatus.UNASSESSED: Qt.BrushStyle.Dense3Pattern,
    }[status]
    return QPen(QBrush(colour, pattern), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)


def square_pen(colour: QColor, size: float) -> QPen:
    return QPen(colour, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap)


def draw_points(p: QPainter, status: ClaimStatus, colour: QColor, poly: QPolygonF) -> None:
    """Status glyphs: filled (confirmed), outlined (reported), hollow (alleged),
    hollow with a red core (disputed), small grey (retracted), pale in grey (unassessed)."""
    dark = colour.darker(160)
    if status == ClaimStatus.CONFIRMED:
        p.setPen(square_pen(colour, MARK))
        qtarrays.draw_points(p, poly)
    elif status == ClaimStatus.REPORTED:
        p.setPen(square_pen(dark, MARK))
        qtarrays.draw_points(p, poly)
        p.setPen(square_pen(colour.lighter(115), MARK - 4))
        qtarrays.draw_points(p, poly)
    elif status == ClaimStatus.UNASSESSED:
        p.setPen(square_pen(style.UNASSESSED_EDGE, MARK - 1))
        qtarrays.draw_points(p, poly)
        p.setPen(square_pen(colour.lighter(150), MARK - 3))
        qtarrays.draw_points(p, poly)
    elif status in (ClaimStatus.ALLEGED, ClaimStatus.DISPUTED):
        p.setPen(square_pen(dark, MARK + 1))
        qtarrays.draw_points(p, poly)
        p.setPen(square_pen(style.BACKGROUND, MARK - 3))
        qtarrays.draw_points(p, poly)
        if status == ClaimStatus.DISPUTED:
            p.setPen(square_pen(QColor("#c0392b"), 3))
            qtarrays.draw_points(p, poly)
    else:
        p.setPen(square_pen(QColor("#9a9a9a"), MARK - 3))
        qtarrays.draw_points(p, poly)


def _argb(colour: QColor, alpha: int) -> int:
    """Premultiplied ARGB32, as QImage wants it."""
    a = alpha / 255
    return (
        (alpha << 24)
        | (int(colour.red() * a) << 16)
        | (int(colour.green() * a) << 8)
        | int(colour.blue() * a)
    )


def density_image(
    counts: npt.NDArray[np.int64], colours: list[QColor], height: int
) -> tuple[QImage, int]:
    """One small histogram per lane (row k of `counts`), stacked in one image.

    Bar height is sqrt(count / peak), so bursts stand out while a column with a single
    event still gets a pixel and a tint. Returns the image and the peak count.
    """
    lanes, width = counts.shape
    peak = max(int(counts.max()), 1)
    bars = np.where(counts > 0, np.maximum(np.sqrt(counts / peak) * height, 1.0), 0.0)
    bars = bars.astype(np.int32)
    solid = np.array([_argb(c, 235) for c in colours], dtype=np.uint32)
    tints = np.array([_argb(c, 45) for c in colours], dtype=np.uint32)
    rows = np.arange(height, dtype=np.int32)[None, :, None]
    filled = rows >= (height - bars)[:, None, :]
    pixels = np.where(
        filled,
        solid[:, None, None],
        np.where(counts[:, None, :] > 0, tints[:, None, None], np.uint32(0)),
    ).astype(np.uint32)
    pixels = np.ascontiguousarray(pixels.reshape(lanes * height, width))
    image = QImage(
        pixels.data, width, lanes * height, width * 4, QImage.Format.Format_ARGB32_Premultiplied
    )
    return image.copy(), peak  # copy: the numpy buffer goes away with this frame


# A pentagram's five strokes: vertex k to vertex k + 2 (of five on a circle, the first up).
_ANGLES = -np.pi / 2 + 2 * np.pi * np.arange(5) / 5
_STROKES = np.stack([np.arange(5), (np.arange(5) + 2) % 5], axis=1).reshape(-1)


def star_strokes(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], r: float) -> QPolygonF:
    """Every star's five strokes as point pairs for one ``drawLines`` (no loop per mark)."""
    dx = r * np.cos(_ANGLES)[_STROKES]
    dy = r * np.sin(_ANGLES)[_STROKES]
    xy = np.empty((len(x) * len(_STROKES), 2))
    xy[:, 0] = (x[:, None] + dx[None, :]).reshape(-1)
    xy[:, 1] = (y[:, None] + dy[None, :]).reshape(-1)
    return qtarrays.polygon(xy)


def draw_annotations(
    p: QPainter,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    flags: npt.NDArray[np.uint8],
) -> None:
    """A star left of each starred mark (labels run to the right), a note dot under
    each noted one (flags as explorer.model.query.FLAG_*): batched calls, no loop."""
    starred = (flags & 1) != 0
    if starred.any():
        xs, ys = x[starred] - MARK / 2 - 6, y[starred]
        p.setPen(QPen(style.BACKGROUND, 4.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        qtarrays.draw_lines(p, star_strokes(xs, ys, 4.5))
        p.setPen(QPen(style.STAR_COLOUR, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        qtarrays.draw_lines(p, star_strokes(xs, ys, 4.5))
    noted = (flags & 2) != 0
    if noted.any():
        poly = qtarrays.points(x[noted], y[noted] + MARK / 2 + 3)
        p.setPen(square_pen(style.BACKGROUND, 6))
        qtarrays.draw_points(p, poly)
        p.setPen(square_pen(style.NOTE_COLOUR, 4))
        qtarrays.draw_points(p, poly)
