"""The command line over a real PostgreSQL started by the suite: convert the embedded
story into a table, then export it back from the table; refusals are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.app import main
from explorer.io.native import read_native
from explorer.resources import dataset_path
from tests import engines

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_url() -> str:
    return engines.url("postgres")


def test_story_round_trips_through_postgresql(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = dataset_path()
    assert main(["convert", str(story), "--to", pg_url, "--table", "story"]) == 0
    assert "story: 6 events" in capsys.readouterr().err
    out = tmp_path / "out.json"
    assert main(["--source", pg_url, "--table", "story", "--export", str(out)]) == 0
    back, original = read_native(out), read_native(story)
    # Events, dates at their precision, actors and roles, status, sources: all of it.
    assert back.equals(original)
    assert back.events["start_precision"].tolist() == original.events["start_precision"].tolist()
    assert back.links.values.tolist() == original.links.values.tolist()
    assert back.event_sources.values.tolist() == original.event_sources.values.tolist()


def test_export_from_a_source_applies_the_filter(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = read_native(dataset_path())
    assert main(["convert", str(dataset_path()), "--to", pg_url, "--table", "story_f"]) == 0
    status = str(story.events["status"].iloc[0])
    out = tmp_path / "some.json"
    argv = ["--source", pg_url, "--table", "story_f", "--status", status, "--export", str(out)]
    assert main(argv) == 0
    want = story.events.loc[story.events["status"].astype(str) == status, "id"].tolist()
    assert read_native(out).events["id"].tolist() == want
    assert 0 < len(want) < len(story.events)


def test_a_missing_table_is_one_line(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--source", pg_url, "--table", "nowhere", "--export", str(tmp_path / "x.json")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "nowhere: no such table" in err
    assert not (tmp_path / "x.json").exists()


def test_a_refused_connection_is_one_line_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://te:s3cret@127.0.0.1:{engines.free_port()}/postgres"
    assert main(["--source", url, "--table", "story", "--export", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "cannot connect" in err
    assert "s3cret" not in err
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "t"]) == 2
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_foreign_table_opens_through_a_column_mapping(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table the program did not load (a log with its own columns) is read through
    --map; its count tables are made beside it, and the export has its events."""
    from explorer.engines.sql_engines import connect

    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))
    engine = connect(pg_url)
    engine.execute("DROP TABLE IF EXISTS weblog", render_it=False)
    engine.execute(
        "CREATE TABLE weblog (ts TIMESTAMP, host TEXT, msg TEXT, sev TEXT)", render_it=False
    )
    engine.execute(
        "INSERT INTO weblog VALUES ('2024-03-01 10:00:00', 'web1', 'login failed', 'reported'),"
        "('2024-03-01 10:05:00', 'web2', 'login ok', 'confirmed'),"
        "('2024-03-02 09:00:00', 'web1', 'logout', 'confirmed')",
        render_it=False,
    )
    engine.close()
    out = tmp_path / "log.json"
    argv = ["--source", pg_url, "--table", "weblog", "--map", "date=ts", "--map", "title=msg",
            "--map", "actors=host", "--map", "status=sev", "--export", str(out)]  # fmt: skip
    assert main(argv) == 0
    doc = read_native(out)
    assert sorted(doc.events["title"]) == ["login failed", "login ok", "logout"]
    assert sorted(doc.actors["name"]) == ["web1", "web2"]
    assert sorted(doc.events["status"].astype(str)) == ["confirmed", "confirmed", "reported"]
    # Without --map the table is refused with the command that loads it.
    assert main(["--source", pg_url, "--table", "weblog", "--export", str(out)]) == 2


def test_tz_applies_to_an_export_from_a_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--tz works from a source as from a file: tables get the zone's local-time columns,
    a bad zone is one line (over a DuckDB database file: no server needed)."""
    url = f"duckdb:///{tmp_path / 'cases.duckdb'}"
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "story"]) == 0
    out = tmp_path / "story.csv"
    argv = ["--source", url, "--table", "story", "--tz", "Asia/Kolkata", "--export", str(out)]
    assert main(argv) == 0
    header, *rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert "start_local" in header.split(",")
    assert any("24 June 2026" in r or "2026-06-24" in r for r in rows)
    assert main(["--source", url, "--table", "story", "--tz", "Nowhere/City"]) == 2
    assert "--tz" in capsys.readouterr().err
