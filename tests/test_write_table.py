"""CSV and Excel export: the injection guard, no formula cells, and round trips back in."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factories import make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_parquet import NA_LIKE, dates, documents, plain_name

from explorer.io.errors import WriteError
from explorer.io.formats import ReadOptions, get, read_any
from explorer.io.read_table import unguard_text
from explorer.io.write_table import (
    COLUMNS,
    DANGEROUS,
    dumps_csv,
    dumps_rows,
    guard,
    iso_dates,
    write_csv,
    write_excel,
    write_excel_rows,
)
from explorer.model.dates import Precision, format_iso, parse_date
from explorer.model.document import NO_END, Document

# --- what survives a round trip ---------------------------------------------------------


def events_view(doc: Document) -> list[tuple[Any, ...]]:
    cols = ["id", "title", "summary", "start", "start_precision", "end", "end_precision"]
    frame = doc.events[cols]
    rows = [tuple(r) for r in frame.itertuples(index=False)]
    statuses = doc.events["status"].astype("str").tolist()
    return [(*r, s) for r, s in zip(rows, statuses, strict=True)]


def links_view(doc: Document) -> list[tuple[str, str, str]]:
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    return [
        (e, names[a], r)
        for e, a, r in zip(
            doc.links["event_id"], doc.links["actor_id"], doc.links["role"], strict=True
        )
    ]


def themes_view(doc: Document) -> list[tuple[str, str]]:
    names = dict(zip(doc.themes["id"], doc.themes["name"], strict=True))
    return [
        (e, names[t])
        for e, t in zip(doc.event_themes["event_id"], doc.event_themes["theme_id"], strict=True)
    ]


def assert_same_events(back: Document, doc: Document) -> None:
    assert events_view(back) == events_view(doc)
    assert links_view(back) == links_view(doc)
    assert themes_view(back) == themes_view(doc)


def csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


DANGEROUS_TEXTS = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tlead", "\rlead", '=HYPERLINK("http://x")']


def dangerous_document() -> Document:
    return make_document(
        [
            {
                "id": "-id",
                "title": "=1+1",
                "summary": "\tlead+cmd|' /C calc'!A0",
                "start": "-44-03-15",
                "end": "2020",
                "actors": [{"actor": "a1", "role": "-role"}, {"actor": "a2", "role": "@r"}],
                "themes": ["t1"],
                "sources": ["s1"],
                "figures": [{"text": "-5%"}],
            },
            {
                "id": "e2",
                "title": "http://example.com",
                "summary": "\rcr",
                "start": "2021-02-03T04:05",
            },
        ],
        actors=[{"id": "a1", "name": "@evil"}, {"id": "a2", "name": "Plain"}],
        themes=[{"id": "t1", "name": "+theme"}],
        sources=[{"id": "s1", "publisher": "=pub", "title": "t"}],
    )


# --- the guard --------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", DANGEROUS)
def test_every_dangerous_prefix_is_quoted(prefix: str) -> None:
    assert guard(prefix + "x") == "'" + prefix + "x"
    assert guard(prefix) == "'" + prefix
    assert guard("''" + prefix) == "'''" + prefix  # so that reading back is exact
    assert unguard_text(guard(prefix + "x")) == prefix + "x"


@pytest.mark.parametrize("safe", ["", "a=1", "1-2", "'", "'a", "x@y", " =x", "ok\t"])
def test_safe_text_is_untouched(safe: str) -> None:
    assert guard(safe) == safe
    assert unguard_text(safe) == safe


@pytest.mark.parametrize("number", [5, -3, -2.5, 0, 1e300])
def test_numbers_are_untouched(number: float) -> None:
    assert guard(number) == number


@given(st.text())
def test_unguard_inverts_guard(text: str) -> None:
    guarded = guard(text)
    assert unguard_text(guarded) == text
    assert not guarded.startswith(DANGEROUS)


def test_header_and_numbers_in_csv() -> None:
    data = dumps_rows(["=head", "ok", "-x", "@y"], [[1, -2.5, "=x", "+y"], [-3, 0, "a", "\tb"]])
    assert csv_cells(data) == [
        ["'=head", "ok", "'-x", "'@y"],
        ["1", "-2.5", "'=x", "'+y"],
        ["-3", "0", "a", "'\tb"],
    ]


def test_export_cells_are_guarded() -> None:
    cells = csv_cells(dumps_csv(dangerous_document()))
    assert cells[0] == list(COLUMNS)
    flat = [c for row in cells for c in row]
    assert not [c for c in flat if c.startswith(DANGEROUS)]
    row = dict(zip(cells[0], cells[1], strict=True))
    assert row["id"] == "'-id"
    assert row["title"] == "'=1+1"
    assert row["start"] == "'-44-03-15"
    assert row["actors"] == "'@evil; Plain"
    assert row["summary"].startswith("'\tlead")
    assert row["roles"] == "'-role; @r"
    assert row["themes"] == "'+theme"
    assert row["sources"] == "'=pub: t"
    assert row["figures"] == "'-5%"


def test_export_columns_and_dates(story: Document) -> None:
    cells = csv_cells(dumps_csv(story))
    assert cells[0] == list(COLUMNS)
    assert len(cells) == len(story.events) + 1
    for row, cell in zip(story.events.itertuples(), cells[1:], strict=True):
        assert cell[1] == format_iso(row.start, Precision(row.start_precision))
        assert cell[2] == (
            "" if row.end_precision == NO_END else format_iso(row.end, Precision(row.end_precision))
        )


def test_roles_column_is_blank_without_roles() -> None:
    doc = make_document(
        [{"id": "e1", "title": "t", "start": "2020", "actors": ["a1", "a2"]}],
        actors=[{"id": "a1", "name": "A"}, {"id": "a2", "name": "B"}],
    )
    row = dict(zip(*csv_cells(dumps_csv(doc)), strict=True))
    assert row["actors"] == "A; B"
    assert row["roles"] == ""


# --- Excel ------------------------------------------------------------------------------


def test_excel_has_no_formula_or_link_cells(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_excel(dangerous_document(), path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert cells
    assert {c.data_type for c in cells} <= {"s", "inlineStr", "n"}  # never "f" (formula)
    assert all(c.hyperlink is None for c in cells)
    titles = [c.value for c in sheet["D"]]
    assert titles[:3] == ["title", "'=1+1", "http://example.com"]
    back = read_any(path).document
    assert back.events["title"].tolist() == ["=1+1", "http://example.com"]
    assert back.events["id"].tolist() == ["-id", "e2"]
    assert links_view(back) == [("-id", "@evil", "-role"), ("-id", "Plain", "@r")]
    assert back.events["summary"].tolist()[1] == "\ncr"  # Excel keeps no carriage returns


def test_excel_rows_guard_header_and_keep_numbers(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    write_excel_rows(path, ["=head", "n"], [["=x", 5], ["-y", -2.5]], 2)
    sheet = openpyxl.load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    types = [[c.data_type for c in row] for row in sheet.iter_rows()]
    assert values == [["'=head", "n"], ["'=x", 5], ["'-y", -2.5]]
    strings = {"s", "inlineStr"}
    assert [[t in strings for t in row] for row in types] == [
        [True, True],
        [True, False],
        [True, False],
    ]
    assert "f" not in {t for row in types for t in row}


def test_excel_replaces_characters_it_cannot_store(tmp_path: Path) -> None:
    path = tmp_path / "ctl.xlsx"
    doc = make_document([{"id": "e1", "title": "bell\x07here", "start": "2020"}])
    write_excel(doc, path)
    assert openpyxl.load_workbook(path).active["D2"].value == "bell\ufffdhere"


def test_excel_cell_too_long_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"old")
    doc = make_document([{"id": "e1", "title": "x" * 40_000, "start": "2020"}])
    with pytest.raises(WriteError, match="32,767"):
        write_excel(doc, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["old.xlsx"]


def test_excel_round_trip_story(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "story.xlsx"
    write_excel(story, path)
    result = read_any(path)
    assert result.format == "excel"
    assert result.skipped_total == 0
    assert_same_events(result.document, story)


# --- CSV round trips --------------------------------------------------------------------


def test_csv_round_trip_story(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "story.csv"
    write_csv(story, path)
    result = read_any(path)
    assert result.format == "csv"
    assert result.skipped_total == 0
    assert_same_events(result.document, story)
    assert any('columns not used: "sources", "figures"' in n for n in result.notes)


def test_dangerous_document_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    doc = dangerous_document()
    write_csv(doc, path)
    assert_same_events(get("csv").open(path, ReadOptions()).document, doc)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tables")


csv_documents = documents(names=plain_name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_documents)
def test_generated_csv_round_trip(scratch: Path, doc: Document) -> None:
    path = scratch / "doc.csv"
    write_csv(doc, path)
    result = get("csv").open(path, ReadOptions())
    assert result.skipped_total == 0, result.skipped
    assert_same_events(result.document, doc)


excel_text = st.text(
    st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n"), max_size=12
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents(
        names=plain_name, text=excel_text, idents=excel_text.filter(lambda s: s.strip() != "")
    )
)
def test_generated_excel_round_trip(scratch: Path, doc: Document) -> None:
    path = scratch / "doc.xlsx"
    write_excel(doc, path)
    result = get("excel").open(path, ReadOptions())
    assert result.skipped_total == 0, result.skipped
    assert_same_events(result.document, doc)


# --- vectorised dates -------------------------------------------------------------------


@given(st.lists(dates(), max_size=20))
def test_iso_dates_match_format_iso(written: list[str]) -> None:
    values = [parse_date(w) for w in written]
    out = iso_dates([v.seconds for v in values], [int(v.precision) for v in values]).to_pylist()
    # As format_iso, but years past 9999 carry ISO 8601's expanded-year "+".
    expanded = ["+" + w if len(w.split("-")[0]) > 4 and w[0].isdigit() else w for w in written]
    assert out == expanded
    assert [w.lstrip("+") for w in out] == [format_iso(v.seconds, v.precision) for v in values]


def test_iso_dates_no_end() -> None:
    assert iso_dates([0, 0], [NO_END, int(Precision.DAY)]).to_pylist() == ["", "1970-01-01"]


def test_duplicate_ids_refused_and_old_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "keep.csv"
    path.write_text("old")
    doc = make_document([{"id": "e1", "title": "t", "start": "2020"}])
    doc.events = doc.events.iloc[[0, 0]].reset_index(drop=True)
    with pytest.raises(WriteError, match="not unique"):
        write_csv(doc, path)
    assert path.read_text() == "old"


# --- names that hold separators, quotes or spaces read back whole -----------------------

HOSTILE_NAMES = ["Smith; Jones LLP", "AT|T", "\t=1+1", " =1+1", "\n=1+1", '"Quoted"', 'a"b']


def hostile_names_document(names: list[str], themes: list[str]) -> Document:
    return make_document(
        [
            {
                "id": "e1",
                "title": "t",
                "start": "2020",
                "actors": [
                    {"actor": f"a{i}", "role": "lead; counsel" if i == 0 else f" r{i} "}
                    for i in range(len(names))
                ],
                "themes": [f"t{i}" for i in range(len(themes))],
            }
        ],
        actors=[{"id": f"a{i}", "name": n} for i, n in enumerate(names)],
        themes=[{"id": f"t{i}", "name": n} for i, n in enumerate(themes)],
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_with_separators_quotes_and_spaces_round_trip(tmp_path: Path, suffix: str) -> None:
    doc = hostile_names_document(HOSTILE_NAMES, ["war; peace", " padded "])
    path = tmp_path / f"names{suffix}"
    (write_csv if suffix == ".csv" else write_excel)(doc, path)
    back = read_any(path).document
    assert links_view(back) == links_view(doc)
    assert themes_view(back) == themes_view(doc)


def test_quoted_names_are_readable_in_the_cell() -> None:
    doc = hostile_names_document(["Smith; Jones LLP", "Acme", " =1+1"], ["war; peace"])
    header, row = csv_cells(dumps_csv(doc))
    cells = dict(zip(header, row, strict=True))
    assert cells["actors"] == '"Smith; Jones LLP"; Acme; " =1+1"'
    assert cells["roles"] == '"lead; counsel"; " r1 "; " r2 "'
    assert cells["themes"] == '"war; peace"'


def test_a_hand_written_list_with_quotes_reads_as_written(tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text(
        'date,title,actors\n2020,x,"""Smith; Jones"" ; Acme | The ""Boss""; ""open"\n',
        newline="",
    )
    back = read_any(path).document
    assert sorted(back.actors["name"]) == ['"open', "Acme", "Smith; Jones", 'The "Boss"']


hostile_name = st.text(
    st.sampled_from([*'ab ;|"\t\n=', "é", "\u00a0"]), min_size=1, max_size=8
).filter(lambda s: s.strip(" \t\n\u00a0") != "" and s.strip() not in NA_LIKE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(hostile_name, min_size=1, max_size=4, unique=True),
    st.lists(hostile_name, max_size=3, unique=True),
)
def test_any_names_round_trip_through_csv(
    scratch: Path, names: list[str], themes: list[str]
) -> None:
    doc = hostile_names_document(names, themes)
    path = scratch / "names.csv"
    write_csv(doc, path)
    back = get("csv").open(path, ReadOptions()).document
    assert links_view(back) == links_view(doc)
    assert themes_view(back) == themes_view(doc)


def test_an_id_reading_like_an_na_token_survives_a_csv_round_trip(tmp_path: Path) -> None:
    """Hypothesis found it: one event whose id is "null" came back as "row-2"."""
    doc = make_document([{"id": "null", "title": "", "start": "1970"}])
    path = tmp_path / "one.csv"
    write_csv(doc, path)
    back = get("csv").open(path, ReadOptions()).document
    assert back.events["id"].tolist() == ["null"]
