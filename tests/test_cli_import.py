"""Importing and converting on the command line, run as a user runs it: in a subprocess,
checked by the files it writes, its exit status and its stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_write_table import assert_same_events

from explorer.io.formats import read_any
from explorer.io.native import read_native
from explorer.io.sample_files import generate_timesketch_csv
from explorer.model.document import Document
from explorer.resources import dataset_path

PLAIN_CSV = (
    "when,headline,who,notes\n"
    "03/04/2020,Meeting,Alice; Bob,kick-off call\n"
    "2020-05-01,Launch,Carol,product ships\n"
    "2020-06-30,Review,Alice,post-mortem\n"
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def lanes(doc: Document) -> dict[str, set[str]]:
    """Actor name -> titles of the events linked to it."""
    names = dict(zip(doc.actors["id"], doc.actors["name"], strict=True))
    titles = dict(zip(doc.events["id"], doc.events["title"], strict=True))
    out: dict[str, set[str]] = {}
    for event, actor in zip(doc.links["event_id"], doc.links["actor_id"], strict=True):
        out.setdefault(names[actor], set()).add(titles[event])
    return out


# --- opening several files ---------------------------------------------------------------------


def test_two_files_merge_with_lanes_by_source(tmp_path: Path) -> None:
    a = write(tmp_path / "alpha.csv", "date,title\n2020-01-01,a1\n2020-01-02,a2\n")
    b = write(tmp_path / "beta.csv", "date,title\n2020-01-01,b1\n")
    out = tmp_path / "merged.json"
    result = run(a, b, "--export", out)
    assert result.returncode == 0, result.stderr
    doc = read_native(out)
    assert sorted(doc.events["title"]) == ["a1", "a2", "b1"]
    assert doc.events["id"].is_unique
    assert lanes(doc) == {"alpha.csv": {"a1", "a2"}, "beta.csv": {"b1"}}
    assert set(doc.actors["kind"]) == {"source file"}


def test_merged_files_keep_their_own_actors(tmp_path: Path) -> None:
    a = generate_timesketch_csv(tmp_path / "a.csv", 20, seed=1)
    b = write(tmp_path / "b.csv", "date,title\n2020-01-01,b1\n")
    out = tmp_path / "merged.parquet"
    result = run(a, b, "--export", out)
    assert result.returncode == 0, result.stderr
    doc = read_any(out).document
    assert len(doc.events) == 21
    by_lane = lanes(doc)
    assert by_lane["b.csv"] == {"b1"}
    assert any(name.startswith("host-") for name in by_lane)  # a.csv's lanes are its hosts
    assert "a.csv: note: Lanes are hosts" in result.stderr


# --- choosing the reader and the columns -------------------------------------------------------


def test_format_forces_a_reader(tmp_path: Path) -> None:
    path = generate_timesketch_csv(tmp_path / "export.csv", 5, seed=2)
    detected, forced = tmp_path / "detected.json", tmp_path / "forced.json"
    assert run(path, "--export", detected).returncode == 0
    result = run(path, "--format", "csv", "--export", forced)
    assert result.returncode == 0, result.stderr
    by_detection, by_table = read_native(detected), read_native(forced)
    # Timesketch: lanes are hosts, ids from rows; as a plain table the guess maps columns.
    assert set(by_detection.actors["kind"]) == {"host"}
    assert 'columns read as: date "datetime"' in result.stderr
    assert len(by_table.events) == 5
    assert list(by_table.events["start"]) == list(by_detection.events["start"])


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", PLAIN_CSV)
    result = run(path, "--format", "nope", "--export", tmp_path / "x.json")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "timeline-explorer: unknown format 'nope' (known: "
        + result.stderr.split("(known: ", 1)[1].strip()
    )
    assert "timesketch-csv" in result.stderr
    assert not (tmp_path / "x.json").exists()


def test_map_chooses_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV)
    out = tmp_path / "out.json"
    result = run(path, "--map", "title=notes", "--map", "text=headline", "--export", out)
    assert result.returncode == 0, result.stderr
    doc = read_native(out)
    assert list(doc.events["title"]) == ["kick-off call", "product ships", "post-mortem"]
    assert list(doc.events["summary"]) == ["Meeting", "Launch", "Review"]
    assert lanes(doc)["Alice"] == {"kick-off call", "post-mortem"}


def test_map_a_role_twice_and_date_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "matches.csv",
        "day,home,away,score\n03/04/2020,Ajax,PSV,1-0\n05/06/2020,PSV,Feyenoord,2-2\n",
    )
    out = tmp_path / "out.csv"
    result = run(
        path,
        *("--map", "date=day", "--map", "actors=home", "--map", "actors=away"),
        *("--date-order", "mdy", "--export", out),
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["start"] for r in rows] == ["2020-03-04", "2020-05-06"]  # month/day
    assert [r["actors"] for r in rows] == ["Ajax; PSV", "PSV; Feyenoord"]
    assert [r["roles"] for r in rows] == ["home; away", "home; away"]


def test_map_for_a_column_not_in_the_file_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "plain.csv", PLAIN_CSV)
    result = run(path, "--map", "title=nope", "--export", tmp_path / "x.json")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('timeline-explorer: plain.csv: column "nope" given for title')


def test_map_is_reported_unused_for_a_format_without_columns(tmp_path: Path) -> None:
    path = generate_timesketch_csv(tmp_path / "ts.csv", 3, seed=1)
    result = run(path, "--map", "title=message", "--export", tmp_path / "x.json")
    assert result.returncode == 0, result.stderr
    assert "ts.csv: --map and --date-order are not used for this file" in result.stderr


# --- converting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "to", "reader"),
    [
        ("story.json", None, "native"),
        ("story.parquet", None, "parquet"),
        ("story.csv", None, "csv"),
        ("story.xlsx", None, "excel"),
        ("story.timelinejs.json", None, "timelinejs"),
        ("story.json", "timelinejs", "timelinejs"),
        ("story.data", "csv", "csv"),
    ],
)
def test_export_writes_each_format_and_reads_back(
    tmp_path: Path, story: Document, name: str, to: str | None, reader: str
) -> None:
    out = tmp_path / name
    result = run("--export", out, *(("--to", to) if to else ()))
    assert result.returncode == 0, result.stderr
    back = read_any(out, reader if to else None)
    assert back.format == reader
    doc = back.document
    if reader in ("native", "parquet"):
        assert doc.equals(story)
    elif reader in ("csv", "excel"):
        assert back.skipped_total == 0
        assert_same_events(doc, story)
    else:  # TimelineJS carries titles, dates with their precision, ids and one group
        cols = ["id", "start", "start_precision", "end", "end_precision"]
        assert (
            doc.events[cols]
            .reset_index(drop=True)
            .equals(story.events[cols].reset_index(drop=True))
        )
        story_json = json.loads(out.read_text(encoding="utf-8"))
        assert len(story_json["events"]) == len(story.events)


def test_import_then_export_to_every_format(tmp_path: Path) -> None:
    """A Timesketch export converted to each format opens again with the same events."""
    path = generate_timesketch_csv(tmp_path / "ts.csv", 40, seed=5)
    original = read_any(path).document
    for name in ("a.json", "a.parquet", "a.csv", "a.xlsx", "a.timelinejs.json"):
        out = tmp_path / name
        result = run(path, "--export", out, "--quiet")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        doc = read_any(out).document
        assert sorted(doc.events["start"]) == sorted(original.events["start"]), name


def test_unknown_export_extension_and_to_without_export(tmp_path: Path) -> None:
    result = run("--export", tmp_path / "out.doc")
    assert result.returncode == 2
    assert "out.doc: unknown export format" in result.stderr
    result = run("--to", "csv")
    assert result.returncode == 2
    assert "--to needs --export" in result.stderr


# --- bad input --------------------------------------------------------------------------------


def test_a_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    good = write(tmp_path / "good.csv", PLAIN_CSV)
    bad = write(tmp_path / "results.csv", "title,count\nA,1\nB,2\n")
    out = tmp_path / "out.json"
    result = run(good, bad, "--export", out)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("timeline-explorer: results.csv: no column looks like dates")
    assert not out.exists()


def test_bad_rows_are_set_aside_and_listed(tmp_path: Path) -> None:
    rows = ["date,title"] + [f"2020-01-{d:02d},ok {d}" for d in range(1, 11)]
    rows += [f"31/02/2020,bad {i}" for i in range(8)] + ["soon,worse"]
    path = write(tmp_path / "results.csv", "\n".join(rows) + "\n")
    out, skipped = tmp_path / "out.json", tmp_path / "skipped.csv"
    result = run(path, "--export", out)
    assert result.returncode == 0, result.stderr
    assert len(read_native(out).events) == 10
    err = result.stderr.splitlines()
    assert "timeline-explorer: results.csv: 9 rows set aside" in err
    assert (
        'timeline-explorer: results.csv: row 12: column "date": "31/02/2020" is not a date '
        "(February 2020 has no day 31, read as day/month)"
    ) in err
    assert sum("is not a date" in line for line in err) == 5  # the first few
    assert "... and 4 more (--skipped FILE.csv writes the list)" in result.stderr
    assert not skipped.exists()

    result = run(path, "--export", out, "--skipped", skipped)
    assert result.returncode == 0, result.stderr
    assert "more (--skipped" not in result.stderr
    listed = list(csv.DictReader(io.StringIO(skipped.read_text(encoding="utf-8"))))
    assert len(listed) == 9
    assert listed[0] == {
        "file": "results.csv",
        "where": "row 12",
        "field": "date",
        "reason": '"31/02/2020" is not a date (February 2020 has no day 31, read as day/month)',
    }
    assert listed[-1]["where"] == "row 20"


def test_skipped_lists_every_file_of_a_merge(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "date,title\n2020-01-01,ok\nnever,bad\n")
    b = write(tmp_path / "b.csv", "date,title\nsoon,bad\n2020-01-02,ok\n")
    skipped = tmp_path / "skipped.csv"
    result = run(a, b, "--export", tmp_path / "out.json", "--skipped", skipped, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    listed = list(csv.reader(io.StringIO(skipped.read_text(encoding="utf-8"))))
    assert [row[:3] for row in listed] == [
        ["file", "where", "field"],
        ["a.csv", "row 3", "date"],
        ["b.csv", "row 2", "date"],
    ]


def test_screenshot_of_an_imported_file(tmp_path: Path) -> None:
    path = generate_timesketch_csv(tmp_path / "ts.csv", 30, seed=6)
    shot = tmp_path / "shot.png"
    result = run(path, "--screenshot", shot, "--size", "900x600", "--quiet")
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_default_is_still_the_embedded_story(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run("--export", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == dataset_path().read_bytes()
