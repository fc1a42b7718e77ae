"""Every backend answers every question as the in-memory backend (the oracle) does.

Run over hypothesis-generated documents and the embedded story, for each backend
registered in tests/backends.py. The in-memory backend is itself held to a
brute-force reading of the interface's definitions (tests/test_memory_backend.py)
and, here, to itself rebuilt from scratch after a run of incremental edits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from explorer.engines.overlay import native_event
from explorer.model.annotations import Note, PutNote, StarEvents, TagEvents
from explorer.model.dates import DatedValue, Precision
from explorer.model.document import Document
from explorer.model.query import (
    ALL,
    SORT_COLUMNS,
    DeleteEventsOp,
    EditOp,
    Filter,
    InvalidEditError,
    PutEvent,
    SetEventFields,
    TimelineQueries,
)
from tests.backends import BACKENDS, READ_ONLY, SLOW, documents, memory_backend

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking this suite takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def filters(doc: Document) -> list[Filter]:
    actors = list(doc.actors["id"].astype(str))
    themes = list(doc.themes["id"].astype(str))
    out = [
        ALL,
        Filter(statuses=frozenset({"confirmed", "alleged"})),
        Filter(text="beta"),
        Filter(text="a 1"),
        Filter(window=(946684800, 1009843200)),  # 2000 .. 2002
        Filter(known_by=978307200),
    ]
    if actors:
        out.append(Filter(actors=frozenset(actors[:2])))
    if themes:
        out.append(Filter(themes=frozenset(themes[:1]), statuses=frozenset({"reported"})))
    return out


def windows(q: TimelineQueries) -> list[tuple[int, int]]:
    lo, hi = q.span()
    mid = (lo + hi) // 2
    return [
        (lo - 1000, hi + 1000),
        (lo, mid),
        (mid - 86_400 * 40, mid + 86_400 * 40),
        (mid, mid + 1),
    ]


def answers(q: TimelineQueries, light: bool = False) -> dict[str, Any]:
    """Everything the views can ask, as plain comparable values. `light` asks every
    kind of question under every filter, but fewer windows, walks and pages (for
    engines whose every query is a JVM round trip)."""
    out: dict[str, Any] = {
        "span": q.span(),
        "opening": q.opening(),
        "title": q.title(),
        "actors": q.actors(),
        "themes": q.themes(),
        "sources": q.sources(),
        "lanes": (q.lanes().keys.tolist(), q.lanes().names),
        "tag_counts": dict(q.tag_counts()),
    }
    lanes = q.lanes().keys
    n = q.event_count()
    for key in range(min(n, 3) if light else n):
        record = q.record(key)
        out[f"record {key}"] = record
        out[f"lanes_of {key}"] = q.lanes_of(key).tolist()
        assert q.key_of(record.id) == key
    out["ids"] = q.event_ids(np.arange(n))
    out["independent"] = q.independent_sources(np.arange(n)).tolist()
    out["bounds"] = [b.tolist() for b in q.bounds(np.arange(n))]
    for i, flt in enumerate(filters_of(q)):
        tag = f"filter {i}"
        out[tag + " count"] = q.event_count(flt)
        out[tag + " span"] = q.span(flt)
        out[tag + " lane_counts"] = q.lane_counts(flt, lanes).tolist()
        out[tag + " actor_counts"] = q.actor_counts(flt).tolist()
        out[tag + " passes"] = q.passes(flt, np.arange(n)).tolist()
        out[tag + " first_title"] = q.first_title_match(flt)
        out[tag + " undated"] = q.undated_count(flt)
        for t0, t1 in windows(q)[: 1 if light else 4]:
            w = f"{tag} window {t0} {t1}"
            out[w + " counts"] = q.window_counts(flt, lanes, t0, t1).tolist()
            out[w + " beyond"] = [b.tolist() for b in q.beyond(flt, lanes, t0, t1)]
            for bins in (7,) if light else (1, 7, 64):
                d = q.density(flt, lanes, t0, t1, bins)
                out[w + f" density {bins}"] = (d.edges.tolist(), d.counts.tolist())
            for cap in (2,) if light else (2, 1000):
                m = q.marks(flt, lanes, t0, t1, cap)
                out[w + f" marks {cap}"] = [
                    getattr(m, f).tolist()
                    for f in (
                        "totals",
                        "lane",
                        "key",
                        "lo",
                        "hi",
                        "core_lo",
                        "core_hi",
                        "status",
                        "flags",
                    )
                ]
        steps = min(n, 1) if light else n
        walk, at = [], (-(2**63), -1)
        while len(walk) <= steps and (key := q.step(flt, None, at, 1)) >= 0:
            walk.append(key)
            lo = int(q.bounds(np.array([key]))[0][0])
            at = (lo, key)
        out[tag + " walk"] = walk
        back, at = [], (2**63 - 1, 2**63 - 1)
        while (
            len(back) <= steps
            and (key := q.step(flt, lanes[:1] if len(lanes) else None, at, -1)) >= 0
        ):
            back.append(key)
            at = (int(q.bounds(np.array([key]))[0][0]), key)
        out[tag + " back"] = back
        for lane in lanes.tolist()[: 1 if light else None]:
            out[f"{tag} nearest {lane}"] = q.nearest(flt, lane, q.span()[0] + 3_000_000)
        for sort in SORT_COLUMNS:
            for descending in (False,) if light and sort != "date" else (False, True):
                s = f"{tag} sort {sort} {descending}"
                keys, after = [], None
                while True:
                    page = q.page(flt, sort, descending, after, 1000 if light else 4)
                    assert page.first_ordinal == len(keys)
                    keys += page.keys.tolist()
                    after = page.next
                    if after is None:
                        break
                out[s] = keys
                if light:
                    continue
                out[s + " total"] = q.page_at(flt, sort, descending, 0, 1).total
                if keys:
                    middle = len(keys) // 2
                    out[s + " at"] = q.page_at(flt, sort, descending, middle, 3).keys.tolist()
                    asked = keys[middle : middle + 1] if light else keys
                    out[s + " ordinal"] = [q.ordinal_of(flt, sort, descending, k) for k in asked]
                out[s + " values"] = q.sort_values(sort, np.asarray(keys, np.int64))
    for i, flt in enumerate(filters_of(q)[:2] + word_filters(q)):
        tag = f"word filter {i}"
        out[tag + " count"] = q.event_count(flt)
        out[tag + " passes"] = q.passes(flt, np.arange(n)).tolist()
        out[tag + " lane_counts"] = q.lane_counts(flt, lanes).tolist()
        out[tag + " page"] = q.page(flt, "sources", False, None, 1000).keys.tolist()
        pairs = q.actor_pairs(flt)
        out[tag + " pairs"] = (pairs.a.tolist(), pairs.b.tolist(), pairs.events.tolist())
        out[tag + " roles"] = pairs.roles
        counts = q.source_counts(flt)
        out[tag + " source_counts"] = (counts.events.tolist(), counts.alone.tolist())
    out.update(annotation_answers(q, lanes))
    return out


def annotation_answers(q: TimelineQueries, lanes: np.ndarray) -> dict[str, Any]:
    """The questions annotation filters change (the rest is filter-agnostic code, held
    to the oracle above): what passes, counts, marks with their flags, a table page."""
    out: dict[str, Any] = {}
    n = q.event_count()
    lo, hi = q.span()
    for i, flt in enumerate(ANNOTATION_FILTERS):
        tag = f"annotation filter {i}"
        out[tag + " count"] = q.event_count(flt)
        out[tag + " passes"] = q.passes(flt, np.arange(n)).tolist()
        out[tag + " lane_counts"] = q.lane_counts(flt, lanes).tolist()
        out[tag + " first_title"] = q.first_title_match(flt)
        out[tag + " window"] = q.window_counts(flt, lanes, lo, hi + 1).tolist()
        m = q.marks(flt, lanes, lo - 1, hi + 1, 1000)
        out[tag + " marks"] = (m.key.tolist(), m.flags.tolist())
        out[tag + " page"] = q.page(flt, "title", False, None, 1000).keys.tolist()
    return out


_FILTERS: dict[int, list[Filter]] = {}


def filters_of(q: TimelineQueries) -> list[Filter]:
    actors = list(q.actors().ids)
    themes = list(q.themes().ids)
    out = [
        ALL,
        Filter(statuses=frozenset({"confirmed", "alleged"})),
        Filter(text="beta"),
        Filter(text="a 1"),
        Filter(window=(946684800, 1009843200)),
        Filter(known_by=978307200),
    ]
    if actors:
        out.append(Filter(actors=frozenset(actors[:2])))
    if themes:
        out.append(Filter(themes=frozenset(themes[:1]), statuses=frozenset({"reported"})))
    return out


# The analyst's annotations: starred only, with notes, tagged, and search over tags
# and note text ("lead" is only ever in a tag; "zeta" in titles and notes).
ANNOTATION_FILTERS = [
    Filter(starred=True),
    Filter(noted=True),
    Filter(tags=frozenset({"follow-up", "Bad"})),
    Filter(tags=frozenset({"nobody uses this"})),
    Filter(starred=True, noted=True, statuses=frozenset({"confirmed", "reported"})),
    Filter(text="lead"),
    Filter(text="zeta"),
]


def word_filters(q: TimelineQueries) -> list[Filter]:
    """On whose word, and who with whom (the sources panel, the web of actors)."""
    return [
        Filter(sourcing=frozenset({"single"})),
        Filter(sourcing=frozenset({"unsourced", "several"}), text="a"),
        Filter(sources=frozenset(q.sources().ids[:1])),
        Filter(together=frozenset(q.actors().ids[:2]), known_by=978307200),
    ]


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name


# The engines started by the suite (tests/engines.py) are slow tests: still run by
# `make test`, skipped by `-m "not slow"`.
ENGINES = frozenset({"postgres", "clickhouse", "spark"})
# (Engines are marked slow, still run by `make test`; under pytest-xdist this file runs
# in one process, `--dist loadfile`, so one JVM serves Spark.)

# Generated documents per backend: a server round trip per query costs more (sql-duckdb
# repeats the duckdb dialect that the other engines share).
EXAMPLES = {"duckdb": 8, "sql-duckdb": 5, "postgres": 3, "clickhouse": 2, "spark": 1}
# Edit runs: each step asks every question of the backend and of the oracle; out of core
# every document is a new Parquet file and sidecar index (the suite must stay under 30 min).
EDIT_EXAMPLES = {"duckdb": 4}


@pytest.fixture(
    params=[
        pytest.param(name, marks=pytest.mark.slow) if name in ENGINES else name
        for name in sorted(BACKENDS)
    ]
)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_backend_answers_as_the_oracle(backend_name: str, tmp_path: Path) -> None:
    light = backend_name in SLOW

    @settings(SETTINGS, max_examples=EXAMPLES.get(backend_name, 15))
    @given(doc=documents())
    def check(doc: Document) -> None:
        if backend_name in SHARED_ENGINES:
            doc = without_annotations(doc)
        backend = BACKENDS[backend_name](doc.copy(), tmp_path)
        assert_same(
            answers(backend, light),
            answers(memory_backend(doc.copy()), light),
        )

    check()


SHARED_ENGINES: frozenset[str] = frozenset({"sql-duckdb", "postgres", "clickhouse", "spark"})


def without_annotations(doc: Document) -> Document:
    """Shared engines carry no annotations (issue 10, point 5: not built); they answer
    every annotation filter as no event having any, which the oracle agrees with here."""
    return dataclasses.replace(
        doc, stars=doc.stars.iloc[:0], tags=doc.tags.iloc[:0], notes=doc.notes.iloc[:0]
    )


def test_backend_answers_as_the_oracle_on_the_story(
    backend_name: str, tmp_path: Path, story: Document
) -> None:
    if backend_name in SLOW:
        pytest.skip("Spark answers one generated document (each query is a JVM round trip)")
    backend = BACKENDS[backend_name](story.copy(), tmp_path)
    light = False
    assert_same(
        answers(backend, light),
        answers(memory_backend(story.copy()), light),
    )


EDIT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["confirmed", "reported", "alleged", "disputed", "retracted"]),
        "title": st.sampled_from(["beta", "omega", "Alpha 1"]),
        "start": st.integers(2000, 2003).map(
            lambda y: DatedValue(
                int(np.datetime64(f"{y}-03-01", "s").astype(np.int64)), Precision.DAY
            )
        ),
    },
)


NEW_EVENT = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["beta new", "omega", "Alpha 1"]),
        "start": st.sampled_from(["2001-02-03", "1999", "2002-07"]),
        "status": st.sampled_from(["confirmed", "reported", "alleged"]),
    }
)


def _edit(draw: Any, q: TimelineQueries, serial: int) -> Any:
    """A random edit of what `q` holds: fields of some events, a replaced event, a
    new one, or a deletion (as a user makes them through the window)."""
    n = q.event_count()
    kind = draw(st.sampled_from(["fields", "fields", "replace", "add", "delete"]))
    if kind == "add" or not n:
        record = {"id": f"new{serial}", **draw(NEW_EVENT)}
        actors = list(q.actors().ids)
        if actors and draw(st.booleans()):
            record["actors"] = [{"actor": draw(st.sampled_from(actors)), "role": "new"}]
        return PutEvent(record)
    keys = np.asarray(sorted(_live_keys(q)), np.int64)
    picked = draw(st.lists(st.sampled_from(keys.tolist()), min_size=1, max_size=3, unique=True))
    ids = tuple(q.event_ids(np.asarray(picked, np.int64)))
    if kind == "delete":
        return DeleteEventsOp(ids[:1])
    if kind == "replace":
        first = q.record(picked[0])
        themes = list(q.themes().ids)
        record = native_event(first)
        record["title"] = first.title + " (edited)"
        record["themes"] = draw(st.lists(st.sampled_from(themes), unique=True)) if themes else []
        record["actors"] = record["actors"][:1]
        return PutEvent(record, replacing=first.id)
    fields = draw(EDIT_FIELDS)
    return SetEventFields(ids, fields or {"status": "disputed"})


def _live_keys(q: TimelineQueries) -> list[int]:
    """Keys of every event (a backend may leave gaps where events were deleted)."""
    walk, at = [], (-(2**63), -1)
    while (key := q.step(ALL, None, at, 1)) >= 0:
        walk.append(key)
        at = (int(q.bounds(np.array([key]))[0][0]), key)
    return walk


def by_id(q: TimelineQueries) -> dict[str, Any]:
    """What the views can ask, with events named by id (keys may differ between two
    backends once events were deleted: the in-memory one renumbers)."""
    keys = np.asarray(sorted(_live_keys(q)), np.int64)
    ids = dict(zip(keys.tolist(), q.event_ids(keys), strict=True))

    def named(values: Any) -> list[str]:
        return [ids[int(k)] for k in values]

    out: dict[str, Any] = {"n": q.event_count(), "span": q.span(), "lanes": q.lanes().names}
    for key, ident in ids.items():
        record = q.record(key)
        out[f"record {ident}"] = replace(record, key=0)
        out[f"lanes_of {ident}"] = q.lanes_of(key).tolist()
        assert q.key_of(ident) == key
    lanes = q.lanes().keys
    for i, flt in enumerate(filters_of(q)):
        tag = f"filter {i}"
        out[tag + " count"] = q.event_count(flt)
        out[tag + " span"] = q.span(flt)
        out[tag + " lane_counts"] = q.lane_counts(flt, lanes).tolist()
        out[tag + " actor_counts"] = q.actor_counts(flt).tolist()
        found = q.first_title_match(flt)
        out[tag + " first_title"] = ids.get(found, "")
        for t0, t1 in windows(q):
            w = f"{tag} window {t0} {t1}"
            out[w + " counts"] = q.window_counts(flt, lanes, t0, t1).tolist()
            d = q.density(flt, lanes, t0, t1, 7)
            out[w + " density"] = (d.edges.tolist(), d.counts.tolist())
            m = q.marks(flt, lanes, t0, t1, 1000)
            out[w + " marks"] = (m.totals.tolist(), m.lane.tolist(), sorted(named(m.key)))
        for sort in SORT_COLUMNS:
            keys_in, after = [], None
            while True:
                page = q.page(flt, sort, False, after, 3)
                assert page.first_ordinal == len(keys_in)
                keys_in += page.keys.tolist()
                if (after := page.next) is None:
                    break
            values = q.sort_values(sort, np.asarray(keys_in, np.int64))
            out[f"{tag} sort {sort}"] = list(zip(values, named(keys_in), strict=True))
            out[f"{tag} sort {sort} total"] = page.total
            if keys_in:
                mid = len(keys_in) // 2
                at = q.page_at(flt, sort, False, mid, 2).keys.tolist()
                assert at == keys_in[mid : mid + 2]
                assert [q.ordinal_of(flt, sort, False, k) for k in keys_in] == list(
                    range(len(keys_in))
                )
    return out


def _same_up_to_ties(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Equal, except that rows tied in a sort may come in another order (ties go by
    key, and keys differ after deletions): compare those as (value, id) multisets
    in value order."""
    assert got.keys() == want.keys()
    for name in want:
        if " sort " in name and not name.endswith("total"):
            assert [v for v, _ in got[name]] == [v for v, _ in want[name]], name
            assert sorted(got[name]) == sorted(want[name]), name
        else:
            assert got[name] == want[name], name


