"""Placing marks: sub-rows for overlapping marks, and density per pixel column.

Both are whole-array numpy operations: the painter asks for a lane's visible marks
and gets row numbers back, or asks for counts per column and gets them from two
``searchsorted`` calls over the lane's sorted bounds, so the cost of a zoomed-out
lane depends on the widget's width, not on how many events it holds.
"""

from __future__ import annotations

import heapq

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Above this many marks in one lane, the exact stacking (a heap walk, a Python step
# per mark) gives way to the vectorised one, which is exact for marks of equal width
# and repaired for the rest.
EXACT_STACK_LIMIT = 200
_REPAIR_ROUNDS = 6


def stack(x0: F64, x1: F64, min_width: float, gap: float = 2.0) -> I64:
    """Sub-row of each mark so that marks in one sub-row do not overlap.

    Marks are widened to `min_width` pixels (plus `gap`). Returns row numbers
    starting at 0, in the order given; the caller decides how many rows it shows.
    """
    n = len(x0)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(x0, kind="stable")
    rows = np.empty(n, dtype=np.int64)
    rows[order] = _stack_sorted(x0[order], x1[order], min_width, gap)
    return rows


def depth(x0: F64, x1: F64, min_width: float, gap: float = 2.0) -> int:
    """Most marks over any one point: the rows the exact stacking needs, without it."""
    if not len(x0):
        return 0
    right = np.sort(np.maximum(x1, x0 + min_width) + gap)
    starts = np.sort(x0)
    open_at = np.arange(1, len(starts) + 1) - np.searchsorted(right, starts, side="right")
    return int(open_at.max())


def _stack_sorted(x0: F64, x1: F64, min_width: float, gap: float) -> I64:
    n = len(x0)
    right = np.maximum(x1, x0 + min_width) + gap
    uniform = bool(np.all(right - x0 <= min_width + gap + 1e-9))
    if uniform:
        return _stack_uniform(x0, right)
    if n > EXACT_STACK_LIMIT:
        return _repair(x0, right, _stack_uniform(x0, right))
    return _stack_exact(x0, right)


def _clashes(x0: F64, right: F64, rows: I64) -> I64:
    """Marks that start before an earlier mark in their own row has ended."""
    order = np.lexsort((x0, rows))
    r, xs, re = rows[order], x0[order], right[order]
    # Running maximum of right edges within each row: offsetting each row by a
    # constant larger than any extent keeps one accumulate from leaking across rows.
    span = float(re.max() - xs.min()) + 1.0
    acc = np.maximum.accumulate(re + r * span) - r * span
    previous = np.empty_like(acc)
    previous[0] = -np.inf
    previous[1:] = acc[:-1]
    first_in_row = np.ones(len(r), dtype=bool)
    first_in_row[1:] = r[1:] != r[:-1]
    previous[first_in_row] = -np.inf
    return np.asarray(order[xs < previous], dtype=np.int64)


def _repair(x0: F64, right: F64, rows: I64) -> I64:
    """Move marks that overlap in their row to fresh rows until none do."""
    rows = rows.copy()
    for _ in range(_REPAIR_ROUNDS):
        clash = _clashes(x0, right, rows)
        if not len(clash):
            return rows
        sub = _stack_uniform(x0[clash], right[clash]) if len(clash) > 1 else np.zeros(1, np.int64)
        rows[clash] = rows.max() + 1 + sub
    return rows


def _stack_uniform(x0: F64, right: F64) -> I64:
    """Row = position in its run modulo the run's overlap depth (exact for equal widths).

    With equal widths and sorted starts, the marks overlapping mark i are the `depth`
    marks just before it, so cycling through `depth + 1` rows never collides.
    """
    n = len(x0)
    index = np.arange(n)
    ends_sorted = np.sort(right)
    # Marks ending at or before my start; the rest of those before me overlap me.
    depth = index - np.minimum(np.searchsorted(ends_sorted, x0, side="right"), index)
    # A run (cluster) starts where nothing earlier reaches past this start.
    reach = np.maximum.accumulate(right)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = x0[1:] >= reach[:-1]
    run_id = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_depth = np.maximum.reduceat(depth, run_start) + 1
    position = index - run_start[run_id]
    return np.asarray(position % run_depth[run_id], dtype=np.int64)


def _stack_exact(x0: F64, right: F64) -> I64:
    """First-fit by start time with a heap of free rows: optimal for intervals."""
    rows = np.empty(len(x0), dtype=np.int64)
    busy: list[tuple[float, int]] = []  # (right edge, row)
    free: list[int] = []
    next_row = 0
    for i, (start, end) in enumerate(zip(x0.tolist(), right.tolist(), strict=True)):
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            row = heapq.heappop(free)
        else:
            row, next_row = next_row, next_row + 1
        rows[i] = row
        heapq.heappush(busy, (end, row))
    return rows


def density(lo_sorted: I64, hi_sorted: I64, edges: I64) -> I64:
    """Events overlapping each column [edges[k], edges[k+1]), from sorted bounds.

    Events started before the column's right edge, minus those that ended at or
    before its left edge.
    """
    started = np.searchsorted(lo_sorted, edges[1:], side="left")
    ended = np.searchsorted(hi_sorted, edges[:-1], side="right")
    return (started - ended).astype(np.int64)
