"""Dates as an article writes them, kept at the precision written.

A small grammar rather than a general parser: "2025" is a year, "June 2026" a month,
"June 24, 2026" / "24 June 2026" / "2026-06-24" a day, "July 8" a day whose year
comes from context (flagged), and a few relative forms ("yesterday", "last year",
"on Monday") anchored on the publication date. dateparser's search was tried and
dropped: it reads stray numbers ("5", "200") as dates and loses the precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from explorer.model.dates import (
    DAY,
    MONTH_NAMES,
    DatedValue,
    DateError,
    Precision,
    parts,
    to_seconds,
)

_MONTHS: Final = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)}
_ABBREVIATIONS: Final = {name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)} | {
    "sept": 9
}
_MONTH: Final = (
    r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_YEAR: Final = r"(?P<{g}>1[0-9]{{3}}|20[0-9]{{2}}|21[0-9]{{2}})"
_DAY: Final = r"(?P<{g}>[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _g(pattern: str, group: str) -> str:
    return pattern.format(g=group)


_PATTERNS: Final = re.compile(
    "|".join(
        [
            r"\b(?P<iso_y>\d{4})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01])\b",
            rf"\b{_g(_MONTH, 'md_m')}\s+{_g(_DAY, 'md_d')},?\s+{_g(_YEAR, 'md_y')}\b",
            rf"\b{_g(_DAY, 'dm_d')}\s+(?:of\s+)?{_g(_MONTH, 'dm_m')},?\s+{_g(_YEAR, 'dm_y')}\b",
            rf"\b{_g(_MONTH, 'my_m')}(?:\s+of)?,?\s+{_g(_YEAR, 'my_y')}\b",
            rf"\b{_g(_MONTH, 'mo_m')}\s+{_g(_DAY, 'mo_d')}\b(?!\s*(?:,\s*)?\d)(?![%$])",
            rf"\b{_g(_DAY, 'do_d')}\s+(?:of\s+)?{_g(_MONTH, 'do_m')}\b",
            rf"(?<![\d$€£.,])\b{_g(_YEAR, 'y')}\b(?![\d,.%]\d|\s*%|\s+[a-z]+s\b|[-–]\d)",
            r"\b(?P<rel>yesterday|today|tomorrow)\b",
            r"\b(?P<rel_n>last|this|next)\s+(?P<rel_unit>year|month|week)\b",
            r"\b(?P<wd_pre>on|last|this|next)\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday"
            r"|Saturday|Sunday)\b",
        ]
    ),
    re.IGNORECASE,
)
# A bare month name is a date only after a word that makes it one ("in June"); "May"
# is too often a verb to be read on its own.
_BARE_MONTH: Final = re.compile(
    rf"\b(?:in|since|by|until|during|early|late|mid-?|last|next|this)\s+{_g(_MONTH, 'bm')}\b"
    r"(?!\s+\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date in a sentence: where, as written, and what it says (year None: not written)."""

    start: int
    end: int
    text: str
    year: int | None
    month: int | None = None
    day: int | None = None
    relative: str = ""  # "yesterday", "last year", "on monday"... (anchored on publication)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR


@dataclass(frozen=True)
class ResolvedDate:
    value: DatedValue
    notes: tuple[str, ...] = ()  # "year inferred", "date inferred from the publication date"


def _month(text: str) -> int:
    word = text.lower().rstrip(".")
    return _MONTHS.get(word) or _ABBREVIATIONS[word[:4] if word.startswith("sept") else word[:3]]


