"""The columnar native writer and reader give exactly what the plain (dict per event,
``json``) ones give: the same bytes on save, the same document on open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_native import documents

from explorer.io import native_encode
from explorer.io.errors import ReadError
from explorer.io.formats import read_any
from explorer.io.native import (
    document_from_json,
    dumps_native,
    read_native,
    reference_dumps,
    write_native,
)
from explorer.io.native_decode import NotFast
from explorer.io.sample_files import generate_timesketch_csv
from explorer.model.periods import make_periods
from explorer.model.synthetic import synthetic_document
from explorer.resources import dataset_path


def test_embedded_story_is_written_byte_for_byte_as_before() -> None:
    story = Path(dataset_path())
    doc = read_native(story)
    assert dumps_native(doc) == reference_dumps(doc) == story.read_bytes()


@pytest.fixture
def generated(tmp_path: Path) -> Any:
    """A seeded synthetic document with every awkward value the writer escapes."""
    doc = synthetic_document(3_000, seed=4)
    titles = doc.events["title"].tolist()
    odd = ['"quoted" \\ back', "tab\tline\nbreak\r\x08\x0c", "\x01\x1f control", "日本 🎉 \u2028"]
    for k, text in enumerate(odd):
        titles[k * 7] = text
    doc.events["title"] = titles
    years = doc.events["start"].to_numpy(np.int64).copy()
    years[:3] = [-13_800_000_000 * 31_556_952, -62_198_755_200, 400_000_000_000]  # deep time
    doc.events["start"] = years
    attributes: list[Any] = [None] * len(doc.events)
    attributes[1] = {"nested": {"list": [1, 2.5, None, True, "x"]}, "empty": {}, "f": 1e16}
    attributes[2] = {"k": 'v "q"'}
    doc.events["attributes"] = attributes
    doc.periods = make_periods(
        ids=["p1"],
        labels=["An era"],
        descriptions=[""],
        start=[0],
        start_precision=[0],
        end=[0],
        end_precision=[-1],
        colours=["#112233"],
    )
    return doc


def test_generated_document_is_written_byte_for_byte(generated: Any, tmp_path: Path) -> None:
    native_encode.BLOCK, saved = 1_000, native_encode.BLOCK  # several blocks, a ragged last
    try:
        out = tmp_path / "doc.json"
        write_native(generated, out)
    finally:
        native_encode.BLOCK = saved
    assert out.read_bytes() == reference_dumps(generated)
    assert b'"version": 2' in out.read_bytes()[:80]
    assert read_native(out).equals(generated)


def test_a_forensic_import_is_written_byte_for_byte(tmp_path: Path) -> None:
    """Column attributes (a bulk CSV import) take the columnar path too."""
    source = generate_timesketch_csv(tmp_path / "t.csv", 2_500, seed=1)
    doc = read_any(source).document
    assert type(doc.events["attributes"].array).__name__ == "ColumnAttributes"
    assert dumps_native(doc) == reference_dumps(doc)
    out = tmp_path / "t.json"
    write_native(doc, out)
    again = read_native(out)
    assert dumps_native(again) == out.read_bytes()


def test_what_the_columns_cannot_say_falls_back(tmp_path: Path) -> None:
    doc = synthetic_document(50, seed=2)
    doc.events["attributes"] = [{"note": "lone \ud800 surrogate"}] + [None] * 49
    assert dumps_native(doc) == reference_dumps(doc)
    assert b"\\ud800" in dumps_native(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_are_written_as_the_reference(data: dict[str, Any]) -> None:
    doc = document_from_json(data, Path("generated.json"))
    assert dumps_native(doc) == reference_dumps(doc)
    assert json.loads(dumps_native(doc))["version"] == 1  # no periods: still version 1


def test_fast_open_gives_the_thorough_document(generated: Any, tmp_path: Path) -> None:
    from explorer.io.native import _read_fast, _read_thorough

    out = tmp_path / "doc.json"
    write_native(generated, out)
    raw = out.read_bytes()
    fast, thorough = _read_fast(raw, out), _read_thorough(raw, out)
    assert fast.equals(thorough)
    assert fast.equals(generated)


def test_fast_open_keeps_bulk_attributes_as_columns(tmp_path: Path) -> None:
    source = generate_timesketch_csv(tmp_path / "t.csv", 500, seed=3)
    out = tmp_path / "t.json"
    write_native(read_any(source).document, out)
    again = read_native(out)
    assert type(again.events["attributes"].array).__name__ == "ColumnAttributes"
    assert dumps_native(again) == out.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_files_open_fast_as_thorough(data: dict[str, Any]) -> None:
    from explorer.io.native import _read_fast, _read_thorough

    raw = json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace")
    path = Path("generated.json")
    try:
        fast = _read_fast(raw, path)
    except (NotFast, ReadError):  # the fast path may decline; the thorough one reads it
        return
    assert fast.equals(_read_thorough(raw, path))


def test_annotations_go_through_the_columnar_writer_and_the_fast_reader(
    tmp_path: Path,
) -> None:
    """Stars, tags and notes sit beside periods among version 2's optional keys: the
    columnar writer writes them from the whole document (not its event-less frame),
    byte for byte as the reference, and the fast reader keeps them."""
    import pandas as pd

    from explorer.io.native import _read_fast, _read_thorough

    doc = synthetic_document(3_000, seed=5)
    ids = doc.events["id"].astype("str")
    doc.stars = pd.DataFrame({"event_id": pd.Series([ids[10], ids[2_999]], dtype="str")})
    doc.tags = pd.DataFrame(
        {
            "event_id": pd.Series([ids[10], ids[11]], dtype="str"),
            "tag": pd.Series(["follow-up", "suspicious"], dtype="str"),
        }
    )
    doc.notes = pd.DataFrame(
        {
            "event_id": pd.Series([ids[12]], dtype="str"),
            "note_id": pd.Series(["n1"], dtype="str"),
            "author": pd.Series(["kim"], dtype="str"),
            "time": pd.Series([1_764_594_300], dtype=np.int64),
            "text": pd.Series(["Second source?\nOnly one so far."], dtype="str"),
        }
    )
    native_encode.BLOCK, saved = 1_000, native_encode.BLOCK
    try:
        out = tmp_path / "annotated.json"
        write_native(doc, out)
    finally:
        native_encode.BLOCK = saved
    raw = out.read_bytes()
    assert raw == reference_dumps(doc)
    data = json.loads(raw)
    assert data["version"] == 2
    assert [a["event"] for a in data["annotations"]] == [ids[10], ids[11], ids[12], ids[2_999]]
    fast = _read_fast(raw, out)
    assert fast.equals(_read_thorough(raw, out))
    assert fast.equals(doc)
    assert (len(fast.stars), len(fast.tags), len(fast.notes)) == (2, 2, 1)
    assert dumps_native(read_native(out)) == raw
