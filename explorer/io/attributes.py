"""Per-event attributes kept as columns: a million-row import without a million dicts.

Forensic exports carry dozens of columns beyond the timeline's own; keeping them as
Arrow string columns and building one event's dict only when it is read keeps an
import within twice a bare ``pandas.read_csv``, and lets Parquet store them as
columns too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pandas.api.extensions import ExtensionArray, ExtensionDtype, take


class AttributesDtype(ExtensionDtype):
    """The dtype of a `ColumnAttributes` column: one dict (or None) per event."""

    name: ClassVar[str] = "attributes"
    type: ClassVar[Any] = dict
    kind = "O"
    na_value = None

    @classmethod
    def construct_array_type(cls) -> Any:
        return ColumnAttributes


class ColumnAttributes(ExtensionArray):
    """Per-event attribute dicts kept as columns of Arrow strings.

    Reading event i (``events["attributes"].iloc[i]``) builds its dict on the spot,
    without its empty cells (None when nothing is left), so a million-row import
    costs the columns it already read, not a million dicts. Sorting, filtering and
    copying move an int64 row index only. Anything that asks for all values at
    once (``to_numpy``, ``tolist``, saving) gets plain dicts; assigning into the
    column turns it into plain dicts first, so edits behave as with any object column.
    """

    def __init__(
        self,
        columns: Mapping[str, pa.ChunkedArray | pa.Array],
        rows: npt.ArrayLike,
        empty: Iterable[str] = ("",),
        objects: npt.NDArray[np.object_] | None = None,
    ) -> None:
        self._columns = {
            name: col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])
            for name, col in columns.items()
        }
        self._rows = np.asarray(rows, dtype=np.int64)
        self._empty = frozenset(empty)
        self._objects = objects  # set once the column has been written to

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_dicts(cls, values: Sequence[Any]) -> ColumnAttributes:
        objects = np.empty(len(values), dtype=object)
        objects[:] = [v if isinstance(v, dict) and v else None for v in values]
        return cls({}, np.full(len(values), -1, dtype=np.int64), objects=objects)

    @classmethod
    def _from_sequence(
        cls, scalars: Sequence[Any], *, dtype: Any = None, copy: bool = False
    ) -> ColumnAttributes:
        return cls.from_dicts(list(scalars))

    @classmethod
    def _from_factorized(cls, values: Any, original: Any) -> ColumnAttributes:
        return cls.from_dicts(list(values))

    # -- reading ------------------------------------------------------------------
    @property
    def dtype(self) -> AttributesDtype:
        return AttributesDtype()

    def __len__(self) -> int:
        return len(self._rows) if self._objects is None else len(self._objects)

    def columns(self) -> tuple[dict[str, pa.ChunkedArray], frozenset[str]] | None:
        """The attributes as one Arrow column per key, in row order, and the cell values
        that mean "empty"; None once the column holds plain dicts (after an edit)."""
        if self._objects is not None:
            return None
        rows = pa.array(self._rows)
        return {name: col.take(rows) for name, col in self._columns.items()}, self._empty

    def _row(self, row: int) -> dict[str, Any] | None:
        if row < 0:
            return None
        values = {}
        for name, col in self._columns.items():
            value = col[row].as_py()
            if value is not None and value not in self._empty:
                values[name] = value
        return values or None

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, int | np.integer):
            if self._objects is not None:
                return self._objects[item]
            return self._row(int(self._rows[item]))
        if isinstance(item, tuple) and len(item) == 1:
            item = item[0]
        if self._objects is not None:
            return self._like(self._objects[item])
        return ColumnAttributes(self._columns, self._rows[item], self._empty)

    def _like(self, objects: npt.NDArray[np.object_]) -> ColumnAttributes:
        return ColumnAttributes({}, np.full(len(objects), -1, np.int64), objects=objects)

    def _materialise(self) -> npt.NDArray[np.object_]:
        if self._objects is not None:
            return self._objects
        out = np.empty(len(self._rows), dtype=object)
        present = self._rows >= 0
        wanted = pa.array(self._rows[present])
        names = list(self._columns)
        columns = [self._columns[name].take(wanted).to_pylist() for name in names]
        empty = self._empty
        dicts = [
            {k: v for k, v in zip(names, values, strict=True) if v is not None and v not in empty}
            or None
            for values in zip(*columns, strict=True)
        ]
        out[np.flatnonzero(present)] = dicts if names else [None] * int(present.sum())
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> npt.NDArray[np.object_]:
        return self._materialise()

    def to_numpy(
        self, dtype: Any = None, copy: bool = False, na_value: Any = None
    ) -> npt.NDArray[np.object_]:
        return self._materialise().copy() if copy else self._materialise()

    def astype(self, dtype: Any, copy: bool = True) -> Any:
        if isinstance(dtype, AttributesDtype):
            return self.copy() if copy else self
        return np.asarray(self._materialise(), dtype=dtype)

    def isna(self) -> Any:
        if self._objects is not None:
            return np.array([v is None for v in self._objects], dtype=bool)
        return self._rows < 0

    @property
    def nbytes(self) -> int:
        if self._objects is not None:
            return int(self._objects.nbytes)
        return int(self._rows.nbytes + sum(col.nbytes for col in self._columns.values()))

    def __eq__(self, other: object) -> Any:
        mine = self._materialise()
        if isinstance(other, ColumnAttributes | np.ndarray | list):
            theirs = other._materialise() if isinstance(other, ColumnAttributes) else other
            return np.array([a == b for a, b in zip(mine, theirs, strict=True)], dtype=bool)
        return np.array([a == other for a in mine], dtype=bool)

    # -- reshaping ----------------------------------------------------------------
    def take(
        self, indexer: Any, *, allow_fill: bool = False, fill_value: Any = None
    ) -> ColumnAttributes:
        if self._objects is not None:
            return self._like(np.asarray(take(self._objects, indexer, allow_fill=allow_fill)))
        rows = np.asarray(take(self._rows, indexer, allow_fill=allow_fill, fill_value=-1))
        return ColumnAttributes(self._columns, rows, self._empty)

    def copy(self) -> ColumnAttributes:
        objects = None if self._objects is None else self._objects.copy()
        return ColumnAttributes(self._columns, self._rows.copy(), self._empty, objects)

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[ColumnAttributes]) -> ColumnAttributes:
        first = to_concat[0]
        if all(
            a._objects is None and a._columns is first._columns and a._empty == first._empty
            for a in to_concat
        ):
            return cls(first._columns, np.concatenate([a._rows for a in to_concat]), first._empty)
        return cls.from_dicts(list(np.concatenate([a._materialise() for a in to_concat])))

    def __setitem__(self, key: Any, value: Any) -> None:
        objects = self._materialise().copy()
        if isinstance(value, dict) or value is None:
            if isinstance(key, int | np.integer):
                objects[key] = value
            else:
                selected = np.arange(len(objects))[key]
                for i in selected:
                    objects[i] = value
        else:
            objects[key] = list(value)
        self._objects = objects
        self._columns = {}
        self._rows = np.full(len(objects), -1, dtype=np.int64)


# --- result collection --------------------------------------------------------------
