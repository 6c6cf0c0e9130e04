"""Reading a prompt: word boundaries, negation scopes, phrases beside each other, Stories, the
words that set nothing and the asks photoreel cannot make."""

from __future__ import annotations

from typing import Any

import pytest

from worker.prompt.platforms import INSTAGRAM, STORIES
from worker.prompt.vocabulary import SILENCE, Mood, MotionStyle, Pace, TransitionStyle
from worker.understanding.reading import read_prompt


def asked(prompt: str, field: str) -> Any:
    finding = read_prompt(prompt).best(field)
    return finding.value if finding else None


@pytest.mark.parametrize(
    ("prompt", "field", "value"),
    [
        ("wedding slideshow, gentle pia-no music", "music", Mood.CALM),
        ("wedding slideshow with slow dissolves", "transition", TransitionStyle.DISSOLVE),
        ("a breakfast menu promo", "pace", None),
        ("a slideshow of the kids", "transition", None),
        ("the tiktoker's favourite cafe", "platform", None),
        ("Snowfall over the lake", "pace", None),
    ],
)
def test_words_are_read_whole_not_inside_other_words(prompt: str, field: str, value: Any) -> None:
    assert asked(prompt, field) == value


@pytest.mark.parametrize(
    ("prompt", "field", "value"),
    [
        ("no music please", "music", SILENCE),
        ("without music, just the photos", "music", SILENCE),
        ("don't add any music or text", "text", False),
        ("no transitions, just cuts", "transition", TransitionStyle.CUT),
        ("no zoom", "motion", MotionStyle.STATIC),
        ("not too fast", "pace", Pace.MEDIUM),
        ("I don't want it too slow", "pace", Pace.MEDIUM),
        ("no fade in please, but fade out at the end", "fade_in", False),
        ("no fade in please, but fade out at the end", "fade_out", True),
        ("no music and fast pace", "pace", Pace.FAST),
        ("no slide transitions please, dissolves instead", "transition", TransitionStyle.DISSOLVE),
        ("piano, no drums", "music", Mood.CALM),
        ("不要音乐", "music", SILENCE),
        ("不要太快", "pace", Pace.MEDIUM),
        ("不要淡入淡出", "fade_out", False),
        ("无字幕", "text", False),
        ("ignore the beat", "beat_sync", False),
        ("music: none, 30s", "music", SILENCE),
        ("transitions: none", "transition", TransitionStyle.CUT),
        ("音乐：无", "music", SILENCE),
        ("sound: off", "music", SILENCE),
    ],
)
def test_a_negation_reaches_to_the_end_of_its_clause(prompt: str, field: str, value: Any) -> None:
    assert asked(prompt, field) == value


def test_a_negated_platform_is_dropped_and_its_words_start_at_the_negation() -> None:
    reading = read_prompt("for Instagram - the feed, not reels")
    assert {f.value for f in reading.findings if f.field == "platform"} == {INSTAGRAM}
    silence = read_prompt("please no music at all").best("music")
    assert silence is not None and silence.words == "no music"


