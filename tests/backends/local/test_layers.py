from __future__ import annotations

from typing import Any

import pytest

from config.settings import Settings
from worker.backends.local.layers import READ_MS_BASE, Span, reading_ms, text_track
from worker.backends.local.plan import make_plan
from worker.job.spec import JobOptions
from worker.job.styles import Template


def layers(prompt: str, options: JobOptions, fields: dict[str, Any] | None = None) -> list[dict]:
    plan = make_plan(prompt, options, Settings(), fields)
    duration = round(plan.duration_s * 1000)
    shots = [Span(0, duration // 2), Span(duration // 2, duration)]
    track = text_track(plan, duration, shots)
    return [] if track is None else [{**s.m, "d": s.d} for s in track.sg]


def by_role(items: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in items:
        found.setdefault(item["role"], []).append(item)
    return found


def test_reading_time_is_a_third_of_a_second_a_word_plus_one() -> None:
    assert reading_ms("Shop now") == READ_MS_BASE + 600
    assert reading_ms("立即购买") == READ_MS_BASE + 600


def test_the_issue_prompt_shows_name_and_price_and_ends_on_the_cta() -> None:
    prompt = "8-second promo for Fresh Roast Coffee, now only $12.50. End with 'Shop now'. 9:16"
    roles = by_role(layers(prompt, JobOptions()))
    assert [item["text"] for item in roles["name"]] == ["Fresh Roast Coffee"]
    assert {item["text"] for item in roles["price"]} == {"$12.50"}
    (cta,) = roles["cta"]
    assert cta["text"] == "Shop now"
    assert cta["start"] + cta["d"] == 8000  # closes the video
    assert cta["start"] >= roles["name"][0]["start"] + roles["name"][0]["d"]
    assert "title" not in roles  # "Shop now" is not an opening title any more
    assert roles["end_card"][0]["text"] == "Fresh Roast Coffee"


def test_every_text_stays_at_least_its_reading_time() -> None:
    items = layers(
        "15-second promo for Trail Runner Two Hiking Boots, was $150 now $120. End with 'Shop now'",
        JobOptions(),
    )
    for item in items:
        if item["text"]:
            assert item["d"] >= reading_ms(item["text"]), item


def test_a_title_only_video_keeps_its_lower_third_title() -> None:
    roles = by_role(layers("10-second video, title 'Summer Sale'", JobOptions()))
    (title,) = roles["title"]
    assert title["text"] == "Summer Sale" and title["position"] == "lower"
    assert set(roles) == {"title"}


def test_sale_row_gets_struck_price_and_badge() -> None:
    fields = {"title": "Mug", "price": "$15", "sale_price": "$12"}
    roles = by_role(layers("6-second promo", JobOptions(), fields))
    assert roles["old_price"][0]["text"] == "$15" and roles["badge"][0]["text"] == "-20%"


def test_logo_in_the_corner_for_the_whole_video() -> None:
    roles = by_role(layers("6 seconds", JobOptions(logo="/x/logo.png")))
    (logo,) = roles["logo"]
    assert logo["position"] == "corner" and logo["start"] == 0 and logo["d"] == 6000
    assert logo["image"] == "/x/logo.png"


def test_open_with_the_logo() -> None:
    roles = by_role(layers("6 seconds, open with the logo", JobOptions(logo="/x/logo.png")))
    (logo,) = roles["logo"]
    assert logo["position"] == "middle" and logo["start"] == 0 and logo["d"] < 3000


def test_captions_follow_their_shots() -> None:
    roles = by_role(layers("8 seconds", JobOptions(captions=["Roasted", "Brewed"])))
    first, second = roles["caption"]
    assert (first["text"], second["text"]) == ("Roasted", "Brewed")
    assert first["start"] < 4000 <= second["start"]


def test_template_layers_fill_merge_fields_and_drop_empty_ones() -> None:
    template = Template.model_validate(
        {
            "name": "promo",
            "style": "bold",
            "layers": [
                {"role": "name", "text": "{title} · {origin}"},
                {"role": "old_price", "text": "{old_price}"},
                {"role": "price", "text": "{price}", "start": 1},
                {"role": "cta", "text": "Shop {title}", "start": -2},
            ],
        }
    )
    fields = {"title": "Mug", "price": "$9", "origin": "Kenya"}
    items = layers("6 seconds", JobOptions(template=template), fields)
    roles = by_role(items)
    assert roles["name"][0]["text"] == "Mug · Kenya"
    assert "old_price" not in roles  # no sale price in this row
    assert roles["price"][0]["start"] == 1000
    assert roles["cta"][0]["start"] == 4000 and roles["cta"][0]["style"]["preset"] == "bold"


@pytest.mark.parametrize("style", ["clean", "bold", "minimal"])
def test_named_styles_reach_every_layer(style: str) -> None:
    items = layers("6-second promo for Mug at $9", JobOptions(template=style))
    assert items and {item["style"]["preset"] for item in items} == {style}


def test_a_chinese_prompt_gives_name_prices_badge_and_cta() -> None:
    prompt = "8秒抖音促销视频，商品：新鲜烘焙咖啡，原价¥120 现价¥88，以“立即购买”结尾"
    roles = by_role(layers(prompt, JobOptions()))
    assert roles["name"][0]["text"] == "新鲜烘焙咖啡"
    assert roles["old_price"][0]["text"] == "¥120"
    assert {item["text"] for item in roles["price"]} == {"¥88"}
    assert roles["badge"][0]["text"] == "-27%"
    assert roles["cta"][0]["text"] == "立即购买"
    assert roles["name"][0]["style"]["aspect"] == "9:16"


def test_on_the_beat_the_title_and_end_card_start_on_bar_lines() -> None:
    plan = make_plan(
        "title 'Summer Sale', ends with 'Shop now'", JobOptions(duration=10), Settings()
    )
    bar_lines = [300, 2300, 4300, 6300, 8300]
    track = text_track(plan, 10_000, [Span(0, 10_000)], bar_lines)
    assert track is not None
    starts = {s.m["role"]: s.m["start"] for s in track.sg}
    assert starts["title"] == 300 and starts["cta"] in bar_lines
