"""Time-axis ticks: calendar-aligned, never crowded, sensible from the Big Bang to seconds."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from explorer.model.dates import MONTH_NAMES, parts, to_seconds
from explorer.model.ticks import MAX_LABEL_CHARS, Axis, Tick, axis


def labels(ticks: list[Tick]) -> list[str]:
    return [t.label for t in ticks]


def check_invariants(ax: Axis, t0: float, t1: float, width: float, spacing: float) -> None:
    pos = [t.seconds for t in ax.ticks]
    assert pos == sorted(set(pos)), "strictly increasing"
    assert all(t0 <= s <= t1 for s in pos)
    assert len(pos) <= width / spacing + 2
    assert all(t.label for t in ax.ticks)
    # The level is chosen on its *shortest* gap (28-day February, 365-day year), not the
    # mean one, so the full min_spacing holds for every pair; 1e-9 absorbs float rounding.
    # Labels longer than MAX_LABEL_CHARS (deep time zoomed to single years) get more room.
    longest = max((len(t.label) for t in ax.ticks), default=0)
    needed = spacing * max(1.0, longest / MAX_LABEL_CHARS) * (1 - 1e-9)
    px_per_s = width / (t1 - t0)
    for a, b in itertools.pairwise(pos):
        assert (b - a) * px_per_s >= needed, (ax.level, a, b)

    ctx = [t.seconds for t in ax.context]
    assert ctx, "context row is never empty"
    assert ctx == sorted(set(ctx))
    assert ctx[0] <= t0
    assert all(s <= t1 for s in ctx)
    assert len(ctx) <= len(pos) + 2  # context periods start on ticks (plus AD 1, and t0's)


@settings(max_examples=400, deadline=None)
@given(
    t0=st.floats(min_value=-4e17, max_value=3e11),
    log_span=st.floats(min_value=0.0, max_value=math.log10(4e17)),
    width=st.floats(min_value=50, max_value=4000),
    spacing=st.sampled_from([40.0, 80.0, 120.0]),
)
def test_ticks_are_ordered_spaced_and_bounded(
    t0: float, log_span: float, width: float, spacing: float
) -> None:
    t1 = t0 + 10**log_span
    assume(t1 > t0)
    ax = axis(t0, t1, width, spacing)
    check_invariants(ax, t0, t1, width, spacing)
    assert ax.level


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(min_value=-13_800_000_000, max_value=10_000),
    month=st.integers(min_value=1, max_value=12),
    log_span=st.floats(min_value=0.0, max_value=17.0),
    width=st.integers(min_value=50, max_value=4000),
)
def test_ranges_starting_on_a_calendar_boundary(
    year: int, month: int, log_span: float, width: int
) -> None:
    """t0 exactly on a period start is the case where off-by-one alignment shows."""
    t0 = to_seconds(year, month)
    t1 = t0 + math.ceil(10**log_span)
    ax = axis(t0, t1, width)
    check_invariants(ax, t0, t1, width, 80.0)


def test_a_year_and_a_bit_gives_months_with_year_context() -> None:
    t0, t1 = to_seconds(2025), to_seconds(2026, 2)
    ax = axis(t0, t1, 1600)
    assert ax.level == "month"
    assert labels(ax.ticks) == [m[:3] for m in MONTH_NAMES] + ["Jan", "Feb"]
    assert ax.ticks[0].seconds == t0
    assert labels(ax.context) == ["2025", "2026"]
    assert ax.context[1].seconds == to_seconds(2026)


def test_ten_years_gives_year_ticks_with_decade_context() -> None:
    ax = axis(to_seconds(2000), to_seconds(2010), 1000)
    assert ax.level == "year"
    assert labels(ax.ticks) == [str(y) for y in range(2000, 2011)]
    assert labels(ax.context) == ["2000s", "2010s"]


def test_decades_align_on_multiples_of_ten() -> None:
    ax = axis(to_seconds(1903, 5), to_seconds(2047), 1600)
    assert ax.level == "10 years"
    assert labels(ax.ticks) == [str(y) for y in range(1910, 2041, 10)]
    assert [parts(t.seconds).year for t in ax.ticks] == list(range(1910, 2041, 10))
    assert labels(ax.context) == ["1900–1999", "2000–2099"]


def test_the_age_of_the_universe() -> None:
    t0, t1 = to_seconds(-13_800_000_000), to_seconds(2026)
    ax = axis(t0, t1, 1600)
    check_invariants(ax, t0, t1, 1600, 80)
    assert ax.level == "1,000,000,000 years"
    assert labels(ax.ticks) == [f"−{n} bn" for n in range(13, 0, -1)]
    assert ax.context[0].seconds <= t0


def test_deep_time_zoomed_in_keeps_exact_labels() -> None:
    t0, t1 = to_seconds(-5_000_000), to_seconds(-4_000_000)
    ax = axis(t0, t1, 1000)
    assert labels(ax.ticks)[:3] == ["−5 m", "−4.9 m", "−4.8 m"]
    # Ten years wide: no compact form is exact, so the full BC number, with room for it.
    t0, t1 = to_seconds(-13_800_000_010), to_seconds(-13_799_999_990)
    ax = axis(t0, t1, 1600)
    check_invariants(ax, t0, t1, 1600, 80)
    assert "13,800,000,000 BC" in labels(ax.ticks)


def test_one_hour_gives_minute_ticks() -> None:
    t0, t1 = to_seconds(2026, 6, 24, 10), to_seconds(2026, 6, 24, 11)
    ax = axis(t0, t1, 1600)
    assert ax.level == "5 minutes"
    assert labels(ax.ticks)[:3] == ["10:00", "10:05", "10:10"]
    assert labels(ax.ticks)[-1] == "11:00"
    assert labels(ax.context) == ["24 June 2026"]


def test_half_a_minute_gives_second_ticks() -> None:
    t0, t1 = to_seconds(2026, 6, 24, 14, 35), to_seconds(2026, 6, 24, 14, 35, 30)
    ax = axis(t0, t1, 1600)
    assert ax.level == "5 seconds"
    assert labels(ax.ticks)[:2] == ["14:35:00", "14:35:05"]
    assert labels(ax.context) == ["24 June 2026 14:35"]


def test_hours_across_midnight_change_the_day_context() -> None:
    t0, t1 = to_seconds(2026, 6, 24, 18), to_seconds(2026, 6, 25, 6)
    ax = axis(t0, t1, 1000)
    assert ax.level == "hour"
    assert "00:00" in labels(ax.ticks)
    assert labels(ax.context) == ["24 June 2026", "25 June 2026"]


def test_weeks_use_days_1_8_15_22() -> None:
    ax = axis(to_seconds(2026, 6), to_seconds(2026, 8), 1000)
    assert ax.level == "7 days"
    assert labels(ax.ticks) == ["1", "8", "15", "22"] * 2 + ["1"]
    assert labels(ax.context) == ["June 2026", "July 2026", "August 2026"]


def test_days_have_month_context() -> None:
    ax = axis(to_seconds(2024, 2, 20), to_seconds(2024, 3, 3), 1600)
    assert ax.level == "day"
    assert labels(ax.ticks) == [str(d) for d in range(20, 30)] + ["1", "2", "3"]
    assert labels(ax.context) == ["February 2024", "March 2024"]


def test_around_year_zero() -> None:
    """Astronomical year 0 is 1 BC; there is no year 0 in the labels."""
    ax = axis(to_seconds(-3), to_seconds(4), 1000)
    assert ax.level == "year"
    assert labels(ax.ticks) == ["4 BC", "3 BC", "2 BC", "1 BC", "1", "2", "3", "4"]
    assert ax.ticks[3].seconds == to_seconds(0)
    assert labels(ax.context) == ["10–1 BC", "1–9"]


def test_bc_ticks_are_round_bc_years() -> None:
    ax = axis(to_seconds(-30), to_seconds(31), 500)
    assert ax.level == "10 years"
    assert labels(ax.ticks) == ["30 BC", "20 BC", "10 BC", "10", "20", "30"]
    assert [parts(t.seconds).year for t in ax.ticks] == [-29, -19, -9, 10, 20, 30]
    ax = axis(to_seconds(-12_000), to_seconds(-7_000), 500)
    assert labels(ax.ticks) == ["12,000 BC", "11,000 BC", "10,000 BC", "9000 BC", "8000 BC"]


@pytest.mark.parametrize(
    ("t0", "t1", "width"),
    [(10.0, 10.0, 800), (10.0, 5.0, 800), (0.0, 100.0, 0), (0.0, math.inf, 800)],
)
def test_degenerate_inputs(t0: float, t1: float, width: float) -> None:
    ax = axis(t0, t1, width)
    assert ax.ticks == []
    assert len(ax.context) == 1


def test_sub_second_spans() -> None:
    ax = axis(100.2, 100.7, 800)
    assert ax.level == "second"
    assert ax.ticks == []
    assert ax.context[0].seconds <= 100.2
    ax = axis(99.5, 100.5, 800)
    assert [t.seconds for t in ax.ticks] == [100]


def test_far_outside_the_calendar_does_not_raise() -> None:
    for t0, t1 in [(-1e19, -9.9e18), (-1e19, 1e19), (9e18, 9.1e18)]:
        ax = axis(t0, t1, 1000)
        assert ax.context
        assert ax.context[0].seconds <= t0
        assert all(t0 <= t.seconds <= t1 for t in ax.ticks)
