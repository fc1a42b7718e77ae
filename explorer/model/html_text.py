"""HTML from files (TimelineJS summaries, vis-timeline content) as plain text and links.

Imported text is never handed to Qt as rich text. When it is HTML, the reader still
deserves paragraphs rather than "<p>…<a href=…>": this turns it into plain text,
one blank line between blocks, and lists the link targets so the detail view can
offer them as its own (http(s)-only) buttons. Scripts and styles are dropped whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

# A tag a person would write in a summary: enough to tell HTML from "a < b > c".
_TAG: Final = re.compile(
    r"</?(p|br|a|b|i|em|strong|u|span|div|ul|ol|li|h[1-6]|blockquote|img|sup|sub|small|"
    r"table|tr|td|th|font|code|pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCKS: Final = frozenset(
    {
        "p",
        "div",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "tr",
        "pre",
        "hr",
    }
)
_SKIP: Final = frozenset({"script", "style", "head", "title"})


@dataclass(frozen=True)
class PlainText:
    text: str
    links: tuple[str, ...] = ()  # href targets, in order, without repeats


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.strip() and href.strip() not in self.links:
                self.links.append(href.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_plain(text: str) -> PlainText:
    """Plain text with paragraphs kept, and the link targets; text that is not HTML is
    returned as it is (entities decoded only inside HTML)."""
    if not looks_like_html(text):
        return PlainText(text)
    collector = _Collector()
    collector.feed(text)
    collector.close()
    joined = "".join(collector.parts)
    lines = [line.strip() for line in joined.split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return PlainText(body, tuple(collector.links))  # the parser decoded the entities
