"""Decoding files as text: UTF-8 with or without BOM, UTF-16 with BOM, or a clear error."""

from __future__ import annotations

import codecs
from pathlib import Path

from explorer.io.errors import ReadError
from explorer.io.limits import check_file


def read_bytes(path: Path) -> bytes:
    check_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(path, exc.strerror or str(exc)) from None


def decode(data: bytes, path: Path) -> str:
    """Text of a file; anything but UTF-8/UTF-16-with-BOM is refused at its first bad byte."""
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
