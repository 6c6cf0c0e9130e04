"""Frames of small drafts: exact count, fades, titles and shots in the right places."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.settings import Settings
from tests.backends.local.yuv import frame_to_rgb
from worker.backends.local.compose import Shot, ShotSources, frames, one_opencv_thread
from worker.backends.local.frame import frame_planes
from worker.backends.local.framing import FitMode, Framing
from worker.backends.local.layers import text_track
from worker.backends.local.plan import make_plan
from worker.backends.local.timeline import PhotoForDraft, shot_spans, video_draft, with_stage2
from worker.job.draft import Draft
from worker.job.spec import JobOptions

SIZE = (192, 108)
COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]


def small_draft(
    tmp_path: Path, prompt: str, seconds: float = 3.0, fps: int = 20
) -> tuple[Draft, dict[str, Path]]:
    files = {}
    photos = []
    for index, colour in enumerate(COLOURS):
        path = tmp_path / f"{index}.npy"
        np.save(path, np.full((300, 400, 3), colour, dtype=np.uint8))
        files[f"id{index}"] = path
        photos.append(
            PhotoForDraft(
                f"id{index}", path.name, Framing(FitMode.COVER, (0.0, 0.0, 1.0, 1.0), (0.5, 0.5))
            )
        )
    plan = make_plan(prompt, JobOptions(duration=seconds, fps=fps), Settings())
    draft = video_draft(plan, photos)
    draft.m.update(width=SIZE[0], height=SIZE[1])
    return draft, files


def rendered(draft: Draft, files: dict[str, Path]) -> list[np.ndarray]:
    return [frame.copy() for frame in frames(draft, files)]


def test_frame_count_and_shape(tmp_path: Path) -> None:
    draft, files = small_draft(tmp_path, "calm", seconds=2.35, fps=24)
    video = rendered(draft, files)
    assert len(video) == round(2.35 * 24)
    assert all(frame.shape == (SIZE[1] * 3 // 2, SIZE[0]) for frame in video)


def test_shots_appear_in_order(tmp_path: Path) -> None:
    draft, files = small_draft(tmp_path, "cross-dissolve, 3 seconds")
    video = rendered(draft, files)
    centres = [frame_to_rgb(video[index])[54, 96] for index in (2, 30, 57)]
    for centre, colour in zip(centres, COLOURS, strict=True):
        assert np.abs(centre.astype(int) - colour).max() < 8


def test_fade_in_and_out(tmp_path: Path) -> None:
    draft, files = small_draft(tmp_path, "fade in and fade out")
    video = rendered(draft, files)
    luma = [float(frame_planes(frame).y.mean()) for frame in video]
    assert luma[0] < 22 and luma[-1] < 22  # black is 16 in limited range
    assert luma[len(luma) // 2] > 60
    assert luma[:6] == sorted(luma[:6])


def test_title_changes_only_its_box_and_fades(tmp_path: Path) -> None:
    draft, files = small_draft(tmp_path, "static, cut")
    plan = make_plan("title 'Hi', 16:9", JobOptions(duration=3), Settings())
    track = text_track(plan, draft.duration_ms, shot_spans(draft))
    assert track is not None
    titled = with_stage2(draft, [track])
    plain, with_title = rendered(draft, files), rendered(titled, files)
    differences = [
        np.abs(a.astype(int) - b.astype(int)).max() for a, b in zip(plain, with_title, strict=True)
    ]
    assert differences[0] == 0 and differences[-1] == 0
    assert max(differences) > 100
    middle = frame_planes(with_title[20]).y.astype(int) - frame_planes(plain[20]).y
    rows = np.nonzero(np.abs(middle).max(axis=1))[0]
    assert rows.min() > SIZE[1] * 0.5  # lower third for 16:9


@pytest.mark.parametrize(
    "style", ["dissolve", "fade through black", "zoom transitions", "slide", "wipe"]
)
def test_every_transition_renders(tmp_path: Path, style: str) -> None:
    draft, files = small_draft(tmp_path, style)
    assert len(rendered(draft, files)) == 60


def test_frames_are_built_with_one_opencv_thread_and_the_setting_comes_back() -> None:
    cv2.setNumThreads(2)
    with one_opencv_thread():
        assert cv2.getNumThreads() == 1
    assert cv2.getNumThreads() == 2


def test_a_shot_source_is_built_holding_two_full_size_pictures_at_most(tmp_path: Path) -> None:
    """Contained: the working copy and the canvas, then the canvas and its YUV; never the
    working copy through the conversion, nor the canvas beside its padded copy and YUV."""
    working = tmp_path / "wide.npy"
    rng = np.random.default_rng(3)
    np.save(working, rng.integers(0, 256, (1200, 1800, 3), dtype=np.uint8))
    centred = {"zoom": 1.0, "px": 0.5, "py": 0.5}
    shot = Shot(0, 0, 10, "wide", Framing(FitMode.CONTAIN, (0.0, 0.0, 1.0, 1.0), (0.5, 0.5)),
                {"kind": "static", "from": centred, "to": centred}, None)  # fmt: skip
    size = (541, 961)  # odd: the canvas is padded to even before conversion
    sources = ShotSources([shot], {"wide": working}, size)
    tracemalloc.start()
    try:
        planes = sources.get(shot)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        sources.close()
    working_bytes, canvas_bytes = 1200 * 1800 * 3, size[0] * size[1] * 3
    assert planes.size == size
    assert peak < working_bytes + 2 * canvas_bytes
