"""Facts about an encoded video, read with the bundled ffmpeg (there is no ffprobe)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class VideoInfo:
    video_codec: str
    width: int
    height: int
    pixel_format: str
    colour: str
    """What ffmpeg prints in brackets after the pixel format: range, matrix, scan."""
    audio_codec: str | None
    duration_s: float


def video_info(path: Path) -> VideoInfo:
    banner = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    video = re.search(r"Video: (\w+).*?, (\w+)(?:\((.*?)\))?, (\d+)x(\d+)", banner)
    audio = re.search(r"Audio: (\w+)", banner)
    duration = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", banner)
    assert video and duration, banner
    hours, minutes, seconds = duration.groups()
    return VideoInfo(
        video_codec=video.group(1),
        pixel_format=video.group(2),
        colour=video.group(3) or "",
        width=int(video.group(4)),
        height=int(video.group(5)),
        audio_codec=audio.group(1) if audio else None,
        duration_s=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
    )


def decode_frames(path: Path, size: tuple[int, int]) -> np.ndarray:
    """Every video frame, fully decoded, scaled to ``size``: (frames, height, width, 3) RGB."""
    width, height = size
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:v:0", "-vf", f"scale={width}:{height}",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


def decode_audio(path: Path) -> np.ndarray:
    """The audio track as float32 stereo (samples, 2) at 48 kHz."""
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-map", "0:a:0",
         "-f", "f32le", "-ac", "2", "-ar", "48000", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)
