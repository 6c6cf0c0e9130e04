"""Drawing a placed text layer over the frame: colours that read on the photo under it, a
plate or an outline by the style, emoji in colour, the logo scaled."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from worker.backends.local.frame import frame_planes
from worker.backends.local.text import (
    DEFAULT_ACCENT,
    EMOJI_FONT_SIZE,
    Face,
    Layer,
    Placed,
    emoji_font,
    emoji_runs,
)
from worker.backends.local.titles import TitlePatch
from worker.job.styles import Role, StyleName


def _rgb(value: str | None, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if not value:
        return default
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _luma_under(background: np.ndarray, box: tuple[int, int, int, int]) -> tuple[float, float]:
    x, y, w, h = box
    luma = frame_planes(background).y[y : y + h, x : x + w].astype(np.float32)
    under = (luma - 16.0) / 219.0
    return float(under.mean()) if under.size else 0.0, float(under.std()) if under.size else 0.0


def _draw_line(
    patch: Image.Image, face: Face, origin: tuple[float, float], line: str, fill: tuple, **kw: Any
) -> None:
    """``line`` with its left edge at ``origin[0]`` and its middle at ``origin[1]``."""
    draw = ImageDraw.Draw(patch)
    emoji = emoji_font()
    x, middle = origin
    for piece, is_emoji in emoji_runs(line):
        if not is_emoji:
            draw.text((x, middle), piece, font=face.font, fill=fill, anchor="lm", **kw)
            x += face.font.getlength(piece)
            continue
        if emoji is None:
            continue
        glyphs = Image.new("RGBA", (round(emoji.getlength(piece)) + 8, 140), (0, 0, 0, 0))
        ImageDraw.Draw(glyphs).text((4, 70), piece, font=emoji, anchor="lm", embedded_color=True)
        scale = face.size / EMOJI_FONT_SIZE
        scaled = glyphs.resize((max(1, round(glyphs.width * scale)), round(140 * scale)))
        patch.alpha_composite(scaled, (max(0, round(x)), max(0, round(middle - scaled.height / 2))))
        x += emoji.getlength(piece) * scale


def _readable_on(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Dark text on a light colour, white on a dark one."""
    red, green, blue = colour
    return (20, 20, 24) if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 150 else (255, 255, 255)


def _colours(layer: Layer, bright: bool, busy: float) -> tuple[tuple, tuple | None, tuple]:
    """(text colour, plate colour with alpha or None, stroke colour)."""
    brand = layer.brand
    dark_text, light_text = (20, 20, 24), (255, 255, 255)
    contrast_text = dark_text if bright else light_text
    accent = _rgb(brand.get("accent") or brand.get("primary"), DEFAULT_ACCENT)
    primary = _rgb(brand.get("primary"), DEFAULT_ACCENT)
    text = _rgb(brand.get("text"), light_text)
    if layer.role == Role.BADGE:
        return _readable_on(accent), (*accent, 255), text
    if layer.role == Role.CTA:
        # The end card is dimmed, or brand-coloured in the bold style: the button stands out
        # in the accent colour, else in white.
        button = _rgb(brand.get("accent"), (255, 255, 255))
        if layer.preset == StyleName.MINIMAL and brand.get("primary"):
            button = primary
        return _readable_on(button), (*button, 255), text
    if layer.role == Role.END_CARD:
        return light_text, None, light_text
    if layer.preset == StyleName.MINIMAL:
        return contrast_text, None, light_text if bright else dark_text
    if layer.preset == StyleName.BOLD:
        return text, (*primary, 240), text
    plate = (255, 255, 255) if bright else (0, 0, 0)
    colour = _rgb(brand.get("text"), contrast_text) if brand.get("text") else contrast_text
    return colour, (*plate, round(255 * min(0.78, 0.45 + busy * 1.5))), colour


def render_layer(layer: Layer, placed: Placed, background: np.ndarray) -> TitlePatch:
    """The layer drawn for ``background`` (the frame it first appears over)."""
    x, y, w, h = placed.box
    if layer.role == Role.LOGO:
        with Image.open(str(layer.image)) as image:
            logo = image.convert("RGBA").resize((w, h), Image.Resampling.LANCZOS)
        return TitlePatch.from_rgba(np.asarray(logo), x, y)
    fitted = placed.fitted
    assert fitted is not None
    mean, busy = _luma_under(background, placed.box)
    text_colour, plate, stroke = _colours(layer, mean > 0.55, busy)
    height, width = frame_planes(background).y.shape
    full = layer.role == Role.END_CARD
    patch = Image.new("RGBA", (width, height) if full else (w, h), (0, 0, 0, 0))
    ox, oy = (x, y) if full else (0, 0)
    draw = ImageDraw.Draw(patch)
    if full:
        card = _rgb(layer.brand.get("primary"), (10, 10, 14)) if layer.preset == "bold" else None
        draw.rectangle((0, 0, width, height), fill=(*(card or (10, 10, 14)), 215))
    elif plate is not None:
        radius = h // 2 if layer.role in (Role.BADGE, Role.CTA) else round(min(h, w) * 0.18)
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=plate)
    face = fitted.face
    outline = {}
    if plate is None and not full:
        outline = {"stroke_width": max(1, face.size // 14), "stroke_fill": stroke}
    top = oy + (h - fitted.height) / 2
    for index, line in enumerate(fitted.lines):
        line_w = face.width(line)
        left = ox + (w - line_w) / 2
        middle = top + face.line_height * (index + 0.5)
        _draw_line(patch, face, (left, middle), line, (*text_colour, 255), **outline)
        if layer.role == Role.OLD_PRICE:
            thickness = max(2, face.size // 10)
            draw.line(
                (left, middle, left + line_w, middle), fill=(*text_colour, 255), width=thickness
            )
    return TitlePatch.from_rgba(np.asarray(patch), 0 if full else x, 0 if full else y)
