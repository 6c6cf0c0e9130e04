"""What each platform takes as a product video, checked before a product's row gets its link.

A platform that is handed a video it cannot use drops it (or the whole item) later, out of
sight; checked here, the product is left without a link and the summary says which rule it
broke. Every limit is read from the video's report (``output.probe``: what the file really
is, read back with ffmpeg) and comes from the platform's own page:

- Google Merchant Center ``video_link``: MP4 or MOV [G]; 6–240 s [G]; at most 500 MB [G];
  9:16, 16:9 or 1:1 [GA].
- Meta catalog ``video[0].url``: MP4, MOV, MKV … [M]; H.264 video and AAC audio (sound is
  optional) [MA]; any length [M]; at most 200 MB [M].
- TikTok catalog ``video_link``: MP4 [T]; a sound track [TA]; 5–60 s [TA]; at most 500 MB
  [TA]; 9:16 from 540×960, 1:1 from 640×640 or 16:9 from 960×540 [TA].
- Shopify product media: MP4 or MOV [S]; at most 10 minutes [S] and 1 GB [S].

Sources:

- [G] https://support.google.com/merchants/answer/15216925 (Video link [video_link]: supported
  file formats .MPG, .MP4, .WMV, .AVI, .MOV, .FLV; length 6 to 240 seconds; at most 500 MB)
- [GA] the aspect ratios of the same page's requirements, as listed by
  https://www.shopshot.top/blog/google-merchant-center-video-link-checklist
- [M] https://developers.facebook.com/docs/marketing-api/advantage-catalog-ads/dynamic-media
  (each video at most 200 MB, no length restriction; its list of formats has mp4, mov, mkv
  and no webm)
- [MA] https://www.facebook.com/business/ads-guide/video (H.264 compression, stereo AAC audio)
- [T] https://ads.tiktok.com/help/article/catalog-product-parameters (``video_link``: a link to
  an MP4 product video, for Video Shopping Ads)
- [TA] https://ads.tiktok.com/help/article/video-ads-specifications (in-feed ads: 9:16, 1:1 or
  16:9 at least 540×960, 640×640 or 960×540; 5–60 s; within 500 MB; audio required)
- [S] https://help.shopify.com/en/manual/products/product-media/product-media-types (videos:
  MP4 or MOV, up to 1 GB and 10 minutes)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from producer.feeds.model import FeedFormat

MB = 1000 * 1000
ASPECT_TOLERANCE = 0.02
"""How far a video's width/height may be from an aspect ratio and still be it (a 1080×1920
render is exactly 9:16; an encoder's even-pixel rounding is within 2%)."""
GOOGLE = "https://support.google.com/merchants/answer/15216925"
GOOGLE_ASPECT = "https://www.shopshot.top/blog/google-merchant-center-video-link-checklist"
META = "https://developers.facebook.com/docs/marketing-api/advantage-catalog-ads/dynamic-media"
META_ADS = "https://www.facebook.com/business/ads-guide/video"
TIKTOK = "https://ads.tiktok.com/help/article/catalog-product-parameters"
TIKTOK_ADS = "https://ads.tiktok.com/help/article/video-ads-specifications"
SHOPIFY = "https://help.shopify.com/en/manual/products/product-media/product-media-types"


