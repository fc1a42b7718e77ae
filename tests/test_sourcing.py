"""The rules behind "on whose word" and the web of actors, and the interface's
generic answers (what a backend gets without writing its own) against the oracle."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from explorer.model.dates import parse_date
from explorer.model.document import Document
from explorer.model.query import Filter, TimelineQueries
from explorer.model.sourcing import independent_counts, publisher_codes, publisher_key, source_lag
from tests.backends import documents, memory_backend


def test_publishers_compare_without_case_and_fall_back_on_the_web_site() -> None:
    assert publisher_key(" Bloomberg ", "") == publisher_key("bloomberg", "https://x.org")
    assert publisher_key("", "https://www.example.org/a") == "example.org"
    assert publisher_key("", "not a link") == ""
    codes = publisher_codes(["A", "a", "", "", "B"], ["", "", "", "https://b.org", ""])
    assert codes.tolist() == [0, 0, -1, 1, 2]


def test_unknown_publishers_never_count_beside_known_ones() -> None:
    codes = np.array([0, -1, -1, 1], dtype=np.int64)  # A, ?, ?, B
    events = np.array([0, 0, 1, 1, 2, 2, 3], dtype=np.int64)
    sources = np.array([0, 1, 1, 2, 0, 3, 0], dtype=np.int64)
    counts = independent_counts(events, sources, codes, 5)
    assert counts.tolist() == [1, 1, 2, 1, 0]  # A+?; ?+?; A+B; A; nothing


def test_source_lag_speaks_at_the_coarser_precision() -> None:
    day = parse_date("2026-06-24")
    assert source_lag(day, parse_date("2026-06-24")) == "published the same day"
    assert source_lag(day, parse_date("2026-06-27")) == "3 days later"
    assert source_lag(day, parse_date("2026-06-23")) == "1 day before the event"
    assert source_lag(parse_date("2025"), parse_date("2026-06-24")) == "1 year later"
    assert source_lag(day, parse_date("2026-08")) == "2 months later"
    assert source_lag(parse_date("2026-06-24T10:00"), parse_date("2026-06-24T13:00")) == (
        "3 hours later"
    )
    assert source_lag(day, None) == "unknown (no dated source)"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_generic_answers_agree_with_the_memory_backend(doc: Document) -> None:
    q = memory_backend(doc)
    n = q.event_count()
    for flt in (Filter(), Filter(text="a"), Filter(sourcing=frozenset({"single"}))):
        fast, slow = q.actor_pairs(flt), TimelineQueries.actor_pairs(q, flt)
        assert fast.a.tolist() == slow.a.tolist()
        assert fast.b.tolist() == slow.b.tolist()
        assert fast.events.tolist() == slow.events.tolist()
        assert fast.roles == slow.roles
        c, d = q.source_counts(flt), TimelineQueries.source_counts(q, flt)
        assert (c.events.tolist(), c.alone.tolist()) == (d.events.tolist(), d.alone.tolist())
    keys = np.arange(n, dtype=np.int64)
    assert (
        q.independent_sources(keys).tolist()
        == TimelineQueries.independent_sources(q, keys).tolist()
    )
