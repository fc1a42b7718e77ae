"""New from article, without a window: reading (text, HTML, mojibake), dates at their
precision, figures, actors, status hints, merged duplicates, records, the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.article.dates import find_dates, resolve
from explorer.article.figures import find_figures
from explorer.article.proposals import UNHINTED, NoDatesError, Proposal, analyse, status_hint
from explorer.article.records import article_edit
from explorer.article.source import article_from_html, article_from_text, load_article, repair
from explorer.edits import EditGroup, SetRecord
from explorer.io.native import document_to_json, read_native
from explorer.model.dates import MONTH_NAMES, Precision, days_in_month, parse_date
from explorer.model.document import ClaimStatus, Document
from tests.test_cli import run

SEED = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "seed" / "permission-layer-article.txt"
)
needs_seed = pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not beside the repo")


def seed_proposals(actors: list[tuple[str, str, str]] | None = None) -> list[Proposal]:
    return analyse(load_article(SEED), actors or []).proposals


def by_date(proposals: list[Proposal], iso: str) -> Proposal:
    matches = [p for p in proposals if p.date.iso() == iso]
    assert len(matches) == 1, [p.date.iso() for p in proposals]
    return matches[0]


# --- the seed article: the "done when" -------------------------------------


@needs_seed
def test_seed_proposes_the_five_dated_facts_at_their_precisions() -> None:
    proposals = seed_proposals()
    dated = [(p.date.iso(), p.date.precision) for p in proposals if not p.undated]
    assert dated == [
        ("2025", Precision.YEAR),
        ("2026-06-12", Precision.DAY),
        ("2026-06-19", Precision.DAY),
        ("2026-06-24", Precision.DAY),
        ("2026-07-08", Precision.DAY),
    ]


@needs_seed
def test_seed_facts_stated_twice_are_merged_into_one() -> None:
    proposals = seed_proposals()
    # "July 8" is in the summary box, the body, the timeline and three more paragraphs.
    july = by_date(proposals, "2026-07-08")
    assert len(july.sentences) >= 5
    texts = " ".join(s.text for s in july.sentences)
    assert "Anthropic ID verification deadline" in texts  # the summary box
    assert "mandatory passport and national ID verification" in texts  # the body
    june12 = by_date(proposals, "2026-06-12")
    assert any(s.text == "Fable 5 shut down to foreign nationals" for s in june12.sentences)
    # The timeline entry wins as the summary; the title is drafted from it.
    assert june12.summary.startswith("US government orders Fable 5 shut down")
    assert june12.title == "US government orders Fable 5 shut down to foreign nationals"


@needs_seed
def test_seed_figures_keep_their_qualifiers() -> None:
    proposals = seed_proposals()
    figures = {(f.text, f.quantity, f.unit, f.qualifier) for p in proposals for f in p.figures}
    accusation = by_date(proposals, "2026-06-24")
    thousands = next(f for f in accusation.figures if f.qualifier == "thousands")
    assert (thousands.text, thousands.quantity) == ("1,000s", 1000)
    assert thousands.label == "Fraudulent accounts used by Alibaba"
    glasswing = by_date(proposals, "2025")
    assert [(f.text, f.quantity, f.qualifier) for f in glasswing.figures] == [
        ("200+", 200, "more than")
    ]
    assert ("$295 billion", 295e9, "USD", "") in figures
    assert find_figures("the $295B infrastructure plan")[0].quantity == 295e9


@needs_seed
def test_seed_accusation_is_alleged_with_anthropic_and_alibaba() -> None:
    accusation = by_date(seed_proposals(), "2026-06-24")
    assert accusation.status == ClaimStatus.ALLEGED
    roles = {a.name: a.role for a in accusation.actors}
    assert roles["Anthropic"] == "accuser"
    assert roles["Alibaba"] == "accused"
    assert roles["Bloomberg"] == "reporter"
    # The pull quote, with the speaker line the article puts above it.
    assert [(q.speaker, q.text[:20]) for q in accusation.quotes] == [
        ("Anthropic / Bloomberg", "Alibaba waged a larg")
    ]


@needs_seed
def test_seed_actors_match_the_documents_own(story: Document) -> None:
    actors = list(zip(story.actors["id"], story.actors["name"], story.actors["kind"], strict=True))
    proposals = seed_proposals(actors)
    accusation = by_date(proposals, "2026-06-24")
    ids = {a.actor_id for a in accusation.actors}
    assert {"anthropic", "alibaba", "bloomberg"} <= ids
    launch = by_date(proposals, "2026-06-19")
    # "DeepSeek V4-Pro" and "Huawei Ascend" are the document's DeepSeek and Huawei.
    assert {"deepseek", "huawei", "china"} <= {a.actor_id for a in launch.actors}


@needs_seed
def test_seed_undated_figure_is_placed_in_the_publication_year_and_flagged() -> None:
    analysis = analyse(load_article(SEED), [], parse_date("2026-06-25"))
    undated = [p for p in analysis.proposals if p.undated]
    assert [p.title for p in undated] == [
        "China committed $295 billion to domestic AI infrastructure"
    ]
    assert undated[0].date == parse_date("2026")
    assert "the year of publication" in undated[0].notes[0]
    assert analysis.notes == []  # the date was given: no guess to announce


@needs_seed
def test_without_a_publication_date_the_guess_is_announced() -> None:
    analysis = analyse(load_article(SEED), [])
    assert any("publication date not given" in note for note in analysis.notes)


# --- reading ---------------------------------------------------------------------------


@needs_seed
def test_seed_mojibake_is_repaired() -> None:
    raw = SEED.read_text(encoding="utf-8")
    assert "β€”" in raw
    text = load_article(SEED).text
    assert "β€" not in text
    assert "prevent — and" in text
    assert "Business Engineer →" in text
    assert "“large-scale”" in text  # typographic quotes are kept: they mark quotations


def test_repair_leaves_real_greek_and_symbols_alone() -> None:
    for text in ("Το β είναι γράμμα", "€ 20 — “quoted”", "naïve café"):
        assert repair(text) == text
    assert repair("cafÃ©") == "café"  # ftfy's own repair


HTML = """<!DOCTYPE html><html><head><title>Site | Port closes</title>
<meta property="og:title" content="Harbour authority closes the north port">
<meta property="og:site_name" content="The Coastal Gazette">
<meta property="og:url" content="https://example.org/news/port">
<meta property="article:published_time" content="2024-03-06T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a> March 1, 1999 menu</nav>
<article><h1>Harbour authority closes the north port</h1>
<p>The Harbour Authority closed the north port on March 4 after a fuel spill, according to
the coastguard. Officials said the port would reopen within a week.</p>
<p>On Monday, the Harbour Authority said repairs had begun. The spill was first reported
by fishermen yesterday.</p>
<p>In 2019 the Harbour Authority had fined the operator about $2 million.</p>
</article><footer>Subscribe now · © 2024</footer></body></html>"""


def test_html_takes_the_article_body_and_its_metadata(tmp_path: Path) -> None:
    page = tmp_path / "port.html"
    page.write_text(HTML, encoding="utf-8")
    article = load_article(page)
    assert article.title == "Harbour authority closes the north port"
    assert article.publisher == "The Coastal Gazette"
    assert article.url == "https://example.org/news/port"
    assert article.published == parse_date("2024-03-06")
    assert "menu" not in article.text
    assert "Subscribe" not in article.text
    proposals = analyse(article, []).proposals
    assert "1999-03-01" not in {p.date.iso() for p in proposals}  # the menu is not the article
    closure = next(p for p in proposals if "fuel spill" in p.summary)
    # "March 4" takes its year from the publication date, and says so.
    assert (closure.date.iso(), closure.notes) == ("2024-03-04", ["year inferred"])
    assert closure.status == ClaimStatus.REPORTED  # "according to the coastguard"
    # Relative dates are anchored on the publication date (Wednesday 6 March 2024).
    repairs = next(p for p in proposals if "repairs had begun" in p.summary)
    assert repairs.date.iso() == "2024-03-04"  # "On Monday"
    assert repairs is not closure  # same day, different facts: not merged
    spill = next(p for p in proposals if "yesterday" in p.summary)
    assert (spill.date.iso(), spill.notes) == (
        "2024-03-05",
        ["date inferred from the publication date"],
    )
    fine = next(p for p in proposals if p.date.iso() == "2019")
    assert (fine.figures[0].quantity, fine.figures[0].qualifier) == (2e6, "about")


def test_html_without_an_article_is_a_clear_error() -> None:
    from explorer.io.errors import ReadError

    with pytest.raises(ReadError, match="no article text"):
        article_from_html("<html><body><script>var a = 1;</script></body></html>", "empty.html")


def test_text_with_no_dates_is_a_clear_message_and_adds_nothing() -> None:
    article = article_from_text("A quiet day.\n\nNothing happened, and 200+ people saw it.\n")
    with pytest.raises(NoDatesError, match="no dates found"):
        analyse(article, [])


def test_a_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.article import source
    from explorer.io.errors import ReadError

    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("x" * 200)
    with pytest.raises(ReadError, match="at most 100"):
        load_article(big)


# --- dates -------------------------------------------------------------------------------


def test_inferred_years_are_flagged_and_written_years_are_not() -> None:
    text = "Funding review\n\nThe council met on 3 May 2021.\n\nThe board voted on July 8.\n"
    proposals = analyse(article_from_text(text), []).proposals
    dates = {p.date.iso(): p.notes for p in proposals}
    assert dates["2021-05-03"] == []
    # No publication date: "July 8" takes the year written nearest it in the article.
    assert dates["2021-07-08"] == ["year inferred"]
    anchored = analyse(article_from_text(text), [], parse_date("2023-01-10")).proposals
    assert "2023-07-08" in {p.date.iso() for p in anchored}


@given(
    year=st.integers(1000, 2199),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    form=st.sampled_from(["{M} {d}, {y}", "{d} {M} {y}", "{y}-{m:02d}-{d:02d}", "{M} {y}", "{y}"]),
)
def test_a_written_date_is_read_at_its_precision(
    year: int, month: int, day: int, form: str
) -> None:
    day = min(day, days_in_month(year, month))
    written = form.format(M=MONTH_NAMES[month - 1], d=day, y=year, m=month)
    found = find_dates(f"It happened on {written}. Then nothing.")
    assert len(found) == 1
    resolved = resolve(found[0], None, None)
    assert resolved is not None
    assert resolved.notes == ()
    precision = {"{M} {y}": Precision.MONTH, "{y}": Precision.YEAR}.get(form, Precision.DAY)
    assert resolved.value.precision == precision
    iso = {Precision.YEAR: f"{year}", Precision.MONTH: f"{year}-{month:02d}"}.get(
        precision, f"{year}-{month:02d}-{day:02d}"
    )
    assert resolved.value.iso() == iso.zfill(4)


def test_relative_dates_need_the_publication_date() -> None:
    published = parse_date("2026-06-24")  # a Wednesday
    (yesterday,) = find_dates("yesterday")
    assert resolve(yesterday, None, None) is None
    got = resolve(yesterday, None, published)
    assert got is not None
    assert got.value.iso() == "2026-06-23"
    (monday,) = find_dates("on Monday")
    got = resolve(monday, None, published)
    assert got is not None
    assert got.value.iso() == "2026-06-22"
    (last_year,) = find_dates("last year")
    got = resolve(last_year, None, published)
    assert got is not None
    assert got.value.iso() == "2025"


def test_numbers_that_are_not_dates() -> None:
    assert find_dates("it may rain; 200 people and 1,999 votes; 2025-10 and $2020") == []
    assert find_dates("Huawei Ascend 950 chips") == []


# --- figures and hints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000s", ("1,000s", 1000.0, "", "thousands")),
        ("200+ orgs", ("200+", 200.0, "orgs", "more than")),
        ("$295B", ("$295B", 295e9, "USD", "")),
        ("$295 billion", ("$295 billion", 295e9, "USD", "")),
        ("thousands of fake accounts", ("thousands of", 1000.0, "fake accounts", "thousands")),
        ("about 40% of users", ("about 40%", 40.0, "%", "about")),
        ("€3.5m fine", ("€3.5m", 3.5e6, "EUR", "")),
    ],
)
def test_figures_as_written(text: str, expected: tuple[str, float, str, str]) -> None:
    (figure,) = find_figures(text)
    assert (figure.text, figure.quantity, figure.unit, figure.qualifier) == expected


def test_model_numbers_are_not_figures() -> None:
    assert find_figures("Fable 5 and DeepSeek V4-Pro on Ascend 950 chips") == []


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Anthropic accused Alibaba of fraud.", ClaimStatus.ALLEGED),
        ("Alibaba allegedly ran the accounts.", ClaimStatus.ALLEGED),
        ("The firm reportedly paid.", ClaimStatus.REPORTED),
        ("According to Reuters, the deal closed.", ClaimStatus.REPORTED),
        ("Alibaba denied the claims.", ClaimStatus.DISPUTED),
        ("The port closed.", UNHINTED),
    ],
)
def test_status_hints_from_wording(sentence: str, status: ClaimStatus) -> None:
    assert status_hint(sentence)[0] == status


# --- records and the one edit ------------------------------------------------------------


@needs_seed
def test_accepting_is_one_edit_that_undoes_exactly(story: Document) -> None:
    actors = list(zip(story.actors["id"], story.actors["name"], story.actors["kind"], strict=True))
    analysis = analyse(load_article(SEED), actors)
    before = story.copy()
    edit = article_edit(story, analysis, analysis.proposals)
    assert isinstance(edit, EditGroup)
    edit.apply(story)
    assert len(story.events) == len(before.events) + len(analysis.proposals)
    added = document_to_json(story)["events"][len(before.events) :]
    source = story.sources["id"].iloc[-1]
    assert all(e["sources"] == [source] for e in added)  # every event cites the article
    accusation = next(e for e in added if e["start"] == "2026-06-24")
    assert accusation["status"] == "alleged"
    assert {"anthropic", "alibaba"} <= {a["actor"] for a in accusation["actors"]}
    assert accusation["attributes"]["quote"].startswith("“Alibaba waged")
    edit.undo(story)
    assert story.equals(before)


def test_a_refused_part_undoes_the_parts_before_it() -> None:
    doc = Document()
    good = SetRecord("themes", "t1", {"id": "t1", "name": "One", "description": ""})
    bad = SetRecord("themes", "t2", {"id": "t2"})  # no name: refused
    with pytest.raises(ValueError, match="name"):
        EditGroup([good, bad], "both").apply(doc)
    assert len(doc.themes) == 0


# --- the command line ---------------------------------------------------------------------


@needs_seed
def test_cli_from_article_accepts_every_proposal(tmp_path: Path) -> None:
    out = tmp_path / "story.json"
    result = run("--from-article", str(SEED), "--published", "2026-06-25", "--export", str(out))
    assert result.returncode == 0, result.stderr
    doc = read_native(out)
    assert (
        doc.title
        == "Anthropic Accuses Alibaba of Using Thousands of Fake Accounts to Steal Claude Access"
    )
    assert sorted(document_to_json(doc)["events"], key=lambda e: e["start"])[0]["start"] == "2025"
    assert len(doc.events) == 6
    assert list(doc.sources["published"]) == [parse_date("2026-06-25").seconds]
    assert "6 events added from the article" in result.stderr


def test_cli_article_without_dates_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    text = tmp_path / "nothing.txt"
    text.write_text("No dates here.\n")
    out = tmp_path / "out.json"
    result = run("--from-article", str(text), "--export", str(out))
    assert result.returncode == 2
    assert "nothing.txt: no dates found in the text; nothing to propose" in result.stderr
    assert not out.exists()


def test_cli_published_must_be_a_date(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("It rained on 3 May 2021.\n")
    result = run("--from-article", str(text), "--published", "soon", "--export", "x.json")
    assert result.returncode == 2
    assert "--published" in result.stderr


def test_an_over_long_text_is_refused_with_the_limit() -> None:
    from explorer.article.source import MAX_ARTICLE_CHARS
    from explorer.io.errors import ReadError

    with pytest.raises(ReadError, match=f"at most {MAX_ARTICLE_CHARS:,}"):
        article_from_text("x" * (MAX_ARTICLE_CHARS + 1), "long.txt")
