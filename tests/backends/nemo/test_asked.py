"""The plan stated to the cloud agent: what the options and the prompt asked, nothing else."""

from __future__ import annotations

from config.settings import Settings
from worker.backends.nemo.asked import plan_sentences
from worker.job.spec import JobOptions
from worker.understanding.fields import understand


def sentences(prompt: str, **options: object) -> list[str]:
    return plan_sentences(understand(prompt, JobOptions(**options), Settings()))


def test_what_the_prompt_asked_is_stated_and_its_platform_named() -> None:
    assert sentences("a fifteen second reel, hard cuts, slow zoom in, no music, 4K") == [
        "Length: 15 seconds.",
        "Aspect ratio: 9:16 (Instagram Reels).",
        "Resolution: 2160p.",
        "Pace: slow.",
        "Transitions: hard cuts, no transition effects.",
        "Camera motion: a slow zoom in on each photo.",
        "No music.",
    ]


def test_chinese_prompt_and_options_together() -> None:
    assert sentences("小红书，卡点，浪漫的音乐，不要文字，淡入", title="秋日", duration=12) == [
        "Length: 12 seconds.",
        "Aspect ratio: 3:4 (小红书).",
        'Title: "秋日".',
        "Transitions: hard cuts, no transition effects.",
        "Cut on the beat of the music.",
        "Fade in from black at the start.",
        "No text on screen.",
        "Background music: romantic.",
    ]


def test_defaults_are_left_to_the_agent() -> None:
    assert sentences("") == []
    assert sentences("a wedding slideshow") == []
    assert sentences("music at 30%, no fade out") == ["No fade out.", "Music volume: 30%."]
