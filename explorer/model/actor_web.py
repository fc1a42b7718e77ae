"""The web of actors from the links table: who is named with whom, in which roles.

Vectorised over links (no Python per event): the links of the events kept are
grouped by event, every pair of links within an event is made with `np.repeat`,
and pairs and role pairs are counted with `np.unique`. Cost follows the number of
links kept plus the pairs they make (k actors on one event make k(k-1)/2 pairs).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from explorer.model.query import ActorPairs, RolePair

I64 = npt.NDArray[np.int64]


def link_pairs(events: I64) -> tuple[I64, I64]:
    """For links sorted by event, index pairs (i, j), i < j, of links on one event."""
    n = len(events)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, events[1:] != events[:-1]])
    ends = np.r_[starts[1:], n]
    group_end = np.repeat(ends, ends - starts)
    after = group_end - np.arange(n) - 1  # links after each one in its event
    first = np.repeat(np.arange(n, dtype=np.int64), after)
    block = np.repeat(np.cumsum(after) - after, after)
    second = first + 1 + (np.arange(len(first), dtype=np.int64) - block)
    return first, second


def actor_pairs(
    link_event: I64,
    link_actor: I64,
    link_role: I64,
    role_names: list[str],
    keep: npt.NDArray[np.bool_],
) -> ActorPairs:
    """`ActorPairs` over the links of events where `keep` is true. `link_role` are
    codes into `role_names`; rows of -1 (unknown event or actor) are ignored."""
    ok = (link_event >= 0) & (link_actor >= 0)
    ok[ok] &= keep[link_event[ok]]
    rows = np.stack([link_event[ok], link_actor[ok], link_role[ok]], axis=1)
    if not len(rows):
        return ActorPairs()
    rows = np.unique(rows, axis=0)  # sorted by event, then actor, then role
    first, second = link_pairs(rows[:, 0])
    x, y = rows[first], rows[second]
    differ = x[:, 1] != y[:, 1]
    x, y = x[differ], y[differ]  # y's actor is greater: rows are sorted by actor
    if not len(x):
        return ActorPairs()
    shared = np.unique(np.stack([x[:, 1], y[:, 1], x[:, 0]], axis=1), axis=0)
    pairs, counts = np.unique(shared[:, :2], axis=0, return_counts=True)
    combos = np.unique(np.stack([x[:, 1], y[:, 1], x[:, 2], y[:, 2], x[:, 0]], axis=1), axis=0)
    roles, role_counts = np.unique(combos[:, :4], axis=0, return_counts=True)
    at = np.searchsorted(
        pairs[:, 0] * (pairs[:, 1].max() + 1) + pairs[:, 1],
        roles[:, 0] * (pairs[:, 1].max() + 1) + roles[:, 1],
    )
    grouped: list[list[RolePair]] = [[] for _ in range(len(pairs))]
    for i, (ra, rb), n in zip(
        at.tolist(), roles[:, 2:].tolist(), role_counts.tolist(), strict=True
    ):
        grouped[i].append(RolePair(role_names[ra], role_names[rb], int(n)))
    return ActorPairs(
        a=np.ascontiguousarray(pairs[:, 0], dtype=np.int64),
        b=np.ascontiguousarray(pairs[:, 1], dtype=np.int64),
        events=np.asarray(counts, dtype=np.int64),
        roles=tuple(
            tuple(sorted(g, key=lambda r: (-r.events, r.role_a, r.role_b))) for g in grouped
        ),
    )
