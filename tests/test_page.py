"""The standalone page, in Debian's headless chromium driven by Playwright: it loads with
no request leaving the file, shows the events, answers to keys, and never turns text
from the document into markup."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.io.write_page import MAX_PAGE_EVENTS, json_for_script, page_html, write_page
from explorer.model.document import Document
from tests.test_cli import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
HOSTILE = '</script><img src="https://example.invalid/x.png" onerror="window.owned=1">&amp;\u2028'


def test_json_for_script_cannot_close_its_block() -> None:
    text = json_for_script({"t": HOSTILE})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"t": HOSTILE}


def test_page_is_self_contained(story: Document) -> None:
    html = page_html(story)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:|//)""", html)
    assert "<link" not in html
    assert "@import" not in html
    assert "innerHTML" not in html
    assert "insertAdjacentHTML" not in html
    assert "default-src 'none'" in html
    # Exactly one data block and one script, both inline.
    assert html.count('<script type="application/json"') == 1
    assert html.count("<script>") == 1


def test_a_document_too_large_for_a_page_is_refused(tmp_path: Path, monkeypatch) -> None:
    from explorer.io import write_page as module
    from explorer.io.errors import WriteError

    monkeypatch.setattr(module, "MAX_PAGE_EVENTS", 2)
    with pytest.raises(WriteError, match="at most 2"):
        module.write_page(_story_with_titles(["a", "b", "c"]), tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()
    assert MAX_PAGE_EVENTS >= 10_000


def _story_with_titles(titles: list[str]) -> Document:
    from explorer.io.native import document_from_json

    return document_from_json(
        {
            "format": "timeline-explorer",
            "version": 1,
            "title": "t",
            "events": [
                {"id": f"e{i}", "title": t, "start": f"20{10 + i}-0{1 + i % 9}-1{i % 9}"}
                for i, t in enumerate(titles)
            ],
        },
        Path("t.json"),
    )


# --- in chromium ---------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """The page at `path`, with every request it made and every console error."""
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_selector(".event")
    return page, requests, errors


@needs_chromium
def test_page_loads_offline_and_shows_the_events(browser, story: Document, tmp_path) -> None:
    out = tmp_path / "story.html"
    write_page(story, out)
    page, requests, errors = open_page(browser, out)
    assert requests == [out.as_uri()]  # nothing but the file itself
    assert errors == []
    assert page.title() == story.title
    assert page.text_content("#title") == story.title
    titles = set(
        page.eval_on_selector_all(
            "#lanes .event", "ns => ns.map(n => n.getAttribute('aria-label'))"
        )
    )
    for title in story.events["title"]:
        assert any(label.startswith(title + ",") for label in titles), title
    lanes = page.eval_on_selector_all(".lane-name", "ns => ns.map(n => n.textContent)")
    assert "Anthropic" in lanes
    assert "Alibaba" in lanes
    assert page.text_content("#count") == f"{len(story.events)} of {len(story.events)} events"
    page.close()


@needs_chromium
def test_page_answers_to_keys(browser, story: Document, tmp_path) -> None:
    out = tmp_path / "story.html"
    write_page(story, out)
    page, requests, _ = open_page(browser, out)
    page.focus("#timeline")
    page.keyboard.press("Home")
    assert page.get_attribute("#timeline", "data-selected") == "e-glasswing-blocks"
    assert page.text_content("#detail h2") == story.events["title"].iloc[0]
    assert page.text_content("#detail .date") == "2025"  # the date at its precision
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#timeline", "data-selected") == "e-fable5-shutdown"
    assert page.text_content("#detail .date") == "12 June 2026"
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#timeline", "data-selected") == "e-alibaba-accusation"
    detail = page.text_content("#detail") or ""
    assert "alleged" in detail
    assert "Anthropic — accuser" in detail
    assert "1,000s" in detail
    assert "Bloomberg" in detail  # its sources

    def span() -> float:
        return float(page.get_attribute("#timeline", "data-t1")) - float(
            page.get_attribute("#timeline", "data-t0")
        )

    wide = span()
    page.keyboard.press("+")
    assert span() < wide * 0.7
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert span() > wide
    t0 = float(page.get_attribute("#timeline", "data-t0"))
    page.keyboard.press("Shift+ArrowRight")
    assert float(page.get_attribute("#timeline", "data-t0")) > t0
    page.keyboard.press("f")
    assert span() == pytest.approx(wide)
    # Search: "/" focuses it; typing filters; Enter selects the first match.
    page.keyboard.press("/")
    page.keyboard.type("passport")
    assert page.text_content("#count") == f"1 of {len(story.events)} events"
    assert page.eval_on_selector_all("#lanes .event:not(.hidden)", "ns => ns.length") == 1
    page.keyboard.press("Enter")
    assert page.get_attribute("#timeline", "data-selected") == "e-anthropic-id-mandate"
    page.keyboard.press("Escape")  # back on the timeline: clears the selection
    assert page.get_attribute("#timeline", "data-selected") == ""
    assert requests == [out.as_uri()]
    page.close()


@needs_chromium
def test_page_zooms_with_the_wheel_and_pans_by_dragging(browser, story, tmp_path) -> None:
    out = tmp_path / "story.html"
    write_page(story, out)
    page, _, _ = open_page(browser, out)
    box = page.locator("#timeline").bounding_box()
    assert box is not None

    def view() -> tuple[float, float]:
        return float(page.get_attribute("#timeline", "data-t0")), float(
            page.get_attribute("#timeline", "data-t1")
        )

    t0, t1 = view()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"Number(document.getElementById('timeline').dataset.t0) > {t0}")
    z0, z1 = view()
    assert z1 - z0 < (t1 - t0) * 0.8
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 200, box["y"] + box["height"] - 20)
    page.mouse.up()
    p0, p1 = view()
    assert p0 > z0
    assert p1 - p0 == pytest.approx(z1 - z0)
    page.close()