def test_edits_leave_every_answer_as_the_oracle_gives_it(backend_name: str, tmp_path: Path) -> None:
    @settings(SETTINGS, max_examples=EDIT_EXAMPLES.get(backend_name, 8))
    @given(doc=documents(), data=st.data())
    def check(doc: Document, data: st.DataObject) -> None:
        _edits_case(backend_name, tmp_path, doc, data)

    check()


def _edits_case(backend_name: str, tmp_path: Path, doc: Document, data: st.DataObject) -> None:
    """The same edits (fields, replaced events, new ones, deletions) made to a backend
    and to the oracle leave the same answers; undo gives back the first answers; one
    Change per edit, none when refused."""
    if backend_name in READ_ONLY:
        pytest.skip(READ_ONLY[backend_name])
    backend = BACKENDS[backend_name](doc.copy(), tmp_path)
    oracle = memory_backend(doc.copy())
    before = answers(backend)
    undos = []
    changes: list[Any] = []
    backend.subscribe(changes.append)
    deleted = False
    for serial in range(data.draw(st.integers(1, 5))):
        edit = _edit(data.draw, oracle, serial)
        try:
            undo_oracle = oracle.apply(edit)
        except InvalidEditError as exc:
            why = [p.field for p in exc.problems]
        else:
            why = []
        if why:
            with pytest.raises(InvalidEditError) as refused:
                backend.apply(edit)
            assert [p.field for p in refused.value.problems] == why
            assert len(changes) == len(undos)
            continue
        undos.append((backend.apply(edit), undo_oracle))
        assert len(changes) == len(undos)  # one notification per edit
        deleted |= isinstance(edit, DeleteEventsOp)
        if isinstance(edit, SetEventFields):
            assert sorted(backend.event_ids(changes[-1].events.updated)) == sorted(edit.ids)
    if deleted:
        _same_up_to_ties(by_id(backend), by_id(oracle))
    else:
        assert_same(answers(backend), answers(oracle))
    # The oracle's incremental indexes against the oracle opened afresh on its tables.
    fresh = memory_backend(oracle.document.copy())
    if deleted:
        _same_up_to_ties(by_id(oracle), by_id(fresh))
    else:
        assert_same(answers(oracle), answers(fresh))
    for undo, undo_oracle in reversed(undos):
        backend.apply(undo)
        oracle.apply(undo_oracle)
    assert_same(answers(backend), before)


