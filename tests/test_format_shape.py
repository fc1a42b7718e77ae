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
