"""More photos than a video's length shows: which are shown, and what is said about it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from config.settings import Settings
from tests.conftest import make_photo
from worker.backends.local.framing import FitMode, Framing, choose_framing
from worker.backends.local.media import load_working_image
from worker.backends.local.plan import Pace, make_plan
from worker.backends.local.selection import choose_photos, readable_shots
from worker.backends.local.timeline import PhotoForDraft
from worker.job.spec import JobOptions, PhotoChoice

SCENES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry")
"""Photographs of scikit-image's sample data: six different scenes."""
WHOLE = Framing(FitMode.COVER, (0.0, 0.0, 1.0, 1.0), (0.5, 0.5))


def scene(name: str) -> np.ndarray:
    return np.ascontiguousarray(getattr(skimage.data, name)()[..., :3])


def burst_shot(rgb: np.ndarray, step: int) -> np.ndarray:
    """The next frame of a burst: the camera moved a few pixels, the light a little."""
    height, width = rgb.shape[:2]
    shifted = rgb[step * 3 : height - 12 + step * 3, step * 2 : width - 8 + step * 2]
    return np.clip(shifted.astype(np.int16) + step, 0, 255).astype(np.uint8)


def shaken(rgb: np.ndarray) -> np.ndarray:
    """The same shot with camera shake."""
    return cv2.GaussianBlur(rgb, (0, 0), 4)


