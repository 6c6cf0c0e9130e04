from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageFont

from tests.backends.local.canvas import frame_size
from tests.backends.local.yuv import frame_to_rgb, rgb_to_frame
from worker.backends.local import titles
from worker.backends.local.frame import frame_planes
from worker.backends.local.text import (
    SAFE_ZONES,
    Face,
    Layer,
    layout_layers,
    wrap_text,
)
from worker.backends.local.text_draw import render_layer
from worker.backends.local.titles import (
    TitlePatch,
    find_font,
    load_font,
    overlay_title,
    title_opacity,
)
from worker.job.spec import Aspect
from worker.job.styles import Position, Role, StyleName


def render_title(text: str, aspect: Aspect, frame: np.ndarray) -> TitlePatch:
    layer = Layer(Role.TITLE, text, Position.LOWER, aspect, StyleName.CLEAN, {})
    height, width = frame_planes(frame).y.shape
    (placed,) = layout_layers([layer], (width, height))
    return render_layer(layer, placed, frame)


def background(level: int, size: tuple[int, int] = (360, 640)) -> np.ndarray:
    width, height = size
    return rgb_to_frame(np.full((height, width, 3), level, dtype=np.uint8))


def test_a_cjk_font_renders_chinese_and_japanese() -> None:
    font_path = find_font(cjk=True)
    assert font_path is not None, "install a CJK font (fonts-wqy-zenhei or fonts-noto-cjk)"
    font = load_font("夏日促销", 48)
    assert isinstance(font, ImageFont.FreeTypeFont)
    masks = {char: np.asarray(font.getmask(char)) for char in "夏日ひら"}
    assert all(mask.sum() > 0 for mask in masks.values())
    # Missing glyphs all draw the same box; real glyphs differ from one another.
    assert len({mask.tobytes() for mask in masks.values()}) == len(masks)


def test_chinese_wraps_between_characters() -> None:
    face = Face(load_font("夏日促销", 40), 40)
    lines = wrap_text("夏日促销全场五折起欢迎光临本店", face, 200)
    assert len(lines) > 1
    assert "".join(lines) == "夏日促销全场五折起欢迎光临本店"


@pytest.mark.parametrize("aspect", list(Aspect))
def test_title_sits_where_the_aspect_wants_it(aspect: Aspect) -> None:
    size = frame_size(aspect, 360)
    patch = render_title("Summer Sale", aspect, background(100, size))
    x, y = patch.x, patch.y
    height, width = patch.coverage.shape
    assert x % 2 == 0 and y % 2 == 0 and width % 2 == 0 and height % 2 == 0
    zone = SAFE_ZONES[aspect]
    assert y + height == pytest.approx(zone.bottom * size[1], abs=2)  # the zone's lower edge


@pytest.mark.parametrize(("level", "text_is_dark"), [(235, True), (25, False)])
def test_text_contrasts_with_the_photo_under_it(level: int, text_is_dark: bool) -> None:
    frame = background(level)
    patch = render_title("Sale", Aspect.VERTICAL, frame)
    overlay_title(frame, patch, 1.0)
    region = frame_to_rgb(frame)[
        patch.y : patch.y + patch.coverage.shape[0], patch.x : patch.x + patch.coverage.shape[1]
    ]
    luma = region.mean(axis=2)
    darkest, brightest = np.percentile(luma, 1), np.percentile(luma, 99)
    assert brightest - darkest > 120  # legible: strong contrast between text and backdrop
    text_luma = darkest if text_is_dark else brightest
    assert abs(text_luma - level) > 120


def test_overlay_touches_only_the_title_box_and_respects_opacity() -> None:
    frame = background(120)
    untouched = frame.copy()
    patch = render_title("Hello", Aspect.LANDSCAPE, frame)
    overlay_title(frame, patch, 0.0)
    assert np.array_equal(frame, untouched)
    overlay_title(frame, patch, 1.0)
    luma = frame_planes(frame).y
    height, width = patch.coverage.shape
    changed = np.argwhere(luma != frame_planes(untouched).y)
    assert changed[:, 0].min() >= patch.y and changed[:, 0].max() < patch.y + height
    assert changed[:, 1].min() >= patch.x and changed[:, 1].max() < patch.x + width


def test_title_fades_in_and_out() -> None:
    opacities = [title_opacity(frame, 10, 40, 6) for frame in range(0, 45)]
    assert opacities[:10] == [0.0] * 10 and opacities[40:] == [0.0] * 5
    assert opacities[15:35] == [1.0] * 20
    assert all(0 < value < 1 for value in opacities[10:15])
    assert opacities[10:16] == sorted(opacities[10:16])


def test_mixed_text_keeps_words_whole_and_spaces() -> None:
    face = Face(load_font("夏日", 40), 40)
    lines = wrap_text("夏日促销 Summer Sale 全场五折", face, 10_000)
    assert lines == ["夏日促销 Summer Sale 全场五折"]
    narrow = wrap_text("夏日促销 Summer Sale 全场五折", face, 170)
    assert "Summer" in " ".join(narrow).split() and all(
        "Summ" not in line or "Summer" in line for line in narrow
    )


def test_without_a_cjk_font_titles_still_render(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = find_font(cjk=False)
    monkeypatch.setattr(titles, "find_font", lambda cjk: None if cjk else latin)
    patch = render_title("夏日 Sale", Aspect.SQUARE, background(90, (400, 400)))
    assert patch.coverage.max() > 0.5
