"""Python's cyclic garbage collector, run on the GUI thread only.

A window's Qt objects often sit in reference cycles (a widget, its lambdas, its
signals). Left to Python, the collector runs wherever an allocation crosses its
threshold: on a query worker thread too, which then destroys Qt objects (their
timers) off the GUI thread; Qt warns "Timers cannot be stopped from another thread"
and can crash. So the automatic collector is switched off once a window exists, and
a timer on the GUI thread runs the generations that are due, as the collector would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHECK_MS = 250


class GuiGarbageCollector(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        gc.disable()

    @staticmethod
    def check() -> None:
        """Collect the oldest generation whose count is past its threshold."""
        counts, limits = gc.get_count(), gc.get_threshold()
        due = [g for g in range(3) if counts[g] > limits[g]]
        if due:
            gc.collect(max(due))


def install() -> None:
    """Once per application (the window calls it; later calls do nothing)."""
    app = QCoreApplication.instance()
    if app is None or app.findChild(GuiGarbageCollector) is not None:
        return
    GuiGarbageCollector(app)
