"""Numbers written in words, by maintained converters: English through ``text2num`` (Rust-backed,
also behind ``alpha2digit``), Chinese numerals through ``cn2an``.

Neither is run over the whole prompt: ``alpha2digit`` reads "twenty-second" as "22nd", and
``cn2an.transform`` turns 一个 into 1个. The reader finds the words that stand before a unit and
hands only those over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from text_to_num import text2num

MAX_NUMBER_WORDS = 6
"""The longest run of words tried as one number: "one hundred and twenty five"."""
CHINESE_NUMERAL = "[零〇一二两三四五六七八九十百千万廿]+(?:点[零〇一二三四五六七八九]+)?"
CHINESE_NUMBER = rf"(?:\d+(?:\.\d+)?|{CHINESE_NUMERAL})"
"""A number in a Chinese prompt: digits (15秒) or numerals (十五秒, 一分半)."""


@lru_cache(maxsize=1024)
def english_number(words: str) -> int | None:
    """ "forty five" → 45, "one hundred and twenty" → 120; None when ``words`` are not one
    number."""
    try:
        return int(text2num(words, "en"))
    except ValueError:
        return None


def leading_number(words: Sequence[str]) -> tuple[int, int] | None:
    """The number the first of ``words`` begin, and how many words it takes; None when they
    begin no number. "twenty five seconds" → (25, 2); "twenty-second" (a duration here, never
    the ordinal) → (20, 1)."""
    for size in range(min(MAX_NUMBER_WORDS, len(words)), 0, -1):
        value = english_number(" ".join(words[:size]))
        if value is not None:
            return value, size
    return None


@lru_cache(maxsize=1)
def _cn2an() -> Any:
    """``cn2an``, imported when a Chinese numeral is first met (it takes a third of a second)."""
    import cn2an

    return cn2an


DIGITS = "一二三四五六七八九"
APPROXIMATE = re.compile(f"([{DIGITS}])(?=([{DIGITS}]))")
"""Two neighbouring digits, as in 二三十 (twenty or thirty), 十五六 (15 or 16), 三四 (3 or 4)."""


def chinese_number(text: str) -> float | None:
    """ "十五" → 15, "两" → 2, "一点五" → 1.5, "90" → 90; an approximate number at its larger
    end, as English ranges are read ("二三十" → 30, "十五六" → 16); None when ``text`` is no
    number ("十十")."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    for pair in APPROXIMATE.finditer(text):
        if DIGITS.index(pair.group(2)) == DIGITS.index(pair.group(1)) + 1:
            text = text[: pair.start()] + text[pair.end() :]
            break
    try:
        return float(_cn2an().cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError):  # what cn2an raises on a malformed numeral
        return None
