"""Errors that say what the file is: nesting, NUL bytes, UTF-16 without a BOM, UTF-32,
XML entities; and a NUL in a cell of our own CSV export reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_document

from explorer.io.errors import ReadError
from explorer.io.formats import read_any
from explorer.io.write_table import write_csv

TABLE = "date,title\n2020-01-01,hello world\n2021-02-03,second row\n"


def refusal(path: Path) -> str:
    with pytest.raises(ReadError) as caught:
        read_any(path)
    return str(caught.value)


def test_a_json_lines_file_nested_too_deeply_says_so(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"message": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    assert refusal(path) == "deep.jsonl: line 1: nested too deeply to read"


def test_our_csv_export_of_a_title_with_a_nul_reads_back(tmp_path: Path) -> None:
    doc = make_document([{"id": "e1", "title": "a\x00b", "start": "2020"}])
    path = tmp_path / "nul.csv"
    write_csv(doc, path)
    back = read_any(path)
    assert back.format == "csv"
    assert back.document.events["title"].tolist() == ["a\x00b"]


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("utf-16-le", "byte 1: UTF-16 (little-endian) text without a byte-order mark"),
        ("utf-16-be", "byte 0: UTF-16 (big-endian) text without a byte-order mark"),
        ("utf-32", "byte 0: UTF-32 text (it starts with UTF-32's byte-order mark)"),
        ("utf-32-le", "byte 1: UTF-32 (little-endian) text without a byte-order mark"),
    ],
)
def test_encodings_we_do_not_read_are_named(tmp_path: Path, encoding: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(TABLE.encode(encoding))
    assert refusal(path) == f"t.csv: {message}; save the file as UTF-8 and try again"


def test_utf16_with_a_bom_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(TABLE.encode("utf-16"))
    assert len(read_any(path).document.events) == 2


def test_timeline_project_entities_are_refused_in_words_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "lol.timeline"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE timeline [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;">\n]>\n<timeline><version>2.0</version>&lol2;</timeline>\n'
    )
    assert refusal(path) == (
        'lol.timeline: line 3: refused: the XML declares an entity "lol"; entities are '
        "never expanded, for safety"
    )


def test_a_timeline_naming_a_remote_dtd_is_read_without_fetching_it(tmp_path: Path) -> None:
    path = tmp_path / "dtd.timeline"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE timeline SYSTEM "http://127.0.0.1:9/never.dtd">\n'
        "<timeline><version>2.0.0</version><timetype>gregoriantime</timetype>"
        "<categories/><events><event><start>2012-07-04 13:20:00</start>"
        "<end>2012-07-04 13:20:00</end><text>x</text><fuzzy>False</fuzzy>"
        "<locked>False</locked><ends_today>False</ends_today></event></events></timeline>\n"
    )
    assert len(read_any(path).document.events) == 1
