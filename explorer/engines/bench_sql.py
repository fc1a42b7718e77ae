"""The SQL engines' figures: `python -m explorer.bench --source URL --events N`.

Loads (once: a table already holding N events is reused) a seeded synthetic table of
N events (the DuckDB bench's data: 200 lanes over ten years, a tenth spans) into the
engine with `convert`'s code, then times the frame questions a 1600-pixel timeline
asks through the SQL backend (a zoomed-out frame: every lane's count in the window, for
the lanes' heights, and the density of the 25 lanes a 500-pixel plot shows;
``density_all_lanes`` asks all 200), each the median of repeated runs. ``engine ms`` is the
time spent in the engine's queries (rendered SQL sent, Arrow back) within it, and
``queries`` how many a frame sent; the rest is rendering SQL and numpy.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer.engines.bench_duckdb import BINS, ON_SCREEN
from explorer.engines.sql_backend import SqlBackend
from explorer.engines.sql_engines import Engine, EngineError
from explorer.engines.sql_tables import read_meta, upload
from explorer.engines.synthetic import write_synthetic_parquet
from explorer.model.store import Filter

TARGETS = {"repaint_full": 100.0, "pan_step": 100.0, "zoom_step": 100.0}
SPARK_TARGET = 1000.0


@dataclass
class SqlRow:
    name: str
    median_ms: float
    engine_ms: float
    queries: int
    data_events: int
    dialect: str


def _median(engine: Engine, fn: Callable[[], object], repeats: int) -> tuple[float, float, int]:
    fn()
    walls, inside, sent = [], [], 0
    for _ in range(repeats):
        engine.total_ms, engine.queries = 0.0, 0
        began = time.perf_counter()
        fn()
        walls.append((time.perf_counter() - began) * 1000)
        inside.append(engine.total_ms)
        sent = engine.queries
    return statistics.median(walls), statistics.median(inside), sent


def bench_sql(engine: Engine, n_events: int, folder: Path, repeats: int = 7) -> list[SqlRow]:
    table = f"te_bench_{n_events}"
    rows: list[SqlRow] = []
    try:
        _, index = read_meta(engine, table)
        loaded = int(index["n_events"]) == n_events
    except EngineError:
        loaded = False
    if not loaded:
        path = folder / f"synthetic-{n_events}.parquet"
        if not path.exists():
            write_synthetic_parquet(path, n_events)
        began = time.perf_counter()
        upload(engine, table, path)
        ms = (time.perf_counter() - began) * 1000
        rows.append(SqlRow("load", ms, ms, 0, n_events, engine.dialect))
    q = SqlBackend(engine, table)
    lanes = q.lanes().keys
    screen = lanes[:ON_SCREEN]
    t0, t1 = q.span()
    centre = t0 + (t1 - t0) // 2

    def add(name: str, fn: Callable[[], object], runs: int = repeats) -> None:
        wall, inside, sent = _median(engine, fn, runs)
        rows.append(SqlRow(name, wall, inside, sent, n_events, engine.dialect))

    def frame(a: int, b: int) -> object:
        """What the timeline asks for one zoomed-out frame: every lane's count in the
        window (lane heights), the density of the lanes on screen."""
        q.window_counts(Filter(), lanes, a, b)
        return q.density(Filter(), screen, a, b, BINS)

    def first() -> object:
        SqlBackend(engine, table)
        return frame(t0, t1)

    add("first_paint", first, 3)
    add("repaint_full", lambda: frame(t0, t1))
    # Every lane's density at once: what a window tall enough for all of them would ask.
    add("density_all_lanes", lambda: q.density(Filter(), lanes, t0, t1, BINS))

    def window_of(events: int) -> tuple[int, int]:
        width = max(int((t1 - t0) * events / max(n_events, 1)), 1)
        return centre - width // 2, centre + width // 2

    for name, events, kind in (
        ("pan_step", 100_000, "density"),
        ("zoom_step", 100_000, "density"),
        ("pan_step_marks", 1_000, "marks"),
    ):
        a, b = window_of(events)
        state = {"a": a, "b": b, "n": 0}

        def step(name: str = name, kind: str = kind, state: dict[str, int] = state) -> object:
            a, b = state["a"], state["b"]
            if name.startswith("pan"):
                shift = (b - a) // 10
                a, b = a + shift, b + shift
            else:
                state["n"] += 1
                mid, width = (a + b) // 2, b - a
                width = width * 4 // 5 if state["n"] % 2 else width * 5 // 4
                a, b = mid - width // 2, mid + width // 2
            state["a"], state["b"] = a, b
            if kind == "density":
                return frame(a, b)
            return q.marks(Filter(), screen, a, b, 2000)

        add(name, step)
    a, b = window_of(1_000)
    add("repaint_1k", lambda: q.marks(Filter(), screen, a, b, 2000))
    few = max(repeats // 2, 3)
    add("search_text", lambda: q.event_count(Filter(text="usb device")), few)
    add("filter_actor", lambda: q.lane_counts(Filter(actors=frozenset({"actor3"})), screen), few)
    add("filter_density", lambda: q.density(Filter(text="usb"), screen, t0, t1, BINS), few)
    add("table_first_rows", lambda: q.page(Filter(), "date", False, None, 100))
    return rows


def render(rows: list[SqlRow]) -> str:
    dialect = rows[0].dialect if rows else ""
    lines = [
        f"{'figure (' + dialect + ')':<20}{'data':>13}{'median ms':>12}{'engine ms':>12}"
        f"{'queries':>9}  target"
    ]
    for r in rows:
        target = TARGETS.get(r.name)
        if target is not None and r.dialect == "spark":
            target = SPARK_TARGET
        verdict = "" if target is None else ("ok" if r.median_ms < target else f"over {target:g}")
        lines.append(
            f"{r.name:<20}{r.data_events:>13,}{r.median_ms:>12.1f}{r.engine_ms:>12.1f}"
            f"{r.queries:>9}  {verdict}"
        )
    return "\n".join(lines)
