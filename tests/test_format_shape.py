"""The one shape of a format: what each registered format declares, and what the registry
does with it (guarded sniffs, Save only over lossless formats, who takes a mapping)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from test_cli_import import run

from explorer.io import formats as registry
from explorer.io.errors import WriteError
from explorer.io.formats import Format, ReadOptions, detect, formats, read_any
from explorer.io.kit.columns import Columns, document
from explorer.io.native import read_native
from explorer.io.save import save_document, save_suffixes
from explorer.model.document import Document

IO = Path(registry.__file__).parent


def test_every_format_declares_the_whole_shape() -> None:
    found = formats()
    assert len({fmt.name for fmt in found}) == len(found) >= 17
    for fmt in found:
        assert fmt.title, fmt.name
        assert fmt.extensions, fmt.name
        assert all(ext.startswith(".") for ext in fmt.extensions), fmt.name
        assert fmt.mapping in ("", "columns", "keys"), fmt.name
        # A format that writes says by which extensions; an overwriting one can write.
        assert (fmt.write is None) == (not fmt.writes), fmt.name
        assert not fmt.overwrite or fmt.write is not None, fmt.name


def test_save_overwrites_only_the_lossless_formats(tmp_path: Path) -> None:
    assert {fmt.name for fmt in registry.savable()} == {"native", "parquet"}
    assert set(save_suffixes()) == {".json", ".parquet"}
    with pytest.raises(WriteError, match=r"cannot save as \.csv \(use \.json or \.parquet\)"):
        save_document(Document(), tmp_path / "x.csv")


def test_mapping_support_is_declared_not_listed() -> None:
    assert registry.shows_mapping_dialog("csv")
    assert registry.shows_mapping_dialog("excel")
    assert registry.takes_mapping("json-records")
    assert not registry.shows_mapping_dialog("json-records")
    assert not registry.takes_mapping("timesketch-csv")
    assert not registry.takes_mapping("no-such-format")


def test_a_failing_sniff_is_scored_zero_once_by_the_registry(tmp_path: Path) -> None:
    def broken(data: bytes, path: Path) -> int:
        raise ValueError("a bug in a sniff")

    def never(path: Path, options: ReadOptions) -> object:
        raise AssertionError("a broken sniff must not win")

    story = tmp_path / "story.csv"
    story.write_text("date,title\n2020-01-02,Launch\n", encoding="utf-8")
    bad = Format("broken", "Broken", (".csv",), broken, never)  # type: ignore[arg-type]
    assert bad.score(b"date,title\n", story) == 0
    registry.register(bad)
    try:
        assert detect(story).name == "csv"
        assert len(read_any(story).document.events) == 1
    finally:
        del registry._FORMATS["broken"]


def test_no_sniff_catches_its_own_failures() -> None:
    """The registry guards every sniff once: a format's sniff has no catch-all of its own."""
    for module in sorted(IO.glob("read_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and "sniff" in node.name:
                for handler in ast.walk(node):
                    if isinstance(handler, ast.ExceptHandler):
                        name = ast.unparse(handler.type) if handler.type else ""
                        assert name not in ("", "Exception", "BaseException"), (
                            f"{module.name}:{handler.lineno} {node.name} catches everything"
                        )


def test_no_format_module_imports_another() -> None:
    for module in sorted(IO.glob("read_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("explorer.io.read_"), (
                    f"{module.name} imports {node.module}"
                )


def test_json_records_take_map_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "releases.json"
    records = [{"name": "a", "releaseTime": "2020-01-02"}, {"name": "b", "releaseTime": "2021"}]
    path.write_text(json.dumps({"items": records}), encoding="utf-8")
    out = tmp_path / "x.json"
    done = run(path, "--map", "date=releaseTime", "--export", out)
    assert done.returncode == 0, done.stderr
    assert "are not used for this file" not in done.stderr
    assert len(read_native(out).events) == 2


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# One real file per format the corpus holds; native, Parquet and Excel are written here.
SAMPLES = {
    "plaso-dynamic": "plaso/dynamic.log",
    "l2tcsv": "plaso/l2tcsv.log",
    "plaso-jsonl": "plaso/json_line.log",
    "plaso-json": "plaso/json.log",
    "tln": "plaso/tln.log",
    "l2ttln": "plaso/l2ttln.log",
    "csv": "other/former_names.csv",
    "timelinejs": "timelinejs3/all-media-types.json",
    "timelinejs-csv": "timelinejs3/my-own-timeline.csv",
    "timelineproject": "thetimelineproject/example.timeline",
    "timesketch-csv": "timesketch/csv_datetime_last_column.csv",
    "timesketch-jsonl": "timesketch/end_to_end_tests/sigma_events.jsonl",
    "vis-timeline": "vis-timeline/basic.json",
    "json-records": "other/monarchs.json",
}


def test_every_format_reads_columns_and_the_kit_builds_the_document(tmp_path: Path) -> None:
    """`read` hands back Columns, not a Document; `open` (what read_any calls) is the
    kit's one build of them, the same every time."""
    paths = {name: CORPUS / rel for name, rel in SAMPLES.items()}
    story = read_any(paths["timelinejs"]).document
    for name, suffix in (("native", ".json"), ("parquet", ".parquet"), ("excel", ".xlsx")):
        paths[name] = tmp_path / f"story{suffix}"
        registry.get(name).write(story, paths[name])  # type: ignore[misc]
    assert set(paths) == {fmt.name for fmt in formats()}
    for name, path in paths.items():
        fmt = registry.get(name)
        assert detect(path).name == name, path
        read = fmt.read(path, ReadOptions())
        assert isinstance(read, Columns), name
        assert not isinstance(read, Document), name
        assert read.format == name
        assert read.path == path
        # Only the formats that read whole documents hand one over; the rest are columns.
        assert (read.whole is not None) == (name in ("native", "parquet")), name
        built = fmt.open(path)
        assert built.format == name
        assert len(built.document.events) == read.n > 0, name
        assert document(read).equals(built.document), name


def _calls(module: Path, names: set[str]) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func
            called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
            if called in names:
                found.append(f"{module.name}:{node.lineno} {called}")
    return found


def test_no_reader_builds_a_document_or_an_import_result_itself() -> None:
    """One columns -> Document builder (kit/columns.py): readers and the rest of the kit
    make neither Documents, events tables nor ImportResults."""
    modules = sorted(IO.glob("read_*.py")) + sorted((IO / "kit").glob("*.py"))
    built = [
        call
        for module in modules
        if module.name != "columns.py"
        for call in _calls(module, {"Document", "make_events", "ImportResult"})
    ]
    assert built == []
    assert _calls(IO / "kit" / "columns.py", {"ImportResult"}), "the check looks for calls"


def test_the_kit_imports_no_format() -> None:
    for module in sorted((IO / "kit").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("explorer.io.read_"), module.name
