"""Excel date serials read to the microsecond, not rounded to the millisecond.

openpyxl (3.1) turns a date cell's serial into a datetime rounded to the nearest
millisecond, so 23:59:59.999999 becomes midnight of the next day: a different day
for an event. `install` makes its sheet reader round to the microsecond instead (the
precision a serial holds), once per process. Only the reader's own reference is
replaced, and the replacement returns what the original does for every serial that
does not fall within half a millisecond of the next one.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any, Final

_SECONDS_PER_DAY: Final = 86_400
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    reader = importlib.import_module("openpyxl.worksheet._reader")
    original = reader.from_excel
    windows_epoch = reader.WINDOWS_EPOCH

    def from_excel(value: Any, epoch: dt.datetime = windows_epoch, timedelta: bool = False) -> Any:
        if value is None or timedelta or not value >= 1:
            return original(value, epoch, timedelta)  # durations and bare times: as before
        day, fraction = divmod(value, 1)
        if 0 < value < 60 and epoch == windows_epoch:
            day += 1  # Excel's 1900 leap-year bug, as openpyxl corrects it
        micro = dt.timedelta(microseconds=round(fraction * _SECONDS_PER_DAY * 1_000_000))
        return epoch + dt.timedelta(days=day) + micro

    setattr(reader, "from_excel", from_excel)  # noqa: B010 (a module attribute, by name)
    _installed = True
