"""Text from files shown safely where Qt would guess rich text: labels, message boxes,
tooltips.

QMessageBox and QToolTip render anything that looks like HTML as HTML, so an actor
named "<img src=...>" would be drawn, not shown. `plain` escapes the text and wraps it
as rich text, so it reads exactly as written, line breaks included.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from explorer.io.escaping import escape_controls


def plain(text: str) -> str:
    """Rich text showing `text` as written; control characters (ESC, bidi overrides...)
    escaped visibly, line feeds kept as line breaks."""
    shown = escape_controls(text, keep_newlines=True)
    return "<qt>" + html.escape(shown, quote=False).replace("\n", "<br>") + "</qt>"


def plain_label(
    text: str = "",
    buddy: QWidget | None = None,
    *,
    name: str = "",
    wrap: bool = False,
    selectable: bool = False,
) -> QLabel:
    """A label that never interprets markup; with a buddy, its "&x" is a mnemonic."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if buddy is not None:
        label.setBuddy(buddy)
    if name:
        label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return label
