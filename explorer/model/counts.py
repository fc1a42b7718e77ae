"""Multi-resolution counts over one sorted array: how many values lie below a bin edge.

A lane's sorted starts (or ends) answer "how many before t" by ``searchsorted``;
that costs a cache miss per step over an array as long as the lane. Counts at
power-of-two bins (bin = value >> level), cumulated, answer the same question for
edges on the level's grid from an array the size of the bins actually used: a
zoomed-out frame reads a few thousand numbers whether the lane holds a thousand
events or ten million. Levels are built once from the finest worth keeping, each
from the one below (O(N) in all), and kept current by edits one value at a time.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

# A level is kept when it has at most this fraction of the values' count in bins;
# finer levels are answered from the sorted values themselves (just as exact).
KEEP_FRACTION: Final = 4
MAX_LEVEL: Final = 62


class LevelCounts:
    """Sorted int64 values plus their cumulative counts per power-of-two bin."""

    def __init__(self, sorted_values: I64) -> None:
        self.values = np.ascontiguousarray(sorted_values, dtype=np.int64)
        self.levels: dict[int, tuple[I64, I64]] = {}
        self.finest = MAX_LEVEL + 1
        n = len(self.values)
        if n < 64:
            return  # a few values: searchsorted on them is the cheapest answer
        spread = int(self.values[-1]) - int(self.values[0]) + 1
        # The finest level whose bins (over the spread) are few enough to be worth it.
        level = max((spread // max(n // KEEP_FRACTION, 1)).bit_length(), 0)
        if level > MAX_LEVEL:
            return
        bins, counts = _bin(self.values, level)
        self.finest = level
        while True:
            self.levels[level] = (bins, np.cumsum(counts))
            if len(bins) <= 1 or level >= MAX_LEVEL:
                break
            level += 1
            bins, counts = _coarser(bins, counts)

    def below(self, edges: I64, level: int) -> I64:
        """How many values are < each edge; edges must be multiples of 2**level.

        Any kept level at or below `level` answers exactly (its grid is finer)."""
        if level < self.finest or not self.levels:
            return np.searchsorted(self.values, edges, side="left").astype(np.int64)
        shift = min(level, max(self.levels))
        bins, cum = self.levels[shift]
        at = np.searchsorted(bins, edges >> shift, side="left")
        return np.where(at > 0, cum[np.maximum(at - 1, 0)], 0).astype(np.int64)

    # --- edits: one value at a time, every level kept exact ---------------------------

    def remove(self, value: int) -> None:
        at = int(np.searchsorted(self.values, value, side="left"))
        if at >= len(self.values) or int(self.values[at]) != value:
            raise KeyError(value)
        self.values = np.delete(self.values, at)
        for level, (bins, cum) in self.levels.items():
            i = int(np.searchsorted(bins, value >> level, side="left"))
            cum[i:] -= 1  # the bin may fall to zero; it then answers like its neighbour

    def add(self, value: int) -> None:
        self.values = np.insert(self.values, int(np.searchsorted(self.values, value)), value)
        for level, (bins, cum) in list(self.levels.items()):
            b = value >> level
            i = int(np.searchsorted(bins, b, side="left"))
            if i < len(bins) and int(bins[i]) == b:
                cum[i:] += 1
            else:
                before = int(cum[i - 1]) if i > 0 else 0
                bins = np.insert(bins, i, b)
                cum = np.insert(cum, i, before)
                cum[i:] += 1
                self.levels[level] = (bins, cum)


def _bin(values: I64, level: int) -> tuple[I64, I64]:
    """Distinct bins of sorted values at `level`, and how many values each holds."""
    bins = values >> level
    starts = np.flatnonzero(np.concatenate(([True], bins[1:] != bins[:-1])))
    counts = np.diff(np.append(starts, len(bins))).astype(np.int64)
    return bins[starts], counts


def _coarser(bins: I64, counts: I64) -> tuple[I64, I64]:
    halves = bins >> 1
    starts = np.flatnonzero(np.concatenate(([True], halves[1:] != halves[:-1])))
    return halves[starts], np.add.reduceat(counts, starts).astype(np.int64)
