from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tests.backends.local.canvas import frame_size
from tests.backends.local.yuv import frame_to_rgb, rgb_to_frame
from worker.backends.local.frame import frame_planes
from worker.backends.local.text import (
    ELLIPSIS,
    MIN_SIZE_SHARE,
    SAFE_ZONES,
    Layer,
    emoji_font,
    layout_layers,
)
from worker.backends.local.text_draw import render_layer
from worker.backends.local.titles import overlay_title
from worker.job.spec import Aspect
from worker.job.styles import Position, Role, StyleName

FRAMES = {aspect: frame_size(aspect, 720) for aspect in Aspect}
LONG_NAME = (
    "Hand-Thrown Stoneware Pour-Over Coffee Dripper With Matching Double-Walled Mug, "
    "Bamboo Lid, Reusable Stainless Filter And A Gift Box For Every Coffee Lover In The Family "
    "(Limited Autumn Edition, Glazed In Forest Green)"
)
TITLES = {
    "long": LONG_NAME,
    "cjk": "新鲜烘焙咖啡豆 深度烘焙 阿拉比卡 一公斤装 限时特价 全场包邮 欢迎选购",
    "rtl_arabic": "قهوة محمصة طازجة بسعر خاص لفترة محدودة",
    "rtl_hebrew": "קפה קלוי טרי במחיר מיוחד לזמן מוגבל",
    "emoji": "Fresh Roast Coffee ☕🔥 now with free shipping 🚚✨",
    "unbroken": "X" * 240,
}


def layer(role: Role, text: str, aspect: Aspect, position: Position | None = None) -> Layer:
    where = position or {Role.BADGE: Position.BADGE, Role.CTA: Position.END}.get(
        role, Position.LOWER
    )
    return Layer(role, text, where, aspect, StyleName.CLEAN, {})


def inside(box: tuple[int, int, int, int], aspect: Aspect) -> bool:
    width, height = FRAMES[aspect]
    zone = SAFE_ZONES[aspect]
    x, y, w, h = box
    return (
        x >= zone.left * width - 2
        and y >= zone.top * height - 2
        and x + w <= zone.right * width + 2
        and y + h <= zone.bottom * height + 2
    )


@pytest.mark.parametrize("aspect", list(Aspect))
@pytest.mark.parametrize("kind", list(TITLES))
def test_names_and_prices_stay_inside_the_safe_zone(aspect: Aspect, kind: str) -> None:
    layers = [
        layer(Role.NAME, TITLES[kind], aspect),
        layer(Role.OLD_PRICE, "$15.00", aspect),
        layer(Role.PRICE, "$12.50", aspect),
        layer(Role.BADGE, "-17%", aspect),
    ]
    placed = layout_layers(layers, FRAMES[aspect])
    for item in placed:
        assert inside(item.box, aspect), (kind, item.box)
    boxes = [item.box for item in placed[:3]]
    for (_, y1, _, h1), (_, y2, _, _) in itertools.pairwise(boxes):
        assert y1 + h1 <= y2  # stacked, not overlapping
    name = placed[0].fitted
    assert name is not None
    assert name.face.size >= round(min(FRAMES[aspect]) * MIN_SIZE_SHARE)
    assert all(name.face.width(line) <= placed[0].box[2] for line in name.lines)


def test_feed_portraits_keep_text_clear_of_the_grid_crop_and_corner_icons() -> None:
    # Instagram's profile grid shows a 4:5 post cut to 3:4: 1012 of its 1080 px across.
    grid_cut = (1 - 1012 / 1080) / 2
    portrait = SAFE_ZONES[Aspect.PORTRAIT]
    assert portrait.left > grid_cut and 1 - portrait.right > grid_cut
    # Pinterest covers a 2:3 pin's lower right corner with its product icons; 小红书 lays the
    # author and caption over the lower part of a 3:4 note.
    assert SAFE_ZONES[Aspect.PORTRAIT_2_3].bottom <= 0.88
    assert SAFE_ZONES[Aspect.PORTRAIT_3_4].bottom <= 0.85


def test_a_200_character_name_shrinks_then_ends_in_an_ellipsis() -> None:
    assert len(LONG_NAME) > 200
    (placed,) = layout_layers([layer(Role.NAME, LONG_NAME, Aspect.VERTICAL)], (720, 1280))
    assert placed.fitted is not None
    text = " ".join(placed.fitted.lines)
    assert text.startswith("Hand-Thrown Stoneware")
    assert len(placed.fitted.lines) > 2
    assert text.endswith(ELLIPSIS) or text.replace(" ", "") == LONG_NAME.replace(" ", "")


