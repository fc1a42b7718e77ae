"""The web of actors from the links table: who is named with whom, in which roles.

Vectorised over links (no Python per event): the links of the events kept are
grouped by event, every pair of links within an event is made with `np.repeat`,
and pairs and role pairs are counted with `np.unique`. Cost follows the number of
links kept plus the pairs they make (k actors on one event make k(k-1)/2 pairs).
"""

from __future__ import annotations

import math

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


def unique_rows(*columns: I64) -> tuple[list[I64], I64]:
    """The distinct rows of some non-negative int64 columns, sorted (first column
    first), and how many times each occurs. The columns are packed into one int64 key
    when their ranges allow (a 1-D sort: np.lexsort and np.unique(axis=0) are many
    times slower), else sorted with np.lexsort."""
    if not len(columns[0]):
        return [c[:0] for c in columns], np.zeros(0, np.int64)
    ranges = [int(c.max()) + 1 for c in columns]
    if all(int(c.min()) >= 0 for c in columns) and math.prod(ranges) < 2**62:
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for c, r in zip(columns, ranges, strict=True):
            key = key * r + c
        distinct, counts = np.unique(key, return_counts=True)
        out = []
        for r in reversed(ranges):
            distinct, part = np.divmod(distinct, r)
            out.append(part)
        return out[::-1], counts.astype(np.int64)
    order = np.lexsort(columns[::-1])
    sorted_cols = [c[order] for c in columns]
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for c in sorted_cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(order))).astype(np.int64)
    return [c[starts] for c in sorted_cols], counts


def actor_pairs(
    link_event: I64,
    link_actor: I64,
    link_role: I64,
    role_names: list[str],
    keep: npt.NDArray[np.bool_],
) -> ActorPairs:
    """`ActorPairs` over the links of events where `keep` is true. `link_role` are
    codes into `role_names`; rows of -1 (unknown event or actor) are ignored. Events
    with a single link make no pair and are dropped first (most forensic data)."""
    ok = (link_event >= 0) & (link_actor >= 0)
    ok[ok] &= keep[link_event[ok]]
    events = link_event[ok]
    if len(events):
        ok[ok] &= np.bincount(events, minlength=len(keep))[events] >= 2
    (ev, ac, ro), _ = unique_rows(link_event[ok], link_actor[ok], link_role[ok])
    first, second = link_pairs(ev)
    differ = ac[first] != ac[second]  # the second's actor is greater: sorted by actor
    first, second = first[differ], second[differ]
    if not len(first):
        return ActorPairs()
    width = int(ac.max()) + 1
    pair = ac[first] * width + ac[second]
    (pair_e, _events), _ = unique_rows(pair, ev[first])
    (pairs,), counts = unique_rows(pair_e)
    (rp, ra, rb, _e), _ = unique_rows(pair, ro[first], ro[second], ev[first])
    (gp, ga, gb), role_counts = unique_rows(rp, ra, rb)
    at = np.searchsorted(pairs, gp)
    grouped: list[list[RolePair]] = [[] for _ in range(len(pairs))]
    for i, a, b, n in zip(at.tolist(), ga.tolist(), gb.tolist(), role_counts.tolist(), strict=True):
        grouped[i].append(RolePair(role_names[a], role_names[b], int(n)))
    return ActorPairs(
        a=np.asarray(pairs // width, dtype=np.int64),
        b=np.asarray(pairs % width, dtype=np.int64),
        events=counts,
        roles=tuple(
            tuple(sorted(g, key=lambda r: (-r.events, r.role_a, r.role_b))) for g in grouped
        ),
    )
