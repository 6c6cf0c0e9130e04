"""Text files as Windows and spreadsheets save them."""

from __future__ import annotations

import codecs

import pytest

from producer.text_files import TextDecodeError, decode_text

TEXT = "promo für Café Olé, 9:16\n"


@pytest.mark.parametrize(
    ("data", "encoding", "described"),
    [
        (TEXT.encode(), "utf-8", "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode(), "utf-8-sig", "UTF-8 with BOM"),
        (TEXT.encode("utf-16"), "utf-16", "UTF-16 (BOM)"),  # Notepad's "Unicode"
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16", "UTF-16 (BOM)"),
        (TEXT.encode("cp1252"), "cp1252", "cp1252 (not UTF-8)"),  # Excel's "CSV"
    ],
)
def test_files_as_they_arrive(data: bytes, encoding: str, described: str) -> None:
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding, decoded.described) == (TEXT, encoding, described)


def test_what_is_none_of_them_is_refused_with_its_line() -> None:
    with pytest.raises(TextDecodeError, match=r"not UTF-8: byte 0xe9 at line 2"):
        decode_text(b"ok\ncaf\xe9\n", legacy_fallback=False)
    with pytest.raises(TextDecodeError, match=r"not UTF-8 or cp1252: byte 0x81 at line 1"):
        decode_text(b"\x81\x81")
