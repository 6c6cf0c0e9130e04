"""Titles: wrapped text inside the aspect's safe zone, on a backdrop chosen for contrast.

Text is drawn once with Pillow into an RGBA patch; each frame only blends that patch in with
the fade of the moment. Text with CJK characters needs a CJK font; fonts are looked up by
file name in the usual font folders, then through fontconfig (``fc-list``), and Pillow's
built-in face is the last resort.
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
from PIL import Image, ImageDraw, ImageFont

from worker.backends.local.frame import Planes, frame_planes, rgb_to_planes
from worker.spec import Aspect

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


@dataclass(frozen=True)
class SafeZone:
    """Where a title may go, as fractions of the frame, and the line its centre sits on."""

    left: float
    right: float
    centre_y: float
    max_height: float


SAFE_ZONES = {
    # Reels/TikTok/Shorts cover the top ~14% and the bottom ~35% with their own interface.
    Aspect.VERTICAL: SafeZone(left=0.1, right=0.9, centre_y=0.32, max_height=0.3),
    Aspect.LANDSCAPE: SafeZone(left=0.1, right=0.9, centre_y=0.74, max_height=0.26),
    Aspect.SQUARE: SafeZone(left=0.1, right=0.9, centre_y=0.72, max_height=0.3),
}


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


def load_font(text: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = find_font(needs_cjk(text)) or find_font(False)
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size=size)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words and single CJK characters, each with whether a space came before it."""
    tokens = []
    spaced = False
    for match in re.finditer(rf"\s+|{CJK_PATTERN.pattern}|[^\s]", text.strip()):
        piece = match.group()
        if piece.isspace():
            spaced = True
        elif tokens and not spaced and not needs_cjk(piece) and not needs_cjk(tokens[-1][0]):
            tokens[-1] = (tokens[-1][0] + piece, tokens[-1][1])
        else:
            tokens.append((piece, spaced))
            spaced = False
    return tokens


def wrap_text(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: float
) -> list[str]:
    """Greedy wrap: between words, and between any two CJK characters."""
    lines: list[str] = []
    current = ""
    for token, spaced in _tokens(text):
        candidate = f"{current}{' ' if spaced and current else ''}{token}"
        if current and font.getlength(candidate) > max_width:
            lines.append(current)
            current = token
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


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


def layout_title(
    text: str, aspect: Aspect, frame_size: tuple[int, int]
) -> tuple[list[str], ImageFont.FreeTypeFont | ImageFont.ImageFont, tuple[int, int, int, int]]:
    """Lines, font and the (x, y, width, height) box of the title in the frame."""
    width, height = frame_size
    zone = SAFE_ZONES[aspect]
    max_width = (zone.right - zone.left) * width
    base = round(min(width, height) * 0.095)
    usable = max_width * 0.88
    size = base
    for candidate in (base, round(base * 0.9), round(base * 0.8), round(base * 0.72)):
        if load_font(text, candidate).getlength(text) <= usable:
            size = candidate
            break
    while True:
        font = load_font(text, size)
        lines = wrap_text(text, font, usable)
        line_height = round(size * 1.25)
        widest = max(font.getlength(line) for line in lines)
        block_height = line_height * len(lines)
        if (widest <= usable and block_height <= zone.max_height * height) or size <= 14:
            break
        size = round(size * 0.9)
    pad_x, pad_y = round(size * 0.6), round(size * 0.4)
    box_w = min(round(widest) + 2 * pad_x, round(max_width))
    box_h = block_height + 2 * pad_y
    box_x = round((width - box_w) / 2)
    box_y = round(min(max(zone.centre_y * height - box_h / 2, 0), height - box_h))
    return lines, font, (box_x, box_y, box_w, box_h)


def render_title(text: str, aspect: Aspect, background: np.ndarray) -> TitlePatch:
    """The title drawn for ``background`` (the frame it will first appear over)."""
    luma = frame_planes(background).y
    height, width = luma.shape
    lines, font, (box_x, box_y, box_w, box_h) = layout_title(text, aspect, (width, height))
    box_x, box_y, box_w, box_h = (value // 2 * 2 for value in (box_x, box_y, box_w, box_h))
    under = (luma[box_y : box_y + box_h, box_x : box_x + box_w].astype(np.float32) - 16.0) / 219.0
    bright = float(under.mean()) > 0.55
    busy = float(under.std())
    text_colour = (20, 20, 24, 255) if bright else (255, 255, 255, 255)
    backdrop_colour = (255, 255, 255) if bright else (0, 0, 0)
    backdrop_alpha = round(255 * min(0.75, 0.35 + busy * 1.5))
    patch = Image.new("RGBA", (box_w, box_h), (*backdrop_colour, 0))
    draw = ImageDraw.Draw(patch)
    radius = round(min(box_h, box_w) * 0.18)
    draw.rounded_rectangle(
        (0, 0, box_w - 1, box_h - 1), radius=radius, fill=(*backdrop_colour, backdrop_alpha)
    )
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 16
    line_height = round(size * 1.25)
    top = (box_h - line_height * len(lines)) / 2
    for index, line in enumerate(lines):
        centre_y = top + line_height * (index + 0.5)
        draw.text((box_w / 2, centre_y), line, font=font, fill=text_colour, anchor="mm")
    return TitlePatch.from_rgba(np.asarray(patch), box_x, box_y)


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
