"""The document: events, actors, sources, themes and their links, as pandas tables.

One row per thing, one table per relation, so that a million events cost a few
columns of numpy memory rather than a million Python objects. The native file
format (explorer.io.native) nests these back into one record per event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import numpy as np
import pandas as pd

from explorer.model.dates import DatedValue, Precision, period_ends
from explorer.model.periods import empty_periods


class ClaimStatus(StrEnum):
    """On whose word an event rests; ordered from firmest to weakest, then `unassessed`:
    nobody has said yet (an import whose file carries no status, a new event). It comes
    last so that the codes of the other statuses stay what they were."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    ALLEGED = "alleged"
    DISPUTED = "disputed"
    RETRACTED = "retracted"
    UNASSESSED = "unassessed"

    @property
    def code(self) -> int:
        return list(ClaimStatus).index(self)


STATUS_CATEGORIES: Final = pd.CategoricalDtype([s.value for s in ClaimStatus], ordered=True)
DEFAULT_STATUS: Final = ClaimStatus.UNASSESSED  # what an event is when nobody said otherwise
# Statuses that say someone stated the event: they need a source to rest on.
SOURCED_STATUSES: Final = frozenset(
    {ClaimStatus.CONFIRMED, ClaimStatus.REPORTED, ClaimStatus.ALLEGED}
)

# Column lists double as the schema: every table is created with exactly these.
EVENT_COLUMNS: Final = (
    "id",
    "title",
    "summary",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "status",
    "attributes",
)
ACTOR_COLUMNS: Final = ("id", "name", "kind", "posture", "description", "colour")
SOURCE_COLUMNS: Final = ("id", "publisher", "title", "url", "published", "published_precision")
THEME_COLUMNS: Final = ("id", "name", "description")
LINK_COLUMNS: Final = ("event_id", "actor_id", "role")
EVENT_SOURCE_COLUMNS: Final = ("event_id", "source_id")
EVENT_THEME_COLUMNS: Final = ("event_id", "theme_id")
FIGURE_COLUMNS: Final = ("event_id", "text", "quantity", "unit", "qualifier", "label")
# The analyst's annotations (explorer.model.annotations): not the story's content but
# marks on it, kept apart from themes (which the document's author defines).
STAR_COLUMNS: Final = ("event_id",)
TAG_COLUMNS: Final = ("event_id", "tag")
NOTE_COLUMNS: Final = ("event_id", "note_id", "author", "time", "text")  # time: UTC seconds

NO_END: Final = -1  # end_precision of an event without an end date

_STR = "str"


@dataclass
class Document:
    """Everything a user opens and saves. Tables are replaced, never mutated in place."""

    title: str = ""
    description: str = ""
    events: pd.DataFrame = field(default_factory=lambda: empty_events())
    actors: pd.DataFrame = field(default_factory=lambda: _typed_str_frame(ACTOR_COLUMNS))
    sources: pd.DataFrame = field(default_factory=lambda: empty_sources())
    themes: pd.DataFrame = field(default_factory=lambda: _typed_str_frame(THEME_COLUMNS))
    links: pd.DataFrame = field(default_factory=lambda: _typed_str_frame(LINK_COLUMNS))
    event_sources: pd.DataFrame = field(
        default_factory=lambda: _typed_str_frame(EVENT_SOURCE_COLUMNS)
    )
    event_themes: pd.DataFrame = field(
        default_factory=lambda: _typed_str_frame(EVENT_THEME_COLUMNS)
    )
    figures: pd.DataFrame = field(default_factory=lambda: empty_figures())
    stars: pd.DataFrame = field(default_factory=lambda: _typed_str_frame(STAR_COLUMNS))
    tags: pd.DataFrame = field(default_factory=lambda: _typed_str_frame(TAG_COLUMNS))
    notes: pd.DataFrame = field(default_factory=lambda: empty_notes())
    # Named spans drawn behind the lanes (eras); not events (explorer.model.periods).
    periods: pd.DataFrame = field(default_factory=lambda: empty_periods())

    def copy(self) -> Document:
        return Document(
            title=self.title,
            description=self.description,
            **{name: getattr(self, name).copy() for name in TABLES},
        )

    def equals(self, other: Document) -> bool:
        """Same content, table by table (row order included)."""
        if (self.title, self.description) != (other.title, other.description):
            return False
        return all(_frames_equal(getattr(self, t), getattr(other, t)) for t in TABLES)


