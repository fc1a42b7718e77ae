"""Remembered between runs: recent files and each document's last view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from explorer.ui import settings
from explorer.ui.settings import (
    MAX_RECENT,
    MAX_VIEWS,
    add_recent,
    clear_recent,
    load_view,
    recent_files,
    save_view,
)


@pytest.fixture(autouse=True)
def ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "settings.ini"
    monkeypatch.setenv(settings.SETTINGS_ENV, str(path))
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    made = [folder / f"doc{i:02}.json" for i in range(MAX_RECENT + 3)]
    for path in made:
        path.write_text("{}")
    return [p.resolve() for p in made]


def test_no_recent_files_at_first() -> None:
    assert recent_files() == []


def test_recent_files_are_most_recent_first(files: list[Path]) -> None:
    a, b, c = files[:3]
    for path in (a, b, c):
        add_recent(path)
    assert recent_files() == [c, b, a]


def test_adding_again_moves_to_the_front_without_duplicates(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, c = files[:3]
    for path in (a, b, c):
        add_recent(path)
    add_recent(a)
    assert recent_files() == [a, c, b]
    monkeypatch.chdir(b.parent)
    add_recent(Path(b.name))  # the same file, spelled relatively
    add_recent(b.parent / ".." / b.parent.name / b.name)  # and with a detour
    assert recent_files() == [b, a, c]


def test_at_most_ten_recent_files(files: list[Path]) -> None:
    for path in files:
        add_recent(path)
    assert recent_files() == files[::-1][:MAX_RECENT]
    assert MAX_RECENT == 10


def test_missing_files_are_dropped(files: list[Path]) -> None:
    a, b, c = files[:3]
    for path in (a, b, c):
        add_recent(path)
    b.unlink()
    assert recent_files() == [c, a]
    add_recent(a)
    b.write_text("{}")  # back, but it was pruned when the list was last saved
    assert recent_files() == [a, c]


def test_clear_recent(files: list[Path]) -> None:
    add_recent(files[0])
    clear_recent()
    assert recent_files() == []


def test_settings_go_to_the_override_file(ini: Path, files: list[Path]) -> None:
    add_recent(files[0])
    save_view(files[0], {"start_ns": 1})
    stored = QSettings(str(ini), QSettings.Format.IniFormat)
    assert json.loads(stored.value("recent/files")) == [str(files[0])]
    assert settings.settings().fileName() == str(ini)


def test_default_settings_are_the_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.SETTINGS_ENV)
    store = settings.settings()
    assert store.organizationName() == "Timeline Explorer"
    assert store.applicationName() == "Timeline Explorer"


def test_view_round_trip(files: list[Path]) -> None:
    view = {
        "start_ns": -13_800_000_000 * 31_556_952 * 10**9,
        "span_ns": 86_400 * 10**9,
        "hidden": ["a1", "Ålibaba", "k\udc00"],
        "filter": {"text": "access", "statuses": ["alleged"], "known_by": None, "on": True},
    }
    save_view(files[0], view)
    assert load_view(files[0]) == view
    assert load_view(files[1]) is None
    save_view(files[1], {"start_ns": 5})
    save_view(files[0], {"start_ns": 7})  # replaced, not merged
    assert load_view(files[0]) == {"start_ns": 7}
    assert load_view(files[1]) == {"start_ns": 5}


def test_views_are_keyed_by_the_resolved_path(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files[0].parent)
    save_view(Path(files[0].name), {"span_ns": 1})
    assert load_view(files[0]) == {"span_ns": 1}


def test_at_most_fifty_views_are_kept(tmp_path: Path) -> None:
    paths = [tmp_path / f"v{i}.json" for i in range(MAX_VIEWS + 1)]
    for i, path in enumerate(paths):
        save_view(path, {"i": i})
    assert load_view(paths[0]) is None
    assert load_view(paths[1]) == {"i": 1}
    assert load_view(paths[-1]) == {"i": MAX_VIEWS}
    save_view(paths[1], {"i": "again"})  # now the most recent: paths[2] goes next
    save_view(tmp_path / "one-more.json", {})
    assert load_view(paths[1]) == {"i": "again"}
    assert load_view(paths[2]) is None


def test_a_view_that_is_not_json_is_refused(files: list[Path]) -> None:
    save_view(files[0], {"ok": 1})
    with pytest.raises(TypeError):
        save_view(files[0], {"bad": object()})
    assert load_view(files[0]) == {"ok": 1}


def test_damaged_settings_are_ignored(ini: Path, files: list[Path]) -> None:
    ini.write_text("[recent]\nfiles=not json\n[views]\ndocuments=[1, 2\n")
    assert recent_files() == []
    assert load_view(files[0]) is None
    add_recent(files[0])
    save_view(files[0], {"x": 1})
    assert recent_files() == [files[0]]
    assert load_view(files[0]) == {"x": 1}
