from __future__ import annotations

import pytest

from worker.prompt.numbers import chinese_number, english_number, leading_number


@pytest.mark.parametrize(
    ("words", "value"),
    [("fifteen", 15), ("forty five", 45), ("one hundred and twenty", 120), ("second", None)],
)
def test_english_number_words(words: str, value: int | None) -> None:
    assert english_number(words) == value


def test_the_number_a_run_of_words_begins() -> None:
    assert leading_number(["twenty", "five", "seconds", "fast"]) == (25, 2)
    assert leading_number(["twenty", "second"]) == (20, 1)
    assert leading_number(["the", "second"]) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十五", 15),
        ("两", 2),
        ("二十五", 25),
        ("一百二十", 120),
        ("一点五", 1.5),
        ("90", 90),
        ("二三十", 30),
        ("十五六", 16),
        ("三四", 4),
        ("十十", None),
        ("二九十五", None),
    ],
)
def test_chinese_numerals(text: str, value: float | None) -> None:
    assert chinese_number(text) == value
