"""Helpers for the hostile-input tests: the command line in a child process, measured
(wall time and the child's own peak resident set, VmHWM), and hand-built workbooks."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The child reports its own peak RSS as the last line of stderr: VmHWM from /proc, which
# belongs to the child's own address space (ru_maxrss would carry over the parent's peak
# from before the exec).
_CHILD = (
    "import sys\n"
    "from explorer.app import main\n"
    "try:\n"
    "    rc = main(sys.argv[1:])\n"
    "finally:\n"
    "    status = open('/proc/self/status').read()\n"
    "    peak = int(status.split('VmHWM:')[1].split()[0])\n"
    "    sys.stderr.write(f'\\n@maxrss={peak}\\n')\n"
    "sys.exit(rc)\n"
)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str  # without the measurement line
    seconds: float
    peak_mb: float


def run_cli(*args: str, timeout: float = 120) -> Run:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    found = re.search(r"\n@maxrss=(\d+)\n$", done.stderr)
    assert found, done.stderr
    stderr = done.stderr[: found.start()]
    return Run(done.returncode, done.stdout, stderr, seconds, int(found.group(1)) / 1024)


@functools.cache
def baseline_mb() -> float:
    """Peak RSS of the command line on a small job (the embedded story to JSON): the
    cost of the interpreter and the libraries, which a bound is measured beside."""
    with tempfile.TemporaryDirectory() as folder:
        return run_cli("--export", str(Path(folder) / "x.json")).peak_mb


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_workbook(path: Path, sheet_parts: Iterable[str]) -> None:
    """A minimal .xlsx whose one sheet's XML is the concatenation of `sheet_parts`
    (streamed into the zip, so a sheet that inflates to gigabytes costs no memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part.encode())
