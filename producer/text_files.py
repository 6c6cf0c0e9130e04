"""Text as files arrive: UTF-8 with or without a BOM, UTF-16 or UTF-32 with a BOM (what Windows
Notepad saves as "Unicode"), and, where the caller allows it, cp1252 (what Excel saves as "CSV"
on a Western Windows) when the bytes are not UTF-8.

One decoder for every text file a user hands over (feeds, prompts, manifests), so they all
accept the same files and all say the same thing about those they cannot read. It never
guesses beyond these: a byte order mark is a statement, UTF-8 validates itself, and cp1252 is
the one legacy encoding spreadsheets are known to write.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (BOM)"),
)
"""Byte order marks, longest first (UTF-32 LE starts with UTF-16 LE's mark)."""
LEGACY_FALLBACK = "cp1252"


class TextDecodeError(ValueError):
    """Bytes that are none of the accepted encodings; the message says where it failed."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    """The codec used: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-32`` or ``cp1252``."""
    described: str
    """The encoding in words, for the summary: ``UTF-8 with BOM``, ``cp1252 (not UTF-8)``."""
    bom: bool


def decode_text(data: bytes, *, legacy_fallback: bool = True) -> DecodedText:
    """``data`` as text: by its byte order mark, else as UTF-8, else (with
    ``legacy_fallback``) as cp1252. Raises TextDecodeError naming the first bad byte."""
    for mark, codec, described in BOMS:
        if data.startswith(mark):
            try:
                text = data.decode(codec)  # each of these codecs reads and drops its mark
            except UnicodeDecodeError as error:
                raise TextDecodeError(_where(error, described, data)) from None
            return DecodedText(text, codec, described, bom=True)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", "UTF-8", bom=False)
    except UnicodeDecodeError as error:
        if not legacy_fallback:
            raise TextDecodeError(_where(error, "UTF-8", data)) from None
        utf8_error = error
    try:
        text = data.decode(LEGACY_FALLBACK)
    except UnicodeDecodeError:
        raise TextDecodeError(_where(utf8_error, "UTF-8 or cp1252", data)) from None
    return DecodedText(text, LEGACY_FALLBACK, "cp1252 (not UTF-8)", bom=False)


def read_text_file(path: Path, *, legacy_fallback: bool = True) -> DecodedText:
    """The file's text, decoded by ``decode_text``."""
    return decode_text(path.read_bytes(), legacy_fallback=legacy_fallback)


def _where(error: UnicodeDecodeError, expected: str, data: bytes) -> str:
    """``not UTF-8: byte 0xff at line 3`` — the line counted in the raw bytes."""
    position = error.start
    line = data.count(b"\n", 0, position) + 1
    byte = data[position : position + 1].hex()
    return f"not {expected}: byte 0x{byte} at line {line}"
