"""The native JSON format: exact round trips, located errors, and atomic saves."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import document_json, event, make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io import atomic
from explorer.io.atomic import atomic_open, atomic_write_with
from explorer.io.errors import ReadError, WriteError
from explorer.io.native import document_from_json, dumps_native, read_native, write_native
from explorer.model.dates import DAY, MAX_ABS_YEAR, Precision, floor_to, format_iso, to_seconds
from explorer.model.document import ClaimStatus, Document

FIRST_SECOND = to_seconds(-MAX_ABS_YEAR)
LAST_SECOND = to_seconds(MAX_ABS_YEAR, 12, 31, 23, 59, 59)


def rich_json() -> dict[str, Any]:
    """A small document touching every part of the format."""
    return document_json(
        title="Störy <b>bold</b> & \"quoted\"",
        description="Line one\nline two — 日本語 🎉",
        events=[
            event(
                "e1",
                "2026-06-24",
                summary="<script>alert(1)</script>",
                status="alleged",
                actors=[{"actor": "a1", "role": "accuser"}, "a2"],
                sources=["s1"],
                themes=["t1"],
                figures=[
                    {"text": "1,000s", "quantity": 1000, "unit": "accounts",
                     "qualifier": "thousands", "label": "accounts"},
                    {"text": "about a third", "quantity": 0.33},
                    {"text": "many", "quantity": None},
                ],
                attributes={"nested": {"list": [1, 2.5, None, True, "x"]}, "empty": {}},
            ),
            event("e2", "-13800000000", end="-13799999999-06", status="disputed"),
            event("e3", "2025", end="2025-05-03", status="retracted"),
            event("e4", "1969-12-31T23:59:59", end="1970-01-01T00:00"),
        ],
        actors=[
            {"id": "a1", "name": "Anthropic", "kind": "company", "colour": "#3a7bd5"},
            {"id": "a2", "name": "Ålibaba", "posture": "ESCALATING"},
        ],
        sources=[
            {"id": "s1", "publisher": "Bloomberg", "published": "2026-06-24"},
            {"id": "s2", "title": "undated"},
        ],
        themes=[{"id": "t1", "name": "Identity is the moat"}],
    )  # fmt: skip


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return tmp_path / "story.json"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file that hypothesis examples overwrite (function-scoped tmp_path is per test)."""
    return tmp_path_factory.mktemp("fuzz") / "fuzz.json"


def save_and_reload(doc: Document, path: Path) -> tuple[bytes, Document]:
    data = dumps_native(doc)
    path.write_bytes(data)
    return data, read_native(path)


# --- round trips ------------------------------------------------------------------------


def test_rich_document_round_trips(story: Path) -> None:
    doc = make_document(**{k: v for k, v in rich_json().items() if k not in ("format", "version")})
    first, again = save_and_reload(doc, story)
    assert again.equals(doc)
    assert dumps_native(again) == first
    # What was read is really there, not just equal to itself.
    assert again.title == 'Störy <b>bold</b> & "quoted"'
    assert again.events["id"].tolist() == ["e1", "e2", "e3", "e4"]
    assert again.events["status"].tolist() == ["alleged", "disputed", "retracted", "confirmed"]
    assert again.links.values.tolist() == [["e1", "a1", "accuser"], ["e1", "a2", ""]]
    assert again.figures["quantity"].tolist()[:2] == [1000.0, 0.33]
    assert again.events["attributes"].iat[0] == {
        "nested": {"list": [1, 2.5, None, True, "x"]},
        "empty": {},
    }


