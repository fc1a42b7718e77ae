"""The Timeline Project's ``.timeline`` files (XML, Timeline 0.10 and later), as
format "timelineproject". Parsed with defusedxml, never the standard library parser
directly: a file from elsewhere must not be able to expand entities or fetch URLs.

How a Timeline file becomes a document:

- ``<event>``: ``start``/``end`` ("YYYY-MM-DD HH:MM:SS") at second precision; when
  start equals end the event is a point (no end). ``text`` -> title, ``description``
  -> summary.
- ``<category>`` -> an actor of kind "category" with its colour ("r,g,b" ->
  "#rrggbb"); each event is linked to its category (``<category>``, or every
  ``<categories><category>`` of newer files). Events without one have no actor.
  A parent category is noted in the actor's description.
- ``fuzzy``: kept as ``attributes["timelineproject"]["fuzzy"] = True``. It is how
  Timeline draws an uncertain event (faded ends); it says nothing of how precise the
  date is, nor on whose word the event rests, so neither precision nor claim status
  changes.
- ``locked``, ``ends_today``, ``milestone``, ``progress``, ``hyperlink``, ``alert``,
  ``default_color`` -> ``attributes["timelineproject"]`` (only when set). A milestone
  is a point event. ``ends_today`` keeps the end the file saved.
- containers: Timeline writes a container as an event whose text starts with
  "[id]" and each of its subevents with "(id)" (see its timelinexml.py). The prefix
  is removed from the title and kept as ``attributes["timelineproject"]``
  ``{"container": True, "container_id": id}`` on the container and
  ``{"container_id": id, "container_name": name}`` on a subevent.
- ``<era>`` -> a period of the document (name, start, end, colour), not an event
  (as TimelineJS eras are read).
- the document title is the file name (Timeline files have none).

The old text format of Timeline 0.1-0.9 (``# Written by Timeline 0.x``, ``EVENT:``
lines) and calendars other than the Gregorian one (numtime, bosparanian, ...) are
refused with a ReadError that says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from explorer.io.errors import ReadError
from explorer.io.formats import Format, ReadOptions, register
from explorer.io.kit.eras import eras_to_periods
from explorer.io.kit.jsontext import clean_text, sniff_text
from explorer.io.kit.rows import EventRows, Skip, result
from explorer.io.kit.setaside import SetAside
from explorer.io.result import ImportResult
from explorer.io.text import read_bytes
from explorer.model.dates import DateError, Precision, to_seconds

FORMAT_NAME: Final = "timelineproject"
ATTR: Final = "timelineproject"
OLD_FORMAT: Final = (
    "old Timeline 0.x text format: open and save it in The Timeline Project 1.x or later first"
)

_TIME: Final = re.compile(
    r"^\s*(-?\d{1,12})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2}))?\s*$"
)
_COLOUR: Final = re.compile(r"^\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*$")
_OLD_LINE: Final = re.compile(rb"^(?:EVENT|CATEGORY|PREFERRED-PERIOD):", re.M)
_GREGORIAN: Final = ("", "gregoriantime")
_CALENDARS: Final = {
    "numtime": "plain numbers",
    "bosparaniantime": "the Bosparanian calendar",
    "coptictime": "the Coptic calendar",
    "pharaonictime": "the Pharaonic calendar",
}


def _is_old_text(data: bytes) -> bool:
    start = data.lstrip(b"\xef\xbb\xbf").lstrip()
    return start.startswith(b"# Written by Timeline") or (
        not start.startswith(b"<") and _OLD_LINE.search(data[:4096]) is not None
    )


def _sniff(head: bytes, path: Path) -> int:
    if _is_old_text(head):
        return 2
    text = sniff_text(head)
    if "<timeline>" in text and ("<events>" in text or "<categories>" in text):
        return 2
    return 1 if path.suffix.lower() == ".timeline" else 0


def _child_text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None:
        return None
    return clean_text(child.text or "")


def _time(text: str | None, name: str) -> int:
    if text is None:
        raise Skip("is missing", name)
    match = _TIME.match(text)
    if match is None:
        raise Skip(f"{text!r} is not a date (YYYY-MM-DD HH:MM:SS)", name)
    numbers = [int(g) for g in match.groups() if g is not None]
    try:
        return to_seconds(*numbers)
    except DateError as exc:
        raise Skip(str(exc), name) from None


def _colour(text: str | None) -> str:
    """ "r,g,b" -> "#rrggbb"; "" when missing or malformed."""
    match = _COLOUR.match(text or "")
    if match is None:
        return ""
    values = [int(g) for g in match.groups()]
    if any(v > 255 for v in values):
        return ""
    return "#" + "".join(f"{v:02x}" for v in values)


def _container_id(text: str) -> int:
    """Timeline's container id, -1 where it is not a number (as Timeline reads it)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


