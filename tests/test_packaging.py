"""The app finds its dataset from a checkout and from an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from explorer import resources

ROOT = Path(__file__).resolve().parents[1]


def test_checkout_finds_the_dataset() -> None:
    assert resources.dataset_path().is_file()


@pytest.mark.slow
def test_wheel_carries_the_resources(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("timeline_explorer-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "explorer/_resources/datasets/permission-layer.json" in names
    assert "explorer/app.py" in names
    # Installed layout: unpack and ask the unpacked package where its resources are.
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = "from explorer.resources import dataset_path; print(dataset_path())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        check=True,
    )
    assert out.stdout.strip() == str(
        target / "explorer" / "_resources" / "datasets" / "permission-layer.json"
    )
