"""Render the README's screenshots: `python -m explorer.screenshots [FOLDER]` (default docs/).

Each picture is the real window, offscreen, in a state a user would reach by keys:
the story with the accusation selected; a search with a claim-status filter; the
editing history; the web of actors; the sources panel. The million-event density
view comes from `explorer.bench`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "docs")
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TIMELINE_EXPLORER_STATE_DIR", str(folder / ".state"))
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from explorer.io.native import read_native
    from explorer.model.store import Filter
    from explorer.resources import dataset_path
    from explorer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    document = read_native(dataset_path())

    def shot(name: str, setup: object) -> None:
        window = MainWindow(document.copy(), None)
        window.resize(1400, 860)
        window.show()
        QCoreApplication.processEvents()
        setup(window)  # type: ignore[operator]
        for _ in range(3):  # let word-wrapped labels settle their heights
            QCoreApplication.processEvents()
        window.grab().save(str(folder / name))
        window.editor.stack.setClean()
        window.close()

    def selected(window: MainWindow) -> None:
        window.state.select_id("e-alibaba-accusation")

    def searched(window: MainWindow) -> None:
        window.search.field.setText("china")
        window.search.apply_text()
        window.state.set_filter(Filter(text="china", statuses=frozenset({"alleged", "reported"})))
        window.search.jump(1)

    def web(window: MainWindow) -> None:
        # The web of actors, wide, on the accusation's pair (Anthropic, Alibaba).
        window.word.show_web()
        window.resizeDocks([window.word.web_dock], [620], Qt.Orientation.Horizontal)
        QCoreApplication.processEvents()
        window.state.select_id("e-alibaba-accusation")
        web_view = window.word.web
        web_view.setFocus()
        row = web_view.ids.index("anthropic")
        web_view.set_current(("node", row))
        edge = next(
            i for i in web_view.edges_of(row) if web_view.ids[int(web_view.pairs.b[i])] == "alibaba"
        )
        web_view.set_current(("edge", edge))

    def sources(window: MainWindow) -> None:
        # On whose word: the sources, Bloomberg's one event open beneath it.
        window.word.show_sources()
        window.resizeDocks([window.word.sources_dock], [520], Qt.Orientation.Horizontal)
        panel = window.word.sources
        panel.view.expand(panel.model.index(0, 0))
        panel.view.expand(panel.model.index(1, 0))
        window.state.select_id("e-alibaba-accusation")
        panel.view.setFocus()

    shot("screenshot.png", selected)
    shot("screenshot-search.png", searched)
    shot("screenshot-web.png", web)
    shot("screenshot-sources.png", sources)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
