"""Records (the edit form's shape) checked and turned into table rows directly.

An event record is what the native format writes for one event: id, title,
summary, start and end as ISO text, status, actors (ids or {"actor", "role"}),
sources and themes (ids), figures and attributes. Edits used to write the
document's small tables to JSON and parse them back to check one record; here the
record is checked against the tables themselves, and every problem names the
field it is about, so a dialog can put the cursor in the right widget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from explorer.model.dates import DateError, Precision, parse_date, period_end
from explorer.model.document import (
    ACTOR_COLUMNS,
    NO_END,
    SOURCE_COLUMNS,
    THEME_COLUMNS,
    ClaimStatus,
    Document,
    empty_figures,
    empty_sources,
    make_events,
)
from explorer.model.periods import period_problem, period_row
from explorer.model.query import Problem

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
STATUSES = tuple(s.value for s in ClaimStatus)


class RecordProblems(ValueError):  # noqa: N818 (a list of problems, raised as one)
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(_sentence(p) for p in problems))
        self.problems = problems


def _sentence(p: Problem) -> str:
    return f"{p.field}: {p.reason}" if p.field else p.reason


def _text(record: Mapping[str, Any], key: str, problems: list[Problem], where: str = "") -> str:
    value = record.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(Problem(where + key, f"must be text, not {type(value).__name__}"))
        return ""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        problems.append(Problem(where + key, "contains an unpaired surrogate"))
        return ""
    return value


def _date(record: Mapping[str, Any], key: str, problems: list[Problem]) -> tuple[int, int]:
    raw = record.get(key)
    if raw is None or raw == "":
        if key == "start":
            problems.append(Problem(key, "is missing"))
        return 0, NO_END
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        problems.append(Problem(key, f"must be a date, not {type(raw).__name__}"))
        return 0, NO_END
    try:
        value = parse_date(raw)
    except DateError as exc:
        problems.append(Problem(key, str(exc)))
        return 0, NO_END
    return value.seconds, int(value.precision)


def check_event(
    doc: Document, record: Mapping[str, Any], replacing: str | None
) -> tuple[Document | None, list[Problem]]:
    """The rows `record` makes (a Document holding only them) and its problems.

    The rows are None when there is any problem. Ids of actors, sources and themes
    must exist in `doc`; the id must be new unless it is `replacing`'s own.
    """
    problems: list[Problem] = []
    if not isinstance(record, Mapping):
        return None, [Problem("", "an event must be an object")]
    ident = _text(record, "id", problems).strip()
    if not ident:
        problems.append(Problem("id", "is missing"))
    elif ident != replacing and bool((doc.events["id"] == ident).any()):
        problems.append(Problem("id", f"an event with id {ident!r} already exists"))
    if record.get("title") is None:
        problems.append(Problem("title", "is missing"))
    title = _text(record, "title", problems)
    summary = _text(record, "summary", problems)
    status = record.get("status", ClaimStatus.CONFIRMED.value)
    if status not in STATUSES:
        problems.append(Problem("status", f"{status!r} is not one of {', '.join(STATUSES)}"))
    start, start_prec = _date(record, "start", problems)
    end, end_prec = _date(record, "end", problems)
    if end_prec != NO_END and period_end(end, Precision(end_prec)) <= start:
        # An end whose whole period lies before the start ("2020" may end "2020-05-03").
        problems.append(Problem("end", "ends before it starts"))
    attributes = record.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        problems.append(Problem("attributes", "must be an object"))
        attributes = {}
    links = _actor_links(doc, ident, record.get("actors", []), problems)
    sources = _refs(doc.sources, "sources", "source", record.get("sources", []), problems)
    themes = _refs(doc.themes, "themes", "theme", record.get("themes", []), problems)
    figures = _figures(ident, record.get("figures", []), problems)
    if problems:
        return None, problems
    rows = Document(
        events=make_events(
            ids=[ident],
            titles=[title],
            summaries=[summary],
            start=[start],
            start_precision=[start_prec],
            end=[end],
            end_precision=[end_prec],
            status=[status],
            attributes=[dict(attributes) or None],
        ),
        links=_frame(links, ("event_id", "actor_id", "role")),
        event_sources=_frame([(ident, s) for s in sources], ("event_id", "source_id")),
        event_themes=_frame([(ident, t) for t in themes], ("event_id", "theme_id")),
        figures=figures,
    )
    return rows, []


def _actor_links(
    doc: Document, ident: str, refs: Any, problems: list[Problem]
) -> list[tuple[str, str, str]]:
    if not isinstance(refs, list):
        problems.append(Problem("actors", "must be a list"))
        return []
    known = set(doc.actors["id"].astype(str))
    links = []
    for i, ref in enumerate(refs):
        where = f"actors[{i}]"
        if isinstance(ref, str):
            actor, role = ref, ""
        elif isinstance(ref, Mapping) and isinstance(ref.get("actor"), str):
            actor = str(ref["actor"])
            role = _text(ref, "role", problems, where + ".")
        else:
            problems.append(Problem(where, 'must be an actor id or {"actor": id, "role": text}'))
            continue
        if actor not in known:
            problems.append(Problem(where, f"unknown actor {actor!r}"))
            continue
        links.append((ident, actor, role))
    return links


def _refs(
    table: pd.DataFrame, key: str, noun: str, refs: Any, problems: list[Problem]
) -> list[str]:
    if not isinstance(refs, list):
        problems.append(Problem(key, "must be a list of ids"))
        return []
    known = set(table["id"].astype(str))
    out = []
    for i, ref in enumerate(refs):
        if not isinstance(ref, str):
            problems.append(Problem(f"{key}[{i}]", "must be an id"))
        elif ref not in known:
            problems.append(Problem(f"{key}[{i}]", f"unknown {noun} {ref!r}"))
        else:
            out.append(ref)
    return out


def _figures(ident: str, refs: Any, problems: list[Problem]) -> pd.DataFrame:
    if not isinstance(refs, list):
        problems.append(Problem("figures", "must be a list"))
        return empty_figures()
    rows = []
    for i, fig in enumerate(refs):
        where = f"figures[{i}]"
        if not isinstance(fig, Mapping):
            problems.append(Problem(where, "must be an object"))
            continue
        quantity = fig.get("quantity")
        if quantity is not None and not finite_number(quantity):
            problems.append(Problem(where + ".quantity", "must be a finite number or empty"))
            continue
        if fig.get("text") is None:
            problems.append(Problem(where + ".text", "is missing"))
        text = _text(fig, "text", problems, where + ".")
        rows.append(
            {
                "event_id": ident,
                "text": text,
                "quantity": math.nan if quantity is None else float(quantity),
                "unit": _text(fig, "unit", problems, where + "."),
                "qualifier": _text(fig, "qualifier", problems, where + "."),
                "label": _text(fig, "label", problems, where + "."),
            }
        )
    if not rows:
        return empty_figures()
    frame = empty_figures()
    out = pd.DataFrame(rows)[list(frame.columns)]
    return out.astype(frame.dtypes.to_dict())


def finite_number(value: Any) -> bool:
    """A JSON number that fits a float64 (an integer like 10**400 does not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _frame(rows: Sequence[tuple[str, ...]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype="str") for i, c in enumerate(columns)}
    )


