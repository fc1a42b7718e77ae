"""The printable brief: text as text (read back with pypdf), events in time order with
dates at their precision, status, figures and sources, the timeline picture on page 1."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from explorer.model.store import Filter
from tests.test_cli import run


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def page_images(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Names of the image XObjects a page draws (without decoding them)."""
    resources = page.get("/Resources") or {}
    objects = resources.get("/XObject") or {}
    return [name for name, ref in objects.items() if ref.get_object().get("/Subtype") == "/Image"]


def _flat(text: str) -> str:
    """Words as a reader reads them: ligatures ("ﬁ") undone, whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_brief_lists_the_events_in_time_order_as_text(window, tmp_path: Path) -> None:
    from explorer.ui.brief import write_brief

    out = tmp_path / "brief.pdf"
    write_brief(window, out)
    reader, text = pdf_text(out.read_bytes())
    flat = _flat(text)
    assert reader.metadata is not None
    assert reader.metadata.title == window.store.document.title
    assert "The Permission Layer" in flat
    assert "6 events" in flat
    order = [
        flat.index(date)
        for date in ("2025", "12 June 2026", "19 June 2026", "24 June 2026", "8 July 2026")
    ]
    assert order == sorted(order)
    assert "alleged" in flat
    assert "reported" in flat
    assert "Anthropic (accuser)" in flat
    assert "Alibaba (accused)" in flat
    assert "Figure: 1,000s accounts (thousands)" in flat
    assert "Figure: 200+ organizations (more than)" in flat
    assert "Source: Bloomberg" in flat
    # The picture: an image on the first page, above the list.
    first = reader.pages[0]
    assert page_images(first), "no timeline picture on page 1"
    assert "Events" in first.extract_text()


def test_brief_follows_the_filter(window, tmp_path: Path) -> None:
    from explorer.ui.brief import write_brief

    window.state.set_filter(Filter(statuses=frozenset({"alleged"})))
    out = tmp_path / "brief.pdf"
    write_brief(window, out)
    _, text = pdf_text(out.read_bytes())
    flat = _flat(text)
    assert "1 of 6 events (filtered)" in flat
    assert "Anthropic accuses Alibaba" in flat
    assert "Fable 5" not in flat


def test_brief_escapes_markup_from_the_document(qtbot, tmp_path: Path) -> None:
    from explorer.io.native import document_from_json
    from explorer.ui.brief import brief_pdf
    from explorer.ui.main_window import MainWindow

    doc = document_from_json(
        {
            "format": "timeline-explorer",
            "version": 1,
            "title": "<b>Bold</b> & <i>co</i>",
            "events": [{"id": "e", "title": "<img src=x> <table>", "start": "2020"}],
        },
        Path("x.json"),
    )
    window = MainWindow(doc)
    try:
        _, text = pdf_text(brief_pdf(doc, window.timeline))
    finally:
        window.editor.stack.setClean()
        window.close()
    assert "<b>Bold</b> & <i>co</i>" in _flat(text)
    assert "<img src=x> <table>" in _flat(text)


def test_cli_export_pdf_is_the_brief(tmp_path: Path) -> None:
    out = tmp_path / "brief.pdf"
    result = run("--export", str(out))
    assert result.returncode == 0, result.stderr
    reader, text = pdf_text(out.read_bytes())
    assert "24 June 2026" in _flat(text)
    assert page_images(reader.pages[0])


def test_cli_to_view_still_writes_the_bare_view(tmp_path: Path) -> None:
    out = tmp_path / "view.pdf"
    result = run("--export", str(out), "--to", "view")
    assert result.returncode == 0, result.stderr
    reader, text = pdf_text(out.read_bytes())
    assert len(reader.pages) == 1
    assert "Events" not in text


@pytest.mark.skipif(
    __import__("shutil").which("pdftoppm") is None, reason="poppler-utils not installed"
)
def test_brief_first_page_renders(window, tmp_path: Path) -> None:
    import subprocess

    from PySide6.QtGui import QImage

    from explorer.ui.brief import write_brief

    out = tmp_path / "brief.pdf"
    write_brief(window, out)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    image = QImage(str(png))
    assert image.width() > 200
    # Not blank: the picture and the text put dark pixels on the page.
    dark = sum(
        image.pixelColor(x, y).lightness() < 128
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )
    assert dark > 200
