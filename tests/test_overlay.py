"""Editing Parquet out of core: the overlay is saved beside the data (or in the cache),
reloaded on reopen, survives a killed process, and undo works as in memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.overlay import OverlayFiles, overlay_files
from explorer.io.parquet import write_parquet
from explorer.model.dates import DatedValue, Precision
from explorer.model.query import (
    ALL,
    Change,
    DeleteEventsOp,
    Filter,
    InvalidEditError,
    MergeActorsOp,
    PutEntity,
    PutEvent,
    SetEventFields,
)
from explorer.model.synthetic import synthetic_document
from tests.backends import memory_backend


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "events.parquet"
    path.parent.mkdir()
    write_parquet(synthetic_document(300, n_actors=4, seed=3), path)
    return path


def _open(path: Path, tmp_path: Path) -> DuckDBBackend:
    return DuckDBBackend(path, cache=tmp_path / "cache")


def test_edits_are_saved_beside_the_data_and_come_back(data: Path, tmp_path: Path) -> None:
    duck = _open(data, tmp_path)
    assert duck.files.beside_data
    assert duck.files.saved == data.with_name("events.parquet.overlay.json")
    target = duck.record(17)
    changes: list[Change] = []
    duck.subscribe(changes.append)
    duck.apply(SetEventFields((target.id,), {"status": "retracted", "title": "Fixed title"}))
    duck.apply(PutEvent({"id": "added-1", "title": "New one", "start": "2018-04-05"}))
    gone = duck.record(40).id
    duck.apply(DeleteEventsOp((gone,)))
    assert len(changes) == 3
    assert changes[0].events.updated.tolist() == [17]
    assert changes[1].events.inserted.tolist() == [300]  # new events after the data's rows
    assert changes[2].events.removed.tolist() == [40]
    assert duck.event_count() == 300
    assert duck.event_count(Filter(text="fixed title")) == 1
    assert duck.event_count(Filter(statuses=frozenset({"retracted"}))) >= 1
    assert duck.key_of(gone) == -1
    assert duck.key_of("added-1") == 300
    assert duck.modified
    saved = duck.save()
    assert saved.exists()
    assert not duck.files.unsaved.exists()
    assert not duck.modified
    duck.close()

    again = _open(data, tmp_path)
    assert not again.recovered
    assert again.record(17).title == "Fixed title"
    assert again.record(17).status == "retracted"
    assert again.record(300).title == "New one"
    assert again.key_of(gone) == -1
    assert again.event_count() == 300
    # The data itself was never written.
    assert DuckDBBackend.__name__
    assert data.stat().st_size == os.stat(data).st_size


def test_undo_gives_back_every_answer(data: Path, tmp_path: Path) -> None:
    duck = _open(data, tmp_path)
    lanes = duck.lanes().keys
    t0, t1 = duck.span()

    def look() -> tuple[object, ...]:
        return (
            duck.event_count(),
            duck.density(ALL, lanes, t0, t1, 50).counts.tolist(),
            duck.page(ALL, "title", False, None, 20).keys.tolist(),
            duck.actor_counts().tolist(),
        )

    before = look()
    first = duck.record(5)
    undos = [
        duck.apply(SetEventFields((first.id,), {"status": "disputed"}, keys=(5,))),
        duck.apply(DeleteEventsOp((duck.record(9).id,))),
        duck.apply(PutEvent({"id": "x", "title": "aaa first", "start": "2017"})),
    ]
    assert look() != before
    redo = [duck.apply(u) for u in reversed(undos)]
    assert look() == before
    assert duck.n_taken == 0  # every row given back to the data
    for op in reversed(redo):
        duck.apply(op)
    assert duck.record(5).status == "disputed"
    assert duck.key_of("x") >= 0


def test_unsaved_edits_survive_a_killed_process(data: Path, tmp_path: Path) -> None:
    script = f"""
