"""An article as text with its metadata: a .txt/.md file, pasted text, or an HTML page.

HTML goes through trafilatura (the article body, headline, publisher, date and URL
without menus or footers); all text goes through ftfy, plus one narrow repair of
what ftfy's cautious heuristic leaves: windows-125x mojibake of a punctuation mark
from the U+2000 block ("β€”" for "—", "β†’" for "→"), which real text never
contains as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import ftfy

from explorer.io.errors import ReadError
from explorer.io.text import decode, read_bytes
from explorer.model.dates import DatedValue, DateError, parse_date

MAX_ARTICLE_BYTES: Final = 5 * 1024 * 1024  # a long feature is ~100 KB of text, a page ~1 MB
# The analysis reads ~100,000 characters a second: past this it would keep the window
# waiting for seconds, and no news article is this long (a long feature is ~40,000).
MAX_ARTICLE_CHARS: Final = 400_000
HTML_SUFFIXES: Final = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES: Final = (".txt", ".md", ".markdown", ".text")
_ENCODINGS: Final = (
    "sloppy-windows-1253",
    "sloppy-windows-1252",
    "sloppy-windows-1251",
    "sloppy-windows-1250",
    "sloppy-windows-1254",
    "sloppy-windows-1257",
    "macroman",
)
_RUN: Final = re.compile(r"[^\x00-\x7f]{3,}")


@dataclass(frozen=True)
class Article:
    """The article's text (paragraphs separated by blank lines) and what is known of it."""

    text: str
    name: str  # the file name, or "pasted text"
    title: str = ""
    publisher: str = ""
    url: str = ""
    published: DatedValue | None = None  # from the page's metadata; the user confirms it
    path: Path | None = None


def repair(text: str) -> str:
    """Mojibake repaired, typographic quotes kept (they mark quotations)."""
    fixed = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    return _RUN.sub(_repair_run, fixed)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group(0)
    out: list[str] = []
    i = 0
    while i < len(run):
        char = _punctuation_from(run[i : i + 3]) if i + 3 <= len(run) else None
        if char is None:
            out.append(run[i])
            i += 1
        else:
            out.append(char)
            i += 3
    return "".join(out)


def _punctuation_from(triple: str) -> str | None:
    """The U+2000-U+2BFF character whose UTF-8 bytes were read as `triple`, if any."""
    for encoding in _ENCODINGS:
        try:
            char = triple.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(char) == 1 and 0x2000 <= ord(char) <= 0x2BFF:
            return char
    return None


def _bounded(text: str, name: str) -> str:
    if len(text) > MAX_ARTICLE_CHARS:
        raise ReadError(
            name,
            f"{len(text):,} characters of text; an article may have at most "
            f"{MAX_ARTICLE_CHARS:,} (split it, or paste the part that matters)",
        )
    return text


def article_from_text(text: str, name: str = "pasted text", *, path: Path | None = None) -> Article:
    """Plain text or Markdown; the first non-empty line is taken as the headline."""
    clean = _paragraphs(repair(_bounded(text, name)))
    first = next((line.strip() for line in clean.splitlines() if line.strip()), "")
    title = first.lstrip("#").strip() if len(first) <= 200 else ""
    return Article(text=clean, name=name, title=title, path=path)


def article_from_html(html: str, name: str, *, path: Path | None = None) -> Article:
    """The article body and metadata of an HTML page (trafilatura), as plain text."""
    import trafilatura  # heavy (lxml, justext): loaded only for HTML

    body = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=True, favor_recall=True
    )
    if not body or not body.strip():
        raise ReadError(name, "no article text found in this HTML page")
    meta = trafilatura.extract_metadata(html)
    title = repair(meta.title or "") if meta is not None else ""
    publisher = repair(meta.sitename or "") if meta is not None else ""
    url = (meta.url or "") if meta is not None else ""
    published = _metadata_date(meta.date if meta is not None else None)
    # trafilatura writes one paragraph a line.
    text = _paragraphs(repair(_bounded(body, name)).replace("\n", "\n\n"))
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return Article(
        text=text,
        name=name,
        title=title,
        publisher=publisher,
        url=url if url.startswith(("http://", "https://")) else "",
        published=published,
        path=path,
    )


def _metadata_date(value: str | None) -> DatedValue | None:
    if not value:
        return None
    try:
        return parse_date(value[:10])
    except DateError:
        return None


def _paragraphs(text: str) -> str:
    """Lines trimmed, runs of blank lines made one, Windows line ends made Unix."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


def load_article(path: Path) -> Article:
    """Read a .txt, .md or .html file (HTML also detected by its content)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
    if not path.is_file():
        raise ReadError(path, "not a regular file")
    if size > MAX_ARTICLE_BYTES:
        raise ReadError(path, f"{size:,} bytes; an article may be at most {MAX_ARTICLE_BYTES:,}")
    text = decode(read_bytes(path), path)
    head = text[:2048].lstrip().lower()
    if path.suffix.lower() in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html")):
        return article_from_html(text, path.name, path=path)
    return article_from_text(text, path.name, path=path)
