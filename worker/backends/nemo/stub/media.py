"""The one real video the stub serves: a 2-second test pattern, made once per process."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from worker.media.ffmpeg import run_ffmpeg


@cache
def sample_mp4() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "sample.mp4"
        arguments: list[str | Path] = [
            "-loglevel", "error",
            "-f", "lavfi",
            "-i", "testsrc=duration=2:size=160x120:rate=10",
            "-c:v", "libx264",
            "-pix_fmt", "yuv420p",
            "-movflags", "+faststart",
            target,
        ]  # fmt: skip
        run_ffmpeg(arguments, timeout=60)
        return target.read_bytes()
