"""The backends the equality suite runs against, and generated documents for it.

To add a backend, register a factory that opens a Document as that backend:

    from tests.backends import register
    register("duckdb", lambda doc, tmp_path: DuckDBBackend.from_document(doc, tmp_path))

(in this module, beside "memory", so every run includes it). A factory takes the
Document and a private temporary folder (for files a backend writes) and returns a
TimelineQueries. tests/test_backend_equality.py then holds each backend's answers
to the in-memory backend's, the oracle, on hypothesis-generated documents and on
the embedded story.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from explorer.engines.memory import MemoryBackend
from explorer.io.native import document_from_json
from explorer.model.document import ClaimStatus, Document
from explorer.model.query import TimelineQueries
from explorer.model.store import EventStore
from tests.factories import document_json, event

Factory = Callable[[Document, Path], TimelineQueries]

BACKENDS: dict[str, Factory] = {}
_COUNTER = itertools.count()


def register(name: str, factory: Factory) -> None:
    BACKENDS[name] = factory


def memory_backend(doc: Document, _tmp: Path | None = None) -> MemoryBackend:
    return MemoryBackend(EventStore(doc))


register("memory", memory_backend)


def duckdb_backend(doc: Document, tmp: Path) -> TimelineQueries:
    """The document as Parquet, answered out of core through its DuckDB sidecar."""
    from explorer.engines.duckdb_backend import DuckDBBackend
    from explorer.io.parquet import write_parquet

    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "document.parquet"
    write_parquet(doc, path)
    return DuckDBBackend(path, cache=tmp / "cache", overlay=overlay_files(tmp))


def overlay_files(tmp: Path) -> Any:
    """A fresh overlay for each generated document (hypothesis reuses `tmp`)."""
    from explorer.engines.overlay import OverlayFiles

    n = next(_COUNTER)
    saved = tmp / f"overlay-{n}.json"
    return OverlayFiles(saved=saved, unsaved=tmp / f"overlay-{n}.json.unsaved", beside_data=True)


register("duckdb", duckdb_backend)

# Backends that refuse edits (with a reason), and why: their edit tests are skipped.
# (DuckDB was one until its overlay: it now takes every edit the oracle takes.)
READ_ONLY: dict[str, str] = {}

STATUSES = [s.value for s in ClaimStatus]
_DATES = st.one_of(
    st.integers(1990, 2030).map(str),
    st.tuples(st.integers(2000, 2003), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(2000, 2003), st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"
    ),
    st.tuples(
        st.integers(2001, 2001), st.integers(1, 2), st.integers(1, 3), st.integers(0, 23)
    ).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}T{t[3]:02d}"),
)
_WORDS = st.sampled_from(["alpha", "Beta", "gamma", "", "Delta beta", "ALPHA", "zeta"])
_TAGS = st.sampled_from(["follow-up", "beta lead", "Bad", "timestomped"])


@st.composite
def documents(draw: Any, max_events: int = 25) -> Document:
    """Small documents with every feature the queries read: precisions, spans, several
    actors per event (and none), repeated titles, sources with and without dates."""
    n_actors = draw(st.integers(0, 4))
    actors = [
        {"id": f"a{i}", "name": draw(_WORDS) or f"Actor {i}", "kind": draw(_WORDS), "posture": ""}
        for i in range(n_actors)
    ]
    sources = [
        {
            "id": f"s{i}",
            "publisher": draw(_WORDS),
            "title": f"Source {i}",
            # Independence falls back on the web site when there is no publisher.
            "url": draw(st.sampled_from(["", "https://www.a.org/x", "https://a.org/y"])),
            "published": draw(st.one_of(st.none(), _DATES)),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    themes = [
        {"id": f"t{i}", "name": draw(_WORDS) or f"Theme {i}"}
        for i in range(draw(st.integers(0, 2)))
    ]
    events = []
    for i in range(draw(st.integers(0, max_events))):
        start = draw(_DATES)
        fields: dict[str, Any] = {
            "title": draw(_WORDS) + f" {i % 3}",
            "summary": draw(_WORDS),
            "status": draw(st.sampled_from(STATUSES)),
        }
        if draw(st.booleans()) and draw(st.booleans()):
            fields["end"] = draw(_DATES)
        if actors:
            chosen = draw(st.lists(st.sampled_from([a["id"] for a in actors]), max_size=3))
            fields["actors"] = [{"actor": a, "role": draw(_WORDS)} for a in chosen]
        if sources:
            fields["sources"] = draw(
                st.lists(st.sampled_from([s["id"] for s in sources]), max_size=2, unique=True)
            )
        if themes:
            fields["themes"] = draw(
                st.lists(st.sampled_from([t["id"] for t in themes]), max_size=2, unique=True)
            )
        record = event(f"e{i}", start, **fields)
        events.append(record)
    annotations = []
    for record in events:
        if not draw(st.integers(0, 2)):
            continue
        tags = draw(st.lists(_TAGS, max_size=2, unique=True))
        notes = [
            {
                "id": f"n{k}",
                "author": draw(_WORDS),
                "time": f"2026-12-0{k + 1}T10:00:00Z",
                "text": draw(_WORDS) or "a note",
            }
            for k in range(draw(st.integers(0, 2)))
        ]
        annotations.append(
            {"event": record["id"], "starred": draw(st.booleans()), "tags": tags, "notes": notes}
        )
    # An end before its start is refused by the reader: drop such ends.
    doc = None
    data = document_json(events, actors, sources, themes, annotations=annotations, version=2)
    for record in events:
        if "end" in record:
            try:
                document_from_json(
                    document_json([dict(record)], actors, sources, themes), Path("t.json")
                )
            except Exception:
                del record["end"]
    doc = document_from_json(data, Path("generated.json"))
    return doc


def sql_duckdb_backend(doc: Document, tmp: Path) -> TimelineQueries:
    """The SQL backend over a DuckDB database file (the dialect needing no server)."""
    from explorer.engines.sql_backend import SqlBackend
    from explorer.engines.sql_engines import connect
    from explorer.engines.sql_tables import upload_document

    tmp.mkdir(parents=True, exist_ok=True)
    engine = connect(f"duckdb:///{tmp / 'engine.duckdb'}")
    upload_document(engine, "story", doc)
    return SqlBackend(engine, "story")


register("sql-duckdb", sql_duckdb_backend)
READ_ONLY["sql-duckdb"] = "a shared SQL table is read-only"


def sql_overlay_backend(doc: Document, tmp: Path) -> TimelineQueries:
    """The same table under the analyst's overlay (issue 10, point 5): edits and
    annotations of a shared table, kept locally."""
    from explorer.engines.sql_engines import connect
    from explorer.engines.sql_overlay import SqlOverlaid
    from explorer.engines.sql_tables import upload_document

    tmp.mkdir(parents=True, exist_ok=True)
    n = next(_COUNTER)
    engine = connect(f"duckdb:///{tmp / f'engine-{n}.duckdb'}")
    upload_document(engine, "story", without_annotations(doc))
    return SqlOverlaid(engine, "story", overlay_files(tmp))


def without_annotations(doc: Document) -> Document:
    """A shared table carries no annotations (they live in the overlay)."""
    import dataclasses

    return dataclasses.replace(
        doc, stars=doc.stars.iloc[:0], tags=doc.tags.iloc[:0], notes=doc.notes.iloc[:0]
    )


def _engine_backend(name: str) -> Factory:
    def factory(doc: Document, tmp: Path) -> TimelineQueries:
        from explorer.engines.sql_backend import SqlBackend
        from explorer.engines.sql_tables import upload_document
        from tests.engines import engine, fresh_table

        eng = engine(name)
        table = fresh_table()
        upload_document(eng, table, doc)
        return SqlBackend(eng, table)

    return factory


# Real engines, started by the suite on 127.0.0.1 (tests/engines.py).
for _name in ("postgres", "clickhouse", "spark"):
    register(_name, _engine_backend(_name))
    READ_ONLY[_name] = "a shared SQL table is read-only"
# Engines whose every query costs a JVM round trip: fewer generated documents, lighter cases.
SLOW: frozenset[str] = frozenset({"spark"})
