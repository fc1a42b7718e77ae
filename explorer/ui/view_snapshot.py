"""A view as plain data: filter, visible range, hidden lanes, lane grouping, time zone.

One shape for the last view of a document, its named saved views and the navigation
history, so what is remembered and what is restored cannot drift apart. It is JSON
(settings store it as text; the native format can carry it as an optional key).
"""

from __future__ import annotations

import contextlib
from typing import Any

from explorer.model import zones
from explorer.model.store import Filter
from explorer.model.viewport import Viewport
from explorer.ui.view_state import ViewState


def filter_data(flt: Filter) -> dict[str, Any]:
    return {
        "actors": None if flt.actors is None else sorted(flt.actors),
        "themes": None if flt.themes is None else sorted(flt.themes),
        "statuses": None if flt.statuses is None else sorted(flt.statuses),
        "text": flt.text,
        "window": None if flt.window is None else list(flt.window),
        "known_by": flt.known_by,
        "known_undated": flt.known_undated,
    }


def filter_from(f: dict[str, Any]) -> Filter:
    def as_set(value: object) -> frozenset[str] | None:
        return None if value is None else frozenset(str(v) for v in value)  # type: ignore[attr-defined]

    window = f.get("window")
    return Filter(
        actors=as_set(f.get("actors")),
        themes=as_set(f.get("themes")),
        statuses=as_set(f.get("statuses")),
        text=str(f.get("text", "")),
        window=None if window is None else (int(window[0]), int(window[1])),
        known_by=None if f.get("known_by") is None else int(f["known_by"]),
        known_undated=bool(f.get("known_undated", False)),
    )


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
