"""Where the bundled datasets and icons are, from a checkout or an installed wheel.

The wheel carries the repository's top-level resources/ as explorer/_resources
(pyproject's force-include); a checkout or editable install finds it beside the
package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    for candidate in (_PACKAGE / "_resources", _PACKAGE.parent / "resources"):
        if (candidate / "datasets").is_dir():
            return candidate
    raise FileNotFoundError(
        "Timeline Explorer's resources/ folder is missing from this installation"
    )


def dataset_path(name: str = "permission-layer") -> Path:
    return resources_dir() / "datasets" / f"{name}.json"


DEFAULT_DATASET = "permission-layer"
