from __future__ import annotations

import pytest

from worker.prompt.durations import (
    chinese_durations,
    clock_seconds,
    duration_in_words,
    english_durations,
)
from worker.prompt.tokens import tokenize


def lengths(text: str) -> list[float]:
    tokens = tokenize(text, frozenset(), 1)
    return [d.seconds for d in english_durations(tokens) if d.kind == "length"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15-second promo", 15),
        ("a fifteen second reel", 15),
        ("twenty-second teaser", 20),
        ("half a minute", 30),
        ("a half-minute video", 30),
        ("about a minute and a half", 90),
        ("one and a half minutes", 90),
        ("two and a half minutes", 150),
        ("a 1.5 minute montage", 90),
        ("2m30s", 150),
        ("1 min 15 sec", 75),
        ("2 minutes and 30 seconds", 150),
        ("1 minute 30, upbeat", 90),
        ("1 min 15 product walkthrough", 75),
        ("1min30 upbeat", 90),
        ("1 min 10 photo slideshow", 60),
        ("1 min 12 pics", 60),
        ("1,5 min", 90),
        ("15ish seconds", 15),
        ("15 or so seconds", 15),
        ("a minute thirty, calm", 90),
        ("one minute forty five", 105),
        ("2 minutes one for reels", 120),
        ("1:30 long", 90),
        ("90s video", 90),
        ("20-30 seconds", 30),
        ("a couple of minutes", 120),
        ("a 10-hour video", 36000),
        ("under a minute", 60),
    ],
)
def test_english_lengths(text: str, seconds: float) -> None:
    assert lengths(text) == [seconds]


@pytest.mark.parametrize(
    "text",
    ["9:16 at 1080p, 30 fps", "'80s style", "with 80s music", "the second photo", "wait a second"],
)
def test_what_is_not_a_length(text: str) -> None:
    assert lengths(text) == []


def test_decades_and_shot_lengths_are_told_apart() -> None:
    tokens = tokenize("'90s style, 3 seconds per photo, 2 s each", frozenset(), 1)
    assert [(d.kind, d.seconds) for d in english_durations(tokens)] == [
        ("decade", 90),
        ("shot", 3),
        ("shot", 2),
    ]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("十五秒", 15),
        ("半分钟的视频", 30),
        ("一分半钟", 90),
        ("一分半", 90),
        ("3分半", 210),
        ("1分30秒", 90),
        ("一分三十秒", 90),
        ("两分钟", 120),
        ("90秒", 90),
        ("十秒钟", 10),
        ("半小时", 1800),
        ("二三十秒", 30),
        ("三十来秒", 30),
        ("一分多钟", 60),
        ("30秒到1分钟", 60),
        ("一分钟到一分半", 90),
    ],
)
def test_chinese_lengths(text: str, seconds: float) -> None:
    assert [span.seconds for span in chinese_durations(text)] == [seconds]


def test_very_is_not_ten_minutes() -> None:
    assert chinese_durations("十分浪漫") == []


def test_clock_times_and_ratios() -> None:
    assert (clock_seconds("0:30"), clock_seconds("1:30")) == (30, 90)
    assert clock_seconds("9:16") is None and clock_seconds("16:9") is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0:30", 30), ("1:30", 90), ("90s", 90), ("1 min 30 s", 90), ("一分半", 90), ("30", None),
     ("15 seconds, then 20 seconds", None), ("soon", None)],
)  # fmt: skip
def test_a_length_written_as_an_option(text: str, seconds: float | None) -> None:
    assert duration_in_words(text) == seconds
