"""What an edit changed, in words, for the undo history and the status bar.

"Status: reported → disputed; Start: 2026-06-24 → 2026-06-25" reads better in a
history list than "Edit event", and tells the analyst what undo would take back.
"""

from __future__ import annotations

from typing import Any, Final

# Record keys (native format) and how the history names them.
FIELDS: Final = (
    ("title", "Title"),
    ("start", "Start"),
    ("end", "End"),
    ("status", "Status"),
    ("actors", "Actors"),
    ("sources", "Sources"),
    ("themes", "Themes"),
    ("figures", "Figures"),
    ("summary", "Summary"),
    ("attributes", "Attributes"),
)
SHOWN_VALUES: Final = frozenset({"title", "start", "end", "status"})  # short: old → new
MAX_VALUE: Final = 40


def _short(value: Any) -> str:
    text = "none" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One phrase per changed field, in form order."""
    phrases = []
    for key, label in FIELDS:
        old, new = before.get(key), after.get(key)
        if (old or None) == (new or None):
            continue
        if key in SHOWN_VALUES:
            phrases.append(f"{label}: {_short(old)} → {_short(new)}")
        else:
            phrases.append(f"{label} changed")
    return phrases


def describe_edit(before: dict[str, Any], after: dict[str, Any]) -> str:
    """E.g. "“Alibaba accused”: Status: reported → disputed" (or "no change")."""
    phrases = changes(before, after)
    name = str(after.get("title") or before.get("title") or "event")
    return f"“{_short(name)}”: " + ("; ".join(phrases) if phrases else "no change")
