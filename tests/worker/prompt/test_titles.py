from __future__ import annotations

import pytest

from worker.prompt.titles import find_title


def title(prompt: str) -> str | None:
    found = find_title(prompt, None, lambda text: text)
    return found.text if found else None


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("15-second promo, title 'Summer Sale'", "Summer Sale"),
        ('titled "Grand Opening"', "Grand Opening"),
        ("title: Weekend Trip, fast pace", "Weekend Trip"),
        ("Title: Anna & Ben.", "Anna & Ben"),
        ("a wedding video called Forever Starts Today, 3 min", "Forever Starts Today"),
        ("a reel named Sunday Brunch, 15 seconds", "Sunday Brunch"),
        ("title JUST LISTED", "JUST LISTED"),
        ("as the title: 48 Harbor View Road.", "48 Harbor View Road"),
        ('named "2024: A Year of Growth"', "2024: A Year of Growth"),
        ('a title card that says "Fresh Every Morning"', "Fresh Every Morning"),
        ("Make a 20 sec IG reel with text: Grand Opening", "Grand Opening"),
        ("add a title card: Welcome Home", "Welcome Home"),
        ("标题写着夏日限定，竖屏", "夏日限定"),
        ("标题：夏日促销，快节奏", "夏日促销"),
        ("标题为“新品上市”", "新品上市"),
        ("标题是春日限定，小红书", "春日限定"),
        ("标题叫豆豆的一天", "豆豆的一天"),
        ("做一个叫《我们的夏天》的相册视频", "我们的夏天"),
        ("it's a promo for 'Café Luna'", "Café Luna"),
        ("the title should be Summer Sale, 15 seconds", "Summer Sale"),
        ("add a title that says Thank You Teachers, 45 seconds", "Thank You Teachers"),
        ("with text saying Grand Opening", "Grand Opening"),
        ("title - Summer Nights", "Summer Nights"),
        ("the title should say Happy Holidays, 20s", "Happy Holidays"),
        ("封面文字：新品上市", "新品上市"),
        ("字幕写着欢迎光临", "欢迎光临"),
        ("无字幕无音乐", None),
        ("no title - just photos", None),
        ("title: Holiday Hours - Open Till 9", "Holiday Hours - Open Till 9"),
        ("make a vid called summer vibes, 15s", "summer vibes"),
        ("a slideshow named after our dog, Biscuit", None),
        ("a so-called highlight reel", None),
        ("Title = Grand Opening", "Grand Opening"),
        ("a video titled «Grand Opening»", "Grand Opening"),
        ("call the video Autumn Leaves", "Autumn Leaves"),
        ("title should read: Welcome Home", "Welcome Home"),
        ("标题用 Happy New Year", "Happy New Year"),
        ("no title please", None),
        ("title: none", None),
        ("a title card at the end", None),
        ("don't add anything, it's fine", None),
        ("'one' and 'two'", None),
    ],
)
def test_titles_as_people_ask_for_them(prompt: str, expected: str | None) -> None:
    assert title(prompt) == expected


def test_the_cta_is_not_a_title_and_a_bare_title_is_trimmed() -> None:
    prompt = "promo, end with 'Shop now'"
    assert find_title(prompt, (7, len(prompt)), lambda text: text) is None
    found = find_title("called Summer Vibes for TikTok", None, lambda text: text[:12])
    assert found is not None and found.text == "Summer Vibes"
