"""The Parquet form of the native document: exact round trips, located errors, speed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from factories import make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError, WriteError
from explorer.io.formats import ReadOptions, detect, get, read_any
from explorer.io.native import read_native
from explorer.io.parquet import METADATA_KEY, SCHEMA, read_parquet, to_arrow, write_parquet
from explorer.model.dates import MAX_ABS_YEAR, Precision, format_iso, parse_date, to_seconds
from explorer.model.document import ClaimStatus, Document
from explorer.model.synthetic import synthetic_document

FIRST = to_seconds(-MAX_ABS_YEAR)
LAST = to_seconds(MAX_ABS_YEAR, 12, 31, 23, 59, 59)

# --- generated documents (shared with test_write_table) ---------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
ident = any_text.filter(lambda s: s.strip() != "")
NA_LIKE = {"NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "<NA>"}
# Names a CSV cell can list: no separators, no surrounding spaces, not an NA token.
plain_name = (
    st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=8
    )
    .map(str.strip)
    .filter(lambda s: s != "" and not set(s) & {";", "|"} and s not in NA_LIKE and s == s.strip())
)


@st.composite
def dates(draw: st.DrawFn, after: int | None = None) -> str:
    precision = draw(st.sampled_from(list(Precision)))
    low = FIRST if after is None else after
    near = st.integers(to_seconds(1600), to_seconds(2400))
    seconds = draw(
        near.filter(lambda s: s >= low) if draw(st.booleans()) else st.integers(low, LAST)
    )
    return format_iso(max(seconds, low), precision)


@st.composite
def document_records(
    draw: st.DrawFn,
    names: st.SearchStrategy[str] = ident,
    text: st.SearchStrategy[str] = any_text,
    idents: st.SearchStrategy[str] = ident,
) -> dict[str, Any]:
    """Keyword arguments for factories.make_document: a valid, varied document."""
    actor_names = draw(st.lists(names, max_size=4, unique=True))
    theme_names = draw(st.lists(names, max_size=3, unique=True))
    actors = [
        {
            "id": f"a{i}",
            "name": name,
            "kind": draw(text),
            "colour": draw(st.sampled_from(["", "#3a7bd5"])),
        }
        for i, name in enumerate(actor_names)
    ]
    themes = [
        {"id": f"t{i}", "name": name, "description": draw(text)}
        for i, name in enumerate(theme_names)
    ]
    sources = [
        {
            "id": f"s{i}",
            "publisher": draw(text),
            "title": draw(text),
            "url": draw(text),
            "published": draw(st.none() | dates()),
        }
        for i in range(draw(st.integers(0, 2)))
    ]
    events = []
    for ident_ in draw(st.lists(idents, max_size=6, unique=True)):
        start = draw(dates())
        end = draw(st.none() | dates(after=parse_date(start).seconds))
        record: dict[str, Any] = {
            "id": ident_,
            "title": draw(text),
            "summary": draw(text),
            "start": start,
            "end": end,
            "status": draw(st.sampled_from([s.value for s in ClaimStatus])),
            "actors": [
                {"actor": a["id"], "role": draw(st.just("") | names)}
                for a in draw(st.lists(st.sampled_from(actors), unique_by=lambda a: a["id"]))
            ]
            if actors
            else [],
            "themes": draw(st.lists(st.sampled_from([t["id"] for t in themes]), unique=True))
            if themes
            else [],
            "sources": draw(st.lists(st.sampled_from([s["id"] for s in sources]), unique=True))
            if sources
            else [],
            "figures": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "text": text,
                            "quantity": st.none()
                            | st.integers(-(10**6), 10**6)
                            | st.floats(allow_nan=False, allow_infinity=False),
                            "unit": text,
                        }
                    ),
                    max_size=2,
                )
            ),
            "attributes": draw(
                st.dictionaries(text, st.none() | st.booleans() | st.integers() | text, max_size=2)
            ),
        }
        events.append(record)
    return {
        "events": events,
        "actors": actors,
        "themes": themes,
        "sources": sources,
        "title": draw(text),
        "description": draw(text),
    }


def documents(**kwargs: Any) -> st.SearchStrategy[Document]:
    return document_records(**kwargs).map(lambda r: make_document(**r))


# --- round trips ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parquet") / "doc.parquet"


def test_story_round_trip(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "story.parquet"
    write_parquet(story, path)
    assert read_parquet(path).equals(story)
    result = read_any(path)
    assert result.format == "parquet"
    assert result.document.equals(story)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_round_trip(scratch: Path, doc: Document) -> None:
    write_parquet(doc, scratch)
    back = read_parquet(scratch)
    assert back.equals(doc)
    pq.write_table(to_arrow(doc), scratch, row_group_size=2)  # several chunks per column
    assert read_parquet(scratch).equals(doc)


def test_native_to_parquet_to_native_file(story_path: Path, tmp_path: Path) -> None:
    from explorer.io.native import dumps_native

    path = tmp_path / "story.parquet"
    write_parquet(read_native(story_path), path)
    assert dumps_native(read_parquet(path)) == story_path.read_bytes()


def test_synthetic_round_trip(tmp_path: Path) -> None:
    doc = synthetic_document(20_000)
    path = tmp_path / "big.parquet"
    write_parquet(doc, path)
    assert read_parquet(path).equals(doc)


def test_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    write_parquet(Document(), path)
    assert read_parquet(path).equals(Document())


def test_schema_and_metadata(story: Document) -> None:
    table = to_arrow(story)
    assert table.schema.remove_metadata().equals(SCHEMA)
    meta = json.loads(table.schema.metadata[METADATA_KEY])
    assert meta["format"] == "timeline-explorer-parquet"
    assert meta["version"] == 1
    assert meta["title"] == story.title
    assert [a["id"] for a in meta["actors"]] == story.actors["id"].tolist()
    assert {"id", "publisher", "title", "url", "published"} <= set(meta["sources"][0])
    assert len(meta["themes"]) == len(story.themes)
    assert table.column("actors").type == pa.list_(
        pa.struct([("actor", pa.string()), ("role", pa.string())])
    )


def test_links_are_grouped_by_event(tmp_path: Path) -> None:
    doc = make_document(
        [
            {"id": "e1", "title": "one", "start": "2020", "actors": ["a1", "a2"]},
            {"id": "e2", "title": "two", "start": "2021", "actors": ["a1"]},
        ],
        actors=[{"id": "a1", "name": "A"}, {"id": "a2", "name": "B"}],
    )
    shuffled = doc.copy()
    shuffled.links = doc.links.iloc[[2, 0, 1]].reset_index(drop=True)
    path = tmp_path / "d.parquet"
    write_parquet(shuffled, path)
    assert read_parquet(path).equals(doc)  # in event order, as the native reader makes them


# --- detection and errors ---------------------------------------------------------------


def test_sniff_and_detect(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    write_parquet(story, path)
    assert detect(path).name == "parquet"
    assert get("parquet").sniff(b"PAR1....", Path("x")) == 2
    assert get("parquet").sniff(b"{}", Path("x.parquet")) == 0


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(ReadError, match=r"fake\.parquet: not a readable Parquet file"):
        get("parquet").read(path, ReadOptions())


def test_foreign_parquet(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), path)
    with pytest.raises(ReadError, match="not a Timeline Explorer document"):
        read_parquet(path)


def _rewrite(story: Document, path: Path, **changes: Any) -> None:
    table = to_arrow(story)
    meta = json.loads(table.schema.metadata[METADATA_KEY])
    meta.update(changes.pop("meta", {}))
    for name, column in changes.items():
        if column is None:
            table = table.drop_columns([name])
        else:
            table = table.set_column(table.column_names.index(name), name, column)
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})
    pq.write_table(table, path)


def test_newer_version(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "new.parquet"
    _rewrite(story, path, meta={"version": 3})
    with pytest.raises(ReadError, match="version 3 is newer"):
        read_parquet(path)


def test_missing_column(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    _rewrite(story, path, summary=None)
    with pytest.raises(ReadError, match='field "summary": is missing'):
        read_parquet(path)


def test_bad_status(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    n = len(story.events)
    _rewrite(story, path, status=pa.array(["rumoured"] * n).dictionary_encode())
    with pytest.raises(ReadError, match="'rumoured' is not one of"):
        read_parquet(path)


def test_bad_attributes_json(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    n = len(story.events)
    _rewrite(story, path, attributes=pa.array(["{"] + [None] * (n - 1), pa.string()))
    with pytest.raises(ReadError, match=r'events row 0: field "attributes": not valid JSON'):
        read_parquet(path)


def test_unknown_actor(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "u.parquet"
    _rewrite(story, path, meta={"actors": []})
    with pytest.raises(ReadError, match="unknown actor"):
        read_parquet(path)


def test_bad_precision(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    n = len(story.events)
    _rewrite(story, path, start_precision=pa.array([9] * n, pa.int8()))
    with pytest.raises(ReadError, match="9 is not a precision"):
        read_parquet(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        read_parquet(tmp_path / "nope.parquet")


def test_write_is_atomic(story: Document, tmp_path: Path) -> None:
    path = tmp_path / "keep.parquet"
    write_parquet(story, path)
    before = path.read_bytes()
    broken = story.copy()
    broken.links = broken.links.assign(event_id="no-such-event")
    with pytest.raises(WriteError, match="unknown event"):
        write_parquet(broken, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.parquet"]


@pytest.mark.slow
def test_million_events_round_trip(tmp_path: Path) -> None:
    """At scale (several row groups, a million links); speed is the benchmark's job."""
    doc = synthetic_document(1_000_000)
    path = tmp_path / "million.parquet"
    write_parquet(doc, path)
    back = read_parquet(path)
    assert len(back.events) == 1_000_000
    assert back.events["start"].equals(doc.events["start"])
    assert back.links["actor_id"].tolist()[:1000] == doc.links["actor_id"].tolist()[:1000]


def test_many_row_groups(story: Document, tmp_path: Path) -> None:
    """Columns come back in chunks, one per row group; links and statuses must line up."""
    path = tmp_path / "groups.parquet"
    pq.write_table(to_arrow(story), path, row_group_size=2)
    assert pq.ParquetFile(path).num_row_groups == 3
    assert read_parquet(path).equals(story)
