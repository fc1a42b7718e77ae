"""Remembered between runs: recent files, and the last view of each document.

Stored with QSettings (organisation and application "Timeline Explorer", the
platform's usual place), or in the ini file named by ``$TIMELINE_EXPLORER_SETTINGS``
(tests, CI, a portable install). Lists and dicts are stored as JSON text, which
reads back identically from every QSettings backend (the registry, plist and ini
files each turn lists of one item, numbers and booleans into something else).
A value that does not parse is treated as absent, never as an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QSettings

ORGANIZATION: Final = "Timeline Explorer"
APPLICATION: Final = "Timeline Explorer"
SETTINGS_ENV: Final = "TIMELINE_EXPLORER_SETTINGS"
MAX_RECENT: Final = 10
MAX_VIEWS: Final = 50

_RECENT_KEY: Final = "recent/files"
_VIEWS_KEY: Final = "views/documents"


def settings() -> QSettings:
    """The app's settings: the ini file in $TIMELINE_EXPLORER_SETTINGS, if set."""
    override = os.environ.get(SETTINGS_ENV)
    if override:
        return QSettings(override, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def _load_json(store: QSettings, key: str) -> Any:
    raw = store.value(key)
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _save_json(store: QSettings, key: str, value: Any) -> None:
    store.setValue(key, json.dumps(value))  # ASCII: safe for every backend
    store.sync()


def _key(path: Path) -> str:
    """A document's identity: its resolved path (case-folded where the OS ignores case)."""
    return os.path.normcase(str(_resolved(path)))


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except OSError:  # e.g. a symlink loop
        return Path(path).absolute()


def _stored_recent(store: QSettings) -> list[str]:
    value = _load_json(store, _RECENT_KEY)
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v]


def recent_files() -> list[Path]:
    """Recently opened files, most recent first, at most MAX_RECENT; missing ones left out."""
    return [Path(p) for p in _stored_recent(settings()) if Path(p).is_file()][:MAX_RECENT]


def add_recent(path: Path) -> None:
    """Put `path` first in the recent files (moving it if already there)."""
    store = settings()
    first = _resolved(path)
    seen = {_key(first)}
    kept = [str(first)]
    for entry in _stored_recent(store):
        key = _key(Path(entry))
        if key in seen or not Path(entry).is_file():
            continue  # a duplicate, or a file since deleted
        seen.add(key)
        kept.append(entry)
    _save_json(store, _RECENT_KEY, kept[:MAX_RECENT])


def clear_recent() -> None:
    store = settings()
    store.remove(_RECENT_KEY)
    store.sync()


def _stored_views(store: QSettings) -> dict[str, dict[str, Any]]:
    value = _load_json(store, _VIEWS_KEY)
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, dict)}


def save_view(path: Path, view: dict[str, Any]) -> None:
    """Remember the view of a document (a JSON-able dict; TypeError if not).

    The most recently saved MAX_VIEWS documents are kept.
    """
    text = json.dumps(view)  # fail here, before touching the settings
    store = settings()
    views = _stored_views(store)
    key = _key(path)
    views.pop(key, None)
    views[key] = json.loads(text)  # insertion order is recency order
    while len(views) > MAX_VIEWS:
        del views[next(iter(views))]
    _save_json(store, _VIEWS_KEY, views)


def load_view(path: Path) -> dict[str, Any] | None:
    """The view last saved for this document, or None."""
    return _stored_views(settings()).get(_key(path))
