from __future__ import annotations

import numpy as np
import pytest
from skimage.data import astronaut

from worker.backends.local.faces import find_faces
from worker.backends.local.framing import FitMode, build_shot_source, choose_framing, saliency_map


def flat_photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    photo = np.full((height, width, 3), (90, 120, 150), dtype=np.float32)
    photo += rng.normal(0, 2, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def add_object(photo: np.ndarray, cx: int, cy: int, radius: int, seed: int = 1) -> None:
    """A busy, contrasting object: a checkered disc."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]]
    disc = (xs - cx) ** 2 + (ys - cy) ** 2 < radius**2
    checker = ((xs // 6 + ys // 6) % 2).astype(bool)
    photo[disc & checker] = (250, 220, 40)
    photo[disc & ~checker] = (30, 20, 10)
    photo[disc] = np.clip(photo[disc] + rng.normal(0, 10, photo[disc].shape), 0, 255)


def test_saliency_peaks_on_the_object() -> None:
    photo = flat_photo(600, 400)
    add_object(photo, 450, 120, 40)
    saliency = saliency_map(photo)
    assert saliency.sum() == pytest.approx(1.0)
    row, col = np.unravel_index(np.argmax(saliency), saliency.shape)
    assert col / saliency.shape[1] == pytest.approx(0.75, abs=0.1)
    assert row / saliency.shape[0] == pytest.approx(0.3, abs=0.1)


def test_cover_crop_follows_the_subject() -> None:
    photo = flat_photo(1200, 400)
    add_object(photo, 1000, 200, 80)
    framing = choose_framing(photo, 16 / 9)
    assert framing.mode == FitMode.COVER
    x, y, w, h = framing.window
    assert (y, h) == (0.0, 1.0)
    assert w == pytest.approx((16 / 9) / 3)
    assert x <= 1000 / 1200 <= x + w
    assert x + w <= 1.0 + 1e-9
    assert framing.subject[0] == pytest.approx((1000 / 1200 - x) / w, abs=0.1)


def test_vertical_crop_of_a_portrait() -> None:
    photo = flat_photo(400, 1200)
    add_object(photo, 200, 180, 80)
    framing = choose_framing(photo, 1.0)
    x, y, w, h = framing.window
    assert framing.mode == FitMode.COVER
    assert (x, w) == (0.0, 1.0)
    assert y <= 180 / 1200 <= y + h


def test_spread_out_photo_is_contained() -> None:
    photo = flat_photo(900, 600)
    add_object(photo, 100, 300, 60, seed=2)
    add_object(photo, 800, 300, 60, seed=3)
    framing = choose_framing(photo, 9 / 16)
    assert framing.mode == FitMode.CONTAIN
    assert framing.window == (0.0, 0.0, 1.0, 1.0)


def test_matching_aspect_keeps_the_whole_photo() -> None:
    framing = choose_framing(flat_photo(1600, 900), 16 / 9)
    assert (framing.mode, framing.window) == (FitMode.COVER, (0.0, 0.0, 1.0, 1.0))


@pytest.mark.parametrize("photo_size", [(1200, 400), (900, 600), (400, 1200), (500, 500)])
@pytest.mark.parametrize("output", [(360, 640), (640, 360), (400, 400)])
def test_shot_sources_have_the_output_aspect(
    photo_size: tuple[int, int], output: tuple[int, int]
) -> None:
    photo = flat_photo(*photo_size)
    add_object(photo, photo_size[0] // 2, photo_size[1] // 2, 50)
    source = build_shot_source(photo, choose_framing(photo, output[0] / output[1]), output, 1.2)
    height, width = source.shape[:2]
    assert width / height == pytest.approx(output[0] / output[1], rel=0.01)
    assert width <= output[0] * 1.2 + 1


def test_contain_shows_the_whole_photo_on_a_darker_blur() -> None:
    photo = flat_photo(900, 600)
    photo[:, :450] = (200, 60, 60)
    photo[:, 450:] = (60, 60, 200)
    add_object(photo, 100, 300, 60, seed=2)
    add_object(photo, 800, 300, 60, seed=3)
    framing = choose_framing(photo, 9 / 16)
    canvas = build_shot_source(photo, framing, (360, 640), 1.0)
    assert canvas.shape == (640, 360, 3)
    band = canvas[320 - 100 : 320 + 100]  # the photo sits in the middle, full width
    assert band[100, 5].tolist() == pytest.approx([200, 60, 60], abs=25)
    assert band[100, 354].tolist() == pytest.approx([60, 60, 200], abs=25)
    assert canvas[10].mean() < photo.mean() * 0.8  # the fill above is darkened


def test_crop_keeps_the_face() -> None:
    """The astronaut's orange suit is the most colourful thing; her face must still stay in."""
    photo = astronaut()  # 512x512, face around x 0.35-0.5, y 0.1-0.35
    faces = find_faces(photo)
    assert len(faces) == 1
    assert faces[0].cx == pytest.approx(0.43, abs=0.06)
    assert faces[0].cy == pytest.approx(0.22, abs=0.06)
    framing = choose_framing(photo, 16 / 9)
    _, y, _, h = framing.window
    assert y <= 0.1 and y + h >= 0.35


def test_no_faces_in_patterns() -> None:
    photo = flat_photo(600, 400)
    add_object(photo, 300, 200, 120)
    assert find_faces(photo) == []
