"""Timesketch CSV and JSONL: Timesketch's own rules, every quirk of its test files, speed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import attributes, lanes, skipped, starts, themes
from fuzzing import mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import Cancelled, ReadOptions, detect, get
from explorer.io.merging import merge
from explorer.io.native import document_from_json, document_to_json
from explorer.io.read_timesketch import (
    READ_SHARE,
    ColumnAttributes,
    iso_dates,
    tag_list,
)
from explorer.io.result import ImportResult
from explorer.io.sample_files import TIMESKETCH_COLUMNS, generate_timesketch_csv
from explorer.model.dates import Precision, to_seconds

# --- helpers ------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, fmt: str = "timesketch-csv", **options: object) -> ImportResult:
    return get(fmt).open(path, ReadOptions(**options))  # type: ignore[arg-type]


def first_last(result: ImportResult) -> tuple[str, str]:
    ev = result.document.events
    order = np.argsort(ev["start"].to_numpy(), kind="stable")
    values = starts(result)
    return values[order[0]], values[order[-1]]


def epoch_iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


# --- Timesketch CSV ----------------------------------------------------------------------

BASIC = (
    "message,datetime,timestamp,timestamp_desc,computer_name,user_sid,tag,label,xml_string,"
    "__ts_timeline_id,extra\n"
    '"Service stopped",2012-03-14 04:17:38.276340+00:00,1331698658276340,Content Modification '
    "Time,WKS-1.corp,,[],['__ts_star'],\"<Event>\n  <System/>\n</Event>\",35,x\n"
    "Logon,2012-03-14T05:00:00+01:00,0,Event Logged,WKS-2.corp,S-1-5-18,\"['case-7', 'lateral']\""
    ",[],,35,\n"
    '"Quote ""inside"", comma",2012-03-15T00:00:00Z,,Write time,,S-1-5-18,"[""json-tag""]",,,35,y\n'
)


def test_basic_csv_titles_dates_lanes_themes_attributes(tmp_path: Path) -> None:
    result = read(write(tmp_path, "basic.csv", BASIC))
    ev = result.document.events
    assert result.format == "timesketch-csv"
    assert list(ev["id"]) == ["row-2", "row-3", "row-4"]  # the XML cell spans three lines
    assert list(ev["title"]) == ["Service stopped", "Logon", 'Quote "inside", comma']
    assert list(ev["summary"]) == ["Content Modification Time", "Event Logged", "Write time"]
    assert starts(result) == ["2012-03-14T04:17:38", "2012-03-14T04:00:00", "2012-03-15T00:00:00"]
    assert lanes(result) == {"row-2": "WKS-1.corp", "row-3": "WKS-2.corp"}
    assert set(result.document.actors["kind"]) == {"host"}
    assert themes(result) == {
        "row-2": ["starred"],
        "row-3": ["case-7", "lateral"],
        "row-4": ["json-tag"],
    }
    assert attributes(result, "row-2") == {
        "datetime": "2012-03-14 04:17:38.276340+00:00",
        "timestamp": "1331698658276340",
        "computer_name": "WKS-1.corp",
        "xml_string": "<Event>\n  <System/>\n</Event>",
        "extra": "x",
    }
    assert "__ts_timeline_id" not in (attributes(result, "row-3") or {})
    assert result.skipped == []
    assert result.skipped_total == 0
    assert any("1 row has a timestamp that is not its datetime" in n for n in result.notes)
    assert any("sub-second" in n for n in result.notes)
    assert any("Lanes are hosts, from computer_name" in n for n in result.notes)


def test_datetime_holding_epoch_microseconds_and_user_lanes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ts_as_dt.csv",
        "datetime,uid,tool,message,query,event_type,timestamp_desc\n"
        "1723474994349345,mustermann,exampletool,PageView,,foobar,<URL placeholder>\n"
        "1751313029117113,jondoe,exampletool,PageView,,foobar,<URL placeholder>\n",
    )
    result = read(path)
    assert starts(result) == ["2024-08-12T15:03:14", "2025-06-30T19:50:29"]
    assert lanes(result) == {"row-2": "mustermann", "row-3": "jondoe"}
    assert set(result.document.actors["kind"]) == {"user"}
    assert "query" not in (attributes(result, "row-2") or {})  # empty cells are dropped


def test_timestamp_only_in_seconds_ms_us_ns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ts.csv",
        "timestamp,message,timestamp_desc\n"
        "1658689261,seconds,test\n1658689261123,ms,test\n"
        "1658689261123456,us,test\n1658689261123456789,ns,test\n",
    )
    result = read(path)
    assert starts(result) == ["2022-07-24T19:01:01"] * 4
    assert any(
        "4 rows had no datetime and were dated by their timestamp" in n for n in result.notes
    )


def test_empty_whitespace_and_garbage_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "empty.csv",
        '"message","timestamp","datetime","timestamp_desc"\n'
        '"No datetime given","1435789661000000","","Logging"\n'
        '"Whitespace datetime","1437789661000000"," ","Logging"\n'
        '"No Timestamp1","","2015-07-25 02:01:01+00:00","Logging"\n'
        '"No Timestamp2",,"2014-07-25 02:01:01+00:00","Logging"\n'
        '"Nothing","","","Logging"\n'
        '"Bad epoch","abc"," ","Logging"\n'
        '"Garbage","88888888","1234 19:01:01","Logging"\n'
        '"Bad day","","2015-02-30T00:00:00Z","Logging"\n',
    )
    result = read(path)
    assert list(result.document.events["title"]) == [
        "No datetime given",
        "Whitespace datetime",
        "No Timestamp1",
        "No Timestamp2",
    ]
    assert starts(result) == [
        epoch_iso(1435789661),
        epoch_iso(1437789661),
        "2015-07-25T02:01:01",
        "2014-07-25T02:01:01",
    ]
    assert result.skipped_total == 4
    assert skipped(result) == [
        ("row 6", "datetime"),
        ("row 7", "timestamp"),
        ("row 8", "datetime"),
        ("row 9", "datetime"),
    ]
    reasons = [row.reason for row in result.skipped]
    assert reasons[0] == "no date: datetime and timestamp are empty"
    assert "'abc' is not an epoch number" in reasons[1]
    assert "'1234 19:01:01' is not a date" in reasons[2]  # its timestamp is not used instead
    assert "day 30 does not exist in February 2015" in reasons[3]
    assert "file,where,field,reason" in result.skipped_csv().splitlines()[0]


def test_naive_times_are_utc_with_a_note(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "naive.csv",
        '"message","timestamp","datetime","timestamp_desc","data_type"\n'
        '"Missing timezone info","123456","2017-09-24 19:01:01","Write time","x"\n'
        '"Wrong epoch","123456","2017-07-24T19:01:01","Write time","x"\n'
        '"Wrong epoch","9999999999999","2017-10-24 19:01:01","Write time","x"\n',
    )
    result = read(path)
    assert first_last(result) == ("2017-07-24T19:01:01", "2017-10-24T19:01:01")
    assert "3 times had no UTC offset and were read as UTC." in result.notes
    assert any("3 rows have a timestamp that is not their datetime" in n for n in result.notes)


def test_out_of_range_years_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "range.csv",
        '"message","timestamp","datetime","timestamp_desc"\n'
        '"csv very old event","","1601-01-01T00:00:00Z","Write time"\n'
        '"csv event in the distant future","","2227-12-31T23:01:01+00:00","Write time"\n'
        '"a day far ahead","","12000-01-01","Write time"\n',
    )
    result = read(path)
    assert starts(result) == ["1601-01-01T00:00:00", "2227-12-31T23:01:01", "12000-01-01"]
    assert any("less precise than a second" in n for n in result.notes)


def test_mixed_offsets_and_separators(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mixed.csv",
        '"message","timestamp","datetime","timestamp_desc"\n'
        '"a","1331698658000000","2012-03-14T04:17:38+00:00","Time Logged"\n'
        '"b","1658689261000000","2022-07-24T19:01:01+0000","Time Logged"\n'
        '"c","1437789661000000","2015-07-25 02:01:01+00:00","Logging"\n'
        '"d","","2015-07-25T04:01:01-02:30","Logging"\n'
        '"e","","2015-07-25T04:01:01.123456789+05:45","Logging"\n'
        '"f","","2015-07-25t04:01:01z","Logging"\n',
    )
    result = read(path)
    assert starts(result) == [
        "2012-03-14T04:17:38",
        "2022-07-24T19:01:01",
        "2015-07-25T02:01:01",
        "2015-07-25T06:31:01",
        "2015-07-24T22:16:01",
        "2015-07-25T04:01:01",
    ]
    assert not any("not their datetime" in n for n in result.notes)


def test_missing_message_column_names_file_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "evtx_fails.csv",
        "computer_name,datetime,timestamp,timestamp_desc\nWKS,2012-03-14T04:17:38Z,1,Creation\n",
    )
    with pytest.raises(ReadError) as caught:
        read(path)
    assert caught.value.path.name == "evtx_fails.csv"
    assert caught.value.field == "message"
    assert 'no "message" column' in str(caught.value)
    assert "message, datetime or timestamp, timestamp_desc" in str(caught.value)


def test_no_datetime_and_no_timestamp_column(tmp_path: Path) -> None:
    path = write(tmp_path, "incorrect.csv", "No.,DT,message,timestampDesc\n1,2020-09-18,m,t\n")
    # Detection sends it to the generic table reader; forced, this reader refuses it.
    assert detect(path).name == "csv"
    with pytest.raises(ReadError) as caught:
        read(path)
    assert caught.value.field == "datetime"
    assert "incorrect.csv" in str(caught.value)
    assert 'no "datetime" or "timestamp" column' in str(caught.value)


def test_503_columns(tmp_path: Path) -> None:
    names = ["datetime", "message", "timestamp_desc"] + [
        f"unique_field_{i:03d}" for i in range(500)
    ]
    values = ["2023-10-27T10:00:00Z", "wide", "Event Time"] + [
        f"v{i}" if i % 100 == 0 else "" for i in range(500)
    ]
    path = write(tmp_path, "wide.csv", ",".join(names) + "\r\n" + ",".join(values) + "\r\n")
    result = read(path)
    assert len(names) == 503
    assert starts(result) == ["2023-10-27T10:00:00"]
    assert attributes(result, "row-2") == {
        "datetime": "2023-10-27T10:00:00Z",
        **{f"unique_field_{i:03d}": f"v{i}" for i in range(0, 500, 100)},
    }


def test_malformed_rows_are_set_aside_and_numbering_holds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        "message,datetime,timestamp_desc\n"
        "a,2020-01-01T00:00:00Z,x\n"
        "b,2020-01-02T00:00:00Z\n"
        "c,2020-01-03T00:00:00Z,x,extra\n"
        'd,"2020-01-04T00:00:00Z","multi\nline"\n'
        "e,garbage,x\n"
        "f,2020-01-06T00:00:00Z,x\n",
    )
    result = read(path)
    assert list(result.document.events["id"]) == ["row-2", "row-5", "row-7"]
    assert skipped(result) == [("row 3", ""), ("row 4", ""), ("row 6", "datetime")]
    assert result.skipped[0].reason == "has 2 fields, expected 3"


def test_empty_file_header_only_and_encodings(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="empty"):
        read(write(tmp_path, "empty.csv", ""))
    header_only = read(write(tmp_path, "header.csv", "message,datetime,timestamp_desc\n"))
    assert len(header_only.document.events) == 0
    utf16 = read(write(tmp_path, "utf16.csv", BASIC, encoding="utf-16"))
    assert len(utf16.document.events) == 3
    bom = read(write(tmp_path, "bom.csv", "\ufeff" + BASIC))
    assert next(iter(bom.document.events["title"])) == "Service stopped"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"message,datetime\ncaf\xe9,2020-01-01T00:00:00Z\n")
    with pytest.raises(ReadError, match="UTF-8"):
        read(latin)
    with pytest.raises(ReadError):
        read(tmp_path / "missing.csv")


def test_unicode_titles(tmp_path: Path) -> None:
    path = write(
        tmp_path, "u.csv", "message,datetime\nNo new content in ímynd.dd.,2012-01-22T07:52:33Z\n"
    )
    assert list(read(path).document.events["title"]) == ["No new content in ímynd.dd."]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("[]", []),
        ("-", []),
        ("['a', 'b']", ["a", "b"]),
        ('["a", "b"]', ["a", "b"]),
        ("a,b", ["a", "b"]),
        ("solo", ["solo"]),
        ("['__ts_star']", ["starred"]),
        ("[1, [2]]", ["1"]),
        ("[unbalanced", ["[unbalanced"]),
    ],
)
def test_tag_cells(cell: str, expected: list[str]) -> None:
    assert tag_list(cell) == expected


# --- Timesketch JSONL --------------------------------------------------------------------

JSONL = "\n".join(
    [
        json.dumps(
            {
                "message": "A",
                "datetime": "2015-07-24T19:01:01+00:00",
                "timestamp": 123456789,
                "timestamp_desc": "Write time",
                "extra_field_1": "foo",
            }
        ),
        json.dumps(
            {
                "message": "B",
                "timestamp": 1437764462000000,
                "timestamp_desc": "Write time",
                "hostname": "h1",
                "tag": ["x", "y"],
            }
        ),
        "not json",
        "[1, 2]",
        json.dumps({"datetime": "2015-07-24T19:01:03+00:00", "timestamp_desc": "no message"}),
        json.dumps({"message": "C", "datetime": "garbage", "timestamp": 1437764463}),
        json.dumps({"message": "D", "datetime": 1437764464000000, "empty": "", "nested": {"a": 1}}),
        "",
        json.dumps({"message": "E", "datetime": "2015-07-24 19:01:05", "label": "['__ts_star']"}),
    ]
)


def test_jsonl_heterogeneous_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "events.jsonl", JSONL)
    assert detect(path).name == "timesketch-jsonl"
    result = read(path, "timesketch-jsonl")
    ev = result.document.events
    assert list(ev["id"]) == ["line-1", "line-2", "line-7", "line-9"]
    assert list(ev["title"]) == ["A", "B", "D", "E"]
    assert starts(result) == [
        "2015-07-24T19:01:01",  # datetime wins over the timestamp 123456789
        "2015-07-24T19:01:02",
        "2015-07-24T19:01:04",
        "2015-07-24T19:01:05",
    ]
    assert skipped(result) == [
        ("line 3", ""),
        ("line 4", ""),
        ("line 5", "message"),
        ("line 6", "datetime"),
    ]
    assert "not JSON" in result.skipped[0].reason
    assert lanes(result) == {"line-2": "h1"}
    assert themes(result) == {"line-2": ["x", "y"], "line-9": ["starred"]}
    assert attributes(result, "line-7") == {"datetime": 1437764464000000, "nested": {"a": 1}}
    assert "1 time had no UTC offset and was read as UTC." in result.notes
    assert any("1 row had no datetime and was dated by its timestamp" in n for n in result.notes)


def test_jsonl_without_message_anywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "nomsg.jsonl", '{"datetime": "2015-07-24T19:01:01Z"}\n{"a": 1}\n')
    with pytest.raises(ReadError) as caught:
        read(path, "timesketch-jsonl")
    assert caught.value.field == "message"
    assert "nomsg.jsonl" in str(caught.value)


# --- attributes stored as columns ----------------------------------------------------------


def test_column_attributes_behave_like_an_object_column(tmp_path: Path) -> None:
    result = read(write(tmp_path, "basic.csv", BASIC))
    doc = result.document
    column = doc.events["attributes"]
    assert isinstance(column.array, ColumnAttributes)
    assert column.iloc[2] == {
        "datetime": "2012-03-15T00:00:00Z",
        "user_sid": "S-1-5-18",
        "extra": "y",
    }
    ordered = doc.events.sort_values("start", ascending=False)
    assert ordered["attributes"].iloc[0]["extra"] == "y"
    assert doc.events[doc.events["title"] == "Logon"]["attributes"].iloc[0]["timestamp"] == "0"
    assert [type(v) for v in column.to_numpy()] == [dict, dict, dict]
    assert column.tolist()[1]["computer_name"] == "WKS-2.corp"
    assert doc.copy().equals(doc)
    # Writing into the column turns it into plain dicts; the original is not touched.
    edited = doc.events.copy()
    edited.at[0, "attributes"] = {"note": "checked"}
    assert edited["attributes"].iloc[0] == {"note": "checked"}
    assert edited["attributes"].iloc[1]["computer_name"] == "WKS-2.corp"
    assert column.iloc[0]["extra"] == "x"
    # Saved and read back as the native format, nothing is lost.
    again = document_from_json(document_to_json(doc), tmp_path / "x.json")
    assert again.equals(doc)
    both = merge([doc, doc], ["a", "b"])
    assert both.events["attributes"].iloc[5]["extra"] == "y"


def test_column_attributes_directly() -> None:
    import pyarrow as pa

    array = ColumnAttributes(
        {"a": pa.array(["1", "", "-"]), "b": pa.array(["x", "", "y"])}, [0, 1, 2], ("", "-")
    )
    assert array[0] == {"a": "1", "b": "x"}
    assert array[1] is None
    assert array[2] == {"b": "y"}
    assert list(array.take([2, -1], allow_fill=True)) == [{"b": "y"}, None]
    assert list(array.isna()) == [False, False, False]
    assert array.nbytes > 0
    plain = ColumnAttributes._from_sequence([{"q": 1}, None, {}])
    assert list(plain) == [{"q": 1}, None, None]
    joined = ColumnAttributes._concat_same_type([array, plain])
    assert len(joined) == 6
    assert joined[3] == {"q": 1}


# --- the vectorised ISO reader agrees with the model's parser ---------------------------

_OFFSETS = st.sampled_from(["", "Z", "+00:00", "+0000", "-05:00", "+0545", "+13:45", "-0330"])


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    separator=st.sampled_from(["T", " "]),
    digits=st.integers(min_value=0, max_value=9),
    offset=_OFFSETS,
)
def test_iso_fast_path_matches_calendar(
    when: datetime, separator: str, digits: int, offset: str
) -> None:
    fraction = ("." + "7" * digits) if digits else ""
    text = when.strftime(f"%Y-%m-%d{separator}%H:%M:%S").rjust(19, "0") + fraction + offset
    text = f"{when.year:04d}" + text[text.index("-") :]
    sign = -1 if offset.startswith("-") else 1
    bare = offset.strip("Z+-").replace(":", "")
    minutes = sign * (int(bare[:2]) * 60 + int(bare[2:])) if bare else 0
    expected = (
        to_seconds(when.year, when.month, when.day, when.hour, when.minute, when.second)
        - minutes * 60
    )
    import pyarrow as pa

    dates = iso_dates(pa.array([text, "", "not a date", text]))
    assert list(dates.ok) == [True, False, False, True]
    assert int(dates.seconds[0]) == expected == int(dates.seconds[3])
    assert bool(dates.naive[0]) == (offset == "")
    assert bool(dates.fraction[0]) == bool(digits)


def test_iso_reader_rejects_impossible_times() -> None:
    import pyarrow as pa

    bad = [
        "2015-02-29T00:00:00Z",
        "2015-13-01T00:00:00Z",
        "2015-01-01T24:00:00Z",
        "2015-01-01T00:60:00Z",
        "2015-01-01T00:00:60Z",
        "2015-01-01T00:00:00+24:00",
        "2015-01-01T00:00:00.12a",
        "2015-01-01X00:00:00",
    ]
    dates = iso_dates(pa.array(bad))
    assert not dates.ok.any()
    good = iso_dates(pa.array(["2016-02-29T23:59:59Z", "2015-01-01", "2015-01-01T10:30"]))
    assert good.ok.all()
    assert list(good.precision) == [Precision.SECOND, Precision.DAY, Precision.MINUTE]


# --- the sample file generator ------------------------------------------------------------


def test_generate_timesketch_csv(tmp_path: Path) -> None:
    a = generate_timesketch_csv(tmp_path / "a.csv", 2000, seed=7)
    b = generate_timesketch_csv(tmp_path / "b.csv", 2000, seed=7)
    c = generate_timesketch_csv(tmp_path / "c.csv", 2000, seed=8)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    frame = pd.read_csv(a)
    assert tuple(frame.columns) == TIMESKETCH_COLUMNS
    assert len(frame) == 2000
    assert frame["hostname"].nunique() <= 50
    result = read(a)
    ev = result.document.events
    assert len(ev) == 2000
    assert result.skipped_total == 0
    expected = frame["timestamp"].to_numpy() // 1_000_000
    assert (ev["start"].to_numpy() == expected).all()  # datetime and timestamp agree
    assert not any("not their datetime" in n for n in result.notes)
    assert set(result.document.actors["name"]) == set(frame["hostname"])
    assert (
        ev["attributes"].iloc[0]["username"] == frame["username"].iloc[0]
        or frame["username"].isna().iloc[0]
    )


# --- progress, cancel, robustness ---------------------------------------------------------


def test_progress_runs_from_zero_to_one(tmp_path: Path) -> None:
    path = generate_timesketch_csv(tmp_path / "big.csv", 30_000, seed=1)  # two Arrow blocks
    seen: list[float] = []
    result = read(path, progress=seen.append)
    assert len(result.document.events) == 30_000
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert any(0 < f < READ_SHARE for f in seen)  # reported while reading, not only after


@pytest.mark.parametrize("fmt", ["timesketch-csv", "timesketch-jsonl"])
def test_cancel_before_reading(tmp_path: Path, fmt: str) -> None:
    path = write(
        tmp_path,
        "x.csv" if fmt.endswith("csv") else "x.jsonl",
        BASIC if fmt.endswith("csv") else JSONL,
    )
    with pytest.raises(Cancelled):
        read(path, fmt, cancelled=lambda: True)


def test_cancel_in_the_middle_of_a_file(tmp_path: Path) -> None:
    path = generate_timesketch_csv(tmp_path / "big.csv", 30_000, seed=2)
    reports: list[float] = []
    with pytest.raises(Cancelled):
        read(path, progress=reports.append, cancelled=lambda: any(f > 0 for f in reports))
    assert reports
    assert max(reports) < READ_SHARE


_VALID = BASIC.encode()
_VALID_JSONL = JSONL.encode()


_INSERTS = [b'"', b",", b"\n", b"[", b"{", b"\x00", b"\xff", b"9" * 30]


def _mutated(base: bytes) -> st.SearchStrategy[bytes]:
    return mutated(base, _INSERTS)


def _only_read_errors(path: Path, fmt: str, data: bytes) -> None:
    path.write_bytes(data)
    try:
        result = get(fmt).open(path, ReadOptions())
    except ReadError:
        return
    assert isinstance(result, ImportResult)
    assert len(result.document.events) <= max(data.count(b"\n") + 1, 1)


_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_binary_csv(tmp_path: Path, data: bytes) -> None:
    _only_read_errors(tmp_path / "fuzz.csv", "timesketch-csv", data)


@_FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_binary_jsonl(tmp_path: Path, data: bytes) -> None:
    _only_read_errors(tmp_path / "fuzz.jsonl", "timesketch-jsonl", data)


@_FUZZ
@given(data=_mutated(_VALID))
def test_fuzz_mutated_csv(tmp_path: Path, data: bytes) -> None:
    _only_read_errors(tmp_path / "fuzz.csv", "timesketch-csv", data)


@_FUZZ
@given(data=_mutated(_VALID_JSONL))
def test_fuzz_mutated_jsonl(tmp_path: Path, data: bytes) -> None:
    _only_read_errors(tmp_path / "fuzz.jsonl", "timesketch-jsonl", data)
