"""The real football tables of the shared corpus, opened with the guessed mapping.

Skipped when the corpus is not beside the repository. Each test also records a row
in /tmp/formats_tables.md (format, file, events read, set aside, first, last, notes)
for the formats documentation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, read_any
from explorer.io.result import ImportResult
from explorer.model.dates import Precision, format_iso

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TABLE = Path("/tmp/formats_tables.md")
HEADER = (
    "| format | file | events read | set aside | first | last | notes |\n"
    "|---|---|---|---|---|---|---|\n"
)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus beside the repo")

_rows: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def markdown() -> Iterator[None]:
    yield
    if _rows:
        TABLE.write_text(HEADER + "".join(_rows[k] for k in sorted(_rows)), encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _bounds(result: ImportResult) -> tuple[str, str]:
    events = result.document.events
    start = events["start"].to_numpy()
    prec = events["start_precision"].to_numpy()
    first, last = int(np.argmin(start)), int(np.argmax(start))
    return (
        format_iso(int(start[first]), Precision(int(prec[first]))),
        format_iso(int(start[last]), Precision(int(prec[last]))),
    )


def _record(name: str, result: ImportResult, seconds: float) -> None:
    first, last = _bounds(result)
    notes = "; ".join(result.notes) + f"; read in {seconds:.2f} s"
    _rows[name] = (
        f"| {result.format} | {name} | {len(result.document.events):,} | "
        f"{result.skipped_total} | {first} | {last} | {_cell(notes)} |\n"
    )


@pytest.mark.parametrize(
    ("name", "events", "first", "last", "actors", "themes"),
    [
        ("other/results.csv", 49_520, "1872-11-30", "2026-07-19", 337, 202),
        ("other/goalscorers.csv", 47_914, "1916-07-02", "2026-07-19", 220, 0),
        ("other/shootouts.csv", 683, "1967-08-22", "2026-07-07", 231, 0),
        ("other/former_names.csv", 36, "1882-02-18", "2003-02-04", 0, 0),
    ],
)
def test_football_tables(
    name: str, events: int, first: str, last: str, actors: int, themes: int
) -> None:
    path = CORPUS / name
    t0 = time.perf_counter()
    result = read_any(path)
    seconds = time.perf_counter() - t0
    _record(name, result, seconds)
    doc = result.document
    assert result.format == "csv"
    assert len(doc.events) == events
    assert result.skipped_total == 0
    assert _bounds(result) == (first, last)
    assert len(doc.actors) == actors
    assert len(doc.themes) == themes
    assert (doc.events["start_precision"] == Precision.DAY).all()


def test_results_shape() -> None:
    doc = read_any(CORPUS / "other" / "results.csv").document
    assert doc.events["title"].iloc[0] == "Scotland – England"
    assert len(doc.links) == 2 * 49_520
    assert set(doc.links["role"]) == {"home_team", "away_team"}
    assert "Viña del Mar" in set(doc.events["summary"].str.extract(r"city: (.*)\n")[0])


def test_goalscorers_na_is_empty() -> None:
    result = read_any(CORPUS / "other" / "goalscorers.csv")
    assert any("298 cells reading NA" in n for n in result.notes)
    assert "NA" not in set(result.document.actors["name"])
    scorers = read_any(
        CORPUS / "other" / "goalscorers.csv", options=ReadOptions(mapping={"actors": "scorer"})
    ).document
    assert "NA" not in set(scorers.actors["name"])
    assert len(scorers.links) == 47_914 - 44  # the 44 goals without a scorer have no actor


def test_former_names_are_spans() -> None:
    doc = read_any(CORPUS / "other" / "former_names.csv").document
    assert (doc.events["end_precision"] == Precision.DAY).all()
    assert (doc.events["end"] > doc.events["start"]).all()
    assert doc.events["title"].iloc[0] == "Benin"


def test_parser_test_is_not_a_timeline() -> None:
    path = CORPUS / "timelinejs3" / "parser_test.csv"
    if not path.exists():
        pytest.skip("parser_test.csv not in the corpus")
    with pytest.raises(ReadError, match="no column looks like dates") as info:
        read_any(path, "csv")
    _rows["timelinejs3/parser_test.csv"] = (
        f"| csv | timelinejs3/parser_test.csv | refused | – | – | – | {_cell(str(info.value))} |\n"
    )
