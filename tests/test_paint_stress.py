"""PySide6 6.12.0 on Python 3.11 aborted ("Fatal Python error: none_dealloc") after a few
thousand painter calls returning None. The pin in pyproject.toml avoids it; this test
repaints a painting widget 10,000 times in one process so a regression cannot hide."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

REPAINTS = 10_000


class _Painter(QWidget):
    painted = 0

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.fillRect(QRect(0, 0, 10, 10), QColor("red"))
        p.drawLine(0, 0, 10, 10)
        p.end()
        _Painter.painted += 1


def test_ten_thousand_repaints_survive(qtbot) -> None:
    widget = _Painter()
    qtbot.addWidget(widget)
    widget.resize(40, 40)
    pixmap = QPixmap(40, 40)
    for _ in range(REPAINTS):
        widget.render(pixmap)
    assert _Painter.painted == REPAINTS


def test_timeline_survives_thousands_of_repaints(qtbot, window) -> None:
    timeline = window.timeline
    pixmap = QPixmap(timeline.size())
    for _ in range(2_000):
        timeline.render(pixmap)
    assert timeline.last_paint_ms >= 0