@needs_chromium
def test_text_from_the_document_never_becomes_markup(browser, tmp_path) -> None:
    from explorer.io.native import document_from_json

    doc = document_from_json(
        {
            "format": "timeline-explorer",
            "version": 1,
            "title": HOSTILE,
            "description": "{{script}} {{data}}",
            "actors": [{"id": "a", "name": "<b>bold</b>"}],
            "sources": [
                {"id": "s", "title": "evil", "url": "javascript:window.owned=2"},
                {"id": "w", "title": "web", "url": "https://example.org/a?b=<c>"},
            ],
            "events": [
                {
                    "id": "e1",
                    "title": HOSTILE,
                    "summary": "<script>window.owned=3</script>",
                    "start": "2020-01-02",
                    "actors": ["a"],
                    "sources": ["s", "w"],
                }
            ],
        },
        Path("hostile.json"),
    )
    out = tmp_path / "hostile.html"
    write_page(doc, out)
    page, requests, errors = open_page(browser, out)
    page.focus("#timeline")
    page.keyboard.press("Home")
    assert page.evaluate("window.owned") is None
    assert page.query_selector("img") is None
    assert page.query_selector("b") is None
    assert page.text_content("#title") == HOSTILE
    assert page.text_content("#description") == "{{script}} {{data}}"
    assert page.text_content("#detail h2") == HOSTILE
    assert page.text_content("#detail .summary") == "<script>window.owned=3</script>"
    links = page.eval_on_selector_all("#detail a", "ns => ns.map(n => n.href)")
    assert links == ["https://example.org/a?b=%3Cc%3E"]  # javascript: is never a link
    assert requests == [out.as_uri()]
    assert errors == []
    page.close()


@needs_chromium
def test_periods_are_drawn_behind_the_lanes(browser, story, tmp_path) -> None:
    from explorer.model.dates import parse_date

    june = parse_date("2026-06")
    periods = [{"name": "June 2026", "lo": june.seconds, "hi": june.end}]
    out = tmp_path / "periods.html"
    out.write_text(page_html(story, periods), encoding="utf-8")
    page, _, _ = open_page(browser, out)
    labels = page.eval_on_selector_all(".period-label", "ns => ns.map(n => n.textContent)")
    assert labels
    assert set(labels) == {"June 2026"}
    width = page.eval_on_selector(".period", "n => n.getBoundingClientRect().width")
    assert width > 5
    page.close()


@needs_chromium
def test_cli_export_html_is_the_page(browser, tmp_path) -> None:
    out = tmp_path / "story.html"
    result = run("--export", str(out))
    assert result.returncode == 0, result.stderr
    page, requests, errors = open_page(browser, out)
    assert page.eval_on_selector_all("#lanes .event", "ns => ns.length") >= 6
    assert requests == [out.as_uri()]
    assert errors == []
    page.screenshot(path=str(tmp_path / "page.png"))
    page.close()
