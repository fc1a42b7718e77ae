"""Stars, tags and notes survive every format that carries them: native JSON, Parquet,
CSV and Excel (hypothesis: hostile tags and note texts), and bad annotations in a
file are refused naming the entry and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions
from explorer.io.native import document_from_json, dumps_native, read_native, write_native
from explorer.io.native_annotations import annotations_json
from explorer.io.parquet import read_parquet, write_parquet
from explorer.io.read_table import read_csv_table, read_excel_table
from explorer.io.write_table import write_csv, write_excel
from explorer.model.annotations import clean_tag, tag_problem
from explorer.model.document import Document
from tests.backends import documents
from tests.factories import document_json, event

ROUND_TRIPS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Tags and notes a spreadsheet or a list separator could mangle: separators, quotes,
# formula starts, accents, right-to-left text, line breaks (notes only).
_TAG_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list(";|\"=+-@' ")),
    min_size=1,
    max_size=20,
).filter(lambda t: tag_problem(t) is None)
_NOTE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list('\n\t;"=+@')),
    min_size=1,
    max_size=60,
).filter(lambda t: bool(t.strip()))


@st.composite
def annotated(draw: st.DrawFn) -> Document:
    doc = draw(documents(max_events=8))
    data = json.loads(dumps_native(doc))
    entries = []
    for record in data["events"]:
        if not draw(st.booleans()):
            continue
        notes = [
            {
                "id": f"n{k}",
                "author": draw(st.sampled_from(["kim", "", "Ana Lúcia", "=cmd", "x;y"])),
                "time": f"20{draw(st.integers(10, 40))}-0{draw(st.integers(1, 9))}-11T08:30:05Z",
                "text": draw(_NOTE_TEXT),
            }
            for k in range(draw(st.integers(0, 2)))
        ]
        entries.append(
            {
                "event": record["id"],
                "starred": draw(st.booleans()),
                "tags": draw(st.lists(_TAG_TEXT, max_size=3)),
                "notes": notes,
            }
        )
    data["annotations"] = entries
    data["version"] = 2
    return document_from_json(data, Path("generated.json"))


def same_annotations(a: Document, b: Document) -> None:
    assert annotations_json(a) == annotations_json(b)


@ROUND_TRIPS
@given(doc=annotated())
def test_native_round_trip_keeps_annotations(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "doc.json"
    write_native(doc, path)
    back = read_native(path)
    same_annotations(back, doc)
    assert dumps_native(back) == path.read_bytes()  # canonical: a second save is the same


@ROUND_TRIPS
@given(doc=annotated())
def test_parquet_round_trip_keeps_annotations(tmp_path: Path, doc: Document) -> None:
    path = tmp_path / "doc.parquet"
    write_parquet(doc, path)
    same_annotations(read_parquet(path), doc)


@ROUND_TRIPS
@given(doc=annotated())
def test_csv_round_trip_keeps_annotations(tmp_path: Path, doc: Document) -> None:
    if not len(doc.events):
        return
    path = tmp_path / "doc.csv"
    write_csv(doc, path)
    same_annotations(read_csv_table(path, ReadOptions()).document, doc)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=annotated())
def test_excel_round_trip_keeps_annotations(tmp_path: Path, doc: Document) -> None:
    if not len(doc.events):
        return
    path = tmp_path / "doc.xlsx"
    write_excel(doc, path)
    same_annotations(read_excel_table(path, ReadOptions()).document, doc)


def test_a_document_without_annotations_stays_version_1_byte_for_byte(story: Document) -> None:
    text = dumps_native(story)
    assert json.loads(text)["version"] == 1
    assert b'"annotations"' not in text


def test_tags_are_cleaned_and_free() -> None:
    assert clean_tag("  follow \t up ") == "follow up"
    assert tag_problem("")
    assert tag_problem("x" * 101)
    assert tag_problem("a\x00b")
    assert tag_problem("Themes are not tags; this one is fine") is None


@pytest.mark.parametrize(
    ("annotations", "message"),
    [
        (
            {"event": "e1", "starred": "yes"},
            r'annotations\[0\] \(event "e1"\): field "starred": must be true or false',
        ),
        ({"event": "e1", "tags": ["ok", ""]}, r'field "tags": a tag cannot be empty'),
        ({"event": "e1", "notes": [{"text": "x", "time": "soon"}]}, r'notes\[0\]: field "time"'),
        ({"event": "e1", "notes": [{"text": " ", "time": "2026"}]}, r"a note needs some text"),
        ({"event": 3}, r'annotations\[0\]: field "event": must be an event id'),
    ],
)
def test_bad_annotations_are_refused_naming_entry_and_field(
    annotations: dict[str, Any], message: str
) -> None:
    data = document_json([event("e1")], annotations=[annotations], version=2)
    with pytest.raises(ReadError, match=message):
        document_from_json(data, Path("bad.json"))


def test_annotations_follow_an_event_whose_id_changes(tmp_path: Path) -> None:
    """Replacing an event with a new id keeps its star, tags and notes (and undo takes
    them back to the old id); a save then carries them under the new one."""
    from explorer.engines.memory import MemoryBackend
    from explorer.model.annotations import Note, PutNote, StarEvents, TagEvents
    from explorer.model.query import PutEvent
    from explorer.model.store import EventStore
    from tests.factories import make_document

    backend = MemoryBackend(
        EventStore(make_document([event("a", "2020-01-01"), event("b", "2020-02-01")]))
    )
    backend.apply(StarEvents(("a",), True))
    backend.apply(TagEvents(("a",), "follow-up", True))
    backend.apply(PutNote("a", "n1", Note("n1", "kim", 1_700_000_000, "check the logs")))
    undo = backend.apply(PutEvent(dict(event("a-2020", "2020-01-01")), replacing="a"))
    moved = backend.record(backend.key_of("a-2020"))
    assert moved.starred
    assert moved.tags == ("follow-up",)
    assert [n.text for n in moved.notes] == ["check the logs"]
    path = tmp_path / "renamed.json"
    write_native(backend.document, path)
    back = read_native(path)
    assert back.stars["event_id"].tolist() == ["a-2020"]
    assert back.notes["event_id"].tolist() == ["a-2020"]
    backend.apply(undo)
    assert backend.record(backend.key_of("a")).starred
