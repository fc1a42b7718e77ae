"""What a shared engine must never do to the analyst: overwrite a table it did not load,
show one database's rows for another's, show a grown log as it was, or print a secret.
Over DuckDB database files (the SQL backend's dialect needing no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.app import main
from explorer.engines import sql_foreign
from explorer.engines.sql_engines import EngineError, connect, redact
from explorer.io.native import read_native, write_native
from explorer.resources import dataset_path
from tests.factories import event, make_document

MAP = ["--map", "date=ts", "--map", "title=msg", "--map", "actors=host"]


def make_log(path: Path, rows: list[tuple[str, str, str]]) -> str:
    url = f"duckdb:///{path}"
    engine = connect(url)
    engine.execute("CREATE TABLE IF NOT EXISTS events (ts VARCHAR, host VARCHAR, msg VARCHAR)")
    for ts, host, msg in rows:
        engine.execute(f"INSERT INTO events VALUES ('{ts}', '{host}', '{msg}')")
    engine.close()
    return url


def titles(url: str, tmp_path: Path) -> list[str]:
    out = tmp_path / "out.json"
    assert main(["--source", url, "--table", "events", *MAP, "--export", str(out)]) == 0
    return sorted(read_native(out).events["title"])


def test_convert_refuses_to_overwrite_a_table_it_did_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_log(tmp_path / "cases.duckdb", [("2024-01-01", "h", "precious")])
    argv = ["convert", str(dataset_path()), "--to", url, "--table", "events"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "was not loaded by timeline-explorer" in err
    assert len(err.strip().splitlines()) == 1
    assert titles(url, tmp_path) == ["precious"]  # untouched
    # A timeline loaded before is replaced without asking; --replace overwrites the rest.
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "story"]) == 0
    assert main(["convert", str(dataset_path()), "--to", url, "--table", "story"]) == 0
    assert main([*argv, "--replace"]) == 0


def test_a_mapped_table_is_derived_again_when_it_grows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache"))
    url = make_log(tmp_path / "log.duckdb", [("2024-01-01", "h1", "first")])
    assert titles(url, tmp_path) == ["first"]
    make_log(tmp_path / "log.duckdb", [("2024-01-02", "h2", "second")])
    assert titles(url, tmp_path) == ["first", "second"]


def test_two_databases_never_share_a_local_cache(tmp_path: Path, monkeypatch) -> None:
    """Without write rights on the engine, count tables live in a local cache: one per
    database, even when their tables, mappings and sizes are alike."""
    monkeypatch.setenv("TIMELINE_EXPLORER_CACHE", str(tmp_path / "cache" / "index"))
    real = sql_foreign.upload_document
    shared = ("a.duckdb", "b.duckdb")

    def read_only_engines(engine, table, doc, *args, **kwargs):  # type: ignore[no-untyped-def]
        if engine.url.endswith(shared):
            raise EngineError(f"{table}: permission denied")
        return real(engine, table, doc, *args, **kwargs)

    monkeypatch.setattr(sql_foreign, "upload_document", read_only_engines)
    a = make_log(tmp_path / "a.duckdb", [("2024-01-01", "alice", "case A")])
    b = make_log(tmp_path / "b.duckdb", [("2024-01-01", "bob", "case B")])
    assert titles(a, tmp_path) == ["case A"]
    assert titles(b, tmp_path) == ["case B"]
    assert len(list((tmp_path / "cache").rglob("*.duckdb"))) == 2


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://kim:S3cretPW@db:5432/cases",
        "postgresql://kim@db/cases?password=S3cretPW&sslmode=require",
        "sc://spark:15002/;token=S3cretPW;user_id=kim",
        "clickhouse://kim:S3cretPW@ch:8123/logs",
    ],
)
def test_secrets_never_reach_a_message(url: str) -> None:
    shown = redact(url)
    assert "S3cretPW" not in shown
    assert "kim" in shown


def test_convert_says_annotations_stay_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from explorer.model.annotations import StarEvents, TagEvents

    doc = make_document([event("a", "2020-01-01"), event("b", "2020-02-01")])
    from explorer.engines.memory import MemoryBackend
    from explorer.model.store import EventStore

    backend = MemoryBackend(EventStore(doc))
    backend.apply(StarEvents(("a",), True))
    backend.apply(TagEvents(("b",), "follow-up", True))
    path = tmp_path / "annotated.json"
    write_native(backend.document, path)
    url = f"duckdb:///{tmp_path / 'shared.duckdb'}"
    assert main(["convert", str(path), "--to", url, "--table", "t"]) == 0
    err = capsys.readouterr().err
    assert "1 stars, 1 tags not loaded" in err