TABLES: Final = (
    "events",
    "actors",
    "sources",
    "themes",
    "links",
    "event_sources",
    "event_themes",
    "figures",
    "stars",
    "tags",
    "notes",
    "periods",
)
ANNOTATION_TABLES: Final = ("stars", "tags", "notes")


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for col in a.columns:
        left = a[col].tolist()
        right = b[col].tolist()
        if left != right and not all(map(_same, left, right)):
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    """Cell equality where NaN equals NaN (a figure without a quantity is stored as NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _typed_str_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_STR) for c in columns})


def empty_events() -> pd.DataFrame:
    return make_events(
        ids=[],
        titles=[],
        summaries=[],
        start=np.array([], dtype=np.int64),
        start_precision=np.array([], dtype=np.int8),
        end=np.array([], dtype=np.int64),
        end_precision=np.array([], dtype=np.int8),
        status=[],
        attributes=[],
    )


def make_events(
    *,
    ids: Any,
    titles: Any,
    summaries: Any,
    start: Any,
    start_precision: Any,
    end: Any,
    end_precision: Any,
    status: Any,
    attributes: Any,
) -> pd.DataFrame:
    """Build the events table with the dtypes every query relies on."""
    return pd.DataFrame(
        {
            "id": pd.Series(ids, dtype=_STR),
            "title": pd.Series(titles, dtype=_STR),
            "summary": pd.Series(summaries, dtype=_STR),
            "start": np.asarray(start, dtype=np.int64),
            "start_precision": np.asarray(start_precision, dtype=np.int8),
            "end": np.asarray(end, dtype=np.int64),
            "end_precision": np.asarray(end_precision, dtype=np.int8),
            "status": pd.Categorical(status, dtype=STATUS_CATEGORIES),
            "attributes": pd.Series(attributes, dtype=object),
        }
    )


def empty_sources() -> pd.DataFrame:
    frame = _typed_str_frame(SOURCE_COLUMNS)
    frame["published"] = pd.Series([], dtype=np.int64)
    frame["published_precision"] = pd.Series([], dtype=np.int8)
    return frame


def empty_figures() -> pd.DataFrame:
    frame = _typed_str_frame(FIGURE_COLUMNS)
    frame["quantity"] = pd.Series([], dtype=np.float64)
    return frame


def empty_notes() -> pd.DataFrame:
    frame = _typed_str_frame(NOTE_COLUMNS)
    frame["time"] = pd.Series([], dtype=np.int64)
    return frame


def event_bounds(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each event's covered interval [lo, hi) in seconds, precision included.

    A year-precision start covers its whole year; an end covers its whole period too.
    """
    return bounds_of(
        events["start"].to_numpy(np.int64),
        events["start_precision"].to_numpy(np.int8),
        events["end"].to_numpy(np.int64),
        events["end_precision"].to_numpy(np.int8),
    )


def bounds_of(
    start: np.ndarray, start_prec: np.ndarray, end: np.ndarray, end_prec: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`event_bounds` over bare columns (what a reader streaming batches has)."""
    has_end = end_prec != NO_END
    hi = period_ends(start, start_prec)
    if has_end.any():
        hi[has_end] = np.maximum(hi[has_end], period_ends(end[has_end], end_prec[has_end]))
    return np.asarray(start, dtype=np.int64), hi


def cell_int(frame: pd.DataFrame, column: str, row: int) -> int:
    """One integer cell, typed (pandas' scalar accessors are typed as any scalar)."""
    return int(frame[column].to_numpy()[row])


def dated(frame: pd.DataFrame, column: str, row: int) -> DatedValue | None:
    """A date column with its `<column>_precision` partner (None where there is no date)."""
    prec = cell_int(frame, f"{column}_precision", row)
    return None if prec == NO_END else DatedValue(cell_int(frame, column, row), Precision(prec))


def start_value(events: pd.DataFrame, row: int) -> DatedValue:
    value = dated(events, "start", row)
    assert value is not None
    return value


def end_value(events: pd.DataFrame, row: int) -> DatedValue | None:
    return dated(events, "end", row)


def subset(doc: Document, keep: Any) -> Document:
    """The events where the boolean mask `keep` is true, with their links; actors,
    sources and themes whole (an export of what a filter shows)."""
    mask = np.asarray(keep, dtype=bool)
    events = doc.events[mask].reset_index(drop=True)
    ids = set(events["id"])
    children = {
        name: getattr(doc, name)[getattr(doc, name)["event_id"].isin(ids)].reset_index(drop=True)
        for name in ("links", "event_sources", "event_themes", "figures", *ANNOTATION_TABLES)
    }
    return Document(
        title=doc.title,
        description=doc.description,
        events=events,
        actors=doc.actors,
        sources=doc.sources,
        themes=doc.themes,
        periods=doc.periods,
        **children,
    )
