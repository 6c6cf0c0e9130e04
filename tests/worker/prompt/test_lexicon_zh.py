"""The Chinese lexicon holds Han phrases only, and the words that contain its one-character
phrases but mean something else."""

from __future__ import annotations

import re

from worker.prompt.lexicon_zh import LEXICON, PARTICLES
from worker.prompt.tokens import HAN
from worker.understanding.reading import read_prompt


def test_every_phrase_is_han() -> None:
    for phrase in LEXICON:
        assert re.fullmatch(rf"[{HAN}]+", phrase), phrase
    assert all(char in LEXICON for char in PARTICLES)


def test_words_that_hold_fast_or_slow_are_not_a_pace() -> None:
    for prompt in ("愉快", "快手", "尽快", "快递", "生日快乐", "傲慢"):
        assert read_prompt(prompt).best("pace") is None, prompt
    assert read_prompt("快一点").best("pace") is not None
