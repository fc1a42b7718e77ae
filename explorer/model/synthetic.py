"""Seeded synthetic documents, for the benchmark and for tests at scale.

Shaped like a forensic export: many actors, events clustered in bursts over
years, a tenth of them spans, every event linked to one actor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from explorer.model.dates import DAY, Precision, to_seconds
from explorer.model.document import NO_END, STATUS_CATEGORIES, Document, make_events


def synthetic_document(
    n_events: int = 1_000_000,
    n_actors: int = 50,
    years: int = 10,
    span_fraction: float = 0.1,
    seed: int = 1,
    first_id: int = 0,
) -> Document:
    rng = np.random.default_rng(seed)
    t0 = to_seconds(2016)
    length = years * 365 * DAY
    # Bursts: a mixture of uniform background and Gaussian clusters, like real logs.
    n_burst = n_events // 2
    centres = rng.uniform(0, length, 200)
    burst = rng.normal(centres[rng.integers(0, 200, n_burst)], 3 * DAY)
    background = rng.uniform(0, length, n_events - n_burst)
    start = t0 + np.clip(np.concatenate([burst, background]), 0, length - 1).astype(np.int64)
    rng.shuffle(start)
    is_span = rng.random(n_events) < span_fraction
    duration = (rng.exponential(2 * DAY, n_events) + 3600).astype(np.int64)
    end = np.where(is_span, start + duration, 0)
    precision = np.full(n_events, int(Precision.SECOND), dtype=np.int8)
    end_precision = np.where(is_span, int(Precision.SECOND), NO_END).astype(np.int8)
    # Strings are built in Arrow (no Python object per event), as a file reader would.
    ids = _arrow_str(
        pc.binary_join_element_wise(
            "ev", pa.array(np.arange(first_id, first_id + n_events)).cast(pa.string()), ""
        )
    )
    status = pd.Categorical.from_codes(
        # the five assessed statuses (the data stands for a curated document)
        rng.choice(5, n_events, p=[0.6, 0.25, 0.1, 0.04, 0.01]),
        dtype=STATUS_CATEGORIES,
    )
    kinds = rng.integers(0, 8, n_events)
    titles = _arrow_str(
        pa.array(
            [
                "File created",
                "Login succeeded",
                "Login failed",
                "Process started",
                "Registry key modified",
                "Web visit",
                "USB device connected",
                "Email sent",
            ]
        ).take(pa.array(kinds))
    )
    events = make_events(
        ids=ids,
        titles=titles,
        summaries=_arrow_str(pa.array([""]).take(pa.array(np.zeros(n_events, np.int64)))),
        start=start,
        start_precision=precision,
        end=end,
        end_precision=end_precision,
        status=status,
        attributes=pd.Series([None] * n_events, dtype=object),
    )
    actor_ids = [f"actor{i}" for i in range(n_actors)]
    actors = pd.DataFrame(
        {
            "id": pd.Series(actor_ids, dtype="str"),
            "name": pd.Series([f"Host {i:02d}" for i in range(n_actors)], dtype="str"),
            "kind": pd.Series(["host"] * n_actors, dtype="str"),
            "posture": pd.Series([""] * n_actors, dtype="str"),
            "description": pd.Series([""] * n_actors, dtype="str"),
            "colour": pd.Series([""] * n_actors, dtype="str"),
        }
    )
    # Zipf-ish: a few busy hosts, many quiet ones.
    weights = 1 / np.arange(1, n_actors + 1) ** 0.6
    owner = rng.choice(n_actors, n_events, p=weights / weights.sum())
    links = pd.DataFrame(
        {
            "event_id": ids,
            "actor_id": _arrow_str(pa.array(actor_ids).take(pa.array(owner))),
            "role": _arrow_str(pa.array([""]).take(pa.array(np.zeros(n_events, np.int64)))),
        }
    )
    return Document(
        title=f"Synthetic: {n_events:,} events",
        description="Seeded synthetic data for benchmarks",
        events=events,
        actors=actors,
        links=links,
    )


def _arrow_str(array: pa.Array) -> pd.Series:
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.array(array, type=pa.large_string())), dtype="str"
    )
