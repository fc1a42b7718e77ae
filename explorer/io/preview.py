"""The first rows of a file as they will be read: what the mapping dialog shows under
the choices, so a wrong date column or day/month order is seen before the import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from explorer.io.result import ImportResult
from explorer.model.dates import Precision, format_human
from explorer.model.document import NO_END

ROW: Final = "row "


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file: where it is, and the event it becomes (or why it does not)."""

    where: str  # "row 2", as the spreadsheet numbers it
    date: str = ""  # at its precision: "1977", "March 1977", "21 January 1977, 10:30 UTC"
    title: str = ""
    lanes: str = ""  # the actors (lanes) it is drawn in, joined by ", "
    status: str = ""
    set_aside: str = ""  # the reason, when the row is set aside


def preview_rows(result: ImportResult, rows: int, first_row: int = 2) -> list[PreviewRow]:
    """The first `rows` rows of the table behind `result`, in file order: each either
    the event it became or the reason it was set aside. `result` was read from a
    sample without blank rows, numbered from `first_row`."""
    reasons: dict[int, str] = {}
    for skipped in result.skipped:
        if skipped.where.startswith(ROW) and skipped.where[len(ROW) :].isdigit():
            position = int(skipped.where[len(ROW) :]) - first_row
            reasons.setdefault(position, str(skipped).split(": ", 1)[-1])
    doc = result.document
    events = doc.events
    lanes = _lanes_by_event(doc.links, doc.actors)
    out: list[PreviewRow] = []
    event = 0
    for position in range(rows):
        where = f"{ROW}{position + first_row}"
        if position in reasons:
            out.append(PreviewRow(where, set_aside=reasons[position]))
            continue
        if event >= len(events):
            break
        row = events.iloc[event]
        event += 1
        out.append(
            PreviewRow(
                where,
                date=_when(row),
                title=str(row["title"]),
                lanes=", ".join(lanes.get(str(row["id"]), [])),
                status=str(row["status"]),
            )
        )
    return out


def _when(row: pd.Series) -> str:
    start = format_human(int(row["start"]), Precision(int(row["start_precision"])))
    if int(row["end_precision"]) == NO_END:
        return start
    return f"{start} – {format_human(int(row['end']), Precision(int(row['end_precision'])))}"


def _lanes_by_event(links: pd.DataFrame, actors: pd.DataFrame) -> dict[str, list[str]]:
    names = dict(zip(actors["id"].astype(str), actors["name"].astype(str), strict=True))
    out: dict[str, list[str]] = {}
    for event_id, actor_id in zip(
        links["event_id"].astype(str), links["actor_id"].astype(str), strict=True
    ):
        out.setdefault(event_id, []).append(names.get(actor_id, actor_id))
    return out