@pytest.mark.parametrize(
    ("prompt", "field", "value"),
    [
        ("calm music", "pace", None),
        ("a calm slideshow", "pace", Pace.SLOW),
        ("舒缓的音乐", "pace", None),
        ("soft cross-dissolve transitions", "music", None),
        ("upbeat hard cuts", "music", Mood.UPBEAT),
        ("欢快 zoom in", "music", Mood.UPBEAT),
        ("acoustic guitar - ken burns", "music", Mood.CALM),
        ("slow zoom outs", "motion", MotionStyle.ZOOM_OUT),
        ("family portraits", "shape", None),
        ("tiktk vid fst pace", "pace", Pace.FAST),
        ("transitions: zoom", "transition", TransitionStyle.ZOOM),
        ("transition - cut", "transition", TransitionStyle.CUT),
        ("transitions: zoom", "motion", None),
        ("15s ✨ soft piano ✨ slow fades", "music", Mood.CALM),
        ("music-free, dissolves", "music", SILENCE),
        ("tropical house music", "music", Mood.UPBEAT),
        ("house tour", "music", None),
        ("landscape photography portfolio, vertical", "shape", "portrait"),
        ("photos from our Times Square trip", "shape", None),
        ("grand piano", "music", Mood.CALM),
        ("fade in between each photo", "transition", TransitionStyle.DISSOLVE),
        ("fade in between each photo", "fade_in", None),
        ("zoom-out transitions", "transition", TransitionStyle.ZOOM),
        ("zoom-out transitions", "motion", None),
        ("转场要丝滑", "transition", TransitionStyle.DISSOLVE),
        ("固定镜头", "motion", MotionStyle.STATIC),
        ("our grand opening, fun and upbeat", "music", Mood.UPBEAT),
        ("slow music, fast cuts", "pace", Pace.FAST),
        ("slow music, fast cuts", "music", Mood.CALM),
        ("the music should be quiet", "music_volume", 0.5),
        ("soft romantic music", "music", Mood.ROMANTIC),
        ("温暖治愈的音乐", "music", Mood.ROMANTIC),
        ("romantic, upbeat music", "music", Mood.UPBEAT),
        ("upbeat piano", "music", Mood.UPBEAT),
        ("piano", "music", Mood.CALM),
        ("music: calm", "pace", None),
        ("背景音乐轻柔", "pace", None),
        ("with a fade at the end", "fade_out", True),
    ],
)
def test_phrases_side_by_side(prompt: str, field: str, value: Any) -> None:
    assert asked(prompt, field) == value


@pytest.mark.parametrize(
    ("prompt", "story"),
    [
        ("for my story", True),
        ("story for IG, 10 seconds", True),
        ("Instagram story", True),
        ("our love story", False),
        ("tell the story of our trip", False),
    ],
)
def test_a_story_is_stories_only_when_whose_is_said(prompt: str, story: bool) -> None:
    assert (asked(prompt, "platform") == STORIES) is story


def test_the_words_that_set_nothing_are_listed_in_order_once() -> None:
    reading = read_prompt("a wedding slideshow of our trip to Porto, 20 seconds, wedding vibes")
    assert reading.not_understood == ("wedding", "trip", "Porto")
    assert read_prompt("婚礼照片做成视频，三分钟，浪漫的音乐").not_understood == ("婚礼",)
    assert read_prompt("宝宝成长记录，1分钟").not_understood == ("宝宝成长",)
    assert read_prompt("promo for Fresh Roast Coffee, now only $12.50").not_understood == ()


def test_what_photoreel_cannot_make_is_named_not_guessed() -> None:
    reading = read_prompt("a 4:3 slideshow with 80s music, 3 seconds per photo, 1440p")
    assert reading.unsupported == (
        "80s (a decade)",
        "3 seconds per photo (shot lengths follow the pace)",
        "4:3 (photoreel makes 9:16, 16:9, 1:1, 4:5, 3:4, 2:3)",
        "1440p (photoreel renders 720p, 1080p or 2160p)",
    )
    assert reading.best("ratio") is None and reading.best("duration") is None


@pytest.mark.parametrize(
    ("prompt", "field", "value"),
    [
        ("15 secnd video, zoom transitons", "transition", TransitionStyle.ZOOM),
        ("15 secnd video", "duration", 15.0),
        ("verticle video for tik tok", "shape", "portrait"),
        ("romantik music, 3 minuts", "duration", 180.0),
        ("a promo for our store", "platform", None),
        ("hardcuts", "transition", TransitionStyle.CUT),
    ],
)
def test_typos_of_known_words_are_read_as_those_words(prompt: str, field: str, value: Any) -> None:
    assert asked(prompt, field) == value


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("title: Summer Sale - 15 seconds - vertical", "Summer Sale"),
        ("title: Mis XV Años - Sofía", "Mis XV Años - Sofía"),
        ("with the title Aloha 2025 at the beginning!!", "Aloha 2025"),
        ("put the title Summer Vibes on the first slide", "Summer Vibes"),
        ("make a vid called summer vibes 15s upbeat", "summer vibes"),
        ("title: Top 10 Tips, 30s", "Top 10 Tips"),
    ],
)
def test_a_bare_title_ends_where_the_prompt_asks_for_something_else(
    prompt: str, title: str
) -> None:
    assert asked(prompt, "title") == title
