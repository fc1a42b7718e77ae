"""Seeded sample files for benchmarks and tests, written quickly (no per-row Python).

`generate_timesketch_csv` writes what a Timesketch export of a disk image looks
like: one row per timestamped artefact, a handful of hosts and users, paths with
commas and quotes now and then (so the CSV has quoted cells), ISO datetimes in UTC
with the same instant in epoch microseconds beside them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TIMESKETCH_COLUMNS = (
    "message",
    "datetime",
    "timestamp_desc",
    "timestamp",
    "hostname",
    "username",
    "source_file",
    "data_type",
)

_DESCRIPTIONS = (
    "Content Modification Time",
    "Last Access Time",
    "Creation Time",
    "Metadata Modification Time",
    "Last Visited Time",
    "Event Logged",
    "Last Login Time",
)
_DATA_TYPES = (
    "fs:stat",
    "windows:evtx:record",
    "chrome:history:page_visited",
    "windows:registry:key_value",
    "syslog:line",
    "windows:prefetch:execution",
)
_VERBS = (
    "Opened",
    "Modified",
    'Executed "cmd.exe /c whoami"',
    "Deleted",
    "Visited https://example.org/a?b=1,2",
    "Logged on",
)
_FOLDERS = (
    "C:\\Users\\{user}\\Documents",
    "C:\\Windows\\System32",
    "/var/log",
    "/home/{user}/.cache",
    "C:\\Program Files\\Vendor, Inc",
)


def _path(folder: str, i: int) -> str:
    separator = "/" if folder.startswith("/") else "\\"
    return f"{folder}{separator}file_{i}.dat"


def generate_timesketch_csv(path: str | Path, n_rows: int, seed: int = 0) -> Path:
    """Write `n_rows` Timesketch-style events to `path` (UTF-8 CSV with a header).

    Rows are in random time order across 2015-2024, as merged exports often are.
    """
    path = Path(path)
    rng = np.random.default_rng(seed)
    n = int(n_rows)
    start = np.datetime64("2015-01-01T00:00:00", "us").astype(np.int64)
    stop = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64)
    micros = rng.integers(start, stop, size=n, dtype=np.int64)
    seconds_text = np.datetime_as_string(micros.astype("datetime64[us]"), unit="us")

    hosts = np.array([f"host-{i:02d}.corp.example" for i in range(50)], dtype=object)
    users = np.array([f"user{i:03d}" for i in range(200)] + ["SYSTEM", "root", ""], dtype=object)
    host_codes = rng.zipf(1.6, size=n) % len(hosts)
    user_codes = rng.integers(0, len(users), size=n)
    files = np.array(
        [
            _path(_FOLDERS[i % len(_FOLDERS)].format(user=users[i % len(users)] or "Public"), i)
            for i in range(300)
        ],
        dtype=object,
    )
    file_codes = rng.integers(0, len(files), size=n)
    verb_codes = rng.integers(0, len(_VERBS), size=n)

    def pick(values: np.ndarray | tuple[str, ...], codes: np.ndarray) -> pa.Array:
        # Dictionary-decode in C: no Python string is made per row.
        dictionary = pa.array(list(values), type=pa.string())
        return pa.DictionaryArray.from_arrays(
            pa.array(codes, type=pa.int32()), dictionary
        ).dictionary_decode()

    file_col = pick(files, file_codes)
    message = pc.binary_join_element_wise(
        pick(_VERBS, verb_codes),
        file_col,
        pc.cast(pa.array(rng.integers(0, 1_000_000, size=n, dtype=np.int32)), pa.string()),
        " ",
    )
    table = pa.table(
        {
            "message": message,
            "datetime": pc.binary_join_element_wise(
                pa.array(seconds_text, type=pa.string()), "+00:00", ""
            ),
            "timestamp_desc": pick(_DESCRIPTIONS, rng.integers(0, len(_DESCRIPTIONS), size=n)),
            "timestamp": pa.array(micros, type=pa.int64()),
            "hostname": pick(hosts, host_codes),
            "username": pick(users, user_codes),
            "source_file": file_col,
            "data_type": pick(_DATA_TYPES, rng.integers(0, len(_DATA_TYPES), size=n)),
        }
    )
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return path
