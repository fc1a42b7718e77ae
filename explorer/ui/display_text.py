"""Text from files made safe to display: bounded, bidi controls shown, & not a mnemonic,
look-alike hosts in punycode.

A 2 MB title laid out whole froze the detail view for 38 s (and 200 MB crashed it);
a right-to-left override made "invoice\u202egpj.exe" read "invoice…exe.jpg"; an actor
"AT&T" on a button became "ATT" with Alt+T bound; a Cyrillic "а" in "apple.com" read as
Apple's host. Everything a view shows from a file goes through `shown` (and, for
buttons, `button_text`; for links, `link_host`), so each costs what is on screen.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from PySide6.QtCore import QUrl

from explorer.io.escaping import escape_controls

TITLE_CHARS: Final = 500  # labels, buttons, table cells, tooltips
TEXT_CHARS: Final = 20_000  # a section of the detail view (a summary)
WORD_CHARS: Final = 80  # an unbroken run longer than this may wrap anywhere
_BIDI: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LONG_WORD: Final = re.compile(rf"(\S{{{WORD_CHARS}}})(?=\S)")
_ZERO_WIDTH_SPACE: Final = "\u200b"


def shown(text: str, limit: int = TITLE_CHARS, *, lines: bool = True) -> str:
    """`text` cut to `limit` characters (saying how much is not shown), its bidi
    controls written visibly ([U+202E]), other controls escaped (line breaks kept if
    `lines`), and long unbroken runs given break opportunities so a label can wrap."""
    more = len(text) - limit
    if more > 0:
        text = text[:limit]
    text = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    text = escape_controls(text.replace("\t", " "), keep_newlines=lines)
    if len(text) > WORD_CHARS:
        text = _LONG_WORD.sub(rf"\1{_ZERO_WIDTH_SPACE}", text)
    if more > 0:
        text += f"… ({more:,} more characters not shown)"
    return text


def button_text(text: str) -> str:
    """A label for a button or menu item: shown, one line, "&" doubled so it is a
    character and not a mnemonic."""
    return shown(text, lines=False).replace("&", "&&")


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def mixes_scripts(label: str) -> bool:
    """True when one label of a host name has letters of two scripts ("аpple": Cyrillic
    а, Latin pple), the spoofing browsers show in punycode."""
    return len({s for s in map(_script, label) if s is not None}) > 1


def link_host(url: str) -> str:
    """The host to show for a link: Unicode, unless a label mixes scripts, then the
    punycode (ASCII) form that cannot pass for another host."""
    parsed = QUrl(url)
    host = parsed.host()
    if any(mixes_scripts(label) for label in host.split(".")):
        return parsed.host(QUrl.ComponentFormattingOption.FullyEncoded)
    return shown(host, lines=False)
