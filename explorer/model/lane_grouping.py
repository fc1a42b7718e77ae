"""Lanes from any column: one lane per distinct value of an event field.

A forensic export often names no host or user, so every event lands in one
"(no actor)" lane; its other columns (data type, source, parser, tag) are the
natural lanes. This groups events by one such column, vectorised: one factorize, one
stable argsort of (lane, start rank), and the lane boundaries by searchsorted. Lanes
come in natural name order ("host-9" before "host-41"); an empty value is its own
lane, last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.model.sorting import stable_order

I64 = npt.NDArray[np.int64]

STATUS_COLUMN: Final = "status"
EMPTY_LANE: Final = "(empty)"
MAX_LANES: Final = 5_000  # a column with more distinct values is no lane structure


def natural_key(text: str) -> str:
    """A sort key putting "host-9" before "host-41": digit runs padded to one width."""
    return re.sub(r"\d+", lambda m: m.group().zfill(20), text.lower())


def _attribute_columns(events: pd.DataFrame) -> dict[str, Any]:
    """The attribute columns as Arrow arrays (forensic imports keep them so), else {}."""
    if "attributes" not in events.columns:
        return {}
    columns = getattr(events["attributes"].array, "columns", None)
    got = columns() if callable(columns) else None
    return dict(got[0]) if got else {}


def lane_columns(events: pd.DataFrame) -> list[str]:
    """Fields lanes can be made from: the claim status, then the file's own columns."""
    return [STATUS_COLUMN, *sorted(_attribute_columns(events), key=natural_key)]


@dataclass(frozen=True)
class LaneGrouping:
    column: str
    names: tuple[str, ...]  # lane names, in order
    events: I64  # event rows, lane by lane, each lane by start
    bounds: I64  # lane k holds events[bounds[k]:bounds[k + 1]]

    def rows(self, lane: int) -> I64:
        return self.events[self.bounds[lane] : self.bounds[lane + 1]]


class GroupingError(ValueError):
    """The column cannot make lanes (unknown, or too many distinct values)."""


def group_by(events: pd.DataFrame, column: str, order: I64) -> LaneGrouping:
    """Lanes by `column` for events whose rows sorted by start are `order`."""
    if column == STATUS_COLUMN:
        values = events[STATUS_COLUMN].astype(str)
    else:
        arrays = _attribute_columns(events)
        if column not in arrays:
            raise GroupingError(f"no column {column!r} to make lanes from")
        values = pd.Series(arrays[column].to_pandas(), dtype="string").fillna("")
    codes, uniques = pd.factorize(values.fillna("").to_numpy(dtype=object))
    names = [str(u) for u in uniques]
    if len(names) > MAX_LANES:
        raise GroupingError(
            f"{column!r} has {len(names):,} distinct values; lanes need at most {MAX_LANES:,}"
        )
    filled = sorted(
        (i for i in range(len(names)) if names[i].strip()), key=lambda i: natural_key(names[i])
    )
    ranked = filled + [i for i in range(len(names)) if not names[i].strip()]
    lane_of = np.empty(len(names), dtype=np.int64)
    lane_of[np.array(ranked, dtype=np.int64)] = np.arange(len(ranked), dtype=np.int64)
    lanes = lane_of[np.asarray(codes, dtype=np.int64)]
    by_lane = order[stable_order(lanes[order])].astype(np.int64)
    bounds = np.searchsorted(lanes[by_lane], np.arange(len(ranked) + 1)).astype(np.int64)
    shown = tuple(names[i] if names[i].strip() else EMPTY_LANE for i in ranked)
    return LaneGrouping(column, shown, by_lane, bounds)
