"""A view as plain data: filter, visible range, hidden lanes, lane grouping, time zone.

One shape for the last view of a document, its named saved views and the navigation
history, so what is remembered and what is restored cannot drift apart. It is JSON
(settings store it as text; the native format can carry it as an optional key).
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

from explorer.model import zones
from explorer.model.store import Filter
from explorer.model.viewport import Viewport
from explorer.ui.view_state import ViewState


def filter_data(flt: Filter) -> dict[str, Any]:
    """Every field of the filter, as JSON: sets sorted, the window a list. Written over
    the dataclass's fields, so a field added to Filter is remembered without a change
    here (tests/test_desk_views.py round-trips one of each)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Filter):
        value = getattr(flt, f.name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def filter_from(f: dict[str, Any]) -> Filter:
    """The filter `filter_data` wrote (keys it does not know, from a newer version, are
    left out; a damaged value raises ValueError or TypeError)."""
    default = Filter()
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Filter):
        if field.name not in f:
            continue
        value, like = f[field.name], getattr(default, field.name)
        if value is None:
            values[field.name] = None
        elif field.name == "window":
            values[field.name] = (int(value[0]), int(value[1]))
        elif field.name == "known_by":
            values[field.name] = int(value)
        elif isinstance(like, bool):
            values[field.name] = bool(value)
        elif isinstance(like, str):
            values[field.name] = str(value)
        else:  # a set of ids, names or levels
            if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
                raise TypeError(f"filter {field.name}: a list was expected")
            values[field.name] = frozenset(str(v) for v in value)
    return Filter(**values)


def capture(state: ViewState) -> dict[str, Any]:
    """The view the user is looking at now."""
    vp = state.viewport
    return {
        "start_ns": vp.start_ns,
        "span_ns": vp.span_ns,
        "hidden": sorted(state.hidden_actors),
        "lanes_by": None if state.lane_grouping is None else state.lane_grouping.column,
        "filter": filter_data(state.filter),
        "zone": state.zone.key,
    }


def apply(state: ViewState, view: dict[str, Any], set_viewport: Any = None) -> None:
    """Show `view` (ValueError, KeyError, TypeError if damaged; parts that name actors
    this document no longer has are dropped). `set_viewport` is the timeline's, which
    clamps the range to the document; the state's own is used without one."""
    known_actors = set(state.actors.ids)
    zone_key = view.get("zone")
    if isinstance(zone_key, str):
        # A zone this computer does not know: keep the current one.
        with contextlib.suppress(zones.ZoneError):
            state.set_zone(zones.zone(zone_key))
    state.set_hidden_actors(frozenset(a for a in view.get("hidden", []) if a in known_actors))
    lanes_by = view.get("lanes_by")
    state.set_lane_grouping(None if lanes_by is None else str(lanes_by))
    state.set_filter(filter_from(view.get("filter") or {}))
    viewport = Viewport(int(view["start_ns"]), int(view["span_ns"]), state.viewport.width)
    (set_viewport or state.set_viewport)(viewport)
