"""Edits and annotations of a shared SQL table (issue 10, point 5): the table stays as it
is, the analyst's changes go to an overlay kept locally, and every answer is the
in-memory oracle's after the same edits; saved and reopened, the overlay gives the
same answers again; undo gives back the table's own. Run on the SQL backend's DuckDB
dialect (the engine the suite needs no server for), generated documents."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.engines.overlay import OverlayFiles
from explorer.engines.sql_engines import connect
from explorer.engines.sql_overlay import SqlOverlaid, sql_overlay_files
from explorer.engines.sql_tables import upload_document
from explorer.model.annotations import Note, PutNote, StarEvents, TagEvents
from explorer.model.document import Document
from explorer.model.query import (
    DeleteEventsOp,
    EditOp,
    InvalidEditError,
    SetEventFields,
    TimelineQueries,
)
from tests.backends import documents, memory_backend, without_annotations
from tests.test_backend_equality import (
    SETTINGS,
    _edit,
    _live_keys,
    _same_up_to_ties,
    answers,
    assert_same,
    by_id,
)

_SERIAL = itertools.count()


def _everything(q: TimelineQueries) -> dict[str, Any]:
    return answers(q)  # annotation questions included: the overlay answers them


def _annotation_op(draw: Any, q: TimelineQueries, step: int) -> EditOp | None:
    keys = sorted(_live_keys(q))
    if not keys:
        return None
    picked = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True))
    ids = tuple(q.event_ids(np.asarray(picked, np.int64)))
    kind = draw(st.sampled_from(["star", "tag", "note"]))
    if kind == "star":
        return StarEvents(ids, True, keys=tuple(picked))
    if kind == "tag":
        return TagEvents(ids, draw(st.sampled_from(["follow-up", "Bad"])), True)
    return PutNote(ids[0], f"x{step}", Note(f"x{step}", "kim", 1_800_000_000, "zeta lead"))


# (3 documents: each is a table loaded into the SQL engine, edited, saved and reopened)
@settings(SETTINGS, max_examples=3)
@given(doc=documents(), data=st.data())
def test_edits_and_annotations_of_a_shared_table_save_and_reopen(
    tmp_path: Path, doc: Document, data: st.DataObject
) -> None:
    doc = without_annotations(doc)
    n = next(_SERIAL)
    url = f"duckdb:///{tmp_path / f'engine-{n}.duckdb'}"
    engine = connect(url)
    upload_document(engine, "story", doc)
    files = OverlayFiles(tmp_path / f"o-{n}.json", tmp_path / f"o-{n}.json.unsaved", False)
    backend = SqlOverlaid(engine, "story", files)
    oracle = memory_backend(doc.copy())
    before = _everything(backend)
    assert_same(before, _everything(oracle))
    undos: list[EditOp] = []
    deleted = False
    for serial in range(data.draw(st.integers(1, 4))):
        op = _edit(data.draw, oracle, serial) if data.draw(st.booleans()) else None
        op = op or _annotation_op(data.draw, oracle, serial)
        if op is None:
            continue
        try:
            oracle.apply(op)
        except InvalidEditError as exc:
            why = [p.field for p in exc.problems]
        else:
            why = None
        if why is not None:
            with pytest.raises(InvalidEditError) as refused:
                backend.apply(op)
            assert [p.field for p in refused.value.problems] == why
            continue
        undos.append(backend.apply(op))
        deleted |= isinstance(op, DeleteEventsOp)

    def same_as_oracle(q: TimelineQueries) -> None:
        if deleted:
            _same_up_to_ties(by_id(q), by_id(oracle))
        else:
            assert_same(_everything(q), _everything(oracle))

    same_as_oracle(backend)
    backend.save()
    for undo in reversed(undos):
        backend.apply(undo)
    assert_same(_everything(backend), before)  # the table's own answers again
    files.unsaved.unlink(missing_ok=True)  # the undos discarded, not saved
    backend.close()
    reopened = SqlOverlaid(connect(url), "story", files)
    try:
        assert not reopened.recovered
        assert reopened.load_problem == ""
        same_as_oracle(reopened)
    finally:
        reopened.close()


def test_the_overlay_of_a_source_is_kept_locally_per_url_and_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story: Document
) -> None:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache" / "index"))
    a = sql_overlay_files("postgresql://kim:secret@db.example:5432/case", "story")
    b = sql_overlay_files("postgresql://kim:other@db.example:5432/case", "story")
    c = sql_overlay_files("postgresql://kim@db.example:5432/case", "other")
    assert a == b  # the password is not part of where (nor written anywhere)
    assert a.saved != c.saved
    assert a.saved.is_relative_to(tmp_path / "cache")
    assert "secret" not in str(a.saved)
    # A status edit of the story as a shared table: saved there, reopened from there.
    url = f"duckdb:///{tmp_path / 'engine.duckdb'}"
    engine = connect(url)
    upload_document(engine, "story", without_annotations(story))
    backend = SqlOverlaid(engine, "story")
    first = backend.record(0)
    target = "disputed" if first.status != "disputed" else "alleged"
    backend.apply(SetEventFields((first.id,), {"status": target}))
    backend.apply(StarEvents((first.id,), True))
    written = backend.save()
    assert written == sql_overlay_files(url, "story").saved
    backend.close()
    again = SqlOverlaid(connect(url), "story")
    try:
        record = again.record(again.key_of(first.id))
        assert (record.status, record.starred) == (target, True)
        assert again.can_edit
    finally:
        again.close()
