"""Stacking marks into sub-rows, and counting marks per pixel column."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model import layout
from explorer.model.layout import EXACT_STACK_LIMIT, density, stack


def widened(x0: np.ndarray, x1: np.ndarray, min_width: float, gap: float) -> np.ndarray:
    """Right edge of each mark as drawn: at least min_width wide, plus the gap."""
    return np.maximum(x1, x0 + min_width) + gap


def assert_no_overlap(x0: np.ndarray, right: np.ndarray, rows: np.ndarray) -> None:
    assert rows.shape == x0.shape
    assert rows.dtype == np.int64
    assert (rows >= 0).all()
    for row in np.unique(rows):
        members = np.flatnonzero(rows == row)
        members = members[np.argsort(x0[members], kind="stable")]
        # Each mark starts at or after the previous one in its row has ended.
        clash = x0[members[1:]] < right[members[:-1]]
        assert not clash.any(), f"row {row}: marks {members[1:][clash].tolist()} overlap"


def max_depth(x0: np.ndarray, right: np.ndarray) -> int:
    """Most marks covering one point, by brute force (touching marks do not overlap)."""
    if not len(x0):
        return 0
    return max(int(np.sum((x0 <= s) & (right > s))) for s in x0)


marks = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 300).map(float), st.floats(0, 300, allow_nan=False)),
        st.one_of(st.just(0.0), st.floats(0, 80, allow_nan=False)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(
    marks,
    st.sampled_from([0.5, 1.0, 6.0, 25.0]),
    st.sampled_from([0.0, 2.0, 3.5]),
)
def test_small_stacks_do_not_overlap_and_use_fewest_rows(
    items: list[tuple[float, float]], min_width: float, gap: float
) -> None:
    items.sort()
    x0 = np.array([a for a, _ in items], dtype=np.float64)
    x1 = x0 + np.array([w for _, w in items], dtype=np.float64)
    rows = stack(x0, x1, min_width, gap)
    right = widened(x0, x1, min_width, gap)
    assert_no_overlap(x0, right, rows)
    # Interval graphs are perfect: the rows needed equal the deepest overlap.
    assert (int(rows.max()) + 1 if len(rows) else 0) == max_depth(x0, right)


@pytest.mark.parametrize(
    ("x0", "x1", "rows"),
    [
        ([0, 10, 20], [5, 15, 25], [0, 0, 0]),  # apart: one row
        ([0, 5, 10], [12, 12, 12], [0, 1, 2]),  # all overlap: three rows
        ([0, 1, 12], [10, 11, 20], [0, 1, 0]),  # the third fits after the first
        ([0, 0], [0, 0], [0, 1]),  # equal points widened to min_width
    ],
)
def test_stack_examples(x0: list[float], x1: list[float], rows: list[int]) -> None:
    got = stack(np.array(x0, float), np.array(x1, float), min_width=4.0, gap=2.0)
    assert got.tolist() == rows


def test_marks_touching_after_the_gap_share_a_row() -> None:
    # 0..10 plus a 2 px gap ends at 12: a mark starting at 12 fits, one at 11.9 does not.
    x0 = np.array([0.0, 12.0])
    assert stack(x0, np.array([10.0, 20.0]), 1.0, 2.0).tolist() == [0, 0]
    x0 = np.array([0.0, 11.9])
    assert stack(x0, np.array([10.0, 20.0]), 1.0, 2.0).tolist() == [0, 1]


def test_empty_input() -> None:
    assert stack(np.zeros(0), np.zeros(0), 5.0).tolist() == []


@settings(max_examples=15, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(EXACT_STACK_LIMIT + 1, 4 * EXACT_STACK_LIMIT),
    st.sampled_from([1.0, 8.0, 40.0]),
    st.sampled_from([100.0, 2_000.0, 50_000.0]),
)
def test_large_uniform_stacks_do_not_overlap_and_use_fewest_rows(
    seed: int, n: int, min_width: float, extent: float
) -> None:
    rng = np.random.default_rng(seed)
    x0 = np.sort(rng.random(n) * extent)
    if seed % 2:
        x0 = np.round(x0)  # many marks on the same pixel
    x1 = x0 + rng.random(n) * min_width * (seed % 3 == 0)  # never wider than min_width
    rows = stack(x0, x1, min_width, 2.0)
    right = widened(x0, x1, min_width, 2.0)
    assert_no_overlap(x0, right, rows)
    assert int(rows.max()) + 1 == max_depth(x0, right)


def test_large_stack_takes_the_vectorised_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit matters: a big lane must not run the per-mark Python loop."""

    def refuse(*args: object) -> None:
        raise AssertionError("exact stacking used above EXACT_STACK_LIMIT")

    monkeypatch.setattr(layout, "_stack_exact", refuse)
    x0 = np.arange(EXACT_STACK_LIMIT + 1, dtype=np.float64)
    x1 = x0 + np.arange(EXACT_STACK_LIMIT + 1) % 7 * 10.0  # widths differ: not uniform
    rows = stack(x0, x1, 3.0, 2.0)
    assert len(rows) == len(x0)
    assert (rows >= 0).all()


# --- density ----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-1000, 1000), st.integers(1, 600)), max_size=80),
    st.lists(st.integers(-1200, 1700), min_size=2, max_size=40, unique=True),
)
def test_density_counts_intervals_overlapping_each_column(
    intervals: list[tuple[int, int]], edge_list: list[int]
) -> None:
    lo = np.array([a for a, _ in intervals], dtype=np.int64)
    hi = lo + np.array([w for _, w in intervals], dtype=np.int64)
    edges = np.array(sorted(edge_list), dtype=np.int64)
    counts = density(np.sort(lo), np.sort(hi), edges)
    expected = [int(np.sum((lo < b) & (hi > a))) for a, b in itertools.pairwise(edges)]
    assert counts.dtype == np.int64
    assert counts.tolist() == expected


def test_density_example() -> None:
    lo = np.array([0, 5, 10], dtype=np.int64)
    hi = np.array([10, 6, 30], dtype=np.int64)
    edges = np.array([0, 5, 10, 20, 30, 40], dtype=np.int64)
    assert density(np.sort(lo), np.sort(hi), edges).tolist() == [1, 2, 1, 1, 0]
