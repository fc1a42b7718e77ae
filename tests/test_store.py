"""EventStore queries checked against brute force over random documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from factories import event, make_document
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model.dates import Precision, floor_to, format_iso, parse_date, period_end, to_seconds
from explorer.model.document import ClaimStatus, Document
from explorer.model.store import NO_ACTOR, EventStore, Filter

STATUSES = [s.value for s in ClaimStatus]
LETTERS = list("abcxyzAÉé ")
BASE = to_seconds(2000)
YEAR = 365 * 86400


@dataclass
class Truth:
    """What each event is, worked out one event at a time with scalar arithmetic."""

    lo: list[int]
    hi: list[int]
    actors: list[set[str]]
    themes: list[set[str]]
    status: list[str]
    texts: list[list[str]]  # title, summary, actor and theme names, lower-cased

    def overlapping(self, t0: int, t1: int) -> list[int]:
        return [i for i in range(len(self.lo)) if self.lo[i] < t1 and self.hi[i] > t0]

    def by_start(self, rows: list[int]) -> list[int]:
        return sorted(rows, key=lambda i: (self.lo[i], i))


def _date(rng: np.random.Generator, after: int | None = None) -> tuple[int, str, Precision]:
    if after is None:
        # Mostly within a few years of 2000, where marks overlap; sometimes deep time.
        seconds = int(BASE + rng.integers(-3 * YEAR, 3 * YEAR))
        if rng.random() < 0.05:
            seconds = int(rng.integers(to_seconds(-13_800_000_000), to_seconds(-1000)))
    else:
        seconds = after + int(rng.choice([0, 3600, 86400 * 40, 2 * YEAR]) * rng.random())
    precision = Precision(int(rng.integers(0, 6)))
    start = floor_to(seconds, precision)
    return start, format_iso(start, precision), precision


def random_document(
    seed: int, n_events: int, n_actors: int, n_themes: int
) -> tuple[Document, Truth]:
    rng = np.random.default_rng(seed)
    actor_ids = [f"a{i}" for i in range(n_actors)]
    theme_ids = [f"t{i}" for i in range(n_themes)]
    names = {x: "".join(rng.choice(LETTERS, 4)) for x in actor_ids + theme_ids}
    records: list[dict[str, Any]] = []
    truth = Truth([], [], [], [], [], [])
    for i in range(n_events):
        start, start_text, start_prec = _date(rng)
        hi = period_end(start, start_prec)
        record = event(f"e{i}", start_text)
        if rng.random() < 0.4:
            end, record["end"], end_prec = _date(rng, after=start)
            hi = max(hi, period_end(end, end_prec))
        record["title"] = "".join(rng.choice(LETTERS, int(rng.integers(0, 6))))
        record["summary"] = "".join(rng.choice(LETTERS, int(rng.integers(0, 6))))
        record["status"] = str(rng.choice(STATUSES))
        linked = [a for a in actor_ids if rng.random() < 0.3]
        record["actors"] = [{"actor": a, "role": "r"} for a in linked]
        themes = [t for t in theme_ids if rng.random() < 0.3]
        record["themes"] = themes
        records.append(record)
        truth.lo.append(start)
        truth.hi.append(hi)
        truth.actors.append(set(linked))
        truth.themes.append(set(record["themes"]))
        truth.status.append(record["status"])
        fields = [record["title"], record["summary"], *(names[x] for x in linked + themes)]
        truth.texts.append([f.lower() for f in fields])
    doc = make_document(
        records,
        actors=[{"id": a, "name": names[a]} for a in actor_ids],
        themes=[{"id": t, "name": names[t]} for t in theme_ids],
    )
    return doc, truth


sizes = st.tuples(
    st.integers(0, 2**32 - 1),  # seed
    st.integers(0, 60),  # events
    st.integers(0, 5),  # actors
    st.integers(0, 3),  # themes
)


def windows(truth: Truth, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Random windows, plus ones whose edges sit exactly on event bounds."""
    out = [(BASE - 4 * YEAR, BASE + 4 * YEAR), (0, 1)]
    for _ in range(10):
        t0 = int(BASE + rng.integers(-4 * YEAR, 4 * YEAR))
        out.append((t0, t0 + int(rng.choice([1, 3600, 86400 * 30, YEAR]))))
    for i in rng.integers(0, len(truth.lo), 5) if truth.lo else []:
        out += [(truth.lo[i], truth.lo[i] + 1), (truth.hi[i], truth.hi[i] + 60)]
        out += [(truth.hi[i] - 1, truth.hi[i]), (truth.lo[i] - 60, truth.lo[i])]
    return out