class Shoot:
    """Photos as the local backend holds them: a working copy each and its framing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.photos: list[PhotoForDraft] = []
        self.copies: dict[str, Path] = {}

    def add(self, name: str, rgb: np.ndarray, framing: Framing | None = None) -> None:
        file_id = f"id-{len(self.photos)}"
        self.copies[file_id] = self.folder / f"{file_id}.npy"
        np.save(self.copies[file_id], rgb)
        framing = framing or choose_framing(load_working_image(self.copies[file_id]), 16 / 9)
        self.photos.append(PhotoForDraft(file_id, name, framing))

    def add_drawn(self, name: str, seed: int) -> None:
        """A small photo-like image of its own (``tests.conftest.make_photo``'s drawing),
        shown whole."""
        drawn = make_photo(self.folder / "drawn" / f"{seed}.png", size=(96, 54), seed=seed)
        with Image.open(drawn) as image:
            self.add(name, np.asarray(image.convert("RGB")), WHOLE)

    def choose(self, prompt: str, photos: PhotoChoice | None = None) -> list[str]:
        plan = make_plan(prompt, JobOptions(photos=photos), Settings())
        self.selection = choose_photos(plan, self.photos, self.copies, photos)
        return [photo.name for photo in self.selection.photos]


@pytest.fixture
def shoot(tmp_path: Path) -> Shoot:
    return Shoot(tmp_path)


@pytest.mark.parametrize(
    ("seconds", "pace", "shots"),
    [(10, Pace.FAST, 20), (10, Pace.MEDIUM, 13), (10, Pace.SLOW, 10), (0.3, Pace.SLOW, 1)],
)
def test_a_shot_is_never_shorter_than_its_pace_can_show(
    seconds: float, pace: Pace, shots: int
) -> None:
    assert readable_shots(seconds, pace) == shots


def test_photos_that_fit_are_all_shown_and_nothing_is_said(shoot: Shoot) -> None:
    for name in SCENES:
        shoot.add(name, scene(name))
    assert shoot.choose("10-second promo, fast pace") == list(SCENES)
    assert shoot.selection.warnings == [] and shoot.selection.record is None


def test_a_burst_goes_first_and_its_best_frame_stays(shoot: Shoot) -> None:
    astronaut = scene("astronaut")
    shoot.add("astronaut-1", shaken(astronaut))
    shoot.add("astronaut-2", burst_shot(astronaut, 1))
    shoot.add("astronaut-3", burst_shot(astronaut, 2))
    for name in SCENES[1:]:
        shoot.add(name, scene(name))
    shoot.add("astronaut-4", shaken(burst_shot(astronaut, 3)))
    # 3 s at a slow pace: three shots of at least a second
    shown = shoot.choose("3-second slow reel")
    assert len(shown) == 3
    assert sum(name.startswith("astronaut") for name in shown) <= 1
    assert "astronaut-1" not in shown and "astronaut-4" not in shown, "the shaken ones go first"
    record = shoot.selection.record
    assert record is not None and (record["shown"], record["of"]) == (3, 9)
    assert {"astronaut-1", "astronaut-4"} <= set(record["near_duplicates_left_out"])
    assert shoot.selection.warnings[0].startswith("showed 3 of 9 photos")


def test_the_same_photo_twice_is_shown_once(shoot: Shoot) -> None:
    # scikit-image's "cat" is its "chelsea": one photograph under two names
    for name in ("chelsea", "coffee", "rocket", "cat", "astronaut"):
        shoot.add(name, scene(name))
    shown = shoot.choose("3-second slow reel, 16:9")
    assert len(shown) == 3 and not {"chelsea", "cat"} <= set(shown)
    assert shoot.selection.record is not None
    assert shoot.selection.record["near_duplicates_left_out"] in (["chelsea"], ["cat"])


def test_the_sharpest_of_each_stretch_is_shown_in_order(shoot: Shoot) -> None:
    for index, name in enumerate(SCENES):
        sharp = scene(name)
        # each scene twice, shaken and sharp (in either order), cropped apart
        half = sharp.shape[1] // 2
        pair = [("shaken", shaken(sharp[:, :half])), ("sharp", sharp[:, half:])]
        if index % 2:
            pair.reverse()
        for label, rgb in pair:
            shoot.add(f"{index}-{name}-{label}", rgb)
    shown = shoot.choose("6 seconds, slow")
    assert [name.split("-")[0] for name in shown] == ["0", "1", "2", "3", "4", "5"]
    assert all("sharp" in name for name in shown), shown


def test_300_photos_for_10_seconds_show_20_spread_over_the_set(shoot: Shoot) -> None:
    for index in range(300):
        shoot.add_drawn(f"{index:03d}.jpg", index)
    shown = shoot.choose("10-second promo, fast pace")
    assert len(shown) == 20
    numbers = [int(name[:3]) for name in shown]
    assert numbers == sorted(numbers)
    assert [number // 15 for number in numbers] == list(range(20)), "one from each stretch"
    [warning] = shoot.selection.warnings
    assert warning.startswith("showed 20 of 300 photos: 10 s at a fast pace")
    assert "photos: all" in warning


def test_photos_all_keeps_every_photo_and_says_how_short_the_shots_are(shoot: Shoot) -> None:
    for index in range(30):
        shoot.add_drawn(f"{index:02d}.jpg", index)
    shown = shoot.choose("3-second promo, fast pace", PhotoChoice.ALL)
    assert len(shown) == 30
    assert shoot.selection.warnings == [
        "all 30 photos shown (photos: all), 0.10 s each: shorter than the 0.5 s a shot needs"
        " to be seen at a fast pace"
    ]


def test_photos_all_beyond_one_frame_each_shows_one_a_frame(shoot: Shoot) -> None:
    for index in range(40):
        shoot.add_drawn(f"{index:02d}.jpg", index)
    shown = shoot.choose("1-second promo, 24 fps", PhotoChoice.ALL)
    assert len(shown) == 24
    assert shoot.selection.warnings[0].startswith("showed 24 of 40 photos: a 1 s video at 24 fps")


@pytest.mark.parametrize(
    ("prompt", "said"),
    [
        (
            "half a second",
            "showed 1 of 5 photos: 0.5 s is shorter than one shot of 0.75 s at a medium pace"
            " (photos: all shows every one)",
        ),
        (
            "1 second, slow pace",
            "showed 1 of 5 photos: 1 s at a slow pace holds 1 shot of at least 1 s"
            " (photos: all shows every one)",
        ),
    ],
)
def test_a_video_too_short_for_two_shots_says_so_truly(
    shoot: Shoot, prompt: str, said: str
) -> None:
    for index in range(5):
        shoot.add_drawn(f"{index}.jpg", index)
    assert len(shoot.choose(prompt)) == 1
    assert shoot.selection.warnings == [said]
