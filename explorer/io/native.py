"""The native format: versioned JSON, one record per event with its links nested.

The writer is canonical (fixed key order, every key present, two-space indent,
UTF-8, trailing newline), so load-then-save reproduces a canonical file byte for
byte and a diff of two saves shows only what changed. See docs/format.md.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd

from explorer.io.atomic import atomic_write_with
from explorer.io.errors import ReadError
from explorer.io.native_annotations import KEY as ANNOTATIONS_KEY
from explorer.io.native_annotations import VERSION as ANNOTATIONS_VERSION
from explorer.io.native_annotations import annotation_tables, annotations_json
from explorer.io.native_decode import NotFast, decode, event_tables, no_collection
from explorer.io.native_encode import NotColumnar, event_blocks
from explorer.model.dates import DateError, Precision, format_iso, parse_date
from explorer.model.document import (
    NO_END,
    ClaimStatus,
    Document,
    empty_figures,
    empty_sources,
    make_events,
)
from explorer.model.periods import PeriodRecordError, period_records, periods_from_records
from explorer.model.records import finite_number
from explorer.model.validate import problems

FORMAT_NAME: Final = "timeline-explorer"
FORMAT_VERSION: Final = 2  # the newest version this program reads and writes

_EVENT_KEYS: Final = (
    "id",
    "title",
    "summary",
    "start",
    "end",
    "status",
    "actors",
    "sources",
    "themes",
    "figures",
    "attributes",
)


class _Reader:
    """Turns the parsed JSON into tables, naming the record and key of any fault."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, reason: str, where: str | None = None, field: str | None = None) -> ReadError:
        return ReadError(self.path, reason, where=where, field=field)

    def text(
        self, record: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str:
        value = record.get(key)
        if value is None:
            if required:
                raise self.fail("is missing", where, key)
            return ""
        if not isinstance(value, str):
            raise self.fail(f"must be text, not {type(value).__name__}", where, key)
        return self.unicode(value, where, key)

    def unicode(self, value: str, where: str | None, key: str) -> str:
        """`value`, unless it holds a lone surrogate (from a "\\ud800" escape): the text
        columns cannot store one."""
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise self.fail(
                    f"contains an unpaired surrogate \\u{ord(value[exc.start]):04x}", where, key
                ) from None
        return value

    def records(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail("must be a list", None, key)
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail("must be an object", f"{key}[{i}]")
        return value

    def date(self, record: Mapping[str, Any], key: str, where: str) -> tuple[int, int]:
        raw = record.get(key)
        if raw is None:
            if key == "start":
                raise self.fail("is missing", where, key)
            return 0, NO_END
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            raise self.fail(f"must be a date string, not {type(raw).__name__}", where, key)
        try:
            value = parse_date(raw)
        except DateError as exc:
            raise self.fail(str(exc), where, key) from None
        return value.seconds, int(value.precision)

    def string_list(self, record: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("must be a list of ids", where, key)
        return [self.unicode(v, where, key) for v in value]


def _where(table: str, index: int, record: Mapping[str, Any]) -> str:
    ident = record.get("id")
    return f'{table}[{index}] (id "{ident}")' if isinstance(ident, str) else f"{table}[{index}]"


def read_native(path: str | Path) -> Document:
    """Load a native file; any fault raises ReadError naming the record and field.

    A file that is right is read the fast way (explorer.io.native_decode); anything
    it does not take is read again the thorough way, which names the fault."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
    try:
        with no_collection():
            return _read_fast(raw, path)
    except (NotFast, ReadError):
        return _read_thorough(raw, path)


def _read_fast(raw: bytes, path: Path) -> Document:
    rest, events = decode(raw.removeprefix(b"\xef\xbb\xbf"))
    frame = document_from_json(rest, path)  # format, version, the small tables
    doc = Document(
        title=frame.title,
        description=frame.description,
        actors=frame.actors,
        sources=frame.sources,
        themes=frame.themes,
        periods=frame.periods,
        stars=frame.stars,
        tags=frame.tags,
        notes=frame.notes,
        **event_tables(events),
    )
    _check(doc, path)
    return doc


def _read_thorough(raw: bytes, path: Path) -> Document:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ReadError(path, f"not UTF-8 text ({exc.reason})", where=f"byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise ReadError(
            path, f"not valid JSON: {exc.msg}", where=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except ValueError as exc:  # an integer longer than Python's int_max_str_digits
        raise ReadError(path, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ReadError(path, "not valid JSON: nested too deeply") from None
    return document_from_json(data, path)


def document_from_json(data: Any, path: Path) -> Document:
    r = _Reader(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise r.fail(f'not a Timeline Explorer document (no "format": "{FORMAT_NAME}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise r.fail("must be a whole number", None, "version")
    if version > FORMAT_VERSION:
        raise r.fail(
            f"version {version} is newer than this program reads ({FORMAT_VERSION}); "
            "update Timeline Explorer",
            None,
            "version",
        )

    actors = []
    for i, rec in enumerate(r.records(data, "actors")):
        w = _where("actors", i, rec)
        actors.append(
            {
                "id": r.text(rec, "id", w, required=True),
                "name": r.text(rec, "name", w, required=True),
                "kind": r.text(rec, "kind", w),
                "posture": r.text(rec, "posture", w),
                "description": r.text(rec, "description", w),
                "colour": r.text(rec, "colour", w),
            }
        )
    themes = []
    for i, rec in enumerate(r.records(data, "themes")):
        w = _where("themes", i, rec)
        themes.append(
            {
                "id": r.text(rec, "id", w, required=True),
                "name": r.text(rec, "name", w, required=True),
                "description": r.text(rec, "description", w),
            }
        )
    sources = []
    for i, rec in enumerate(r.records(data, "sources")):
        w = _where("sources", i, rec)
        published, published_prec = r.date(rec, "published", w)
        sources.append(
            {
                "id": r.text(rec, "id", w, required=True),
                "publisher": r.text(rec, "publisher", w),
                "title": r.text(rec, "title", w),
                "url": r.text(rec, "url", w),
                "published": published,
                "published_precision": published_prec,
            }
        )

    event_records = r.records(data, "events")
    n = len(event_records)
    cols: dict[str, list[Any]] = {k: [] for k in ("id", "title", "summary", "status", "attributes")}
    start = np.empty(n, np.int64)
    start_prec = np.empty(n, np.int8)
    end = np.zeros(n, np.int64)
    end_prec = np.empty(n, np.int8)
    links: list[tuple[str, str, str]] = []
    ev_sources: list[tuple[str, str]] = []
    ev_themes: list[tuple[str, str]] = []
    figures: list[dict[str, Any]] = []
    statuses = {s.value for s in ClaimStatus}
    for i, rec in enumerate(event_records):
        w = _where("events", i, rec)
        ident = r.text(rec, "id", w, required=True)
        cols["id"].append(ident)
        cols["title"].append(r.text(rec, "title", w, required=True))
        cols["summary"].append(r.text(rec, "summary", w))
        status = rec.get("status", ClaimStatus.CONFIRMED.value)
        if not isinstance(status, str) or status not in statuses:
            raise r.fail(f"{status!r} is not one of {', '.join(sorted(statuses))}", w, "status")
        cols["status"].append(status)
        attributes = rec.get("attributes", {})
        if not isinstance(attributes, dict):
            raise r.fail("must be an object", w, "attributes")
        cols["attributes"].append(attributes or None)
        start[i], start_prec[i] = r.date(rec, "start", w)
        end[i], end_prec[i] = r.date(rec, "end", w)
        actor_refs = rec.get("actors", [])
        if not isinstance(actor_refs, list):
            raise r.fail("must be a list", w, "actors")
        for ref in actor_refs:
            if isinstance(ref, str):
                links.append((ident, r.unicode(ref, w, "actors"), ""))
            elif isinstance(ref, dict) and isinstance(ref.get("actor"), str):
                links.append((ident, r.text(ref, "actor", w), r.text(ref, "role", w)))
            else:
                raise r.fail('each must be an actor id or {"actor": id, "role": text}', w, "actors")
        ev_sources += [(ident, s) for s in r.string_list(rec, "sources", w)]
        ev_themes += [(ident, t) for t in r.string_list(rec, "themes", w)]
        fig_refs = rec.get("figures", [])
        if not isinstance(fig_refs, list):
            raise r.fail("must be a list", w, "figures")
        for k, fig in enumerate(fig_refs):
            fw = f"{w}, figures[{k}]"
            if not isinstance(fig, dict):
                raise r.fail("must be an object", fw)
            quantity = fig.get("quantity")
            if quantity is not None and not finite_number(quantity):
                raise r.fail("must be a finite number or null", fw, "quantity")
            figures.append(
                {
                    "event_id": ident,
                    "text": r.text(fig, "text", fw, required=True),
                    "quantity": float("nan") if quantity is None else float(quantity),
                    "unit": r.text(fig, "unit", fw),
                    "qualifier": r.text(fig, "qualifier", fw),
                    "label": r.text(fig, "label", fw),
                }
            )
    title = data.get("title", "")
    description = data.get("description", "")
    if not isinstance(title, str) or not isinstance(description, str):
        raise r.fail("must be text", None, "title" if not isinstance(title, str) else "description")

    extra: dict[str, Any] = {}
    for key in OPTIONAL_KEYS:
        if key.name in data:
            extra.update(key.read(r, data[key.name]))
    doc = Document(
        title=title,
        description=description,
        **extra,
        events=make_events(
            ids=cols["id"],
            titles=cols["title"],
            summaries=cols["summary"],
            start=start,
            start_precision=start_prec,
            end=end,
            end_precision=end_prec,
            status=cols["status"],
            attributes=cols["attributes"],
        ),
        actors=_table(actors, ("id", "name", "kind", "posture", "description", "colour")),
        sources=_sources_table(sources),
        themes=_table(themes, ("id", "name", "description")),
        links=_table(
            [dict(zip(("event_id", "actor_id", "role"), t, strict=True)) for t in links],
            ("event_id", "actor_id", "role"),
        ),
        event_sources=_table(
            [{"event_id": e, "source_id": s} for e, s in ev_sources], ("event_id", "source_id")
        ),
        event_themes=_table(
            [{"event_id": e, "theme_id": t} for e, t in ev_themes], ("event_id", "theme_id")
        ),
        figures=_figures_table(figures),
    )
    _check(doc, path)
    return doc


def _check(doc: Document, path: Path) -> None:
    found = problems(doc, limit=1)
    if found:
        p = found[0]
        raise ReadError(path, p.reason, where=p.where(), field=p.field)


def _read_periods(r: _Reader, value: Any) -> dict[str, pd.DataFrame]:
    try:
        return {"periods": periods_from_records(value)}
    except PeriodRecordError as exc:
        where = exc.where() if isinstance(value, list) else None
        raise r.fail(exc.reason, where, exc.field or "periods") from None


def _write_periods(doc: Document) -> list[dict[str, Any]] | None:
    return period_records(doc.periods) if len(doc.periods) else None


def _read_annotations(r: _Reader, value: Any) -> dict[str, pd.DataFrame]:
    return annotation_tables({ANNOTATIONS_KEY: value}, r.fail)


def _write_annotations(doc: Document) -> list[dict[str, Any]] | None:
    return annotations_json(doc) or None


@dataclass(frozen=True)
class OptionalKey:
    """A top-level key added after version 1. It is written (after ``themes``, in this
    table's order) only when the document has something to put there, and the file
    says the highest `version` among the keys it holds (1 when it holds none), so a
    document without periods stays a version-1 file, byte for byte. `read` turns the
    key's value into the Document fields it fills (periods; stars, tags and notes),
    raising ReadError."""

    name: str
    version: int
    write: Callable[[Document], Any]  # the JSON value, or None: nothing to write
    read: Callable[[_Reader, Any], Mapping[str, Any]]


# One row per optional key: adding one to version 2 is one line here (plus its
# Document field and the two functions). See docs/format.md, "Versions".
OPTIONAL_KEYS: Final = (
    OptionalKey("periods", 2, _write_periods, _read_periods),
    OptionalKey(ANNOTATIONS_KEY, ANNOTATIONS_VERSION, _write_annotations, _read_annotations),
)


def _optional(doc: Document) -> tuple[int, dict[str, Any]]:
    """The version to write and the optional keys' values, in order."""
    values = {key.name: key.write(doc) for key in OPTIONAL_KEYS}
    present = {name: value for name, value in values.items() if value is not None}
    version = max((k.version for k in OPTIONAL_KEYS if k.name in present), default=1)
    return version, present


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype="str") for c in columns})


def _sources_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_sources()
    frame = _table(rows, ("id", "publisher", "title", "url"))
    frame["published"] = np.array([r["published"] for r in rows], dtype=np.int64)
    frame["published_precision"] = np.array([r["published_precision"] for r in rows], dtype=np.int8)
    return frame


def _figures_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_figures()
    frame = _table(rows, ("event_id", "text"))
    frame["quantity"] = np.array([r["quantity"] for r in rows], dtype=np.float64)
    for c in ("unit", "qualifier", "label"):
        frame[c] = pd.Series([r[c] for r in rows], dtype="str")
    return frame


# --- writing --------------------------------------------------------------------------


def _date_or_none(seconds: int, precision: int) -> str | None:
    return None if precision == NO_END else format_iso(int(seconds), Precision(int(precision)))


def _columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Each column as a Python list, once: row-wise ``.iat`` is 100x slower."""
    return {c: frame[c].tolist() for c in frame.columns}


def _grouped(frame: pd.DataFrame, key: str) -> dict[str, list[int]]:
    return {str(k): list(v) for k, v in frame.groupby(key, sort=False).indices.items()}


def _quantity(value: float) -> int | float | None:
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else value


def document_to_json(doc: Document) -> dict[str, Any]:
    """The canonical JSON object for `doc` (what :func:`write_native` serialises)."""
    ev = _columns(doc.events)
    links, sources, themes, figs = (
        _columns(doc.links),
        _columns(doc.event_sources),
        _columns(doc.event_themes),
        _columns(doc.figures),
    )
    by_links = _grouped(doc.links, "event_id")
    by_sources = _grouped(doc.event_sources, "event_id")
    by_themes = _grouped(doc.event_themes, "event_id")
    by_figures = _grouped(doc.figures, "event_id")
    events = []
    for row, ident in enumerate(ev["id"]):
        attributes = ev["attributes"][row]
        events.append(
            {
                "id": ident,
                "title": ev["title"][row],
                "summary": ev["summary"][row],
                "start": format_iso(int(ev["start"][row]), Precision(ev["start_precision"][row])),
                "end": _date_or_none(ev["end"][row], ev["end_precision"][row]),
                "status": str(ev["status"][row]),
                "actors": [
                    {"actor": links["actor_id"][i], "role": links["role"][i]}
                    for i in by_links.get(ident, [])
                ],
                "sources": [sources["source_id"][i] for i in by_sources.get(ident, [])],
                "themes": [themes["theme_id"][i] for i in by_themes.get(ident, [])],
                "figures": [
                    {
                        "text": figs["text"][i],
                        "quantity": _quantity(figs["quantity"][i]),
                        "unit": figs["unit"][i],
                        "qualifier": figs["qualifier"][i],
                        "label": figs["label"][i],
                    }
                    for i in by_figures.get(ident, [])
                ],
                "attributes": dict(attributes) if isinstance(attributes, dict) else {},
            }
        )
    src = _columns(doc.sources)
    version, optional = _optional(doc)
    return {
        "format": FORMAT_NAME,
        "version": version,
        "title": doc.title,
        "description": doc.description,
        "events": events,
        "actors": _records(doc.actors),
        "sources": [
            {
                "id": src["id"][i],
                "publisher": src["publisher"][i],
                "title": src["title"][i],
                "url": src["url"][i],
                "published": _date_or_none(src["published"][i], src["published_precision"][i]),
            }
            for i in range(len(doc.sources))
        ],
        "themes": _records(doc.themes),
        **optional,
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    cols = _columns(frame)
    return [{c: cols[c][i] for c in cols} for i in range(len(frame))]


def reference_dumps(doc: Document) -> bytes:
    """The canonical bytes the plain way (a dict per event, ``json.dumps``): the
    definition the columnar writer is tested against, and its fallback."""
    text = json.dumps(document_to_json(doc), ensure_ascii=False, indent=2) + "\n"
    # A lone surrogate (read from a \ud800 escape) cannot be UTF-8: write it back as the
    # same JSON escape instead of failing the save.
    return text.encode("utf-8", "backslashreplace")


_EVENTS_SLOT: Final = '\n  "events": [],\n'


def _write_columnar(doc: Document, handle: BinaryIO) -> None:
    """The canonical file with the events written column-wise (explorer.io.native_encode);
    the small tables around them by ``json.dumps``."""
    frame = Document(
        title=doc.title,
        description=doc.description,
        actors=doc.actors,
        sources=doc.sources,
        themes=doc.themes,
        periods=doc.periods,
    )
    # The optional keys (and so the version) come from the whole document: the
    # annotations of its events are not in an event-less frame.
    obj = document_to_json(frame)
    version, optional = _optional(doc)
    obj = {k: v for k, v in obj.items() if k not in {key.name for key in OPTIONAL_KEYS}}
    obj["version"] = version
    skeleton = json.dumps({**obj, **optional}, ensure_ascii=False, indent=2) + "\n"
    head, tail = skeleton.split(_EVENTS_SLOT, 1)
    handle.write(head.encode("utf-8", "backslashreplace") + b'\n  "events": [\n')
    for block in event_blocks(doc):
        handle.write(block)
    handle.write(b"\n  ],\n" + tail.encode("utf-8", "backslashreplace"))


def _write(doc: Document, handle: BinaryIO) -> None:
    if not len(doc.events) or not handle.seekable():
        if len(doc.events):
            buffer = io.BytesIO()
            _write(doc, buffer)
            handle.write(buffer.getbuffer())
        else:
            handle.write(reference_dumps(doc))
        return
    start = handle.tell()
    try:
        _write_columnar(doc, handle)
    except NotColumnar:
        handle.seek(start)
        handle.truncate()
        handle.write(reference_dumps(doc))


def dumps_native(doc: Document) -> bytes:
    buffer = io.BytesIO()
    _write(doc, buffer)
    return buffer.getvalue()


def write_native(doc: Document, path: str | Path) -> None:
    """Save atomically: the old file stays whole until the new one is complete."""
    atomic_write_with(path, lambda handle: _write(doc, handle))
