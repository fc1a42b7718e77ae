"""Turning SQL results into the query interface's answers, shared by the DuckDB and the
SQL-engine backends (their queries differ; the shapes they answer in do not)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from explorer.model.query import Cursor, Keys, Page


def column(table: pa.Table, name: str, dtype: Any = np.int64) -> npt.NDArray[Any]:
    """A result column as numpy (nulls as 0)."""
    col = table.column(name)
    if col.null_count:
        col = col.fill_null(0)
    return np.asarray(col.to_numpy(), dtype=dtype)


def contains(values: Sequence[str], needle: str) -> npt.NDArray[np.bool_]:
    """Which of a small table's names contain `needle` (case-insensitive, plain text)."""
    found = pd.Series(list(values), dtype="str").str.contains(needle, case=False, regex=False)
    return found.fillna(False).to_numpy(dtype=bool)


def per_lane(lanes: Keys, got: pa.Table) -> Keys:
    """(lane, n) rows summed into one count per asked lane, in the order asked."""
    out = np.zeros(len(lanes), dtype=np.int64)
    where = {int(lane): i for i, lane in enumerate(lanes)}
    for lane, n in zip(column(got, "lane").tolist(), column(got, "n").tolist(), strict=True):
        if int(lane) in where:
            out[where[int(lane)]] += int(n)
    return out


def plain(value: Any) -> int | str:
    return value if isinstance(value, str) else int(value)


def page(rows: list[tuple[Any, ...]], limit: int, first: int, total: int) -> Page:
    """A keyset page from (key, sort value) rows, one more than `limit` asked for."""
    more = len(rows) > limit
    rows = rows[:limit]
    keys = np.asarray([int(r[0]) for r in rows], dtype=np.int64)
    nxt = None
    if more and rows:
        nxt = Cursor(value=plain(rows[-1][1]), key=int(rows[-1][0]))
    return Page(keys=keys, first_ordinal=first, total=total, exact=True, next=nxt)
