"""Cells made safe for spreadsheets (OWASP CSV injection): one rule for every writer.

A text cell, header included, that starts with = + - @ tab or CR (after any quotes
we added before) gets one ' in front, so a spreadsheet shows it instead of running
it; numbers are left alone. The readers take one ' off again (read_table.unguard).
"""

from __future__ import annotations

import re
from typing import Any, Final

GUARD_PATTERN: Final = r"^'*[=+\-@\t\r]"


def guard(value: Any) -> Any:
    if isinstance(value, str) and re.match(GUARD_PATTERN, value):
        return "'" + value
    return value
