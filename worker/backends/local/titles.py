"""Fonts and text patches: a drawn layer as premultiplied planes, blended into frames.

A layer is drawn once with Pillow into an RGBA patch (see ``worker.backends.local.text``);
each frame only blends that patch in with the fade of the moment. Text with CJK characters
needs a CJK font; fonts are looked up by file name in the usual font folders, then through
fontconfig (``fc-list``), and Pillow's built-in face is the last resort.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import ImageFont

from worker.backends.local.frame import Planes, frame_planes, rgb_to_planes

FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
LATIN_FONT_NAMES = (
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "DejaVuSans.ttf",
)
CJK_FONT_NAMES = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJK-Regular.ttc",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
)
CJK_PATTERN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


def needs_cjk(text: str) -> bool:
    return bool(CJK_PATTERN.search(text))


def _fc_list(pattern: str) -> list[Path]:
    if shutil.which("fc-list") is None:
        return []
    try:
        listing = subprocess.run(
            ["fc-list", pattern, "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(Path(line.split(":")[0].strip()) for line in listing.splitlines() if line.strip())


def _in_font_folders(names: tuple[str, ...]) -> list[Path]:
    found = {
        path.name: path
        for folder in FONT_FOLDERS
        if folder.is_dir()
        for path in folder.rglob("*.tt[fc]")
    }
    return [found[name] for name in names if name in found]


EMOJI_FONT_NAMES = ("NotoColorEmoji.ttf",)


@lru_cache(maxsize=1)
def find_emoji_font() -> Path | None:
    """A colour emoji font (fonts-noto-color-emoji), or None."""
    found = _in_font_folders(EMOJI_FONT_NAMES)
    return found[0] if found else None


@lru_cache(maxsize=2)
def find_font(cjk: bool) -> Path | None:
    """A bold-ish font file; one covering Chinese and Japanese when ``cjk``. None: none found."""
    names = CJK_FONT_NAMES if cjk else LATIN_FONT_NAMES
    preferred = _in_font_folders(names)
    if preferred:
        return preferred[0]
    listed = _fc_list(":lang=zh" if cjk else ":lang=en:style=Bold") or _fc_list(
        ":lang=ja" if cjk else ":lang=en"
    )
    return listed[0] if listed else None


def load_font(
    text: str, size: int, brand_font: str | None = None
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font for ``text`` at ``size`` px: the brand's unless the text needs CJK glyphs."""
    cjk = needs_cjk(text)
    path = Path(brand_font) if brand_font and not cjk else find_font(cjk) or find_font(False)
    if path is None:
        return ImageFont.load_default(size=size)
    return _truetype(str(path), size)


@lru_cache(maxsize=64)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size)


@dataclass(frozen=True)
class TitlePatch:
    """The drawn title as premultiplied planes with their coverage, and where it goes.

    ``x`` and ``y`` are even, as are the patch's sides, so chroma lines up with luma.
    """

    planes: Planes
    """Y, U, V, each already multiplied by its coverage."""
    coverage: np.ndarray
    coverage_half: np.ndarray
    x: int
    y: int

    @classmethod
    def from_rgba(cls, rgba: np.ndarray, x: int, y: int) -> TitlePatch:
        planes = rgb_to_planes(rgba[..., :3])
        width, height = planes.size
        alpha = rgba[:height, :width, 3].astype(np.float32) / 255.0
        alpha_half = cv2.resize(alpha, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        premultiplied = Planes(
            planes.y * alpha, planes.u * alpha_half, planes.v * alpha_half, width, height
        )
        return cls(premultiplied, alpha, alpha_half, x, y)


def overlay_title(frame: np.ndarray, patch: TitlePatch, opacity: float) -> None:
    """Blend ``patch`` into ``frame`` in place at ``opacity`` (0..1)."""
    if opacity <= 0.0:
        return
    target = frame_planes(frame)
    places = (
        (target.y, patch.planes.y, patch.coverage, patch.x, patch.y),
        (target.u, patch.planes.u, patch.coverage_half, patch.x // 2, patch.y // 2),
        (target.v, patch.planes.v, patch.coverage_half, patch.x // 2, patch.y // 2),
    )
    for plane, drawn, coverage, x, y in places:
        height, width = drawn.shape
        region = plane[y : y + height, x : x + width]
        blended = region * (1.0 - coverage * opacity) + drawn * opacity
        region[...] = (blended + 0.5).astype(np.uint8)


def title_opacity(frame: int, start: int, end: int, fade_frames: int) -> float:
    """Opacity of a title shown on frames ``start``..``end`` - 1, fading in and out."""
    if frame < start or frame >= end:
        return 0.0
    fade = max(1, min(fade_frames, (end - start) // 2))
    return min(1.0, (frame - start + 1) / fade, (end - frame) / fade)
