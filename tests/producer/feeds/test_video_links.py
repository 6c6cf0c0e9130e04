"""The address a written-back feed gives each video, and the outputs that have none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from producer.feeds.video_links import LinkError, check_public_url, video_links
from worker.files.bucket import open_bucket


def test_the_public_url_stands_for_the_bucket_and_keys_are_percent_encoded(
    tmp_path: Path,
) -> None:
    links = video_links(str(tmp_path), "https://cdn.example/reels", None)
    assert links.url("AUR-TRAIL/video.mp4") == "https://cdn.example/reels/AUR-TRAIL/video.mp4"
    assert links.url("a,b c/video.mp4") == "https://cdn.example/reels/a%2Cb%20c/video.mp4"
    assert links.describe() == "links under https://cdn.example/reels/"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("cdn.example/reels/", "an http"),
        ("file:///srv/reels/", "an http"),
        ("https://cdn.example/reels/?v=1", "no \\?query"),
        ("https://cdn.example/réels/", "ASCII only"),
    ],
)
def test_a_public_url_that_is_no_web_address_is_refused(url: str, why: str) -> None:
    with pytest.raises(LinkError, match=why):
        check_public_url(url)


def test_a_folder_output_without_a_public_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="no platform can fetch from: give --public-url"):
        video_links(str(tmp_path), None, None)


def test_an_s3_output_without_a_public_url_needs_presign_days(s3_out: str) -> None:
    with pytest.raises(LinkError, match="--presign-days N"):
        video_links(s3_out, None, None)
    with pytest.raises(LinkError, match="1 to 7"):
        video_links(s3_out, None, 30)
    with pytest.raises(LinkError, match="give one of them"):
        video_links(s3_out, "https://cdn.example/", 2)


def test_presigned_links_fetch_the_video_until_they_expire(s3_out: str) -> None:
    bucket = open_bucket(s3_out)
    bucket.put_bytes("mug/video.mp4", b"not really a video")
    links = video_links(s3_out, None, 2)
    url = links.url("mug/video.mp4")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["172800"]
    assert httpx.get(url).content == b"not really a video"
    now = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    assert links.describe(now) == "presigned links, valid 2 day(s): until 2025-03-03 06:00 UTC"
