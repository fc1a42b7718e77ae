"""What a view shows from a hostile file: a huge title at a bounded cost, "&" as text
(not a mnemonic), look-alike hosts in punycode, bidi overrides shown, not obeyed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from factories import document_json, make_document
from hostile import baseline_mb, run_cli
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

SPOOF = "https://\u0430pple.com/login"  # Cyrillic а, then Latin


def hostile_document() -> Any:
    return make_document(
        [
            {
                "id": "e1",
                "title": "invoice\u202egpj.exe",
                "start": "2020",
                "actors": [{"actor": "a1", "role": "&File"}],
                "sources": ["s1"],
            }
        ],
        actors=[{"id": "a1", "name": "AT&T"}],
        sources=[{"id": "s1", "publisher": "P", "title": "t", "url": SPOOF}],
    )


def open_on(qtbot: Any, doc: Any) -> Any:
    from explorer.ui.main_window import MainWindow

    window = MainWindow(doc, None)
    qtbot.addWidget(window)
    window.show()
    assert window.state.select_id("e1")
    return window


def detail_buttons(window: Any, name: str) -> list[QPushButton]:
    return [b for b in window.detail.findChildren(QPushButton) if b.objectName() == name]


def test_ampersands_in_names_and_roles_are_text_not_mnemonics(qtbot: Any) -> None:
    window = open_on(qtbot, hostile_document())
    buttons = [
        b for b in window.detail.findChildren(QPushButton) if b.objectName() == "detail-actor"
    ]
    assert [b.text() for b in buttons] == ["AT&&T — &&File"]
    assert QKeySequence.mnemonic(buttons[0].text()).isEmpty()


def test_a_mixed_script_host_is_shown_in_punycode(qtbot: Any) -> None:
    window = open_on(qtbot, hostile_document())
    (link,) = [
        b for b in window.detail.findChildren(QPushButton) if b.objectName() == "detail-link"
    ]
    assert link.text() == "Open xn--pple-43d.com"


def test_a_right_to_left_override_is_shown_not_obeyed(qtbot: Any) -> None:
    window = open_on(qtbot, hostile_document())
    assert window.detail.sections["title"].text() == "invoice[U+202E]gpj.exe"
    model = window.table.model()
    titles = [
        model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]
    assert "invoice[U+202E]gpj.exe" in titles
    assert not any("\u202e" in str(t) for t in titles)
    assert "\u202e" not in window.timeline.describe(0)


def test_a_20_mb_title_renders_in_bounded_time_and_memory(tmp_path: Path) -> None:
    story = tmp_path / "long.json"
    record = document_json([{"id": "e", "title": "W" * 20_000_000, "start": "2020"}])
    story.write_text(json.dumps(record))
    run = run_cli(str(story), "--screenshot", str(tmp_path / "x.png"), "--select", "e")
    assert run.returncode == 0, run.stderr
    assert run.seconds < 30, f"{run.seconds:.1f} s"
    assert run.peak_mb < baseline_mb() + 600, f"{run.peak_mb:.0f} MB"
    assert (tmp_path / "x.png").stat().st_size > 10_000
