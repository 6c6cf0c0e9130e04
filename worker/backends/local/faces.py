"""Frontal faces, so crops keep them: scikit-image's LBP cascade, checked for skin tone.

The cascade alone finds faces in motorbikes and patterns; a detection counts only when it is
confirmed by many overlapping windows and most of its pixels have a skin-like chroma.

scikit-image (and the SciPy it pulls in, about 35 MB and 0.15 s) is imported on the first
detection, so a process that never frames a photo (a worker serving only cloud stages, the
main process of a worker) does not hold it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from skimage.feature import Cascade

DETECTION_LONG_SIDE = 256
MIN_NEIGHBOURS = 8
MIN_SKIN_SHARE = 0.35
# Skin chroma in YCrCb (Chai & Ngan, 1999).
SKIN_CR = (133, 173)
SKIN_CB = (77, 127)


@dataclass(frozen=True)
class Face:
    """A face box as fractions of the photo: centre and size."""

    cx: float
    cy: float
    size: float


@lru_cache(maxsize=1)
def _cascade() -> Cascade:
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    return Cascade(lbp_frontal_face_cascade_filename())


def _skin_share(rgb: np.ndarray) -> float:
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    cr, cb = ycrcb[..., 1], ycrcb[..., 2]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return float(skin.mean()) if skin.size else 0.0


def find_faces(rgb: np.ndarray) -> list[Face]:
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECTION_LONG_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    detections = _cascade().detect_multi_scale(
        img=small,
        scale_factor=1.1,
        step_ratio=1,
        min_size=(16, 16),
        max_size=(max(size), max(size)),
        min_neighbor_number=MIN_NEIGHBOURS,
    )
    faces = []
    for box in detections:
        top, left, side = box["r"], box["c"], box["width"]
        if _skin_share(small[top : top + side, left : left + side]) >= MIN_SKIN_SHARE:
            faces.append(
                Face((left + side / 2) / size[0], (top + side / 2) / size[1], side / max(size))
            )
    return faces
