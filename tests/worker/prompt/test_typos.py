from __future__ import annotations

import pytest

from worker.prompt.typos import Corrector, is_english_word

VOCABULARY = {
    "vertical": "portrait",
    "minute": "minute",
    "minutes": "minute",
    "stories": "stories",
    "tiktok": "tiktok",
    "transitions": "transitions",
    "pans": "pan",
    "panning": "pan",
}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("verticle", "vertical"),
        ("minuts", "minute"),
        ("tranistions", "transitions"),
        ("storis", "stories"),
        ("store", None),
        ("planning", None),
        ("tiktokers", None),
        ("xyz", None),
        ("vertical", None),
    ],
)
def test_typos_are_read_as_the_known_word_real_words_are_not(typed: str, meant: str | None) -> None:
    assert Corrector(VOCABULARY).correct(typed) == meant


def test_near_two_words_of_different_meaning_is_no_correction() -> None:
    assert Corrector({"slide": "slide", "slice": "slice"}).correct("slie") is None


def test_english_words_by_their_frequency() -> None:
    assert is_english_word("store") and not is_english_word("secnd")


@pytest.mark.parametrize(
    ("typed", "acronym", "meant"),
    [
        ("vrtcl", False, "vertical"),
        ("trnstns", False, "transitions"),
        ("pns", False, "pans"),
        ("vrtcl", True, None),
        ("xyz", False, None),
    ],
)
def test_words_without_their_vowels_are_the_known_word_acronyms_are_not(
    typed: str, acronym: bool, meant: str | None
) -> None:
    assert Corrector(VOCABULARY).correct(typed, acronym=acronym) == meant
