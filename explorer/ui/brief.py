"""A printable brief as PDF: title, the timeline picture, then the (filtered) events in
time order with their dates at precision, status, actors, figures and sources.

The brief is one QTextDocument printed through QPdfWriter, so its text is text in the
PDF (selectable, searchable, read by pdftotext); the picture is the timeline's own
painting at print resolution. Every string from the document is escaped before it
becomes rich text.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QMarginsF, QSize, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from explorer.io.atomic import atomic_write_bytes
from explorer.io.write_page import page_data
from explorer.model.dates import DAY
from explorer.model.document import Document, event_bounds, subset
from explorer.model.viewport import Viewport
from explorer.ui.timeline import TimelineWidget

PICTURE: Final = QSize(1100, 520)  # pixels: the labels stay legible at the printed width
MAX_BRIEF_EVENTS: Final = 5_000  # about 1,000 pages: beyond this, filter first


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def brief_html(data: dict[str, Any], shown: int, total: int) -> str:
    events = sorted(data["events"], key=lambda e: (e["lo"], e["hi"]))
    count = f"{shown:,} events" if shown == total else f"{shown:,} of {total:,} events (filtered)"
    parts = [
        f"<h1>{_e(data['title'])}</h1>",
        f"<p>{_e(data['description'])}</p>" if data["description"] else "",
        f"<p style='color:#5b6474'>{_e(count)}</p>",
        f"<p><img src='timeline' width='{_IMAGE_WIDTH}'></p>",
        "<h2>Events</h2>",
    ]
    for event in events:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='3' style='margin-top:8px'>"
            f"<tr><td width='22%' valign='top'><b>{_e(event['date'])}</b><br>"
            f"<i>{_e(event['status'])}</i></td>"
            f"<td valign='top'><b>{_e(event['title'])}</b>"
        )
        if event["actors"]:
            names = ", ".join(
                f"{a['name']} ({a['role']})" if a["role"] else a["name"] for a in event["actors"]
            )
            parts.append(f"<br><span style='color:#3a4250'>{_e(names)}</span>")
        if event["summary"]:
            parts.append(f"<br>{_e(event['summary'])}")
        for f in event["figures"]:
            extra = " ".join(
                x for x in (f["unit"], f"({f['qualifier']})" if f["qualifier"] else "") if x
            )
            label = f": {f['label']}" if f["label"] else ""
            parts.append(f"<br>Figure: {_e(f['text'])} {_e(extra)}{_e(label)}")
        for s in event["sources"]:
            name = ": ".join(x for x in (s["publisher"], s["title"]) if x) or "Untitled source"
            when = f" ({s['published']})" if s["published"] else ""
            url = f" {s['url']}" if s["url"] else ""
            parts.append(f"<br><span style='color:#5b6474'>Source: {_e(name + when + url)}</span>")
        parts.append("</td></tr></table>")
    return "\n".join(parts)


_IMAGE_WIDTH: Final = 540  # the text width of an A4 page with 15 mm margins, in layout units


def _picture(timeline: TimelineWidget, shown: Document) -> QImage:
    """The timeline fitted to the brief's events (the window's view is put back)."""
    before = timeline.viewport
    if len(shown.events):
        lo, hi = event_bounds(shown.events)
        start, end = int(lo.min()), int(hi.max())
        pad = max((end - start) // 20, DAY)
        timeline.set_viewport(Viewport.fit(start - pad, end + pad, PICTURE.width()))
    try:
        return timeline.render_image(PICTURE)
    finally:
        timeline.set_viewport(before)


def brief_pdf(
    document: Document, timeline: TimelineWidget, mask: np.ndarray | None = None
) -> bytes:
    """The brief of `document`'s events where `mask` is true (all without one)."""
    total = len(document.events)
    shown_doc = document if mask is None else subset(document, mask)
    shown = len(shown_doc.events)
    if shown > MAX_BRIEF_EVENTS:
        raise ValueError(
            f"{shown:,} events; a brief lists at most {MAX_BRIEF_EVENTS:,} (filter first)"
        )
    text = QTextDocument()
    text.setDefaultStyleSheet(
        "h1 { font-size: 20pt; } h2 { font-size: 14pt; } body { font-size: 10pt; }"
    )
    text.addResource(
        QTextDocument.ResourceType.ImageResource.value,
        QUrl("timeline"),
        _picture(timeline, shown_doc),
    )
    text.setHtml(brief_html(page_data(shown_doc), shown, total))
    with tempfile.TemporaryDirectory() as folder:
        name = str(Path(folder) / "brief.pdf")
        writer = QPdfWriter(name)
        writer.setTitle(document.title or "Timeline brief")
        writer.setCreator("Timeline Explorer")
        writer.setResolution(300)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
        text.print_(writer)
        return Path(name).read_bytes()


def write_brief(window: Any, path: Path, *, filtered: bool = True) -> None:
    """The brief of a main window's document (its filter applied), written atomically."""
    mask = window.state.mask if filtered else None
    atomic_write_bytes(path, brief_pdf(window.store.document, window.timeline, mask))