def _flag(element: Element, tag: str) -> bool:
    return (_child_text(element, tag) or "").strip() == "True"


class _Reader:
    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.rows = EventRows()
        self.skips = SetAside()
        self.notes: list[str] = []
        self.colours: dict[str, str] = {}
        self.containers: dict[int, str] = {}
        self.unknown_categories: set[str] = set()
        self.parents: dict[str, str] = {}
        self.icons = 0
        self.fuzzy = 0

    def fail(self, reason: str, where: str | None = None, field: str | None = None) -> ReadError:
        return ReadError(self.path, reason, where=where, field=field)

    def read(self, root: Element) -> ImportResult:
        if root.tag != "timeline":
            raise self.fail(
                f"not a Timeline file: the root element is <{root.tag}>, not <timeline>"
            )
        timetype = (_child_text(root, "timetype") or "").strip()
        if timetype not in _GREGORIAN:
            what = _CALENDARS.get(timetype, f"time type {timetype!r}")
            raise self.fail(
                f"uses {what}, not calendar dates; only Gregorian timelines can be read",
                "timeline/timetype",
            )
        version = (_child_text(root, "version") or "").strip()
        self.read_categories(root)
        events = root.find("events")
        items = events.findall("event") if events is not None else []
        for i, element in enumerate(items):
            where = f"events/event[{i + 1}]"
            try:
                self.read_event(element, where)
            except Skip as skip:
                self.skips.add(where, skip.field, skip.reason)
            if i % 256 == 255:
                self.options.report(0.1 + 0.8 * i / len(items))
        eras = root.find("eras")
        for i, element in enumerate(eras.findall("era") if eras is not None else []):
            where = f"eras/era[{i + 1}]"
            try:
                self.read_era(element, where)
            except Skip as skip:
                self.skips.add(where, skip.field, skip.reason)
        if not len(self.rows):
            raise self.skips.nothing_read(self.path, "events")
        self.add_notes(version)
        doc = self.rows.build(
            self.path,
            self.notes,
            title=self.path.stem,
            actor_kind="category",
            actor_colours=self.colours,
        )
        self.add_parents(doc.actors)
        doc = eras_to_periods(doc, ATTR)
        self.options.report(1.0)
        return result(doc, self.path, FORMAT_NAME, self.skips, self.notes)

    def read_categories(self, root: Element) -> None:
        categories = root.find("categories")
        if categories is None:
            return
        for element in categories.findall("category"):
            name = (_child_text(element, "name") or "").strip()
            if not name:
                continue
            self.colours.setdefault(name, _colour(_child_text(element, "color")))
            parent = (_child_text(element, "parent") or "").strip()
            if parent:
                self.parents[name] = parent

    def add_parents(self, actors: Any) -> None:
        if not self.parents:
            return
        descriptions = [
            f"sub-category of {self.parents[name]}" if name in self.parents else ""
            for name in actors["name"].tolist()
        ]
        actors["description"] = actors["description"].where(
            [not d for d in descriptions], descriptions
        )

    def add_notes(self, version: str) -> None:
        if self.fuzzy:
            self.notes.append(
                f"{self.fuzzy} event(s) are marked fuzzy in Timeline; their dates are kept "
                'as written, with "fuzzy" in their attributes'
            )
        if self.unknown_categories:
            names = ", ".join(sorted(self.unknown_categories)[:5])
            self.notes.append(f"categories used by events but not defined: {names}")
        if self.icons:
            self.notes.append(f"{self.icons} event icon(s) were not imported")
        if version.startswith("0."):
            self.notes.append(f"written by Timeline {version}, an old version")

    def categories_of(self, element: Element) -> list[str]:
        names: list[str] = []
        single = _child_text(element, "category")
        if single is not None and single.strip():
            names.append(single.strip())
        group = element.find("categories")
        if group is not None:
            names += [clean_text(c.text or "").strip() for c in group.findall("category")]
        names = [n for n in dict.fromkeys(names) if n]
        for name in names:
            if name not in self.colours:
                self.unknown_categories.add(name)
        return names

    def read_event(self, element: Element, where: str) -> None:
        start = _time(_child_text(element, "start"), "start")
        end_text = _child_text(element, "end")
        end = _time(end_text, "end") if end_text is not None else start
        if end < start:
            raise Skip("ends before it starts", "end")
        text = _child_text(element, "text") or ""
        kept: dict[str, Any] = {}
        if text.startswith("["):  # a container: "[id]name"
            ident, _, text = text[1:].partition("]")
            cid = _container_id(ident)
            self.containers[cid] = text
            kept.update(container=True, container_id=cid)
        elif text.startswith("("):  # a subevent: "(id)name"
            ident, _, text = text[1:].partition(")")
            cid = _container_id(ident)
            kept["container_id"] = cid
            if cid in self.containers:
                kept["container_name"] = self.containers[cid]
        elif text[:2] in (" (", " ["):  # Timeline adds a space to keep such texts plain
            text = text[1:]
        for tag in ("fuzzy", "locked", "ends_today", "milestone"):
            if _flag(element, tag):
                kept[tag] = True
        if kept.get("fuzzy"):
            self.fuzzy += 1
        progress = (_child_text(element, "progress") or "").strip()
        if progress.isascii() and progress.isdigit() and len(progress) < 10 and int(progress):
            kept["progress"] = int(progress)
        for tag in ("hyperlink", "alert"):
            value = _child_text(element, tag)
            if value:
                kept[tag] = value
        default = _colour(_child_text(element, "default_color"))
        if default and default != "#c8c8c8":  # Timeline's own default, 200,200,200
            kept["default_colour"] = default
        if element.find("icon") is not None:
            self.icons += 1
        point = end == start or kept.get("milestone") is True
        categories = self.categories_of(element)
        self.rows.add(
            ident=f"e{len(self.rows) + 1}",
            title=text,
            summary=_child_text(element, "description") or "",
            start=(start, int(Precision.SECOND)),
            end=None if point else (end, int(Precision.SECOND)),
            where=where,
            actors=categories or None,
            attributes={ATTR: kept} if kept else None,
        )

    def read_era(self, element: Element, where: str) -> None:
        start = _time(_child_text(element, "start"), "start")
        end = _time(_child_text(element, "end"), "end")
        if end < start:
            raise Skip("ends before it starts", "end")
        kept: dict[str, Any] = {"era": True}
        colour = _colour(_child_text(element, "color"))
        if colour:
            kept["colour"] = colour
        if _flag(element, "ends_today"):
            kept["ends_today"] = True
        self.rows.add(
            ident=f"era-{len(self.rows) + 1}",
            title=_child_text(element, "name") or "",
            summary="",
            start=(start, int(Precision.SECOND)),
            end=None if end == start else (end, int(Precision.SECOND)),
            where=where,
            attributes={ATTR: kept},
        )


