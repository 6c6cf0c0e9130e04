from __future__ import annotations

import pytest

from worker.job.spec import JobOptions
from worker.job.styles import LogoPlacement
from worker.understanding.promo import (
    Source,
    cta_span,
    discount_between,
    name_span,
    parse_cta,
    parse_discount,
    parse_logo_placement,
    parse_name,
    parse_prices,
    read_words,
    word_spans,
)


@pytest.mark.parametrize(
    ("prompt", "price", "old_price"),
    [
        ("8-second promo for Fresh Roast Coffee, now only $12.50", "$12.50", None),
        ("was $15 now $12", "$12", "$15"),
        ("Regular price €40, now €29.99!", "€29.99", "€40"),
        ("£8 → £6 this week", "£6", "£8"),
        ("Only ¥1,280 today", "¥1,280", None),
        ("yours for 49 EUR", "49 EUR", None),
        ("USD 19.99 each", "USD 19.99", None),
        ("原价¥120 现价¥88", "¥88", "¥120"),
        ("只要99元", "99元", None),
        ("售价：￥59", "￥59", None),
    ],
)
def test_prices_as_people_write_them(prompt: str, price: str, old_price: str | None) -> None:
    assert parse_prices(prompt) == (price, old_price, False)


@pytest.mark.parametrize(
    "prompt",
    ["$10 or $20, whichever fits", "now $10, now $12", "was $15, was $18 now $12"],
)
def test_two_prices_without_a_telling_word_are_left_out(prompt: str) -> None:
    assert parse_prices(prompt) == (None, None, True)


@pytest.mark.parametrize(
    "prompt", ["8-second promo, 9:16 for Reels", "20% off", "30 seconds at 1080p, 60 fps", ""]
)
def test_durations_ratios_and_percentages_are_not_prices(prompt: str) -> None:
    assert parse_prices(prompt) == (None, None, False)


@pytest.mark.parametrize(
    ("prompt", "badge"),
    [
        ("20% off everything", "-20%"),
        ("save 30% today", "-30%"),
        ("now -15%", "-15%"),
        ("全场八折", "-20%"),
        ("7.5折", "-25%"),
        ("music at 40%", None),
        ("100% cotton", None),
    ],
)
def test_discount_badges(prompt: str, badge: str | None) -> None:
    assert parse_discount(prompt) == badge


def test_discount_between_prices_of_one_currency_only() -> None:
    assert discount_between("$12", "$15") == "-20%"
    assert discount_between("€12", "$15") is None
    assert discount_between("$15", "$12") is None


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("8-second promo for Fresh Roast Coffee, now only $12.50.", "Fresh Roast Coffee"),
        ("An ad for the Trail Runner 2 at $89", "Trail Runner 2"),
        ("promo video for Blue Mug - limited edition", "Blue Mug"),
        ("product: 新鲜烘焙咖啡，现价¥88", "新鲜烘焙咖啡"),
        ("商品：竹制砧板", "竹制砧板"),
        ("15-second promo for Reels, fast", None),
        ("a promo for TikTok with zoom transitions", None),
        ("Summer vibes, slow pace", None),
    ],
)
def test_product_names_unquoted(prompt: str, name: str | None) -> None:
    assert parse_name(prompt) == name


@pytest.mark.parametrize(
    ("prompt", "cta"),
    [
        ("End with 'Shop now'. 9:16", "Shop now"),
        ("end with “Order today”", "Order today"),
        ("close on Buy now, 9:16", "Buy now"),
        ("CTA: Visit our store", "Visit our store"),
        ("call to action is 'Tap to shop'", "Tap to shop"),
        ("以“立即购买”结尾", "立即购买"),
        ("结尾：马上抢购", "马上抢购"),
        ("end with a fade to black", None),
        ("end with the logo", None),
    ],
)
def test_calls_to_action(prompt: str, cta: str | None) -> None:
    assert parse_cta(prompt) == cta


def test_where_the_cta_prices_and_name_are_written() -> None:
    prompt = "promo. End with 'Shop now'. 9:16"
    start, end = cta_span(prompt) or (0, 0)
    assert "Shop now" in prompt[start:end] and "9:16" not in prompt[start:end]
    assert cta_span("a calm 9:16 reel") is None
    priced = "promo for Fresh Roast Coffee, now only $12.50"
    assert [priced[a:b] for a, b in word_spans(priced)] == ["$12.50"]
    start, end = name_span(priced) or (0, 0)
    assert priced[start:end] == "Fresh Roast Coffee"


@pytest.mark.parametrize(
    "prompt",
    [
        "I need a video for our cafe's Instagram Reels. About 20 seconds",
        "make me a 30 second video for pinterest showing the new mugs",
        "make a 30 second video for 抖音 with upbeat music",
    ],
)
def test_a_platform_is_not_a_product_name(prompt: str) -> None:
    assert parse_name(prompt) is None


@pytest.mark.parametrize(
    ("prompt", "placement"),
    [
        ("open with the logo", LogoPlacement.START),
        ("end on our logo", LogoPlacement.END),
        ("logo in the corner", LogoPlacement.CORNER),
        ("add a watermark", LogoPlacement.CORNER),
        ("no logo talk here", None),
    ],
)
def test_logo_placement(prompt: str, placement: LogoPlacement | None) -> None:
    assert parse_logo_placement(prompt) == placement


def test_options_beat_columns_beat_the_prompt() -> None:
    prompt = "promo for Prompt Name, now $5. End with 'Prompt CTA'"
    row = {"title": "Column Name", "price": "$7", "cta": "Column CTA"}
    words = read_words(prompt, JobOptions(price="$4"), row)
    assert words.name is not None and (words.name.text, words.name.source) == (
        "Column Name",
        Source.COLUMN,
    )
    assert words.price is not None and (words.price.text, words.price.source) == ("$4", "option")
    assert words.cta is not None and (words.cta.text, words.cta.source) == ("Column CTA", "column")
    only_prompt = read_words(prompt, JobOptions(), None)
    assert only_prompt.to_record()["name"] == {"text": "Prompt Name", "from": "prompt"}
    assert only_prompt.to_record()["price"] == {"text": "$5", "from": "prompt"}


def test_a_sale_price_column_strikes_the_regular_price() -> None:
    words = read_words("", JobOptions(), {"title": "Mug", "price": "$15", "sale_price": "$12"})
    record = words.to_record()
    assert record["price"]["text"] == "$12" and record["old_price"]["text"] == "$15"
    assert record["discount"] == {"text": "-20%", "from": "column"}


def test_an_option_title_of_a_priced_job_is_the_product_name() -> None:
    words = read_words("", JobOptions(title="Fresh Roast", price="$9"), None)
    assert words.name is not None and words.name.text == "Fresh Roast" and words.title is None
    plain = read_words("", JobOptions(title="Summer Sale"), None)
    assert plain.title is not None and plain.name is None


def test_ambiguous_prices_are_reported_and_not_shown() -> None:
    record = read_words("promo for Mug, $10 and $20", JobOptions(), None).to_record()
    assert "price" not in record and record["ambiguous"] == ["price"]


def test_captions_by_option_or_column() -> None:
    words = read_words("", JobOptions(captions=["One", "Two"]), {"captions": "A|B"})
    assert [word.text for word in words.captions] == ["One", "Two"]
    from_column = read_words("", JobOptions(), {"captions": "A | B"})
    assert [(word.text, word.source) for word in from_column.captions] == [
        ("A", Source.COLUMN),
        ("B", Source.COLUMN),
    ]
