"""Frames as the encoder takes them: 8-bit YUV 4:2:0, BT.709, limited range, in one buffer.

A frame is a contiguous array of shape (height * 3 / 2, width): the Y plane, then the U and
V planes at half resolution, exactly the ``yuv420p`` layout ffmpeg reads from a pipe. Working
in this layout halves the samples to warp and spares the encoder a colour conversion.
Chroma samples are treated as centred on each 2x2 block of luma samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

KR, KB = 0.2126, 0.0722
KG = 1.0 - KR - KB
BLACK = (16, 128, 128)

# Rows: Y, U (Cb), V (Cr); columns: R, G, B, offset. Inputs 0..255, outputs limited range.
RGB_TO_YUV = np.array(
    [
        [219 / 255 * KR, 219 / 255 * KG, 219 / 255 * KB, 16.0],
        [-112 / 255 * KR / (1 - KB), -112 / 255 * KG / (1 - KB), 112 / 255, 128.0],
        [112 / 255, -112 / 255 * KG / (1 - KR), -112 / 255 * KB / (1 - KR), 128.0],
    ],
    dtype=np.float32,
)


@dataclass(frozen=True)
class Planes:
    """A picture split into a full-resolution Y plane and half-resolution U and V planes.

    A picture of odd width or height keeps its size; its planes carry one more, repeated,
    column or row, so that every chroma sample covers a whole 2x2 block.
    """

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def each(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The planes themselves (views stay views)."""
        return self.y, self.u, self.v


def rgb_to_planes(rgb: np.ndarray) -> Planes:
    """``rgb`` (height, width, 3) uint8 as planes.

    Each full-size intermediate is let go as soon as the next exists, and so is ``rgb`` when
    the caller handed over its only reference (``rgb_to_planes(build(...))``): a shot
    source is built holding two full-size pictures at most, not four.
    """
    height, width = rgb.shape[:2]
    padded = rgb
    if height % 2 or width % 2:
        padded = cv2.copyMakeBorder(rgb, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE)
    del rgb
    yuv = cv2.transform(padded, RGB_TO_YUV)
    del padded
    chroma_size = (yuv.shape[1] // 2, yuv.shape[0] // 2)
    chroma = cv2.resize(yuv[..., 1:], chroma_size, interpolation=cv2.INTER_AREA)
    luma = np.ascontiguousarray(yuv[..., 0])
    del yuv
    return Planes(
        luma,
        np.ascontiguousarray(chroma[..., 0]),
        np.ascontiguousarray(chroma[..., 1]),
        width,
        height,
    )


def new_frame(width: int, height: int) -> np.ndarray:
    return np.empty((height * 3 // 2, width), dtype=np.uint8)


def frame_planes(frame: np.ndarray) -> Planes:
    """Views of the three planes of ``frame`` (writing to them writes the frame)."""
    width = frame.shape[1]
    height = frame.shape[0] * 2 // 3
    flat = frame.reshape(-1)
    luma, quarter = width * height, width * height // 4
    u = flat[luma : luma + quarter].reshape(height // 2, width // 2)
    v = flat[luma + quarter :].reshape(height // 2, width // 2)
    return Planes(frame[:height], u, v, width, height)


def towards_black(frame: np.ndarray, factor: float) -> np.ndarray:
    """``frame`` faded towards black: ``factor`` 1 leaves it, 0 makes it black."""
    height = frame.shape[0] * 2 // 3
    out = np.empty_like(frame)
    cv2.convertScaleAbs(frame[:height], out[:height], alpha=factor, beta=BLACK[0] * (1.0 - factor))
    cv2.convertScaleAbs(frame[height:], out[height:], alpha=factor, beta=BLACK[1] * (1.0 - factor))
    return out
