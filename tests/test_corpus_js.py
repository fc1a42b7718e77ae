"""The real story files of the shared corpus (TimelineJS, The Timeline Project,
vis-timeline, monarchs.json), opened the way a user opens them: by auto-detection.

Skipped where the corpus is not beside the repository. Run this file as a script to
write the expected table as markdown rows (for docs/formats.md) to /tmp/formats_js.md.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, detect, get, read_any
from explorer.io.native import read_native, write_native
from explorer.io.write_timelinejs import write_timelinejs
from explorer.model.dates import Precision, format_iso
from explorer.model.document import NO_END, Document

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


class Expected(NamedTuple):
    file: str  # relative to the corpus
    format: str  # detected format ("" where the file is refused)
    events: int  # events read (eras included)
    first: str  # earliest start, ISO at its precision
    last: str  # latest start
    notes: str


TABLE: tuple[Expected, ...] = (
    Expected("timelinejs3/all-media-types.json", "timelinejs", 41, "1901", "1940",
             "28 events in 5 groups (actors); 13 without group"),
    Expected("timelinejs3/cosmo.json", "timelinejs", 7, "-13800000000", "-3500",
             "deep time at year precision; one span"),
    Expected("timelinejs3/cosmo-mixed.json", "timelinejs", 11, "-13800000000", "1990-04-25",
             "year, month (1609-11) and day precisions mixed"),
    Expected("timelinejs3/eras.json", "timelinejs", 20, "0602", "0698",
             "20 events; its 3 eras (out of order in the file) are periods, not events"),
    Expected("timelinejs3/example.json", "timelinejs", 28, "1932-02-27", "2011-03-23",
             "legacy TimelineJS 2; tags -> 3 themes; end 196002152034 before its start "
             "dropped with a note"),
    Expected("timelinejs3/welcome.json", "timelinejs", 17, "1851", "2013-10-01",
             '{"timeline": {"slides": [...]}} wrapper; no title slide'),
    Expected("timelinejs3/marktwain.json", "timelinejs", 17, "1900-01-06T06:45:56", "2014",
             "second precision from h/m/s strings; empty millisecond/format ignored"),
    Expected("timelinejs3/women_in_computing.json", "timelinejs", 10, "1815-12-10", "1985",
             'group "" everywhere -> no actors; 3 spans'),
    Expected("timelinejs3/timeline3.json", "timelinejs", 18, "1963-08-09", "2012-02-11", ""),
    Expected("timelinejs3/houston/timeline3.json", "timelinejs", 18, "1963-08-09",
             "2012-02-11", ""),
    Expected("timelinejs3/soundcite/timeline3.json", "timelinejs", 18, "1963-08-09",
             "2012-02-11", "SoundCite HTML kept raw"),
    Expected("timelinejs3/mediatypes/timeline3.json", "timelinejs", 29, "1901", "1926",
             "years only"),
    Expected("timelinejs3/republican/timeline3.json", "timelinejs", 13, "2012-01-03",
             "2012-03-06", ""),
    Expected("timelinejs3/shit-people-say/timeline3.json", "timelinejs", 20, "2011-12-16",
             "2012-01-27", ""),
    Expected("timelinejs3/user-interface/timeline3.json", "timelinejs", 22, "1600", "2012",
             "not in chronological order"),
    Expected("timelinejs3/my-own-timeline.csv", "timelinejs-csv", 10, "1815-12-10", "1985",
             "Google-Sheets template; title row; CRLF; multi-line cells"),
    Expected("timelinejs3/women_in_computing.csv", "timelinejs-csv", 10, "1815-12-10", "1985",
             "same data as the JSON"),
    Expected("timelinejs3/parser_test.csv", "", 0, "", "",
             "refused: not a timeline (no date column)"),
    Expected("thetimelineproject/versions.timeline", "timelineproject", 59,
             "2009-04-11T12:28:00", "2020-10-18T05:36:57",
             "3 categories -> coloured actors; all points (start == end)"),
    Expected("thetimelineproject/example.timeline", "timelineproject", 1,
             "2012-07-04T13:20:00", "2012-07-04T13:20:00", "v1.0.0, no <timetype>"),
    Expected("thetimelineproject/DataIndicatorTest.timeline", "timelineproject", 0, "", "",
             "refused: old Timeline 0.x text format (save it in Timeline 1.x or later first)"),
    Expected("vis-timeline/basic.json", "vis-timeline", 6, "2014-04-14", "2014-04-27",
             "one range, one point"),
    Expected("other/monarchs.json", "json-records", 12, "1565", "1820",
             "integer years; George IV start == end -> point; commonwealth kept in attributes"),
)  # fmt: skip

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def first_and_last(doc: Document) -> tuple[str, str]:
    start = doc.events["start"].to_numpy(np.int64)
    precision = doc.events["start_precision"].to_numpy(np.int8)
    lo, hi = int(np.argmin(start)), int(np.argmax(start))
    return (
        format_iso(int(start[lo]), Precision(int(precision[lo]))),
        format_iso(int(start[hi]), Precision(int(precision[hi]))),
    )


@needs_corpus
def test_table_covers_every_story_file() -> None:
    on_disk = {
        str(p.relative_to(CORPUS))
        for folder in ("timelinejs3", "thetimelineproject", "vis-timeline")
        for p in (CORPUS / folder).rglob("*")
        if p.is_file()
    } | {"other/monarchs.json"}
    assert on_disk == {row.file for row in TABLE}


@needs_corpus
@pytest.mark.parametrize("row", TABLE, ids=[row.file for row in TABLE])
def test_corpus_file(row: Expected) -> None:
    path = CORPUS / row.file
    if not row.format or row.events == 0:
        with pytest.raises(ReadError) as caught:
            read_any(path)
        message = str(caught.value)
        assert message.startswith(f"{path.name}: ")
        assert len(caught.value.reason) > 20  # says why
        if row.format:
            assert detect(path).name == row.format
            assert "old Timeline 0.x text format" in message
        else:
            assert detect_or_none(path) != "timelinejs-csv"
        return
    result = read_any(path)
    assert result.format == row.format
    assert len(result.document.events) == row.events
    assert first_and_last(result.document) == (row.first, row.last)
    assert result.skipped == []


def detect_or_none(path: Path) -> str | None:
    try:
        return detect(path).name
    except ReadError:
        return None


def corpus_doc(name: str) -> Document:
    return read_any(CORPUS / name).document


@needs_corpus
def test_corpus_details() -> None:
    media = corpus_doc("timelinejs3/all-media-types.json")
    assert sorted(media.actors["name"]) == ["Audio", "HTML", "Image", "Social Media", "Video"]
    assert len(media.links) == 28
    eras = corpus_doc("timelinejs3/eras.json")
    assert not [a for a in eras.events["attributes"] if a and a["timelinejs"].get("era")]
    assert list(eras.periods["label"]) == [
        "Era Test 650-700",
        "Era Test 600-650",
        "Era Test 700-720",
    ]
    assert (len(eras.periods), len(eras.events)) == (3, 20)
    legacy = read_any(CORPUS / "timelinejs3/example.json")
    assert sorted(legacy.document.themes["name"]) == ["Career", "Marriages", "Personal life"]
    assert legacy.document.title == "Elizabeth Taylor 1932-2011"
    assert any("timeline.date[16]" in note for note in legacy.notes)
    women = corpus_doc("timelinejs3/women_in_computing.json")
    assert len(women.actors) == 0
    assert int((women.events["end_precision"] != NO_END).sum()) == 3
    versions = corpus_doc("thetimelineproject/versions.timeline")
    assert dict(zip(versions.actors["name"], versions.actors["colour"], strict=True)) == {
        "Planned Release": "#80ff80",
        "Correction Release": "#ff80ff",
        "Future Release": "#80ffff",
    }
    assert bool((versions.events["end_precision"] == NO_END).all())
    monarchs = corpus_doc("other/monarchs.json")
    george = monarchs.events[monarchs.events["title"] == "George IV"]
    assert int(george["end_precision"].iat[0]) == NO_END
    assert set(monarchs.events["start_precision"]) == {Precision.YEAR}


def comparable(doc: Document) -> list[tuple[object, ...]]:
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    first_actor: dict[str, str] = {}
    for event_id, actor_id in zip(doc.links["event_id"], doc.links["actor_id"], strict=True):
        first_actor.setdefault(event_id, names[actor_id])
    ev = doc.events
    return [
        (
            ev["id"].iat[i],
            ev["title"].iat[i],
            ev["summary"].iat[i],
            int(ev["start"].iat[i]),
            int(ev["start_precision"].iat[i]),
            int(ev["end"].iat[i]),
            int(ev["end_precision"].iat[i]),
            first_actor.get(ev["id"].iat[i], ""),
        )
        for i in range(len(ev))
    ]


@needs_corpus
@pytest.mark.parametrize(
    "row", [r for r in TABLE if r.events], ids=[r.file for r in TABLE if r.events]
)
def test_corpus_round_trips(row: Expected, tmp_path: Path) -> None:
    """Every readable file survives native save/load exactly, and a TimelineJS save
    keeps what TimelineJS carries."""
    doc = read_any(CORPUS / row.file).document
    native = tmp_path / "doc.json"
    write_native(doc, native)
    assert read_native(native).equals(doc)
    story = tmp_path / "story.json"
    write_timelinejs(doc, story)
    back = get("timelinejs").read(story, ReadOptions()).document
    # Order may differ only by eras, which TimelineJS keeps in a list of their own.
    assert sorted(comparable(back), key=repr) == sorted(comparable(doc), key=repr)
    columns = ["id", "label", "start", "start_precision"]  # TimelineJS eras have no colour
    assert back.periods[columns].equals(doc.periods[columns])  # eras go back out as eras


def markdown() -> str:
    lines = [
        "| format | file | events read | first | last | notes |",
        "|---|---|---|---|---|---|",
    ]
    for row in TABLE:
        fmt = row.format or "(none)"
        events = str(row.events) if row.events else "ReadError"
        lines.append(
            f"| {fmt} | {row.file} | {events} | {row.first or '-'} | {row.last or '-'} "
            f"| {row.notes} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir())
    out = target / "formats_js.md" if target.is_dir() else target
    out.write_text(markdown(), encoding="utf-8")
    print(f"wrote {out}")