def test_saved_text_is_canonical(story: Path) -> None:
    write_native(make_document([event("e1", "2026-06", figures=[{"text": "1k", "quantity": 1e3}])]),
                 story)  # fmt: skip
    text = story.read_text("utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "timeline-explorer",\n  "version": 1,\n')
    record = json.loads(text)["events"][0]
    assert list(record) == ["id", "title", "summary", "start", "end", "status", "actors",
                            "sources", "themes", "figures", "attributes"]  # fmt: skip
    assert record["start"] == "2026-06"
    assert record["end"] is None
    assert '"quantity": 1000,' in text  # a whole quantity is an integer


def test_non_ascii_is_written_as_itself() -> None:
    data = dumps_native(make_document([event("e1", title="Ålibaba — 日本")]))
    assert "Ålibaba — 日本".encode() in data
    assert b"\\u" not in data


def test_byte_order_mark_is_tolerated(story: Path) -> None:
    data = dumps_native(make_document([event("e1")]))
    story.write_bytes(b"\xef\xbb\xbf" + data)
    assert dumps_native(read_native(story)) == data


def test_lone_surrogate_in_a_text_column_is_a_read_error(story: Path) -> None:
    # json.loads turns a "\\ud800" escape into a str that UTF-8 (and so pyarrow) refuses.
    story.write_bytes(json.dumps(document_json([event("e1", title="x\ud800y")])).encode())
    with pytest.raises(ReadError) as caught:
        read_native(story)
    assert str(caught.value) == (
        'story.json: events[0] (id "e1"): field "title": contains an unpaired surrogate \\ud800'
    )


def test_lone_surrogate_in_free_text_survives_a_save(story: Path) -> None:
    data = document_json([event("e1", attributes={"k\udc00": "v\ud800"})], title="t\udfff")
    story.write_bytes(json.dumps(data).encode())
    doc = read_native(story)
    assert doc.title == "t\udfff"
    saved, again = save_and_reload(doc, story)
    assert b"\\udfff" in saved
    assert again.equals(doc)
    assert again.events["attributes"].iat[0] == {"k\udc00": "v\ud800"}


ids = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["<b>x</b>", "a & b &amp; c", '"q" \\ /', "\x00\t\n", "🎉 Ω 日本", "\u202eRTL"]
    ),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
