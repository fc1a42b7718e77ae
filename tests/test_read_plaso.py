"""Plaso output formats: detection by content (psort writes .log files), dates, zones, lanes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories import attributes, lanes, skipped, starts, themes
from fuzzing import mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import Cancelled, ReadOptions, detect, get, read_any
from explorer.io.read_plaso import date_time_seconds, zone_offsets
from explorer.io.result import ImportResult
from explorer.model.dates import to_seconds


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, fmt: str, **options: object) -> ImportResult:
    return get(fmt).open(path, ReadOptions(**options))  # type: ignore[arg-type]


# --- fixtures (each with the quirks of plaso's own end-to-end outputs) ---------------------

DYNAMIC = (
    "datetime,timestamp_desc,source,source_long,message,parser,display_name,tag\n"
    "2012-01-22T08:52:33+01:00,Content Modification Time,LOG,Log File,"
    "[client  pid: 30840] INFO No new content in ímynd.dd.,text/syslog_traditional,"
    "OS:/tmp/syslog,-\n"
    "2012-07-22T09:52:33+02:00,Content Modification Time,LOG,Cron log,Cron ran: touch x,"
    "text/syslog_traditional,OS:/tmp/syslog,exit1 exit2\n"
    "2026-07-02T19:48:00.586325324+02:00,Last Access Time,FILE,File stat,"
    "OS:/tmp/syslog Type: file,filestat,-,repeated\n"
    "-,Creation Time,FILE,File stat,no date here,filestat,OS:/tmp/x,-\n"
    "2026-13-02T00:00:00+00:00,Creation Time,FILE,File stat,bad month,filestat,OS:/tmp/x,-\n"
)

L2TCSV = (
    "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,"
    "inode,notes,format,extra\n"
    "01/22/2012,08:52:33,CET,M...,LOG,Log File,Content Modification Time,-,myhost,short one,"
    "long one,2,OS:/tmp/syslog,-,-,text/syslog,sha256_hash: abc\n"
    "07/02/2026,19:48:00,CEST,.A..,FILE,File stat,Last Access Time,root,-,short two,-,2,"
    "OS:/tmp/syslog,351025,-,filestat,-\n"
    "03/29/2026,02:30:00,Europe/Amsterdam,M...,LOG,Log File,Written,-,myhost,gap,in the gap,2,"
    "x,-,-,f,-\n"
    "10/25/2026,02:30:00,Europe/Amsterdam,M...,LOG,Log File,Written,-,myhost,twice,"
    "happens twice,2,x,-,-,f,-\n"
    "01/01/2020,00:00:00,UTC,M...,LOG,Log File,Written,-,myhost,utc,utc row,2,x,-,-,f,-\n"
    "01/01/2020,00:00:00,Mars/Olympus,M...,LOG,Log File,Written,-,myhost,mars,unknown zone,2,"
    "x,-,-,f,-\n"
    "02/30/2020,00:00:00,UTC,M...,LOG,Log File,Written,-,myhost,bad,bad date,2,x,-,-,f,-\n"
    "06/15/2020,12:00:00,+05:30,M...,LOG,Log File,Written,-,myhost,fixed,fixed offset,2,"
    "x,-,-,f,-\n"
)

TLN_ROWS = (
    "1327218753|LOG|myhostname.myhost.com|-|2012-01-22T07:52:33+00:00; Content Modification "
    "Time; [client, pid: 30840] INFO No change\n"
    "1327218781|LOG|myhostname.myhost.com|root|2012-01-22T07:53:01+00:00; Content Modification"
    " Time; Cron ran\n"
    "abc|LOG|h|-|bad time\n"
    '1783014480|FILE|-|-|free "text" description\n'
    "1|A|B|C|D|E\n"
)
TLN = "Time|Source|Host|User|Description\n" + TLN_ROWS
L2TTLN = (
    "Time|Source|Host|User|Description|TZ|Notes\n"
    "1327218753|LOG|myhostname.myhost.com|-|2012-01-22T07:52:33+00:00; Content Modification "
    "Time; INFO No change|UTC|File: OS:/tmp/syslog\n"
    "1783014480|FILE|-|-|2026-07-02T17:48:00.586325324+00:00; Last Access Time; OS:/tmp/syslog"
    "|UTC|File: OS:/tmp/syslog inode: 351025\n"
)


def _plaso_event(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "__container_type__": "event",
        "__type__": "AttributeContainer",
        "data_type": "syslog:line",
        "display_name": "OS:/tmp/syslog",
        "parser": "text/syslog_traditional",
        "pathspec": {"__type__": "PathSpec", "location": "/tmp/syslog", "type_indicator": "OS"},
        "timestamp_desc": "Content Modification Time",
    }
    base.update(fields)
    return base


JSON_EVENTS = [
    _plaso_event(
        date_time={
            "__class_name__": "TimeElements",
            "__type__": "DateTimeValues",
            "time_elements_tuple": [2012, 1, 22, 7, 52, 33],
        },
        hostname="myhostname.myhost.com",
        message="first",
        timestamp=1327218753000000,
    ),
    _plaso_event(
        date_time={
            "__class_name__": "PosixTimeInNanoseconds",
            "__type__": "DateTimeValues",
            "timestamp": 1783014480586325324,
        },
        message="no timestamp: date_time used",
        tag={"__container_type__": "event_tag", "labels": ["exit1", "exit2"]},
        username="root",
    ),
    _plaso_event(
        date_time={
            "__class_name__": "TimeElements",
            "time_elements_tuple": [2020, 3, 11, 9, 39, 38],
            "time_zone_offset": 60,
        },
        hostname="victoria",
        message="local time with an offset",
    ),
    _plaso_event(message="no date at all"),
    _plaso_event(message="bool timestamp", timestamp=True),
]
JSONL = "\n".join(json.dumps(e) for e in JSON_EVENTS) + "\n"
JSON_OBJECT = (
    "{"
    + "\n, ".join(f'"event_{i}": {json.dumps(e)}' for i, e in enumerate(JSON_EVENTS))
    + '\n, "event_9": 5}\n'
)


# --- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DYNAMIC, "plaso-dynamic"),
        (L2TCSV, "l2tcsv"),
        (TLN, "tln"),
        (TLN_ROWS, "tln"),
        (L2TTLN, "l2ttln"),
        (L2TTLN.split("\n", 1)[1], "l2ttln"),
        (JSONL, "plaso-jsonl"),
        (JSON_OBJECT, "plaso-json"),
    ],
)
def test_detected_by_content_in_log_files(tmp_path: Path, text: str, expected: str) -> None:
    assert detect(write(tmp_path, "psort-output.log", text)).name == expected


def test_timesketch_csv_is_not_taken_for_plaso(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "evtx.csv",
        "computer_name,datetime,message,source_long,parser,timestamp,timestamp_desc\n"
        "WKS,2012-03-14T04:17:38Z,m,WinEVTX,winevtx,1331698658000000,Creation Time\n",
    )
    assert detect(path).name == "timesketch-csv"


# --- dynamic CSV ---------------------------------------------------------------------------


def test_dynamic_offsets_fractions_dashes_tags(tmp_path: Path) -> None:
    result = read(write(tmp_path, "dynamic.log", DYNAMIC), "plaso-dynamic")
    ev = result.document.events
    assert list(ev["id"]) == ["row-2", "row-3", "row-4"]
    assert starts(result) == ["2012-01-22T07:52:33", "2012-07-22T07:52:33", "2026-07-02T17:48:00"]
    assert ev["title"].iloc[0] == "[client  pid: 30840] INFO No new content in ímynd.dd."
    assert list(ev["summary"]) == ["Content Modification Time"] * 2 + ["Last Access Time"]
    assert skipped(result) == [("row 5", "datetime"), ("row 6", "datetime")]
    assert result.skipped[0].reason == "no date: datetime is empty"
    assert "month 13 is not 1-12" in result.skipped[1].reason
    assert themes(result) == {"row-3": ["exit1", "exit2"], "row-4": ["repeated"]}
    assert attributes(result, "row-4") == {
        "datetime": "2026-07-02T19:48:00.586325324+02:00",
        "source": "FILE",
        "source_long": "File stat",
        "parser": "filestat",
    }
    assert result.document.actors.empty
    assert any("--additional_fields hostname,username" in n for n in result.notes)
    assert any("sub-second" in n for n in result.notes)


# --- l2tcsv --------------------------------------------------------------------------------


def test_l2tcsv_dates_zones_and_set_aside_rows(tmp_path: Path) -> None:
    result = read(write(tmp_path, "l2tcsv.log", L2TCSV), "l2tcsv")
    ev = result.document.events
    assert list(ev["id"]) == ["row-2", "row-3", "row-5", "row-6", "row-9"]
    assert starts(result) == [
        "2012-01-22T07:52:33",  # CET, winter
        "2026-07-02T17:48:00",  # CEST
        "2026-10-25T00:30:00",  # happens twice in Amsterdam: read as summer time
        "2020-01-01T00:00:00",
        "2020-06-15T06:30:00",  # +05:30
    ]
    assert list(ev["title"])[:2] == ["long one", "short two"]  # desc, else short
    assert ev["summary"].iloc[0] == "Content Modification Time"
    assert skipped(result) == [("row 4", "timezone"), ("row 7", "timezone"), ("row 8", "date")]
    reasons = [row.reason for row in result.skipped]
    assert "does not exist in Europe/Amsterdam" in reasons[0]
    assert reasons[1] == "unknown time zone 'Mars/Olympus'"
    assert "is not a date" in reasons[2]
    assert lanes(result) == {
        "row-2": "myhost",
        "row-5": "myhost",
        "row-6": "myhost",
        "row-9": "myhost",
    }
    assert attributes(result, "row-3") == {
        "timezone": "CEST",
        "MACB": ".A..",
        "source": "FILE",
        "sourcetype": "File stat",
        "user": "root",
        "short": "short two",
        "version": "2",
        "filename": "OS:/tmp/syslog",
        "inode": "351025",
        "format": "filestat",
    }
    assert any("clocks go back" in n for n in result.notes)
    assert any("converted to UTC" in n and "CEST" in n for n in result.notes)


def test_zone_offsets() -> None:
    local = np.array([to_seconds(2020, 1, 15, 12), to_seconds(2020, 7, 15, 12)], dtype=np.int64)
    utc, ok, ambiguous, _ = zone_offsets("CET", local)  # a zoneinfo key with summer time
    assert ok.all()
    assert ambiguous == 0
    assert list(local - utc) == [3600, 7200]
    utc, ok, _, _ = zone_offsets("CEST", local)  # an abbreviation: a fixed offset
    assert list(local - utc) == [7200, 7200]
    utc, ok, _, _ = zone_offsets("UTC-03:00", local)
    assert list(utc - local) == [10800, 10800]
    _, ok, _, how = zone_offsets("../../etc/passwd", local)
    assert not ok.any()
    assert how == ""


# --- TLN and L2TTLN ------------------------------------------------------------------------


def test_tln_with_header(tmp_path: Path) -> None:
    result = read(write(tmp_path, "tln.log", TLN), "tln")
    ev = result.document.events
    assert list(ev["id"]) == ["line-2", "line-3", "line-5"]
    assert starts(result) == ["2012-01-22T07:52:33", "2012-01-22T07:53:01", "2026-07-02T17:48:00"]
    assert list(ev["title"]) == [
        "[client, pid: 30840] INFO No change",
        "Cron ran",
        'free "text" description',
    ]
    assert list(ev["summary"]) == ["Content Modification Time"] * 2 + [""]
    assert skipped(result) == [("line 6", ""), ("line 4", "Time")]
    assert "'abc' is not an epoch number" in result.skipped[1].reason
    assert lanes(result) == {"line-2": "myhostname.myhost.com", "line-3": "myhostname.myhost.com"}
    assert attributes(result, "line-2") == {
        "Time": "1327218753",
        "Source": "LOG",
        "Host": "myhostname.myhost.com",
        "datetime": "2012-01-22T07:52:33+00:00",
    }


def test_tln_without_header(tmp_path: Path) -> None:
    result = read(write(tmp_path, "regripper.txt", TLN_ROWS), "tln")
    assert list(result.document.events["id"]) == ["line-1", "line-2", "line-4"]
    assert skipped(result) == [("line 5", ""), ("line 3", "Time")]


def test_l2ttln(tmp_path: Path) -> None:
    result = read(write(tmp_path, "l2ttln.log", L2TTLN), "l2ttln")
    assert starts(result) == ["2012-01-22T07:52:33", "2026-07-02T17:48:00"]
    assert attributes(result, "line-3") == {
        "Time": "1783014480",
        "Source": "FILE",
        "TZ": "UTC",
        "Notes": "File: OS:/tmp/syslog inode: 351025",
        "datetime": "2026-07-02T17:48:00.586325324+00:00",
    }
    with pytest.raises(ReadError, match="first line has 5 fields"):
        read(write(tmp_path, "not7.txt", TLN_ROWS), "l2ttln")


# --- JSON lines and JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "ids", "where"),
    [
        ("plaso-jsonl", JSONL, ["line-1", "line-2", "line-3"], ["line 4", "line 5"]),
        (
            "plaso-json",
            JSON_OBJECT,
            ["event_0", "event_1", "event_2"],
            ['event "event_3"', 'event "event_4"', 'event "event_9"'],
        ),
    ],
)
def test_plaso_json_forms(
    tmp_path: Path, fmt: str, text: str, ids: list[str], where: list[str]
) -> None:
    result = read(write(tmp_path, "out.log", text), fmt)
    ev = result.document.events
    assert list(ev["id"]) == ids
    assert starts(result) == ["2012-01-22T07:52:33", "2026-07-02T17:48:00", "2020-03-11T08:39:38"]
    assert list(ev["title"]) == [
        "first",
        "no timestamp: date_time used",
        "local time with an offset",
    ]
    assert [row.where for row in result.skipped] == where
    assert lanes(result) == {ids[0]: "myhostname.myhost.com", ids[2]: "victoria"}
    assert themes(result) == {ids[1]: ["exit1", "exit2"]}
    first = attributes(result, ids[0]) or {}
    assert first["pathspec"] == {
        "__type__": "PathSpec",
        "location": "/tmp/syslog",
        "type_indicator": "OS",
    }
    assert "__container_type__" not in first
    assert "date_time" not in first
    assert first["hostname"] == "myhostname.myhost.com"


def test_date_time_objects() -> None:
    assert date_time_seconds({"__class_name__": "PosixTime", "timestamp": 1327218753}) == 1327218753
    filetime = {"__class_name__": "Filetime", "timestamp": 129_716_928_530_000_000}
    assert date_time_seconds(filetime) == 1327219253
    assert (
        date_time_seconds(
            {"__class_name__": "TimeElements", "time_elements_tuple": [2020, 2, 30, 0, 0, 0]}
        )
        is None
    )
    assert date_time_seconds({"__class_name__": "Semantic", "string": "Not set"}) is None
    assert date_time_seconds("2020") is None


def test_plaso_json_that_is_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="JSON list"):
        read(write(tmp_path, "list.json", "[1, 2]"), "plaso-json")
    with pytest.raises(ReadError, match="not JSON"):
        read(write(tmp_path, "broken.json", '{"event_0": {'), "plaso-json")


# --- cancel and fuzz ------------------------------------------------------------------------

FIXTURES = {
    "plaso-dynamic": DYNAMIC,
    "l2tcsv": L2TCSV,
    "tln": TLN,
    "l2ttln": L2TTLN,
    "plaso-jsonl": JSONL,
    "plaso-json": JSON_OBJECT,
}


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_cancel(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "x.log", FIXTURES[fmt])
    with pytest.raises(Cancelled):
        read(path, fmt, cancelled=lambda: True)


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_progress_ends_at_one(tmp_path: Path, fmt: str) -> None:
    seen: list[float] = []
    read(write(tmp_path, "x.log", FIXTURES[fmt]), fmt, progress=seen.append)
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_read_any_wraps_nothing(tmp_path: Path) -> None:
    """read_any turns reader bugs into ReadError; these readers must not need it."""
    for fmt, text in FIXTURES.items():
        result = read_any(write(tmp_path, f"{fmt}.log", text))
        assert result.format == fmt


_INSERTS = [b'"', b",", b"|", b"\n", b"{", b"[", b"\x00", b"\xff", b"9" * 25, b"-"]


def _mutated(base: bytes) -> st.SearchStrategy[bytes]:
    return mutated(base, _INSERTS)


_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _only_read_errors(path: Path, fmt: str, data: bytes) -> None:
    path.write_bytes(data)
    try:
        result = get(fmt).open(path, ReadOptions())
    except ReadError:
        return
    assert isinstance(result, ImportResult)


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_fuzz_binary(tmp_path: Path, fmt: str) -> None:
    @_FUZZ
    @given(data=st.binary(max_size=1500))
    def check(data: bytes) -> None:
        _only_read_errors(tmp_path / "fuzz.log", fmt, data)

    check()


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_fuzz_mutations(tmp_path: Path, fmt: str) -> None:
    @_FUZZ
    @given(data=_mutated(FIXTURES[fmt].encode()))
    def check(data: bytes) -> None:
        _only_read_errors(tmp_path / "fuzz.log", fmt, data)

    check()