def find_dates(text: str) -> list[DateMention]:
    """Every date written in `text`, left to right, longest reading first."""
    found: list[DateMention] = []
    for m in _PATTERNS.finditer(text):
        g = m.groupdict()
        span = (m.start(), m.end(), m.group(0))
        mention: DateMention | None = None
        if g["iso_y"]:
            mention = DateMention(*span, int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
        elif g["md_m"]:
            mention = DateMention(*span, int(g["md_y"]), _month(g["md_m"]), int(g["md_d"]))
        elif g["dm_m"]:
            mention = DateMention(*span, int(g["dm_y"]), _month(g["dm_m"]), int(g["dm_d"]))
        elif g["my_m"]:
            mention = DateMention(*span, int(g["my_y"]), _month(g["my_m"]))
        elif g["mo_m"]:
            if g["mo_m"].lower() == "may" and not g["mo_m"][0].isupper():
                continue
            mention = DateMention(*span, None, _month(g["mo_m"]), int(g["mo_d"]))
        elif g["do_m"]:
            mention = DateMention(*span, None, _month(g["do_m"]), int(g["do_d"]))
        elif g["y"]:
            mention = DateMention(*span, int(g["y"]))
        elif g["rel"]:
            mention = DateMention(*span, None, relative=g["rel"].lower())
        elif g["rel_n"]:
            mention = DateMention(
                *span, None, relative=f"{g['rel_n'].lower()} {g['rel_unit'].lower()}"
            )
        elif g["wd"]:
            mention = DateMention(*span, None, relative=f"{g['wd_pre'].lower()} {g['wd'].lower()}")
        if mention is not None:
            found.append(mention)
    taken = [(d.start, d.end) for d in found]
    for m in _BARE_MONTH.finditer(text):
        if m.group("bm").lower() == "may" and not m.group("bm")[0].isupper():
            continue
        if not any(a < m.end() and m.start() < b for a, b in taken):
            found.append(
                DateMention(m.start("bm"), m.end(), m.group("bm"), None, _month(m.group("bm")))
            )
    return sorted(found, key=lambda d: d.start)


def resolve(
    mention: DateMention, context_year: int | None, published: DatedValue | None
) -> ResolvedDate | None:
    """The date a mention names, or None when it cannot be placed (no year anywhere,
    a relative date without a publication date, or a day that does not exist)."""
    try:
        if mention.relative:
            return _relative(mention.relative, published)
        notes: tuple[str, ...] = ()
        year = mention.year
        if year is None:
            year = context_year if context_year is not None else _year(published)
            if year is None:
                return None
            notes = ("year inferred",)
        seconds = to_seconds(year, mention.month or 1, mention.day or 1)
    except DateError:
        return None
    return ResolvedDate(DatedValue(seconds, mention.precision), notes)


def _year(value: DatedValue | None) -> int | None:
    return None if value is None else parts(value.seconds).year


def _relative(words: str, published: DatedValue | None) -> ResolvedDate | None:
    if published is None or published.precision < Precision.DAY:
        return None
    p = parts(published.seconds)
    note = ("date inferred from the publication date",)
    day0 = published.seconds // DAY
    first, _, second = words.partition(" ")
    if words in ("yesterday", "today", "tomorrow"):
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[words]
        return ResolvedDate(DatedValue((day0 + shift) * DAY, Precision.DAY), note)
    step = {"last": -1, "this": 0, "next": 1, "on": -1}[first]
    if second == "year":
        return ResolvedDate(DatedValue(to_seconds(p.year + step), Precision.YEAR), note)
    if second == "month":
        month = p.month - 1 + step
        year = p.year + month // 12
        return ResolvedDate(DatedValue(to_seconds(year, month % 12 + 1), Precision.MONTH), note)
    if second == "week":
        # The week (Monday first) as the month it mostly falls in would overstate it:
        # a week is kept as its Monday, at day precision, and flagged.
        weekday = (day0 + 3) % 7  # 1970-01-01 was a Thursday
        monday = day0 - weekday + 7 * step
        return ResolvedDate(DatedValue(monday * DAY, Precision.DAY), (*note, "the week's Monday"))
    target = WEEKDAYS.index(second)
    weekday = (day0 + 3) % 7
    if first in ("on", "last"):
        back = (weekday - target) % 7 or (7 if first == "last" else 0)
        return ResolvedDate(DatedValue((day0 - back) * DAY, Precision.DAY), note)
    ahead = (target - weekday) % 7 or (7 if first == "next" else 0)
    return ResolvedDate(DatedValue((day0 + ahead) * DAY, Precision.DAY), note)


def explicit_years(mentions: list[DateMention]) -> list[int]:
    return [d.year for d in mentions if d.year is not None and not d.relative]
