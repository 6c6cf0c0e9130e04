"""Text files as editors save them: the one reader of every text file a user hands over
(``prompt.txt``, ``job.yaml``, manifests, templates, brand files, catalog feeds).

Accepted: UTF-8 with or without a byte order mark; UTF-16 or UTF-32 with a BOM (what Windows
Notepad saves as "Unicode" and Excel as "Unicode Text"); UTF-16 without a BOM when its bytes
say so unmistakably (plain-ASCII text leaves a zero byte beside every character, which no text
in a byte encoding holds); and, where the caller allows it (``legacy_fallback``: CSV feeds),
cp1252 — what Excel on a Western Windows saves as "CSV" — when the bytes are not UTF-8. It
guesses nothing else: a BOM is a statement, UTF-8 validates itself, and cp1252 is the one
legacy encoding spreadsheets are known to write. What some old tools leave after the text is
dropped: DOS editors' end-of-file mark (Ctrl-Z, 0x1A) and zero bytes padding a file to its
block or preallocated size; neither is text, and both would otherwise end up in a prompt or
make a file "not text".

A file read as anything but UTF-8 gets a ``note`` ("prompt.txt was read as UTF-16 (BOM)"),
which the producer puts in the job's spec (``source.notes``): the report's warnings, the
batch summary and the run's summary say it. The public names (``decode_text``,
``read_text_file``, ``DecodedText``, ``TextDecodeError``) are those of the feed readers'
decoder, so the two can be one module.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from pathlib import Path

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16", "UTF-16 (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16", "UTF-16 (BOM)"),
)
"""Byte order marks, longest first (UTF-32 LE's mark starts with UTF-16 LE's): the mark, the
codec of the bytes after it, the encoding's name and its description."""
UTF8_CODECS = ("utf-8", "utf-8-sig")
LEGACY_FALLBACK = "cp1252"
TRAILING_PADDING = "\x00\x1a"
"""Characters dropped from the end of a text: zero padding and DOS's Ctrl-Z end-of-file mark."""
UTF16_ZEROS_SHARE = 0.9
"""UTF-16 without a BOM: at least this share of its odd (LE) or even (BE) bytes are zero, and
none of the others. Text of Latin letters, digits and punctuation gives 100%."""


class TextDecodeError(ValueError):
    """Bytes that are none of the accepted encodings; the message says where it failed."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    """The codec used: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``,
    ``utf-32`` or ``cp1252``."""
    described: str
    """The encoding in words: ``UTF-16 (BOM)``, ``UTF-16 LE (no BOM)``, ``cp1252 (not
    UTF-8)``."""
    bom: bool

    @property
    def is_utf8(self) -> bool:
        """UTF-8, with or without a BOM: nothing worth saying about how it was read."""
        return self.encoding in UTF8_CODECS

    def note(self, name: str) -> str | None:
        """What to tell the user about reading the file ``name``; None for UTF-8."""
        if self.is_utf8:
            return None
        return f"{name} was read as {self.described}"


def decode_text(data: bytes, *, legacy_fallback: bool = True) -> DecodedText:
    """``data`` as text: by its byte order mark, else as BOM-less UTF-16 when its zero bytes
    say so, else as UTF-8, else (with ``legacy_fallback``) as cp1252; without the padding and
    Ctrl-Z some tools leave at its end. Raises TextDecodeError naming the first byte that fits
    none of them, and its line."""
    decoded = _decode(data, legacy_fallback)
    return replace(decoded, text=decoded.text.rstrip(TRAILING_PADDING))


def _decode(data: bytes, legacy_fallback: bool) -> DecodedText:
    for mark, codec, encoding, described in BOMS:
        if data.startswith(mark):
            try:
                text = data[len(mark) :].decode(codec)
            except UnicodeDecodeError as error:
                raise TextDecodeError(_where(error, described, data, len(mark))) from None
            return DecodedText(text, encoding, described, bom=True)
    if b"\x00" in data.rstrip(TRAILING_PADDING.encode()):
        return _utf16_without_bom(data)
    data = data.rstrip(TRAILING_PADDING.encode())
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
    """The file's text, decoded by ``decode_text``. OSError when it cannot be read."""
    return decode_text(path.read_bytes(), legacy_fallback=legacy_fallback)


def _utf16_without_bom(data: bytes) -> DecodedText:
    """Text with zero bytes: UTF-16 (LE or BE) when they all sit on one side of each pair;
    anything else with zero bytes is not text."""
    if len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        for codec, described, zeros, others in (
            ("utf-16-le", "UTF-16 LE (no BOM)", odd, even),
            ("utf-16-be", "UTF-16 BE (no BOM)", even, odd),
        ):
            if b"\x00" not in others and zeros.count(0) >= UTF16_ZEROS_SHARE * len(zeros):
                try:
                    return DecodedText(data.decode(codec), codec, described, bom=False)
                except UnicodeDecodeError:
                    break
    line = data.count(b"\n", 0, data.index(b"\x00")) + 1
    raise TextDecodeError(
        f"not text: a zero byte at line {line} (UTF-16 or UTF-32 needs its byte order mark:"
        " save as UTF-8, or as Unicode with a BOM)"
    )


def _where(error: UnicodeDecodeError, expected: str, data: bytes, offset: int = 0) -> str:
    """``not UTF-8: byte 0xff at line 3``, the line counted in the raw bytes (``offset``: where
    the decoded bytes began); and how to save the file so it reads."""
    position = offset + error.start
    line = data.count(b"\n", 0, position) + 1
    byte = data[position : position + 1].hex()
    return f"not {expected}: byte 0x{byte} at line {line} (save it as UTF-8)"
