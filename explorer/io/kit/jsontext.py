"""Text and JSON as every reader needs them: markup to plain text, lone surrogates and
NaN made safe, JSON values as text, and JSON errors translated into a ReadError (or a
set-aside line) that names the line and column."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.io.delimited import READ_SHARE
from explorer.io.errors import ReadError
from explorer.io.kit.setaside import SetAside
from explorer.io.limits import check_line
from explorer.io.text import decode, read_bytes, read_text

if TYPE_CHECKING:
    from explorer.io.formats import ReadOptions

_SURROGATE = re.compile("[\ud800-\udfff]")
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|blockquote|tr))\s*>", re.I)
_DROP = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def plain_text(markup: str) -> str:
    """Readable text from the HTML TimelineJS allows in headlines and texts: tags
    removed, entities decoded, paragraphs and line breaks as newlines."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    text = _DROP.sub("", markup)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(markup: str) -> str:
    """`plain_text` on a single line, for titles."""
    return " ".join(plain_text(markup).split())


def clean_text(value: str) -> str:
    """`value` without lone surrogates (from "\\ud800" escapes), which text columns
    cannot store; they become U+FFFD."""
    if value.isascii():
        return value
    return _SURROGATE.sub("\ufffd", value)


def clean_json(value: Any) -> Any:
    """A JSON value safe to keep in attributes: no lone surrogates, no NaN/Infinity."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def text_of(value: Any) -> str:
    """A scalar JSON value as text ("" for null); lists and objects are not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            (str(int(value)) if value.is_integer() else repr(value)) if math.isfinite(value) else ""
        )
    return ""


def load_json(path: Path) -> Any:
    """The parsed JSON of a file, or ReadError naming the line and column at fault."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            path, f"not valid JSON: {exc.msg}", where=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ReadError(path, "not valid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python's int_max_str_digits
        raise ReadError(path, f"not valid JSON: {exc}") from None


def sniff_text(head: bytes) -> str:
    """The start of a file as text for sniffing, whatever its encoding (lossy)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def json_lines(
    path: Path, options: ReadOptions, aside: SetAside
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line that is a JSON object; the others set aside."""
    text = decode(read_bytes(path), path)
    total = max(len(text), 1)
    position = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number % 20_000 == 0:
            options.report(READ_SHARE * position / total)
        position += len(line) + 1
        check_line(path, len(line), where=f"line {number}")
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            aside.add(f"line {number}", "", "nested too deeply to read")
            continue
        except ValueError as exc:
            aside.add(f"line {number}", "", f"not JSON ({str(exc)[:120]})")
            continue
        if not isinstance(value, dict):
            aside.add(f"line {number}", "", f"a JSON {type(value).__name__}, not an object")
            continue
        yield number, value


def scalar_text(value: Any) -> str:
    """A JSON value as the text the timeline shows: strings as they are, others as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        if isinstance(value, bool | int | float):
            return json.dumps(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (RecursionError, ValueError, TypeError):
        return "(too deeply nested to show)"


def compact(value: Any) -> bool:
    """Whether an attribute value is worth keeping (not None, "", [] or {})."""
    return value is not None and value != "" and value != [] and value != {} and value != "-"
