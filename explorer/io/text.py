"""Decoding files as text: UTF-8 with or without BOM, UTF-16 with BOM, or a clear error."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final

from explorer.io.errors import ReadError
from explorer.io.limits import check_file


def read_bytes(path: Path) -> bytes:
    check_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None


_SAVE_AS: Final = "save the file as UTF-8 and try again"


def encoding_problem(data: bytes) -> tuple[str, str] | None:
    """(where, what) when the bytes are text in an encoding we do not read (UTF-32,
    UTF-16 without a byte-order mark) or not text at all, judged from the first KiB
    or so; None for UTF-8 or UTF-16 with a BOM. A lone NUL in a cell is not a problem."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "byte 0", f"UTF-32 text (it starts with UTF-32's byte-order mark); {_SAVE_AS}"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    sample = data[:4096]
    nuls = sample.count(0)
    if not nuls or nuls < len(sample) // 8:
        return None
    quarter = max(len(sample) // 4, 1)
    share = [sample[k::4].count(0) / quarter for k in range(4)]  # NULs by position mod 4
    first = data.find(b"\x00")
    where = f"byte {first}"
    if min(share[1:]) > 0.8 or min(share[:3]) > 0.8:
        order = "little" if min(share[1:]) > 0.8 else "big"
        return where, f"UTF-32 ({order}-endian) text without a byte-order mark; {_SAVE_AS}"
    for order, text_at, nul_at in (("little", (0, 2), (1, 3)), ("big", (1, 3), (0, 2))):
        if min(share[k] for k in nul_at) > 0.4 and max(share[k] for k in text_at) < 0.1:
            return where, f"UTF-16 ({order}-endian) text without a byte-order mark; {_SAVE_AS}"
    return f"byte {first}", "binary data (NUL bytes), not text"


def decode(data: bytes, path: Path) -> str:
    """Text of a file; anything but UTF-8/UTF-16-with-BOM is refused at its first bad byte."""
    problem = encoding_problem(data)
    if problem is not None:
        raise ReadError(path, problem[1], where=problem[0])
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(
                path, f"not valid UTF-16 text ({exc.reason})", where=f"byte {exc.start}"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        raise ReadError(
            path,
            f"not UTF-8 text (byte 0x{data[offset]:02x}); save the file as UTF-8 and try again",
            where=f"byte {offset}",
        ) from None


def read_text(path: Path) -> str:
    return decode(read_bytes(path), path)


def head(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file, for format detection (a regular file: see limits)."""
    check_file(path)
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None
