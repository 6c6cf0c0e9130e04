from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from worker.backends.local import plan as plan_module
from worker.backends.local.plan import make_plan
from worker.job.spec import Aspect, JobOptions, JobSpec, Resolution
from worker.prompt.vocabulary import Mood, Pace, TransitionStyle
from worker.understanding.fields import MAX_DURATION_S


def plan_for(prompt: str, **options: object):
    return make_plan(prompt, JobOptions(**options), Settings())


def test_reels_promo_prompt() -> None:
    plan = plan_for(
        "15-second promo, smooth zoom transitions, fast pace, 9:16 for Reels, title 'Summer Sale'"
    )
    assert plan.duration_s == 15.0
    assert plan.aspect == Aspect.VERTICAL
    assert plan.size == (1080, 1920)
    assert plan.frame_count == 450
    assert plan.pace == Pace.FAST
    assert plan.transition == TransitionStyle.ZOOM
    assert plan.title == "Summer Sale"
    assert plan.music == Mood.UPBEAT


def test_chinese_prompt() -> None:
    plan = plan_for("做一个半分钟的竖屏视频，舒缓的音乐，淡入淡出，标题“周末旅行”")
    assert (plan.duration_s, plan.aspect, plan.title) == (30.0, Aspect.VERTICAL, "周末旅行")
    assert plan.music == Mood.CALM
    assert plan.fade_in and plan.fade_out


def test_defaults_when_nothing_is_said() -> None:
    plan = plan_for("")
    assert plan.duration_s == 15.0
    assert plan.aspect == Aspect.LANDSCAPE
    assert plan.resolution == Resolution.FULL_HD
    assert plan.size == (1920, 1080)
    assert plan.fps == 30
    assert plan.title is None
    assert plan.music is not None


def test_unknown_words_change_nothing_and_are_named_in_a_warning() -> None:
    plan = plan_for("flibbertigibbet quux 🎉 zzz, 20 seconds")
    assert plan.duration_s == 20.0
    assert plan.not_understood == ("flibbertigibbet quux", "zzz")
    assert plan.warnings == (
        "not understood (these words set nothing): 'flibbertigibbet quux', 'zzz'",
    )
    record = plan.to_record()
    assert record["not_understood"] == ["flibbertigibbet quux", "zzz"]
    assert record["sources"]["duration_s"] == {"from": "prompt", "words": "20 seconds"}
    assert record["sources"]["aspect"] == {"from": "default"}


def test_the_record_says_where_every_field_came_from() -> None:
    plan = plan_for("a fifteen second reel, hard cuts", title="Menu")
    sources = plan.to_record()["sources"]
    assert sources["duration_s"] == {"from": "prompt", "words": "fifteen second"}
    assert sources["aspect"] == {"from": "platform", "words": "Instagram Reels"}
    assert sources["transition"] == {"from": "prompt", "words": "hard cuts"}
    assert sources["title"] == {"from": "option"}
    assert sources["fps"] == {"from": "default"}
    assert (plan.aspect, plan.transition) == (Aspect.VERTICAL, TransitionStyle.CUT)


def test_no_text_keeps_the_prompts_words_off_screen_but_not_a_stated_title() -> None:
    silent = plan_for("promo for Fresh Roast Coffee, now only $12.50, no text")
    assert (silent.text, silent.words.name, silent.words.price) == (False, None, None)
    titled = plan_for("no text except the title: 48 Harbor View Road")
    assert titled.title == "48 Harbor View Road"
    spoken = plan_for("promo for Fresh Roast Coffee, now only $12.50")
    assert spoken.words.price is not None and spoken.words.price.text == "$12.50"


def test_explicit_options_win_over_the_prompt() -> None:
    plan = plan_for(
        "30 seconds, 9:16, 60fps, 720p, title 'From Prompt', lo-fi music",
        duration=6,
        aspect=Aspect.SQUARE,
        fps=24,
        resolution=Resolution.FULL_HD,
        title="From Options",
        music="calm",
    )
    assert (plan.duration_s, plan.aspect, plan.fps) == (6, Aspect.SQUARE, 24)
    assert plan.resolution == Resolution.FULL_HD
    assert (plan.title, plan.music) == ("From Options", "calm")


def test_prompt_beats_option_defaults_but_settings_are_the_fallback() -> None:
    assert plan_for("720p, 60 fps").resolution == Resolution.HD
    assert plan_for("720p, 60 fps").fps == 60
    assert make_plan("", JobOptions(), Settings(duration=9, fps=25)).duration_s == 9
    assert make_plan("", JobOptions(), Settings(duration=9, fps=25)).fps == 25