quantities = st.one_of(
    st.none(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
)


@st.composite
def dates(draw: st.DrawFn, after: int | None = None) -> tuple[int, str]:
    """A date string at a random precision; with `after`, a second >= `after` lies in it."""
    if after is None:
        seconds = draw(
            st.one_of(st.integers(FIRST_SECOND, LAST_SECOND), st.integers(-(2**31), 2**32))
        )
    else:
        step = draw(st.sampled_from([1, DAY, 10**6 * DAY, LAST_SECOND]))
        seconds = min(after + draw(st.integers(0, step)), LAST_SECOND)
    precision = draw(st.sampled_from(list(Precision)))
    return seconds, format_iso(floor_to(seconds, precision), precision)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    actor_ids = draw(st.lists(ids, max_size=4, unique=True))
    source_ids = draw(st.lists(ids, max_size=3, unique=True))
    theme_ids = draw(st.lists(ids, max_size=3, unique=True))
    events = []
    for ident in draw(st.lists(ids, max_size=6, unique=True)):
        start_seconds, start = draw(dates())
        record: dict[str, Any] = {
            "id": ident,
            "title": draw(texts),
            "summary": draw(texts),
            "start": start,
            "status": draw(st.sampled_from([s.value for s in ClaimStatus])),
        }
        if draw(st.booleans()):
            record["end"] = draw(dates(after=start_seconds))[1]
        if actor_ids:
            refs = draw(st.lists(st.sampled_from(actor_ids), max_size=3))
            record["actors"] = [{"actor": a, "role": draw(texts)} for a in refs]
        if source_ids:
            record["sources"] = draw(st.lists(st.sampled_from(source_ids), max_size=2))
        if theme_ids:
            record["themes"] = draw(st.lists(st.sampled_from(theme_ids), max_size=2))
        record["figures"] = [
            {"text": draw(texts), "quantity": draw(quantities), "unit": draw(texts)}
            for _ in range(draw(st.integers(0, 2)))
        ]
        record["attributes"] = draw(st.dictionaries(texts, json_values, max_size=3))
        events.append(record)
    return document_json(
        events,
        actors=[{"id": a, "name": draw(texts), "colour": draw(st.sampled_from(["", "#A0b1C2"]))}
                for a in actor_ids],
        sources=[{"id": s, "publisher": draw(texts),
                  "published": draw(st.one_of(st.none(), dates().map(lambda d: d[1])))}
                 for s in source_ids],
        themes=[{"id": t, "name": draw(texts), "description": draw(texts)} for t in theme_ids],
        title=draw(texts),
        description=draw(texts),
    )  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_round_trip_exactly(scratch: Path, data: dict[str, Any]) -> None:
    doc = document_from_json(data, scratch)
    first, again = save_and_reload(doc, scratch)
    assert again.equals(doc)
    assert dumps_native(again) == first
    # And the saved JSON says what the input said.
    saved = json.loads(first)
    assert [e["id"] for e in saved["events"]] == [e["id"] for e in data["events"]]
    assert [e["start"] for e in saved["events"]] == [e["start"] for e in data["events"]]
    assert [e["end"] for e in saved["events"]] == [e.get("end") for e in data["events"]]
    assert [e["attributes"] for e in saved["events"]] == [e["attributes"] for e in data["events"]]
    assert [[f["quantity"] for f in e["figures"]] for e in saved["events"]] == [
        [f["quantity"] for f in e["figures"]] for e in data["events"]
    ]


def test_equals_notices_a_difference() -> None:
    doc = make_document([event("e1", figures=[{"text": "n", "quantity": None}])])
    assert doc.equals(doc.copy())
    changed = doc.copy()
    changed.figures["quantity"] = [1.0]
    assert not doc.equals(changed)
    assert not doc.equals(make_document([event("e1", "2021", figures=[{"text": "n"}])]))


# --- errors -----------------------------------------------------------------------------


def two_events(**second: Any) -> dict[str, Any]:
    """A document whose second event (id "e2") has the given fields."""
    record = {"id": "e2", "title": "Second", "start": "2020", **second}
    record = {k: v for k, v in record.items() if v is not ...}
    return document_json(
        [event("e1"), record],
        actors=[{"id": "a1", "name": "A"}],
        sources=[{"id": "s1"}],
        themes=[{"id": "t1", "name": "T"}],
    )


E2 = 'story.json: events[1] (id "e2"): '

BAD_DOCUMENTS = [
    (two_events(start="2020-02-30"), E2 + 'field "start": day 30 does not exist in February 2020'),
    (two_events(end="2021-13"), E2 + 'field "end": month 13 is not 1-12'),
    (two_events(start=None), E2 + 'field "start": is missing'),
    (two_events(start=2.5), E2 + 'field "start": must be a date string, not float'),
    (two_events(status="rumoured"), E2 + "field \"status\": 'rumoured' is not one of alleged, "
     "confirmed, disputed, reported, retracted"),
    (two_events(title=...), E2 + 'field "title": is missing'),
    (two_events(title=7), E2 + 'field "title": must be text, not int'),
    (two_events(actors=["nobody"]), E2 + "field \"actors\": unknown actor 'nobody'"),
    (two_events(actors=[{"actor": "a1", "role": 3}]), E2 + 'field "role": must be text, not int'),
    (two_events(actors=[{"role": "x"}]), E2 + 'field "actors": each must be an actor id or'),
    (two_events(sources=["s9"]), E2 + "field \"sources\": unknown source 's9'"),
    (two_events(themes=["t9"]), E2 + "field \"themes\": unknown theme 't9'"),
    (two_events(themes="t1"), E2 + 'field "themes": must be a list of ids'),
    (two_events(id="e1"), 'story.json: events[1] (id "e1"): field "id": duplicate id'),
    (two_events(id="  "), 'story.json: events[1] (id ""): field "id": empty id'),
    (two_events(start="2020-06", end="2020-05-31"), E2 + 'field "end": ends before it starts'),
    (two_events(attributes=[1]), E2 + 'field "attributes": must be an object'),
    (two_events(figures=[{"text": "x", "quantity": "5"}]),
     E2[:-2] + ', figures[0]: field "quantity": must be a finite number or null'),
    (two_events(figures=[{"text": "x", "quantity": True}]),
     E2[:-2] + ', figures[0]: field "quantity": must be a finite number or null'),
    (two_events(figures=[{"text": "x", "quantity": 10**400}]),
     E2[:-2] + ', figures[0]: field "quantity": must be a finite number or null'),
    (two_events(figures=[{"quantity": 1}]), E2[:-2] + ', figures[0]: field "text": is missing'),
    (two_events(figures=[5]), E2[:-2] + ", figures[0]: must be an object"),
    ({**two_events(), "events": [event("e1"), 5]}, "story.json: events[1]: must be an object"),
    ({**two_events(), "actors": "a1"}, 'story.json: field "actors": must be a list'),
    ({**two_events(), "actors": [{"id": "a1"}]},
     'story.json: actors[0] (id "a1"): field "name": is missing'),
    ({**two_events(), "actors": [{"id": "a1", "name": "A", "colour": "blue"}]},
     "story.json: actors[0] (id \"a1\"): field \"colour\": 'blue' is not #rrggbb"),
    ({**two_events(), "sources": [{"id": "s1", "published": "yesterday"}]},
     'story.json: sources[0] (id "s1"): field "published": \'yesterday\' is not a date'),
    ({**two_events(), "title": ["x"]}, 'story.json: field "title": must be text'),
    ({**two_events(), "format": "other"}, 'story.json: not a Timeline Explorer document (no '
     '"format": "timeline-explorer")'),
    ([two_events()], "story.json: not a Timeline Explorer document"),
    ({**two_events(), "version": 3}, 'story.json: field "version": version 3 is newer than this '
     "program reads (2); update Timeline Explorer"),
    ({**two_events(), "version": 2, "periods": {}}, 'story.json: field "periods": must be a list'),
    ({**two_events(), "version": 2, "periods": [{"id": "p1", "label": "P", "start": "2020",
                                                 "end": "2019"}]},
     'story.json: periods[0] (id "p1"): field "end": ends before it starts'),
    ({**two_events(), "version": 2, "periods": [{"id": "p1", "start": "2020"}]},
     'story.json: periods[0] (id "p1"): field "label": is missing'),
    ({**two_events(), "version": 2, "periods": [
        {"id": "p1", "label": "P", "start": "2020"}, {"id": "p1", "label": "Q", "start": "2021"}]},
     'story.json: periods[1] (id "p1"): field "id": duplicate id'),
    ({**two_events(), "version": 2, "periods": [{"id": "p1", "label": "P", "start": "x"}]},
     "story.json: periods[0] (id \"p1\"): field \"start\": 'x' is not a date"),
    ({**two_events(), "version": "1"}, 'story.json: field "version": must be a whole number'),
    ({**two_events(), "version": True}, 'story.json: field "version": must be a whole number'),
    # Both faults at once: duplicate ids made the unknown-reference check crash.
    (document_json([event("e1", actors=["zz"]), event("e1")]),
     'story.json: events[1] (id "e1"): field "id": duplicate id'),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), BAD_DOCUMENTS)
