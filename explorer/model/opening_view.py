"""Where a document opens: the stretch of time where its events are, not its whole range.

A story often has a few long, imprecise events ("2025", "2026") and a burst of dated
ones inside a few weeks; fitting everything leaves the burst in a sliver with every
label cut. The opening window is the narrowest stretch holding most of the short
events (`SHARE` of them, by their middles), widened to cover those events whole. Long
events are context: they are drawn across that window, or named at its edge. When the
short events are spread over most of the range anyway, the whole range is the answer.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

SHARE: Final = 0.8  # of the short events the opening window holds
LONG: Final = 0.25  # an event longer than this share of the range is context
DENSE_ENOUGH: Final = 0.5  # a window wider than this share of the range: fit everything
# Events the opening window is computed over, at most: beyond, every k-th by row (where
# most events are, a systematic sample finds; a sort of ten million middles costs 0.7 s).
OPENING_SAMPLE: Final = 1_000_000


def sample_step(n: int) -> int:
    """Every how many rows the opening window looks at, for `n` events."""
    return max(-(-n // OPENING_SAMPLE), 1)


def opening_window(lo: I64, hi: I64) -> tuple[int, int]:
    """[start, end) seconds to open on, for events covering [lo, hi)."""
    if not len(lo):
        return 0, 0
    first, last = int(lo.min()), int(hi.max())
    span = last - first
    short = (hi - lo) < span * LONG
    count = int(short.sum())
    if count < 2 or span <= 0:
        return first, last
    s_lo, s_hi = lo[short], hi[short]
    middles = np.sort(s_lo // 2 + s_hi // 2)
    keep = max(math.ceil(SHARE * count), 2)
    widths = middles[keep - 1 :] - middles[: count - keep + 1]
    at = int(np.argmin(widths))
    inside = (s_lo // 2 + s_hi // 2 >= middles[at]) & (
        s_lo // 2 + s_hi // 2 <= middles[at + keep - 1]
    )
    start, end = int(s_lo[inside].min()), int(s_hi[inside].max())
    if end - start > span * DENSE_ENOUGH:
        return first, last
    return start, end
