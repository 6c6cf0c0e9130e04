"""Ken Burns smoothness: camera paths measured on rendered frames have no jitter."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from worker.backends.local.compose import frames
from worker.backends.local.frame import frame_planes
from worker.backends.local.framing import FitMode, Framing
from worker.backends.local.motion import Camera, camera_at, design_motion, ease, window_of
from worker.job.draft import Draft, Segment, Track, TrackType
from worker.prompt.vocabulary import MotionStyle

OUTPUT = (320, 180)
FPS = 30


def blob_image(width: int, height: int, centres: list[tuple[float, float]]) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    canvas = np.zeros((height, width), dtype=np.float32)
    for cx, cy in centres:
        canvas += np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * 6.0**2))
    return np.repeat((np.clip(canvas, 0, 1) * 255).astype(np.uint8)[..., None], 3, axis=2)


def render_shot(
    tmp_path: Path, image: np.ndarray, motion: dict, frame_count: int
) -> list[np.ndarray]:
    path = tmp_path / "photo.npy"
    np.save(path, image)
    aspect = OUTPUT[0] / OUTPUT[1]
    height, width = image.shape[:2]
    assert abs(width / height - aspect) < 0.01
    framing = Framing(FitMode.COVER, (0.0, 0.0, 1.0, 1.0), (0.5, 0.5))
    segment = Segment(
        d=round(frame_count * 1000 / FPS),
        m={
            "start": 0,
            "src": "p",
            "framing": framing.to_record(),
            "motion": motion,
            "transition_in": None,
        },
    )
    draft = Draft(
        t=[Track(tt=TrackType.VIDEO, sg=[segment])],
        m={"width": OUTPUT[0], "height": OUTPUT[1], "fps": FPS, "duration_ms": segment.d},
    )
    return [frame.copy() for frame in frames(draft, {"p": path})]


def blob_positions(frame: np.ndarray) -> np.ndarray:
    """Sub-pixel centres (x, y) of the bright blobs, left to right: intensity-weighted centroids."""
    luma = frame_planes(frame).y.astype(np.float64)
    weights = np.clip(luma - 22.0, 0.0, None)
    count, labels = cv2.connectedComponents((weights > 0).astype(np.uint8))
    centres = []
    for label in range(1, count):
        ys, xs = np.nonzero(labels == label)
        w = weights[ys, xs]
        centres.append(((w * xs).sum() / w.sum(), (w * ys).sum() / w.sum()))
    return np.array(sorted(centres))


def expected_positions(
    centres: list[tuple[float, float]], image_size: tuple[int, int], motion: dict, frame_count: int
) -> np.ndarray:
    """Where the camera path puts each blob centre in each output frame (no rounding anywhere)."""
    source_width = min(
        image_size[0], round(OUTPUT[0] * max(motion["from"]["zoom"], motion["to"]["zoom"]))
    )
    scale = source_width / image_size[0]
    source_size = (source_width, round(image_size[1] * scale))
    result = []
    for frame in range(frame_count):
        x, y, w, h = window_of(camera_at(motion, frame / (frame_count - 1)), source_size)
        points = []
        for cx, cy in centres:
            sx, sy = (cx + 0.5) * scale - 0.5, (cy + 0.5) * scale - 0.5
            points.append(
                ((sx - x + 0.5) * OUTPUT[0] / w - 0.5, (sy - y + 0.5) * OUTPUT[1] / h - 0.5)
            )
        result.append(sorted(points))
    return np.array(result)


CENTRES = [(230.0, 120.0), (330.0, 170.0), (420.0, 250.0)]


def measured_track(tmp_path: Path, motion: dict, frame_count: int) -> np.ndarray:
    rendered = render_shot(tmp_path, blob_image(640, 360, CENTRES), motion, frame_count)
    assert len(rendered) == frame_count
    track = [blob_positions(frame) for frame in rendered]
    assert all(len(found) == len(CENTRES) for found in track), "every blob stays in view"
    return np.array(track)


def assert_smooth_and_on_path(track: np.ndarray, expected: np.ndarray) -> None:
    # The rendered path is where the camera says (sub-pixel)…
    assert np.max(np.abs(track - expected)) < 0.15
    # …and has no frame-to-frame jitter: the second difference of the error is near zero
    # (whole-pixel snapping would show up here as jumps of about 1 pixel; OpenCV's bilinear
    # tables resolve 1/32 pixel, which bounds what is left)…
    assert np.max(np.abs(np.diff(track - expected, n=2, axis=0))) < 0.06
    # …and the acceleration itself is only the gentle easing.
    assert np.max(np.abs(np.diff(track, n=2, axis=0))) < 0.1


def test_pan_moves_steadily_without_jitter(tmp_path: Path) -> None:
    motion = {
        "kind": "pan",
        "from": Camera(1.25, 0.0, 0.5).to_record(),
        "to": Camera(1.25, 1.0, 0.3).to_record(),
    }
    track = measured_track(tmp_path, motion, 60)
    assert_smooth_and_on_path(track, expected_positions(CENTRES, (640, 360), motion, 60))
    # The window moves right, so the content moves left every frame.
    assert np.all(np.diff(track[:, :, 0], axis=0) < -0.2)


def test_zoom_tracks_points_smoothly(tmp_path: Path) -> None:
    motion = {
        "kind": "zoom_in",
        "from": Camera(1.0, 0.5, 0.5).to_record(),
        "to": Camera(1.3, 0.4, 0.6).to_record(),
    }
    track = measured_track(tmp_path, motion, 45)
    assert_smooth_and_on_path(track, expected_positions(CENTRES, (640, 360), motion, 45))
    spread = np.hypot(*(track[:, -1] - track[:, 0]).T)
    assert spread[-1] / spread[0] == pytest.approx(1.3, rel=0.01)
    assert np.all(np.diff(spread) > 0)


def test_easing_is_monotonic_and_never_stops() -> None:
    values = np.array([ease(u) for u in np.linspace(0, 1, 101)])
    assert values[0] == 0.0 and values[-1] == 1.0
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("style", list(MotionStyle))
def test_windows_stay_inside_the_image(style: MotionStyle) -> None:
    for index in range(8):
        for subject in ((0.0, 0.0), (1.0, 1.0), (0.5, 0.5), (0.9, 0.1)):
            motion = design_motion(style, index, subject, 3.0)
            for progress in np.linspace(0, 1, 11):
                x, y, w, h = window_of(camera_at(motion, progress), (1000, 600), 1.35)
                assert x >= 0 and y >= 0 and x + w <= 1000 + 1e-9 and y + h <= 600 + 1e-9


def test_ken_burns_varies_direction() -> None:
    motions = [design_motion(MotionStyle.KEN_BURNS, index, (0.5, 0.5), 3.0) for index in range(6)]
    assert len({m["kind"] for m in motions}) == 3
    pans = [
        (m["from"]["px"], m["to"]["px"], m["from"]["py"], m["to"]["py"])
        for m in motions
        if m["kind"] == "pan"
    ]
    assert len(set(pans)) == len(pans)
