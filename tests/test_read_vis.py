"""vis-timeline item lists and plain JSON records (monarchs-style), and fuzzing."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from fuzzing import FUZZ, mutate, only_read_errors
from hypothesis import given
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, detect, get, read_any
from explorer.io.result import ImportResult
from explorer.model.dates import Precision
from explorer.model.document import Document, end_value, start_value


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def read(path: Path, fmt: str) -> ImportResult:
    return get(fmt).open(path, ReadOptions())


def isos(doc: Document) -> list[str]:
    return [start_value(doc.events, i).iso() for i in range(len(doc.events))]


def end_isos(doc: Document) -> list[str | None]:
    ends = [end_value(doc.events, i) for i in range(len(doc.events))]
    return [e.iso() if e else None for e in ends]


def actors_by_event(doc: Document) -> dict[str, list[str]]:
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    out: dict[str, list[str]] = {ident: [] for ident in doc.events["id"]}
    for event_id, actor_id in zip(doc.links["event_id"], doc.links["actor_id"], strict=True):
        out[event_id].append(names[actor_id])
    return out


BASIC = [
    {"id": 1, "content": "item 1", "start": "2014-04-20"},
    {"id": 2, "content": "item 2", "start": "2014-04-14"},
    {"id": 3, "content": "item 3", "start": "2014-04-18"},
    {"id": 4, "content": "item 4", "start": "2014-04-16", "end": "2014-04-19"},
    {"id": 5, "content": "item 5", "start": "2014-04-25"},
    {"id": 6, "content": "item 6", "start": "2014-04-27", "type": "point"},
]


def test_vis_item_list(tmp_path: Path) -> None:
    path = write_json(tmp_path / "basic.json", BASIC)
    assert detect(path).name == "vis-timeline"
    res = read_any(path)
    doc = res.document
    assert res.format == "vis-timeline"
    assert doc.title == "basic"
    assert list(doc.events["id"]) == ["1", "2", "3", "4", "5", "6"]
    assert list(doc.events["title"]) == [f"item {i}" for i in range(1, 7)]
    assert isos(doc) == [
        "2014-04-20",
        "2014-04-14",
        "2014-04-18",
        "2014-04-16",
        "2014-04-25",
        "2014-04-27",
    ]
    assert set(doc.events["start_precision"]) == {Precision.DAY}
    assert end_isos(doc) == [None, None, None, "2014-04-19", None, None]
    assert doc.events["attributes"].iat[5] == {"vis": {"type": "point"}}
    assert res.skipped == []
    assert res.notes == []


GROUPED: dict[str, Any] = {
    "groups": [
        {"id": "g1", "content": "<b>Truck</b> 1", "style": "background-color: #FFAA00;"},
        {"id": 2, "content": "Truck 2"},
    ],
    "items": [
        {"id": "a", "group": "g1", "content": "<i>Load</i>", "title": "tooltip",
         "start": "2014-04-20T10:00:00Z", "end": "2014-04-20T12:30:00+02:00",
         "className": "red"},
        {"id": "b", "group": 2, "content": "Point with end", "start": "2014-04-21T08:00",
         "end": "2014-04-22", "type": "box"},
        {"id": "c", "group": "unknown", "content": "Range without end", "start": 1398000000000,
         "type": "range"},
        {"id": "d", "content": "Background", "start": "2014-04-01", "end": "2014-05-01",
         "type": "background"},
        {"id": "e", "content": "No start"},
        {"id": "f", "content": "Bad start", "start": "yesterday"},
        "not an item",
        {"id": "g", "content": "Same start and end", "start": "2014-04-05",
         "end": "2014-04-05"},
        {"id": "a", "content": "Repeated id", "start": "2014-04-06"},
    ],
}  # fmt: skip


def test_vis_items_and_groups(tmp_path: Path) -> None:
    path = write_json(tmp_path / "groups.json", GROUPED)
    assert detect(path).name == "vis-timeline"
    res = read(path, "vis-timeline")
    doc = res.document
    assert list(doc.events["title"]) == [
        "<i>Load</i>",
        "Point with end",
        "Range without end",
        "Background",
        "Same start and end",
        "Repeated id",
    ]
    assert doc.events["summary"].iat[0] == "tooltip"
    assert isos(doc) == [
        "2014-04-20T10:00:00",
        "2014-04-21T08:00",
        "2014-04-20T13:20:00",  # 1398000000000 ms
        "2014-04-01",
        "2014-04-05",
        "2014-04-06",
    ]
    assert end_isos(doc) == ["2014-04-20T10:30:00", None, None, "2014-05-01", None, None]
    assert len(set(doc.events["id"])) == 6
    assert doc.events["id"].iat[0] == "a"
    lanes = actors_by_event(doc)
    assert lanes[doc.events["id"].iat[0]] == ["Truck 1"]  # group content, as plain text
    assert lanes[doc.events["id"].iat[1]] == ["Truck 2"]
    assert lanes[doc.events["id"].iat[2]] == ["unknown"]  # a group id without a group
    assert lanes[doc.events["id"].iat[3]] == []
    colours = dict(zip(doc.actors["name"], doc.actors["colour"], strict=True))
    assert colours["Truck 1"] == "#ffaa00"
    assert doc.events["attributes"].iat[0] == {"vis": {"className": "red"}}
    skipped = {s.where: (s.field, s.reason) for s in res.skipped}
    assert skipped == {
        "items[4]": ("start", "has no start date"),
        "items[5]": ("start", "'yesterday' is not a date"),
        "items[6]": ("", "must be an object, not str"),
    }
    notes = "\n".join(res.notes)
    assert "1 time(s) had no time zone; read as UTC" in notes
    assert "read as epoch milliseconds" in notes
    assert 'items[1]: type "box" has no end' in notes
    assert "range item(s) had no end" in notes
    assert "items[2]" in notes


def test_vis_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not a vis-timeline file"):
        read(write_json(tmp_path / "x.json", {"rows": []}), "vis-timeline")
    with pytest.raises(ReadError, match="has no items"):
        read(write_json(tmp_path / "e.json", []), "vis-timeline")
    with pytest.raises(ReadError) as caught:
        read(write_json(tmp_path / "n.json", [{"content": "x"}]), "vis-timeline")
    assert caught.value.where == "[0]"
    assert "no items with a usable start date" in str(caught.value)
    with pytest.raises(ReadError, match="must be a list"):
        read(write_json(tmp_path / "g.json", {"items": [], "groups": 3}), "vis-timeline")


MONARCHS = [
    {"name": "Elizabeth", "start": 1565, "end": 1603, "index": 0},
    {"name": "James I", "start": 1603, "end": 1625, "index": 1},
    {"name": "Cromwell", "start": 1649, "end": 1660, "commonwealth": True, "index": 3},
    {"name": "George IV", "start": 1820, "end": 1820, "index": 11},
]


def test_json_records_with_integer_years(tmp_path: Path) -> None:
    path = write_json(tmp_path / "monarchs.json", MONARCHS)
    assert detect(path).name == "json-records"
    res = read_any(path)
    doc = res.document
    assert res.format == "json-records"
    assert list(doc.events["title"]) == ["Elizabeth", "James I", "Cromwell", "George IV"]
    assert isos(doc) == ["1565", "1603", "1649", "1820"]
    assert set(doc.events["start_precision"]) == {Precision.YEAR}
    assert end_isos(doc) == ["1603", "1625", "1660", None]  # start == end: a point
    assert doc.events["attributes"].iat[2] == {"record": {"commonwealth": True, "index": 3}}
    assert doc.events["attributes"].iat[0] == {"record": {"index": 0}}
    assert len(doc.actors) == 0


def test_json_records_other_field_names(tmp_path: Path) -> None:
    data = [
        {"title": "Launch", "date": "2020-05-30T19:22:45Z", "description": "Crew Dragon",
         "group": "SpaceX", "id": "l1"},
        {"label": "Deep", "from": "-13800000000", "to": "-4600000000"},
        {"headline": "Epoch", "begin": 1590866565, "until": 1590866625000},
        {"name": "Nothing"},
    ]  # fmt: skip
    res = read(write_json(tmp_path / "r.json", data), "json-records")
    doc = res.document
    assert list(doc.events["id"]) == ["l1", "e2", "e3"]
    assert isos(doc) == ["2020-05-30T19:22:45", "-13800000000", "2020-05-30T19:22:45"]
    assert end_isos(doc) == [None, "-4600000000", "2020-05-30T19:23:45"]
    assert doc.events["summary"].iat[0] == "Crew Dragon"
    assert actors_by_event(doc)["l1"] == ["SpaceX"]
    assert [(s.where, s.field) for s in res.skipped] == [("[3]", "start")]


# --- fuzzing ------------------------------------------------------------------------------


VIS_MUTATIONS: dict[str, Any] = {"tokens": [b'"', b"null", b"1e400", b"-1", b'""', b"{}", b"[]"]}


def only_json_errors(fmt: str, data: bytes) -> None:
    only_read_errors(fmt, data, "f.json")


FIXTURES = [json.dumps(BASIC).encode(), json.dumps(GROUPED).encode(), json.dumps(MONARCHS).encode()]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**25), 10**25)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["2014-04-20", "2014-04-20T10:00:00+99:00", "-13800000000", "1565"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_binary(data: bytes) -> None:
    only_json_errors("vis-timeline", data)
    only_json_errors("json-records", data)


@FUZZ
@given(st.randoms(use_true_random=False), st.integers(1, 8))
def test_fuzz_mutated_fixtures(rng: random.Random, count: int) -> None:
    for fixture in FIXTURES:
        data = mutate(fixture, rng, count, **VIS_MUTATIONS)
        only_json_errors("vis-timeline", data)
        only_json_errors("json-records", data)


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "content", "name", "start", "end", "group", "type", "title"]),
            json_values,
        ),
        max_size=5,
    ),
    st.none() | st.lists(json_values, max_size=3),
)
def test_fuzz_structured(items: list[dict[str, Any]], groups: list[Any] | None) -> None:
    data = json.dumps(items if groups is None else {"items": items, "groups": groups})
    only_json_errors("vis-timeline", data.encode())
    only_json_errors("json-records", data.encode())
