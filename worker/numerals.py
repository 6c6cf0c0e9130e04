"""Chinese numerals as prompts write them: 十五秒, 八折."""

from __future__ import annotations

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUMBER = "[零〇一二两三四五六七八九十百]+"


def cn_to_number(text: str) -> int:
    """Chinese numerals up to the hundreds: 十五 → 15, 二十 → 20, 一百二十 → 120."""
    total, current = 0, 0
    for char in text:
        if char in CN_DIGITS:
            current = CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current
