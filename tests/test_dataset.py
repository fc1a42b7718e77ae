"""The bundled default dataset says what the Permission Layer article says, and no more.

Each fact from the article (FourWeekMBA, after Bloomberg's June 24, 2026 report) is
asserted on its own, so that a failing test names the fact that went missing.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from explorer.io.native import dumps_native, read_native
from explorer.model.dates import Precision, parse_date, to_seconds
from explorer.model.document import NO_END, Document, end_value, event_bounds, start_value
from explorer.model.validate import problems
from explorer.resources import dataset_path


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_native(dataset_path())


def _row(frame: pd.DataFrame, ident: str, key: str = "id") -> int:
    rows = frame.index[frame[key] == ident].tolist()
    assert len(rows) == 1, f"expected exactly one {key} {ident!r}, found {len(rows)}"
    return frame.index.get_loc(rows[0])


def _value(frame: pd.DataFrame, ident: str, column: str) -> object:
    return frame[column].iat[_row(frame, ident)]


def _pairs(frame: pd.DataFrame, left: str, right: str) -> set[tuple[str, str]]:
    return set(zip(frame[left].astype(str), frame[right].astype(str), strict=True))


# --- the file itself ------------------------------------------------------------------


def test_file_is_canonical() -> None:
    path = dataset_path()
    assert dumps_native(read_native(path)) == path.read_bytes()


def test_file_is_valid(doc: Document) -> None:
    assert problems(doc) == []


def test_text_has_no_mojibake() -> None:
    text = dataset_path().read_text("utf-8")
    assert "β€" not in text
    assert "—" in text
    assert "“" in text
    assert "’" in text


def test_title_and_description(doc: Document) -> None:
    assert doc.title == "The Permission Layer: who controls access to frontier AI"
    assert "Bloomberg" in doc.description
    assert "allegation" in doc.description


# --- events: dates, precision, status -------------------------------------------------

EVENT_DATES = [
    ("e-glasswing-blocks", "2025", Precision.YEAR, (2025,), (2026,)),
    ("e-china-295b-commitment", "2026", Precision.YEAR, (2026,), (2027,)),
    ("e-fable5-shutdown", "2026-06-12", Precision.DAY, (2026, 6, 12), (2026, 6, 13)),
    ("e-deepseek-v4-pro-launch", "2026-06-19", Precision.DAY, (2026, 6, 19), (2026, 6, 20)),
    ("e-alibaba-accusation", "2026-06-24", Precision.DAY, (2026, 6, 24), (2026, 6, 25)),
    ("e-anthropic-id-mandate", "2026-07-08", Precision.DAY, (2026, 7, 8), (2026, 7, 9)),
]


def test_exactly_the_article_events(doc: Document) -> None:
    assert sorted(doc.events["id"]) == sorted(e[0] for e in EVENT_DATES)


@pytest.mark.parametrize(("ident", "iso", "precision", "lo", "hi"), EVENT_DATES)
def test_event_date_and_precision(
    doc: Document,
    ident: str,
    iso: str,
    precision: Precision,
    lo: tuple[int, ...],
    hi: tuple[int, ...],
) -> None:
    row = _row(doc.events, ident)
    start = start_value(doc.events, row)
    assert start == parse_date(iso)
    assert start.precision == precision
    assert start.iso() == iso
    assert end_value(doc.events, row) is None
    los, his = event_bounds(doc.events)
    assert (int(los[row]), int(his[row])) == (to_seconds(*lo), to_seconds(*hi))


def test_events_are_in_date_order(doc: Document) -> None:
    starts = doc.events["start"].tolist()
    assert starts == sorted(starts)


EVENT_STATUS = [
    ("e-glasswing-blocks", "reported"),
    ("e-china-295b-commitment", "reported"),
    ("e-fable5-shutdown", "reported"),
    ("e-deepseek-v4-pro-launch", "reported"),
    ("e-alibaba-accusation", "alleged"),
    ("e-anthropic-id-mandate", "reported"),
]


@pytest.mark.parametrize(("ident", "status"), EVENT_STATUS)
def test_event_status(doc: Document, ident: str, status: str) -> None:
    assert _value(doc.events, ident, "status") == status


def test_accusation_rests_on_anthropics_word(doc: Document) -> None:
    assert _value(doc.events, "e-alibaba-accusation", "status") != "confirmed"
    summary = str(_value(doc.events, "e-alibaba-accusation", "summary"))
    quote = (
        "“Alibaba waged a large-scale effort to illicitly access Claude AI, "
        "using thousands of fraudulent accounts.”"
    )
    assert quote in summary
    assert "has not disclosed the technical depth" in summary


@pytest.mark.parametrize(
    ("ident", "words"),
    [
        ("e-glasswing-blocks", ("Glasswing Ventures", "200+")),
        ("e-china-295b-commitment", ("$295 billion", "no date")),
        ("e-fable5-shutdown", ("Fable 5", "foreign nationals", "nationality-based")),
        ("e-deepseek-v4-pro-launch", ("DeepSeek V4-Pro", "Huawei Ascend 950")),
        ("e-alibaba-accusation", ("Bloomberg", "fraudulent", "Claude")),
        ("e-anthropic-id-mandate", ("passport/national ID", "Claude API", "July 8")),
    ],
)
def test_event_text_names_the_fact(doc: Document, ident: str, words: tuple[str, ...]) -> None:
    text = f"{_value(doc.events, ident, 'title')} {_value(doc.events, ident, 'summary')}"
    for word in words:
        assert word in text


# --- actors ---------------------------------------------------------------------------

ACTORS = [
    ("us-government", "US Government", "government", "ESCALATING", "executive order"),
    ("anthropic", "Anthropic", "company", "PROACTIVE", "real-identity binding"),
    ("glasswing", "Glasswing Ventures", "investor", "DOCUMENTED", "over 200 organizations"),
    ("china", "China", "state", "DUAL TRACK", "Both tracks running in parallel"),
    ("alibaba", "Alibaba", "company", "", "fraudulent accounts"),
    ("deepseek", "DeepSeek", "company", "", "V4-Pro"),
    ("huawei", "Huawei", "company", "", "Ascend 950"),
    ("bloomberg", "Bloomberg", "media", "", "June 24, 2026"),
]


def test_exactly_the_article_actors(doc: Document) -> None:
    assert sorted(doc.actors["id"]) == sorted(a[0] for a in ACTORS)


@pytest.mark.parametrize(("ident", "name", "kind", "posture", "phrase"), ACTORS)
def test_actor(doc: Document, ident: str, name: str, kind: str, posture: str, phrase: str) -> None:
    assert _value(doc.actors, ident, "name") == name
    assert _value(doc.actors, ident, "kind") == kind
    assert _value(doc.actors, ident, "posture") == posture
    assert phrase in str(_value(doc.actors, ident, "description"))


def test_actor_colours_are_distinct(doc: Document) -> None:
    colours = [str(c).lower() for c in doc.actors["colour"]]
    assert all(len(c) == 7 and c.startswith("#") for c in colours)
    assert len(set(colours)) == len(colours)


LINKS = [
    ("e-glasswing-blocks", "glasswing", "documenter"),
    ("e-china-295b-commitment", "china", "funder"),
    ("e-fable5-shutdown", "us-government", "regulator"),
    ("e-deepseek-v4-pro-launch", "deepseek", "launcher"),
    ("e-deepseek-v4-pro-launch", "huawei", "manufacturer"),
    ("e-deepseek-v4-pro-launch", "china", "home state"),
    ("e-alibaba-accusation", "anthropic", "accuser"),
    ("e-alibaba-accusation", "alibaba", "accused"),
    ("e-alibaba-accusation", "bloomberg", "reporter"),
    ("e-alibaba-accusation", "china", "alleged beneficiary"),
    ("e-anthropic-id-mandate", "anthropic", "issuer"),
]


def test_exactly_these_links(doc: Document) -> None:
    found = set(zip(doc.links["event_id"], doc.links["actor_id"], doc.links["role"], strict=True))
    assert found == set(LINKS)
    assert len(doc.links) == len(LINKS)


@pytest.mark.parametrize(("event", "actor", "role"), LINKS)
def test_link_role(doc: Document, event: str, actor: str, role: str) -> None:
    links = doc.links
    match = links[(links["event_id"] == event) & (links["actor_id"] == actor)]
    assert match["role"].tolist() == [role]


# --- figures --------------------------------------------------------------------------

FIGURES = [
    ("e-alibaba-accusation", "1,000s", 1000, "accounts", "thousands", "Fraudulent accounts"),
    ("e-glasswing-blocks", "200+", 200, "organizations", "more than", "Orgs blocked"),
    ("e-china-295b-commitment", "$295 billion", 295_000_000_000, "USD", "", "AI infrastructure"),
]


def test_exactly_these_figures(doc: Document) -> None:
    assert sorted(doc.figures["text"]) == sorted(f[1] for f in FIGURES)


@pytest.mark.parametrize(("event", "text", "quantity", "unit", "qualifier", "label"), FIGURES)
def test_figure(
    doc: Document, event: str, text: str, quantity: float, unit: str, qualifier: str, label: str
) -> None:
    row = _row(doc.figures, text, key="text")
    assert doc.figures["event_id"].iat[row] == event
    assert math.isclose(float(doc.figures["quantity"].iat[row]), quantity)
    assert doc.figures["unit"].iat[row] == unit
    assert doc.figures["qualifier"].iat[row] == qualifier
    assert label in str(doc.figures["label"].iat[row])


# --- themes ---------------------------------------------------------------------------

THEMES = [
    (
        "t-identity-moat",
        "Identity is now the moat",
        {"e-anthropic-id-mandate", "e-alibaba-accusation"},
    ),
    (
        "t-belt-and-suspenders",
        "DeepSeek + Claude = belt and suspenders",
        {"e-deepseek-v4-pro-launch", "e-china-295b-commitment", "e-alibaba-accusation"},
    ),
    (
        "t-geopolitical-infrastructure",
        "The Permission Layer is becoming geopolitical infrastructure",
        {"e-glasswing-blocks", "e-fable5-shutdown", "e-alibaba-accusation"},
    ),
]


def test_exactly_the_three_implications(doc: Document) -> None:
    assert sorted(doc.themes["id"]) == sorted(t[0] for t in THEMES)


@pytest.mark.parametrize(("ident", "name", "events"), THEMES)
def test_theme_and_its_events(doc: Document, ident: str, name: str, events: set[str]) -> None:
    assert _value(doc.themes, ident, "name") == name
    assert str(_value(doc.themes, ident, "description")).strip()
    linked = {e for e, t in _pairs(doc.event_themes, "event_id", "theme_id") if t == ident}
    assert linked == events


# --- sources --------------------------------------------------------------------------

SOURCES = [
    ("s-bloomberg-2026-06-24", "Bloomberg", "2026-06-24"),
    ("s-fourweekmba-article", "FourWeekMBA", None),
    ("s-deepseek-v4-pro-analysis", "", None),
    ("s-china-295b-ai-infrastructure", "", None),
    ("s-business-engineer-permission-layer", "Business Engineer", None),
]


def test_exactly_the_article_sources(doc: Document) -> None:
    assert sorted(doc.sources["id"]) == sorted(s[0] for s in SOURCES)


@pytest.mark.parametrize(("ident", "publisher", "published"), SOURCES)
def test_source_publisher_and_date(
    doc: Document, ident: str, publisher: str, published: str | None
) -> None:
    row = _row(doc.sources, ident)
    assert doc.sources["publisher"].iat[row] == publisher
    assert str(doc.sources["title"].iat[row]).strip()
    precision = int(doc.sources["published_precision"].iat[row])
    if published is None:
        assert precision == NO_END
    else:
        date = parse_date(published)
        assert (int(doc.sources["published"].iat[row]), precision) == (date.seconds, date.precision)


def test_no_invented_urls(doc: Document) -> None:
    assert doc.sources["url"].tolist() == [""] * len(doc.sources)


def test_article_source_title(doc: Document) -> None:
    title = _value(doc.sources, "s-fourweekmba-article", "title")
    assert title == (
        "Anthropic Accuses Alibaba of Using Thousands of Fake Accounts to Steal Claude Access"
    )


EVENT_SOURCES = [
    ("e-glasswing-blocks", {"s-fourweekmba-article"}),
    ("e-china-295b-commitment", {"s-fourweekmba-article", "s-china-295b-ai-infrastructure"}),
    ("e-fable5-shutdown", {"s-fourweekmba-article"}),
    ("e-deepseek-v4-pro-launch", {"s-fourweekmba-article", "s-deepseek-v4-pro-analysis"}),
    ("e-alibaba-accusation", {"s-bloomberg-2026-06-24", "s-fourweekmba-article"}),
    ("e-anthropic-id-mandate", {"s-fourweekmba-article"}),
]


@pytest.mark.parametrize(("event", "sources"), EVENT_SOURCES)
def test_event_sources(doc: Document, event: str, sources: set[str]) -> None:
    linked = {s for e, s in _pairs(doc.event_sources, "event_id", "source_id") if e == event}
    assert linked == sources
