"""Untrusted text made safe to show in one line: control characters escaped.

A cell, an id or a file name may hold ESC[2J (a terminal would clear the screen), a
line break (the "one line" error would span several) or a right-to-left override
(the message would read backwards). Every message (ReadError, WriteError, the command
line's stderr, the window's message boxes) goes through `escape_controls`, so what is
printed is what the file holds, written visibly. Escaping is idempotent: a backslash
is left alone, so an escaped message escaped again is unchanged.
"""

from __future__ import annotations

import re
from typing import Final

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidi controls.
_CONTROLS: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character written as an escape (\\x1b, \\n, \\u202e);
    `keep_newlines` leaves line feeds as they are (a message box's own paragraphs)."""
    if keep_newlines:
        return "\n".join(_CONTROLS.sub(_escaped, part) for part in text.split("\n"))
    return _CONTROLS.sub(_escaped, text)
