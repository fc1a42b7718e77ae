"""The native file read fast: msgspec decodes the events into typed structs in C, and
the columns are taken from them whole (dates parsed by numpy digit arithmetic, links
flattened through counts), never a dict built per event by Python code.

This path only reads files that are right. Anything unusual (a type msgspec refuses, a
date outside the canonical ``YYYY-MM-DDTHH:MM:SS`` shapes that ``parse_date`` then
refuses, an unknown status, a non-finite quantity, a lone surrogate) raises
:class:`NotFast`, and the caller reads the file the thorough way, which names the
record and field at fault exactly as before.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator
from itertools import chain, repeat
from operator import attrgetter, is_not
from typing import Any, Final

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.io.attributes import ColumnAttributes
from explorer.model.dates import (
    DAY,
    HOUR,
    MINUTE,
    DateError,
    days_from_civil,
    days_in_month,
    parse_date,
)
from explorer.model.document import NO_END, STATUS_CATEGORIES, ClaimStatus, make_events

I64 = npt.NDArray[np.int64]


class NotFast(ValueError):  # noqa: N818 (a signal to take the thorough path)
    """The file needs the thorough reader (it may well be fine)."""


class _Link(msgspec.Struct, gc=False):
    actor: str
    role: str | None = None


class _Figure(msgspec.Struct, gc=False):
    text: str
    quantity: int | float | None = None
    unit: str | None = None
    qualifier: str | None = None
    label: str | None = None


class _Event(msgspec.Struct, gc=False):
    id: str
    title: str
    start: str | int
    summary: str | None = None
    end: str | int | None = None
    status: ClaimStatus = ClaimStatus.CONFIRMED  # a version-1 file without one
    # Tuples, not lists: an empty one is Python's one empty tuple, not a new object per
    # event (most events of a large file have no sources, themes or figures).
    actors: tuple[str | _Link, ...] = ()
    sources: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    figures: tuple[_Figure, ...] = ()
    attributes: dict[str, Any] = msgspec.field(default_factory=dict)


_DECODER: Final = msgspec.json.Decoder(list[_Event])
_PRECISION_OF_LENGTH: Final = {4: 0, 7: 1, 10: 2, 13: 3, 16: 4, 19: 5}
_TOP_KEYS: Final = ("format", "version", "title", "description", "actors", "sources", "themes")
_TOP_DECODERS: dict[tuple[str, ...], msgspec.json.Decoder[Any]] = {}


def _top_decoder(keys: tuple[str, ...]) -> msgspec.json.Decoder[Any]:
    """One pass over the file: the events as structs, the other keys as plain values
    (unknown keys skipped, as the thorough reader ignores them)."""
    if keys not in _TOP_DECODERS:
        fields: list[Any] = [(key, Any, msgspec.UNSET) for key in keys]
        fields.append(("events", list[_Event] | msgspec.UnsetType, msgspec.UNSET))
        top = msgspec.defstruct("_File", fields, gc=False)
        _TOP_DECODERS[keys] = msgspec.json.Decoder(top)
    return _TOP_DECODERS[keys]


def decode(raw: bytes, optional: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[_Event]]:
    """The top-level keys but ``events`` as plain JSON values (small), and the events
    as structs; `optional` names the top-level keys read beside the version-1 ones."""
    keys = _TOP_KEYS + tuple(optional)
    try:
        top = _top_decoder(keys).decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
        raise NotFast(str(exc)) from None
    rest = {key: getattr(top, key) for key in keys if getattr(top, key) is not msgspec.UNSET}
    events = top.events
    return rest, [] if events is msgspec.UNSET else events


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """Millions of new objects, none cyclic: without this the collector rescans them
    all every few thousand allocations."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _text(values: list[Any]) -> pa.Array:
    try:
        arr = pa.array(values, pa.large_string())
    except (pa.ArrowException, UnicodeEncodeError) as exc:  # a lone surrogate
        raise NotFast(str(exc)) from None
    return pc.fill_null(arr, "") if arr.null_count else arr


_SEPARATORS: Final = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}
_DIGITS: Final = [k for k in range(19) if k not in _SEPARATORS]


