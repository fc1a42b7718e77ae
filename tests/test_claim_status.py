"""Claim status as the file says: `unassessed` where nobody said, the file's word where it did."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtGui import QColor, QImage, QPainter

from explorer.edits import blank_event_record
from explorer.io.formats import read_any
from explorer.model.document import DEFAULT_STATUS, ClaimStatus
from explorer.model.store import EventStore
from explorer.resources import dataset_path
from explorer.ui import marks, qtarrays, style
from explorer.ui.view_state import Filter
from tests.factories import event, make_document


def _statuses(path: Path, fmt: str | None = None) -> list[str]:
    return read_any(path, fmt).document.events["status"].astype(str).tolist()


def test_imports_without_status_are_unassessed(tmp_path: Path) -> None:
    js = tmp_path / "story.json"
    js.write_text(
        json.dumps({"events": [{"start_date": {"year": 2020}, "text": {"headline": "a"}}]})
    )
    csv = tmp_path / "log.csv"
    csv.write_text("message,datetime,timestamp_desc\nlogin,2020-01-01T00:00:00,Event\n")
    table = tmp_path / "table.csv"
    table.write_text("date,title\n2020-01-02,one\n2020-01-03,two\n")
    assert _statuses(js) == ["unassessed"]
    assert _statuses(csv) == ["unassessed"]
    assert _statuses(table) == ["unassessed", "unassessed"]


def test_a_status_column_is_the_files_word(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("date,title,status\n2020-01-02,one,alleged\n2020-01-03,two,\n")
    assert _statuses(table) == ["alleged", "unassessed"]


def test_embedded_story_keeps_its_statuses() -> None:
    doc = read_any(dataset_path()).document
    assert "unassessed" not in set(doc.events["status"].astype(str))
    assert {"alleged", "reported"} <= set(doc.events["status"].astype(str))


def test_new_events_start_unassessed() -> None:
    doc = make_document([event("e1")])
    assert blank_event_record(doc, "2020")["status"] == "unassessed"
    assert DEFAULT_STATUS is ClaimStatus.UNASSESSED


def test_native_v1_without_status_still_reads_confirmed() -> None:
    # Version 1 said a missing status means confirmed; old files read unchanged.
    doc = make_document([event("e1")])
    assert doc.events["status"].tolist() == ["confirmed"]


def test_unassessed_is_filterable() -> None:
    doc = make_document([event("a", status="unassessed"), event("b", status="alleged")])
    store = EventStore(doc)
    mask = store.mask(Filter(statuses=frozenset({"unassessed"})))
    assert np.flatnonzero(mask).tolist() == [0]


def test_unassessed_is_drawn_neutrally(qtbot) -> None:
    # Neither the confirmed fill in the lane's colour nor a doubt pattern: a pale core
    # inside a grey frame, distinct from every other status.
    colour = QColor("#c0392b")
    drawn = {}
    for status in ClaimStatus:
        image = QImage(20, 20, QImage.Format.Format_ARGB32)
        image.fill(style.BACKGROUND)
        p = QPainter(image)
        marks.draw_points(p, status, colour, qtarrays.points(np.array([10.0]), np.array([10.0])))
        p.end()
        drawn[status] = (image.pixelColor(10, 10).name(), image.pixelColor(6, 10).name())
    core, frame = drawn[ClaimStatus.UNASSESSED]
    assert frame == style.UNASSESSED_EDGE.name()
    assert core == colour.lighter(150).name()
    assert len(set(drawn.values())) == len(ClaimStatus)
    assert ClaimStatus.UNASSESSED in style.STATUS_DESCRIPTIONS
