"""DuckDB over Parquet gives the in-memory store's answers, exactly, on generated data.

The oracle is computed here from ``EventStore`` (the in-memory indexes) by brute force:
sorted starts and ends per lane, the filter mask, plain sorts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.duckdb_index import (
    IndexCancelledError,
    ParquetIndexError,
    ensure_index,
    index_dir,
)
from explorer.io.parquet import read_parquet, write_parquet
from explorer.model.dates import Precision, to_seconds
from explorer.model.document import STATUS_CATEGORIES, Document
from explorer.model.query import density_edges
from explorer.model.store import NO_ACTOR, EventStore, Filter
from explorer.model.synthetic import synthetic_document

STATUSES = list(STATUS_CATEGORIES.categories)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))


def _mixed_document(n: int, seed: int) -> Document:
    """Synthetic events plus the awkward ones: year and month precision, deep time,
    events naming nobody, an event in two lanes, sources with and without dates."""
    doc = synthetic_document(n, n_actors=6, years=3, seed=seed)
    rng = np.random.default_rng(seed)
    events = doc.events.copy()
    points = np.flatnonzero(events["end_precision"].to_numpy() == -1)
    k = max(len(points) // 10, 1) if len(points) else 0
    pick = rng.choice(points, size=k, replace=False) if k else np.zeros(0, np.int64)
    events.loc[events.index[pick[: k // 2]], "start_precision"] = int(Precision.YEAR)
    events.loc[events.index[pick[: k // 2]], "start"] = to_seconds(2017)
    events.loc[events.index[pick[k // 2 :]], "start_precision"] = int(Precision.MONTH)
    events.loc[events.index[pick[k // 2 :]], "start"] = to_seconds(2018, 3)
    if n > 3 and len(points):
        deep = events.index[points[0]]
        events.loc[deep, "start"] = -13_800_000_000 * 31_556_952
        events.loc[deep, "start_precision"] = int(Precision.YEAR)
    links = doc.links
    # A tenth name nobody; one event names two actors.
    links = links[~links["event_id"].isin(set(events["id"].iloc[pick[: max(k // 3, 1)]]))]
    if n > 5:  # and always some events that name nobody
        links = links[~links["event_id"].isin(set(events["id"].iloc[1:3]))]
    extra = pd.DataFrame(
        {"event_id": [events["id"].iloc[-1]], "actor_id": ["actor1"], "role": ["accused"]}
    ).astype("str")
    links = pd.concat([links, extra], ignore_index=True)
    links = links.drop_duplicates(["event_id", "actor_id"])
    themes = pd.DataFrame(
        {"id": ["t1", "t2"], "name": ["Login storms", "Exfiltration"], "description": ["", ""]}
    ).astype("str")
    sources = pd.DataFrame(
        {
            "id": ["s1", "s2"],
            "publisher": ["Bloomberg", "Herald"],
            "title": ["One", "Two"],
            "url": ["", ""],
        }
    ).astype("str")
    sources["published"] = np.asarray([to_seconds(2017, 6), 0], dtype=np.int64)
    sources["published_precision"] = np.asarray([int(Precision.DAY), -1], dtype=np.int8)
    some = events["id"].iloc[::7]
    event_themes = pd.DataFrame({"event_id": some, "theme_id": "t1"}).astype("str")
    event_sources = pd.DataFrame({"event_id": events["id"].iloc[::5], "source_id": "s1"}).astype(
        "str"
    )
    ev_src2 = pd.DataFrame({"event_id": events["id"].iloc[::11], "source_id": "s2"}).astype("str")
    return Document(
        title="Mixed",
        events=events,
        actors=doc.actors,
        links=links.reset_index(drop=True),
        themes=themes,
        sources=sources,
        event_themes=event_themes.reset_index(drop=True),
        event_sources=pd.concat([event_sources, ev_src2], ignore_index=True),
    )


def _open(doc: Document, tmp_path: Path) -> tuple[DuckDBBackend, EventStore]:
    path = tmp_path / "data.parquet"
    write_parquet(doc, path)
    # The oracle reads the same file back, so both see identical rows.
    return DuckDBBackend(path), EventStore(read_parquet(path))


def _lanes(store: EventStore) -> np.ndarray:
    keys = list(range(len(store.actor_index)))
    if len(store.lane_rows(NO_ACTOR)):
        keys.append(NO_ACTOR)
    return np.asarray(keys, dtype=np.int64)


def _oracle_density(store: EventStore, mask: np.ndarray, lanes: np.ndarray, edges: np.ndarray):
    out = np.zeros((len(lanes), len(edges) - 1), dtype=np.int64)
    for i, lane in enumerate(lanes):
        rows = store.lane_rows(int(lane))
        rows = rows[mask[rows]]
        lo, hi = np.sort(store.lo[rows]), np.sort(store.hi[rows])
        out[i] = np.searchsorted(lo, edges[1:], side="left") - np.searchsorted(
            hi, edges[:-1], side="right"
        )
    return out


FILTERS = [
    Filter(),
    Filter(statuses=frozenset({"reported", "alleged"})),
    Filter(actors=frozenset({"actor1", "actor3"})),
    Filter(themes=frozenset({"t1"})),
    Filter(text="login"),
    Filter(text="bloomberg"),
    Filter(text="HOST 02"),
    Filter(known_by=to_seconds(2017, 7)),
    Filter(window=(to_seconds(2017, 2), to_seconds(2017, 9))),
]
# Not the filters' reprs: a frozenset's order varies with the hash seed, and pytest-xdist
# needs every process to collect the same names.
FILTER_IDS = [
    "all",
    "statuses",
    "actors",
    "themes",
    "login",
    "bloomberg",
    "host",
    "known",
    "window",
]


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> tuple[DuckDBBackend, EventStore]:
    tmp = tmp_path_factory.mktemp("duck")
    mp = pytest.MonkeyPatch()
    mp.setenv("TIMELINE_EXPLORER_CACHE", str(tmp / "cache"))
    try:
        yield _open(_mixed_document(3000, seed=4), tmp)
    finally:
        mp.undo()


@pytest.mark.parametrize("flt", FILTERS, ids=FILTER_IDS)
def test_counts_equal_the_oracle(opened: tuple[DuckDBBackend, EventStore], flt: Filter) -> None:
    duck, store = opened
    mask = store.mask(flt)
    assert duck.event_count(flt) == int(mask.sum())
    lanes = _lanes(store)
    actor_lanes = lanes[lanes >= 0]
    assert duck.actor_counts(flt).tolist() == store.actor_counts(mask).tolist()
    expected_lane = [int(mask[store.lane_rows(int(k))].sum()) for k in lanes]
    assert duck.lane_counts(flt, lanes).tolist() == expected_lane
    assert len(actor_lanes) == len(store.actor_index)
    if mask.any():
        assert duck.span(flt) == (int(store.lo[mask].min()), int(store.hi[mask].max()))


@pytest.mark.parametrize("flt", FILTERS[:5], ids=FILTER_IDS[:5])
@pytest.mark.parametrize("zoom", [1, 9, 80, 3000])
@pytest.mark.parametrize("raw_rows", [0, 10**9], ids=["grouped", "shipped"])
def test_density_and_windows_equal_the_oracle(
    opened: tuple[DuckDBBackend, EventStore], flt: Filter, zoom: int, raw_rows: int
) -> None:
    duck, store = opened
    duck.raw_rows = raw_rows  # both ways of counting filtered windows
    mask = store.mask(flt)
    lanes = _lanes(store)
    lo, hi = to_seconds(2016), to_seconds(2019)
    t0 = lo + (hi - lo) // 3
    t1 = t0 + (hi - lo) // zoom
    for bins in (1, 7, 640):
        got = duck.density(flt, lanes, t0, t1, bins)
        assert got.edges.tolist() == density_edges(t0, t1, bins).tolist()
        assert got.counts.tolist() == _oracle_density(store, mask, lanes, got.edges).tolist()
    counts = duck.window_counts(flt, lanes, t0 + 17, t1 - 5)
    rows = [store.lane_rows(int(k)) for k in lanes]
    expected = [
        int((mask[r] & (store.lo[r] < t1 - 5) & (store.hi[r] > t0 + 17)).sum()) for r in rows
    ]
    assert counts.tolist() == expected
    marks = duck.marks(flt, lanes, t0, t1, cap=25)
    assert marks.totals.tolist() == [
        int((mask[r] & (store.lo[r] < t1) & (store.hi[r] > t0)).sum()) for r in rows
    ]
    for i, r in enumerate(rows):
        inside = r[mask[r] & (store.lo[r] < t1) & (store.hi[r] > t0)]
        inside = inside[np.lexsort((inside, store.lo[inside]))][:25]
        part = marks.of_lane(i)
        assert marks.key[part].tolist() == inside.tolist()
        assert marks.hi[part].tolist() == store.hi[inside].tolist()
        core_lo, core_hi = store.core(inside)
        assert marks.core_lo[part].tolist() == core_lo.tolist()
        assert marks.core_hi[part].tolist() == core_hi.tolist()


def test_deep_time_is_counted(opened: tuple[DuckDBBackend, EventStore]) -> None:
    duck, store = opened
    lanes = _lanes(store)
    t0, t1 = duck.span()
    assert (t0, t1) == store.span()
    assert t0 < -13_000_000_000 * 31_556_952
    got = duck.density(Filter(), lanes, t0, t1, 800)
    assert (
        got.counts.tolist()
        == _oracle_density(store, store.mask(Filter()), lanes, got.edges).tolist()
    )


@pytest.mark.parametrize("sort", ["date", "title", "status", "actors", "sources"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_walk_the_oracle_order(
    opened: tuple[DuckDBBackend, EventStore], sort: str, descending: bool
) -> None:
    duck, store = opened
    flt = Filter(statuses=frozenset({"confirmed", "reported"}))
    mask = store.mask(flt)
    doc = store.document
    names = doc.actors["name"].str.lower().tolist()
    first_actor = store.first_actor()
    labels = [
        (p or t).lower()
        for p, t in zip(doc.sources["publisher"], doc.sources["title"], strict=True)
    ]
    first_source = store.first_source()
    values = {
        "date": store.lo.tolist(),
        "title": doc.events["title"].str.lower().tolist(),
        "status": store.status_codes.astype(int).tolist(),
        "actors": [names[a] if a >= 0 else "" for a in first_actor],
        "sources": [labels[s] if s >= 0 else "" for s in first_source],
    }[sort]
    rows = [r for r in range(store.n) if mask[r]]
    rows.sort(key=lambda r: (values[r], r), reverse=descending)
    seen: list[int] = []
    page = duck.page(flt, sort, descending, None, 400)  # type: ignore[arg-type]
    while True:
        assert page.first_ordinal == len(seen)
        assert page.total == len(rows)
        seen.extend(page.keys.tolist())
        if page.next is None:
            break
        page = duck.page(flt, sort, descending, page.next, 400)  # type: ignore[arg-type]
    assert seen == rows
    at = duck.page_at(flt, sort, descending, 555, 10)  # type: ignore[arg-type]
    assert at.keys.tolist() == rows[555:565]
    assert duck.ordinal_of(flt, sort, descending, rows[777]) == 777  # type: ignore[arg-type]


def test_walking_in_time_and_search(opened: tuple[DuckDBBackend, EventStore]) -> None:
    duck, store = opened
    order = sorted(range(store.n), key=lambda r: (int(store.lo[r]), r))
    assert duck.step(Filter(), None, (-(2**63), -1), 1) == order[0]
    assert duck.step(Filter(), None, (int(store.lo[order[10]]), order[10]), 1) == order[11]
    assert duck.step(Filter(), None, (int(store.lo[order[10]]), order[10]), -1) == order[9]
    lane = store.lane_rows(2)
    lane_order = sorted(lane.tolist(), key=lambda r: (int(store.lo[r]), r))
    got = duck.step(Filter(), np.asarray([2]), (int(store.lo[lane_order[3]]), lane_order[3]), 1)
    assert got == lane_order[4]
    when = to_seconds(2017, 5, 5)
    mid = (store.lo[lane] + store.hi[lane]) // 2
    best = min(
        lane.tolist(),
        key=lambda r: (abs(int(mid[lane.tolist().index(r)]) - when), int(store.lo[r]), r),
    )
    assert duck.nearest(Filter(), 2, when) == best
    flt = Filter(text="usb")
    hits = [r for r in order if "usb" in str(store.document.events["title"].iloc[r]).lower()]
    assert duck.first_title_match(flt) == hits[0]
    assert duck.passes(flt, np.asarray(order[:50])).tolist() == [
        bool(store.mask(flt)[r]) for r in order[:50]
    ]


def test_one_event_in_full(opened: tuple[DuckDBBackend, EventStore]) -> None:
    duck, store = opened
    doc = store.document
    row = store.n - 1  # the event naming two actors
    record = duck.record(row)
    assert record.id == doc.events["id"].iloc[row]
    assert record.title == doc.events["title"].iloc[row]
    assert (record.lo, record.hi) == (int(store.lo[row]), int(store.hi[row]))
    assert [a.id for a in record.actors] == [doc.actors["id"].iloc[a] for a in store.actors_of(row)]
    assert record.actors[-1].role == "accused"
    assert record.known_at == int(store.known_at[row])
    assert duck.key_of(record.id) == row
    assert duck.key_of("no such id") == -1
    assert duck.event_ids(np.asarray([row, 0])) == [record.id, doc.events["id"].iloc[0]]
    assert duck.titles(np.asarray([row, 3])) == [
        doc.events["title"].iloc[row],
        doc.events["title"].iloc[3],
    ]
    lo, _hi = duck.bounds(np.asarray([3, row]))
    assert lo.tolist() == [int(store.lo[3]), int(store.lo[row])]
    assert duck.lanes_of(row).tolist() == list(dict.fromkeys(store.actors_of(row).tolist()))
    with pytest.raises(KeyError):
        duck.record(store.n + 5)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(1, 400), seed=st.integers(0, 10_000), zoom=st.integers(1, 5000))
def test_generated_documents_agree(tmp_path: Path, n: int, seed: int, zoom: int) -> None:
    folder = tmp_path / f"g{n}-{seed}-{zoom}"
    folder.mkdir()
    duck, store = _open(_mixed_document(n, seed), folder)
    try:
        lanes = _lanes(store)
        t0, t1 = store.span()
        t0 = t0 + (t1 - t0) // 2 - (t1 - t0) // (2 * zoom)
        t1 = t0 + max((t1 - t0) // zoom, 1)
        for flt in (Filter(), Filter(statuses=frozenset({"confirmed"}))):
            mask = store.mask(flt)
            got = duck.density(flt, lanes, t0, t1, 300)
            assert got.counts.tolist() == _oracle_density(store, mask, lanes, got.edges).tolist()
            assert duck.lane_counts(flt, lanes).tolist() == [
                int(mask[store.lane_rows(int(k))].sum()) for k in lanes
            ]
    finally:
        duck.close()


def test_the_index_is_reused_and_rebuilt_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    write_parquet(synthetic_document(500, n_actors=3, seed=2), path)
    first, info = ensure_index(path)
    again, info2 = ensure_index(path)
    assert first == again
    assert info2.build_seconds == info.build_seconds
    write_parquet(synthetic_document(700, n_actors=3, seed=3), path)
    changed, info3 = ensure_index(path)
    assert changed != first
    assert info3.n_events == 700
    assert index_dir([path]) == changed


def test_a_folder_of_files_is_one_document(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    a = synthetic_document(300, n_actors=3, seed=1)
    b = synthetic_document(200, n_actors=3, seed=2, first_id=300)
    write_parquet(a, folder / "a.parquet")
    write_parquet(b, folder / "b.parquet")
    duck = DuckDBBackend(folder)
    assert duck.event_count() == 500
    assert duck.record(300).id == "ev300"
    assert duck.key_of("ev450") == 450


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1 not really")
    with pytest.raises(ParquetIndexError, match=r"junk\.parquet: not a readable Parquet file"):
        DuckDBBackend(junk)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParquetIndexError, match=r"no \.parquet files"):
        DuckDBBackend(empty)
    path = tmp_path / "d.parquet"
    write_parquet(synthetic_document(50, n_actors=2), path)
    with pytest.raises(IndexCancelledError):
        ensure_index(path, cancelled=lambda: True)
    assert not any((tmp_path / "cache").glob("*building*"))


def test_the_parquet_reader_alone_refuses_edits(opened: tuple[DuckDBBackend, EventStore]) -> None:
    from explorer.model.query import InvalidEditError, SetEventFields

    duck, _ = opened
    with pytest.raises(InvalidEditError, match="read-only"):
        duck.reader.apply(SetEventFields(ids=("ev1",), fields={"status": "disputed"}))
    assert STATUSES  # the vocabulary the index codes statuses by


def test_frames_never_wait_for_the_engine(opened: tuple[DuckDBBackend, EventStore]) -> None:
    """A slow engine: the caller gets the last answer at once, the newest question
    wins, and a repaint is asked for when its answer arrives."""
    import threading
    import time

    from explorer.engines.prefetch import PrefetchingQueries

    duck, store = opened
    gate = threading.Event()
    asked: list[tuple[int, int]] = []

    class Slow(DuckDBBackend):
        def density(self, flt, lanes, t0, t1, bins):  # type: ignore[no-untyped-def]
            gate.wait(10)
            asked.append((t0, t1))
            return duck.density(flt, lanes, t0, t1, bins)

    slow = Slow.__new__(Slow)
    slow.__dict__.update(duck.__dict__)
    ready = threading.Event()
    fast = PrefetchingQueries(slow, on_ready=ready.set)
    try:
        lanes = _lanes(store)
        t0, t1 = to_seconds(2016), to_seconds(2019)
        began = time.perf_counter()
        first = fast.density(Filter(), lanes, t0, t1, 100)
        assert time.perf_counter() - began < 0.5  # did not wait for the gate
        assert first.counts.sum() == 0  # nothing yet: an empty frame
        steps = [(t0 + k * 86_400, t1 + k * 86_400) for k in range(1, 6)]
        for a, b in steps:
            fast.density(Filter(), lanes, a, b, 100)  # a burst of pans
        gate.set()
        assert fast.wait_idle(10)
        assert ready.is_set()
        assert asked[-1] == steps[-1]
        assert len(asked) <= 2  # the first, maybe, and the newest: the rest were dropped
        assert fast.dropped >= 3
        last = fast.density(Filter(), lanes, *steps[-1], 100)
        mask = store.mask(Filter())
        assert last.counts.tolist() == _oracle_density(store, mask, lanes, last.edges).tolist()
        # An older window's question now answers with the newest frame until fetched.
        stale = fast.density(Filter(), lanes, t0, t1, 100)
        assert stale.edges.tolist() == last.edges.tolist()
    finally:
        fast.close()


def test_an_empty_document_and_one_without_actors(tmp_path: Path) -> None:
    from explorer.model.query import ALL

    empty = tmp_path / "empty.parquet"
    write_parquet(Document(title="Nothing"), empty)
    duck = DuckDBBackend(empty)
    assert duck.event_count() == 0
    assert duck.span() == (0, 0)
    assert len(duck.lanes()) == 0
    assert duck.page(ALL, "date", False, None, 10).keys.tolist() == []
    assert duck.step(ALL, None, (-(2**63), -1), 1) == -1
    doc = synthetic_document(40, n_actors=2, seed=5)
    alone = Document(title="Alone", events=doc.events)
    path = tmp_path / "alone.parquet"
    write_parquet(alone, path)
    duck = DuckDBBackend(path)
    assert duck.lanes().keys.tolist() == [NO_ACTOR]
    t0, t1 = duck.span()
    assert int(duck.density(ALL, duck.lanes().keys, t0, t1, 10).counts.max()) >= 1
    assert duck.lane_counts(ALL, duck.lanes().keys).tolist() == [40]


def test_a_large_document_opens_on_the_same_sample_in_memory_and_out_of_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond OPENING_SAMPLE events the opening window is found over every k-th row;
    both backends take the same rows, so a file opens on the same view either way."""
    import explorer.model.opening_view as opening_view
    from explorer.model.opening_view import opening_window
    from tests.backends import duckdb_backend, memory_backend

    doc = synthetic_document(400, n_actors=3, seed=11)
    memory, duck = memory_backend(doc.copy()), duckdb_backend(doc, tmp_path / "d")
    exact = memory.opening()
    monkeypatch.setattr(opening_view, "OPENING_SAMPLE", 7)
    store = EventStore(doc)
    sampled = opening_window(store.lo[::58], store.hi[::58])  # ceil(400 / 7) = 58
    assert memory.opening() == duck.opening() == sampled
    assert sampled != exact  # the sample is what answered