import os, signal, sys
from pathlib import Path
from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.model.query import SetEventFields
duck = DuckDBBackend(Path({str(data)!r}), cache=Path({str(tmp_path / "cache")!r}))
rec = duck.record(3)
duck.apply(SetEventFields((rec.id,), {{"title": "survived"}}))
print(rec.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    duck = _open(data, tmp_path)
    assert duck.recovered
    assert duck.modified
    assert duck.record(3).title == "survived"
    duck.discard_unsaved()
    assert duck.record(3).title != "survived"
    assert not duck.recovered


def test_a_read_only_folder_keeps_the_overlay_in_the_cache(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    duck = _open(data, tmp_path)
    os.chmod(data.parent, 0o555)
    try:
        files = overlay_files(data, duck.folder)
        if os.access(data.parent, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        assert not files.beside_data
        assert files.saved.is_relative_to(cache)
    finally:
        os.chmod(data.parent, 0o755)


def test_the_cache_overlay_is_used_when_given(data: Path, tmp_path: Path) -> None:
    first = _open(data, tmp_path)
    where = OverlayFiles(
        saved=first.folder / "overlay.json",
        unsaved=first.folder / "overlay.json.unsaved",
        beside_data=False,
    )
    duck = DuckDBBackend(data, cache=tmp_path / "cache", overlay=where)
    duck.apply(SetEventFields((duck.record(0).id,), {"title": "in the cache"}))
    duck.save()
    assert where.saved.exists()
    assert not data.with_name("events.parquet.overlay.json").exists()
    again = DuckDBBackend(data, cache=tmp_path / "cache", overlay=where)
    assert again.record(0).title == "in the cache"


def test_an_overlay_for_other_data_is_not_applied(data: Path, tmp_path: Path) -> None:
    duck = _open(data, tmp_path)
    duck.apply(SetEventFields((duck.record(0).id,), {"title": "for the old data"}))
    duck.save()
    duck.close()
    write_parquet(synthetic_document(310, n_actors=4, seed=3), data)
    again = _open(data, tmp_path)
    assert "other data" in again.load_problem
    assert again.record(0).title != "for the old data"


def test_entities_can_be_added_and_changed_not_deleted(data: Path, tmp_path: Path) -> None:
    duck = _open(data, tmp_path)
    actor = duck.actors().ids[0]
    duck.apply(PutEntity("actors", actor, {"id": actor, "name": "Renamed host"}))
    assert duck.actors().names[0] == "Renamed host"
    assert duck.event_count(Filter(text="renamed host")) == int(duck.actor_counts()[0])
    duck.apply(PutEntity("themes", "t-new", {"id": "t-new", "name": "Lateral movement"}))
    assert "t-new" in duck.themes().ids
    with pytest.raises(InvalidEditError, match="out of core"):
        duck.apply(PutEntity("actors", actor, None))
    with pytest.raises(InvalidEditError, match="out of core"):
        duck.apply(MergeActorsOp(actor, duck.actors().ids[1]))


def test_refused_edits_change_nothing(data: Path, tmp_path: Path) -> None:
    duck = _open(data, tmp_path)
    rec = duck.record(2)
    heard: list[Change] = []
    duck.subscribe(heard.append)
    with pytest.raises(InvalidEditError) as why:
        duck.apply(SetEventFields((rec.id,), {"status": "nonsense"}))
    assert why.value.problems[0].field == "status"
    with pytest.raises(InvalidEditError):
        duck.apply(PutEvent({"id": duck.record(1).id, "title": "dup", "start": "2018"}))
    assert duck.validate_event({"id": rec.id, "title": "t", "start": "2018"}, None)[0].field == "id"
    assert not heard
    assert duck.n_taken == 0
    assert duck.passes(ALL, np.asarray([2])).tolist() == [True]


def test_marks_capped_under_tied_starts_are_the_datas_first(data: Path, tmp_path: Path) -> None:
    """Events edited to the same start, the later key first: the overlay's own order is
    by when it took them, yet a lane capped at one mark shows the lower key, as memory."""

    duck = _open(data, tmp_path)
    oracle = memory_backend(synthetic_document(300, n_actors=4, seed=3))  # the fixture's
    t0 = int(np.datetime64("1850-06-01", "s").astype(np.int64))
    t1 = t0 + 86_400  # the day, before any of the data's
    lane = int(duck.lanes().keys[0])
    mine = [k for k in range(300) if lane in duck.lanes_of(k).tolist()][:3]
    assert len(mine) == 3
    for k in reversed(mine):  # taken over last key first
        op = SetEventFields((duck.record(k).id,), {"start": DatedValue(t0, Precision.DAY)})
        duck.apply(op)
        oracle.apply(op)
    lanes = np.array([lane], np.int64)
    for cap in (1, 2, 5):
        got, want = duck.marks(ALL, lanes, t0, t1, cap), oracle.marks(ALL, lanes, t0, t1, cap)
        assert got.key.tolist() == want.key.tolist() == sorted(mine)[:cap]
        assert got.totals.tolist() == want.totals.tolist()
