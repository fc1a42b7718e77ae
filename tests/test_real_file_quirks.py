"""Quirks met in real files from outside the corpus (docs/formats.md, "Real files from
elsewhere"): each fixture is written here with the quirk, never copied from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, read_any
from explorer.io.result import ImportResult
from explorer.model.dates import Precision, format_iso


def read(path: Path, text: str, **mapping: str) -> ImportResult:
    path.write_text(text, encoding="utf-8")
    return read_any(path, options=ReadOptions(mapping=dict(mapping) or None))


def dates(result: ImportResult) -> list[str]:
    events = result.document.events
    return [
        format_iso(int(s), Precision(int(p)))
        for s, p in zip(events["start"], events["start_precision"], strict=True)
    ]


# APT-Hunter's Logon_Events: "Date and Time" (ISO, always filled) beside "timestamp"
# (epoch floats, -11644473600.0 where Windows had no time), and "Event ID" 4624 on
# every row.
APT_LOGONS = (
    "Date and Time,timestamp,Event ID,Account Name,Computer Name\n"
    "2020-09-15T23:32:10.232423+04:00,1600198330.232423,4624,IR$,host-a\n"
    "1601-01-01T04:00:00+04:00,-11644473600.0,4624,ANONYMOUS LOGON,host-b\n"
    "2020-09-16T01:00:00+04:00,1600203600.0,4625,samir,host-a\n"
    "2020-09-16T02:00:00+04:00,1600207200.0,4624,samir,host-a\n"
)


def test_a_compound_time_name_is_generic_so_the_fuller_column_wins(tmp_path: Path) -> None:
    result = read(tmp_path / "logons.csv", APT_LOGONS)
    assert 'date "Date and Time"' in result.notes[0]
    assert result.skipped_total == 0
    assert dates(result) == [
        "2020-09-15T19:32:10",
        "1601-01-01T00:00:00",
        "2020-09-15T21:00:00",
        "2020-09-15T22:00:00",
    ]
    assert 'alternatives: "timestamp"' in " ".join(result.notes)


def test_events_at_the_windows_zero_time_are_noted_not_dropped(tmp_path: Path) -> None:
    result = read(tmp_path / "logons.csv", APT_LOGONS)
    assert len(result.document.events) == 4
    assert any(
        n.startswith("1 event is dated 1601-01-01T00:00:00 UTC, the Windows zero time")
        for n in result.notes
    )


def test_the_windows_zero_epoch_is_refused_with_its_name(tmp_path: Path) -> None:
    result = read(tmp_path / "logons.csv", APT_LOGONS, date="timestamp")
    assert result.skipped_total == 1
    reason = str(result.skipped[0])
    assert reason.startswith("row 3: column 'timestamp': \"-11644473600.0\" is not a date")
    assert "the Windows zero time, 1601-01-01, which tools write for no time" in reason
    assert "±" not in reason  # not "outside the years ±100,000,000,000": it is not


def test_a_repeated_event_id_is_a_kind_not_an_id(tmp_path: Path) -> None:
    result = read(tmp_path / "logons.csv", APT_LOGONS)
    events = result.document.events
    assert events["id"].tolist() == ["row-2", "row-3", "row-4", "row-5"]
    assert "Event ID: 4624" in events["summary"].iloc[0]
    assert not any("repeated ids" in n for n in result.notes)


def test_timesketch_lanes_from_a_spaced_host_column(tmp_path: Path) -> None:
    # APT-Hunter's TimeSketch export names the host "Computer Name".
    text = (
        "message,timestamp,datetime,timestamp_desc,Computer Name,Channel\n"
        "Suspicious PowerShell,1600198330.0,2020-09-15T19:32:10+00:00,,host-a,Security\n"
        "New service,1600198331.0,2020-09-15T19:32:11+00:00,,host-b,System\n"
    )
    result = read(tmp_path / "ts.csv", text)
    assert result.format == "timesketch-csv"
    assert sorted(result.document.actors["name"]) == ["host-a", "host-b"]
    assert "Lanes are hosts, from Computer Name." in result.notes


def test_bare_years_yield_to_a_finer_date_over_the_same_years(tmp_path: Path) -> None:
    # FiveThirtyEight's daily_show_guests: YEAR, then the show's date as M/D/YY.
    text = (
        "YEAR,GoogleKnowlege_Occupation,Show,Group,Raw_Guest_List\n"
        "1999,actor,1/11/99,Acting,Michael J. Fox\n"
        "1999,Comedian,1/12/99,Comedy,Sandra Bernhard\n"
        "1999,actor,1/13/99,Acting,Tracey Ullman\n"
        "2015,actor,8/5/15,Acting,Jon Stewart\n"
    )
    result = read(tmp_path / "guests.csv", text)
    assert dates(result) == ["1999-01-11", "1999-01-12", "1999-01-13", "2015-08-05"]
    assert '"YEAR" (100% dates; years only)' in " ".join(result.notes)
    # The guest names each event; the group names many.
    assert result.document.events["title"].tolist()[:2] == ["Michael J. Fox", "Sandra Bernhard"]


def test_a_time_word_run_into_a_name_counts(tmp_path: Path) -> None:
    # FiveThirtyEight's congress-terms: birthday comes first, termstart is the event.
    text = (
        "congress,firstname,lastname,birthday,party,termstart\n"
        "80,Joseph,Mansfield,1861-02-09,D,1947-01-03\n"
        "81,Robert,Doughton,1863-11-07,D,1949-01-03\n"
    )
    result = read(tmp_path / "terms.csv", text)
    assert 'date "termstart"' in result.notes[0]
    assert dates(result) == ["1947-01-03", "1949-01-03"]


def test_year_month_and_day_columns_are_one_date(tmp_path: Path) -> None:
    # FiveThirtyEight's US births: year, month, date_of_month, day_of_week, births.
    text = (
        "year,month,date_of_month,day_of_week,births\n"
        "1994,1,1,6,8096\n"
        "1994,1,2,7,7772\n"
        "2003,12,31,3,9000\n"
    )
    result = read(tmp_path / "births.csv", text)
    assert dates(result) == ["1994-01-01", "1994-01-02", "2003-12-31"]
    assert 'month "month", day "date_of_month"' in result.notes[0]


def test_a_bad_day_in_split_columns_is_set_aside_with_the_date_named(tmp_path: Path) -> None:
    text = "year,month,day,births\n1994,2,30,1\n1994,3,1,2\n"
    result = read(tmp_path / "births.csv", text)
    assert dates(result) == ["1994-03-01"]
    assert str(result.skipped[0]).startswith("row 2: column 'year': \"1994-02-30\" is not a date")


def test_addresses_and_mostly_blank_notes_do_not_title_events(tmp_path: Path) -> None:
    # FiveThirtyEight's impeachment_polls: a URL per row, Notes on a few rows only.
    text = (
        "Start,End,Category,URL,Notes\n"
        "6/28/2019,7/1/2019,begin_proceedings,https://example.org/a,\n"
        "4/22/2019,4/25/2019,begin_proceedings,https://example.org/b,\n"
        "3/1/2019,3/3/2019,impeach,https://example.org/c,online panel\n"
    )
    result = read(tmp_path / "polls.csv", text)
    titles = result.document.events["title"].tolist()
    assert titles == ["begin_proceedings", "begin_proceedings", "impeach"]


def test_a_windows_1252_file_is_refused_at_its_first_bad_byte(tmp_path: Path) -> None:
    # FiveThirtyEight's avengers.csv and biopics.csv are not UTF-8.
    path = tmp_path / "avengers.csv"
    path.write_bytes("Name,Year\nMonica Rambeau,1983\nBjørn,1990\n".encode("cp1252"))
    with pytest.raises(ReadError, match=r"byte 32: not UTF-8 text \(byte 0xf8\)"):
        read_any(path)
