"""Column inference that shows its work, built on fixtures with the quirks real files have.

Each fixture is written here (never copied from a real file) with the shape that went
wrong: day counts, all-zero columns, hex blobs, booleans, epochs in unnamed columns,
M/D/YY dates, epoch milliseconds, month names with fractional seconds, Zimmerman
tools' copy times, forensic CSVs without a message, wrapped JSON records, headerless
logs. The tests assert the column chosen, the first/last dates with their precision,
and the refusals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, detect, read_any
from explorer.io.kit import profile as kit
from explorer.io.kit.epochs import Unit, unit_of
from explorer.io.result import ImportResult
from explorer.model.dates import Precision, format_iso


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def span(result: ImportResult) -> tuple[str, str]:
    """The first and last start, written to their precision."""
    ev = result.document.events.sort_values("start", kind="stable")
    first, last = ev.iloc[0], ev.iloc[-1]
    return (
        format_iso(int(first["start"]), Precision(int(first["start_precision"]))),
        format_iso(int(last["start"]), Precision(int(last["start_precision"]))),
    )


def read(path: Path, fmt: str | None = None, **mapping: str) -> ImportResult:
    return read_any(path, fmt, ReadOptions(mapping=mapping or None))


def chose(result: ImportResult, role: str, column: str) -> bool:
    return any(f'{role} "{column}"' in note for note in result.notes)


# --- the time column -----------------------------------------------------------------


def test_day_count_is_not_years_and_m_d_yy_is_settled_from_the_data(tmp_path: Path) -> None:
    text = "Days,Date,Event\n137,1/21/77,First\n3013,12/30/23,Last\n500,3/4/80,Middle\n"
    result = read(write(tmp_path, "sheet.csv", text))
    assert chose(result, "date", "Date")
    assert span(result) == ("1977-01-21", "2023-12-30")
    assert any("read as month/day" in n for n in result.notes)
    assert any("two-digit years, read as 1969-2068" in n for n in result.notes)


def test_all_zero_column_is_never_the_date_and_hex_or_booleans_never_titles(
    tmp_path: Path,
) -> None:
    text = (
        "timestamp,When,Blob,Flag,Note\n"
        "0,2020-01-01,deadbeefcafe0123,True,opened\n"
        "0,2020-01-02,0123456789abcdef,False,closed\n"
    )
    result = read(write(tmp_path, "zeros.csv", text))
    assert chose(result, "date", "When")
    assert any('"timestamp" (every value is "0")' in n for n in result.notes)
    assert result.document.events["title"].tolist() == ["opened", "closed"]


def test_without_any_text_titles_name_a_column_not_a_row(tmp_path: Path) -> None:
    text = (
        "When,Blob,Flag,Size\n2020-01-01,deadbeefcafe0123,True,12\n2020-01-02,ab12cd34ef,False,7\n"
    )
    titles = read(write(tmp_path, "bare.csv", text)).document.events["title"].tolist()
    assert titles == ["Size: 12", "Size: 7"]  # numbers before hex, hex before booleans
    assert not any(t in ("True", "False") or t.startswith("row ") for t in titles)


def test_ten_digit_epoch_in_an_unnamed_column_is_not_a_year(tmp_path: Path) -> None:
    result = read(write(tmp_path, "e.csv", "Recorded,Event\n1636559462,a\n1636559999,b\n"))
    assert span(result) == ("2021-11-10T15:51:02", "2021-11-10T15:59:59")
    assert any("Unix seconds" in n for n in result.notes)


def test_epoch_milliseconds_and_forensic_clocks_by_magnitude(tmp_path: Path) -> None:
    result = read(write(tmp_path, "ms.csv", "time,what\n1729965408106,a\n1729965409106,b\n"))
    assert span(result) == ("2024-10-26T17:56:48", "2024-10-26T17:56:49")
    # FILETIME and WebKit share sizes with 1974 ns / µs: the plausible window decides.
    filetime = 132_000_000_000_000_000.0  # 2019-04-17
    webkit = 13_200_000_000_000_000.0  # 2019-04-19
    assert unit_of([filetime, webkit, 1.6e9]).tolist() == [Unit.FILETIME, Unit.WEBKIT, Unit.S]
    forced = read(write(tmp_path, "ft.csv", "t,what\n132000000000000000,a\n"), date="t")
    assert span(forced)[0] == "2019-04-17T18:40:00"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Mar 23, 2015 18:12:08.1842247", "2015-03-23T18:12:08"),
        ("Monday, January 3, 1791", "1791-01-03"),
        ("100AD", "0100"),
        ("509 BC", "-508"),
        ("Tue, 1 Nov 2022 14:02:03 +0100", "2022-11-01T13:02:03"),
        ("2020-04-03T10:30:15.25+05:30", "2020-04-03T05:00:15"),
        ("20200101", "2020-01-01"),
        ("1600000000", "2020-09-13T12:26:40"),
    ],
)
def test_date_shapes(tmp_path: Path, cell: str, expected: str) -> None:
    result = read(write(tmp_path, "s.csv", f'date,title\n"{cell}",x\n'))
    assert span(result)[0] == expected


def test_day_serial_is_refused_with_its_reason_not_read_as_a_year(tmp_path: Path) -> None:
    text = "date,title\n2020-01-01,ok\n43831,serial\n"
    result = read(write(tmp_path, "serial.csv", text))
    assert span(result) == ("2020-01-01", "2020-01-01")
    (row,) = result.skipped
    assert row.where == "row 3"
    assert '"43831" is a number, not a date' in row.reason
    assert "not read as the year 43831" in row.reason


def test_zimmerman_copy_times_lose_to_case_times(tmp_path: Path) -> None:
    pecmd = (
        "Note,SourceFilename,SourceCreated,SourceModified,SourceAccessed,ExecutableName,"
        "RunCount,LastRun,PreviousRun0\n"
        ",C:\\Windows\\Prefetch\\CMD.EXE-1.pf,2023-05-01 10:00:00,2023-05-01 10:00:00,"
        "2023-05-01 10:00:00,CMD.EXE,3,2019-03-04 05:06:07,2019-03-01 01:00:00\n"
        ",C:\\Windows\\Prefetch\\NOTEPAD.EXE-2.pf,2023-05-01 10:00:01,2023-05-01 10:00:01,"
        "2023-05-01 10:00:01,NOTEPAD.EXE,1,2018-01-01 00:00:00,\n"
    )
    result = read(write(tmp_path, "pecmd.csv", pecmd))
    assert chose(result, "date", "LastRun")
    assert span(result) == ("2018-01-01T00:00:00", "2019-03-04T05:06:07")
    assert result.document.events["title"].tolist() == ["CMD.EXE", "NOTEPAD.EXE"]
    jlecmd = (
        "SourceFile,SourceCreated,SourceModified,SourceAccessed,AppId,CreationTime,"
        "LastModified,Path\n"
        "a.automaticDestinations-ms,2023-06-01 09:00:00,2023-06-01 09:00:00,"
        "2023-06-01 09:00:00,5f7b5f1e01b83767,2020-02-02 10:00:00,2021-03-03 11:00:00,C:\\a.txt\n"
    )
    result = read(write(tmp_path, "jlecmd.csv", jlecmd))
    assert chose(result, "date", "LastModified")
    assert span(result) == ("2021-03-03T11:00:00", "2021-03-03T11:00:00")
    assert kit.is_copy_time("SourceCreated")
    assert not kit.is_copy_time("LastRun")


def test_confidence_and_alternatives_are_shown(tmp_path: Path) -> None:
    text = "created,updated,title\n2020-01-01,2021-01-01,a\n2020-02-01,2021-02-01,b\n"
    result = read(write(tmp_path, "two.csv", text))
    (guess,) = [n for n in result.notes if n.startswith("guessed ")]
    assert 'date "created" (' in guess
    assert "alternatives: " in guess
    assert '"updated"' in guess


# --- detection falls back instead of refusing ----------------------------------------


def test_forensic_csv_without_message_goes_to_the_generic_reader(tmp_path: Path) -> None:
    text = "DateTime,timestamp,event\n2020-01-01T00:00:00Z,1577836800,boot\n"
    path = write(tmp_path, "fx.csv", text)
    assert detect(path).name == "csv"
    result = read(path)
    assert span(result) == ("2020-01-01T00:00:00", "2020-01-01T00:00:00")
    assert result.document.events["title"].tolist() == ["boot"]


def test_json_records_under_a_wrapping_key_with_any_date_key(tmp_path: Path) -> None:
    data = {"objects": [{"name": "v1", "releaseTime": 1729965408106}, {"name": "v2"}]}
    path = write(tmp_path, "rel.json", json.dumps(data))
    assert detect(path).name == "json-records"
    result = read(path)
    assert span(result) == ("2024-10-26T17:56:48", "2024-10-26T17:56:48")
    assert any('date "releaseTime"' in n for n in result.notes)
    assert result.skipped_total == 1


def test_map_points_the_json_reader_at_a_key(tmp_path: Path) -> None:
    data = [
        {"label": "a", "releaseTime": "2024-10-26", "seen": "2020-01-01"},
        {"label": "b", "releaseTime": "2024-10-27", "seen": "2020-01-02"},
    ]
    path = write(tmp_path, "m.json", json.dumps(data))
    result = read(path, date="releaseTime", title="label")
    assert span(result) == ("2024-10-26", "2024-10-27")
    with pytest.raises(ReadError, match='"colour" is not a role for JSON records'):
        read(path, colour="x")


def test_vis_items_without_id_or_content_get_ids_and_titles(tmp_path: Path) -> None:
    data = [{"start": "2014-04-20", "className": "red"}, {"start": "2014-04-21", "group": 1}]
    result = read(write(tmp_path, "vis.json", json.dumps(data)))
    assert result.document.events["id"].tolist() == ["e1", "e2"]
    assert result.document.events["title"].tolist()[0] == "red"


def test_headerless_log_is_refused_unless_mapped(tmp_path: Path) -> None:
    text = "2020-01-01 10:00:00,sshd,login ok\n2020-01-01 10:05:00,sshd,logout\nbad,x,y\n"
    path = write(tmp_path, "auth.log.csv", text)
    with pytest.raises(ReadError, match=r"has no header row .*--map date=1"):
        read(path)
    result = read(path, date="1", title="3")
    assert result.document.events["title"].tolist() == ["login ok", "logout"]
    assert [s.where for s in result.skipped] == ["row 3"]  # the file's own line


# --- every row set aside is an error ---------------------------------------------------


def test_every_row_set_aside_is_an_error_for_every_reader(tmp_path: Path) -> None:
    table = write(tmp_path, "t.csv", "when,title\nsoon,a\nlater,b\n")
    with pytest.raises(ReadError, match=r"every row was set aside \(2\)"):
        read(table, date="when")
    js = write(tmp_path, "j.json", json.dumps({"events": [{"text": {"headline": "x"}}]}))
    with pytest.raises(ReadError, match=r"every row was set aside|no .*start"):
        read(js, "timelinejs")
    records = write(tmp_path, "r.json", json.dumps([{"name": "a", "date": "soon"}]))
    with pytest.raises(ReadError, match=r"every row was set aside|no .*start"):
        read(records, "json-records")


def test_cli_prints_the_mapping_and_exits_2_when_nothing_is_read(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "explorer", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    good = write(tmp_path, "g.csv", "Days,Date,Event\n137,1/21/77,a\n3013,12/30/23,b\n")
    done = run(str(good), "--export", str(tmp_path / "g.json"))
    assert done.returncode == 0, done.stderr
    assert 'guessed date "Date" (sure' in done.stderr
    bad = write(tmp_path, "b.csv", "when,title\nsoon,a\n")
    failed = run(str(bad), "--map", "date=when", "--export", str(tmp_path / "b.json"))
    assert failed.returncode == 2
    assert "every row was set aside" in failed.stderr
    assert not (tmp_path / "b.json").exists()
