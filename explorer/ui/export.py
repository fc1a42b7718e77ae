"""The current view as PNG, SVG or PDF, at any size, through the timeline's own painter.

Painting is the same code as on screen (TimelineWidget.paint), so an exported
picture is exactly what the user saw, only at the requested size.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRect,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

from explorer.io.atomic import atomic_write_bytes
from explorer.ui import style
from explorer.ui.timeline import TimelineWidget

VIEW_FORMATS: Final = (".png", ".svg", ".pdf")
HEADING_H: Final = 44


@dataclass(frozen=True)
class Heading:
    """What an exported picture says it shows: the document's title and the filter."""

    title: str
    filter: str = ""
    zone: str = ""  # the display time zone, when it is not UTC


def paint_view(p: QPainter, timeline: TimelineWidget, size: QSize, heading: Heading | None) -> None:
    """The timeline at `size`, under a strip naming the document (and its filter)."""
    if (
        heading is None
        or not (heading.title or heading.filter or heading.zone)
        or size.height() < 3 * HEADING_H
    ):
        timeline.paint(p, size, keep=False)
        return
    p.fillRect(QRect(0, 0, size.width(), HEADING_H), style.BACKGROUND)
    bold = QFont(timeline.font())
    bold.setBold(True)
    bold.setPointSizeF(bold.pointSizeF() + 2)
    small = QFont(timeline.font())
    p.setPen(style.AXIS_TEXT)
    p.setFont(bold)
    width = size.width() - 24
    title = heading.title or "Untitled timeline"
    p.drawText(
        QPointF(12, 20),
        QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, width),
    )
    if heading.filter or heading.zone:
        p.setFont(small)
        p.setPen(style.MUTED_TEXT)
        said = [f"Filtered: {heading.filter}"] if heading.filter else []
        said += [f"Times in {heading.zone}"] if heading.zone else []
        text = " · ".join(said)
        p.drawText(
            QPointF(12, 38),
            QFontMetrics(small).elidedText(text, Qt.TextElideMode.ElideRight, width),
        )
    p.save()
    p.translate(0, HEADING_H)
    timeline.paint(p, QSize(size.width(), size.height() - HEADING_H), keep=False)
    p.restore()


def save_png(image: QImage, path: Path) -> None:
    """A PNG written atomically (a screenshot, an exported view)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ValueError(f"{path}: could not encode PNG")
    buffer.close()
    atomic_write_bytes(path, bytes(data.data()))


def export_view(
    timeline: TimelineWidget, path: Path, size: QSize, heading: Heading | None = None
) -> None:
    """Write the view to `path` (format from its extension), atomically."""
    suffix = path.suffix.lower()
    if suffix == ".png":
        save_png(_image(timeline, size, heading), path)
    elif suffix == ".svg":
        atomic_write_bytes(path, _svg_bytes(timeline, size, heading))
    elif suffix == ".pdf":
        atomic_write_bytes(path, _pdf_bytes(timeline, size, heading))
    else:
        raise ValueError(
            f"{path.name}: cannot export a view as {suffix or 'a file without extension'}"
        )


def _image(timeline: TimelineWidget, size: QSize, heading: Heading | None) -> QImage:
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint_view(painter, timeline, size, heading)
    finally:
        painter.end()
    return image


def svg_bytes(paint: Callable[[QPainter], None], size: QSize, title: str) -> bytes:
    """What `paint` draws, as an SVG document of `size` (the view and the web of actors)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def _svg_bytes(timeline: TimelineWidget, size: QSize, heading: Heading | None) -> bytes:
    title = heading.title if heading and heading.title else "Timeline Explorer view"
    return svg_bytes(lambda p: paint_view(p, timeline, size, heading), size, title)


def _pdf_bytes(timeline: TimelineWidget, size: QSize, heading: Heading | None) -> bytes:
    # QPdfWriter wants a file name; write to a temporary one, then move atomically.
    with tempfile.TemporaryDirectory() as folder:
        name = str(Path(folder) / "view.pdf")
        writer = QPdfWriter(name)
        writer.setResolution(96)
        if heading is not None and heading.title:
            writer.setTitle(heading.title)
        # At 96 dpi a pixel is 0.75 point: the page is exactly the requested size.
        page = QPageSize(
            QSizeF(size.width() * 0.75, size.height() * 0.75),
            QPageSize.Unit.Point,
            "view",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
        writer.setPageSize(page)
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        painter = QPainter(writer)
        try:
            paint_view(painter, timeline, size, heading)
        finally:
            painter.end()
        return Path(name).read_bytes()
