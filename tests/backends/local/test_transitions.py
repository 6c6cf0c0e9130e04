from __future__ import annotations

import numpy as np
import pytest

from tests.backends.local.yuv import frame_to_rgb, rgb_to_frame
from worker.backends.local.frame import BLACK, frame_planes
from worker.backends.local.motion import ease
from worker.backends.local.transitions import ShotRenderer, blend_transition
from worker.prompt.vocabulary import TransitionStyle

WIDTH, HEIGHT = 64, 36
RED, BLUE = (220, 20, 20), (20, 20, 220)


def solid(colour: tuple[int, int, int]) -> ShotRenderer:
    def render(extra_zoom: float, shift_x: float, shift_y: float) -> np.ndarray:
        return rgb_to_frame(np.full((HEIGHT, WIDTH, 3), colour, dtype=np.uint8))

    return render


def blend(style: TransitionStyle, progress: float) -> np.ndarray:
    return frame_to_rgb(blend_transition(style, solid(RED), solid(BLUE), progress, (WIDTH, HEIGHT)))


def close(pixel: np.ndarray, colour: tuple[int, int, int], tolerance: int = 6) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - colour) <= tolerance))


@pytest.mark.parametrize("style", list(TransitionStyle))
def test_starts_on_the_outgoing_and_ends_on_the_incoming_shot(style: TransitionStyle) -> None:
    assert close(blend(style, 0.0)[18, 32], RED)
    assert close(blend(style, 1.0)[18, 32], BLUE)


def test_a_cut_shows_one_shot_whole_then_the_other() -> None:
    assert (blend(TransitionStyle.CUT, 0.49) == blend(TransitionStyle.CUT, 0.0)).all()
    assert (blend(TransitionStyle.CUT, 0.51) == blend(TransitionStyle.CUT, 1.0)).all()


def test_dissolve_is_halfway_at_half() -> None:
    assert close(blend(TransitionStyle.DISSOLVE, 0.5)[18, 32], (120, 20, 120))


def test_fade_through_black_is_black_in_the_middle() -> None:
    middle = blend_transition(TransitionStyle.BLACK, solid(RED), solid(BLUE), 0.5, (WIDTH, HEIGHT))
    planes = frame_planes(middle)
    assert np.all(planes.y == BLACK[0])
    assert np.all(planes.u == BLACK[1]) and np.all(planes.v == BLACK[2])
    assert close(blend(TransitionStyle.BLACK, 0.25)[18, 32], (110, 10, 10), 8)


def test_slide_pushes_the_incoming_shot_in_from_the_right() -> None:
    frame = blend(TransitionStyle.SLIDE, 0.5)
    edge = round(WIDTH * (1 - ease(0.5)))
    assert close(frame[18, edge - 4], RED)
    assert close(frame[18, edge + 4], BLUE)


def test_wipe_reveals_left_to_right() -> None:
    frame = blend(TransitionStyle.WIPE, 0.5)
    assert close(frame[18, 4], BLUE)
    assert close(frame[18, WIDTH - 4], RED)


def test_zoom_mixes_both_shots_midway() -> None:
    pixel = blend(TransitionStyle.ZOOM, 0.5)[18, 32].astype(int)
    assert 60 < pixel[0] < 180 and 60 < pixel[2] < 180


def test_vertical_frames_slide_in_from_below() -> None:
    def solid_tall(colour: tuple[int, int, int]) -> ShotRenderer:
        def render(extra_zoom: float, shift_x: float, shift_y: float) -> np.ndarray:
            return rgb_to_frame(np.full((WIDTH, HEIGHT, 3), colour, dtype=np.uint8))

        return render

    tall = (HEIGHT, WIDTH)
    frame = frame_to_rgb(
        blend_transition(TransitionStyle.SLIDE, solid_tall(RED), solid_tall(BLUE), 0.5, tall)
    )
    edge = round(WIDTH * (1 - ease(0.5)))
    assert close(frame[edge - 4, 18], RED)
    assert close(frame[edge + 4, 18], BLUE)
