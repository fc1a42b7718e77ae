"""`python -m explorer.bench --source URL --events N` loads once and reports frame
figures with the engine's share (a smoke test on a small table: figures, not timings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.bench import main


def test_bench_source_reports_every_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"duckdb:///{tmp_path / 'bench.duckdb'}"
    argv = ["--source", url, "--events", "3000", "--repeats", "3",
            "--parquet-folder", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    first = capsys.readouterr().out
    figures = ("load", "first_paint", "repaint_full", "density_all_lanes", "pan_step", "zoom_step")
    for figure in (*figures, "search_text"):
        assert figure in first
    assert main(argv) == 0  # the loaded table is reused
    assert "load " not in capsys.readouterr().out
