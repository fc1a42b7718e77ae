"""Shared fuzzing for the reader tests: mutate a valid file, demand only ReadError."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from explorer.io.errors import ReadError
from explorer.io.formats import ReadOptions, get

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mutate(
    data: bytes,
    rng: random.Random,
    count: int,
    *,
    tokens: Sequence[bytes],
    max_delete: int = 16,
    max_copy: int = 64,
    flip: bytes = b"",
) -> bytes:
    """`count` random edits: delete a run, insert random bytes, (overwrite one byte with
    one of `flip`,) copy a run elsewhere, or insert one of the format's own `tokens`."""
    out = bytearray(data)
    ops = 5 if flip else 4
    for _ in range(count):
        op = rng.randrange(ops)
        at = rng.randrange(len(out) + 1)
        if flip and op == 2:
            op = 5  # the overwrite, numbered apart so the other ops keep their meaning
        elif flip and op == 3:
            op = 2
        if op == 0 and out:
            del out[at : at + rng.randrange(1, max_delete)]
        elif op == 1:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        elif op == 5 and out:
            out[min(at, len(out) - 1)] = rng.choice(flip)
        elif op == 2 and out:
            start = rng.randrange(len(out))
            out[at:at] = out[start : start + rng.randrange(1, max_copy)]
        else:
            out[at:at] = rng.choice(list(tokens))
    return bytes(out)


def only_read_errors(fmt: str, data: bytes, name: str) -> None:
    """Reading `data` as `fmt` either gives events (or periods: an eras-only TimelineJS
    story opens, see test_eras_become_periods_not_events) or raises ReadError naming the
    file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = get(fmt).open(path, ReadOptions())
        except ReadError as exc:
            error = exc
        else:
            assert len(result.document.events) + len(result.document.periods) > 0
            return
        assert error.path == path


@st.composite
def mutated(draw: st.DrawFn, base: bytes, inserts: Sequence[bytes]) -> bytes:
    """A hypothesis strategy: `base` with up to six flips, deletions, insertions of one
    of `inserts`, cuts or duplications of its head (shrinks to the smallest breakage)."""
    data = bytearray(base)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        pos = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "cut", "dup"]))
        if action == "flip":
            data[pos] = draw(st.integers(min_value=0, max_value=255))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(min_value=1, max_value=20))]
        elif action == "insert":
            data[pos:pos] = draw(st.sampled_from(list(inserts)))
        elif action == "cut":
            del data[pos:]
        else:
            data[pos:pos] = data[: draw(st.integers(min_value=1, max_value=200))]
    return bytes(data)
