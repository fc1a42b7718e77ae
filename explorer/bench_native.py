"""Native JSON figures for `python -m explorer.bench`: `save_native`, `open_native` (a
seeded synthetic document, default 1,000,000 events) and `convert_json` (a seeded
300,000-row Timesketch-style CSV opened and saved as `.json`, what
``timeline-explorer IN.csv --export OUT.json`` does).

Each is the median of `repeats` runs after one warm-up, beside its baseline measured
once in the same process: the plain path this release keeps as reference and fallback
(``json.dumps`` of a dict per event to save, ``json.loads`` and a record-by-record
check to open). Targets: under 5 s for each 1M figure, under 3 s for the conversion.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

TARGETS_MS: Final = {"save_native": 5000.0, "open_native": 5000.0, "convert_json": 3000.0}
CONVERT_ROWS: Final = 300_000


@dataclass
class NativeRow:
    name: str
    events: int
    median_ms: float
    baseline_ms: float
    mb: float  # the file's size

    @property
    def met(self) -> bool:
        return self.median_ms < TARGETS_MS[self.name]


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _median(fn: Callable[[], object], repeats: int) -> float:
    fn()
    return statistics.median(_ms(fn) for _ in range(repeats))


def native_figures(
    events: int, convert_rows: int = CONVERT_ROWS, repeats: int = 3
) -> list[NativeRow]:
    from explorer.io.atomic import atomic_write_bytes
    from explorer.io.formats import read_any
    from explorer.io.native import _read_thorough, read_native, reference_dumps, write_native
    from explorer.io.sample_files import generate_timesketch_csv
    from explorer.model.synthetic import synthetic_document

    rows: list[NativeRow] = []
    with tempfile.TemporaryDirectory(prefix="explorer-bench-native-") as folder:
        out = Path(folder) / "doc.json"
        if events > 0:
            doc = synthetic_document(events, seed=0)
            save = _median(lambda: write_native(doc, out), repeats)
            save_base = _ms(lambda: atomic_write_bytes(out, reference_dumps(doc)))
            write_native(doc, out)
            mb = out.stat().st_size / 2**20
            rows.append(NativeRow("save_native", events, save, save_base, mb))
            del doc
            opened = _median(lambda: read_native(out), repeats)
            open_base = _ms(lambda: _read_thorough(out.read_bytes(), out))
            rows.append(NativeRow("open_native", events, opened, open_base, mb))
        if convert_rows > 0:
            csv = generate_timesketch_csv(Path(folder) / "t.csv", convert_rows, seed=0)
            target = Path(folder) / "t.json"
            convert = _median(lambda: write_native(read_any(csv).document, target), repeats)
            convert_base = _ms(
                lambda: atomic_write_bytes(target, reference_dumps(read_any(csv).document))
            )
            mb = target.stat().st_size / 2**20
            rows.append(NativeRow("convert_json", convert_rows, convert, convert_base, mb))
    return rows


def render(rows: list[NativeRow], repeats: int = 3) -> str:
    lines = [
        f"native JSON, median of {repeats} (baseline: the plain json path, once, same run)",
        f"{'figure':<16}{'events':>12}{'median ms':>12}{'baseline ms':>14}{'speed-up':>10}"
        f"{'file MB':>9}  target",
    ]
    for r in rows:
        lines.append(
            f"{r.name:<16}{r.events:>12,}{r.median_ms:>12.0f}{r.baseline_ms:>14.0f}"
            f"{r.baseline_ms / r.median_ms:>9.1f}x{r.mb:>9.0f}  "
            f"{'ok' if r.met else 'MISS'} (< {TARGETS_MS[r.name]:g} ms)"
        )
    return "\n".join(lines)
