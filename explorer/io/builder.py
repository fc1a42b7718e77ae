"""Building a Document from whole columns, the way every importer should.

Readers parse a file into columns (pandas or numpy), then hand them here: actors
come from a column of names (or lists of names), themes from lists of tags, ids
are made where the file has none. Everything is vectorised (factorize, explode),
so a million-row import spends its time in the parser, not in Python loops.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from explorer.model.document import (
    ACTOR_COLUMNS,
    DEFAULT_STATUS,
    NO_END,
    THEME_COLUMNS,
    Document,
    empty_figures,
    empty_sources,
    make_events,
)

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item") -> str:
    value = _SLUG.sub("-", text.lower()).strip("-")
    return value or fallback


def unique_ids(names: Sequence[str], prefix: str) -> list[str]:
    """Readable, unique ids from names: "Anthropic" -> "anthropic", twice -> "anthropic-2"."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = f"{prefix}{slug(str(name))}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        out.append(base if count == 1 else f"{base}-{count}")
    return out


def _names_table(
    names: Sequence[str], columns: tuple[str, ...], prefix: str, **fixed: Any
) -> pd.DataFrame:
    ids = unique_ids(names, prefix)
    data: dict[str, Any] = {c: [""] * len(ids) for c in columns}
    data["id"] = ids
    data["name"] = list(names)
    for key, value in fixed.items():
        data[key] = value if isinstance(value, list) else [value] * len(ids)
    return pd.DataFrame({c: pd.Series(data[c], dtype="str") for c in columns})


def _links_from(values: pd.Series, n: int) -> tuple[npt.NDArray[np.int64], pd.Series]:
    """(event row, name) pairs from a column of names or lists of names, blanks dropped."""
    series = pd.Series(values.to_numpy(dtype=object), index=np.arange(n))
    if series.map(lambda v: isinstance(v, list | tuple)).any():
        series = series.explode()
    series = series.dropna()
    series = series.astype("str").str.strip()
    series = series[series != ""]
    return series.index.to_numpy(dtype=np.int64), series.reset_index(drop=True)


def build_document(
    *,
    title: str = "",
    description: str = "",
    n: int,
    ids: Any = None,
    id_prefix: str = "e",
    titles: Any,
    summaries: Any = None,
    start: npt.NDArray[np.int64],
    start_precision: npt.NDArray[np.int8] | int,
    end: npt.NDArray[np.int64] | None = None,
    end_precision: npt.NDArray[np.int8] | None = None,
    status: Any = None,
    attributes: Any = None,
    actors: pd.Series | None = None,
    actor_kind: str = "",
    actor_colours: dict[str, str] | None = None,
    role: str = "",
    tags: pd.Series | None = None,
    theme_descriptions: dict[str, str] | None = None,
) -> Document:
    """One Document from columns of length `n` (see the module docstring)."""
    if ids is None:
        ids = pd.Series(np.arange(1, n + 1)).map(f"{id_prefix}{{}}".format)
    ids = pd.Series(ids, dtype="str").reset_index(drop=True)
    if ids.duplicated().any():
        # Files repeat ids more often than one would hope; keep them unique and readable.
        dup = ids.duplicated(keep="first").to_numpy()
        ids = ids.where(~dup, ids + "-" + pd.Series(np.arange(n)).astype("str"))
    start_prec = np.broadcast_to(np.asarray(start_precision, dtype=np.int8), (n,)).copy()
    events = make_events(
        ids=ids,
        titles=pd.Series(titles, dtype="str").fillna("").reset_index(drop=True),
        summaries=pd.Series([""] * n if summaries is None else summaries, dtype="str")
        .fillna("")
        .reset_index(drop=True),
        start=np.asarray(start, dtype=np.int64),
        start_precision=start_prec,
        end=np.zeros(n, np.int64) if end is None else np.asarray(end, dtype=np.int64),
        end_precision=np.full(n, NO_END, np.int8) if end_precision is None else end_precision,
        status=[DEFAULT_STATUS.value] * n if status is None else status,
        attributes=[None] * n if attributes is None else attributes,
    )
    doc = Document(title=title, description=description, events=events)
    if actors is not None:
        rows, names = _links_from(actors, n)
        codes, uniques = pd.factorize(names, sort=False)
        unique_names = [str(u) for u in uniques]
        colours = [(actor_colours or {}).get(name, "") for name in unique_names]
        doc.actors = _names_table(unique_names, ACTOR_COLUMNS, "", kind=actor_kind, colour=colours)
        actor_ids = doc.actors["id"].to_numpy(dtype=object)
        doc.links = pd.DataFrame(
            {
                "event_id": pd.Series(ids.to_numpy(dtype=object)[rows], dtype="str"),
                "actor_id": pd.Series(actor_ids[codes], dtype="str"),
                "role": pd.Series([role] * len(rows), dtype="str"),
            }
        )
    if tags is not None:
        rows, names = _links_from(tags, n)
        codes, uniques = pd.factorize(names, sort=False)
        unique_names = [str(u) for u in uniques]
        descriptions = [(theme_descriptions or {}).get(name, "") for name in unique_names]
        doc.themes = _names_table(unique_names, THEME_COLUMNS, "", description=descriptions)
        theme_ids = doc.themes["id"].to_numpy(dtype=object)
        doc.event_themes = pd.DataFrame(
            {
                "event_id": pd.Series(ids.to_numpy(dtype=object)[rows], dtype="str"),
                "theme_id": pd.Series(theme_ids[codes], dtype="str"),
            }
        )
    doc.sources = empty_sources()
    doc.figures = empty_figures()
    return doc


