"""Where to look in a photo: cover with a subject-aware crop, or contain on a blurred fill.

The subject is found with a saliency map computed on a thumbnail: spectral residual
(Hou & Zhang, 2007) plus colour distinctness (Achanta et al., 2009). The cover window slides
along the photo's long axis to hold the most saliency; when no window holds enough of it
and the crop would cut much of the photo, the photo is contained instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import cv2
import numpy as np

from worker.backends.local.faces import find_faces

ANALYSIS_LONG_SIDE = 128
KEEP_AREA_FOR_COVER = 0.7
"""Cover whenever it keeps at least this share of the photo…"""
KEEP_SALIENCY_FOR_COVER = 0.8
"""…or at least this share of what is salient in it; otherwise contain."""
CENTRE_BIAS = 0.15
BACKGROUND_SHRINK = 16
FACE_WEIGHT = 4.0
"""Faces together carry four times the saliency of everything else."""
BACKGROUND_BRIGHTNESS = 0.55


class FitMode(StrEnum):
    COVER = "cover"
    CONTAIN = "contain"


@dataclass(frozen=True)
class Framing:
    mode: FitMode
    window: tuple[float, float, float, float]
    """(x, y, width, height) of the crop as fractions of the photo; the whole photo for contain."""
    subject: tuple[float, float]
    """Centre of attention as fractions of the window."""

    def to_record(self) -> dict[str, object]:
        record = asdict(self)
        record["mode"] = str(self.mode)
        return record

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Framing:
        window = tuple(float(value) for value in record["window"])  # type: ignore[attr-defined]
        subject = tuple(float(value) for value in record["subject"])  # type: ignore[attr-defined]
        return cls(mode=FitMode(record["mode"]), window=window, subject=subject)  # type: ignore[arg-type]


def _spectral_residual(grey: np.ndarray) -> np.ndarray:
    spectrum = np.fft.fft2(grey.astype(np.float32))
    log_amplitude = np.log(np.abs(spectrum) + 1e-6).astype(np.float32)
    residual = log_amplitude - cv2.blur(log_amplitude, (3, 3))
    return (np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2).astype(
        np.float32
    )


def _colour_distinctness(rgb: np.ndarray) -> np.ndarray:
    """How far each (slightly blurred) pixel's Lab colour is from the picture's mean colour."""
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    lab = cv2.GaussianBlur(lab, (0, 0), 1.0)
    return np.linalg.norm(lab - lab.reshape(-1, 3).mean(axis=0), axis=2).astype(np.float32)


def _unit_peak(values: np.ndarray) -> np.ndarray:
    peak = float(values.max())
    return values / peak if peak > 0 else values


def saliency_map(rgb: np.ndarray) -> np.ndarray:
    """Where the eye goes in ``rgb``: a thumbnail-sized map (long side 128) summing to 1.

    Two cues, averaged: the spectral residual (what stands out from the image's usual
    spectrum: detail, edges, small objects) and colour distinctness (what differs from the
    picture's overall colour). The picture-wide average is taken off, so uniform texture
    counts for nothing, and a mild centre bias breaks ties. Faces outweigh everything else.
    """
    height, width = rgb.shape[:2]
    scale = ANALYSIS_LONG_SIDE / max(height, width)
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    thumbnail = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(thumbnail, cv2.COLOR_RGB2GRAY)
    residual = cv2.GaussianBlur(_spectral_residual(grey), (0, 0), sigmaX=max(size) / 40)
    combined = (_unit_peak(residual) + _unit_peak(_colour_distinctness(thumbnail))) / 2
    saliency = np.maximum(combined - float(combined.mean()), 0.0)
    ys, xs = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    distance = np.hypot(xs / size[0] - 0.5, ys / size[1] - 0.5)
    saliency *= 1.0 - CENTRE_BIAS * distance / 0.7071
    faces = find_faces(rgb)
    if faces:
        saliency /= max(float(saliency.sum()), 1e-12)
        for face in faces:
            spot = np.exp(
                -((xs / size[0] - face.cx) ** 2 + (ys / size[1] - face.cy) ** 2)
                / (2 * (face.size * 0.6) ** 2)
            )
            saliency += FACE_WEIGHT * spot / float(spot.sum()) / len(faces)
    total = float(saliency.sum())
    if total <= 0:
        return np.full(saliency.shape, 1.0 / saliency.size, dtype=np.float32)
    return saliency / total


def _best_span(profile: np.ndarray, span: float) -> tuple[float, float]:
    """Start (fraction) of the ``span``-wide window holding most of ``profile``, and that mass."""
    cells = len(profile)
    width = max(1, min(cells, round(span * cells)))
    sums = np.convolve(profile, np.ones(width), mode="valid")
    best = int(np.argmax(sums))
    start = best / cells
    return min(start, 1.0 - span), float(sums[best])


def choose_framing(rgb: np.ndarray, output_aspect: float) -> Framing:
    """How to fit ``rgb`` into an output of ``output_aspect`` (width / height)."""
    height, width = rgb.shape[:2]
    saliency = saliency_map(rgb)
    photo_aspect = width / height
    if abs(photo_aspect - output_aspect) < 1e-3:
        window = (0.0, 0.0, 1.0, 1.0)
        return Framing(FitMode.COVER, window, _centroid(saliency, window))
    if photo_aspect > output_aspect:
        span = output_aspect / photo_aspect
        start, mass = _best_span(saliency.sum(axis=0), span)
        window = (start, 0.0, span, 1.0)
    else:
        span = photo_aspect / output_aspect
        start, mass = _best_span(saliency.sum(axis=1), span)
        window = (0.0, start, 1.0, span)
    if span >= KEEP_AREA_FOR_COVER or mass >= KEEP_SALIENCY_FOR_COVER:
        return Framing(FitMode.COVER, window, _centroid(saliency, window))
    full = (0.0, 0.0, 1.0, 1.0)
    return Framing(FitMode.CONTAIN, full, _contained_subject(saliency, photo_aspect, output_aspect))


def _centroid(
    saliency: np.ndarray, window: tuple[float, float, float, float]
) -> tuple[float, float]:
    rows, cols = saliency.shape
    x, y, w, h = window
    x0, x1 = round(x * cols), max(round(x * cols) + 1, round((x + w) * cols))
    y0, y1 = round(y * rows), max(round(y * rows) + 1, round((y + h) * rows))
    part = saliency[y0:y1, x0:x1]
    total = float(part.sum())
    if total <= 0:
        return 0.5, 0.5
    ys, xs = np.mgrid[0 : part.shape[0], 0 : part.shape[1]]
    cx = (float((part * (xs + 0.5)).sum()) / total) / part.shape[1]
    cy = (float((part * (ys + 0.5)).sum()) / total) / part.shape[0]
    return cx, cy


def _contained_subject(
    saliency: np.ndarray, photo_aspect: float, output_aspect: float
) -> tuple[float, float]:
    """Subject position on the contain canvas, where the photo sits centred."""
    cx, cy = _centroid(saliency, (0.0, 0.0, 1.0, 1.0))
    if photo_aspect > output_aspect:
        share = output_aspect / photo_aspect
        return cx, 0.5 + (cy - 0.5) * share
    share = photo_aspect / output_aspect
    return 0.5 + (cx - 0.5) * share, cy


def build_shot_source(
    rgb: np.ndarray, framing: Framing, output_size: tuple[int, int], headroom: float
) -> np.ndarray:
    """The part of the photo a shot shows, at ``headroom`` times the output size at most.

    Cover: the crop window, resized. Contain: the whole photo centred on a blurred, darkened
    cover of itself. Both have exactly the output's aspect.
    """
    out_w, out_h = output_size
    height, width = rgb.shape[:2]
    if framing.mode == FitMode.COVER:
        x, y, w, h = framing.window
        x0, y0 = round(x * width), round(y * height)
        x1, y1 = max(x0 + 1, round((x + w) * width)), max(y0 + 1, round((y + h) * height))
        crop = rgb[y0:y1, x0:x1]
        scale = min(1.0, out_w * headroom / crop.shape[1])
        target = (
            max(2, round(out_w / out_h * crop.shape[0] * scale)),
            max(2, round(crop.shape[0] * scale)),
        )
        return cv2.resize(crop, target, interpolation=cv2.INTER_AREA)
    canvas_w, canvas_h = round(out_w * headroom), round(out_h * headroom)
    return _contain_canvas(rgb, canvas_w, canvas_h)


def _contain_canvas(rgb: np.ndarray, canvas_w: int, canvas_h: int) -> np.ndarray:
    """The photo fitted inside the canvas, on a blurred, darkened cover of itself."""
    height, width = rgb.shape[:2]
    cover_scale = max(canvas_w / width, canvas_h / height)
    crop_w, crop_h = canvas_w / cover_scale, canvas_h / cover_scale
    left, top = round((width - crop_w) / 2), round((height - crop_h) / 2)
    cover = rgb[top : top + round(crop_h), left : left + round(crop_w)]
    small_size = (max(2, canvas_w // BACKGROUND_SHRINK), max(2, canvas_h // BACKGROUND_SHRINK))
    small = cv2.GaussianBlur(cv2.resize(cover, small_size, interpolation=cv2.INTER_AREA), (0, 0), 3)
    canvas = cv2.resize(small, (canvas_w, canvas_h), interpolation=cv2.INTER_LINEAR)
    cv2.convertScaleAbs(canvas, canvas, alpha=BACKGROUND_BRIGHTNESS)
    fit_scale = min(canvas_w / width, canvas_h / height)
    fit_w, fit_h = min(canvas_w, round(width * fit_scale)), min(canvas_h, round(height * fit_scale))
    y0, x0 = (canvas_h - fit_h) // 2, (canvas_w - fit_w) // 2
    canvas[y0 : y0 + fit_h, x0 : x0 + fit_w] = cv2.resize(
        rgb, (fit_w, fit_h), interpolation=cv2.INTER_AREA
    )
    return canvas
