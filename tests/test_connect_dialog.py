"""File > Connect to Database, driven as a user would: URL, table, Look, the mapping
step preset from the columns, Open; against the PostgreSQL the suite starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from explorer.app import main
from explorer.engines.sql_engines import connect
from explorer.resources import dataset_path
from explorer.ui.actions import ACTIONS
from explorer.ui.connect_dialog import NONE, ConnectDialog
from tests import engines

pytestmark = pytest.mark.slow


def _open(qtbot: QtBot, url: str, table: str) -> ConnectDialog:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.url, url)
    dialog.table.clear()
    qtbot.keyClicks(dialog.table, table)
    qtbot.mouseClick(dialog.look, Qt.MouseButton.LeftButton)
    assert dialog.wait()
    return dialog


def test_the_menu_has_connect() -> None:
    assert any(a.id == "file.connect" and a.menu == "&File" for a in ACTIONS)


def test_a_foreign_table_gets_the_mapping_step(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))
    url = engines.url("postgres")
    engine = connect(url)
    engine.execute("DROP TABLE IF EXISTS alerts", render_it=False)
    engine.execute("CREATE TABLE alerts (seen TIMESTAMP, who TEXT, what TEXT)", render_it=False)
    engine.execute(
        "INSERT INTO alerts VALUES ('2023-05-01 08:00:00', 'ann', 'badge used'), "
        "('2023-05-02 09:30:00', 'bob', 'door forced')",
        render_it=False,
    )
    engine.close()
    dialog = _open(qtbot, url, "alerts")
    assert dialog.mapping_box.isVisible() or not dialog.mapping_box.isHidden()
    assert dialog.roles["date"].currentText() == "seen"  # the guess is shown
    dialog.roles["actors"].setCurrentText("who")
    dialog.roles["title"].setCurrentText("what")
    got: list[object] = []
    dialog.opened.connect(got.append)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
    )
    assert dialog.wait()
    (backend,) = got
    assert backend.event_count() == 2  # type: ignore[attr-defined]
    assert list(backend.actors().names) == ["ann", "bob"]  # type: ignore[attr-defined]
    assert dialog.password.text() == ""


def test_a_converted_table_opens_as_it_is_and_errors_are_shown(qtbot: QtBot) -> None:
    url = engines.url("postgres")
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "dlg_story"]) == 0
    dialog = _open(qtbot, url, "dlg_story")
    assert dialog.mapping_box.isHidden()
    assert all(c.count() == 0 or c.currentText() == NONE for c in dialog.roles.values())
    missing = _open(qtbot, url, "no_such_table")
    assert "no such table" in missing.status.text()


def test_cancel_while_opening_opens_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    """Cancel during Open: the window keeps its document (nothing is emitted later),
    over a DuckDB database file."""
    url = f"duckdb:///{tmp_path / 'cases.duckdb'}"
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "story"]) == 0
    dialog = _open(qtbot, url, "story")
    got: list[object] = []
    dialog.opened.connect(got.append)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
    )
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    qtbot.wait(600)  # long past the open of a six-event table
    assert got == []
    assert not dialog.isVisible()


def test_connecting_asks_to_save_unsaved_work_first(
    qtbot: QtBot, window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File > Connect replaces the document: unsaved edits are offered for saving, and
    choosing Cancel there keeps everything as it was."""
    from PySide6.QtWidgets import QMessageBox

    window.state.select_id("e-fable5-shutdown")
    window.editor.nudge_later()
    asked: list[str] = []

    def cancel(box: QMessageBox) -> int:
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Cancel").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", cancel)
    window.actions_by_id["file.connect"].trigger()
    assert asked
    assert asked[0].startswith("Save the changes to")
    assert getattr(window, "connect_dialog", None) is None
    assert not window.editor.stack.isClean()  # the edit is still there, unsaved


def test_the_window_shows_the_table_it_connected_to(qtbot: QtBot, window, tmp_path: Path) -> None:
    """File > Connect, a clean document: the window then shows the table's events."""
    url = f"duckdb:///{tmp_path / 'cases.duckdb'}"
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "story"]) == 0
    window.actions_by_id["file.connect"].trigger()
    dialog = window.connect_dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.url, url)
    dialog.table.clear()
    qtbot.keyClicks(dialog.table, "story")
    qtbot.mouseClick(dialog.look, Qt.MouseButton.LeftButton)
    assert dialog.wait()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
    )
    assert dialog.wait()
    qtbot.waitUntil(lambda: type(window.state.queries).__name__ != "MemoryBackend")
    assert window.state.queries.event_count() == 6
    assert window.editor.stack.count() == 0
    assert window.session.path is None
