"""What the prefetching front keeps across an edit: counts a field edit cannot move stay
exact (no new question, so an edit out of core costs one frame), anything else is
void but stays the fallback (the last frame, never a blank one) until the engine's
new answer arrives, which is then the backend's own."""

from __future__ import annotations

import numpy as np

from explorer.engines.memory import MemoryBackend
from explorer.engines.prefetch import PrefetchingQueries
from explorer.model.document import Document
from explorer.model.query import SetEventFields
from explorer.model.store import EventStore, Filter
from explorer.model.synthetic import synthetic_document


def _front(doc: Document) -> tuple[PrefetchingQueries, MemoryBackend]:
    inner = MemoryBackend(EventStore(doc))
    front = PrefetchingQueries(inner)
    front.subscribe(lambda _change: None)  # as the window's view state does
    return front, inner


def _density(front: PrefetchingQueries, flt: Filter) -> list[list[int]]:
    lanes = front.lanes().keys
    t0, t1 = front.span()
    return front.density(flt, lanes, t0, t1 + 1, 50).counts.tolist()  # type: ignore[no-any-return]


def test_a_status_edit_keeps_unfiltered_counts_and_voids_status_filtered_ones() -> None:
    front, inner = _front(synthetic_document(2_000, n_actors=5, years=2, seed=3))
    try:
        by_status = Filter(statuses=frozenset({"disputed"}))
        _density(front, Filter())
        front.wait_idle()
        before_all = _density(front, Filter())
        ident = front.event_ids(np.asarray([7]))[0]
        front.apply(SetEventFields((ident,), {"status": "disputed"}, keys=(7,)))
        asked = front.asked
        assert _density(front, Filter()) == before_all  # still exact: nothing asked
        front.wait_idle()
        assert front.asked == asked
        _density(front, by_status)
        front.wait_idle()
        before_status = _density(front, by_status)
        other = front.event_ids(np.asarray([8]))[0]
        front.apply(SetEventFields((other,), {"status": "disputed"}, keys=(8,)))
        asked = front.asked
        assert _density(front, by_status) == before_status  # void: the last, while fetched
        front.wait_idle()
        assert front.asked == asked + 1
        fresh = _density(front, by_status)
        lanes = inner.lanes().keys
        t0, t1 = inner.span()
        assert fresh == inner.density(by_status, lanes, t0, t1 + 1, 50).counts.tolist()
    finally:
        front.close()


def test_a_date_edit_voids_every_count_but_the_last_frame_stays() -> None:
    front, inner = _front(synthetic_document(2_000, n_actors=5, years=2, seed=3))
    try:
        _density(front, Filter())
        front.wait_idle()
        before = _density(front, Filter())
        record = inner.record(11)
        moved = record.start.seconds + 200 * 86_400
        from explorer.model.dates import DatedValue

        when = DatedValue(moved, record.start.precision)
        front.apply(SetEventFields((record.id,), {"start": when, "end": None}, keys=(11,)))
        assert _density(front, Filter()) == before  # the last frame, not zeros
        front.wait_idle()
        lanes = inner.lanes().keys
        t0, t1 = inner.span()
        assert (
            _density(front, Filter())
            == inner.density(Filter(), lanes, t0, t1 + 1, 50).counts.tolist()
        )
    finally:
        front.close()
