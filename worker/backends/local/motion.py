"""Ken Burns: a camera window gliding over a still, warped with sub-pixel float affines.

A motion goes from one camera to another. A camera is ``zoom`` (>= 1, relative to the shot's
base window) and ``px``/``py``: where the zoomed window sits inside the base window, from 0
(left/top edge) to 1 (right/bottom edge). Any px/py in [0, 1] keeps the window inside the
image, so interpolating them never needs clamping, and the path stays smooth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from worker.backends.local.frame import Planes, frame_planes
from worker.prompt.vocabulary import MotionStyle

EASE_SHARE = 0.5
"""How much of the motion is eased (the rest is linear), so shots never fully stop."""


@dataclass(frozen=True)
class Camera:
    zoom: float
    px: float
    py: float

    def to_record(self) -> dict[str, float]:
        return {"zoom": round(self.zoom, 5), "px": round(self.px, 5), "py": round(self.py, 5)}


CENTRED = Camera(zoom=1.0, px=0.5, py=0.5)


def ease(progress: float) -> float:
    """Part linear, part smoothstep: gentle start and end, never a standstill."""
    u = min(max(progress, 0.0), 1.0)
    return (1.0 - EASE_SHARE) * u + EASE_SHARE * u * u * (3.0 - 2.0 * u)


def zoom_amount(shot_seconds: float) -> float:
    return 1.0 + min(max(0.035 * shot_seconds, 0.06), 0.18)


def _towards(subject: tuple[float, float], zoom: float) -> Camera:
    """Camera at ``zoom`` with the subject as near the centre as the image allows."""
    inner = 1.0 - 1.0 / zoom
    px = (subject[0] - 0.5 / zoom) / inner
    py = (subject[1] - 0.5 / zoom) / inner
    return Camera(zoom, min(max(px, 0.0), 1.0), min(max(py, 0.0), 1.0))


_PAN_PATHS: list[tuple[tuple[float, float], tuple[float, float]]] = [
    ((0.0, 0.5), (1.0, 0.5)),
    ((1.0, 0.3), (0.0, 0.7)),
    ((0.5, 0.0), (0.5, 1.0)),
    ((0.2, 1.0), (0.8, 0.0)),
]
_KEN_BURNS_CYCLE = [MotionStyle.ZOOM_IN, MotionStyle.PAN, MotionStyle.ZOOM_OUT, MotionStyle.PAN]


def design_motion(
    style: MotionStyle, index: int, subject: tuple[float, float], shot_seconds: float
) -> dict[str, Any]:
    """The motion of shot ``index``; directions vary from shot to shot."""
    kind = (
        _KEN_BURNS_CYCLE[index % len(_KEN_BURNS_CYCLE)] if style == MotionStyle.KEN_BURNS else style
    )
    zoom = zoom_amount(shot_seconds)
    if kind == MotionStyle.ZOOM_IN:
        start, end = CENTRED, _towards(subject, zoom)
    elif kind == MotionStyle.ZOOM_OUT:
        start, end = _towards(subject, zoom), CENTRED
    elif kind == MotionStyle.PAN:
        (x0, y0), (x1, y1) = _PAN_PATHS[
            (index // 2 if style == MotionStyle.KEN_BURNS else index) % len(_PAN_PATHS)
        ]
        pan_zoom = 1.0 + (zoom - 1.0) * 0.8
        start, end = Camera(pan_zoom, x0, y0), Camera(pan_zoom, x1, y1)
    else:
        start = end = CENTRED
    return {"kind": str(kind), "from": start.to_record(), "to": end.to_record()}


def camera_at(motion: dict[str, Any], progress: float) -> Camera:
    start, end = motion["from"], motion["to"]
    e = ease(progress)
    zoom = start["zoom"] * math.pow(end["zoom"] / start["zoom"], e)
    return Camera(
        zoom,
        start["px"] + (end["px"] - start["px"]) * e,
        start["py"] + (end["py"] - start["py"]) * e,
    )


def window_of(
    camera: Camera, source_size: tuple[int, int], extra_zoom: float = 1.0
) -> tuple[float, float, float, float]:
    """(x, y, width, height) in source pixels seen by ``camera``; always inside the source."""
    width, height = source_size
    zoom = camera.zoom * extra_zoom
    w, h = width / zoom, height / zoom
    return (width - w) * camera.px, (height - h) * camera.py, w, h


def _warp_plane(
    source: np.ndarray,
    window: tuple[float, float, float, float],
    target: np.ndarray,
    shift: tuple[float, float],
) -> None:
    """Resample ``window`` of ``source`` into all of ``target``, moved by ``shift`` pixels.

    Pixel centres map exactly: output pixel j samples source x + (j + 0.5 - shift) * step - 0.5.
    """
    x, y, w, h = window
    out_h, out_w = target.shape
    step_x, step_y = w / out_w, h / out_h
    inverse = np.array(
        [
            [step_x, 0.0, x + (0.5 - shift[0]) * step_x - 0.5],
            [0.0, step_y, y + (0.5 - shift[1]) * step_y - 0.5],
        ],
        dtype=np.float64,
    )
    cv2.warpAffine(
        source,
        inverse,
        (out_w, out_h),
        dst=target,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def warp_window(
    source: Planes,
    window: tuple[float, float, float, float],
    frame: np.ndarray,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """Fill ``frame`` with ``window`` (luma pixels) of ``source``, moved by ``shift`` (x, y)."""
    target = frame_planes(frame)
    x, y, w, h = window
    half = (x / 2, y / 2, w / 2, h / 2)
    half_shift = (shift[0] / 2, shift[1] / 2)
    _warp_plane(source.y, window, target.y, shift)
    _warp_plane(source.u, half, target.u, half_shift)
    _warp_plane(source.v, half, target.v, half_shift)
    return frame
