"""Where the bundled datasets and icons are, from a checkout or an installed wheel.

The wheel carries the repository's top-level resources/ as explorer/_resources
(pyproject's force-include); a checkout or editable install finds it beside the
package.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    for candidate in (_PACKAGE / "_resources", _PACKAGE.parent / "resources"):
        if (candidate / "datasets").is_dir():
            return candidate
    raise FileNotFoundError(
        "Timeline Explorer's resources/ folder is missing from this installation"
    )


def is_installed(path: Path) -> bool:
    """Whether `path` is one of the application's own files (a bundled story): those open
    as untitled copies and are never written to."""
    try:
        resolved = Path(path).resolve()
    except OSError:
        return False
    roots = [_PACKAGE]
    with contextlib.suppress(FileNotFoundError):
        roots.append(resources_dir().resolve())
    return any(resolved.is_relative_to(root) for root in roots)


def dataset_path(name: str = "permission-layer") -> Path:
    return resources_dir() / "datasets" / f"{name}.json"


DEFAULT_DATASET = "permission-layer"
