"""The visible time range: exact zoom and pan, clamping, and pixels 13.8 billion years ago."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from explorer.model.dates import DAY, YEAR_APPROX, to_seconds
from explorer.model.viewport import MARGIN, MIN_SPAN_NS, NS, Viewport

BIG_BANG = to_seconds(-13_800_000_000)
UNIVERSE_NS = -BIG_BANG * NS * 2  # a span wider than any data: 2 x 13.8 billion years

starts = st.one_of(
    st.integers(-(10**18) * NS, 10**18 * NS),
    st.integers(BIG_BANG * NS - 10**12, BIG_BANG * NS + 10**12),
)
spans = st.one_of(
    st.integers(MIN_SPAN_NS, 10**6 * NS),
    st.integers(MIN_SPAN_NS, UNIVERSE_NS),
)
widths = st.sampled_from([1.0, 320.0, 1000.0, 1917.5, 3840.0])


@st.composite
def viewports(draw: st.DrawFn) -> Viewport:
    return Viewport(draw(starts), draw(spans), draw(widths))


# --- zoom and pan -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(viewports(), st.sampled_from([0.5, 2.0]), st.floats(0.0, 1.0))
def test_button_zoom_and_back_is_exact_at_any_scale(
    vp: Viewport, factor: float, anchor: float
) -> None:
    """The zoom buttons halve and double the span: back and forth lands on the same view."""
    assume(vp.span_ns * factor >= MIN_SPAN_NS)  # not stopped at the one-second floor
    x = anchor * vp.width
    back = vp.zoomed(factor, x).zoomed(1 / factor, x)
    assert abs(back.span_ns - vp.span_ns) <= 1
    assert abs(back.start_ns - vp.start_ns) <= 1


@settings(max_examples=300, deadline=None)
@given(viewports(), st.integers(1, 3), st.floats(0.0, 1.0))
def test_wheel_zoom_and_back_keeps_the_view(vp: Viewport, clicks: int, anchor: float) -> None:
    """The wheel zooms by 0.8 per click; the same clicks back return to the same view.

    0.8 and 1.25 are not exact inverses in binary, so very wide views may move by the
    float rounding of the span (1e-15 of it), never by a visible amount.
    """
    factor = 0.8**clicks
    assume(vp.span_ns * factor >= MIN_SPAN_NS)
    x = anchor * vp.width
    back = vp.zoomed(factor, x).zoomed(1 / factor, x)
    slack = 1 + vp.span_ns * 1e-15
    assert abs(back.span_ns - vp.span_ns) <= slack
    assert abs(back.start_ns - vp.start_ns) <= slack


@settings(max_examples=200, deadline=None)
@given(viewports(), st.floats(0.01, 100.0), st.floats(0.0, 1.0))
def test_zoom_keeps_the_time_under_the_anchor(vp: Viewport, factor: float, anchor: float) -> None:
    x = anchor * vp.width
    zoomed = vp.zoomed(factor, x)
    assert zoomed.width == vp.width
    expected_span = max(round(vp.span_ns * factor), MIN_SPAN_NS)
    assert abs(zoomed.span_ns - expected_span) <= 1 + expected_span * 1e-15
    at = Fraction(x) / Fraction(vp.width)
    before = vp.start_ns + at * vp.span_ns
    after = zoomed.start_ns + at * zoomed.span_ns
    assert abs(after - before) <= 1


@settings(max_examples=200, deadline=None)
@given(viewports(), st.sampled_from([0.5, 2.0, 0.8, 1.25]), st.floats(0.0, 1.0))
def test_zoom_about_an_instant_keeps_it_in_place(vp: Viewport, factor: float, at: float) -> None:
    """The keys zoom about the selected event's time (anchor_ns), not a pixel."""
    instant = vp.start_ns + int(at * vp.span_ns)
    zoomed = vp.zoomed(factor, anchor_ns=instant)
    # The instant keeps its fraction of the width, to a nanosecond of the new span.
    before = Fraction(instant - vp.start_ns, vp.span_ns)
    assert abs((instant - zoomed.start_ns) - before * zoomed.span_ns) <= 1
    assume(vp.span_ns * min(factor, 1) >= MIN_SPAN_NS)
    back = zoomed.zoomed(1 / factor, anchor_ns=instant)
    # Each step floors the instant's offset to a nanosecond; zooming out by 1/factor
    # scales that by 1/factor (0.8 and 1.25 are not exact inverses: span * 1e-15).
    slack = 1 / min(factor, 1) + 1 + vp.span_ns * 1e-15
    assert abs(back.span_ns - vp.span_ns) <= slack
    assert abs(back.start_ns - vp.start_ns) <= slack


def test_zoom_in_stops_at_one_second() -> None:
    vp = Viewport(0, 10 * NS, 1000.0).zoomed(1e-6, 500.0)
    assert vp.span_ns == MIN_SPAN_NS
    assert vp.start_ns == 5 * NS - MIN_SPAN_NS // 2


@settings(max_examples=300, deadline=None)
@given(viewports(), st.floats(-5000.0, 5000.0))
def test_pan_and_back_is_exact(vp: Viewport, dx: float) -> None:
    there = vp.panned(dx)
    assert there.span_ns == vp.span_ns
    assert there.panned(-dx) == vp
    # Moving right by dx pixels shows later times by dx pixels' worth.
    assert (
        abs((there.start_ns - vp.start_ns) - dx * vp.span_ns / vp.width) <= 1 + vp.span_ns * 1e-15
    )


def test_pan_example() -> None:
    vp = Viewport(0, 1000 * NS, 1000.0)
    assert vp.panned(250.0).start_ns == 250 * NS
    assert vp.panned(-0.5).start_ns == -NS // 2


# --- clamping ---------------------------------------------------------------------------


