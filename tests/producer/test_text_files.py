"""Text files as Windows, macOS and Linux editors save them (the bytes each writes)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from producer.text_files import TextDecodeError, decode_text, read_text_file

TEXT = "15-second promo, café crème — 9:16 for Reels\r\ntitle 'Été'\r\n"


@pytest.mark.parametrize(
    ("saved", "encoding", "note"),
    [
        (TEXT.encode("utf-8"), "utf-8", None),
        # Notepad's "UTF-8 with BOM" (its default before Windows 10 1903)
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", None),
        # Notepad's "Unicode" (UTF-16 LE with a BOM), PowerShell 5's `> file`
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16", "UTF-16 (BOM)"),
        # Notepad's "Unicode big endian"
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16", "UTF-16 (BOM)"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32", "UTF-32 (BOM)"),
        # .NET's Encoding.Unicode.GetBytes, Java's "UTF-16LE": no BOM
        (TEXT.encode("utf-16-le"), "utf-16-le", "UTF-16 LE (no BOM)"),
        (TEXT.encode("utf-16-be"), "utf-16-be", "UTF-16 BE (no BOM)"),
    ],
    ids=["utf-8", "utf-8 bom", "utf-16 le bom", "utf-16 be bom", "utf-32 bom", "le", "be"],
)
def test_each_way_editors_save_unicode_reads_the_same(
    tmp_path: Path, saved: bytes, encoding: str, note: str | None
) -> None:
    path = tmp_path / "prompt.txt"
    path.write_bytes(saved)
    decoded = read_text_file(path, legacy_fallback=False)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding
    assert decoded.note("prompt.txt") == (note and f"prompt.txt was read as {note}")


def test_excel_csv_in_cp1252_is_read_only_where_allowed() -> None:
    # Excel's "CSV (Comma delimited)" on a Western Windows: cp1252 (€ 0x80, ’ 0x92, é 0xe9)
    saved = "id,title,price\r\nmug,Caf\u00e9\u2019s mug,12 \u20ac\r\n".encode("cp1252")
    decoded = decode_text(saved)
    assert decoded.text == "id,title,price\r\nmug,Café’s mug,12 €\r\n"
    assert decoded.note("shop.csv") == "shop.csv was read as cp1252 (not UTF-8)"
    with pytest.raises(TextDecodeError, match=r"not UTF-8: byte 0xe9 at line 2"):
        decode_text(saved, legacy_fallback=False)


def test_bytes_of_no_accepted_encoding_are_named_with_their_line() -> None:
    # 0x81 is one of the five bytes cp1252 leaves undefined
    with pytest.raises(TextDecodeError, match=r"not UTF-8 or cp1252: byte 0x81 at line 3"):
        decode_text(b"id,title\nmug,a\nbad,\x81\n")


@pytest.mark.parametrize(
    "saved",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"title: x\n\x00\x00\x00\x00y"],
    ids=["an image", "zero bytes in text"],
)
def test_zero_bytes_that_are_no_utf16_are_not_text(saved: bytes) -> None:
    with pytest.raises(TextDecodeError, match="not text: a zero byte"):
        decode_text(saved)


def test_a_bom_with_broken_text_after_it_is_an_error() -> None:
    with pytest.raises(TextDecodeError, match="not UTF-8 with BOM: byte 0xff"):
        decode_text(codecs.BOM_UTF8 + b"ok \xff")


SHEET_TEXT = "promo für Café Olé, 9:16\n"


@pytest.mark.parametrize(
    ("data", "encoding", "described"),
    [
        (SHEET_TEXT.encode(), "utf-8", "UTF-8"),
        (codecs.BOM_UTF8 + SHEET_TEXT.encode(), "utf-8-sig", "UTF-8 with BOM"),
        (SHEET_TEXT.encode("utf-16"), "utf-16", "UTF-16 (BOM)"),  # Notepad's "Unicode"
        (codecs.BOM_UTF16_BE + SHEET_TEXT.encode("utf-16-be"), "utf-16", "UTF-16 (BOM)"),
        (SHEET_TEXT.encode("cp1252"), "cp1252", "cp1252 (not UTF-8)"),  # Excel's "CSV"
    ],
)
def test_files_as_they_arrive(data: bytes, encoding: str, described: str) -> None:
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding, decoded.described) == (SHEET_TEXT, encoding, described)


def test_what_is_none_of_them_is_refused_with_its_line() -> None:
    with pytest.raises(TextDecodeError, match=r"not UTF-8: byte 0xe9 at line 2"):
        decode_text(b"ok\ncaf\xe9\n", legacy_fallback=False)
    with pytest.raises(TextDecodeError, match=r"not UTF-8 or cp1252: byte 0x81 at line 1"):
        decode_text(b"\x81\x81")


PROMPT = "6-second promo, title “Summer Sale”, 5 €\r\n"


@pytest.mark.parametrize(
    ("saved", "encoding"),
    [
        # a DOS editor's (EDIT.COM, old Notepad clones) end-of-file mark after the last line
        (PROMPT.encode() + b"\x1a", "utf-8"),
        (codecs.BOM_UTF8 + PROMPT.encode() + b"\x1a", "utf-8-sig"),
        # a file preallocated or padded to its block size, as some sync tools and crashed
        # editors leave it
        (PROMPT.encode() + b"\x00" * 61, "utf-8"),
        (PROMPT.encode() + b"\x1a" + b"\x00" * 64, "utf-8"),
        (codecs.BOM_UTF16_LE + PROMPT.encode("utf-16-le") + b"\x00" * 64, "utf-16"),
        (codecs.BOM_UTF16_LE + PROMPT.encode("utf-16-le") + b"\x1a\x00", "utf-16"),
        (PROMPT.encode("utf-16-le") + b"\x1a\x00", "utf-16-le"),
    ],
    ids=[
        "ctrl-z",
        "bom ctrl-z",
        "zero padded",
        "ctrl-z padded",
        "utf-16 padded",
        "utf-16 ctrl-z",
        "le ctrl-z",
    ],
)
def test_padding_and_ctrl_z_after_the_text_are_no_part_of_it(saved: bytes, encoding: str) -> None:
    decoded = decode_text(saved, legacy_fallback=False)
    assert (decoded.text, decoded.encoding) == (PROMPT, encoding)


def test_a_zero_byte_inside_the_text_is_still_not_text() -> None:
    with pytest.raises(TextDecodeError, match="not text: a zero byte at line 2"):
        decode_text(b"title: x\r\ny\x00z\r\n" + b"\x00" * 8)
