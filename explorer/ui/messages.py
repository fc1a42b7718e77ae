"""Text from files shown safely where Qt would guess rich text: message boxes and tooltips.

QMessageBox and QToolTip render anything that looks like HTML as HTML, so an actor
named "<img src=...>" would be drawn, not shown. `plain` escapes the text and wraps it
as rich text, so it reads exactly as written, line breaks included.
"""

from __future__ import annotations

import html


def plain(text: str) -> str:
    return "<qt>" + html.escape(text, quote=False).replace("\n", "<br>") + "</qt>"
