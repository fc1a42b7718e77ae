"""Periods: named spans of time that frame the events (TimelineJS and Timeline Project
eras, "the Weimar years"), kept beside the events rather than among them.

A period is not an event: it names no actor, rests on no source and has no claim
status, so it is drawn as a labelled band behind every lane and listed on its own.
One row per period, like every other table of the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from explorer.model.dates import (
    DateError,
    Precision,
    format_iso,
    parse_date,
    period_end,
    period_ends,
)

PERIOD_COLUMNS: Final = (
    "id",
    "label",
    "description",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "colour",
)
_NO_END: Final = -1  # as explorer.model.document.NO_END (which imports this module)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def make_periods(
    *,
    ids: Any,
    labels: Any,
    descriptions: Any,
    start: Any,
    start_precision: Any,
    end: Any,
    end_precision: Any,
    colours: Any,
) -> pd.DataFrame:
    """The periods table with its dtypes (an end precision of -1: no end given)."""
    return pd.DataFrame(
        {
            "id": pd.Series(ids, dtype="str"),
            "label": pd.Series(labels, dtype="str"),
            "description": pd.Series(descriptions, dtype="str"),
            "start": np.asarray(start, dtype=np.int64),
            "start_precision": np.asarray(start_precision, dtype=np.int8),
            "end": np.asarray(end, dtype=np.int64),
            "end_precision": np.asarray(end_precision, dtype=np.int8),
            "colour": pd.Series(colours, dtype="str"),
        }
    )


def empty_periods() -> pd.DataFrame:
    return make_periods(
        ids=[],
        labels=[],
        descriptions=[],
        start=[],
        start_precision=[],
        end=[],
        end_precision=[],
        colours=[],
    )


def period_spans(periods: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each period's covered interval [lo, hi) in seconds: a "1914" start covers 1914,
    an end its whole period, a period without an end its start's period."""
    start = periods["start"].to_numpy(np.int64)
    hi = period_ends(start, periods["start_precision"].to_numpy(np.int8))
    end_prec = periods["end_precision"].to_numpy(np.int8)
    has_end = end_prec != _NO_END
    if has_end.any():
        ends = period_ends(periods["end"].to_numpy(np.int64)[has_end], end_prec[has_end])
        hi[has_end] = np.maximum(hi[has_end], ends)
    return start, hi


def new_period_id(periods: pd.DataFrame, prefix: str = "period") -> str:
    taken = set(periods["id"].tolist())
    number = len(periods) + 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


# --- records: what the native file and the edit form hold for one period --------------


def period_problem(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first thing wrong with a period record, as (field, reason), or None."""
    if not isinstance(record, Mapping):
        return "", "a period must be an object"
    for key in ("id", "label", "description", "colour"):
        value = record.get(key, "")
        if value is not None and not isinstance(value, str):
            return key, f"must be text, not {type(value).__name__}"
    if not str(record.get("id") or "").strip():
        return "id", "is missing"
    if not str(record.get("label") or "").strip():
        return "label", "is missing"
    colour = str(record.get("colour") or "")
    if colour and not _COLOUR.match(colour):
        return "colour", f"{colour!r} is not #rrggbb"
    dates: dict[str, tuple[int, int]] = {}
    for key in ("start", "end"):
        raw = record.get(key)
        if raw is None or raw == "":
            if key == "start":
                return key, "is missing"
            continue
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str):
            return key, f"must be a date string, not {type(raw).__name__}"
        try:
            value = parse_date(raw)
        except DateError as exc:
            return key, str(exc)
        dates[key] = (value.seconds, int(value.precision))
    if (
        "end" in dates
        and period_end(dates["end"][0], Precision(dates["end"][1])) <= dates["start"][0]
    ):
        return "end", "ends before it starts"
    return None


def period_row(record: Mapping[str, Any]) -> pd.DataFrame:
    """One row of the periods table from a record that `period_problem` passed."""
    start = parse_date(str(record["start"]))
    raw_end = record.get("end")
    end = parse_date(str(raw_end)) if raw_end not in (None, "") else None
    return make_periods(
        ids=[str(record["id"]).strip()],
        labels=[str(record["label"])],
        descriptions=[str(record.get("description") or "")],
        start=[start.seconds],
        start_precision=[int(start.precision)],
        end=[end.seconds if end else 0],
        end_precision=[int(end.precision) if end else _NO_END],
        colours=[str(record.get("colour") or "")],
    )


class PeriodRecordError(ValueError):
    """A period record that cannot be read: its index in the list, field and reason."""

    def __init__(self, index: int, ident: str, field: str, reason: str) -> None:
        super().__init__(reason)
        self.index, self.ident, self.field, self.reason = index, ident, field, reason

    def where(self, table: str = "periods") -> str:
        return (
            f'{table}[{self.index}] (id "{self.ident}")' if self.ident else f"{table}[{self.index}]"
        )


def periods_from_records(records: Any) -> pd.DataFrame:
    """The periods table from a list of records (the native file's ``periods``);
    raises PeriodRecordError at the first bad one (an id used twice included)."""
    if not isinstance(records, list):
        raise PeriodRecordError(0, "", "", "must be a list")
    rows = []
    seen: set[str] = set()
    for i, record in enumerate(records):
        ident = record.get("id") if isinstance(record, Mapping) else None
        ident = ident if isinstance(ident, str) else ""
        problem = period_problem(record)
        if problem is None and ident.strip() in seen:
            problem = ("id", "duplicate id")
        if problem is not None:
            raise PeriodRecordError(i, ident, *problem)
        for key in ("id", "label", "description", "colour"):
            value = record.get(key)
            if isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                raise PeriodRecordError(i, ident, key, "contains an unpaired surrogate")
        seen.add(ident.strip())
        rows.append(period_row(record))
    if not rows:
        return empty_periods()
    return pd.concat(rows, ignore_index=True).astype(empty_periods().dtypes.to_dict())


def period_records(periods: pd.DataFrame) -> list[dict[str, Any]]:
    """The records of the periods table, in the native file's key order."""
    cols = {c: periods[c].tolist() for c in PERIOD_COLUMNS}
    out = []
    for i in range(len(periods)):
        end_prec = int(cols["end_precision"][i])
        out.append(
            {
                "id": cols["id"][i],
                "label": cols["label"][i],
                "description": cols["description"][i],
                "start": format_iso(
                    int(cols["start"][i]), Precision(int(cols["start_precision"][i]))
                ),
                "end": None
                if end_prec == _NO_END
                else format_iso(int(cols["end"][i]), Precision(end_prec)),
                "colour": cols["colour"][i],
            }
        )
    return out
