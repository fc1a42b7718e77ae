"""The model, io and article layers stay free of Qt, so they can be tested and reused headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "explorer"
PURE = ("model", "io", "article")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", PURE)
def test_pure_layers_import_no_qt(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules found in explorer/{layer}"
    offenders = {
        str(f.relative_to(PACKAGE)): sorted(
            n
            for n in _imports(f)
            if n.split(".")[0] in {"PySide6", "shiboken6"} or n.startswith("explorer.ui")
        )
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_pure_layers_loads_no_qt() -> None:
    """The static check above misses imports done indirectly; this one does not."""
    code = (
        "import sys, pkgutil, importlib, explorer.model, explorer.io, explorer.article\n"
        "for pkg in (explorer.model, explorer.io, explorer.article):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_check_would_catch_a_widget_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtWidgets import QWidget\n")
    assert "PySide6.QtWidgets" in _imports(bad)
