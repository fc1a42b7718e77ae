"""Proposed events from an article: the sentences that carry dates, merged where the
article states one fact twice, each with actors, figures, quotes and a status hint.

The article's shape is used the way a reader uses it: a short line that is only a
date ("June 12, 2026", "2025 — Background", "July 8") dates the block after it (a
timeline entry or a summary-box item); a short line that is only a figure ("200+")
labels the figure with the block after it; a block that is only a quotation takes its
speaker from the short line before it. Sentences without a date that repeat a dated
fact's figure or words are further mentions of it; those with a figure of their own
become an undated proposal placed in the publication year and flagged.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Final

from explorer.article import words
from explorer.article.actors import ActorMatcher, ActorRef
from explorer.article.dates import DateMention, explicit_years, find_dates, resolve
from explorer.article.figures import Figure, find_figures
from explorer.article.source import Article
from explorer.model.dates import DatedValue, Precision, parts, to_seconds
from explorer.model.document import DEFAULT_STATUS, ClaimStatus

# The status a proposal gets from its wording, weakest first: the first word that
# matches decides. Wording that hedges nothing gets UNHINTED.
STATUS_HINTS: Final[tuple[tuple[ClaimStatus, re.Pattern[str]], ...]] = (
    (
        ClaimStatus.DISPUTED,
        re.compile(r"\b(denie[sd]|deny|denying|disputes?|disputed|rejects)\b", re.I),
    ),
    (ClaimStatus.ALLEGED, re.compile(r"\b(accus\w*|alleg\w*|purported\w*)\b", re.I)),
    (
        ClaimStatus.REPORTED,
        re.compile(r"\b(reportedly|according to|reported|reports|is said to|sources say)\b", re.I),
    ),
)
# A proposal whose wording hedges nothing is what a new event is: nobody has assessed it.
UNHINTED: Final = DEFAULT_STATUS
UNHINTED_LABEL: Final = "no hedging word: the default status"

_SHORT: Final = 90  # characters: a heading, a box value or label, a speaker line
_SENTENCE_END: Final = re.compile(r"(?<=[.!?…])[”’\")\]]*\s+(?=[“\"‘(\[]?[A-Z0-9$€£])")
_ABBREVIATION: Final = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Inc|Corp|Ltd|No|vs|U\.S|e\.g|i\.e)\.$")
_QUOTE: Final = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_STOPWORDS: Final = words(
    """
    a an the to of in on at by for from with via and or but is are was were be been being
    has have had that this these those it its as than into over under not no it's their they
    them there here then so also just even only about after before since until all any both
    each every some such more most much many other another which who whom what when where
    while how will would can could may might must should shall do does did january february
    march april may june july august september october november december
    """
)
_ROLE_VERBS: Final = (
    (re.compile(r"\baccus\w*", re.I), "accuser", "accused"),
    (re.compile(r"\b(?:reported|reports|reporting)\b", re.I), "reporter", ""),
    (re.compile(r"\b(?:announc\w*|mandat\w*|ordered|orders|order)\b", re.I), "issuer", ""),
    (re.compile(r"\b(?:launch\w*|released?|unveil\w*)\b", re.I), "launcher", ""),
    (re.compile(r"\b(?:document\w*|identif\w*)\b", re.I), "documenter", ""),
    (re.compile(r"\b(?:committ\w*|invest\w*|fund\w*)\b", re.I), "funder", ""),
    (re.compile(r"\b(?:said|says|told|stated)\b", re.I), "speaker", ""),
    (re.compile(r"\b(?:denie[sd]|deny)\b", re.I), "denier", ""),
)
_ATTRIBUTION: Final = re.compile(
    r"(?:according to\s+(?P<a>[A-Z][\w’'. -]+?)(?=[,.;]|$))|(?:(?P<b>[A-Z][\w’'. -]+?)"
    r"\s+(?:said|says|told|wrote|stated))",
)


class NoDatesError(ValueError):
    """The text names no date: nothing can be proposed."""


@dataclass
class Quote:
    text: str
    speaker: str = ""


@dataclass
class ProposedActor:
    name: str
    actor_id: str | None  # None: a new actor, added on accept
    kind: str
    role: str = ""


@dataclass
class Sentence:
    text: str
    start: int  # offsets in the article's text
    end: int


@dataclass
class Proposal:
    ident: str
    date: DatedValue
    title: str
    summary: str
    status: ClaimStatus
    status_reason: str
    actors: list[ProposedActor] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "year inferred", "undated: ..."
    sentences: list[Sentence] = field(default_factory=list)  # the first is the summary's
    undated: bool = False

    @property
    def words(self) -> set[str]:
        return set().union(*(content_words(s.text) for s in self.sentences))

    @property
    def claims(self) -> set[str]:
        """What the sentences say, names aside."""
        return set().union(*(content_words(s.text, names=False) for s in self.sentences))


@dataclass
class Analysis:
    article: Article
    published: DatedValue | None
    proposals: list[Proposal]
    notes: list[str]


@dataclass
class _Block:
    text: str
    start: int

    @property
    def short(self) -> bool:
        return len(self.text) <= _SHORT and not self.text.rstrip().endswith((".", "?", "!"))


@functools.lru_cache(maxsize=65536)
def _content_words(text: str, names: bool) -> frozenset[str]:
    return frozenset(
        w.lower()[:5]
        for w in _WORD.findall(text)
        if w.lower() not in _STOPWORDS and len(w) > 2 and (names or not w[0].isupper())
    )


def content_words(text: str, *, names: bool = True) -> set[str]:
    """Words that say what a sentence is about, cut to five letters (a crude stem);
    without `names`, capitalised words are left out: two facts of one day often name
    the same actors, and only what they say of them tells them apart."""
    return set(_content_words(text, names))


def overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def blocks(text: str) -> list[_Block]:
    """Paragraphs (blank-line separated; a .txt often has one paragraph a line)."""
    out: list[_Block] = []
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        lines = m.group(0)
        # A Markdown list or a text of one paragraph a line: every line is a block.
        if all(len(line) <= _SHORT for line in lines.split("\n")) or "\n" not in lines:
            offset = m.start()
            for line in lines.split("\n"):
                if line.strip():
                    out.append(
                        _Block(
                            line.lstrip("#>*- ").rstrip(),
                            offset + len(line) - len(line.lstrip("#>*- ")),
                        )
                    )
                offset += len(line) + 1
        else:
            out.append(_Block(lines, m.start()))
    return out


def sentences(block: _Block) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    text = block.text
    for m in _SENTENCE_END.finditer(text):
        piece = text[start : m.start()]
        if _ABBREVIATION.search(piece):
            continue
        out.append(Sentence(piece.strip(), block.start + start, block.start + m.start()))
        start = m.end()
    if text[start:].strip():
        out.append(Sentence(text[start:].strip(), block.start + start, block.start + len(text)))
    return out


def _heading_date(block: _Block) -> DateMention | None:
    """A block that is only a date, or a date and a short label ("2025 — Background")."""
    if not block.short:
        return None
    found = find_dates(block.text)
    if not found or found[0].start > 2 or found[0].relative:
        return None
    rest = block.text[found[0].end :].strip(" ,:—–-")
    return found[0] if len(rest.split()) <= 4 else None


def _only_figure(block: _Block) -> Figure | None:
    if not block.short or len(block.text) > 24:
        return None
    figures = find_figures(block.text)
    if len(figures) == 1 and len(figures[0].text) >= len(block.text.strip()) - 1:
        return figures[0]
    return None


def _only_quote(block: _Block) -> str | None:
    m = _QUOTE.fullmatch(block.text.strip())
    return m.group(1).strip() if m else None


def status_hint(text: str) -> tuple[ClaimStatus, str]:
    for status, pattern in STATUS_HINTS:
        m = pattern.search(text)
        if m:
            return status, m.group(0)
    return UNHINTED, UNHINTED_LABEL


def _roles(sentence: str, refs: list[ActorRef]) -> list[ProposedActor]:
    verb = None
    for pattern, agent, patient in _ROLE_VERBS:
        m = pattern.search(sentence)
        if m and (verb is None or m.start() < verb[0]):
            verb = (m.start(), agent, patient)
    out: list[ProposedActor] = []
    for ref in refs:
        role = ""
        if ref.kind == "media" and (
            sentence[ref.end : ref.end + 1] == ":" or re.match(r"\s+report", sentence[ref.end :])
        ):
            role = "reporter"
        elif verb is not None:
            at, agent, patient = verb
            if ref.end <= at and not any(o.role == agent for o in out):
                role = agent
            elif ref.start > at and patient and not any(o.role == patient for o in out):
                role = patient
        out.append(ProposedActor(ref.name, ref.actor_id, ref.kind, role or "mentioned"))
    return out


def _quotes(text: str) -> list[Quote]:
    quotes: list[Quote] = []
    for m in _QUOTE.finditer(text):
        if len(m.group(1).split()) < 4:
            continue  # a scare quote ("large-scale"), not a quotation
        attribution = _ATTRIBUTION.search(text[m.end() :]) or _ATTRIBUTION.search(text[: m.start()])
        speaker = ""
        if attribution is not None:
            speaker = (attribution.group("a") or attribution.group("b") or "").strip()
        quotes.append(Quote(m.group(1).strip(), speaker))
    return quotes


def draft_title(text: str, date: DateMention | None) -> str:
    """A headline from a sentence: the date phrase and a "Source:" prefix out, the first
    clause kept, at most about a hundred characters."""
    title = text
    if date is not None:
        before = title[: date.start]
        before = re.sub(
            r"\b(?:on|in|since|from|starting|by|as of|effective)\s*$", "", before, flags=re.I
        )
        title = f"{before.rstrip(' ,(')} {title[date.end :].lstrip(' ,:)')}".strip()
    title = re.sub(r"^[A-Z][\w ]{0,30}:\s+(?=\S)", "", title)  # "Bloomberg: ..."
    title = re.split(r"\s+[—–]\s+|;\s+|\s+-\s+", title)[0].strip()
    title = title.rstrip(".!?:, ")
    title = re.sub(r"\s{2,}", " ", title)
    if len(title) > 100:
        title = title[:100].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return title[:1].upper() + title[1:] if title else text[:100]


def analyse(
    article: Article,
    actors: list[tuple[str, str, str]],
    published: DatedValue | None = None,
) -> Analysis:
    """Proposals for `article`; `actors` are the document's (id, name, kind) and
    `published` the confirmed publication date (the metadata's when not given)."""
    published = published or article.published
    all_dates = find_dates(article.text)
    if not all_dates:
        raise NoDatesError(f"{article.name}: no dates found in the text; nothing to propose")
    notes: list[str] = []
    years = explicit_years(all_dates)
    main_year = Counter(years).most_common(1)[0][0] if years else None
    fallback_year = parts(published.seconds).year if published is not None else main_year
    if published is None:
        notes.append(
            "publication date not given: dates without a year take the year the article "
            f"writes most ({main_year})"
            if main_year
            else "publication date not given"
        )
    matcher = ActorMatcher(actors, article.text)
    candidates: list[Proposal] = []
    mentions: list[tuple[Sentence, list[Figure], list[Quote]]] = []
    boxed: list[Figure] = []
    all_blocks = blocks(article.text)
    skip_next = False
    for i, block in enumerate(all_blocks):
        if skip_next:
            skip_next = False
            continue
        following = all_blocks[i + 1] if i + 1 < len(all_blocks) else None
        heading = _heading_date(block)
        if heading is not None and following is not None and _heading_date(following) is None:
            resolved = resolve(heading, _context_year(block.text, fallback_year), published)
            if resolved is not None:
                sentence = Sentence(
                    following.text, following.start, following.start + len(following.text)
                )
                first = sentences(following)[0].text if not following.short else following.text
                candidates.append(
                    _proposal(
                        len(candidates),
                        resolved.value,
                        list(resolved.notes),
                        sentence,
                        draft_title(first, None),
                        matcher,
                        header=Sentence(block.text, block.start, block.start + len(block.text)),
                    )
                )
                skip_next = True
                continue
        figure = _only_figure(block)
        if figure is not None and following is not None and following.short:
            boxed.append(replace(figure, label=following.text.strip()))
            skip_next = True
            continue
        quote = _only_quote(block)
        if quote is not None:
            previous = all_blocks[i - 1] if i else None
            speaker = previous.text if previous is not None and previous.short else ""
            sentence = Sentence(block.text, block.start, block.start + len(block.text))
            mentions.append((sentence, find_figures(quote), [Quote(quote, speaker)]))
            continue
        for sentence in sentences(block):
            dates = find_dates(sentence.text)
            placed = None
            for mention in dates:
                before = block.text[: sentence.start - block.start + mention.start]
                placed = resolve(mention, _context_year(before, fallback_year), published)
                if placed is not None:
                    break
            skip = [(d.start, d.end) for d in dates]
            if placed is None:
                figures = find_figures(sentence.text, skip=skip)
                if figures:
                    mentions.append((sentence, figures, _quotes(sentence.text)))
                continue
            candidates.append(
                _proposal(
                    len(candidates),
                    placed.value,
                    list(placed.notes),
                    sentence,
                    draft_title(sentence.text, mention),
                    matcher,
                )
            )
    proposals = _merge_dated(candidates)
    undated_year = fallback_year
    # Mentions (undated sentences with a figure or a quotation) join the facts they repeat.
    for sentence, figures, quotes in mentions:
        sharing = [
            p for p in proposals if any(_same_figure(f, g) for f in figures for g in p.figures)
        ]
        if not sharing and not figures:
            target = _best(proposals, content_words(sentence.text), [])
            sharing = [target] if target is not None else []
        if not sharing and figures and undated_year is not None:
            where = "the year of publication" if published else "the year the article writes most"
            undated = _proposal(
                len(candidates) + len(proposals),
                DatedValue(to_seconds(undated_year), Precision.YEAR),
                [f"no date in the text: placed in {undated_year}, {where}"],
                sentence,
                draft_title(sentence.text, None),
                matcher,
            )
            undated.undated = True
            proposals.append(undated)
            continue
        for target in sharing:
            # A further mention: its sentence, and its quotes; its other figures belong
            # to the facts they repeat, not to this one.
            target.sentences.append(sentence)
            target.quotes.extend(q for q in quotes if q.text not in {x.text for x in target.quotes})
    for figure in boxed:
        target = _best(proposals, content_words(figure.label), [figure], threshold=0.34)
        if target is not None:
            _add_boxed(target, figure)
    if not proposals:
        raise NoDatesError(
            f"{article.name}: no sentence with a date could be placed; nothing to propose"
        )
    proposals.sort(key=lambda p: (p.date.seconds, p.date.precision, p.undated))
    for n, proposal in enumerate(proposals, start=1):
        proposal.ident = f"p{n}"
    return Analysis(article, published, proposals, notes)


def _context_year(text: str, fallback: int | None) -> int | None:
    """The last year written in `text` (what precedes a date in its paragraph)."""
    years = explicit_years(find_dates(text))
    return years[-1] if years else fallback


def _proposal(
    n: int,
    date: DatedValue,
    notes: list[str],
    sentence: Sentence,
    title: str,
    matcher: ActorMatcher,
    header: Sentence | None = None,
) -> Proposal:
    status, reason = status_hint(sentence.text)
    refs = matcher.refs(sentence.text)
    figures = find_figures(
        sentence.text, skip=[(d.start, d.end) for d in find_dates(sentence.text)]
    )
    return Proposal(
        ident=f"c{n}",
        date=date,
        title=title,
        summary=sentence.text.replace("\n", " "),
        status=status,
        status_reason=reason,
        actors=_roles(sentence.text, refs),
        figures=figures,
        quotes=_quotes(sentence.text),
        notes=notes,
        sentences=[sentence] if header is None else [sentence, header],
    )


def _merge_dated(candidates: list[Proposal]) -> list[Proposal]:
    """One proposal per fact: same date (and precision) and enough words in common.
    A timeline entry (dated by a heading) wins as the summary, then an explicit year."""
    merged: list[Proposal] = []
    for cand in sorted(candidates, key=_rank):
        # A sentence that says nothing but the date and names ("Source: Bloomberg
        # (June 24, 2026).") repeats whatever the article says of that day.
        twin = next(
            (
                p
                for p in merged
                if p.date == cand.date
                and (not cand.claims or overlap(p.claims, cand.claims) >= 0.25)
            ),
            None,
        )
        if twin is None:
            merged.append(cand)
        else:
            _absorb(twin, cand)
    return merged


def _rank(p: Proposal) -> tuple[bool, bool, bool, int]:
    """Timeline entries first (dated by a heading), then a written year, then length."""
    heading = len(p.sentences) > 1
    box = heading and len(p.summary) <= _SHORT
    return (not heading, box, "year inferred" in p.notes, -len(p.summary))


def _absorb(into: Proposal, other: Proposal) -> None:
    into.sentences.extend(other.sentences)
    # A hedge anywhere weakens the fact; a sentence that hedges nothing says nothing.
    hinted = [p.status for p in (into, other) if p.status_reason != UNHINTED_LABEL]
    weakest = max(hinted, key=lambda s: s.code) if hinted else into.status
    if weakest != into.status:
        into.status, into.status_reason = other.status, other.status_reason
    known = {a.actor_id or a.name.lower() for a in into.actors}
    for actor in other.actors:
        key = actor.actor_id or actor.name.lower()
        if key not in known:
            known.add(key)
            into.actors.append(actor)
        else:
            mine = next(a for a in into.actors if (a.actor_id or a.name.lower()) == key)
            if mine.role == "mentioned" and actor.role != "mentioned":
                mine.role = actor.role
    _add_figures(into, other.figures)
    into.quotes.extend(q for q in other.quotes if q.text not in {x.text for x in into.quotes})
    if "year inferred" in into.notes and "year inferred" not in other.notes:
        into.notes.remove("year inferred")  # the article writes the year elsewhere


def _same_figure(a: Figure, b: Figure) -> bool:
    """Same quantity, and units that share a word stem or are not written."""
    if a.quantity != b.quantity:
        return False
    ua = {w.lower()[:3] for w in _WORD.findall(a.unit)} | {"%"} & {a.unit}
    ub = {w.lower()[:3] for w in _WORD.findall(b.unit)} | {"%"} & {b.unit}
    return not ua or not ub or bool(ua & ub)


def _add_figures(into: Proposal, figures: list[Figure]) -> None:
    for figure in figures:
        if not any(_same_figure(figure, f) for f in into.figures):
            into.figures.append(figure)


def _add_boxed(into: Proposal, figure: Figure) -> None:
    """A summary-box figure is the article's own statement of it: its text and label win."""
    for i, mine in enumerate(into.figures):
        if _same_figure(mine, figure):
            into.figures[i] = replace(figure, unit=mine.unit or figure.unit)
            return
    into.figures.append(figure)


def _best(
    proposals: list[Proposal],
    words: set[str],
    figures: list[Figure],
    threshold: float = 0.3,
    *,
    by_words: bool = True,
) -> Proposal | None:
    """The proposal an undated sentence repeats: a figure in common, else (`by_words`)
    enough words in common. The figure match prefers the proposal closest in words."""
    sharing = [p for p in proposals if any(_same_figure(f, g) for f in figures for g in p.figures)]
    if sharing:
        return max(sharing, key=lambda p: overlap(words, p.words))
    if not by_words:
        return None
    scored = [(overlap(words, p.words), p) for p in proposals]
    scored = [(s, p) for s, p in scored if s >= threshold]
    return max(scored, key=lambda sp: sp[0])[1] if scored else None
