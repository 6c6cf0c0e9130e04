"""Typos in the words the reader knows: "transitons", "verticle", "romantik", "secnd", "musik".

A word of four letters or more that no lexicon knows is read as the lexicon word one edit
away (an insertion, deletion, substitution or swap of neighbours), or two for words of eight
letters or more, with the same first letter; when several are that near and mean different
things, none is chosen ("minuts" is near both "minute" and "minutes", which mean the same). A
word that is itself English is never corrected, so "store" stays a store and is not "story":
``pyspellchecker``'s English word frequencies decide (loaded only when a near word is found).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from functools import lru_cache

from spellchecker import SpellChecker

MIN_LENGTH = 4
TWO_EDITS_FROM = 8
REAL_WORD_FREQUENCY = 1e-7
"""A word this frequent in English text is a word, not a typo ("pase": 3e-8, "store": 5e-5)."""


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    return _english().word_usage_frequency(word) >= REAL_WORD_FREQUENCY


class Corrector:
    """Corrects words towards ``vocabulary``: the single words the lexicons know, each with
    what it means (words of equal meaning are one choice)."""

    def __init__(self, vocabulary: Mapping[str, Hashable]) -> None:
        self._meaning = {word: meaning for word, meaning in vocabulary.items() if word.isalpha()}
        self._near = SpellChecker(language=None, distance=1)
        self._near.word_frequency.load_words(self._meaning)

    def correct(self, word: str) -> str | None:
        """The lexicon word ``word`` is a typo of; None when it is none's."""
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._meaning:
            return None
        near = self._near.known(self._near.edit_distance_1(word))
        if not near and len(word) >= TWO_EDITS_FROM:
            near = self._near.known(self._near.edit_distance_2(word))
        near = {candidate for candidate in near if candidate[0] == word[0]}
        if len({self._meaning[candidate] for candidate in near}) != 1 or is_english_word(word):
            return None
        return min(near)