def test_replacing_an_event_with_new_actors_reindexes(
    backend_name: str, tmp_path: Path, story: Document
) -> None:
    if backend_name in READ_ONLY:
        pytest.skip(READ_ONLY[backend_name])
    backend = BACKENDS[backend_name](story.copy(), tmp_path)
    oracle = memory_backend(story.copy())
    before = answers(backend)
    first = backend.record(0)
    other = next(a for a in backend.actors().ids if a not in {x.id for x in first.actors})
    record = native_event(first)
    record["title"] = first.title + " (edited)"
    record["actors"] = [{"actor": other, "role": "subject"}]
    record["figures"] = []
    undo = backend.apply(PutEvent(record, replacing=first.id))
    oracle.apply(PutEvent(record, replacing=first.id))
    assert [a.id for a in backend.record(0).actors] == [other]
    assert_same(answers(backend), answers(oracle))
    backend.apply(undo)
    assert_same(answers(backend), before)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in ENGINES else n for n in sorted(READ_ONLY)],
)
def test_read_only_backends_refuse_edits_with_their_reason(
    name: str, tmp_path: Path, story: Document
) -> None:
    backend = BACKENDS[name](story.copy(), tmp_path)
    light = name in ENGINES
    # (a slow engine's answers are compared with the oracle's elsewhere; here, the record)
    before = None if name in SLOW else answers(backend, light)
    first = backend.record(0)
    with pytest.raises(InvalidEditError, match="cannot be edited"):
        backend.apply(SetEventFields((first.id,), {"status": "disputed"}))
    assert backend.validate_event({"id": first.id}, first.id)[0].reason
    assert backend.record(0) == first
    if before is not None:
        assert_same(answers(backend, light), before)