@pytest.mark.parametrize(
    ("aspect", "resolution", "size"),
    [
        (Aspect.VERTICAL, Resolution.FULL_HD, (1080, 1920)),
        (Aspect.LANDSCAPE, Resolution.FULL_HD, (1920, 1080)),
        (Aspect.SQUARE, Resolution.FULL_HD, (1080, 1080)),
        (Aspect.VERTICAL, Resolution.HD, (720, 1280)),
        (Aspect.LANDSCAPE, Resolution.HD, (1280, 720)),
        (Aspect.SQUARE, Resolution.HD, (720, 720)),
        (Aspect.PORTRAIT, Resolution.FULL_HD, (1080, 1350)),
        (Aspect.PORTRAIT_3_4, Resolution.FULL_HD, (1080, 1440)),
        (Aspect.PORTRAIT_2_3, Resolution.FULL_HD, (1080, 1620)),
        (Aspect.PORTRAIT, Resolution.HD, (720, 900)),
        (Aspect.LANDSCAPE, Resolution.UHD, (3840, 2160)),
    ],
)
def test_output_size_per_aspect(
    aspect: Aspect, resolution: Resolution, size: tuple[int, int]
) -> None:
    assert plan_for("", aspect=aspect, resolution=resolution).size == size


def test_music_can_be_silenced_or_a_file() -> None:
    assert plan_for("no music please").music is None
    assert plan_for("", music="song.mp3").music == "song.mp3"
    assert plan_for("quiet background music").music_volume < 1.0
    assert plan_for("upbeat, music at 40%").music_volume == pytest.approx(0.4)
    assert plan_for("背景音乐音量30%").music_volume == pytest.approx(0.3)
    assert plan_for("").music_volume == 1.0


def round_trip(options: JobOptions) -> JobOptions:
    """The options as a worker reads them: serialised for the queue, then parsed again."""
    return JobSpec.model_validate_json(
        JobSpec(id="j", photos=["/a.jpg"], options=options).model_dump_json()
    ).options


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("duration_s", 3.0),
        ("aspect", Aspect.VERTICAL),
        ("resolution", Resolution.HD),
        ("fps", 24),
        ("title", "Promo"),
        ("music", "upbeat"),
    ],
)
def test_prompt_still_wins_over_unset_options_after_the_queue(field: str, expected: object) -> None:
    prompt = "3-second clip in 720p at 24fps, 9:16, title 'Promo', upbeat music"
    plan = make_plan(prompt, round_trip(JobOptions()), Settings())
    assert getattr(plan, field) == expected


def test_set_options_still_win_after_the_queue() -> None:
    options = round_trip(JobOptions(resolution=Resolution.FULL_HD, fps=30))
    plan = make_plan("3-second clip in 720p at 24fps", options, Settings())
    assert (plan.resolution, plan.fps) == (Resolution.FULL_HD, 30)


@pytest.mark.parametrize(
    ("prompt", "asked"),
    [("a 10-hour video", 36000), ("a 1000000-second video", 1000000), ("2 hours", 7200)],
)
def test_over_long_duration_is_clamped_with_a_word(prompt: str, asked: int) -> None:
    plan = plan_for(prompt)
    assert plan.duration_s == MAX_DURATION_S
    assert plan.warnings == (
        f"duration {asked} s clamped to 600 s, the longest video photoreel makes",
    )
    assert plan.to_record()["warnings"] == list(plan.warnings)


def test_long_title_is_cut_at_a_word_boundary_with_a_warning() -> None:
    words = " ".join(f"word{index:03d}" for index in range(80))  # 639 characters
    plan = plan_for(f'title "{words}"')
    assert plan.title is not None and len(plan.title) <= 200
    assert words.startswith(plan.title) and words[len(plan.title)] == " "
    [warning] = plan.warnings
    assert warning.startswith("title cut from 639 to 199 characters (the limit is 200)")


def test_emoji_are_dropped_from_the_title_with_a_warning_without_an_emoji_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_module, "find_emoji_font", lambda: None)
    plan = plan_for("", title="Summer 🌞 Sale 🎉")
    assert plan.title == "Summer Sale"
    assert plan.warnings == (
        "emoji dropped from the title: no colour emoji font is installed (fonts-noto-color-emoji)",
    )
    assert plan_for("", title="Summer Sale").warnings == ()


def test_emoji_stay_in_the_title_with_an_emoji_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(plan_module, "find_emoji_font", lambda: tmp_path / "NotoColorEmoji.ttf")
    plan = plan_for("", title="Summer 🌞 Sale")
    assert (plan.title, plan.warnings) == ("Summer 🌞 Sale", ())
