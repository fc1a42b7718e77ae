"""The DuckDB-over-Parquet figures of `python -m explorer.bench --parquet-events N`.

Writes (once, kept in the bench folder) a seeded synthetic Parquet file of N events
(200 lanes over ten years, 10% spans), builds its sidecar (reported as
`index_build`, a one-off), then times the frame questions a 1600-pixel timeline asks,
each the median of repeated runs, with the queries included:

- `first_paint`: open the backend on a built index and answer the first frame
  (lanes, window counts, density at full zoom).
- `repaint_full`: density of every lane at full zoom.
- `pan_step` / `zoom_step`: the frame after a pan of a tenth / a zoom by 1.25, from a
  window of about a hundred thousand events (density) and from one of about a
  thousand (marks of the lanes on screen).
- `repaint_10k` / `repaint_1k`: marks for windows holding about that many events.
- `search_text`, `filter_actor`, `table_first_rows`, `rss_mb`.

The baseline (`baseline_ms` of `repaint_full`) is one plain DuckDB ``GROUP BY`` over
the Parquet file for the same frame's density (start per pixel column and lane).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from explorer.engines.duckdb_backend import DuckDBBackend
from explorer.engines.duckdb_index import ensure_index, index_dir, load_info, parquet_files
from explorer.engines.synthetic import write_synthetic_parquet
from explorer.model.store import Filter

BINS = 1600
ON_SCREEN = 25  # lanes a 500-pixel timeline shows
TARGETS = {
    "first_paint": 3000.0,
    "pan_step": 50.0,
    "zoom_step": 50.0,
    "search_text": 1000.0,
    "edit_one": 50.0,
}


@dataclass
class Row:
    name: str
    n_events: int  # events in the measured view
    median_ms: float
    baseline_ms: float | None
    data_events: int
    backend: str = "duckdb"


def _median(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def bench_duckdb(n_events: int, folder: Path, repeats: int = 7) -> list[Row]:
    path = folder / f"synthetic-{n_events}.parquet"
    if not path.exists():
        write_synthetic_parquet(path, n_events)
    rows: list[Row] = []
    built = load_info(index_dir(parquet_files(path)))
    began = time.perf_counter()
    _, info = ensure_index(path)
    if built is None:
        rows.append(
            Row("index_build", n_events, (time.perf_counter() - began) * 1000, None, n_events)
        )
    else:
        rows.append(Row("index_build", n_events, info.build_seconds * 1000, None, n_events))

    def first() -> DuckDBBackend:
        backend = DuckDBBackend(path)
        lanes = backend.lanes().keys
        t0, t1 = backend.span()
        backend.window_counts(Filter(), lanes[:ON_SCREEN], t0, t1)
        backend.density(Filter(), lanes, t0, t1, BINS)
        return backend

    times = []
    for _ in range(3):
        began = time.perf_counter()
        first().close()
        times.append((time.perf_counter() - began) * 1000)
    rows.append(Row("first_paint", n_events, statistics.median(times), None, n_events))
    duck = first()
    lanes = duck.lanes().keys
    screen = lanes[:ON_SCREEN]
    t0, t1 = duck.span()
    full = _median(lambda: duck.density(Filter(), lanes, t0, t1, BINS), repeats)
    # The baseline: one GROUP BY over the data itself for the same frame.
    con = duck._con
    scale = (t1 - t0) // BINS + 1

    def group_by() -> object:
        return con.sql(
            f"SELECT a.actor AS lane, (start - {t0}) // {scale} AS px, count(*) "
            f"FROM (SELECT start, unnest(actors) AS a FROM read_parquet('{path}')) GROUP BY ALL"
        ).fetchall()

    base = _median(group_by, max(repeats // 2, 3))
    rows.append(Row("repaint_full", n_events, full, base, n_events))

    def window_of(events: int, centre: int) -> tuple[int, int]:
        width = max(int((t1 - t0) * events / max(n_events, 1)), 1)
        return centre - width // 2, centre + width // 2

    centre = t0 + (t1 - t0) // 2
    for name, events in (("repaint_10k", 10_000), ("repaint_1k", 1_000)):
        a, b = window_of(events, centre)
        ms = _median(partial(duck.marks, Filter(), screen, a, b, 2000), repeats)
        shown = int(duck.window_counts(Filter(), screen, a, b).sum())
        rows.append(Row(name, shown, ms, None, n_events))

    # Pans and zooms: a different window each run (no answer is reused).
    for name, events, kind in (
        ("pan_step", 100_000, "density"),
        ("zoom_step", 100_000, "density"),
        ("pan_step_marks", 1_000, "marks"),
        ("zoom_step_marks", 1_000, "marks"),
    ):
        a, b = window_of(events, centre)
        state = {"a": a, "b": b}

        def step(name: str = name, kind: str = kind, state: dict[str, int] = state) -> object:
            a, b = state["a"], state["b"]
            if name.startswith("pan"):
                shift = (b - a) // 10
                a, b = a + shift, b + shift
            else:  # in by 1.25, then out again, about the middle
                state["n"] = state.get("n", 0) + 1
                mid, width = (a + b) // 2, b - a
                width = width * 4 // 5 if state["n"] % 2 else width * 5 // 4
                a, b = mid - width // 2, mid + width // 2
            state["a"], state["b"] = a, b
            if kind == "density":
                return duck.density(Filter(), lanes, a, b, BINS)
            return duck.marks(Filter(), screen, a, b, 2000)

        ms = _median(step, repeats)
        rows.append(Row(name, events, ms, None, n_events))

    rows.append(
        Row(
            "search_text",
            n_events,
            _median(lambda: duck.event_count(Filter(text="usb device")), max(repeats // 2, 3)),
            None,
            n_events,
        )
    )
    rows.append(
        Row(
            "filter_actor",
            n_events,
            _median(
                lambda: duck.lane_counts(Filter(actors=frozenset({"actor3"})), screen),
                max(repeats // 2, 3),
            ),
            None,
            n_events,
        )
    )
    rows.append(
        Row(
            "table_first_rows",
            n_events,
            _median(lambda: duck.page(Filter(), "date", False, None, 100), repeats),
            None,
            n_events,
        )
    )
    # The engine's part of an edit (explorer/bench_overlay.py times it with the views).
    rows.append(Row("edit_one_backend", n_events, _edit_one(path, repeats), None, n_events))
    rows.append(Row("rss_mb", n_events, _rss_mb(), None, n_events))
    duck.close()
    return rows


def _edit_one(path: Path, repeats: int) -> float:
    """One status change through the overlay until the views have their answers again
    (the frame's density, the lanes' counts, the table's first page). Each repeat edits
    another event, so each pays for taking a row over from the data. The overlay goes
    to a temporary folder: the benchmark's data keeps no edits."""
    import tempfile

    from explorer.engines.overlay import OverlayFiles
    from explorer.model.query import SetEventFields

    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "overlay.json"
        duck = DuckDBBackend(path, overlay=OverlayFiles(saved, Path(tmp) / "unsaved", False))
        lanes = duck.lanes().keys
        t0, t1 = duck.span()
        rng = np.random.default_rng(7)
        times = []
        for key in rng.integers(0, duck.event_count(), size=repeats).tolist():
            ident = duck.event_ids(np.asarray([key]))[0]
            began = time.perf_counter()
            duck.apply(SetEventFields((ident,), {"status": "disputed"}, keys=(key,)))
            duck.density(Filter(), lanes, t0, t1, BINS)
            duck.lane_counts(Filter(), lanes)
            duck.page(Filter(), "date", False, None, 100)
            times.append((time.perf_counter() - began) * 1000)
        duck.close()
    return statistics.median(times)


def render(rows: list[Row]) -> str:
    lines = [
        f"{'figure (duckdb)':<18}{'data':>13}{'shown':>11}{'median ms':>12}"
        f"{'baseline ms':>13}  target"
    ]
    for r in rows:
        target = TARGETS.get(r.name)
        if r.name == "rss_mb":
            verdict = "ok" if r.median_ms < 1000 else "over 1000"
            value = f"{r.median_ms:>12.0f}"
        else:
            verdict = (
                "" if target is None else ("ok" if r.median_ms < target else f"over {target:g}")
            )
            value = f"{r.median_ms:>12.2f}"
        base = "" if r.baseline_ms is None else f"{r.baseline_ms:.1f}"
        lines.append(
            f"{r.name:<18}{r.data_events:>13,}{r.n_events:>11,}{value}{base:>13}  {verdict}"
        )
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - a command for people
    import argparse
    import json
    from dataclasses import asdict

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parquet-events", type=int, default=10_000_000)
    parser.add_argument(
        "--folder", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "te-bench"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = bench_duckdb(args.parquet_events, args.folder)
    print(json.dumps([asdict(r) for r in rows]) if args.json else render(rows))


if __name__ == "__main__":  # pragma: no cover
    main()
