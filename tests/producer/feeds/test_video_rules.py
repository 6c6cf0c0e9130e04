"""Each platform's video rules against real files, probed as the worker probes its outputs."""

from __future__ import annotations

import pytest

from producer.feeds.model import FeedFormat
from producer.feeds.video_rules import RULES, broken_rules
from tests.conftest import make_video
from worker.media.ffmpeg import run_ffmpeg
from worker.media.probe import probe_video

GOOGLE, META, TIKTOK, SHOPIFY = (
    RULES[FeedFormat.MERCHANT], RULES[FeedFormat.META], RULES[FeedFormat.TIKTOK],
    RULES[FeedFormat.SHOPIFY],
)  # fmt: skip


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Probes of a few small videos: a 6-second 9:16 reel at 720p, a 4-second 4:5 feed
    video, a silent 16:9 clip, and a WebM (VP9, no sound)."""
    folder = tmp_path_factory.mktemp("videos")
    reel = make_video(folder / "reel.mp4", seconds=6, size="720x1280", fps=10)
    feed = make_video(folder / "feed.mp4", seconds=4, size="432x540", fps=10)
    silent, webm = folder / "silent.mp4", folder / "clip.webm"
    source = ["-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=10:duration=6"]
    run_ffmpeg([*source, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", silent])
    run_ffmpeg([*source, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", webm])
    return {
        name: probe_video(path).model_dump()
        for name, path in (("reel", reel), ("feed", feed), ("silent", silent), ("webm", webm))
    }


def test_a_six_second_vertical_reel_with_sound_suits_every_platform(
    videos: dict[str, dict[str, object]],
) -> None:
    for rules in (GOOGLE, META, TIKTOK, SHOPIFY):
        assert broken_rules(videos["reel"], rules) == [], rules.platform


def test_a_four_second_4_5_video_is_too_short_and_not_an_aspect_google_or_tiktok_take(
    videos: dict[str, dict[str, object]],
) -> None:
    assert broken_rules(videos["feed"], GOOGLE) == [
        "duration 4.0 s: Google Merchant Center takes 6–240 s",
        "aspect 432×540: Google Merchant Center takes 9:16, 16:9, 1:1",
    ]
    assert broken_rules(videos["feed"], TIKTOK) == [
        "duration 4.0 s: TikTok takes 5–60 s",
        "aspect 432×540: TikTok takes 9:16, 1:1, 16:9",
    ]
    assert broken_rules(videos["feed"], META) == []  # Meta sets no length or aspect


def test_tiktok_needs_sound_and_its_smallest_size(videos: dict[str, dict[str, object]]) -> None:
    assert broken_rules(videos["silent"], TIKTOK) == [
        "no audio: TikTok needs a sound track",
        "640×360: TikTok takes 16:9 from 960×540",
    ]
    assert broken_rules(videos["silent"], META) == []  # sound is optional on Meta
    assert broken_rules(videos["silent"], GOOGLE) == []


def test_a_webm_is_no_container_the_platforms_take(videos: dict[str, dict[str, object]]) -> None:
    assert broken_rules(videos["webm"], META) == [
        "container WEBM: Meta takes MP4, MOV, MKV",
        "video codec vp9: Meta takes H.264",
    ]
    assert broken_rules(videos["webm"], GOOGLE)[0] == (
        "container WEBM: Google Merchant Center takes MP4, MOV"
    )


def test_a_video_over_a_platforms_size_is_left_out(videos: dict[str, dict[str, object]]) -> None:
    big = {**videos["reel"], "size": 250_000_000}
    assert broken_rules(big, META) == ["size 250.0 MB: Meta takes at most 200 MB"]
    assert broken_rules(big, TIKTOK) == [] and broken_rules(big, GOOGLE) == []
    long = {**videos["reel"], "duration": 900.0}
    assert broken_rules(long, SHOPIFY) == ["duration 900.0 s: Shopify takes at most 600 s"]


def test_every_limit_names_its_source() -> None:
    for rules in RULES.values():
        assert rules.sources and all(url.startswith("https://") for url in rules.sources.values())
