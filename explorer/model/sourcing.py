"""On whose word: independent sources per event, one rule for every backend.

Sources are independent when their publishers differ. A source's publisher is its
``publisher`` field, compared without case or surrounding space; a source without one
is known by its web site (the URL's host, ``www.`` dropped); a source with neither
has an unknown publisher. Unknown publishers are never counted as independent of the
known ones (the article's own "additional context" links may well be the article's
publisher): an event with sources counts its distinct known publishers, and 1 when
all its sources are of unknown publisher. An event with no source counts 0.

Levels (what the sourcing filter chooses from): "unsourced" (0), "single" (1),
"several" (2 or more).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from explorer.model.dates import DAY, DatedValue, Precision, format_duration, parts

UNSOURCED: Final = "unsourced"
SINGLE: Final = "single"
SEVERAL: Final = "several"
SOURCING_LEVELS: Final = (UNSOURCED, SINGLE, SEVERAL)
LEVEL_NAMES: Final = {
    UNSOURCED: "No source",
    SINGLE: "Single source",
    SEVERAL: "Several independent sources",
}

I64 = npt.NDArray[np.int64]


def publisher_key(publisher: str, url: str) -> str:
    """Who published a source, as compared for independence ("" when unknown)."""
    name = " ".join(str(publisher).split()).casefold()
    if name:
        return name
    try:
        host = (urlsplit(str(url).strip()).hostname or "").casefold()
    except ValueError:
        host = ""
    return host.removeprefix("www.")


def publisher_codes(publishers: Sequence[str], urls: Sequence[str]) -> I64:
    """One integer per source: equal for the same publisher, -1 when unknown."""
    codes: dict[str, int] = {}
    out = np.full(len(publishers), -1, dtype=np.int64)
    for i, (publisher, url) in enumerate(zip(publishers, urls, strict=True)):
        key = publisher_key(publisher, url)
        if key:
            out[i] = codes.setdefault(key, len(codes))
    return out


def independent_counts(link_event: I64, link_source: I64, codes: I64, n_events: int) -> I64:
    """Independent sources of each of `n_events` events, from the event-source links
    (event row, source row; -1 rows are ignored) and each source's publisher code."""
    ok = (link_event >= 0) & (link_source >= 0)
    events, sources = link_event[ok], link_source[ok]
    has_any = np.zeros(n_events, dtype=bool)
    has_any[events] = True
    key = codes[sources] if len(sources) else np.zeros(0, np.int64)
    known = key >= 0
    width = int(codes.max()) + 1 if len(codes) and codes.max() >= 0 else 1
    pairs = np.unique(events[known] * width + key[known])
    counts = np.bincount(pairs // width, minlength=n_events).astype(np.int64)
    return np.where(has_any & (counts == 0), 1, counts)


def level_of(counts: I64) -> npt.NDArray[np.object_]:
    """The sourcing level name of each count."""
    return np.asarray(
        np.where(counts == 0, UNSOURCED, np.where(counts == 1, SINGLE, SEVERAL)), dtype=object
    )


def level_mask(counts: I64, levels: frozenset[str]) -> npt.NDArray[np.bool_]:
    """Events whose count falls in one of `levels`."""
    keep = np.zeros(len(counts), dtype=bool)
    if UNSOURCED in levels:
        keep |= counts == 0
    if SINGLE in levels:
        keep |= counts == 1
    if SEVERAL in levels:
        keep |= counts >= 2
    return keep


def source_lag(event: DatedValue, published: DatedValue | None) -> str:
    """How long after the event (its start) its first source was published, at the
    coarser of the two precisions: "same day", "3 days later", "2 months before the
    event", "unknown (no dated source)"."""
    if published is None:
        return "unknown (no dated source)"
    precision = min(event.precision, published.precision)
    a, b = parts(event.seconds), parts(published.seconds)
    if precision == Precision.YEAR:
        n, unit, same = b.year - a.year, "year", "the same year"
    elif precision == Precision.MONTH:
        n, unit, same = (b.year - a.year) * 12 + b.month - a.month, "month", "the same month"
    elif precision == Precision.DAY:
        n, unit, same = published.seconds // DAY - event.seconds // DAY, "day", "the same day"
    else:
        delta = published.seconds - event.seconds
        if abs(delta) < 60:
            return "at once (within a minute)"
        when = format_duration(delta)
        return f"{when} later" if delta > 0 else f"{when} before the event"
    if n == 0:
        return f"published {same}"
    count = f"{abs(n):,} {unit}{'s' if abs(n) != 1 else ''}"
    return f"{count} later" if n > 0 else f"{count} before the event"
