"""What a finished video really is: read back from the file with ffmpeg, not assumed."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, computed_field

from worker.media.ffmpeg import run_ffmpeg

CONTAINERS = {".mp4": "mp4", ".mov": "mov", ".webm": "webm", ".mkv": "mkv"}

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_INPUT = re.compile(r"Input #0, ([\w,]+), from")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")
_PIX_FMT = re.compile(r"Video: \w+[^,]*, (\w+)")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)")
_FRAMES = re.compile(r"frame=\s*(\d+)")
_INTEGRATED_LOUDNESS = re.compile(r"Integrated loudness:\s*I:\s*(-?\d+(?:\.\d+)?) LUFS")


class VideoProbe(BaseModel):
    container: str
    format: str
    video_codec: str
    pixel_format: str
    width: int
    height: int
    fps: float
    duration: float
    frames: int
    audio_codec: str | None
    loudness_lufs: float | None
    """Integrated loudness (EBU R128) of the first audio stream; None without audio."""
    size: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def audio_present(self) -> bool:
        return self.audio_codec is not None


class ProbeError(ValueError):
    pass


def probe_video(path: Path) -> VideoProbe:
    """Container, codecs, size and the frame count (read by demuxing every packet)."""
    report = run_ffmpeg(["-i", path, "-map", "0:v:0", "-c", "copy", "-f", "null", "-"])
    video = _VIDEO.search(report)
    duration = _DURATION.search(report)
    input_format = _INPUT.search(report)
    if not (video and duration and input_format):
        raise ProbeError(f"{path.name}: no video stream found")
    hours, minutes, seconds = duration.groups()
    video_line = report[video.start() :].splitlines()[0]
    fps = _FPS.search(video_line)
    pixel_format = _PIX_FMT.search(video_line)
    audio = _AUDIO.search(report)
    frames = _FRAMES.findall(report)
    return VideoProbe(
        container=CONTAINERS.get(path.suffix.lower(), input_format.group(1)),
        format=input_format.group(1),
        video_codec=video.group(1),
        pixel_format=pixel_format.group(1) if pixel_format else "",
        width=int(video.group(2)),
        height=int(video.group(3)),
        fps=float(fps.group(1)) if fps else 0.0,
        duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        frames=int(frames[-1]) if frames else 0,
        audio_codec=audio.group(1) if audio else None,
        loudness_lufs=integrated_loudness(path) if audio else None,
        size=path.stat().st_size,
    )


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness of the first audio stream, in LUFS (ffmpeg's ebur128)."""
    report = run_ffmpeg(["-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"])
    measured = _INTEGRATED_LOUDNESS.findall(report)
    if not measured:
        raise ProbeError(f"{path.name}: the loudness of its audio could not be measured")
    return float(measured[-1])


def extract_poster(video: Path, poster: Path, *, at_seconds: float) -> None:
    seek = f"{at_seconds:.3f}"
    run_ffmpeg(["-y", "-ss", seek, "-i", video, "-frames:v", "1", "-q:v", "3", poster])
