"""Benchmark: `python -m explorer.bench [--json] [--events N] [--open-rows N] [--open-only]
[--native-events N] [--native-only]` (native JSON figures: explorer/bench_native.py).

Builds seeded synthetic data (default 1,000,000 events, 50 actors, ten years,
10% spans), renders a 1600x500 timeline offscreen and reports medians over
repeated runs, each beside a naive baseline measured in the same process (one
``drawRect`` per visible event, what a straightforward widget would do).

Opening files (`open_csv`, `open_parquet`): a seeded 1,000,000-row Timesketch-style
CSV is generated in a temporary folder (`explorer.io.sample_files`) and opened with
`read_any`, median of 3 after one warm-up run, beside a plain ``pandas.read_csv`` of
the same file in the same process (its `baseline_ms`); then the document is saved
as Parquet and that file opened the same way (no baseline). Target: CSV within 2x
of ``read_csv``, Parquet under 1 s.

Peak memory of an open (`peak_mb`) is measured in a fresh subprocess per figure:
the process imports every reader, notes its resident set size (``VmRSS`` in
``/proc/self/status``), opens the file once, and reports its peak resident set
(``VmHWM``) minus that. This counts every allocation, numpy's and Arrow's included
(tracemalloc sees only Python's allocator), catches a peak however brief (a sampling
thread can miss one), and is not muddied by memory the benchmark process holds or
has freed but not returned to the system. (Not ``getrusage().ru_maxrss``: Linux
carries it from the parent through fork and exec, so a child would report the
benchmark's own peak.) `baseline_peak_mb` is the same for ``pandas.read_csv``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.engines.bench_duckdb import Row as DuckRow
    from explorer.model.store import EventStore
    from explorer.ui.timeline import TimelineWidget
    from explorer.ui.view_state import ViewState

TARGET_MS = 16.0
TARGETS = {
    "repaint_full": TARGET_MS,
    "repaint_100k": TARGET_MS,
    "repaint_10k": TARGET_MS,
    "repaint_1k": TARGET_MS,
    "pan_step": TARGET_MS,
    "zoom_step": TARGET_MS,
    "search_text": 100.0,
    "filter_actor": 100.0,
    "table_first_rows": 200.0,
    "edit_one": 50.0,
    "open_parquet": 1000.0,
}
RSS_TARGET_MB = 1500.0  # at 10M events in memory (issue 9); 400 at 1M
RATIO_TARGETS = {"open_csv": 2.0}  # median at most this many times its baseline
OPEN_ROWS = 1_000_000
OPEN_REPEATS = 3
OPEN_FIGURES = ("open_csv", "open_parquet")
PLOT_W, PLOT_H = 1600, 500


@dataclass
class Result:
    name: str
    n_events: int  # events visible in the measured view
    median_ms: float
    baseline_ms: float | None
    peak_mb: float | None = None  # opens: peak RSS growth while opening
    baseline_peak_mb: float | None = None
    resident_mb: float | None = None  # open_csv: the process's resident set, document held
    backend: str = "memory"  # the engine answering the view's questions
    data_events: int = 0  # the size of the data (n_events is what the view shows)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm caches, as a second frame would
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def run(n_events: int, repeats: int, screenshot: str | None = None) -> tuple[list[Result], float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from explorer.model.synthetic import synthetic_document
    from explorer.model.viewport import Viewport
    from explorer.ui.timeline import AXIS_H, HEADER_W, LEGEND_H, TimelineWidget

    app = QApplication.instance() or QApplication([])  # noqa: F841 (must outlive the widget)
    document = synthetic_document(n_events)
    # The generator's scratch buffers are not the app's: hand them back before measuring.
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    size = QSize(PLOT_W + HEADER_W, PLOT_H + AXIS_H + LEGEND_H)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)

    def paint_once(widget: TimelineWidget) -> None:
        painter = QPainter(image)
        widget.paint(painter, size)
        painter.end()

    from explorer.model.store import EventStore
    from explorer.ui.view_state import ViewState

    started = time.perf_counter()
    store = EventStore(document)
    state = ViewState(store)
    widget = TimelineWidget(state)
    widget.resize(size)
    widget.fit_all()
    paint_once(widget)
    first_paint = (time.perf_counter() - started) * 1000
    if screenshot:
        image.save(screenshot)

    def naive(widget: TimelineWidget) -> None:
        """One drawRect per visible event, lanes stacked, no level of detail."""
        vp = widget.viewport
        t0, t1 = vp.window()
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor("white"))
        lane_h = PLOT_H / max(len(widget.lanes), 1)
        for k, lane in enumerate(widget.lanes):
            painter.setBrush(lane.colour)
            rows = store.in_window(t0, t1, store.lane_rows(lane.key))
            x0 = vp.x_of(store.lo[rows]) + HEADER_W
            x1 = vp.x_of(store.hi[rows]) + HEADER_W
            y = AXIS_H + k * lane_h
            for a, b in zip(x0.tolist(), x1.tolist(), strict=True):
                painter.drawRect(QRectF(a, y, max(b - a, 2.0), lane_h - 2))
        painter.end()

    def view_with(count: int) -> Viewport:
        """Zoom about the data's centre until about `count` events are visible."""
        full = widget.viewport
        lo, hi = 1e-7, 1.0
        for _ in range(60):
            mid = (lo * hi) ** 0.5
            widget.set_viewport(full.zoomed(mid))
            if widget.visible_count() > count:
                hi = mid
            else:
                lo = mid
        widget.set_viewport(full.zoomed(lo))
        return widget.viewport

    results: list[Result] = []
    full = widget.viewport
    baseline_repeats = max(2, repeats // 5)
    for name, target in (
        ("repaint_full", None),
        ("repaint_100k", 100_000),
        ("repaint_10k", 10_000),
        ("repaint_1k", 1_000),
    ):
        widget.set_viewport(full)
        if target is not None:
            view_with(target)
        visible = widget.visible_count()
        ours = _median_ms(lambda: paint_once(widget), repeats)
        base = _median_ms(lambda: naive(widget), baseline_repeats if visible > 50_000 else repeats)
        results.append(Result(name, visible, ours, base))

    # Steps at the 100k view: move or zoom, then paint, as one frame of interaction.
    widget.set_viewport(full)
    step_view = view_with(100_000)
    step = {"dx": PLOT_W / 10}

    def pan() -> None:
        step["dx"] = -step["dx"]
        widget.set_viewport(widget.viewport.panned(step["dx"]))
        paint_once(widget)

    def pan_naive() -> None:
        step["dx"] = -step["dx"]
        widget.set_viewport(widget.viewport.panned(step["dx"]))
        naive(widget)

    results.append(
        Result(
            "pan_step",
            widget.visible_count(),
            _median_ms(pan, repeats),
            _median_ms(pan_naive, baseline_repeats),
        )
    )
    widget.set_viewport(step_view)
    zoom = {"f": 0.8}

    def zoom_step() -> None:
        zoom["f"] = 1 / zoom["f"]
        widget.set_viewport(widget.viewport.zoomed(zoom["f"]))
        paint_once(widget)

    def zoom_naive() -> None:
        zoom["f"] = 1 / zoom["f"]
        widget.set_viewport(widget.viewport.zoomed(zoom["f"]))
        naive(widget)

    results.append(
        Result(
            "zoom_step",
            widget.visible_count(),
            _median_ms(zoom_step, repeats),
            _median_ms(zoom_naive, baseline_repeats),
        )
    )
    widget.set_viewport(full)
    results.append(Result("first_paint", n_events, first_paint, None))
    rss = rss_mb()  # memory of the timeline with a million events, before search indexes
    results += _workspace_figures(store, state, repeats)
    results.append(_edit_one(store, state, widget, paint_once, repeats))
    for r in results:
        r.data_events = n_events
    return results, rss


def _edit_one(
    store: EventStore,
    state: ViewState,
    widget: TimelineWidget,
    paint_once: Callable[[TimelineWidget], None],
    repeats: int,
) -> Result:
    """One status change until every view has updated: the edit through the query
    interface (its one Change reaching the table, search bar, detail view), then the
    timeline's next frame. Baseline: the previous path, the edit applied to the
    tables and `EventStore.edited()` (every index rebuilt), before any view updates."""
    from explorer.edits import ReplaceEvent, event_record
    from explorer.model.query import SetEventFields
    from explorer.ui.event_table import EventTable
    from explorer.ui.search_bar import SearchBar

    table = EventTable(state)
    bar = SearchBar(state)
    key = int(store.order[store.n // 2])
    ident = str(store.document.events["id"].iat[key])
    statuses = iter(["disputed", "alleged"] * 1000)
    state.select(key, reveal=False)

    def edit() -> None:
        state.queries.apply(SetEventFields((ident,), {"status": next(statuses)}, keys=(key,)))
        paint_once(widget)

    def previous() -> None:
        record = dict(event_record(store.document, ident), status=next(statuses))
        ReplaceEvent(ident, record).apply(store.document)
        store.reindex()

    ours = _median_ms(edit, repeats)
    base = _median_ms(previous, 2) if store.n <= 2_000_000 else None
    del table, bar
    return Result("edit_one", 1, ours, base)


def _workspace_figures(store: EventStore, state: ViewState, repeats: int) -> list[Result]:
    """Search, actor filter and the event table on the same data (issue 4's figures)."""
    from PySide6.QtGui import QPixmap

    from explorer.model.store import Filter
    from explorer.ui.event_table import EventTable

    words = iter(["login", "usb", "process", "mail", "registry", "web", "file", "failed"] * 10)
    cold_started = time.perf_counter()
    store.mask(Filter(text="created"))  # first search builds the per-column indexes
    cold = (time.perf_counter() - cold_started) * 1000

    def search() -> None:
        store.mask(Filter(text=next(words)))

    def search_baseline() -> None:
        # A plain pandas scan of the titles, lower-cased, per search.
        titles = store.document.events["title"]
        titles.str.lower().str.contains("login", regex=False)

    actors = [str(a) for a in store.actor_index[:3]]

    def actor_filter() -> None:
        store.mask(Filter(actors=frozenset(actors)))

    def actor_baseline() -> None:
        links = store.document.links
        events = links.loc[links["actor_id"].isin(actors), "event_id"]
        store.document.events["id"].isin(events)

    table = EventTable(state)
    table.resize(1200, 400)
    pixmap = QPixmap(table.size())

    def first_rows() -> None:
        table.table_model.refresh()
        table.render(pixmap)

    return [
        Result("search_text", store.n, _median_ms(search, repeats), _median_ms(search_baseline, 3)),
        Result("search_text_cold", store.n, cold, None),
        Result(
            "filter_actor",
            store.n,
            _median_ms(actor_filter, repeats),
            _median_ms(actor_baseline, 3),
        ),
        Result("table_first_rows", store.n, _median_ms(first_rows, max(3, repeats // 3)), None),
    ]


def meets_target(r: Result) -> bool | None:
    """Whether a figure meets its target (None: it has none)."""
    if r.name in RATIO_TARGETS:
        return r.baseline_ms is not None and r.median_ms <= RATIO_TARGETS[r.name] * r.baseline_ms
    limit = TARGETS.get(r.name)
    return None if limit is None else r.median_ms < limit


def _target_text(r: Result) -> str:
    ok = meets_target(r)
    return "" if ok is None else ("ok" if ok else "MISS")


# --- opening files -------------------------------------------------------------------------

_PEAK_SCRIPT = """
import sys
kind, path = sys.argv[1], sys.argv[2]
import pandas
from explorer.io.formats import formats, read_any
formats()  # every reader imported: imports are not the open's memory

def status_kb(key):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)

before = status_kb("VmRSS")
document = None
if kind == "pandas":
    document = pandas.read_csv(path)
else:
    document = read_any(path)
print((status_kb("VmHWM") - before) / 1024, status_kb("VmRSS") / 1024)
"""


def peak_open_mb(path: Path, kind: str = "read_any") -> float | None:
    """Peak RSS growth (MB) of opening `path` once in a fresh process (see the module
    docstring); None where there is no /proc/self/status to measure it."""
    measured = open_memory_mb(path, kind)
    return None if measured is None else measured[0]


def open_memory_mb(path: Path, kind: str = "read_any") -> tuple[float, float] | None:
    """(peak RSS growth, whole resident set with the document held) in MB, of opening
    `path` once in a fresh process: the second is what a user sees for the document
    (interpreter and readers included, no window)."""
    if not sys.platform.startswith("linux"):
        return None
    package_root = str(Path(__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, kind, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring the memory of opening {path.name} failed: {done.stderr}")
    peak, resident = done.stdout.strip().splitlines()[-1].split()
    return float(peak), float(resident)


def open_figures(rows: int = OPEN_ROWS, repeats: int = OPEN_REPEATS) -> tuple[list[Result], float]:
    """`open_csv` and `open_parquet` (see the module docstring), and the CSV's size in MB."""
    import pandas as pd

    from explorer.io.formats import read_any
    from explorer.io.parquet import write_parquet
    from explorer.io.sample_files import generate_timesketch_csv

    with tempfile.TemporaryDirectory(prefix="explorer-bench-") as folder:
        csv_path = generate_timesketch_csv(Path(folder) / "timesketch.csv", rows, seed=0)
        size_mb = csv_path.stat().st_size / 2**20
        csv_ms = _median_ms(lambda: read_any(csv_path), repeats)
        baseline_ms = _median_ms(lambda: pd.read_csv(csv_path), repeats)
        parquet_path = Path(folder) / "timesketch.parquet"
        write_parquet(read_any(csv_path).document, parquet_path)
        parquet_ms = _median_ms(lambda: read_any(parquet_path), repeats)
        memory = open_memory_mb(csv_path)
        results = [
            Result(
                "open_csv",
                rows,
                csv_ms,
                baseline_ms,
                None if memory is None else memory[0],
                peak_open_mb(csv_path, "pandas"),
                resident_mb=None if memory is None else memory[1],
            ),
            Result("open_parquet", rows, parquet_ms, None, peak_open_mb(parquet_path)),
        ]
    return results, size_mb


def _open_table(results: list[Result], csv_mb: float) -> list[str]:
    opens = [r for r in results if r.name in OPEN_FIGURES]
    if not opens:
        return []
    rows = opens[0].n_events
    lines = [
        "",
        f"opening a {rows:,}-row Timesketch-style CSV ({csv_mb:.0f} MB, seeded) and the same "
        f"document as Parquet, median of {OPEN_REPEATS};",
        "baseline: pandas.read_csv of the CSV; peak MB: RSS growth while opening, fresh process",
        f"{'figure':<16}{'rows':>12}{'median ms':>12}{'baseline ms':>14}{'ratio':>8}"
        f"{'peak MB':>10}{'base MB':>10}  target",
    ]
    for r in opens:
        base = f"{r.baseline_ms:.1f}" if r.baseline_ms is not None else "-"
        ratio = f"{r.median_ms / r.baseline_ms:.2f}x" if r.baseline_ms else "-"
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else "-"
        base_peak = f"{r.baseline_peak_mb:.0f}" if r.baseline_peak_mb is not None else "-"
        goal = (
            f"< {RATIO_TARGETS[r.name]:g}x read_csv"
            if r.name in RATIO_TARGETS
            else f"< {TARGETS[r.name]:g} ms"
        )
        lines.append(
            f"{r.name:<16}{r.n_events:>12,}{r.median_ms:>12.1f}{base:>14}{ratio:>8}"
            f"{peak:>10}{base_peak:>10}  {_target_text(r)} ({goal})"
        )
    for r in opens:
        if r.resident_mb is not None:
            lines.append(
                f"resident with the {r.n_events:,}-row CSV open (fresh process, no window): "
                f"{r.resident_mb:.0f} MB"
            )
    return lines


def table(results: list[Result], rss: float | None, n_events: int, csv_mb: float = 0.0) -> str:
    view = [r for r in results if r.name not in OPEN_FIGURES]
    scope = (
        f": {n_events:,} events, backend memory, {PLOT_W}x{PLOT_H} plot"
        if view
        else ": opening files"
    )
    lines = [f"Timeline Explorer benchmark{scope}", f"machine: {machine()}"]
    if view:
        lines += [
            "",
            f"{'figure':<16}{'visible':>12}{'median ms':>12}{'baseline ms':>14}{'speed-up':>10}"
            "  target",
        ]
    for r in view:
        base = f"{r.baseline_ms:.1f}" if r.baseline_ms is not None else "-"
        ratio = f"{r.baseline_ms / r.median_ms:.1f}x" if r.baseline_ms else "-"
        lines.append(
            f"{r.name:<16}{r.n_events:>12,}{r.median_ms:>12.2f}{base:>14}{ratio:>10}"
            f"  {_target_text(r)}"
        )
    if rss is not None:
        limit = RSS_TARGET_MB if n_events > 2_000_000 else 400
        lines.append(
            f"{'rss_mb':<16}{'':>12}{rss:>12.0f}{'':>14}{'':>10}  {'ok' if rss < limit else 'MISS'}"
        )
    lines += _open_table(results, csv_mb)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="synthetic events (default 1,000,000)"
    )
    parser.add_argument("--repeats", type=int, default=15, help="runs per figure (median)")
    parser.add_argument("--screenshot", metavar="PNG", help="also save the zoomed-out view")
    parser.add_argument(
        "--open-rows",
        type=int,
        default=OPEN_ROWS,
        help="rows of the generated CSV for open_csv/open_parquet (default 1,000,000; 0 skips)",
    )
    parser.add_argument(
        "--open-only", action="store_true", help="measure only open_csv and open_parquet"
    )
    parser.add_argument(
        "--native-events",
        type=int,
        default=0,
        help="also measure save_native/open_native at this many events (1,000,000 for the "
        "issue's figures) and the 300k-row CSV to .json conversion (explorer/bench_native.py)",
    )
    parser.add_argument(
        "--native-only", action="store_true", help="measure only the native JSON figures"
    )
    parser.add_argument(
        "--parquet-events",
        type=int,
        default=0,
        help="also measure DuckDB over a synthetic Parquet file of this many events "
        "(200 lanes, ten years; written once and kept in --parquet-folder; 0 skips)",
    )
    parser.add_argument(
        "--parquet-folder",
        type=Path,
        default=Path(tempfile.gettempdir()) / "timeline-explorer-bench",
        help="where the synthetic Parquet file is kept between runs",
    )
    parser.add_argument(
        "--source",
        metavar="URL",
        help="measure a SQL engine instead (postgresql://, sc://, chdb://, clickhouse://, "
        "duckdb://): load --events synthetic events once, then time its frames",
    )
    args = parser.parse_args(argv)
    if args.source:
        return _bench_source(args)
    duck_rows: list[DuckRow] = []
    if args.parquet_events > 0:
        from explorer.engines.bench_duckdb import bench_duckdb

        duck_rows = list(bench_duckdb(args.parquet_events, args.parquet_folder))
    if args.native_only or args.native_events > 0:
        from explorer.bench_native import native_figures
        from explorer.bench_native import render as render_native

        native = native_figures(args.native_events or 1_000_000)
        if args.json:
            print(json.dumps({"machine": machine(), "native": [asdict(r) for r in native]}))
        else:
            print(f"machine: {machine()}")
            print(render_native(native))
        if args.native_only:
            return 0
    results: list[Result] = []
    rss: float | None = None
    if not args.open_only:
        results, rss = run(args.events, args.repeats, args.screenshot)
    if args.parquet_events > 0:
        duck_rows += _overlay_edits(args, results)
    csv_mb = 0.0
    if args.open_rows > 0:
        opens, csv_mb = open_figures(args.open_rows)
        results += opens
    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine(),
                    "results": [{**asdict(r), "target_met": meets_target(r)} for r in results],
                    "rss_mb": None if rss is None else round(rss, 1),
                    "duckdb": [asdict(r) for r in duck_rows],
                    "targets_ms": TARGETS,
                    "ratio_targets": RATIO_TARGETS,
                    "open": {
                        "rows": args.open_rows,
                        "csv_mb": round(csv_mb, 1),
                        "repeats": OPEN_REPEATS,
                        "peak_mb": "RSS growth while opening once, in a fresh process "
                        "(VmHWM minus VmRSS after imports)",
                    },
                },
                indent=2,
            )
        )
    else:
        if results:
            print(table(results, rss, args.events, csv_mb))
        if duck_rows:
            from explorer.engines.bench_duckdb import render

            print()
            print(render(duck_rows))
    return 0


def _overlay_edits(args: argparse.Namespace, results: list[Result]) -> list[DuckRow]:
    """`edit_one` through the out-of-core overlay, with the views (explorer/
    bench_overlay.py); its baseline is the in-memory `edit_one` of this same run."""
    from explorer.bench_overlay import overlay_edit_rows
    from explorer.ui.timeline import AXIS_H, HEADER_W, LEGEND_H

    path = args.parquet_folder / f"synthetic-{args.parquet_events}.parquet"
    rows = overlay_edit_rows(
        path, min(args.repeats, 15), PLOT_W + HEADER_W, PLOT_H + AXIS_H + LEGEND_H
    )
    memory = next((r.median_ms for r in results if r.name == "edit_one"), None)
    for row in rows:
        row.baseline_ms = memory
    return rows


def _bench_source(args: argparse.Namespace) -> int:
    from explorer.engines.bench_sql import bench_sql, render
    from explorer.engines.sql_engines import EngineError, connect, redact

    try:
        engine = connect(args.source)
        rows = bench_sql(engine, args.events, args.parquet_folder, min(args.repeats, 7))
    except EngineError as exc:
        print(f"bench: {redact(args.source)}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"machine": machine(), "source": [asdict(r) for r in rows]}, indent=2))
    else:
        print(render(rows))
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