NEWLINE: Final = b"\n"


def _refusal(path: Path, data: bytes, exc: defusedxml.DefusedXmlException) -> ReadError:
    """What defusedxml refused, in words, at the line of the declaration."""
    name = str(getattr(exc, "name", "") or "")
    system = getattr(exc, "sysid", None)
    if isinstance(exc, defusedxml.EntitiesForbidden):
        what = f'an entity "{name}"' + (f' that refers to "{system}"' if system else "")
        found = data.find(b"<!ENTITY")
        found = data.find(f"<!ENTITY {name}".encode(), max(found, 0)) if name else found
    else:
        what = "an external reference" + (f' to "{system}"' if system else "")
        found = -1
    where = f"line {data.count(NEWLINE, 0, found) + 1}" if found >= 0 else None
    return ReadError(
        path,
        f"refused: the XML declares {what}; entities are never expanded, for safety",
        where=where,
    )


def _read(path: Path, options: ReadOptions) -> ImportResult:
    options.report(0.0)
    data = read_bytes(path)
    if _is_old_text(data):
        raise ReadError(path, OLD_FORMAT, where="line 1")
    try:
        root = SafeET.fromstring(data)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":", 1)[0]
        raise ReadError(
            path, f"not valid XML: {reason}", where=f"line {line}, column {column + 1}"
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise _refusal(path, data, exc) from None
    except (LookupError, ValueError) as exc:  # an unknown or unsupported encoding
        raise ReadError(path, f"not valid XML: {exc}", where="line 1") from None
    except RecursionError:
        raise ReadError(path, "nested too deeply to read") from None
    options.report(0.1)
    return _Reader(path, options).read(root)


TIMELINE_PROJECT = register(
    Format(FORMAT_NAME, "The Timeline Project (.timeline)", (".timeline",), _sniff, _read)
)