def max_span(lo: int, hi: int) -> int:
    """The documented largest view: the data range (at least a minute) with margins, x4."""
    return int(max(hi - lo, 60) * NS * (1 + 2 * MARGIN) * 4)


data_ranges = st.one_of(
    st.tuples(st.integers(-(10**9), 10**9), st.integers(1, 10**6)),
    st.tuples(st.integers(BIG_BANG, 0), st.integers(1, -BIG_BANG)),
).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=300, deadline=None)
@given(viewports(), data_ranges)
def test_clamped_bounds_zoom_and_keeps_data_in_reach(vp: Viewport, data: tuple[int, int]) -> None:
    lo, hi = data
    c = vp.clamped(lo, hi)
    assert c.width == vp.width
    assert MIN_SPAN_NS <= c.span_ns <= max_span(lo, hi)
    if MIN_SPAN_NS <= vp.span_ns <= max_span(lo, hi):
        assert c.span_ns == vp.span_ns  # a legal zoom is not changed
    # At least a tenth of the view (or all the data, if less) shows data.
    overlap = min(c.start_ns + c.span_ns, hi * NS) - max(c.start_ns, lo * NS)
    assert overlap >= min(c.span_ns // 10, (hi - lo) * NS)
    # Clamping twice changes nothing.
    assert c.clamped(lo, hi) == c


def test_clamped_examples() -> None:
    lo, hi = to_seconds(2020), to_seconds(2021)
    year_ns = (hi - lo) * NS
    too_wide = Viewport(lo * NS, year_ns * 100, 1000.0).clamped(lo, hi)
    assert too_wide.span_ns == int(year_ns * 1.1 * 4)
    too_narrow = Viewport(lo * NS, 1, 1000.0).clamped(lo, hi)
    assert too_narrow.span_ns == MIN_SPAN_NS
    far_away = Viewport(hi * NS + 100 * year_ns, year_ns, 1000.0).clamped(lo, hi)
    assert far_away.start_ns == hi * NS - year_ns // 10
    fitted = Viewport.fit(lo, hi, 1000.0)
    assert fitted.clamped(lo, hi) == fitted
    assert fitted.contains(lo, hi)


# --- pixels -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(viewports(), st.floats(0.0, 1.0))
def test_seconds_at_inverts_x_of(vp: Viewport, fraction: float) -> None:
    x = fraction * vp.width
    s = vp.seconds_at(x)
    # The second under x starts at or left of x, and the next one starts right of it.
    px_per_ns = vp.width / vp.span_ns
    tolerance = 1e-6 + vp.width * 1e-12
    assert vp.x_of_one(s) <= x + tolerance
    assert vp.x_of_one(s + 1) > x - tolerance - px_per_ns
    assert vp.x_of(np.array([s], dtype=np.int64))[0] == pytest.approx(vp.x_of_one(s), abs=tolerance)


@settings(max_examples=200, deadline=None)
@given(viewports(), st.floats(-3.0, 3.0))
def test_x_of_and_x_of_one_agree(vp: Viewport, offset_widths: float) -> None:
    s = vp.start_ns // NS + round(offset_widths * vp.span_ns / NS)
    assume(abs(s) < 2**62)
    vector = vp.x_of(np.array([s], dtype=np.int64))[0]
    assert vector == pytest.approx(vp.x_of_one(s), rel=1e-9, abs=1e-6)


def test_x_of_examples() -> None:
    vp = Viewport(-10 * NS, 100 * NS, 1000.0)
    assert vp.x_of(np.array([-10, 0, 40, 90], dtype=np.int64)).tolist() == [0, 100, 500, 1000]
    assert vp.seconds_at(0.0) == -10
    assert vp.seconds_at(105.0) == 0
    assert vp.seconds_at(99.0) == -1  # rounded down, also before the epoch
    assert vp.window() == (-10, 90)
    assert (vp.t0, vp.t1, vp.seconds_per_px) == (-10.0, 90.0, 0.1)


def test_one_second_apart_13_8_billion_years_ago() -> None:
    """Zoomed to seconds at the Big Bang, events a second apart sit a second's pixels apart."""
    vp = Viewport.fit(BIG_BANG - 100 * YEAR_APPROX, BIG_BANG + 100 * YEAR_APPROX, 1000.0)
    for _ in range(200):
        vp = vp.zoomed(0.8, vp.x_of_one(BIG_BANG))
    assert vp.span_ns == MIN_SPAN_NS  # one second across 1000 px
    events = np.array([BIG_BANG, BIG_BANG + 1], dtype=np.int64)
    x0, x1 = vp.x_of(events)
    assert 0 <= x0 <= 1000
    assert x1 - x0 == pytest.approx(1000.0, abs=1e-6)
    assert vp.seconds_at(x0 + 1e-3) == BIG_BANG
    assert vp.x_of_one(BIG_BANG + 1) - vp.x_of_one(BIG_BANG) == pytest.approx(1000.0, abs=1e-6)

    # A day across the view: events one second apart are 1000/86400 px apart, exactly.
    day = Viewport(BIG_BANG * NS, DAY * NS, 1000.0)
    xs = day.x_of(np.array([BIG_BANG + 43_200, BIG_BANG + 43_201], dtype=np.int64))
    assert xs[0] == pytest.approx(500.0)
    assert xs[1] - xs[0] == pytest.approx(1000.0 / DAY, rel=1e-9)


def test_resized_keeps_the_scale() -> None:
    vp = Viewport(0, 1000 * NS, 1000.0)
    wider = vp.resized(1500.0)
    assert wider.seconds_per_px == vp.seconds_per_px
    assert wider.start_ns == vp.start_ns
    assert Viewport(0, NS, 1000.0).resized(10.0).span_ns == MIN_SPAN_NS
