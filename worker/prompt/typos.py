"""Typos in the words the reader knows: "transitons", "verticle", "romantik", "secnd", "musik";
and words typed without their vowels, as in a text message: "fst", "slw", "vrtcl", "trnstns".

A word of four letters or more that no lexicon knows is read as the lexicon word one edit
away (an insertion, deletion, substitution or swap of neighbours), or two for words of eight
letters or more, with the same first letter; when several are that near and mean different
things, none is chosen ("minuts" is near both "minute" and "minutes", which mean the same). A
word that is itself English is never corrected, so "store" stays a store and is not "story":
``pyspellchecker``'s English word frequencies decide (loaded only when a near word is found).
Distances are ``rapidfuzz``'s (Damerau-Levenshtein in C++: the whole vocabulary in
microseconds, where generating every spelling two edits away takes a tenth of a second).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract
from spellchecker import SpellChecker

MIN_LENGTH = 4
TWO_EDITS_FROM = 8
STEM_LENGTH = 6
"""A word that begins with a known word this long and adds two letters or more is made from
it ("tiktokers"), not a typo of it."""
REAL_WORD_FREQUENCY = 1e-7
"""A word this frequent in English text is a word, not a typo ("pase": 3e-8, "store": 5e-5)."""
VOWELS = frozenset("aeiou")
MIN_SKELETON = 3
"""The shortest vowel-less word read as a known word ("fst"); "hd" and "bg" are not."""


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    return _english().word_usage_frequency(word) >= REAL_WORD_FREQUENCY


def skeleton(word: str) -> str:
    """``word`` without its vowels after the first letter: "fast" → "fst"."""
    return word[0] + "".join(letter for letter in word[1:] if letter not in VOWELS)


class Corrector:
    """Corrects words towards ``vocabulary``: the single words the lexicons know, each with
    what it means (words of equal meaning are one choice)."""

    def __init__(self, vocabulary: Mapping[str, Hashable]) -> None:
        self._meaning = {word: meaning for word, meaning in vocabulary.items() if word.isalpha()}
        self._by_letter: dict[str, list[str]] = {}
        self._by_skeleton: dict[str, list[str]] = {}
        for word in self._meaning:
            self._by_letter.setdefault(word[0], []).append(word)
            if skeleton(word) != word:
                self._by_skeleton.setdefault(skeleton(word), []).append(word)

    def correct(self, word: str, acronym: bool = False) -> str | None:
        """The lexicon word ``word`` is a typo of; None when it is none's. An ``acronym``
        (written in capitals: "BTS", "HDR") is never a word without its vowels."""
        if not word.isalpha() or word in self._meaning:
            return None
        if (
            len(word) >= MIN_SKELETON
            and not VOWELS & set(word)
            and not acronym
            and (unvowelled := self._unique(self._by_skeleton.get(word, []), word))
        ):
            return unvowelled
        if len(word) < MIN_LENGTH:
            return None
        candidates = self._by_letter.get(word[0], [])
        found = extract(
            word,
            candidates,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=2 if len(word) >= TWO_EDITS_FROM else 1,
            limit=None,
        )
        if not found:
            return None
        nearest = min(distance for _candidate, distance, _index in found)
        near = {candidate for candidate, distance, _index in found if distance == nearest}
        if any(
            len(known) >= STEM_LENGTH and word.startswith(known) and len(word) > len(known) + 1
            for known in candidates
        ):
            return None  # a longer word made from a known one ("tiktokers"), not a typo
        return self._unique(near, word)

    def _unique(self, near: Collection[str], word: str) -> str | None:
        """The one meaning of the words ``near`` to ``word`` (None: none or several, or
        ``word`` is English itself)."""
        if len({self._meaning[candidate] for candidate in near}) != 1 or is_english_word(word):
            return None
        return min(near)