def merge(documents: Sequence[Document], labels: Sequence[str]) -> Document:
    """Several documents as one; ids are prefixed by their file's label where they clash.

    Events without actors get their file as actor, so lanes stay apart by source.
    """
    if len(documents) == 1:
        return documents[0]
    parts: dict[str, list[pd.DataFrame]] = {}
    for doc, label in zip(documents, labels, strict=True):
        prefix = f"{slug(label)}:"
        renamed = doc.copy()
        for table, columns in (
            ("events", ("id",)),
            ("actors", ("id",)),
            ("sources", ("id",)),
            ("themes", ("id",)),
            ("links", ("event_id", "actor_id")),
            ("event_sources", ("event_id", "source_id")),
            ("event_themes", ("event_id", "theme_id")),
            ("figures", ("event_id",)),
            ("stars", ("event_id",)),
            ("tags", ("event_id",)),
            ("notes", ("event_id",)),
            ("periods", ("id",)),
        ):
            frame = getattr(renamed, table)
            for column in columns:
                frame[column] = prefix + frame[column].astype("str")
            parts.setdefault(table, []).append(frame)
        linked = set(renamed.links["event_id"])
        orphans = renamed.events.loc[~renamed.events["id"].isin(linked), "id"]
        if len(orphans):
            source_actor = pd.DataFrame(
                {c: pd.Series([""], dtype="str") for c in ACTOR_COLUMNS}
            ).assign(id=f"{prefix}source", name=label, kind="source file")
            parts["actors"].append(source_actor)
            parts["links"].append(
                pd.DataFrame(
                    {
                        "event_id": orphans.astype("str"),
                        "actor_id": pd.Series([f"{prefix}source"] * len(orphans), dtype="str"),
                        "role": pd.Series(["source"] * len(orphans), dtype="str"),
                    }
                )
            )
    merged = Document(
        title=" + ".join(d.title or label for d, label in zip(documents, labels, strict=True)),
        description="",
        **{table: pd.concat(frames, ignore_index=True) for table, frames in parts.items()},
    )
    merged.events["status"] = merged.events["status"].astype(documents[0].events["status"].dtype)
    merged.periods = merged.periods.astype(documents[0].periods.dtypes.to_dict())
    return merged
