"""Figures as written, with their qualifiers: "200+" is more than 200, "1,000s" and
"thousands of" are some thousands, "$295B" is 295,000,000,000 USD, "about 40%"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from explorer.article import words

_SCALES: Final = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
_CURRENCIES: Final = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_QUALIFIERS: Final = {
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "nearly": "almost",
    "almost": "almost",
    "over": "more than",
    "more than": "more than",
    "at least": "at least",
    "up to": "up to",
    "under": "less than",
    "less than": "less than",
    "fewer than": "less than",
}
_FIGURE: Final = re.compile(
    r"(?P<qual>\b(?:about|around|roughly|approximately|nearly|almost|over|more than|at least"
    r"|up to|under|less than|fewer than)\s+)?"
    r"(?P<cur>US\$|[$€£¥])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:(?P<s>s)\b|(?P<plus>\+)|\s?(?P<scale>[kKmMbBtT]n?\b|thousand|million|billion|trillion)\b)?"
    r"(?P<pct>\s?%|\s+per\s?cent\b|\s+percent\b)?",
    re.IGNORECASE,
)
_WORD_COUNTS: Final = re.compile(
    r"\b(?P<word>dozens|hundreds|thousands|tens of thousands|hundreds of thousands|millions"
    r"|billions)\s+of\b",
    re.IGNORECASE,
)
_WORD_VALUES: Final = {
    "dozens": 12.0,
    "hundreds": 100.0,
    "thousands": 1e3,
    "tens of thousands": 1e4,
    "hundreds of thousands": 1e5,
    "millions": 1e6,
    "billions": 1e9,
}
_UNIT_WORD: Final = re.compile(r"\s+(?:of\s+)?((?:[a-z][a-z-]*\s+)?[a-z][a-z-]*)")
_STOP: Final = words(
    """
    a an the to of in on at by for from with via and or but is are was were be been has have
    had that this these those it its as than into over under against per
    """
)


@dataclass(frozen=True)
class Figure:
    text: str  # as written: "200+", "$295B", "thousands of"
    quantity: float
    unit: str  # "USD", "%", or the noun that follows ("organizations")
    qualifier: str  # "more than", "thousands", "about", or ""
    start: int = 0
    end: int = 0
    label: str = ""

    @property
    def key(self) -> tuple[float, str]:
        """What makes two mentions the same figure (the unit's first word, singular)."""
        unit = self.unit.split(" ")[-1].rstrip("s") if self.unit else ""
        return self.quantity, unit


def find_figures(text: str, *, skip: list[tuple[int, int]] | None = None) -> list[Figure]:
    """The figures in a sentence; spans in `skip` (its dates) are not figures."""
    skip = skip or []
    found: list[Figure] = []
    for m in _FIGURE.finditer(text):
        if any(a < m.end("num") and m.start("num") < b for a, b in skip):
            continue
        currency = m.group("cur")
        scale = m.group("scale")
        marked = currency or scale or m.group("plus") or m.group("s") or m.group("pct")
        raw = m.group("num")
        if not marked and ("," not in raw and len(raw) < 2 and not m.group("qual")):
            continue  # "5" alone is as likely a model number as a figure
        if not marked and not m.group("qual") and _is_name_part(text, m.start("num")):
            continue  # "Fable 5", "V4": a name's number, not a quantity
        quantity = float(raw.replace(",", ""))
        if scale:
            quantity *= _SCALES[scale.lower()]
        qualifier = _QUALIFIERS.get((m.group("qual") or "").strip().lower(), "")
        if m.group("plus"):
            qualifier = "more than"
        if m.group("s"):
            qualifier = "thousands" if quantity == 1000 else f"{raw}s"
        if m.group("pct"):
            unit = "%"
        elif currency:
            unit = _CURRENCIES[currency.upper() if currency.upper() == "US$" else currency]
        else:
            unit = _unit_after(text, m.end())
        if not marked and not unit and not qualifier:
            continue
        written = m.group(0).strip()
        found.append(
            Figure(
                written,
                quantity,
                unit,
                qualifier,
                m.start() + (len(m.group(0)) - len(m.group(0).lstrip())),
                m.end(),
            )
        )
    for m in _WORD_COUNTS.finditer(text):
        if any(f.start <= m.start() < f.end for f in found):
            continue
        word = m.group("word").lower()
        found.append(
            Figure(
                m.group(0),
                _WORD_VALUES[word],
                _unit_after(text, m.end()),
                word,
                m.start(),
                m.end(),
            )
        )
    return sorted(found, key=lambda f: f.start)


def _is_name_part(text: str, at: int) -> bool:
    before = text[max(0, at - 12) : at]
    return bool(re.search(r"[A-Z][\w-]*\s?$|[A-Za-z]$", before))


def _unit_after(text: str, at: int) -> str:
    """The noun a count counts: up to two lowercase words, stopping at small words."""
    m = _UNIT_WORD.match(text, at)
    if m is None:
        return ""
    words = [w for w in m.group(1).split() if w]
    kept: list[str] = []
    for word in words:
        if word in _STOP:
            break
        kept.append(word)
        if word.endswith("s"):
            break  # "organizations", not "organizations blocked"
    return " ".join(kept)
