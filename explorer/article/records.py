"""Accepted proposals as records in the native format's shape: the article as a source,
new actors, and one event per proposal, all citing the article."""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from explorer.article.proposals import UNHINTED_LABEL, Analysis, Proposal
from explorer.edits import AddEvent, Edit, EditGroup, SetRecord
from explorer.model.document import ClaimStatus, Document


def slug(text: str, limit: int = 5) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:limit]
    return "-".join(words) or "item"


def _unique(base: str, taken: set[str]) -> str:
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


def source_record(analysis: Analysis, taken: set[str]) -> dict[str, Any]:
    article = analysis.article
    title = article.title or article.name
    return {
        "id": _unique(f"s-{slug(title)}", taken),
        "publisher": article.publisher,
        "title": title,
        "url": article.url,
        "published": analysis.published.iso() if analysis.published else None,
    }


def actor_record(ident: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "kind": kind,
        "posture": "",
        "description": "",
        "colour": "",
    }


def event_record(
    proposal: Proposal, ident: str, source_id: str, actor_ids: dict[str, str]
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for n, quote in enumerate(proposal.quotes, start=1):
        key = "quote" if n == 1 else f"quote {n}"
        attributes[key] = f"“{quote.text}”" + (f" — {quote.speaker}" if quote.speaker else "")
    if proposal.notes:
        attributes["date note"] = "; ".join(proposal.notes)
    if proposal.status_reason != UNHINTED_LABEL:
        attributes["status hint"] = f"“{proposal.status_reason}”"
    actors = []
    seen: set[str] = set()
    for actor in proposal.actors:
        actor_id = actor.actor_id or actor_ids[actor.name.lower()]
        if actor_id not in seen:
            seen.add(actor_id)
            actors.append({"actor": actor_id, "role": actor.role})
    return {
        "id": ident,
        "title": proposal.title,
        "summary": proposal.summary,
        "start": proposal.date.iso(),
        "end": None,
        "status": proposal.status.value,
        "actors": actors,
        "sources": [source_id],
        "themes": [],
        "figures": [
            {
                "text": f.text,
                "quantity": int(f.quantity) if float(f.quantity).is_integer() else f.quantity,
                "unit": f.unit,
                "qualifier": f.qualifier,
                "label": f.label,
            }
            for f in proposal.figures
        ],
        "attributes": attributes,
    }


@dataclass
class Plan:
    """Every proposal as a record, with the article's source and the new actors they
    name (ids fixed once, so a record edited in the review stays valid)."""

    source: dict[str, Any]
    actors: list[dict[str, Any]]
    events: dict[str, dict[str, Any]]  # by proposal ident


def plan(document: Document, analysis: Analysis) -> Plan:
    source = source_record(analysis, set(document.sources["id"]))
    taken_actors = set(document.actors["id"])
    new_actors: list[dict[str, Any]] = []
    actor_ids: dict[str, str] = {}
    for proposal in analysis.proposals:
        for actor in proposal.actors:
            key = actor.name.lower()
            if actor.actor_id is None and key not in actor_ids:
                actor_ids[key] = _unique(slug(actor.name, 4), taken_actors)
                new_actors.append(actor_record(actor_ids[key], actor.name, actor.kind))
    taken_events = set(document.events["id"])
    events = {
        p.ident: event_record(
            p, _unique(f"e-{slug(p.title)}", taken_events), source["id"], actor_ids
        )
        for p in analysis.proposals
    }
    return Plan(source, new_actors, events)


def plan_edit(document: Document, plan: Plan, events: list[dict[str, Any]]) -> EditGroup:
    """One undoable edit: the article as a source, the new actors these events name,
    and the events."""
    named = {a["actor"] for e in events for a in e["actors"]}
    known = set(document.actors["id"])
    source = plan.source
    edits: list[Edit] = [SetRecord("sources", source["id"], source, "Add the article as a source")]
    edits += [SetRecord("actors", a["id"], a) for a in plan.actors if a["id"] in named - known]
    edits += [AddEvent(e) for e in events]
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    return EditGroup(edits, f"Add {count} from “{source['title']}”")


def article_edit(document: Document, analysis: Analysis, accepted: list[Proposal]) -> EditGroup:
    """Every `accepted` proposal as it was drafted, as one undoable edit."""
    drafted = plan(document, analysis)
    return plan_edit(document, drafted, [drafted.events[p.ident] for p in accepted])


def merge_records(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two proposals of one fact as one: the first's title, date and summary; actors,
    figures, sources and quotes of both; the weaker claim status."""
    merged = copy.deepcopy(first)
    for actor in second["actors"]:
        if all(a["actor"] != actor["actor"] for a in merged["actors"]):
            merged["actors"].append(dict(actor))
    for figure in second["figures"]:
        if all(f["text"] != figure["text"] for f in merged["figures"]):
            merged["figures"].append(dict(figure))
    merged["sources"] += [s for s in second["sources"] if s not in merged["sources"]]
    order = [s.value for s in ClaimStatus]
    if order.index(second["status"]) > order.index(first["status"]):
        merged["status"] = second["status"]
    for key, value in second["attributes"].items():
        if key not in merged["attributes"]:
            merged["attributes"][key] = value
        elif value != merged["attributes"][key]:
            merged["attributes"][key] = f"{merged['attributes'][key]}; {value}"
    if second["summary"] and second["summary"] not in merged["summary"]:
        merged["summary"] = f"{merged['summary']} {second['summary']}".strip()
    return merged
