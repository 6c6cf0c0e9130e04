"""Text layers on the frame: fitted inside the platform's safe zone, drawn for contrast.

Safe zones: Reels/TikTok/Shorts cover the top ~12%, the bottom ~32% and a right-hand rail of
buttons on 9:16; 16:9 and 1:1 keep the usual title-safe margins. Instagram's 4:5 feed post is
cut to 3:4 in the profile grid (about 3% off each side) and carries small icons in its bottom
corners; 小红书's 3:4 note lays the author and caption over its lower part; Pinterest covers a
2:3 pin's lower right corner with its product icons. Layers at one position are
stacked (name, struck old price, price …) and the stack is anchored in the zone: ``top``,
``middle``, ``lower``, ``badge`` (top right), ``corner`` (top left: the logo) or ``end`` (the
end card, centred). Text wraps between words (and between CJK characters), then shrinks down to
``MIN_SIZE_SHARE`` of the short side; what still does not fit ends in an ellipsis, so nothing is
ever clipped. Arabic and Hebrew are shaped and ordered by Pillow's libraqm layout; emoji are
drawn from the colour emoji font, scaled to the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageFont

from worker.backends.local.titles import (
    CJK_PATTERN,
    find_emoji_font,
    load_font,
    needs_cjk,
)
from worker.job.spec import Aspect
from worker.job.styles import Position, Role, StyleName


@dataclass(frozen=True)
class SafeZone:
    """Where text may go, as fractions of the frame."""

    left: float
    top: float
    right: float
    bottom: float


SAFE_ZONES = {
    Aspect.VERTICAL: SafeZone(left=0.06, top=0.12, right=0.84, bottom=0.68),
    Aspect.LANDSCAPE: SafeZone(left=0.06, top=0.07, right=0.94, bottom=0.92),
    Aspect.SQUARE: SafeZone(left=0.06, top=0.06, right=0.94, bottom=0.92),
    Aspect.PORTRAIT: SafeZone(left=0.06, top=0.06, right=0.94, bottom=0.90),
    Aspect.PORTRAIT_3_4: SafeZone(left=0.06, top=0.07, right=0.94, bottom=0.85),
    Aspect.PORTRAIT_2_3: SafeZone(left=0.06, top=0.06, right=0.94, bottom=0.86),
}

ROLE_ORDER = (
    Role.LOGO,
    Role.TITLE,
    Role.END_CARD,
    Role.NAME,
    Role.OLD_PRICE,
    Role.PRICE,
    Role.CAPTION,
    Role.CTA,
    Role.BADGE,
)
ROLE_SIZE = {
    Role.TITLE: 0.085,
    Role.NAME: 0.075,
    Role.PRICE: 0.09,
    Role.OLD_PRICE: 0.055,
    Role.BADGE: 0.06,
    Role.CAPTION: 0.05,
    Role.CTA: 0.07,
    Role.END_CARD: 0.075,
    Role.LOGO: 0.14,
}
"""Font size (logo: height) as a share of the frame's short side."""
ROLE_HEIGHT_SHARE = {
    Role.TITLE: 0.3,
    Role.NAME: 0.3,
    Role.PRICE: 0.16,
    Role.OLD_PRICE: 0.1,
    Role.BADGE: 0.12,
    Role.CAPTION: 0.22,
    Role.CTA: 0.16,
    Role.END_CARD: 0.3,
    Role.LOGO: 0.16,
}
"""The most of the zone's height one layer may take."""
ROLE_WIDTH_SHARE = {Role.BADGE: 0.36, Role.LOGO: 0.3}
STYLE_SCALE = {StyleName.CLEAN: 1.0, StyleName.BOLD: 1.15, StyleName.MINIMAL: 0.9}
MIN_SIZE_SHARE = 0.032
"""Smallest legible text, as a share of the short side (23 px at 720p)."""
LINE_SPACING = 1.25
GAP_SHARE = 0.012
ELLIPSIS = "…"
EMOJI_PATTERN = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0f\U0001f1e6-\U0001f1ff]+"
)
EMOJI_FONT_SIZE = 109
"""The one size a bitmap colour emoji font (Noto Color Emoji) draws at."""
DEFAULT_ACCENT = (228, 60, 48)


