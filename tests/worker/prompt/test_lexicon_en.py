"""The English lexicon is spelt as the tokenizer spells what people type, or a phrase could
never be matched."""

from __future__ import annotations

import re

from worker.prompt.lexicon_en import LEXICON
from worker.prompt.platforms import ENGLISH
from worker.prompt.tokens import tokenize


def test_every_phrase_is_spelt_as_the_tokenizer_reads_it() -> None:
    for phrase in [*LEXICON, *ENGLISH]:
        assert re.fullmatch(r"[a-z]+(?: [a-z]+)*", phrase), phrase
        assert " ".join(t.text for t in tokenize(phrase, frozenset(), 1)) == phrase


def test_a_phrase_and_its_hyphenated_spelling_are_read_alike() -> None:
    for phrase in ("fast paced", "lo fi", "cross dissolve", "fade in and fade out"):
        hyphenated = phrase.replace(" ", "-", 1)
        assert " ".join(t.text for t in tokenize(hyphenated, frozenset(), 1)) == phrase