def test_faults_name_file_record_and_field(story: Path, data: Any, message: str) -> None:
    story.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ReadError) as caught:
        read_native(story)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{\n  "format": "timeline-explorer",\n  "version": 1,\n  "events": [,]\n}',
         "story.json: line 4, column 14: not valid JSON: Expecting value"),
        (b'{"format": "timeline-explorer"', "story.json: line 1, column 31: not valid JSON"),
        (b"", "story.json: line 1, column 1: not valid JSON"),
        (b'{"title": "caf\xe9"}', "story.json: byte 14: not UTF-8 text (invalid continuation"),
        (b"\xff\xfe{}", "story.json: byte 0: not UTF-8 text"),
        (b'{"version": ' + b"9" * 5000 + b"}", "story.json: not valid JSON: Exceeds the limit"),
        (b"[" * 100_000 + b"]" * 100_000, "story.json: not valid JSON: nested too deeply"),
        (b"NaN", "story.json: not a Timeline Explorer document"),
    ],
)  # fmt: skip
def test_unreadable_bytes_name_file_and_place(story: Path, raw: bytes, message: str) -> None:
    story.write_bytes(raw)
    with pytest.raises(ReadError) as caught:
        read_native(story)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_quantity_is_refused(story: Path, literal: str) -> None:
    text = json.dumps(two_events(figures=[{"text": "x", "quantity": 0}]))
    story.write_text(text.replace('"quantity": 0', f'"quantity": {literal}'), "utf-8")
    with pytest.raises(ReadError, match=r'figures\[0\]: field "quantity": must be a finite'):
        read_native(story)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^gone\.json: No such file or directory$"):
        read_native(tmp_path / "gone.json")


# --- fuzzing ----------------------------------------------------------------------------

VALID = dumps_native(make_document(**{k: v for k, v in rich_json().items()
                                      if k not in ("format", "version")}))  # fmt: skip