def _date_matrix(texts: pa.Array) -> tuple[npt.NDArray[np.uint8], I64, npt.NDArray[np.bool_]]:
    """Each text's bytes in a row of 19 (shorter ones padded with "0"), its length, and
    whether that length is a canonical one; from the data buffer, no object per date."""
    n = len(texts)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset : texts.offset + n + 1]
    buffer = texts.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    length = np.diff(offsets)
    shaped = np.isin(length, list(_PRECISION_OF_LENGTH))
    if texts.null_count:
        shaped &= texts.is_valid().to_numpy(zero_copy_only=False)
    if shaped.all() and (length == 19).all():  # the usual file: every date to the second
        return data[offsets[0] : offsets[-1]].reshape(n, 19), length, shaped
    mat = np.full((n, 19), ord("0"), dtype=np.uint8)
    for size in _PRECISION_OF_LENGTH:
        rows = np.flatnonzero(shaped & (length == size))
        if len(rows):
            mat[rows, :size] = data[offsets[rows][:, None] + np.arange(size)]
    return mat, length, shaped


def _series(arr: pa.Array) -> pd.Series:
    """A text column kept in Arrow: ``to_pandas()`` would make a Python str per cell."""
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), dtype="str")


def parse_dates(values: list[Any]) -> tuple[I64, npt.NDArray[np.int8]]:
    """Seconds and precision of each date string, as ``parse_date`` reads it: the
    canonical shapes (``YYYY``, ``YYYY-MM`` ... ``YYYY-MM-DDTHH:MM:SS``) by digit
    arithmetic on the bytes, anything else by ``parse_date`` itself."""
    n = len(values)
    seconds = np.zeros(n, dtype=np.int64)
    precision = np.zeros(n, dtype=np.int8)
    if not n:
        return seconds, precision
    if set(map(type, values)) == {str}:  # the usual file: every date a string
        texts = _text(values)
    else:
        texts = _text([v if isinstance(v, str) else None for v in values])
    mat, length, canonical = _date_matrix(texts)
    # One array per character (a column of the matrix each): digits as numbers.
    d = [mat[:, k].astype(np.int32) - ord("0") for k in range(19)]
    for col, char in _SEPARATORS.items():
        canonical &= (length <= col) | (d[col] == char - ord("0"))
    bad_digit = np.zeros(n, dtype=bool)
    for col in _DIGITS:
        bad_digit |= d[col].astype(np.uint32) > 9
    canonical &= ~bad_digit

    def field(a: int, b: int) -> I64:
        out = d[a].copy()
        for k in range(a + 1, b):
            out *= 10
            out += d[k]
        return np.asarray(out, dtype=np.int64)

    prec = np.zeros(n, dtype=np.int8)
    for size, value in _PRECISION_OF_LENGTH.items():
        prec[length == size] = value
    year = field(0, 4)
    month = np.where(prec >= 1, field(5, 7), 1)
    day = np.where(prec >= 2, field(8, 10), 1)
    hour, minute, second = field(11, 13), field(14, 16), field(17, 19)
    canonical &= (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23)
    canonical &= (minute <= 59) & (second <= 59)
    canonical &= day <= _month_lengths(year, np.clip(month, 1, 12))
    days = np.asarray(days_from_civil(year, month, day), dtype=np.int64)
    seconds[:] = np.where(canonical, days * DAY + hour * HOUR + minute * MINUTE + second, 0)
    precision[:] = np.where(canonical, prec, 0)
    for row in np.flatnonzero(~canonical):
        value = values[int(row)]
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise NotFast("not a date")
        try:
            parsed = parse_date(str(value))
        except DateError as exc:
            raise NotFast(str(exc)) from None
        seconds[row], precision[row] = parsed.seconds, int(parsed.precision)
    return seconds, precision


def _month_lengths(year: I64, month: I64) -> I64:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    out = lengths[month - 1]
    return np.where(leap & (month == 2), 29, out)


assert days_in_month(2024, 2) == 29  # the rule _month_lengths repeats, vectorised


def _flat(lists: list[tuple[Any, ...]], ids: pa.Array) -> tuple[pa.Array, list[Any]]:
    """The items of per-event lists in order, and the id of the event of each."""
    if not any(lists):
        return ids.slice(0, 0), []
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    items = list(chain.from_iterable(lists))
    owner = np.repeat(np.arange(len(lists), dtype=np.int64), counts)
    return ids.take(pa.array(owner)), items


def _attributes(values: list[dict[str, Any]]) -> Any:
    """The attributes column: Arrow columns when every object is flat text in one key
    order (a bulk import saved), else a dict per event (None for an empty one)."""
    if not any(values):
        return pd.Series([None] * len(values), dtype=object)
    columnar = _attribute_columns(values)
    if columnar is not None:
        return pd.Series(columnar)
    return pd.Series([v or None for v in values], dtype=object)


