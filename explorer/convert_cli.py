"""`timeline-explorer convert IN... OUT.parquet`: streaming conversion on the command line.

Progress goes to stderr (a percentage, rewritten in place on a terminal); Ctrl+C
stops it and leaves no output file (the write is atomic). Set-aside rows are reported
as the importers report them (file, row or line, column, reason); `--skipped FILE.csv`
writes every one of them. Exit status: 0 done, 1 the output could not be written,
2 an input could not be read or the command line is wrong, 130 cancelled.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from explorer.io.atomic import atomic_write_bytes
from explorer.io.convert import CHUNK_ROWS, convert
from explorer.io.errors import ReadError, WriteError
from explorer.io.escaping import escape_controls
from explorer.io.formats import Cancelled
from explorer.io.guard import guard

PROG = "timeline-explorer convert"
SHOWN = 10


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Turn CSV, JSON lines and Plaso/Timesketch exports into Parquet without "
        "holding them in memory; the result opens out of core (--engine duckdb).",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="IN... OUT.parquet")
    p.add_argument("--format", metavar="NAME", help="read every IN with this reader")
    p.add_argument(
        "--map",
        dest="mapping",
        metavar="ROLE=COLUMN",
        action="append",
        default=[],
        help="csv: read ROLE from COLUMN (repeatable)",
    )
    p.add_argument("--date-order", choices=("dmy", "mdy"), help="csv: day/month or month/day")
    p.add_argument("--skipped", metavar="CSV", type=Path, help="write every set-aside row here")
    p.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, no set-aside rows")
    return p


def _say(line: str) -> None:
    print(f"{PROG}: {escape_controls(line)}", file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(list(argv))
    if len(args.files) < 2 or args.files[-1].suffix.lower() != ".parquet":
        _say("give the input files, then the output file ending in .parquet")
        return 2
    *inputs, out = args.files
    mapping: dict[str, str | list[str]] = {}
    for item in args.mapping:
        role, _, column = item.partition("=")
        mapping[role.strip()] = column
    if args.date_order:
        mapping["date_order"] = args.date_order
    shown = [-1]

    def progress(fraction: float) -> None:
        percent = int(fraction * 100)
        if args.quiet or percent == shown[0]:
            return
        shown[0] = percent
        end = "\r" if sys.stderr.isatty() and percent < 100 else "\n"
        if sys.stderr.isatty() or percent % 10 == 0:
            print(f"{PROG}: {percent}%", end=end, file=sys.stderr, flush=True)

    try:
        done = convert(
            inputs, out, args.format, mapping or None, progress, chunk_rows=args.chunk_rows
        )
    except KeyboardInterrupt:
        _say("cancelled: no output written")
        return 130
    except Cancelled:
        _say("cancelled: no output written")
        return 130
    except ReadError as exc:
        _say(str(exc))
        return 2
    except (WriteError, OSError) as exc:
        _say(str(exc))
        return 1
    if not args.quiet:
        for name, note in done.notes:
            _say(f"{name}: note: {note}")
        if done.skipped_total:
            _say(f"{done.skipped_total:,} rows set aside")
            for name, row in done.skipped[:SHOWN]:
                where = f'{row.where}: column "{row.field}"' if row.field else row.where
                _say(f"{name}: {where}: {row.reason}")
    if args.skipped is not None:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["file", "where", "field", "reason"])
        for name, row in done.skipped:
            writer.writerow([guard(v) for v in (name, row.where, row.field, row.reason)])
        atomic_write_bytes(args.skipped, text.getvalue().encode("utf-8"))
    _say(f"{done.events:,} events written to {out}")
    return 0