# --- time windows -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_in_window_is_exactly_the_overlapping_events(args: tuple[int, int, int, int]) -> None:
    doc, truth = random_document(*args)
    store = EventStore(doc)
    np.testing.assert_array_equal(store.lo, truth.lo)
    np.testing.assert_array_equal(store.hi, truth.hi)
    for t0, t1 in windows(truth, np.random.default_rng(args[0])):
        got = store.in_window(t0, t1).tolist()
        assert got == truth.by_start(truth.overlapping(t0, t1)), (t0, t1)


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_lanes_hold_each_actors_events_by_start(args: tuple[int, int, int, int]) -> None:
    doc, truth = random_document(*args)
    store = EventStore(doc)
    rng = np.random.default_rng(args[0])
    for a, ident in enumerate(doc.actors["id"]):
        lane = store.lane_rows(a).tolist()
        expected = [i for i in range(store.n) if ident in truth.actors[i]]
        assert lane == truth.by_start(expected)
        for t0, t1 in windows(truth, rng)[:6]:
            got = store.in_window(t0, t1, store.lane_rows(a)).tolist()
            assert got == [i for i in lane if truth.lo[i] < t1 and truth.hi[i] > t0]
    unlinked = store.lane_rows(NO_ACTOR).tolist()
    assert unlinked == truth.by_start([i for i in range(store.n) if not truth.actors[i]])


def test_actor_named_twice_on_an_event_counts_once() -> None:
    doc = make_document(
        [event("e1", actors=[{"actor": "a", "role": "accuser"}, {"actor": "a", "role": "victim"}])],
        actors=[{"id": "a", "name": "A"}],
    )
    store = EventStore(doc)
    assert store.lane_rows(0).tolist() == [0]
    assert store.actor_counts().tolist() == [1]


def test_window_finds_long_span_behind_many_short_events() -> None:
    short = [event(f"s{i}", f"2021-03-{i + 1:02d}") for i in range(20)]
    doc = make_document([event("long", "2019", end="2023"), *short, event("year", "2021")])
    store = EventStore(doc)
    june = (to_seconds(2021, 6, 1), to_seconds(2021, 6, 2))
    assert store.in_window(*june).tolist() == [0, 21]  # the 2019-2023 span, the year 2021
    # Half-open: a window ending where the year starts misses it; one starting at its
    # end misses it too.
    assert store.in_window(to_seconds(2020, 12, 31), to_seconds(2021)).tolist() == [0]
    assert store.in_window(to_seconds(2024), to_seconds(2025)).tolist() == []
    assert store.in_window(to_seconds(2023, 12, 31), to_seconds(2024)).tolist() == [0]


def test_year_precision_event_covers_its_year() -> None:
    store = EventStore(make_document([event("y", "2025")]))
    assert (store.lo[0], store.hi[0]) == (to_seconds(2025), to_seconds(2026))
    assert store.in_window(to_seconds(2025, 12, 31, 23, 59, 59), to_seconds(2026)).tolist() == [0]
    assert store.in_window(to_seconds(2026), to_seconds(2027)).tolist() == []


def test_span_covers_every_event() -> None:
    doc = make_document(
        [event("a", "2025-06-24T10"), event("b", "-13800000000"), event("c", "2026-06", end="2027")]
    )
    assert EventStore(doc).span() == (parse_date("-13800000000").seconds, to_seconds(2028))


# --- filters ----------------------------------------------------------------------------


def filters(truth: Truth, doc: Document, rng: np.random.Generator) -> list[Filter]:
    actors = [*doc.actors["id"], "nobody"]
    themes = [*doc.themes["id"], "none"]

    def subset(items: list[str]) -> frozenset[str]:
        return frozenset(x for x in items if rng.random() < 0.4)

    out = [Filter(), Filter(actors=frozenset()), Filter(text="   ")]
    for _ in range(8):
        out.append(
            Filter(
                actors=subset(actors) if rng.random() < 0.5 else None,
                themes=subset(themes) if rng.random() < 0.5 else None,
                statuses=subset([*STATUSES, "rumoured"]) if rng.random() < 0.5 else None,
                text=str(rng.choice(["", "a", "AB", " é ", "zz", "x y", "É"])),
                window=windows(truth, rng)[int(rng.integers(0, 6))] if rng.random() < 0.5 else None,
            )
        )
    return out


