"""The visible time range, in integer nanoseconds so zooming in and out is exact.

Seconds as float64 lose whole minutes 13.8 billion years ago; Python ints do not,
and rounding to a nanosecond at each step makes "zoom in, zoom out" land back on
the same view. Pixels are computed from int64 second offsets against the view's
start, so precision is kept where the user is looking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt

NS: Final = 1_000_000_000
MIN_SPAN_NS: Final = NS  # one second across the whole view
MARGIN: Final = 0.05  # fraction of the data range left free on each side by "fit"


@dataclass(frozen=True, slots=True)
class Viewport:
    start_ns: int
    span_ns: int
    width: float  # pixels

    @classmethod
    def fit(cls, lo: int, hi: int, width: float) -> Viewport:
        """The data range [lo, hi) seconds with a margin either side."""
        span = max(hi - lo, 60) * NS
        pad = int(span * MARGIN)
        return cls(lo * NS - pad, span + 2 * pad, width)

    # --- conversion ------------------------------------------------------------------

    @property
    def t0(self) -> float:
        return self.start_ns / NS

    @property
    def t1(self) -> float:
        return (self.start_ns + self.span_ns) / NS

    @property
    def seconds_per_px(self) -> float:
        return self.span_ns / NS / max(self.width, 1.0)

    def window(self) -> tuple[int, int]:
        """Whole seconds covering the view (for searchsorted)."""
        return self.start_ns // NS, -(-(self.start_ns + self.span_ns) // NS)

    def x_of(self, seconds: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        base, frac = divmod(self.start_ns, NS)
        offset = (seconds - np.int64(base)).astype(np.float64) - frac / NS
        return offset * (self.width * NS / self.span_ns)

    def x_of_one(self, seconds: int) -> float:
        return (seconds * NS - self.start_ns) * self.width / self.span_ns

    def seconds_at(self, x: float) -> int:
        """The second under pixel x (rounded down)."""
        return (self.start_ns + round(x * self.span_ns / max(self.width, 1.0))) // NS

    # --- movement ------------------------------------------------------------------

    def zoomed(
        self, factor: float, anchor_x: float | None = None, *, anchor_ns: int | None = None
    ) -> Viewport:
        """Scale the span by `factor` (<1 zooms in) keeping one instant where it is on
        screen: `anchor_ns` if given (exact), else the time under pixel `anchor_x`."""
        # Exact rational arithmetic: spans of aeons in ns exceed float64's 53 bits.
        # The anchor keeps its fraction of the width, floored the same way before and
        # after, so zooming back by 1/factor lands within a nanosecond of the start.
        if anchor_ns is None:
            anchor_x = self.width / 2 if anchor_x is None else anchor_x
            fraction = Fraction(anchor_x) / Fraction(max(self.width, 1.0))
            anchor_ns = self.start_ns + math.floor(fraction * self.span_ns)
        else:
            fraction = Fraction(anchor_ns - self.start_ns, self.span_ns)
        span = max(round(self.span_ns * Fraction(factor)), MIN_SPAN_NS)
        start = anchor_ns - math.floor(fraction * span)
        return replace(self, start_ns=start, span_ns=span)

    def panned(self, dx_px: float) -> Viewport:
        """Move the view right by dx pixels' worth of time (negative: left)."""
        return replace(
            self, start_ns=self.start_ns + round(dx_px * self.span_ns / max(self.width, 1.0))
        )

    def centred_on(self, seconds_ns: int) -> Viewport:
        return replace(self, start_ns=seconds_ns - self.span_ns // 2)

    def resized(self, width: float) -> Viewport:
        """Keep the scale (seconds per pixel) when the widget is resized."""
        if self.width <= 0:
            return replace(self, width=width)
        return replace(
            self, span_ns=max(round(self.span_ns * width / self.width), MIN_SPAN_NS), width=width
        )

    def clamped(self, lo: int, hi: int) -> Viewport:
        """Bound the zoom to [one second, data range x (1 + margins) x 4] and keep data in reach."""
        data_span = max(hi - lo, 60) * NS
        max_span = int(data_span * (1 + 2 * MARGIN) * 4)
        span = min(max(self.span_ns, MIN_SPAN_NS), max_span)
        start = self.start_ns + (self.span_ns - span) // 2
        # Never let the data leave the view entirely: at least a tenth of the view overlaps it.
        keep = span // 10
        start = min(max(start, lo * NS - span + keep), hi * NS - keep)
        return replace(self, start_ns=start, span_ns=span)

    def contains(self, lo: int, hi: int) -> bool:
        return lo * NS >= self.start_ns and hi * NS <= self.start_ns + self.span_ns
