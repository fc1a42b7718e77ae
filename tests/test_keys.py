"""Keys: one action per key sequence on every platform, and only keys a user can press shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from explorer.ui.actions import ACTIONS, SK, conflicts, key_sequences, pressable, spec

# Qt's standard bindings per keyboard scheme, as its QKeySequence documentation lists
# them ("Standard Shortcuts"), for the standard keys the action table uses or might. The
# hardware aliases (the "Open" or "Undo" keys) are left out: they never clash with ours.
_COMMON = {
    SK.Open: ["Ctrl+O"],
    SK.Save: ["Ctrl+S"],
    SK.New: ["Ctrl+N"],
    SK.Find: ["Ctrl+F"],
    SK.ZoomIn: ["Ctrl++"],
    SK.ZoomOut: ["Ctrl+-"],
}
SCHEMES: dict[str, dict[SK, list[str]]] = {
    "windows": _COMMON
    | {
        SK.SaveAs: [],
        SK.Quit: [],
        SK.Undo: ["Ctrl+Z", "Alt+Backspace"],
        SK.Redo: ["Ctrl+Y", "Ctrl+Shift+Z", "Alt+Shift+Backspace"],
        SK.FindNext: ["F3", "Ctrl+G"],
        SK.FindPrevious: ["Shift+F3", "Ctrl+Shift+G"],
        SK.HelpContents: ["F1"],
        SK.Delete: ["Del"],
    },
    "macos": _COMMON
    | {
        SK.SaveAs: ["Ctrl+Shift+S"],
        SK.Quit: ["Ctrl+Q"],
        SK.Undo: ["Ctrl+Z"],
        SK.Redo: ["Ctrl+Shift+Z"],
        SK.FindNext: ["Ctrl+G"],
        SK.FindPrevious: ["Ctrl+Shift+G"],
        SK.HelpContents: ["Ctrl+?"],
        SK.Delete: ["Del", "Meta+D"],
    },
    "kde": _COMMON
    | {
        SK.SaveAs: ["Ctrl+Shift+S"],
        SK.Quit: ["Ctrl+Q"],
        SK.Undo: ["Ctrl+Z"],
        SK.Redo: ["Ctrl+Shift+Z"],
        SK.FindNext: ["F3"],
        SK.FindPrevious: ["Shift+F3"],
        SK.HelpContents: ["F1"],
        SK.Delete: ["Del", "Ctrl+D"],
    },
    "gnome": _COMMON
    | {
        SK.SaveAs: ["Ctrl+Shift+S"],
        SK.Quit: ["Ctrl+Q"],
        SK.Undo: ["Ctrl+Z"],
        SK.Redo: ["Ctrl+Shift+Z"],
        SK.FindNext: ["Ctrl+G", "F3"],
        SK.FindPrevious: ["Ctrl+Shift+G", "Shift+F3"],
        SK.HelpContents: ["F1"],
        SK.Delete: ["Del", "Ctrl+D"],
    },
    "qt-generic (offscreen)": _COMMON
    | {
        SK.SaveAs: ["Ctrl+Shift+S"],
        SK.Quit: [],
        SK.Undo: ["Ctrl+Z", "Alt+Backspace"],
        SK.Redo: ["Ctrl+Y", "Alt+Shift+Backspace", "Ctrl+Shift+Z"],
        SK.FindNext: ["F3", "Ctrl+G"],
        SK.FindPrevious: ["Shift+F3", "Ctrl+Shift+G"],
        SK.HelpContents: ["F1"],
        SK.Delete: ["Del"],
    },
}


def expander(scheme: str):  # type: ignore[no-untyped-def]
    table = SCHEMES[scheme]

    def expand(key: SK) -> list[QKeySequence]:
        assert key in table, f"add {key} to the test's table of platform bindings"
        return [QKeySequence(text) for text in table[key]]

    return expand


def test_no_two_actions_share_a_key_on_any_platform(qapp) -> None:
    for scheme in SCHEMES:
        assert conflicts(expander(scheme)) == [], scheme


def test_the_table_matches_this_platform(qapp) -> None:
    # The running platform's own expansion is one of the schemes above, so the table
    # the other platforms are checked with is not a guess.
    def actual(key: SK) -> list[str]:
        return [s.toString() for s in QKeySequence.keyBindings(key) if pressable(s)]

    used = {k for item in ACTIONS for k in item.shortcuts if isinstance(k, SK)}
    assert any(
        all(actual(k) == [QKeySequence(t).toString() for t in SCHEMES[s][k]] for k in used)
        for s in SCHEMES
    )
    assert conflicts() == []


def test_a_clash_like_ctrl_d_is_found(qapp) -> None:
    # Delete as a standard key on GNOME/KDE is also Ctrl+D, which Duplicate uses.
    gnome = expander("gnome")
    assert gnome(SK.Delete)[1] == QKeySequence("Ctrl+D")
    assert key_sequences(spec("edit.delete_event"), gnome) == [QKeySequence("Del")]


def test_ctrl_d_duplicates_and_delete_deletes(qtbot, window) -> None:
    n = window.store.n
    qtbot.keyClick(window.timeline, Qt.Key.Key_Home)
    qtbot.keyClick(window.timeline, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.store.n == n + 1
    qtbot.keyClick(window.timeline, Qt.Key.Key_Delete)
    assert window.store.n == n


def test_palette_and_sheet_show_keys_a_user_can_press(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.palette_dialog
    qtbot.waitExposed(palette)
    texts = [palette.list.item(i).text() for i in range(palette.list.count())]
    undo = next(t for t in texts if t.startswith("Undo"))
    assert undo.split()[-1] == "Ctrl+Z"
    opened = next(t for t in texts if t.startswith("Open"))
    assert opened.endswith("Ctrl+O")
    palette.close()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.shortcut_sheet.text()
    assert "Undo | Ctrl+Z\n" in sheet
    assert "Open | Ctrl+O\n" in sheet
    for alias in ("F14", "Undo, ", ", Open", ", Save", "Help,"):
        assert alias not in sheet
    assert "Keyboard Shortcuts | F1, ?" in sheet