def test_a_short_name_keeps_its_full_size() -> None:
    (placed,) = layout_layers([layer(Role.NAME, "Mug", Aspect.VERTICAL)], (720, 1280))
    assert placed.fitted is not None and placed.fitted.face.size == round(720 * 0.075)


def drawn(text_layer: Layer, size: tuple[int, int], level: int = 60) -> np.ndarray:
    width, height = size
    frame = rgb_to_frame(np.full((height, width, 3), level, dtype=np.uint8))
    (placed,) = layout_layers([text_layer], size)
    overlay_title(frame, render_layer(text_layer, placed, frame), 1.0)
    return frame_to_rgb(frame)


def test_emoji_are_drawn_in_colour() -> None:
    if emoji_font() is None:
        pytest.skip("no colour emoji font: make system-deps installs fonts-noto-color-emoji")
    rgb = drawn(layer(Role.NAME, "🔥🍓", Aspect.SQUARE), (360, 360)).astype(int)
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    assert (saturation > 80).sum() > 50  # coloured glyphs on a grey frame


@pytest.mark.parametrize("text", [TITLES["rtl_arabic"], TITLES["rtl_hebrew"]])
def test_right_to_left_text_draws_real_glyphs(text: str) -> None:
    rgb = drawn(layer(Role.NAME, text, Aspect.LANDSCAPE), (640, 360))
    plain = drawn(layer(Role.NAME, "", Aspect.LANDSCAPE), (640, 360))
    bright = (rgb.mean(axis=2) > 200).sum()
    assert bright > 300 and not np.array_equal(rgb, plain)


def test_arabic_is_shaped_joined_not_isolated_letters() -> None:
    from PIL import features

    if not features.check("raqm"):
        pytest.skip("Pillow without libraqm")
    from worker.backends.local.text import Face
    from worker.backends.local.titles import load_font

    face = Face(load_font("سلام", 40), 40)
    isolated = sum(face.width(char) for char in "سلام")
    assert face.width("سلام") < isolated  # joined forms are narrower than isolated ones


def test_old_price_is_struck_through() -> None:
    struck = drawn(layer(Role.OLD_PRICE, "$15", Aspect.SQUARE), (360, 360), level=30)
    (placed,) = layout_layers([layer(Role.OLD_PRICE, "$15", Aspect.SQUARE)], (360, 360))
    x, y, w, h = placed.box
    middle_row = struck[y + h // 2, x : x + w].mean(axis=1)
    assert (middle_row > 200).sum() > w * 0.3  # a bright line across the middle


def test_badge_sits_top_right_and_logo_top_left(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 100), (255, 0, 0, 128)).save(logo)
    logo_layer = Layer(
        Role.LOGO, "", Position.CORNER, Aspect.VERTICAL, StyleName.CLEAN, {}, str(logo)
    )
    badge, placed_logo = layout_layers(
        [layer(Role.BADGE, "-20%", Aspect.VERTICAL), logo_layer], (720, 1280)
    )
    zone = SAFE_ZONES[Aspect.VERTICAL]
    assert badge.box[0] + badge.box[2] == pytest.approx(zone.right * 720, abs=2)
    assert placed_logo.box[0] == pytest.approx(zone.left * 720, abs=2)
    assert placed_logo.box[2] / placed_logo.box[3] == pytest.approx(2.0, abs=0.1)


def test_end_card_dims_the_whole_frame() -> None:
    card = Layer(Role.END_CARD, "Mug", Position.END, Aspect.SQUARE, StyleName.CLEAN, {})
    rgb = drawn(card, (360, 360), level=200)
    assert rgb[5, 5].mean() < 100  # the corner, far from the text, is darkened
    assert frame_planes(rgb_to_frame(rgb)).y.shape == (360, 360)


def test_a_brand_font_is_used_unless_the_text_needs_cjk_glyphs() -> None:
    from worker.backends.local.titles import _in_font_folders, find_font

    serif = _in_font_folders(("DejaVuSerif.ttf", "LiberationSerif-Regular.ttf"))
    if not serif:
        pytest.skip("no serif font to stand for a brand font")
    latin = serif[0]
    assert latin != find_font(cjk=False)
    brand = {"font": str(latin)}
    name = Layer(Role.NAME, "Mug", Position.LOWER, Aspect.SQUARE, StyleName.CLEAN, brand)
    chinese = Layer(Role.NAME, "咖啡", Position.LOWER, Aspect.SQUARE, StyleName.CLEAN, brand)
    placed_name, placed_chinese = layout_layers([name, chinese], (720, 720))
    assert placed_name.fitted is not None and placed_chinese.fitted is not None
    assert getattr(placed_name.fitted.face.font, "path", None) == str(latin)
    assert getattr(placed_chinese.fitted.face.font, "path", None) == str(find_font(cjk=True))