def _attribute_columns(values: list[dict[str, Any]]) -> ColumnAttributes | None:
    try:
        struct = pa.array(values)
    except (pa.ArrowException, UnicodeEncodeError, TypeError, ValueError, OverflowError):
        return None  # mixed or deep values: a dict per event keeps them
    if not pa.types.is_struct(struct.type) or struct.null_count:
        return None
    names = [f.name for f in struct.type]
    if len(set(names)) != len(names) or not all(
        pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in struct.type
    ):
        return None
    order = {name: k for k, name in enumerate(names)}
    for keys in set(map(tuple, values)):
        positions = [order[k] for k in keys]
        if positions != sorted(positions):
            return None  # another key order: a dict keeps it, columns could not
    columns = {name: struct.field(name) for name in names}
    present = sum(pc.is_valid(col).cast(pa.int64()).to_numpy() for col in columns.values())
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if not np.array_equal(present, sizes):
        return None  # an explicit null value: only a dict keeps it
    return ColumnAttributes(columns, np.arange(len(values), dtype=np.int64), empty=())


def event_tables(events: list[_Event]) -> dict[str, pd.DataFrame]:
    """The events table and the four tables that hang off events."""
    get = {name: attrgetter(name) for name in _Event.__struct_fields__}
    ids_list = list(map(get["id"], events))
    ids = _text(ids_list)
    start, start_prec = parse_dates(list(map(get["start"], events)))
    ends = list(map(get["end"], events))
    has_end = np.fromiter(map(is_not, ends, repeat(None)), dtype=bool, count=len(ends))
    end = np.zeros(len(events), dtype=np.int64)
    end_prec = np.full(len(events), NO_END, dtype=np.int8)
    if has_end.any():
        given = [e for e in ends if e is not None]
        end[has_end], end_prec[has_end] = parse_dates(given)
    code_of = {ClaimStatus(c): k for k, c in enumerate(STATUS_CATEGORIES.categories)}
    codes = np.fromiter(
        map(code_of.__getitem__, map(get["status"], events)), dtype=np.int8, count=len(events)
    )
    status = pd.Categorical.from_codes(codes, dtype=STATUS_CATEGORIES)
    frame = make_events(
        ids=_series(ids),
        titles=_series(_text(list(map(get["title"], events)))),
        summaries=_series(_text(list(map(get["summary"], events)))),
        start=start,
        start_precision=start_prec,
        end=end,
        end_precision=end_prec,
        status=status,
        attributes=[None] * len(events),
    )
    frame["attributes"] = _attributes(list(map(get["attributes"], events)))

    link_events, links = _flat(list(map(get["actors"], events)), ids)
    if set(map(type, links)) <= {_Link}:
        actor_ids = list(map(attrgetter("actor"), links))
        roles = list(map(attrgetter("role"), links))
    else:
        actor_ids = [link if isinstance(link, str) else link.actor for link in links]
        roles = ["" if isinstance(link, str) else link.role for link in links]
    tables = {
        "events": frame,
        "links": pd.DataFrame(
            {
                "event_id": _series(link_events),
                "actor_id": _series(_text(actor_ids)),
                "role": _series(_text(roles)),
            }
        ),
    }
    for table, name, column in (
        ("event_sources", "sources", "source_id"),
        ("event_themes", "themes", "theme_id"),
    ):
        owners, refs = _flat(list(map(get[name], events)), ids)
        tables[table] = pd.DataFrame(
            {
                "event_id": _series(owners),
                column: _series(_text(refs)),
            }
        )
    owners, figures = _flat(list(map(get["figures"], events)), ids)
    stated = np.array([f.quantity is not None for f in figures], dtype=bool)
    try:
        quantity = np.array(
            [math.nan if f.quantity is None else f.quantity for f in figures], dtype=np.float64
        )
    except OverflowError:
        raise NotFast("a quantity too large for a float") from None
    if not np.isfinite(quantity[stated]).all():
        raise NotFast("a quantity that is not finite")
    tables["figures"] = pd.DataFrame(
        {
            "event_id": _series(owners),
            "text": _series(_text([f.text for f in figures])),
            "quantity": quantity,
            **{
                key: _series(_text([getattr(f, key) for f in figures]))
                for key in ("unit", "qualifier", "label")
            },
        }
    )
    return tables
