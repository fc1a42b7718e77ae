"""Checks that a document hangs together: unique ids, known references, sane dates.

Readers build a Document and then call :func:`problems`; each problem names the
table, the row's id and the field, so that a message can point the user at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.model.dates import period_ends
from explorer.model.document import NO_END, Document

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class Problem:
    table: str
    row: int
    ident: str
    field: str
    reason: str

    def where(self) -> str:
        return f'{self.table}[{self.row}] (id "{self.ident}")'

    def __str__(self) -> str:
        return f'{self.where()}: field "{self.field}": {self.reason}'


def _duplicates(table: str, frame: pd.DataFrame) -> list[Problem]:
    ids = frame["id"]
    out = []
    for row in np.flatnonzero(ids.duplicated().to_numpy()):
        out.append(Problem(table, int(row), str(ids.iloc[int(row)]), "id", "duplicate id"))
    for row in np.flatnonzero((ids.fillna("").str.strip() == "").to_numpy()):
        out.append(Problem(table, int(row), "", "id", "empty id"))
    return out


def _unknown_refs(
    doc: Document, link_table: str, key: str, target_table: str, field: str
) -> list[Problem]:
    links: pd.DataFrame = getattr(doc, link_table)
    unknown = ~links[key].isin(getattr(doc, target_table)["id"]).to_numpy()
    event_rows = pd.Index(doc.events["id"])
    out = []
    for i in np.flatnonzero(unknown)[:50]:
        ident, ref = links["event_id"].iat[i], links[key].iat[i]
        # get_indexer_for: the ids may be duplicated too (a problem reported above).
        row = int(event_rows.get_indexer_for([ident])[0])
        out.append(
            Problem("events", row, str(ident), field, f"unknown {target_table[:-1]} {ref!r}")
        )
    return out


def problems(doc: Document, limit: int = 50) -> list[Problem]:
    """Everything wrong with `doc`, at most `limit` items (a broken file may have millions)."""
    found: list[Problem] = []
    for table in ("events", "actors", "sources", "themes", "periods"):
        found += _duplicates(table, getattr(doc, table))
    found += _unknown_refs(doc, "links", "actor_id", "actors", "actors")
    found += _unknown_refs(doc, "event_sources", "source_id", "sources", "sources")
    found += _unknown_refs(doc, "event_themes", "theme_id", "themes", "themes")
    events = doc.events
    has_end = events["end_precision"].to_numpy() != NO_END
    if has_end.any():
        # An end whose whole period lies before the start: "2020" may end "2020-05-03".
        end_hi = period_ends(
            events["end"].to_numpy(np.int64), events["end_precision"].to_numpy(np.int8)
        )
        bad = np.flatnonzero(has_end & (end_hi <= events["start"].to_numpy(np.int64)))
        for row in bad[:limit]:
            found.append(
                Problem(
                    "events", int(row), str(events["id"].iat[row]), "end", "ends before it starts"
                )
            )
    for row, colour in enumerate(doc.actors["colour"]):
        if colour and not _COLOUR.match(str(colour)):
            ident = str(doc.actors["id"].iat[row])
            found.append(Problem("actors", row, ident, "colour", f"{colour!r} is not #rrggbb"))
    return found[:limit]