ANNOTATION_EDITS = st.sampled_from(["star", "unstar", "tag", "untag", "note", "unnote"])


def test_annotation_edits_leave_every_answer_as_a_fresh_open_would(
    backend_name: str, tmp_path: Path
) -> None:
    @settings(SETTINGS, max_examples=EDIT_EXAMPLES.get(backend_name, 8))
    @given(doc=documents(), data=st.data())
    def check(doc: Document, data: st.DataObject) -> None:
        _annotation_edits_case(backend_name, tmp_path, doc, data)

    check()


def _annotation_edits_case(
    backend_name: str, tmp_path: Path, doc: Document, data: st.DataObject
) -> None:
    """Stars, tags and notes go through `apply`; the answers after them are the
    oracle's after the same ops (and, in memory, a fresh open's: the inverse is again
    a plain op there), and undo gives back all."""
    if backend_name in READ_ONLY:
        pytest.skip(READ_ONLY[backend_name])
    backend = BACKENDS[backend_name](doc.copy(), tmp_path)
    oracle = memory_backend(doc.copy())
    n = backend.event_count()
    if not n:
        return
    before = answers(backend)
    undos: list[EditOp] = []
    for step in range(data.draw(st.integers(1, 5))):
        keys = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
        ids = tuple(backend.event_ids(np.asarray(keys, np.int64)))
        kind = data.draw(ANNOTATION_EDITS)
        op: EditOp
        if kind in ("star", "unstar"):
            op = StarEvents(ids, kind == "star", keys=tuple(keys))
        elif kind in ("tag", "untag"):
            op = TagEvents(
                ids, data.draw(st.sampled_from(["follow-up", "Bad", "new"])), kind == "tag"
            )
        elif kind == "note":
            op = PutNote(ids[0], f"x{step}", Note(f"x{step}", "kim", 1_800_000_000, "zeta lead"))
        else:
            notes = backend.record(keys[0]).notes
            if not notes:
                continue
            op = PutNote(ids[0], notes[0].id, None)
        undo = backend.apply(op)
        oracle.apply(op)
        edited = getattr(backend, "document", None)
        if edited is not None:
            assert type(undo) is type(op)  # a plain op, not a backend-private record
        undos.append(undo)
    assert_same(answers(backend), answers(oracle))
    assert_same(answers(oracle), answers(memory_backend(oracle.document.copy())))
    for undo in reversed(undos):
        backend.apply(undo)
    assert_same(answers(backend), before)
