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
from explorer.model.document import NO_END, STATUS_CATEGORIES, make_events

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
    status: str = "confirmed"
    actors: list[str | _Link] = msgspec.field(default_factory=list)
    sources: list[str] = msgspec.field(default_factory=list)
    themes: list[str] = msgspec.field(default_factory=list)
    figures: list[_Figure] = msgspec.field(default_factory=list)
    attributes: dict[str, Any] = msgspec.field(default_factory=dict)


_TOP: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_DECODER: Final = msgspec.json.Decoder(list[_Event])
_CANONICAL: Final = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?)?$"
_PRECISION_OF_LENGTH: Final = {4: 0, 7: 1, 10: 2, 13: 3, 16: 4, 19: 5}


def decode(raw: bytes) -> tuple[dict[str, Any], list[_Event]]:
    """The top-level keys but ``events`` as plain JSON values (small), and the events
    as structs."""
    try:
        top = _TOP.decode(raw)
        events_raw = top.pop("events", None)
        rest = {key: msgspec.json.decode(value) for key, value in top.items()}
        events = _DECODER.decode(events_raw) if events_raw is not None else []
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
        raise NotFast(str(exc)) from None
    return rest, events


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


def parse_dates(values: list[Any]) -> tuple[I64, npt.NDArray[np.int8]]:
    """Seconds and precision of each date string, as ``parse_date`` reads it: the
    canonical shapes by digit arithmetic, anything else by ``parse_date`` itself."""
    n = len(values)
    seconds = np.zeros(n, dtype=np.int64)
    precision = np.zeros(n, dtype=np.int8)
    if not n:
        return seconds, precision
    if set(map(type, values)) == {str}:  # the usual file: every date a string
        is_text: Any = np.ones(n, dtype=bool)
        texts = _text(values)
    else:
        is_text = [isinstance(v, str) for v in values]
        texts = _text([v if t else None for v, t in zip(values, is_text, strict=True)])
    canonical = pc.fill_null(pc.match_substring_regex(texts, _CANONICAL), False)
    canonical_np = canonical.to_numpy(zero_copy_only=False) & np.asarray(is_text, dtype=bool)
    rows = np.flatnonzero(canonical_np)
    if len(rows):
        picked = pc.utf8_rpad(texts.take(pa.array(rows)), 19, "0")
        length = pc.binary_length(texts.take(pa.array(rows))).to_numpy(zero_copy_only=False)
        mat = np.frombuffer(picked.buffers()[2], np.uint8)[: 19 * len(rows)].reshape(-1, 19)
        digits = mat.astype(np.int64) - 48

        def field(a: int, b: int) -> I64:
            out = np.zeros(len(rows), dtype=np.int64)
            for k in range(a, b):
                out = out * 10 + digits[:, k]
            return out

        year, month, day = field(0, 4), field(5, 7), field(8, 10)
        hour, minute, second = field(11, 13), field(14, 16), field(17, 19)
        prec = np.select(
            [length == k for k in _PRECISION_OF_LENGTH],
            list(_PRECISION_OF_LENGTH.values()),
            -1,
        )
        month = np.where(prec >= 1, month, 1)
        day = np.where(prec >= 2, day, 1)
        valid = (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23)
        valid &= (minute <= 59) & (second <= 59) & (prec >= 0)
        if valid.all():
            valid &= day <= _month_lengths(year, month)
        if not valid.all():
            canonical_np[rows[~valid]] = False
            keep = valid
            rows, year, month, day = rows[keep], year[keep], month[keep], day[keep]
            hour, minute, second, prec = hour[keep], minute[keep], second[keep], prec[keep]
        days = np.asarray(days_from_civil(year, month, day), dtype=np.int64)
        seconds[rows] = days * DAY + hour * HOUR + minute * MINUTE + second
        precision[rows] = prec
    for row in np.flatnonzero(~canonical_np):
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


def _flat(lists: list[list[Any]], ids: pa.Array) -> tuple[pa.Array, list[Any]]:
    """The items of per-event lists in order, and the id of the event of each."""
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
    codes = pd.Index(STATUS_CATEGORIES.categories).get_indexer(list(map(get["status"], events)))
    if (codes < 0).any():
        raise NotFast("a status that is not one of ours")
    status = pd.Categorical.from_codes(codes, dtype=STATUS_CATEGORIES)
    frame = make_events(
        ids=ids.to_pandas(),
        titles=_text(list(map(get["title"], events))).to_pandas(),
        summaries=_text(list(map(get["summary"], events))).to_pandas(),
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
                "event_id": pd.Series(link_events.to_pandas(), dtype="str"),
                "actor_id": pd.Series(_text(actor_ids).to_pandas(), dtype="str"),
                "role": pd.Series(_text(roles).to_pandas(), dtype="str"),
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
                "event_id": pd.Series(owners.to_pandas(), dtype="str"),
                column: pd.Series(_text(refs).to_pandas(), dtype="str"),
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
            "event_id": pd.Series(owners.to_pandas(), dtype="str"),
            "text": pd.Series(_text([f.text for f in figures]).to_pandas(), dtype="str"),
            "quantity": quantity,
            **{
                key: pd.Series(_text([getattr(f, key) for f in figures]).to_pandas(), dtype="str")
                for key in ("unit", "qualifier", "label")
            },
        }
    )
    return tables
