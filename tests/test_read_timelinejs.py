"""TimelineJS: JSON (v3, slides wrapper, legacy v2) and the spreadsheet CSV, the writer,
round trips, and fuzzing that holds both readers to ReadError."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from factories import event, make_document
from fuzzing import FUZZ, mutate, only_read_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, detect, get, read_any
from explorer.io.result import ImportResult
from explorer.io.write_timelinejs import to_timelinejs_json, write_timelinejs
from explorer.model.dates import (
    MAX_ABS_YEAR,
    Precision,
    floor_to,
    format_iso,
    to_seconds,
)
from explorer.model.document import NO_END, Document, end_value, start_value

# --- helpers ---------------------------------------------------------------------------


def plain_text(markup: str) -> str:
    get("timelinejs")  # load the whole registry before importing a reader module directly
    from explorer.io.kit.jsontext import plain_text as convert

    return convert(markup)


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def read(path: Path, fmt: str = "timelinejs") -> ImportResult:
    return get(fmt).read(path, ReadOptions())


def iso_start(doc: Document, row: int) -> str:
    return start_value(doc.events, row).iso()


def by_id(doc: Document, ident: str) -> int:
    return int(np.flatnonzero(doc.events["id"].to_numpy() == ident)[0])


def actor_names(doc: Document, ident: str) -> list[str]:
    links = doc.links[doc.links["event_id"] == ident]
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    return [names[a] for a in links["actor_id"]]


def theme_names(doc: Document, ident: str) -> list[str]:
    links = doc.event_themes[doc.event_themes["event_id"] == ident]
    names = dict(zip(doc.themes["id"], doc.themes["name"], strict=True))
    return [names[t] for t in links["theme_id"]]


def tjs_attrs(doc: Document, row: int) -> dict[str, Any]:
    attributes = doc.events["attributes"].iat[row]
    return dict(attributes.get("timelinejs", {})) if isinstance(attributes, dict) else {}


# --- TimelineJS 3 JSON ------------------------------------------------------------------

COSMOS: dict[str, Any] = {
    "title": {
        "text": {"headline": "A <b>Brief</b> History &amp; More", "text": "<p>Deep time</p>"},
        "media": {"url": "https://example.org/cmb.jpg"},
    },
    "events": [
        {
            "start_date": {"year": "-13800000000"},
            "text": {"headline": "The Big Bang", "text": "As far back as we can go"},
            "background": {"color": "#F45B69"},
            "group": "Cosmos",
        },
        {
            "start_date": {"year": "-538800000"},
            "end_date": {"year": "-251902000"},
            "text": {"headline": "Paleozoic era"},
            "group": "Life",
        },
        {
            "start_date": {"year": "1609", "month": "11", "day": ""},
            "text": {"headline": "Galileo's telescope", "text": "<a href='x'>link</a>"},
            "group": "",
        },
        {
            "start_date": {
                "year": "1920",
                "month": "01",
                "day": "05",
                "hour": "6",
                "minute": "45",
                "second": "56",
                "millisecond": "",
                "format": "",
                "display_date": "Jan 1920",
            },
            "end_date": {"year": "1923", "month": "", "day": ""},
            "text": {"headline": "Clock"},
            "unique_id": "clock",
            "type": "overview",
            "location": {"lat": 39.49, "lon": -91.79, "name": "Florida, Missouri"},
            "group": "Cosmos",
        },
        {
            "start_date": {"year": 1969, "month": 7, "day": 20},
            "text": {"headline": "Moon landing"},
            "media": {"url": "https://example.org/moon.jpg", "caption": "Eagle"},
        },
    ],
}


def test_tjs3_dates_at_their_precision_including_deep_time(tmp_path: Path) -> None:
    res = read(write_json(tmp_path / "cosmos.json", COSMOS))
    doc = res.document
    assert res.format == "timelinejs"
    assert len(doc.events) == 5
    assert res.skipped == []
    assert res.notes == []
    assert [iso_start(doc, i) for i in range(5)] == [
        "-13800000000",
        "-538800000",
        "1609-11",
        "1920-01-05T06:45:56",
        "1969-07-20",
    ]
    assert list(doc.events["start_precision"]) == [
        Precision.YEAR,
        Precision.YEAR,
        Precision.MONTH,
        Precision.SECOND,
        Precision.DAY,
    ]
    paleozoic = end_value(doc.events, 1)
    assert paleozoic is not None
    assert paleozoic.iso() == "-251902000"
    clock_end = end_value(doc.events, 3)
    assert clock_end is not None
    assert clock_end.iso() == "1923"
    assert doc.events["end_precision"].iat[0] == NO_END


def test_tjs3_title_text_html_and_ids(tmp_path: Path) -> None:
    doc = read(write_json(tmp_path / "cosmos.json", COSMOS)).document
    assert doc.title == "A Brief History & More"  # plain text for the window title
    assert doc.description == "<p>Deep time</p>"
    assert doc.events["title"].iat[0] == "The Big Bang"
    assert doc.events["summary"].iat[2] == "<a href='x'>link</a>"  # HTML kept raw
    assert plain_text(doc.events["summary"].iat[2]) == "link"
    assert doc.events["id"].iat[3] == "clock"
    assert len(set(doc.events["id"])) == 5


def test_tjs3_groups_become_actor_lanes(tmp_path: Path) -> None:
    doc = read(write_json(tmp_path / "cosmos.json", COSMOS)).document
    assert sorted(doc.actors["name"]) == ["Cosmos", "Life"]
    assert set(doc.actors["kind"]) == {"group"}
    ids = list(doc.events["id"])
    assert actor_names(doc, ids[0]) == ["Cosmos"]
    assert actor_names(doc, ids[2]) == []  # empty group: no actor
    assert actor_names(doc, ids[4]) == []  # no group at all


def test_tjs3_keeps_what_only_timelinejs_uses(tmp_path: Path) -> None:
    doc = read(write_json(tmp_path / "cosmos.json", COSMOS)).document
    assert tjs_attrs(doc, 0) == {"background": {"color": "#F45B69"}}
    clock = tjs_attrs(doc, 3)
    assert clock["type"] == "overview"
    assert clock["location"]["name"] == "Florida, Missouri"
    assert clock["start_date"] == {"display_date": "Jan 1920"}  # empty keys dropped
    assert tjs_attrs(doc, 4)["media"] == {"url": "https://example.org/moon.jpg", "caption": "Eagle"}


def test_plain_text() -> None:
    assert plain_text("<p>One</p><p>Two &amp; <b>three</b></p>") == "One\nTwo & three"
    assert plain_text("a<br/>b<script>x()</script>") == "a\nb"
    assert plain_text("  no  markup ") == "no  markup"
    assert plain_text("Spärck&nbsp;Jones") == "Spärck Jones"


def test_eras_become_periods_not_events(tmp_path: Path) -> None:
    data = {
        "title": {"text": {"headline": "Eras Test"}},
        "eras": [
            {"start_date": {"year": "650"}, "end_date": {"year": "700"},
             "text": {"headline": "Era 650-700"}},
            {"start_date": {"year": "600"}, "end_date": {"year": "650"},
             "text": {"headline": "Era 600-650"}},
            {"start_date": {"year": "700"}, "end_date": {"year": "720"},
             "text": {"headline": "Era 700-720"}},
        ],
        "events": [
            {"start_date": {"year": "622", "month": "08", "day": "09"},
             "end_date": {"year": "622", "month": "08", "day": "23"},
             "text": {"headline": "Hijra"}, "group": "Arabia"},
        ],
    }  # fmt: skip
    doc = read(write_json(tmp_path / "eras.json", data)).document
    assert list(doc.events["title"]) == ["Hijra"]  # eras are not events
    assert doc.links["event_id"].tolist() == [doc.events["id"].iat[0]]
    periods = doc.periods
    assert list(periods["label"]) == ["Era 650-700", "Era 600-650", "Era 700-720"]
    assert [format_iso(int(s), Precision(int(p))) for s, p in
            zip(periods["start"], periods["start_precision"], strict=True)] == [
        "0650", "0600", "0700"]  # fmt: skip
    assert set(periods["end_precision"]) == {Precision.YEAR}
    assert iso_start(doc, 0) == "0622-08-09"
    # An eras-only story opens: no events, three periods.
    only = read(write_json(tmp_path / "only.json", {"eras": data["eras"]})).document
    assert (len(only.events), len(only.periods)) == (0, 3)


def test_slides_wrapper_with_title_slide(tmp_path: Path) -> None:
    data = {
        "timeline": {
            "slides": [
                {"type": "title", "text": {"headline": "Welcome", "text": "<p>intro</p>"}},
                {"start_date": {"year": "1888"}, "text": {"headline": "One", "text": ""}},
                {"start_date": {"month": "10", "day": "01", "year": "2013"},
                 "text": {"headline": "Two", "text": "<p>HTML</p>"}},
                {"text": {"headline": "No date"}},
            ]
        }
    }  # fmt: skip
    res = read(write_json(tmp_path / "welcome.json", data))
    doc = res.document
    assert doc.title == "Welcome"
    assert len(doc.events) == 2
    assert [iso_start(doc, i) for i in range(2)] == ["1888", "2013-10-01"]
    assert [(s.where, s.field) for s in res.skipped] == [("timeline.slides[3]", "start_date")]
    assert "no start date" in res.skipped[0].reason


def test_slide_without_date_is_the_title_when_first(tmp_path: Path) -> None:
    data = {"timeline": {"slides": [
        {"text": {"headline": "Untyped title"}},
        {"start_date": {"year": "2001"}, "text": {"headline": "A"}},
    ]}}  # fmt: skip
    doc = read(write_json(tmp_path / "s.json", data)).document
    assert doc.title == "Untyped title"
    assert len(doc.events) == 1


LEGACY: dict[str, Any] = {
    "timeline": {
        "headline": "Elizabeth Taylor<br/> 1932-2011",
        "type": "default",
        "text": "<p>The actress</p>",
        "startDate": "1932",
        "date": [
            {"startDate": "2011,3,23", "headline": "Dies in Los Angeles",
             "asset": {"media": "final.jpg", "credit": "", "caption": "Cedars-Sinai"},
             "tags": "Personal life"},
            {"startDate": "1985", "endDate": "2011,2,16", "headline": "AIDS Activism",
             "tags": "Personal life, Career"},
            {"startDate": "1961,1,1", "endDate": "196002152034",
             "headline": "Stars in 'Butterfield 8'", "tag": "Career"},
            {"startDate": "1/15/1950", "headline": "Slashes", "text": "month/day/year"},
            {"startDate": "1932,2,27,10,30", "headline": "Born in London"},
            {"startDate": "", "headline": "Undated"},
            {"startDate": "2011,13,1", "headline": "Bad month"},
        ],
    }
}  # fmt: skip


def test_legacy_timelinejs2(tmp_path: Path) -> None:
    res = read(write_json(tmp_path / "example.json", LEGACY))
    doc = res.document
    assert doc.title == "Elizabeth Taylor 1932-2011"
    assert doc.description == "<p>The actress</p>"
    assert len(doc.events) == 5
    assert [iso_start(doc, i) for i in range(5)] == [
        "2011-03-23",
        "1985",
        "1961-01-01",
        "1950-01-15",
        "1932-02-27T10:30",
    ]
    activism = end_value(doc.events, 1)
    assert activism is not None
    assert activism.iso() == "2011-02-16"
    ids = list(doc.events["id"])
    assert theme_names(doc, ids[1]) == ["Personal life", "Career"]
    assert theme_names(doc, ids[2]) == ["Career"]
    assert sorted(doc.themes["name"]) == ["Career", "Personal life"]
    assert tjs_attrs(doc, 0)["media"] == {"url": "final.jpg", "caption": "Cedars-Sinai"}
    # "196002152034" is 1960-02-15 20:34, before the start: dropped with a note.
    assert doc.events["end_precision"].iat[2] == NO_END
    assert any("timeline.date[2]" in n and "before their start" in n for n in res.notes)
    skipped = {s.where: s for s in res.skipped}
    assert set(skipped) == {"timeline.date[5]", "timeline.date[6]"}
    assert skipped["timeline.date[5]"].field == "startDate"
    assert "month 13" in skipped["timeline.date[6]"].reason


def test_unreadable_end_is_dropped_with_a_note(tmp_path: Path) -> None:
    data = {"events": [
        {"start_date": {"year": "2000"}, "end_date": {"year": "2001", "month": "x"},
         "text": {"headline": "A"}},
    ]}  # fmt: skip
    res = read(write_json(tmp_path / "e.json", data))
    assert len(res.document.events) == 1
    assert res.document.events["end_precision"].iat[0] == NO_END
    assert any("events[0]" in n and "end_date.month" in n for n in res.notes)


def test_bad_records_are_set_aside_with_reasons(tmp_path: Path) -> None:
    data = {"events": [
        {"start_date": {"year": "2000"}, "text": {"headline": "fine"}},
        {"text": {"headline": "no start"}},
        {"start_date": {"year": "2001", "day": "5"}, "text": {"headline": "gap"}},
        {"start_date": {"year": "2001", "month": "2", "day": "30"}},
        {"start_date": {"year": "abc"}},
        {"start_date": {"year": ""}},
        "not an object",
        {"start_date": {"year": True}},
    ]}  # fmt: skip
    res = read(write_json(tmp_path / "bad.json", data))
    assert len(res.document.events) == 1
    reasons = {s.where: (s.field, s.reason) for s in res.skipped}
    assert reasons["events[1]"] == ("start_date", "has no start date")
    assert reasons["events[2]"] == ("start_date", "gives day but not month")
    assert reasons["events[3]"][1] == "day 30 does not exist in February 2001"
    assert reasons["events[4]"] == (
        "start_date.year",
        "start_date.year 'abc' is not a whole number",
    )
    assert reasons["events[5]"] == ("start_date", "has no year")
    assert reasons["events[6]"][1] == "must be an object, not str"
    assert "not true" in reasons["events[7]"][1]
    assert res.skipped_total == 7


def test_nothing_readable_is_an_error_naming_the_first_fault(tmp_path: Path) -> None:
    path = write_json(tmp_path / "none.json", {"events": [{"text": {"headline": "x"}}]})
    with pytest.raises(ReadError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith("none.json: events[0]")
    assert "no events with a usable start date could be read" in message
    empty = write_json(tmp_path / "empty.json", {"events": []})
    with pytest.raises(ReadError, match="has no events"):
        read(empty)


def test_not_timelinejs_and_not_json(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not a TimelineJS story"):
        read(write_json(tmp_path / "other.json", {"rows": []}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"events": [\n  {"start_date": }\n]}', encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        read(broken)
    assert caught.value.where == "line 2, column 18"
    with pytest.raises(ReadError, match="must be a list"):
        read(write_json(tmp_path / "x.json", {"events": {"a": 1}}))


def test_duplicate_and_missing_unique_ids_stay_unique(tmp_path: Path) -> None:
    data = {"events": [
        {"start_date": {"year": "2000"}, "unique_id": "e2"},
        {"start_date": {"year": "2001"}, "unique_id": "x"},
        {"start_date": {"year": "2002"}, "unique_id": "x"},
        {"start_date": {"year": "2003"}},
    ]}  # fmt: skip
    ids = list(read(write_json(tmp_path / "ids.json", data)).document.events["id"])
    assert ids[:3] == ["e2", "x", "x-2"]
    assert len(set(ids)) == 4


def test_detection_by_content(tmp_path: Path) -> None:
    assert detect(write_json(tmp_path / "a.json", COSMOS)).name == "timelinejs"
    assert detect(write_json(tmp_path / "b.json", LEGACY)).name == "timelinejs"
    slides = {"timeline": {"slides": [{"start_date": {"year": "1"}}]}}
    assert detect(write_json(tmp_path / "c.json", slides)).name == "timelinejs"
    assert read_any(tmp_path / "a.json").format == "timelinejs"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.json"
    path.write_bytes(json.dumps(COSMOS, ensure_ascii=False).encode("utf-16"))
    assert detect(path).name == "timelinejs"
    assert len(read(path).document.events) == 5


# --- TimelineJS spreadsheet CSV ---------------------------------------------------------------

HEADER = (
    "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
    "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background"
)
SHEET_ROWS = [
    ',,,,,,,,,MY OWN CSV,"<p class=""lead"">In this sample timeline</p>",,,,,title,,'
    "https://example.org/eniac.gif",
    '1815,12,10,,1852,11,27,,,Ada Lovelace,"<p>Women have been programming</p>",'
    "https://example.org/ada.jpg,Wikimedia Commons,Portrait,,,People,",
    '1943,7,,,1946,,,,,...And the women who made it work,"<p>The ENIAC programmers.\r\n'
    '.</span>",https://youtu.be/x,,Jean Bartik,,,People,https://example.org/bg.png',
    "1951,,,,,,,,,Rózsa Péter writes recursion,,,,,,,Machines,#ffcc00",
    "1952,3,4,11:30,,,,,the 1950s,Compiler,,,,,,,Machines,",
    "1952,3,5,10:30 PM,1952,3,5,11 PM,,Night shift,,,,,,,,",
    "1940,,,,1960,,,,,Early computing,,,,,,era,,",
    "1960,13,,,,,,,,Bad month,,,,,,,,",
    ",,,,,,,,,No year,,,,,,,,",
    ",,,,,,,,,,,,,,,,,",
    "1970,1,1,25:00,,,,,,Bad time,,,,,,,,",
    "1980,,,,1975,,,,,Ends before start,,,,,,,,",
    "1985,1,2,3:15,,,,,,Time ok,,,,,,overview,,,",
]


def write_sheet(path: Path, rows: list[str] | None = None) -> Path:
    text = "\r\n".join([HEADER, *(SHEET_ROWS if rows is None else rows)]) + "\r\n"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_sheet_reads_dates_times_and_title(tmp_path: Path) -> None:
    res = read(write_sheet(tmp_path / "my-own-timeline.csv"), "timelinejs-csv")
    doc = res.document
    assert res.format == "timelinejs-csv"
    assert doc.title == "MY OWN CSV"
    assert doc.description == '<p class="lead">In this sample timeline</p>'
    assert list(doc.events["title"]) == [
        "Ada Lovelace",
        "...And the women who made it work",
        "Rózsa Péter writes recursion",
        "Compiler",
        "Night shift",
        "Ends before start",
        "Time ok",
    ]
    assert [iso_start(doc, i) for i in range(len(doc.events))] == [
        "1815-12-10",
        "1943-07",
        "1951",
        "1952-03-04T11:30",
        "1952-03-05T22:30",
        "1980",
        "1985-01-02T03:15",
    ]
    ends = [end_value(doc.events, i) for i in range(len(doc.events))]
    assert [e.iso() if e else None for e in ends] == [
        "1852-11-27",
        "1946",
        None,
        None,
        "1952-03-05T23",
        None,
        None,
    ]
    # The "era" row is a period, with its dates at their precision.
    assert list(doc.periods["label"]) == ["Early computing"]
    assert doc.periods["start_precision"].iat[0] == Precision.YEAR
    assert format_iso(int(doc.periods["end"].iat[0]), Precision.YEAR) == "1960"
    # The multi-line cell keeps its line break, as "\n".
    assert doc.events["summary"].iat[1] == "<p>The ENIAC programmers.\n.</span>"


def test_sheet_groups_eras_and_extras(tmp_path: Path) -> None:
    doc = read(write_sheet(tmp_path / "s.csv"), "timelinejs-csv").document
    assert sorted(doc.actors["name"]) == ["Machines", "People"]
    ids = list(doc.events["id"])
    assert actor_names(doc, ids[0]) == ["People"]
    assert actor_names(doc, ids[4]) == []
    assert "Early computing" not in set(doc.events["title"])  # an era row is a period
    assert list(doc.periods["label"]) == ["Early computing"]
    assert tjs_attrs(doc, 0)["media"] == {
        "url": "https://example.org/ada.jpg",
        "credit": "Wikimedia Commons",
        "caption": "Portrait",
    }
    assert tjs_attrs(doc, 1)["background"] == {"url": "https://example.org/bg.png"}
    assert tjs_attrs(doc, 2)["background"] == {"color": "#ffcc00"}
    assert tjs_attrs(doc, 3)["display_date"] == "the 1950s"
    assert tjs_attrs(doc, 6)["type"] == "overview"


def test_sheet_sets_aside_bad_rows(tmp_path: Path) -> None:
    res = read(write_sheet(tmp_path / "s.csv"), "timelinejs-csv")
    skipped = {s.where: (s.field, s.reason) for s in res.skipped}
    # Rows count as in a spreadsheet: the header is row 1 (the multi-line cell is one row).
    assert skipped == {
        "row 9": ("Month", "month 13 is not 1-12"),
        "row 10": ("Year", "has no start year"),
        "row 12": ("Time", "'25:00' is not a time"),
    }
    assert any("row 13" in n and "before their start" in n for n in res.notes)


def test_sheet_detection_and_a_csv_that_is_not_a_sheet(tmp_path: Path) -> None:
    assert detect(write_sheet(tmp_path / "s.csv")).name == "timelinejs-csv"
    other = tmp_path / "parser_test.csv"
    other.write_bytes(b'title,count,description\r\na good day,5,"commas, ""quoted""\nlines"\r\n')
    assert get("timelinejs-csv").sniff(other.read_bytes(), other) == 0
    with pytest.raises(ReadError) as caught:
        read(other, "timelinejs-csv")
    assert "parser_test.csv" in str(caught.value)
    assert '"Year"' in str(caught.value)


def test_sheet_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="is empty"):
        read(empty, "timelinejs-csv")
    only_title = write_sheet(tmp_path / "t.csv", [SHEET_ROWS[0]])
    with pytest.raises(ReadError, match="has no events"):
        read(only_title, "timelinejs-csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "\r\n1951,,,,,,,,,Rózsa\r\n").encode("latin-1"))
    with pytest.raises(ReadError, match="not UTF-8"):
        read(latin1, "timelinejs-csv")
    wide = write_sheet(tmp_path / "w.csv", ["1951,,,,,,,,,A,,,,,,,,,extra", "1952,,,,,,,,,B"])
    result = read(wide, "timelinejs-csv")
    assert list(result.document.events["title"]) == ["B"]
    assert result.skipped[0].where == "row 2"
    assert "19 cells" in result.skipped[0].reason


# --- writer and round trips -------------------------------------------------------------


def rich_document() -> Document:
    return make_document(
        [
            event("big-bang", "-13800000000", summary="<p>first</p>", actors=["cosmos"]),
            event(
                "span",
                "2025-03",
                end="2026-06-24T10:30",
                actors=[{"actor": "anthropic", "role": "accuser"}, "cosmos"],
                themes=["t1", "t2"],
                status="alleged",
            ),
            event("moment", "2026-06-24T10:30:15", actors=["anthropic"]),
            event("bare", "0005", end="0005-02"),
        ],
        actors=[
            {"id": "cosmos", "name": "The Cosmos"},
            {"id": "anthropic", "name": "Anthropic", "kind": "company"},
        ],
        themes=[{"id": "t1", "name": "Identity"}, {"id": "t2", "name": "Access"}],
        title="Story & <more>",
        description="About it",
    )


def comparable(doc: Document) -> list[tuple[Any, ...]]:
    ev = doc.events
    return [
        (
            ev["id"].iat[i],
            ev["title"].iat[i],
            ev["summary"].iat[i],
            int(ev["start"].iat[i]),
            int(ev["start_precision"].iat[i]),
            int(ev["end"].iat[i]) if ev["end_precision"].iat[i] != NO_END else None,
            int(ev["end_precision"].iat[i]),
            actor_names(doc, ev["id"].iat[i])[:1],
            theme_names(doc, ev["id"].iat[i]),
        )
        for i in range(len(ev))
    ]


def test_native_to_timelinejs_to_native_keeps_what_timelinejs_carries(tmp_path: Path) -> None:
    doc = rich_document()
    path = tmp_path / "story.json"
    write_timelinejs(doc, path)
    back = read_any(path).document
    assert back.title == doc.title
    assert back.description == doc.description
    assert comparable(back) == comparable(doc)
    assert actor_names(back, "span") == ["Anthropic"]  # first actor as the group


def test_writer_output_shape() -> None:
    story = to_timelinejs_json(rich_document())
    assert story["title"]["text"]["headline"] == "Story &amp; &lt;more&gt;"
    span = story["events"][1]
    assert span["start_date"] == {"year": 2025, "month": 3}
    assert span["end_date"] == {
        "year": 2026,
        "month": 6,
        "day": 24,
        "hour": 10,
        "minute": 30,
    }
    assert span["group"] == "Anthropic"
    assert span["tags"] == ["Identity", "Access"]
    assert span["unique_id"] == "span"
    assert story["events"][0]["start_date"] == {"year": -13800000000}
    assert "group" not in story["events"][3]
    assert "eras" not in story


def test_timelinejs_to_native_to_timelinejs_restores_extras(tmp_path: Path) -> None:
    source = write_json(tmp_path / "cosmos.json", COSMOS)
    doc = read(source).document
    story = to_timelinejs_json(doc)
    clock = story["events"][3]
    assert clock["start_date"] == {
        "display_date": "Jan 1920",
        "year": 1920,
        "month": 1,
        "day": 5,
        "hour": 6,
        "minute": 45,
        "second": 56,
    }
    assert clock["type"] == "overview"
    assert clock["location"] == COSMOS["events"][3]["location"]
    assert story["events"][4]["media"] == COSMOS["events"][4]["media"]
    again = tmp_path / "again.json"
    write_timelinejs(doc, again)
    assert comparable(read(again).document) == comparable(doc)


def test_eras_round_trip(tmp_path: Path) -> None:
    data = {"events": [{"start_date": {"year": "622"}}],
            "eras": [{"start_date": {"year": "600"}, "end_date": {"year": "650"},
                      "text": {"headline": "Era"}}]}  # fmt: skip
    doc = read(write_json(tmp_path / "e.json", data)).document
    story = to_timelinejs_json(doc)
    assert len(story["events"]) == 1
    assert story["eras"][0]["start_date"] == {"year": 600}
    assert story["eras"][0]["end_date"] == {"year": 650}
    assert "era" not in story["eras"][0]
    out = tmp_path / "out.json"
    write_timelinejs(doc, out)
    assert comparable(read(out).document) == comparable(doc)


def test_write_is_atomic_and_utf8(tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_text("old", encoding="utf-8")
    write_timelinejs(make_document([event("e1", "2020", title="Ålibaba 日本")]), path)
    assert json.loads(path.read_text(encoding="utf-8"))["events"][0]["text"]["headline"] == (
        "Ålibaba 日本"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["story.json"]


FIRST_SECOND = to_seconds(-MAX_ABS_YEAR)
LAST_SECOND = to_seconds(MAX_ABS_YEAR, 12, 31, 23, 59, 59)


@st.composite
def dated(draw: st.DrawFn) -> tuple[int, Precision]:
    precision = draw(st.sampled_from(list(Precision)))
    near = draw(st.booleans())
    low, high = (to_seconds(-3000), to_seconds(3000)) if near else (FIRST_SECOND, LAST_SECOND)
    return floor_to(draw(st.integers(low, high)), precision), precision


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(dated(), st.none() | dated()), min_size=1, max_size=6))
def test_dates_round_trip_at_any_precision(
    spans: list[tuple[tuple[int, Precision], tuple[int, Precision] | None]],
) -> None:
    records = []
    for i, ((start, start_prec), end) in enumerate(spans):
        record = event(f"e{i}", format_iso(start, start_prec))
        if end is not None and end[0] >= start:
            record["end"] = format_iso(end[0], end[1])
        records.append(record)
    doc = make_document(records)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "story.json"
        write_timelinejs(doc, path)
        back = read(path).document
    assert comparable(back) == comparable(doc)


# --- fuzzing: only ReadError, ever ---------------------------------------------------------


JS_MUTATIONS: dict[str, Any] = {
    "tokens": [b'"', b"null", b"-13800000000", b'""', b"{}", b"[]"],
    "flip": b'{}[]",:0-9e \\\n\r\x00\xff',
}
LEGACY_BYTES = json.dumps(LEGACY).encode()
COSMOS_BYTES = json.dumps(COSMOS).encode()
SHEET_BYTES = ("\r\n".join([HEADER, *SHEET_ROWS]) + "\r\n").encode()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", "05", "-13800000000", "2011,3,23", "196002152034", "1/2/3"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
date_objects = st.dictionaries(
    st.sampled_from(["year", "month", "day", "hour", "minute", "second", "millisecond"]),
    json_values,
    max_size=7,
)


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_binary(data: bytes) -> None:
    only_read_errors("timelinejs", data, "f.json")
    only_read_errors("timelinejs-csv", data, "f.csv")


@FUZZ
@given(st.randoms(use_true_random=False), st.integers(1, 8))
def test_fuzz_mutated_fixtures(rng: random.Random, count: int) -> None:
    only_read_errors("timelinejs", mutate(COSMOS_BYTES, rng, count, **JS_MUTATIONS), "cosmos.json")
    only_read_errors("timelinejs", mutate(LEGACY_BYTES, rng, count, **JS_MUTATIONS), "legacy.json")
    only_read_errors("timelinejs-csv", mutate(SHEET_BYTES, rng, count, **JS_MUTATIONS), "sheet.csv")


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["start_date", "end_date", "text", "group", "unique_id", "tags", "media", "type"]
            ),
            date_objects | json_values,
            max_size=8,
        ),
        max_size=4,
    ),
    json_values,
    st.sampled_from(["events", "slides", "eras", "legacy"]),
)
def test_fuzz_structured_json(records: list[dict[str, Any]], title: Any, shape: str) -> None:
    story: Any
    if shape == "legacy":
        legacy = [
            {{"start_date": "startDate", "end_date": "endDate"}.get(k, k): v for k, v in r.items()}
            for r in records
        ]
        story = {"timeline": {"headline": title, "date": legacy}}
    elif shape == "slides":
        story = {"timeline": {"slides": records}}
    else:
        story = {"title": title, shape: records}
    only_read_errors("timelinejs", json.dumps(story).encode(), "s.json")
