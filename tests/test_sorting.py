"""The packed-key sorts give exactly NumPy's stable argsort and the distinct pairs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from explorer.model.sorting import pairs_by_start, sorted_unique_pairs, stable_order

# Small spreads (packed, ties galore) and aeons at second resolution (the fallback).
KEYS = st.one_of(
    st.lists(st.integers(-5, 5)),
    st.lists(st.integers(-(2**40), 2**40)),
    st.lists(st.integers(-(2**62), 2**62)),
)


@given(KEYS)
def test_stable_order_is_numpys_stable_argsort(keys: list[int]) -> None:
    values = np.asarray(keys, dtype=np.int64)
    got = stable_order(values)
    assert got.dtype == np.int64
    assert got.tolist() == np.argsort(values, kind="stable").tolist()


@given(st.lists(st.integers(-3, 3)).map(lambda v: np.asarray(v, dtype=np.int8)))
def test_stable_order_of_small_integers(values: np.ndarray) -> None:
    assert stable_order(values).tolist() == np.argsort(values, kind="stable").tolist()


def test_stable_order_of_floats_falls_back() -> None:
    values = np.array([2.5, -1.0, 2.5, 0.0])
    assert stable_order(values).tolist() == [1, 3, 0, 2]


@given(
    st.integers(1, 50).flatmap(
        lambda size: st.tuples(
            st.just(size),
            st.lists(
                st.tuples(
                    st.one_of(st.integers(0, 9), st.integers(0, 2**62)), st.integers(0, size - 1)
                ),
                max_size=40,
            ),
        )
    )
)
def test_sorted_unique_pairs(case: tuple[int, list[tuple[int, int]]]) -> None:
    size, pairs = case
    major = np.asarray([p[0] for p in pairs], dtype=np.int64)
    minor = np.asarray([p[1] for p in pairs], dtype=np.int64)
    got = sorted_unique_pairs(major, minor, size)
    want = sorted(set(pairs))
    assert list(zip(got[0].tolist(), got[1].tolist(), strict=True)) == want


@given(
    st.lists(st.integers(-(2**35), 2**35), min_size=1, max_size=30).flatmap(
        lambda lo: st.tuples(
            st.just(lo),
            st.lists(st.tuples(st.integers(0, 5), st.integers(0, len(lo) - 1)), max_size=40),
            st.booleans(),
        )
    )
)
def test_pairs_by_start(case: tuple[list[int], list[tuple[int, int]], bool]) -> None:
    starts, pairs, aeons = case
    lo = np.asarray(starts, dtype=np.int64) * (2**26 if aeons else 1)  # aeons: no packing
    actors = np.asarray([p[0] for p in pairs], dtype=np.int64)
    events = np.asarray([p[1] for p in pairs], dtype=np.int64)
    got = pairs_by_start(actors, events, lo, stable_order(lo))
    want = sorted(set(pairs), key=lambda p: (p[0], int(lo[p[1]]), p[1]))
    assert list(zip(got[0].tolist(), got[1].tolist(), strict=True)) == want


def test_stable_order_of_large_unsigned_falls_back() -> None:
    values = np.array([2**64 - 1, 0, 2**63, 0], dtype=np.uint64)
    assert stable_order(values).tolist() == [1, 3, 2, 0]
