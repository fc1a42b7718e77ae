"""Dates that used to change silently: epochs past the range, TLN's seconds, an Excel
time a microsecond before midnight, an offset that carries a date out of range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from explorer.io.formats import read_any
from explorer.io.native import read_native, write_native
from explorer.model.document import start_value


def starts(path: Path) -> list[str]:
    doc = read_any(path).document
    return [start_value(doc.events, i).iso() for i in range(len(doc.events))]


def test_tln_times_are_seconds_whatever_their_size(tmp_path: Path) -> None:
    tln = tmp_path / "t.tln"
    tln.write_text(
        "Time|Source|Host|User|Description\n"
        "100000000000|FILE|pc|bob|far future\n"
        "1600000000|FILE|pc|bob|2020\n"
    )
    assert starts(tln) == ["5138-11-16T09:46:40", "2020-09-13T12:26:40"]


def test_epoch_numbers_past_the_range_are_set_aside_not_clamped(tmp_path: Path) -> None:
    table = tmp_path / "big.csv"
    table.write_text(
        "timestamp,title\n1600000000,a\n1600000001,b\n"
        "99999999999999999999999999999,c\n-99999999999999999999999999999,d\n"
    )
    result = read_any(table)
    assert starts(table) == ["2020-09-13T12:26:40", "2020-09-13T12:26:41"]
    assert [str(r) for r in result.skipped] == [
        f"row {n}: column 'timestamp': \"{sign}99999999999999999999999999999\" is not a date "
        "(as Unix time it falls outside the years ±100,000,000,000)"
        for n, sign in ((4, ""), (5, "-"))
    ]


def test_an_excel_time_a_microsecond_before_midnight_stays_on_its_day(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "title"])
    sheet.append([dt.datetime(2020, 1, 1, 23, 59, 59, 999999), "last moment"])
    sheet.append([dt.datetime(2020, 1, 2, 12, 0, 0, 400000), "noon"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    assert starts(path) == ["2020-01-01T23:59:59", "2020-01-02T12:00:00"]


def test_an_offset_that_carries_a_date_past_the_range_is_set_aside(tmp_path: Path) -> None:
    table = tmp_path / "off.csv"
    table.write_text(
        "date,title\n"
        "100000000000-12-31T23:00-05:00,past the end\n"
        "9999-12-31T23:00-05:00,into year 10000\n"
        "2020-01-01,fine\n"
    )
    result = read_any(table)
    assert [str(r) for r in result.skipped] == [
        "row 2: column 'date': \"100000000000-12-31T23:00-05:00\" is not a date "
        "(in UTC it falls outside the years ±100,000,000,000)"
    ]
    # What was read writes a native file that reads back.
    out = tmp_path / "out.json"
    write_native(result.document, out)
    assert read_native(out).equals(result.document)
    assert starts(table) == ["10000-01-01T04:00", "2020-01-01"]