@dataclass(frozen=True)
class Layer:
    role: Role
    text: str
    position: Position
    aspect: Aspect
    preset: StyleName
    brand: dict[str, Any]
    image: str | None = None

    @classmethod
    def from_meta(cls, meta: dict[str, Any], default_aspect: str) -> Layer:
        style = meta.get("style") or {}
        role = Role(meta.get("role", Role.TITLE))
        return cls(
            role=role,
            text=str(meta.get("text", "")),
            position=Position(meta.get("position") or Position.LOWER),
            aspect=Aspect(style.get("aspect", default_aspect)),
            preset=StyleName(style.get("preset", StyleName.CLEAN)),
            brand=style.get("brand") or {},
            image=meta.get("image"),
        )


# -- measuring and wrapping, emoji included ----------------------------------------------------


def emoji_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is emoji) runs."""
    runs, last = [], 0
    for match in EMOJI_PATTERN.finditer(text):
        if match.start() > last:
            runs.append((text[last : match.start()], False))
        runs.append((match.group(), True))
        last = match.end()
    if last < len(text):
        runs.append((text[last:], False))
    return runs


@lru_cache(maxsize=1)
def emoji_font() -> ImageFont.FreeTypeFont | None:
    path = find_emoji_font()
    return ImageFont.truetype(str(path), EMOJI_FONT_SIZE) if path else None


@dataclass(frozen=True)
class Face:
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    size: int

    def width(self, text: str) -> float:
        emoji = emoji_font()
        total = 0.0
        for piece, is_emoji in emoji_runs(text):
            if is_emoji and emoji is not None:
                total += emoji.getlength(piece) * self.size / EMOJI_FONT_SIZE
            elif not is_emoji:
                total += self.font.getlength(piece)
        return total

    @property
    def line_height(self) -> int:
        return round(self.size * LINE_SPACING)


def visible_text(text: str) -> str:
    """``text`` as drawn: emoji dropped when no emoji font is installed."""
    return text if emoji_font() is not None else EMOJI_PATTERN.sub("", text).strip()


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Words and single CJK characters, each with whether a space came before it."""
    tokens: list[tuple[str, bool]] = []
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


def _split_long(token: str, face: Face, max_width: float) -> list[str]:
    pieces, current = [], ""
    for char in token:
        if current and face.width(current + char) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap_text(text: str, face: Face, max_width: float) -> list[str]:
    """Greedy wrap between words and CJK characters; a word wider than a line is cut."""
    lines: list[str] = []
    current = ""
    for token, spaced in _tokens(text):
        for index, piece in enumerate(_split_long(token, face, max_width)):
            gap = " " if spaced and current and index == 0 else ""
            candidate = f"{current}{gap}{piece}"
            if current and face.width(candidate) > max_width:
                lines.append(current)
                current = piece
            else:
                current = candidate
    if current:
        lines.append(current)
    return lines


def _ellipsize(line: str, face: Face, max_width: float) -> str:
    while line and face.width(line + ELLIPSIS) > max_width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Fitted:
    lines: list[str]
    face: Face

    @property
    def width(self) -> float:
        return max((self.face.width(line) for line in self.lines), default=0.0)

    @property
    def height(self) -> int:
        return self.face.line_height * len(self.lines)