# --- actors, sources, themes -----------------------------------------------------------


def check_entity(
    table: str, record: Mapping[str, Any]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One row of actors, sources, themes or periods from its record, or its problems."""
    problems: list[Problem] = []
    if not isinstance(record, Mapping):
        return None, [Problem("", "must be an object")]
    if table == "periods":
        found = period_problem(record)
        if found is not None:
            return None, [Problem(*found)]
        return period_row(record), []
    columns = {"actors": ACTOR_COLUMNS, "sources": SOURCE_COLUMNS, "themes": THEME_COLUMNS}[table]
    values: dict[str, Any] = {}
    for column in columns:
        if column in ("published", "published_precision"):
            continue
        values[column] = _text(record, column, problems)
    if not values["id"].strip():
        problems.append(Problem("id", "is missing"))
    if table in ("actors", "themes") and record.get("name") is None:
        problems.append(Problem("name", "is missing"))
    colour = values.get("colour", "")
    if colour and not _COLOUR.match(colour):
        problems.append(Problem("colour", f"{colour!r} is not #rrggbb"))
    if table == "sources":
        seconds, prec = _date(record, "published", problems)
        values["published"], values["published_precision"] = seconds, prec
    if problems:
        return None, problems
    if table == "sources":
        frame = empty_sources()
        row = pd.DataFrame({c: [values[c]] for c in frame.columns})
        return row.astype(frame.dtypes.to_dict()), []
    return pd.DataFrame({c: pd.Series([values[c]], dtype="str") for c in columns}), []