@dataclass(frozen=True)
class VideoRules:
    """One platform's limits; an empty or None limit is one the platform does not set."""

    platform: str
    containers: tuple[str, ...]
    video_codecs: tuple[str, ...] = ()
    audio_codecs: tuple[str, ...] = ()
    """The codecs a sound track may have (a video without one is checked by
    ``audio_required``)."""
    audio_required: bool = False
    seconds: tuple[float, float | None] | None = None
    max_bytes: int | None = None
    aspects: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Aspect ratio (``9:16``) → the smallest width and height the platform takes in it."""
    sources: dict[str, str] = field(default_factory=dict)
    """Limit → the page that sets it."""


RULES: dict[FeedFormat, VideoRules] = {
    FeedFormat.MERCHANT: VideoRules(
        platform="Google Merchant Center",
        containers=("mp4", "mov"),
        seconds=(6, 240),
        max_bytes=500 * MB,
        aspects={"9:16": (0, 0), "16:9": (0, 0), "1:1": (0, 0)},
        sources={
            "container": GOOGLE, "duration": GOOGLE, "size": GOOGLE, "aspect": GOOGLE_ASPECT,
        },
    ),
    FeedFormat.META: VideoRules(
        platform="Meta",
        containers=("mp4", "mov", "mkv"),
        video_codecs=("h264",),
        audio_codecs=("aac",),
        max_bytes=200 * MB,
        sources={"container": META, "size": META, "codec": META_ADS},
    ),
    FeedFormat.TIKTOK: VideoRules(
        platform="TikTok",
        containers=("mp4",),
        audio_required=True,
        seconds=(5, 60),
        max_bytes=500 * MB,
        aspects={"9:16": (540, 960), "1:1": (640, 640), "16:9": (960, 540)},
        sources={
            "container": TIKTOK, "audio": TIKTOK_ADS, "duration": TIKTOK_ADS,
            "size": TIKTOK_ADS, "aspect": TIKTOK_ADS,
        },
    ),
    FeedFormat.SHOPIFY: VideoRules(
        platform="Shopify",
        containers=("mp4", "mov"),
        seconds=(0, 600),
        max_bytes=1000 * MB,
        sources={"container": SHOPIFY, "duration": SHOPIFY, "size": SHOPIFY},
    ),
}  # fmt: skip
"""The rules of the platform a feed's format is uploaded to; our own format has none."""


def broken_rules(probe: dict[str, Any], rules: VideoRules) -> list[str]:
    """Each rule of ``rules`` the video described by ``probe`` (a report's ``output.probe``)
    breaks, in words: ``duration 4.0 s: TikTok takes 5–60 s``."""
    platform = rules.platform
    broken: list[str] = []
    container = str(probe.get("container", ""))
    if container not in rules.containers:
        shown = ", ".join(name.upper() for name in rules.containers)
        broken.append(f"container {container.upper() or '?'}: {platform} takes {shown}")
    video_codec = str(probe.get("video_codec", ""))
    if rules.video_codecs and video_codec not in rules.video_codecs:
        broken.append(f"video codec {video_codec}: {platform} takes {_names(rules.video_codecs)}")
    audio = probe.get("audio_codec")
    if audio is None and rules.audio_required:
        broken.append(f"no audio: {platform} needs a sound track")
    elif audio is not None and rules.audio_codecs and audio not in rules.audio_codecs:
        broken.append(f"audio codec {audio}: {platform} takes {_names(rules.audio_codecs)}")
    broken.extend(_duration(float(probe.get("duration", 0.0)), rules))
    size = int(probe.get("size", 0))
    if rules.max_bytes is not None and size > rules.max_bytes:
        broken.append(
            f"size {size / MB:.1f} MB: {platform} takes at most {rules.max_bytes // MB} MB"
        )
    if rules.aspects:
        broken.extend(_aspect(int(probe.get("width", 0)), int(probe.get("height", 0)), rules))
    return broken


def _names(codecs: tuple[str, ...]) -> str:
    return " or ".join("H.264" if codec == "h264" else codec.upper() for codec in codecs)


def _duration(seconds: float, rules: VideoRules) -> list[str]:
    if rules.seconds is None:
        return []
    shortest, longest = rules.seconds
    if seconds < shortest or (longest is not None and seconds > longest):
        allowed = f"{shortest:g}–{longest:g} s" if shortest else f"at most {longest:g} s"
        return [f"duration {seconds:.1f} s: {rules.platform} takes {allowed}"]
    return []


def _aspect(width: int, height: int, rules: VideoRules) -> list[str]:
    shown = ", ".join(rules.aspects)
    if width <= 0 or height <= 0:
        return [f"size {width}×{height}: {rules.platform} takes {shown}"]
    for aspect, (least_width, least_height) in rules.aspects.items():
        across, down = (int(part) for part in aspect.split(":"))
        if abs(width / height - across / down) > ASPECT_TOLERANCE * across / down:
            continue
        if width < least_width or height < least_height:
            return [
                f"{width}×{height}: {rules.platform} takes {aspect} from "
                f"{least_width}×{least_height}"
            ]
        return []
    return [f"aspect {width}×{height}: {rules.platform} takes {shown}"]