def fit_text(
    text: str, max_width: float, max_height: float, size: int, minimum: int, brand_font: str | None
) -> Fitted:
    """Wrap, then shrink towards ``minimum``; at the minimum, lines that do not fit are cut and
    the last one ends in an ellipsis."""
    while True:
        face = Face(load_font(text, size, brand_font), size)
        lines = wrap_text(text, face, max_width)
        if face.line_height * len(lines) <= max_height or size <= minimum:
            break
        size = max(minimum, round(size * 0.9))
    room = max(1, int(max_height // face.line_height))
    if len(lines) > room:
        lines = [*lines[: room - 1], _ellipsize(lines[room - 1], face, max_width)]
    return Fitted(lines, face)


# -- layout --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    fitted: Fitted | None
    """None for a logo."""
    box: tuple[int, int, int, int]
    """(x, y, width, height) in the frame, padding included; all even."""


def _even(value: float) -> int:
    return int(value) // 2 * 2


def _padding(role: Role, size: int, preset: StyleName) -> tuple[int, int]:
    if role in (Role.LOGO, Role.END_CARD) or (preset == StyleName.MINIMAL and role != Role.CTA):
        return _even(size * 0.2), _even(size * 0.1)
    return _even(size * 0.6), _even(size * 0.3)


def _logo_size(path: str, max_w: float, max_h: float) -> tuple[int, int]:
    with Image.open(path) as image:
        width, height = image.size
    scale = min(max_w / width, max_h / height)
    return max(2, _even(width * scale)), max(2, _even(height * scale))


def _measure(layer: Layer, frame: tuple[int, int]) -> Placed:
    width, height = frame
    zone = SAFE_ZONES[layer.aspect]
    short = min(width, height)
    zone_w = (zone.right - zone.left) * width
    zone_h = (zone.bottom - zone.top) * height
    max_w = zone_w * ROLE_WIDTH_SHARE.get(layer.role, 1.0)
    max_h = zone_h * ROLE_HEIGHT_SHARE[layer.role]
    size = round(short * ROLE_SIZE[layer.role] * STYLE_SCALE[layer.preset])
    pad_x, pad_y = _padding(layer.role, size, layer.preset)
    if layer.role == Role.LOGO:
        logo_w, logo_h = _logo_size(str(layer.image), max_w, min(max_h, size))
        return Placed(None, (0, 0, logo_w, logo_h))
    minimum = round(short * MIN_SIZE_SHARE)
    fitted = fit_text(
        visible_text(layer.text),
        max_w - 2 * pad_x,
        max_h - 2 * pad_y,
        size,
        min(minimum, size),
        layer.brand.get("font"),
    )
    box_w = min(_even(fitted.width + 2 * pad_x + 2), _even(max_w))
    return Placed(fitted, (0, 0, box_w, _even(fitted.height + 2 * pad_y + 1)))


def layout_layers(layers: Sequence[Layer], frame: tuple[int, int]) -> list[Placed]:
    """Where each of ``layers`` goes in a ``frame`` (width, height), in the same order."""
    width, height = frame
    measured = [_measure(layer, frame) for layer in layers]
    placed: list[Placed | None] = [None] * len(layers)
    gap = _even(min(width, height) * GAP_SHARE)
    groups: dict[Position, list[int]] = {}
    for index in sorted(range(len(layers)), key=lambda i: ROLE_ORDER.index(layers[i].role)):
        groups.setdefault(layers[index].position, []).append(index)
    corner_heights = [
        sum(measured[i].box[3] + gap for i in groups.get(position, []))
        for position in (Position.BADGE, Position.CORNER)
    ]
    for position, members in groups.items():
        zone = SAFE_ZONES[layers[members[0]].aspect]
        left, right = zone.left * width, zone.right * width
        top, bottom = zone.top * height, zone.bottom * height
        total = sum(measured[i].box[3] for i in members) + gap * (len(members) - 1)
        y = {
            Position.TOP: top + max(corner_heights),
            Position.LOWER: bottom - total,
            Position.BADGE: top,
            Position.CORNER: top,
        }.get(position, top + (bottom - top - total) / 2)
        y = min(max(y, top), max(top, bottom - total))
        for index in members:
            _x, _y, box_w, box_h = measured[index].box
            x = {Position.BADGE: right - box_w, Position.CORNER: left}.get(
                position, (left + right - box_w) / 2
            )
            placed[index] = Placed(measured[index].fitted, (_even(x), _even(y), box_w, box_h))
            y += box_h + gap
    return [item for item in placed if item is not None]


# -- drawing ------------------------------------------------------------------------------------
