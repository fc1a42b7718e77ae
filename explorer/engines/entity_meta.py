"""The document's small tables (actors, themes, sources) as out-of-core backends keep
them: native-format records in the data's metadata, turned into `EntityTable`s here
once for every backend, so DuckDB and the SQL engines name and date them alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from explorer.model.dates import DatedValue, DateError, parse_date
from explorer.model.query import EntityTable
from explorer.model.sourcing import publisher_codes


def entities(records: Sequence[Mapping[str, Any]], name_key: str) -> EntityTable:
    """Actors or themes."""

    def col(key: str) -> tuple[str, ...]:
        return tuple(str(r.get(key) or "") for r in records)

    return EntityTable(
        ids=col("id"),
        names=col(name_key),
        kinds=col("kind"),
        postures=col("posture"),
        colours=col("colour"),
        descriptions=col("description"),
    )


def source_entities(records: Sequence[Mapping[str, Any]]) -> EntityTable:
    """Sources: named by publisher (by title when there is none), with title, link and date."""
    blank = ("",) * len(records)
    return EntityTable(
        ids=tuple(str(s.get("id", "")) for s in records),
        names=tuple(str(s.get("publisher") or s.get("title") or "") for s in records),
        kinds=blank,
        postures=blank,
        colours=blank,
        descriptions=blank,
        titles=tuple(str(s.get("title") or "") for s in records),
        urls=tuple(str(s.get("url") or "") for s in records),
        published=tuple(dated_text(s.get("published")) for s in records),
    )


def dated_text(text: Any) -> DatedValue | None:
    """A native-format date string, or None where there is none (or it does not parse)."""
    if not text:
        return None
    try:
        return parse_date(str(text))
    except DateError:
        return None


def source_publishers(records: Sequence[Mapping[str, Any]]) -> npt.NDArray[np.int64]:
    """One code per source, equal for one publisher (explorer.model.sourcing)."""
    return publisher_codes(
        [str(x.get("publisher") or "") for x in records],
        [str(x.get("url") or "") for x in records],
    )
