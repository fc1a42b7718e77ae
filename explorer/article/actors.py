"""Who a sentence names: the document's actors by name, and new names with a guessed kind.

Names are runs of capitalised words ("Glasswing Ventures", "US government"); a run at
the start of a sentence counts only if it is not a common word ("The", "This"). A new
name must appear at least twice in the article or be the subject of a verb we know,
so that every capitalised heading word does not become an actor.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Final

from explorer.article import words

_NAME: Final = re.compile(
    r"(?<![\w’'])(?:[A-Z][\w’'.&-]*[\w]|[A-Z])(?:\s+(?:of\s+|de\s+|for\s+)?"
    r"(?:[A-Z][\w’'.&-]*[\w]|[A-Z]|[Gg]overnment|[Mm]inistry|[Aa]gency))*"
)
COMMON: Final = words(
    """
    a an the this that these those it its it's he she they we you i our their his her my and
    or but if so yet while when where what who why how as at by for from in into of on to
    with without after before since until during about above below over under again there
    here then than also still just even only not no yes all any both each every some many
    most more much few other another such one two three first last next new source read
    subscribe continue scroll discover business framework policy evidence background access
    identity export state chip china's what's bottom line key insight monday tuesday
    wednesday thursday friday saturday sunday today yesterday tomorrow january february
    march april may june july august september october november december mr mrs ms dr sir id
    api ai ceo tv faq pdf url western eastern northern southern foreign european american
    chinese russian british
    """
)
_COUNTRIES: Final = words(
    """
    china india japan russia ukraine iran israel taiwan korea germany france italy spain
    canada mexico brazil australia britain england uk us usa america europe eu united states
    united kingdom saudi arabia turkey egypt pakistan singapore vietnam indonesia
    netherlands sweden norway poland switzerland
    """
)
_KIND_WORDS: Final = (
    (
        (
            "government",
            "ministry",
            "department",
            "agency",
            "commission",
            "congress",
            "senate",
            "parliament",
            "court",
            "administration",
            "white house",
            "pentagon",
            "police",
        ),
        "government",
    ),
    (("ventures", "capital", "partners", "fund", "investments"), "investor"),
    (
        (
            "bloomberg",
            "reuters",
            "times",
            "post",
            "news",
            "journal",
            "press",
            "tribune",
            "guardian",
            "bbc",
            "cnn",
            "associated press",
            "wire",
            "herald",
            "gazette",
        ),
        "media",
    ),
    (("university", "institute", "college", "school", "lab", "laboratory"), "institution"),
    (
        (
            "inc",
            "inc.",
            "corp",
            "corp.",
            "corporation",
            "ltd",
            "llc",
            "plc",
            "group",
            "company",
            "technologies",
            "systems",
            "ai",
            "holdings",
        ),
        "company",
    ),
)
_SPEECH: Final = re.compile(
    r"\b(said|says|told|wrote|announced|accused|accuses|reported|reports|claimed|claims"
    r"|denied|denies|launched|launches|mandates|mandated|orders|ordered|committed|documents"
    r"|documented)\b"
)


_SAID: Final = re.compile(r",?\s+(?:said|says|told|wrote)\b")


@dataclass(frozen=True)
class ActorRef:
    """An actor of the document (id set) or a new one (id None) named in a sentence."""

    name: str
    actor_id: str | None
    kind: str
    start: int
    end: int


def guess_kind(name: str) -> str:
    lower = name.lower()
    words = lower.replace("’s", "").split()
    if lower in _COUNTRIES or (words and " ".join(words) in _COUNTRIES):
        return "state"
    for needles, kind in _KIND_WORDS:
        if any(n in words or (" " in n and n in lower) for n in needles):
            return kind
    if words and words[0] in _COUNTRIES and len(words) > 1:
        return "government"
    return "organization"


def _looks_like_person(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 3 and all(w.istitle() and len(w) > 1 for w in words)


def names_in(sentence: str) -> list[tuple[str, int, int]]:
    """Capitalised runs in a sentence, possessives trimmed, common words dropped."""
    found: list[tuple[str, int, int]] = []
    for m in _NAME.finditer(sentence):
        text = m.group(0)
        start = m.start()
        possessive = re.search(r"[’']s\b", text)
        if possessive is not None:  # "Anthropic’s July 8": the name ends at the ’s
            text = text[: possessive.start()]
        words = text.split()
        while words and words[0].lower() in COMMON:
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower() in COMMON | {"of", "for", "de"}:
            words = words[:-1]
        if not words:
            continue
        text = " ".join(words)
        if text.isupper() and len(text) > 4:
            continue  # a shouted heading word ("ESCALATING"), not a name
        found.append((text, start, start + len(text)))
    return found


class ActorMatcher:
    """Names matched to the document's actors (by name, case and "the" aside), else new."""

    def __init__(self, actors: list[tuple[str, str, str]], article: str) -> None:
        # (id, name, kind) of the document's actors
        self._known: dict[str, tuple[str, str, str]] = {}
        for ident, name, kind in actors:
            for key in _keys(name):
                self._known.setdefault(key, (ident, name, kind))
        self._counts = Counter(
            name.lower() for paragraph in article.split("\n") for name, _, _ in names_in(paragraph)
        )

    def known(self, name: str) -> tuple[str, str, str] | None:
        """The document's actor this name is: by whole name, else by its leading words
        ("DeepSeek V4-Pro" is DeepSeek's, "Huawei Ascend" Huawei's)."""
        words = name.split()
        for size in range(len(words), 0, -1):
            head = " ".join(words[:size])
            if size < len(words) and len(head) < 3:
                break
            for key in _keys(head):
                if key in self._known:
                    return self._known[key]
        return None

    def refs(self, sentence: str) -> list[ActorRef]:
        refs: list[ActorRef] = []
        seen: set[str] = set()
        for name, start, end in names_in(sentence):
            known = self.known(name)
            if known is not None:
                ident, canonical, kind = known
                if ident not in seen:
                    seen.add(ident)
                    refs.append(ActorRef(canonical, ident, kind, start, end))
                continue
            subject = _SPEECH.match(sentence, end + 1) is not None
            if self._counts[name.lower()] < 2 and not subject:
                continue
            if name.lower() not in seen:
                seen.add(name.lower())
                kind = guess_kind(name)
                if (
                    kind == "organization"
                    and _looks_like_person(name)
                    and _SAID.match(sentence, end)
                ):
                    kind = "person"
                refs.append(ActorRef(name, None, kind, start, end))
        return refs


def _keys(name: str) -> list[str]:
    lower = name.lower().replace("’", "'").strip()
    keys = [lower]
    if lower.startswith("the "):
        keys.append(lower[4:])
    for short, long in (("us ", "united states "), ("uk ", "united kingdom ")):
        if lower.startswith(long):
            keys.append(short + lower[len(long) :])
    return keys
