"""A story as one standalone HTML page: lanes, zoom and pan, details, search, periods.

Everything is inline (style, script, data): the page makes no request, which a
Content-Security-Policy with the script's and style's own hashes enforces too. The
data sits in a <script type="application/json"> block, escaped so that no text from
the document can close it, and the script puts every string on the page with
textContent, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, Final

from explorer.io.atomic import atomic_write_bytes
from explorer.io.errors import WriteError
from explorer.io.native import document_to_json
from explorer.model.dates import Precision, format_human
from explorer.model.document import Document, event_bounds
from explorer.model.periods import period_spans

MAX_PAGE_EVENTS: Final = 20_000  # one DOM element per mark: beyond this, filter first
_ESCAPES: Final = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_for_script(value: Any) -> str:
    """JSON that is inert inside <script type="application/json">: `<`, `>`, `&` and the
    two JavaScript line terminators written as escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "".join(_ESCAPES.get(char, char) for char in text)


def _safe_url(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else ""


def page_data(doc: Document, periods: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What the page shows, with every date already written at its precision."""
    record = document_to_json(doc)
    lo, hi = event_bounds(doc.events)
    sources = {
        s["id"]: {
            "title": s["title"],
            "publisher": s["publisher"],
            "url": _safe_url(s["url"]),
            "published": s["published"] or "",
        }
        for s in record["sources"]
    }
    actors = {a["id"]: a for a in record["actors"]}
    themes = {t["id"]: t["name"] for t in record["themes"]}
    precision = doc.events["start_precision"].to_numpy()
    end_precision = doc.events["end_precision"].to_numpy()
    starts = doc.events["start"].to_numpy()
    ends = doc.events["end"].to_numpy()
    events = []
    for i, event in enumerate(record["events"]):
        date = format_human(int(starts[i]), Precision(int(precision[i])))
        if int(end_precision[i]) >= 0:
            date += " – " + format_human(int(ends[i]), Precision(int(end_precision[i])))
        events.append(
            {
                "id": event["id"],
                "title": event["title"],
                "summary": event["summary"],
                "lo": int(lo[i]),
                "hi": int(hi[i]),
                "point": int(precision[i]) >= Precision.DAY and int(end_precision[i]) < 0,
                "date": date,
                "precision": Precision(int(precision[i])).label,
                "status": event["status"],
                "actors": [
                    {"id": a["actor"], "name": actors[a["actor"]]["name"], "role": a["role"]}
                    for a in event["actors"]
                    if a["actor"] in actors
                ],
                "sources": [sources[s] for s in event["sources"] if s in sources],
                "themes": [themes[t] for t in event["themes"] if t in themes],
                "figures": [
                    {k: f[k] for k in ("text", "quantity", "unit", "qualifier", "label")}
                    for f in event["figures"]
                ],
            }
        )
    return {
        "title": doc.title or "Timeline",
        "description": doc.description,
        "actors": [
            {"id": a["id"], "name": a["name"], "kind": a["kind"], "colour": a["colour"]}
            for a in record["actors"]
        ],
        "events": events,
        "periods": page_periods(doc) if periods is None else periods,
    }


def page_periods(doc: Document) -> list[dict[str, Any]]:
    """The document's periods as the page draws them: name, covered span, colour."""
    lo, hi = period_spans(doc.periods)
    return [
        {"name": str(label), "lo": int(a), "hi": int(b), "colour": str(colour)}
        for label, a, b, colour in zip(
            doc.periods["label"], lo.tolist(), hi.tolist(), doc.periods["colour"], strict=True
        )
    ]


def _asset(name: str) -> str:
    return resources.files("explorer.io.page").joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page_html(doc: Document, periods: list[dict[str, Any]] | None = None) -> str:
    if len(doc.events) > MAX_PAGE_EVENTS:
        raise ValueError(
            f"{len(doc.events):,} events; a page holds at most {MAX_PAGE_EVENTS:,} "
            "(filter the document first)"
        )
    data = page_data(doc, periods)
    script, style = _asset("page.js"), _asset("page.css")
    policy = (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    parts = {
        "policy": html.escape(policy, quote=False),  # in a "-quoted attribute; no " in it
        "title": html.escape(data["title"]),
        "style": style,
        "data": json_for_script(data),
        "script": script,
    }
    # One pass, so that text from the document can never be read as a placeholder.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], _asset("page.html"))


def write_page(doc: Document, path: str | Path) -> None:
    """Write the page atomically; a document too large for one page is refused."""
    try:
        text = page_html(doc)
    except ValueError as exc:
        raise WriteError(path, str(exc)) from None
    atomic_write_bytes(path, text.encode("utf-8"))
