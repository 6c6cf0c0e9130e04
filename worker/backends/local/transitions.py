"""How one shot gives way to the next: frames (YUV 4:2:0 buffers) mixed by progress."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from worker.backends.local.frame import frame_planes, towards_black
from worker.backends.local.motion import ease
from worker.prompt.vocabulary import TransitionStyle

ZOOM_PUSH = 0.35
"""Extra zoom the outgoing shot pushes into, and the incoming one settles from."""
WIPE_EDGE_SHARE = 0.08

ShotRenderer = Callable[[float, float, float], np.ndarray]
"""Renders a shot at (extra zoom, horizontal shift, vertical shift), shifts in output pixels."""


def blend_transition(
    style: TransitionStyle,
    outgoing: ShotRenderer,
    incoming: ShotRenderer,
    progress: float,
    size: tuple[int, int],
) -> np.ndarray:
    """Frame ``progress`` (0..1) of the way from ``outgoing`` to ``incoming``, (w, h) ``size``.

    A cut has no frames of its own (its shots do not overlap); asked for one anyway it shows
    one shot whole, then the other. Slides push the next shot in along the long side: from the
    right in landscape and square frames, from below in vertical ones, the way those feeds are
    swiped.
    """
    p = min(max(progress, 0.0), 1.0)
    if style == TransitionStyle.CUT:
        return (outgoing if p < 0.5 else incoming)(1.0, 0.0, 0.0)
    if style == TransitionStyle.BLACK:
        if p < 0.5:
            return towards_black(outgoing(1.0, 0.0, 0.0), 1.0 - 2.0 * p)
        return towards_black(incoming(1.0, 0.0, 0.0), 2.0 * p - 1.0)
    if style == TransitionStyle.ZOOM:
        e = ease(p)
        a = outgoing(1.0 + ZOOM_PUSH * e, 0.0, 0.0)
        b = incoming(1.0 + ZOOM_PUSH * (1.0 - e), 0.0, 0.0)
        weight = p * p * (3.0 - 2.0 * p)
        return cv2.addWeighted(a, 1.0 - weight, b, weight, 0.0)
    if style == TransitionStyle.SLIDE:
        width, height = size
        if height > width:
            seam = (1.0 - ease(p)) * height
            a, b = outgoing(1.0, 0.0, seam - height), incoming(1.0, 0.0, seam)
            return _slide(a, b, seam / height, vertical=True)
        seam = (1.0 - ease(p)) * width
        a, b = outgoing(1.0, seam - width, 0.0), incoming(1.0, seam, 0.0)
        return _slide(a, b, seam / width, vertical=False)
    if style == TransitionStyle.WIPE:
        return _wipe(outgoing(1.0, 0.0, 0.0), incoming(1.0, 0.0, 0.0), ease(p))
    return cv2.addWeighted(outgoing(1.0, 0.0, 0.0), 1.0 - p, incoming(1.0, 0.0, 0.0), p, 0.0)


def _slide(a: np.ndarray, b: np.ndarray, seam_share: float, vertical: bool) -> np.ndarray:
    """``a`` before the seam (left, or above), ``b`` after it; the line the seam cuts is mixed."""
    result = b.copy()
    planes = zip(frame_planes(a).each, frame_planes(result).each, strict=True)
    for plane_a, plane_out in ((pa.T, po.T) if vertical else (pa, po) for pa, po in planes):
        seam = seam_share * plane_a.shape[1]
        whole = int(seam)
        plane_out[:, :whole] = plane_a[:, :whole]
        if whole < plane_a.shape[1] and seam > whole:
            share = seam - whole
            mixed = plane_a[:, whole] * share + plane_out[:, whole] * (1.0 - share)
            plane_out[:, whole] = (mixed + 0.5).astype(np.uint8)
    return result


def _wipe(a: np.ndarray, b: np.ndarray, progress: float) -> np.ndarray:
    """``b`` revealed left to right behind a soft edge."""
    result = a.copy()
    planes = zip(frame_planes(a).each, frame_planes(b).each, frame_planes(result).each, strict=True)
    for plane_a, plane_b, plane_out in planes:
        _wipe_plane(plane_a, plane_b, plane_out, progress)
    return result


def _wipe_plane(a: np.ndarray, b: np.ndarray, out: np.ndarray, progress: float) -> None:
    width = a.shape[1]
    edge = max(2, round(width * WIPE_EDGE_SHARE))
    front = progress * (width + edge)
    columns = np.arange(width, dtype=np.float32) + 0.5
    weight = np.clip((front - columns) / edge, 0.0, 1.0)
    full = int(np.count_nonzero(weight >= 1.0))
    band_end = int(np.count_nonzero(weight > 0.0))
    out[:, :full] = b[:, :full]
    if band_end > full:
        band = weight[full:band_end][None, :]
        mixed = a[:, full:band_end] * (1.0 - band) + b[:, full:band_end] * band
        out[:, full:band_end] = (mixed + 0.5).astype(np.uint8)
