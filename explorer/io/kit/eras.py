"""Eras become periods: a reader marks the records its file calls eras, and this takes
them out of the events into the document's periods table.

Readers read an era like an event (its dates, its headline, its place in the file for
set-aside messages), marked ``attributes[<format>]["era"] = True``; one call at the end
moves those rows, vectorised, so every format's eras follow one rule.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from explorer.model.document import Document
from explorer.model.periods import make_periods

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _era_mark(attributes: Any, key: str) -> dict[str, Any] | None:
    kept = attributes.get(key) if isinstance(attributes, dict) else None
    return kept if isinstance(kept, dict) and kept.get("era") is True else None


def _colour_of(kept: dict[str, Any]) -> str:
    """A colour the file gave the era: ``colour`` (Timeline Project) or a TimelineJS
    ``background.color``; only #rrggbb is kept."""
    colour = kept.get("colour")
    background = kept.get("background")
    if not colour and isinstance(background, dict):
        colour = background.get("color")
    return colour if isinstance(colour, str) and _COLOUR.match(colour) else ""


def eras_to_periods(doc: Document, key: str) -> Document:
    """`doc` with the events marked as eras under ``attributes[key]`` moved to periods
    (after any periods it already has). Their links go with them."""
    events = doc.events
    # Only rows with a dict can be eras; column attributes (bulk imports) hold none.
    column = events["attributes"]
    if not len(events) or column.dtype != object:
        return doc
    marks = [_era_mark(a, key) for a in column.tolist()]
    is_era = np.array([m is not None for m in marks], dtype=bool)
    if not is_era.any():
        return doc
    rows = np.flatnonzero(is_era)
    eras = events.iloc[rows]
    found = make_periods(
        ids=eras["id"].tolist(),
        labels=eras["title"].tolist(),
        descriptions=eras["summary"].tolist(),
        start=eras["start"].to_numpy(np.int64),
        start_precision=eras["start_precision"].to_numpy(np.int8),
        end=eras["end"].to_numpy(np.int64),
        end_precision=eras["end_precision"].to_numpy(np.int8),
        colours=[_colour_of(marks[int(r)] or {}) for r in rows],
    )
    era_ids = set(found["id"].tolist())
    out = doc.copy()
    out.events = events.iloc[np.flatnonzero(~is_era)].reset_index(drop=True)
    for name in ("links", "event_sources", "event_themes", "figures"):
        frame: pd.DataFrame = getattr(out, name)
        setattr(out, name, frame[~frame["event_id"].isin(era_ids)].reset_index(drop=True))
    out.periods = pd.concat([doc.periods, found], ignore_index=True).astype(
        doc.periods.dtypes.to_dict()
    )
    return out