def read_or_read_error(path: Path, data: bytes) -> None:
    """Reading `data` raises ReadError or yields a document that saves and reloads as is."""
    path.write_bytes(data)
    try:
        doc = read_native(path)
    except ReadError as exc:
        message = str(exc)
    else:
        again = save_and_reload(doc, path)[1]
        assert again.equals(doc)
        return
    assert message.startswith(path.name)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_read_error(scratch: Path, data: bytes) -> None:
    read_or_read_error(scratch, data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete"]),
            st.integers(0, len(VALID) - 1),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_file_raises_only_read_error(
    scratch: Path, edits: list[tuple[str, int, int]]
) -> None:
    data = bytearray(VALID)
    for op, pos, byte in edits:
        pos %= len(data) + 1
        if op == "insert":
            data[pos:pos] = bytes([byte])
        elif pos < len(data):
            if op == "flip":
                data[pos] ^= 1 << (byte % 8)
            else:
                del data[pos]
    read_or_read_error(scratch, bytes(data))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


VALID_PATHS = list(_paths(json.loads(VALID)))[1:]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_PATHS), json_values)
def test_any_value_anywhere_raises_only_read_error(
    scratch: Path, where: tuple[Any, ...], value: Any
) -> None:
    data = json.loads(VALID)
    parent = data
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    read_or_read_error(scratch, json.dumps(data).encode())


# --- atomic save ------------------------------------------------------------------------

OLD = b'{"old": "contents"}\n'


def leftovers(folder: Path, keep: str = "story.json") -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_save_replaces_the_file(story: Path) -> None:
    story.write_bytes(OLD)
    doc = make_document([event("e1")])
    write_native(doc, story)
    assert story.read_bytes() == dumps_native(doc)
    assert leftovers(story.parent) == []


def test_failed_replace_keeps_old_file(story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story.write_bytes(OLD)

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(WriteError, match="Permission denied") as caught:
        write_native(make_document([event("e1")]), story)
    assert caught.value.path == story
    assert story.read_bytes() == OLD
    assert leftovers(story.parent) == []


def test_full_disk_keeps_old_file(story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story.write_bytes(OLD)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(WriteError, match="No space left on device"):
        write_native(make_document([event("e1")]), story)
    assert story.read_bytes() == OLD
    assert leftovers(story.parent) == []


def test_writer_failing_midway_keeps_old_file(story: Path) -> None:
    story.write_bytes(OLD)

    def half_then_crash(handle: Any) -> None:
        handle.write(b'{"new": ')
        raise RuntimeError("writer crashed")

    with pytest.raises(RuntimeError, match="writer crashed"):  # not wrapped: not an OSError
        atomic_write_with(story, half_then_crash)
    assert story.read_bytes() == OLD
    assert leftovers(story.parent) == []


def test_interrupted_block_keeps_old_file(story: Path) -> None:
    story.write_bytes(OLD)
    during: list[str] = []

    def interrupted() -> None:
        with atomic_open(story) as handle:
            handle.write(b"partial")
            during.extend(leftovers(story.parent))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert len(during) == 1
    assert during[0].startswith(".story.json.")  # the temp file, beside the target
    assert during[0].endswith(".tmp")
    assert story.read_bytes() == OLD
    assert leftovers(story.parent) == []


def test_save_into_missing_folder_raises_write_error(tmp_path: Path) -> None:
    target = tmp_path / "no such folder" / "story.json"
    with pytest.raises(WriteError, match="cannot write in") as caught:
        write_native(make_document([event("e1")]), target)
    assert caught.value.path == target
    assert list(tmp_path.iterdir()) == []


def test_save_into_read_only_folder_raises_write_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write into read-only folders (root)")
        with pytest.raises(WriteError, match="cannot write in"):
            write_native(make_document([event("e1")]), folder / "story.json")
    finally:
        folder.chmod(0o755)


def test_new_file_gets_the_usual_permissions(story: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_native(make_document([event("e1")]), story)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(story.stat().st_mode) == 0o644  # not mkstemp's 0600


def test_save_keeps_the_old_files_permissions(story: Path) -> None:
    story.write_bytes(OLD)
    story.chmod(0o640)
    write_native(make_document([event("e1")]), story)
    assert stat.S_IMODE(story.stat().st_mode) == 0o640
    assert story.read_bytes() != OLD


def test_first_date_of_the_range_round_trips(story: Path) -> None:
    doc = make_document([event("e1", "-100000000000", end="100000000000-12-31T23:59:59")])
    again = save_and_reload(doc, story)[1]
    assert again.equals(doc)
    assert int(again.events["start"].iat[0]) == FIRST_SECOND
    assert int(again.events["end"].iat[0]) == LAST_SECOND
