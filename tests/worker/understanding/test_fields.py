"""Every field with its value and origin: option, prompt (and its words), platform, default."""

from __future__ import annotations

import pytest

from config.settings import Settings
from worker.job.spec import Aspect, JobOptions, Resolution
from worker.prompt.vocabulary import Mood, Origin, Pace, TransitionStyle
from worker.understanding.fields import Understanding, understand


def read(prompt: str, **options: object) -> Understanding:
    return understand(prompt, JobOptions(**options), Settings(duration=15, fps=30))


@pytest.mark.parametrize(
    ("prompt", "aspect", "origin", "words"),
    [
        ("a fifteen second reel", Aspect.VERTICAL, Origin.PLATFORM, "Instagram Reels"),
        ("for my Instagram feed", Aspect.PORTRAIT, Origin.PLATFORM, "Instagram feed"),
        ("小红书笔记视频", Aspect.PORTRAIT_3_4, Origin.PLATFORM, "小红书"),
        ("Pinterest pin video", Aspect.PORTRAIT_2_3, Origin.PLATFORM, "Pinterest"),
        ("for YouTube", Aspect.LANDSCAPE, Origin.PLATFORM, "YouTube"),
        ("抖音", Aspect.VERTICAL, Origin.PLATFORM, "抖音"),
        ("Reels but make it square", Aspect.SQUARE, Origin.PROMPT, "square"),
        ("TikTok but in 16:9", Aspect.LANDSCAPE, Origin.PROMPT, "16:9"),
        ("vertical, for 小红书", Aspect.PORTRAIT_3_4, Origin.PLATFORM, "小红书"),
        ("vertical, for YouTube", Aspect.VERTICAL, Origin.PROMPT, "vertical"),
        ("portrait 4x5 instagram", Aspect.PORTRAIT, Origin.PROMPT, "4x5"),
        ("a calm slideshow", Aspect.LANDSCAPE, Origin.DEFAULT, None),
    ],
)
def test_a_written_ratio_beats_a_shape_word_which_beats_a_platform(
    prompt: str, aspect: Aspect, origin: Origin, words: str | None
) -> None:
    asked = read(prompt)
    assert (asked.aspect.value, asked.aspect.origin, asked.aspect.words) == (aspect, origin, words)


def test_options_win_over_the_prompt_which_wins_over_the_settings() -> None:
    asked = read("30 seconds, 9:16, 60fps, 720p, title 'From Prompt'", duration=6, aspect="1:1")
    assert (asked.duration_s.value, asked.duration_s.origin) == (6, Origin.OPTION)
    assert (asked.aspect.value, asked.aspect.origin) == (Aspect.SQUARE, Origin.OPTION)
    assert (asked.fps.value, asked.fps.origin, asked.fps.words) == (60, Origin.PROMPT, "60fps")
    assert (asked.resolution.value, asked.resolution.origin) == (Resolution.HD, Origin.PROMPT)
    assert asked.title.value == "From Prompt"
    quiet = read("")
    assert (quiet.duration_s.value, quiet.duration_s.origin) == (15, Origin.DEFAULT)
    assert (quiet.fps.value, quiet.fps.origin) == (30, Origin.DEFAULT)


def test_defaults_follow_the_pace() -> None:
    fast = read("fast pace")
    assert (fast.transition.value, fast.transition.origin) == (TransitionStyle.ZOOM, Origin.DEFAULT)
    assert (fast.music.value, fast.fade_in.value) == (str(Mood.UPBEAT), False)
    slow = read("slow pace")
    assert (slow.transition.value, slow.music.value) == (TransitionStyle.DISSOLVE, str(Mood.CALM))
    assert slow.fade_in.value and slow.fade_out.value
    assert read("").pace.value == Pace.MEDIUM


def test_cut_on_the_beat_asks_for_hard_cuts_and_beat_sync() -> None:
    asked = read("cut on the beat")
    assert (asked.transition.value, asked.beat_sync.value) == (TransitionStyle.CUT, True)
    chinese = read("卡点，叠化")
    assert (chinese.transition.value, chinese.beat_sync.value) == (TransitionStyle.DISSOLVE, True)


def test_beat_sync_is_on_by_default_and_turned_off_by_words_or_the_option() -> None:
    assert (read("").beat_sync.value, read("").beat_sync.origin) == (True, Origin.DEFAULT)
    assert read("ignore the beat").beat_sync.value is False
    assert read("cut on the beat", beat_sync=False).beat_sync.value is False
    assert read("ignore the beat", beat_sync=True).beat_sync.origin == Origin.OPTION


def test_music_from_option_prompt_silence_or_pace() -> None:
    assert read("romantic music", music="song.mp3").music.value == "song.mp3"
    assert read("浪漫的音乐").music.value == "romantic"
    silent = read("romantic, no music")
    assert (silent.music.value, silent.music.origin, silent.music.words) == (
        None,
        Origin.PROMPT,
        "no music",
    )


@pytest.mark.parametrize(
    ("prompt", "music", "words"),
    [
        ("10 second reel, music: song.mp3, cut on the beat", "song.mp3", "song.mp3"),
        ("upbeat music: 'Summer Mix.wav', fast", "Summer Mix.wav", "'Summer Mix.wav'"),
        ("背景音乐：夏日.m4a，15秒", "夏日.m4a", "夏日.m4a"),
    ],
)
def test_a_music_file_the_prompt_names_is_the_music_and_no_title(
    prompt: str, music: str, words: str
) -> None:
    asked = read(prompt)
    assert (asked.music.value, asked.music.origin, asked.music.words) == (
        music,
        Origin.PROMPT,
        words,
    )
    assert asked.title.value is None
    assert asked.not_understood == ()
    assert read(prompt, music="calm").music.value == "calm"  # an option still wins


def test_what_cannot_be_made_as_asked_is_a_warning() -> None:
    asked = read("a 10-hour video at 120 fps in 4:3")
    assert asked.duration_s.value == 600
    assert asked.fps.value == 60
    assert asked.warnings == (
        "duration 36000 s clamped to 600 s, the longest video photoreel makes",
        "120 fps asked; made 60 fps (12 to 60)",
        "not made: 4:3 (photoreel makes 9:16, 16:9, 1:1, 4:5, 3:4, 2:3)",
    )


def test_stated_is_none_for_defaults_and_the_record_names_every_source() -> None:
    asked = read("for Reels, 4K, wedding")
    assert asked.stated("aspect") == Aspect.VERTICAL
    assert asked.stated("resolution") == Resolution.UHD
    assert asked.stated("fps") is None
    record = asked.to_record()
    assert record["aspect"] == "9:16" and record["resolution"] == "2160p"
    assert record["sources"]["aspect"] == {"from": "platform", "words": "Instagram Reels"}
    assert record["sources"]["resolution"] == {"from": "prompt", "words": "4K"}
    assert record["not_understood"] == ["wedding"]
    assert asked.not_understood_warning() == ["not understood (these words set nothing): 'wedding'"]
