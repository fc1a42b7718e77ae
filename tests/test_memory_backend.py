"""The in-memory backend, the oracle, against a brute-force reading of the interface."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from explorer.model.document import Document, event_bounds
from explorer.model.query import ALL, Filter, density_edges, density_level
from explorer.model.store import NO_ACTOR
from tests.backends import documents, memory_backend

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


def lanes_by_hand(doc: Document) -> dict[int, set[int]]:
    ids = list(doc.events["id"])
    actors = list(doc.actors["id"])
    out: dict[int, set[int]] = {a: set() for a in range(len(actors))}
    linked: set[int] = set()
    for event_id, actor_id in zip(doc.links["event_id"], doc.links["actor_id"], strict=True):
        row = ids.index(event_id)
        out[actors.index(actor_id)].add(row)
        linked.add(row)
    unlinked = set(range(len(ids))) - linked
    if unlinked:
        out[NO_ACTOR] = unlinked
    return out


@SETTINGS
@given(
    doc=documents(),
    t=st.integers(-(10**9), 2 * 10**9),
    w=st.integers(1, 10**9),
    bins=st.integers(1, 40),
)
def test_frame_answers_follow_their_definitions(doc: Document, t: int, w: int, bins: int) -> None:
    q = memory_backend(doc)
    lo, hi = event_bounds(doc.events)
    lanes = lanes_by_hand(doc)
    keys = q.lanes().keys
    assert sorted(keys.tolist()) == sorted(lanes)
    flt = Filter(statuses=frozenset({"confirmed", "reported", "disputed"}))
    assert flt.statuses is not None
    passing = {r for r in range(len(lo)) if doc.events["status"].iat[r] in flt.statuses}
    t0, t1 = t, t + w
    counts = q.window_counts(flt, keys, t0, t1)
    d = q.density(flt, keys, t0, t1, bins)
    edges = density_edges(t0, t1, bins)
    step = 1 << density_level(t0, t1, bins)
    assert (np.diff(edges) >= 0).all()
    assert (edges % step == 0).all()
    marks = q.marks(flt, keys, t0, t1, 3)
    for i, key in enumerate(keys.tolist()):
        rows = sorted(lanes[key] & passing, key=lambda r: (lo[r], r))
        assert q.lane_counts(flt, keys)[i] == len(rows)
        visible = [r for r in rows if lo[r] < t1 and hi[r] > t0]
        assert counts[i] == len(visible)
        for k in range(bins):
            a, b = edges[k], edges[k + 1]
            assert d.counts[i, k] == sum(1 for r in rows if lo[r] < b and hi[r] > a)
        assert marks.key[marks.of_lane(i)].tolist() == visible[:3]
        assert marks.totals[i] == len(visible)


@SETTINGS
@given(doc=documents())
def test_table_orders_follow_their_definitions(doc: Document) -> None:
    q = memory_backend(doc)
    ev = doc.events
    n = len(ev)
    titles = [str(t).lower() for t in ev["title"]]
    page = q.page(ALL, "title", False, None, n + 1)
    assert page.keys.tolist() == sorted(range(n), key=lambda r: (titles[r], r))
    page = q.page(ALL, "title", True, None, n + 1)
    assert page.keys.tolist() == sorted(range(n), key=lambda r: (titles[r], r), reverse=True)
    lo, _ = event_bounds(ev)
    assert q.page(ALL, "date", False, None, n + 1).keys.tolist() == sorted(
        range(n), key=lambda r: (lo[r], r)
    )
    names = {
        str(a): str(nm).lower() for a, nm in zip(doc.actors["id"], doc.actors["name"], strict=True)
    }
    first: dict[str, str] = {}
    for e, a in zip(doc.links["event_id"], doc.links["actor_id"], strict=True):
        first.setdefault(str(e), names[str(a)])
    ids = list(ev["id"])
    want = sorted(range(n), key=lambda r: (first.get(ids[r], ""), r))
    assert q.page(ALL, "actors", False, None, n + 1).keys.tolist() == want


def test_a_status_change_is_one_notification_and_patches_in_place(story: Document) -> None:
    from explorer.model.query import SetEventFields

    q = memory_backend(story)
    seen = []
    q.subscribe(seen.append)
    key = q.page(ALL, "date", False, None, 1).keys[0]
    ident = q.event_ids(np.array([key]))[0]
    undo = q.apply(SetEventFields((ident,), {"status": "retracted"}, keys=(int(key),)))
    assert len(seen) == 1
    assert seen[0].events.updated.tolist() == [key]
    assert seen[0].columns == frozenset({"status"})
    assert not seen[0].renumbered
    assert q.record(int(key)).status == "retracted"
    assert q.event_count(Filter(statuses=frozenset({"retracted"}))) >= 1
    q.apply(undo)
    assert len(seen) == 2
    assert q.record(int(key)).status != "retracted"


def test_a_bad_record_is_refused_field_by_field(story: Document) -> None:
    q = memory_backend(story)
    record = {
        "id": "e-new",
        "title": "x",
        "start": "2026-05",
        "end": "2025",
        "status": "rumoured",
        "actors": [{"actor": "nobody", "role": ""}],
        "sources": ["no-such-source"],
        "themes": [],
        "figures": [{"text": "3", "quantity": float("inf")}],
    }
    fields = [p.field for p in q.validate_event(record, None)]
    assert fields == ["status", "end", "actors[0]", "sources[0]", "figures[0].quantity"]
    taken = dict(record, id=q.event_ids(np.array([0]))[0], status="reported", end=None)
    taken.update(actors=[], sources=[], figures=[])
    assert [p.field for p in q.validate_event(taken, None)] == ["id"]
    assert q.validate_event(taken, replacing=taken["id"]) == []


@given(
    t0=st.one_of(st.integers(-(10**12), 10**12), st.integers(-(2**62), 2**62)),
    width=st.one_of(st.integers(0, 10**10), st.integers(0, 2**62)),
    bins=st.integers(1, 4000),
)
def test_density_edges_are_the_exact_split(t0: int, width: int, bins: int) -> None:
    """The vectorised edges are the Python-integer definition, wherever int64 holds it."""
    t1 = t0 + width
    step = 1 << density_level(t0, t1, bins)
    want = [(t0 + (t1 - t0) * k // bins) // step * step for k in range(bins + 1)]
    assert density_edges(t0, t1, bins).tolist() == want


def test_the_span_follows_edits_and_undo(story: Document) -> None:
    """The data's span is kept between frames; an edit moving an event past either
    end moves it, and undo moves it back."""
    from explorer.model.dates import DatedValue, Precision
    from explorer.model.query import DeleteEventsOp, SetEventFields

    q = memory_backend(story)
    before = q.span()
    far = before[1] + 400 * 86_400
    ident = q.record(0).id
    undo = q.apply(SetEventFields((ident,), {"start": DatedValue(far, Precision.DAY)}))
    assert q.span()[1] == far + 86_400
    q.apply(undo)
    assert q.span() == before
    first = int(np.argmin(q.bounds(np.arange(q.event_count()))[0]))
    q.apply(DeleteEventsOp((q.record(first).id,)))
    lo, hi = q.bounds(np.arange(q.event_count()))
    assert q.span() == (int(lo.min()), int(hi.max())) != before
