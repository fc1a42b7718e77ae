"""The current view as PNG, SVG or PDF, at any size, through the timeline's own painter.

Painting is the same code as on screen (TimelineWidget.paint), so an exported
picture is exactly what the user saw, only at the requested size.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRect, QSize, QSizeF
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator

from explorer.io.atomic import atomic_write_bytes
from explorer.ui.timeline import TimelineWidget

VIEW_FORMATS: Final = (".png", ".svg", ".pdf")


def save_png(image: QImage, path: Path) -> None:
    """A PNG written atomically (a screenshot, an exported view)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ValueError(f"{path}: could not encode PNG")
    buffer.close()
    atomic_write_bytes(path, bytes(data.data()))


def export_view(timeline: TimelineWidget, path: Path, size: QSize) -> None:
    """Write the view to `path` (format from its extension), atomically."""
    suffix = path.suffix.lower()
    if suffix == ".png":
        save_png(timeline.render_image(size), path)
    elif suffix == ".svg":
        atomic_write_bytes(path, _svg_bytes(timeline, size))
    elif suffix == ".pdf":
        atomic_write_bytes(path, _pdf_bytes(timeline, size))
    else:
        raise ValueError(
            f"{path.name}: cannot export a view as {suffix or 'a file without extension'}"
        )


def _svg_bytes(timeline: TimelineWidget, size: QSize) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle("Timeline Explorer view")
    painter = QPainter(generator)
    try:
        timeline.paint(painter, size, keep=False)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def _pdf_bytes(timeline: TimelineWidget, size: QSize) -> bytes:
    # QPdfWriter wants a file name; write to a temporary one, then move atomically.
    with tempfile.TemporaryDirectory() as folder:
        name = str(Path(folder) / "view.pdf")
        writer = QPdfWriter(name)
        writer.setResolution(96)
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
            timeline.paint(painter, size, keep=False)
        finally:
            painter.end()
        return Path(name).read_bytes()
