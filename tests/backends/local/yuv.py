"""Frames to and from RGB, to build test frames and to look at rendered ones."""

from __future__ import annotations

import cv2
import numpy as np

from worker.backends.local.frame import RGB_TO_YUV, frame_planes, new_frame, rgb_to_planes

_LINEAR = RGB_TO_YUV[:, :3].astype(np.float64)
YUV_TO_RGB = np.hstack(
    [np.linalg.inv(_LINEAR), -np.linalg.inv(_LINEAR) @ RGB_TO_YUV[:, 3:].astype(np.float64)]
).astype(np.float32)


def frame_to_rgb(frame: np.ndarray) -> np.ndarray:
    planes = frame_planes(frame)
    width, height = planes.size
    chroma = cv2.resize(
        np.dstack([planes.u, planes.v]), (width, height), interpolation=cv2.INTER_LINEAR
    )
    return cv2.transform(np.dstack([planes.y, chroma]), YUV_TO_RGB)


def rgb_to_frame(rgb: np.ndarray) -> np.ndarray:
    planes = rgb_to_planes(rgb)
    width, height = planes.size
    frame = new_frame(width, height)
    target = frame_planes(frame)
    target.y[...] = planes.y
    target.u[...] = planes.u
    target.v[...] = planes.v
    return frame
