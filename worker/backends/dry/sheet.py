"""A contact sheet: one thumbnail per planned shot, in order, cropped as the video would frame
it and labelled with its number, length and photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from worker.job.draft import Draft, TrackType

COLUMNS = 4
THUMB_LONG_SIDE = 240
MIN_CELL_WIDTH = 160
LINE_HEIGHT = 16
LABEL_HEIGHT = 2 * LINE_HEIGHT + 4
MARGIN = 8
BACKGROUND = (24, 24, 24)
INK = (235, 235, 235)


def thumb_size(width: int, height: int) -> tuple[int, int]:
    scale = THUMB_LONG_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def framed(photo: np.ndarray, window: list[float], size: tuple[int, int]) -> Image.Image:
    """The photo's crop window (fractions of the photo) fitted into ``size``."""
    height, width = photo.shape[:2]
    x, y, w, h = window
    box = (round(x * width), round(y * height), round((x + w) * width), round((y + h) * height))
    image = Image.fromarray(photo).crop(box)
    image.thumbnail(size)
    canvas = Image.new("RGB", size, BACKGROUND)
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return canvas


def fitted(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(f"{text}…") > width:
        text = text[:-1]
    return f"{text}…"


def wrapped(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(fitted(word, font, width))
    return lines


def contact_sheet(draft: Draft, photos: dict[str, np.ndarray], title: str, target: Path) -> Path:
    """Draw the video track's shots of ``draft`` (``photos``: file id → RGB array) to ``target``
    (a JPEG); return it."""
    shots = [segment for track in draft.tracks_of(TrackType.VIDEO) for segment in track.sg]
    size = thumb_size(int(draft.m["width"]), int(draft.m["height"]))
    rows = max(1, -(-len(shots) // COLUMNS))
    cell_w, cell_h = max(size[0], MIN_CELL_WIDTH) + MARGIN, size[1] + LABEL_HEIGHT + MARGIN
    width = MARGIN + COLUMNS * cell_w
    font = ImageFont.load_default(size=13)
    header = wrapped(title, font, width - 2 * MARGIN)
    header_height = MARGIN + len(header) * LINE_HEIGHT
    sheet = Image.new("RGB", (width, header_height + MARGIN + rows * cell_h), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for number, line in enumerate(header):
        draw.text((MARGIN, MARGIN + number * LINE_HEIGHT), line, fill=INK, font=font)
    for index, shot in enumerate(shots):
        left = MARGIN + (index % COLUMNS) * cell_w
        top = header_height + MARGIN + (index // COLUMNS) * cell_h
        sheet.paste(framed(photos[shot.m["src"]], shot.m["framing"]["window"], size), (left, top))
        labels = (
            f"{index + 1} · {shot.d / 1000:.1f} s",
            fitted(shot.m["name"], font, cell_w - MARGIN),
        )
        for number, label in enumerate(labels):
            position = (left, top + size[1] + 2 + number * LINE_HEIGHT)
            draw.text(position, label, fill=INK, font=font)
    partial = target.with_suffix(".partial.jpg")
    sheet.save(partial, "JPEG", quality=85)
    partial.replace(target)
    return target
