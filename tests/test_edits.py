"""Edits are exactly reversible: any sequence, undone in reverse, gives back the original."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.edits import (
    AddEvent,
    DeleteEvents,
    Edit,
    EditError,
    MergeActors,
    ReplaceEvent,
    SetRecord,
    event_record,
    new_event_id,
    remove_rows,
    restore_rows,
    validate_event_record,
)
from explorer.io.native import dumps_native, read_native
from explorer.model.document import Document
from explorer.resources import dataset_path

STORY = read_native(dataset_path())
EVENT_IDS = STORY.events["id"].tolist()
ACTOR_IDS = STORY.actors["id"].tolist()


def fresh() -> Document:
    return STORY.copy()


@st.composite
def edits(draw: st.DrawFn, doc: Document) -> Edit:
    """One plausible edit for the document as it is now."""
    ids = doc.events["id"].tolist()
    actors = doc.actors["id"].tolist()
    kind = draw(st.sampled_from(["replace", "add", "delete", "actor", "delete_actor", "merge"]))
    if kind == "replace" and ids:
        ident = draw(st.sampled_from(ids))
        record = copy.deepcopy(event_record(doc, ident))
        record["title"] = draw(st.text(max_size=20))
        record["start"] = draw(
            st.sampled_from(["2025", "2026-06", "2026-06-24", "1999-12-31T23:59"])
        )
        record["end"] = None
        record["status"] = draw(st.sampled_from(["confirmed", "alleged", "disputed"]))
        if actors:
            record["actors"] = [
                {"actor": draw(st.sampled_from(actors)), "role": draw(st.text(max_size=5))}
            ]
        return ReplaceEvent(ident, record)
    if kind == "add" or not ids:
        record = copy.deepcopy(event_record(STORY, draw(st.sampled_from(EVENT_IDS))))
        record["id"] = new_event_id(doc)
        record["actors"] = [a for a in record["actors"] if a["actor"] in set(actors)]
        record["sources"] = [s for s in record["sources"] if s in set(doc.sources["id"])]
        record["themes"] = [t for t in record["themes"] if t in set(doc.themes["id"])]
        return AddEvent(record)
    if kind == "delete":
        return DeleteEvents(
            draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        )
    if kind == "actor" and actors:
        ident = draw(st.sampled_from(actors))
        row = doc.actors[doc.actors["id"] == ident].iloc[0]
        record = {c: str(row[c]) for c in doc.actors.columns}
        record["name"] = draw(st.text(min_size=1, max_size=12))
        return SetRecord("actors", ident, record)
    if kind == "delete_actor" and actors:
        return SetRecord("actors", draw(st.sampled_from(actors)), None)
    if kind == "merge" and len(actors) >= 2:
        keep, drop = draw(st.lists(st.sampled_from(actors), min_size=2, max_size=2, unique=True))
        return MergeActors(keep, drop)
    return DeleteEvents([draw(st.sampled_from(ids))])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edits_then_as_many_undos_give_back_the_original(data: st.DataObject) -> None:
    doc = fresh()
    original = dumps_native(doc)
    applied: list[Edit] = []
    for _ in range(data.draw(st.integers(1, 8))):
        edit = data.draw(edits(doc))
        try:
            edit.apply(doc)
        except EditError:
            continue  # refused edits must leave the document untouched: checked below
        applied.append(edit)
    for edit in reversed(applied):
        edit.undo(doc)
    assert dumps_native(doc) == original
    assert doc.equals(STORY)


def test_refused_edit_changes_nothing() -> None:
    doc = fresh()
    before = dumps_native(doc)
    record = event_record(doc, "e-fable5-shutdown")
    bad = dict(record, actors=[{"actor": "nobody", "role": ""}])
    with pytest.raises(EditError, match="unknown actor"):
        ReplaceEvent("e-fable5-shutdown", bad).apply(doc)
    with pytest.raises(EditError, match="no event"):
        DeleteEvents(["e-fable5-shutdown", "missing"]).apply(doc)
    with pytest.raises(EditError, match="already exists"):
        AddEvent(record).apply(doc)
    assert dumps_native(doc) == before


def test_validate_names_the_field() -> None:
    record = dict(event_record(STORY, "e-fable5-shutdown"), start="2026-02-30")
    message = validate_event_record(STORY, record)
    assert message is not None
    assert "start" in message
    assert "February" in message


def test_replace_keeps_the_event_in_place() -> None:
    doc = fresh()
    record = dict(event_record(doc, "e-fable5-shutdown"), title="Renamed")
    ReplaceEvent("e-fable5-shutdown", record).apply(doc)
    assert doc.events["id"].tolist() == EVENT_IDS
    assert doc.events.loc[doc.events["id"] == "e-fable5-shutdown", "title"].item() == "Renamed"


def test_deleting_an_actor_removes_its_links_and_undo_restores_them() -> None:
    doc = fresh()
    edit = SetRecord("actors", "china", None)
    edit.apply(doc)
    assert "china" not in set(doc.links["actor_id"])
    edit.undo(doc)
    assert doc.equals(STORY)


def test_merge_moves_links() -> None:
    doc = fresh()
    MergeActors("china", "deepseek").apply(doc)
    launch = doc.links[doc.links["event_id"] == "e-deepseek-v4-pro-launch"]["actor_id"].tolist()
    assert "deepseek" not in launch
    assert "china" in launch
    assert "deepseek" not in set(doc.actors["id"])


@given(st.lists(st.booleans(), min_size=0, max_size=30))
def test_remove_then_restore_rows_is_identity(flags: list[bool]) -> None:
    frame = pd.DataFrame(
        {
            "a": np.arange(len(flags)),
            "b": pd.Series([f"x{i}" for i in range(len(flags))], dtype="str"),
        }
    )
    kept, removed = remove_rows(frame, np.array(flags, dtype=bool))
    back = restore_rows(kept, removed)
    assert back["a"].tolist() == frame["a"].tolist()
    assert back["b"].tolist() == frame["b"].tolist()
    assert list(back.dtypes) == list(frame.dtypes)