def passes(truth: Truth, i: int, flt: Filter) -> bool:
    return (
        (flt.actors is None or bool(truth.actors[i] & flt.actors))
        and (flt.themes is None or bool(truth.themes[i] & flt.themes))
        and (flt.statuses is None or truth.status[i] in flt.statuses)
        and (flt.window is None or (truth.lo[i] < flt.window[1] and truth.hi[i] > flt.window[0]))
        and any(flt.text.strip().lower() in field for field in truth.texts[i])
    )


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_mask_matches_brute_force(args: tuple[int, int, int, int]) -> None:
    doc, truth = random_document(*args)
    store = EventStore(doc)
    for flt in filters(truth, doc, np.random.default_rng(args[0])):
        mask = store.mask(flt)
        assert mask.dtype == np.bool_
        assert mask.tolist() == [passes(truth, i, flt) for i in range(store.n)], flt


@settings(max_examples=60, deadline=None)
@given(sizes)
def test_actor_counts_match_brute_force(args: tuple[int, int, int, int]) -> None:
    doc, truth = random_document(*args)
    store = EventStore(doc)
    ids = list(doc.actors["id"])
    rng = np.random.default_rng(args[0])
    for mask in [None, np.ones(store.n, bool), np.zeros(store.n, bool), rng.random(store.n) < 0.5]:
        expected = [
            sum(1 for i in range(store.n) if a in truth.actors[i] and (mask is None or mask[i]))
            for a in ids
        ]
        assert store.actor_counts(mask).tolist() == expected


def test_text_filter_searches_each_field_without_case() -> None:
    doc = make_document(
        [
            event("e1", title="Launch of Model", summary="quiet"),
            event("e2", title="Other", summary="LOUD launch"),
            event("e3", title="Third", actors=["acme"]),
            event("e4", title="Fourth", themes=["t"]),
        ],
        actors=[{"id": "acme", "name": "Acme Launchers"}],
        themes=[{"id": "t", "name": "Export controls"}],
    )
    store = EventStore(doc)
    assert store.mask(Filter(text="  LAUNCH ")).tolist() == [True, True, True, False]
    assert store.mask(Filter(text="acme")).tolist() == [False, False, True, False]
    assert store.mask(Filter(text="quiet")).tolist() == [True, False, False, False]
    assert store.mask(Filter(text="EXPORT")).tolist() == [False, False, False, True]
    # A match never spans two fields.
    assert store.mask(Filter(text="model quiet")).tolist() == [False] * 4


# --- the empty document, and replacing documents ---------------------------------------


@pytest.mark.parametrize(
    "doc",
    [Document(), make_document(), make_document(actors=[{"id": "a", "name": "A"}])],
    ids=["default", "read", "actors only"],
)
def test_empty_document_works_everywhere(doc: Document) -> None:
    store = EventStore(doc)
    assert store.n == 0
    assert store.span() == (0, 0)
    assert store.in_window(-(10**18), 10**18).tolist() == []
    assert store.lane_rows(NO_ACTOR).tolist() == []
    everything = Filter(
        actors=frozenset({"a"}),
        themes=frozenset({"t"}),
        statuses=frozenset({"alleged"}),
        text="x",
        window=(0, 10),
    )
    assert store.mask(everything).tolist() == []
    assert store.mask(Filter()).tolist() == []
    assert store.actor_counts().tolist() == [0] * len(doc.actors)
    for a in range(len(doc.actors)):
        assert store.lane_rows(a).tolist() == []
        assert store.in_window(0, 10, store.lane_rows(a)).tolist() == []
    assert store.row_of("e1") is None


def test_replace_rebuilds_indexes_and_notifies() -> None:
    store = EventStore(make_document([event("e1", "2020", title="old")]))
    assert store.mask(Filter(text="old")).tolist() == [True]  # builds the search cache
    calls: list[int] = []
    store.subscribe(lambda *args: calls.append(store.n))
    store.replace(make_document([event("x", "2030", title="new"), event("y", "2031")]))
    assert calls == [2]
    assert store.row_of("y") == 1
    assert store.span() == (to_seconds(2030), to_seconds(2032))
    assert store.mask(Filter(text="old")).tolist() == [False, False]
    assert store.mask(Filter(text="new")).tolist() == [True, False]
