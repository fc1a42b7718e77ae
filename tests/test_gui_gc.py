"""Cyclic garbage is collected on the GUI thread, never by a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QCoreApplication

from explorer.ui import gui_gc


class Node:
    def __init__(self) -> None:
        self.me = self


def test_cycles_are_collected_by_the_gui_thread_timer(qtbot, window) -> None:
    assert not gc.isenabled()  # the window switched the automatic collector off
    collected_on: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected_on.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        probe = Node()
        gone = weakref.ref(probe)
        del probe
        # A worker allocating heavily does not collect...
        worker = threading.Thread(target=lambda: [Node() for _ in range(50_000)], name="worker")
        worker.start()
        worker.join()
        assert "worker" not in collected_on
        # ...the GUI thread's timer does, soon after.
        qtbot.waitUntil(lambda: gone() is None, timeout=5_000)
        assert collected_on
        assert set(collected_on) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(note)
    gui_gc.install()  # a second window's call changes nothing
    app = QCoreApplication.instance()
    assert app is not None
    assert len(app.findChildren(gui_gc.GuiGarbageCollector)) == 1
