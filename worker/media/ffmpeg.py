"""The ffmpeg binary the imageio-ffmpeg wheel ships, and one way to call it."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import imageio_ffmpeg


class FFmpegError(RuntimeError):
    pass


@cache
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str | Path], *, timeout: float = 600) -> str:
    """Run ffmpeg quietly; return its stderr (where it reports); raise with the tail on error."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise FFmpegError(f"ffmpeg failed ({result.returncode}): {tail}")
    return result.stderr
