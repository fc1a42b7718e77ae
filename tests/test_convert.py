"""Streaming conversion: the same document as the in-memory importers make, block by
block; set-aside rows keep their place in the whole file; cancel writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.app import main
from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.memory import MemoryBackend
from explorer.io.convert import convert
from explorer.io.formats import Cancelled, read_any
from explorer.io.parquet import read_parquet
from explorer.model.query import ALL, Filter
from explorer.model.store import EventStore


def _csv(path: Path, n: int) -> Path:
    lines = ["when,what,who,status,notes"]
    for i in range(n):
        if i % 97 == 40:
            lines.append(f"not a date,Broken {i},Host {i % 7},confirmed,x")
        elif i % 50 == 0:
            lines.append(
                f'03/04/20{10 + i % 9},"Event {i}, quoted",Host {i % 7},reported,"two\nlines"'
            )
        else:
            lines.append(f"2{i % 3}/0{1 + i % 9}/2015,Event {i},Host {i % 7},alleged,n{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path, n: int) -> Path:
    rows = []
    for i in range(n):
        if i % 31 == 5:
            rows.append("{not json")
            continue
        rows.append(
            json.dumps(
                {
                    "message": f"Logon {i}",
                    "datetime": f"2021-05-{1 + i % 28:02d}T10:{i % 60:02d}:00+00:00",
                    "timestamp_desc": "Event Recorded",
                    "hostname": f"host{i % 3}",
                }
            )
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [_csv, _jsonl])
def test_blocks_make_the_document_the_importer_makes(tmp_path: Path, make: object) -> None:
    source = make(tmp_path / ("in.csv" if make is _csv else "in.jsonl"), 400)  # type: ignore[operator]
    whole = read_any(source)
    out = tmp_path / "out.parquet"
    done = convert([source], out, chunk_rows=37)
    got = read_parquet(out)
    want = whole.document
    assert done.events == len(want.events) == len(got.events)
    for column in ("id", "title", "summary", "start", "start_precision", "end", "status"):
        assert got.events[column].astype(str).tolist() == want.events[column].astype(str).tolist()
    assert sorted(got.actors["name"]) == sorted(want.actors["name"])
    assert len(got.links) == len(want.links)
    assert [str(r) for _, r in done.skipped] == [str(r) for r in whole.skipped]
    assert done.skipped_total == whole.skipped_total > 0


def test_the_output_opens_in_both_backends_with_equal_answers(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    convert([_csv(tmp_path / "in.csv", 300)], out, chunk_rows=50)
    memory = MemoryBackend(EventStore(read_parquet(out)))
    duck = DuckDBBackend(out, cache=tmp_path / "cache")
    assert duck.event_count() == memory.event_count()
    assert duck.span() == memory.span()
    lanes = memory.lanes().keys
    t0, t1 = memory.span()
    assert duck.density(ALL, lanes, t0, t1, 40).counts.tolist() == (
        memory.density(ALL, lanes, t0, t1, 40).counts.tolist()
    )
    flt = Filter(text="quoted")
    assert duck.event_count(flt) == memory.event_count(flt) > 0
    page = memory.page(ALL, "title", False, None, 20).keys
    assert duck.page(ALL, "title", False, None, 20).keys.tolist() == page.tolist()
    assert duck.record(int(page[3])) == memory.record(int(page[3]))
    assert duck.actor_counts().tolist() == memory.actor_counts().tolist()
    assert np.array_equal(duck.lanes().keys, lanes)


def test_cancel_leaves_no_output(tmp_path: Path) -> None:
    source = _csv(tmp_path / "in.csv", 300)
    out = tmp_path / "out.parquet"
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        convert([source], out, chunk_rows=20, cancelled=cancelled)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no temporary left


def test_the_command_line_converts_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path / "in.csv", 200)
    out = tmp_path / "out.parquet"
    skipped = tmp_path / "skipped.csv"
    code = main(["convert", str(source), str(out), "--skipped", str(skipped)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "100%" in err
    assert "in.csv: row 42: column" in err  # record 40 is row 42 (the header is row 1)
    assert "rows set aside" in err
    assert "events written" in err
    assert skipped.read_text().count("\nin.csv,row ") == 2  # records 40 and 137
    assert "in.csv,row 139," in skipped.read_text()
    assert len(read_parquet(out).events) == 198
    assert main(["convert", str(source)]) == 2
    assert main(["convert", str(tmp_path / "missing.csv"), str(tmp_path / "x.parquet")]) == 2
    assert not (tmp_path / "x.parquet").exists()


def test_open_large_file_converts_on_a_worker_then_opens(
    qtbot: object, window: object, tmp_path: Path
) -> None:
    source = _csv(tmp_path / "in.csv", 300)
    out = tmp_path / "in.parquet"
    win = window
    opener = win.large_files  # type: ignore[attr-defined]
    assert "file.open_large" in win.actions_by_id  # type: ignore[attr-defined]
    with qtbot.waitSignal(win.importer.opened, timeout=60_000):  # type: ignore[attr-defined]
        opener.convert_and_open([source], out)
    assert out.exists()
    assert win.store.n == 297  # type: ignore[attr-defined]
    # Cancel: nothing written, the open document untouched.
    other = tmp_path / "other.parquet"
    with qtbot.waitSignal(opener.finished, timeout=60_000) as ended:  # type: ignore[attr-defined]
        opener.convert_and_open([source], other)
        opener.cancel()
    assert ended.args == [None]
    assert not other.exists()
    assert win.store.n == 297  # type: ignore[attr-defined]
