"""One ffmpeg process per video: raw YUV 4:2:0 frames on stdin, optional music, one file out.

Frames are handed to a writer thread through a short queue, so building the next frame
overlaps with ffmpeg reading and encoding the previous ones; the queue bounds memory.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import imageio_ffmpeg
import numpy as np

from worker.job.spec import Container

QUEUE_FRAMES = 6
COLOUR_TAGS = ["-color_range", "tv", "-colorspace", "bt709",
               "-color_primaries", "bt709", "-color_trc", "bt709"]  # fmt: skip
"""What the frames are (see ``frame``), said of the input and written into the output."""


@dataclass(frozen=True)
class EncodeSettings:
    width: int
    height: int
    fps: int
    container: Container
    x264_preset: str
    crf: int
    threads: int = 0
    """Encoder threads; 0 lets the encoder choose (about 1.5 per core)."""


def encoder_threads(renders_at_once: int) -> int:
    """Threads for one encoder when ``renders_at_once`` renders share this machine's cores.

    One render lets the encoder choose (0). Several, each starting the encoder's default of
    about 1.5 threads per core, would oversubscribe the cores (and each thread holds frames):
    each gets its share of the cores instead, at least one."""
    if renders_at_once <= 1:
        return 0
    return max(1, (os.cpu_count() or 1) // renders_at_once)


def codec_arguments(settings: EncodeSettings, with_audio: bool) -> list[str]:
    if settings.container == Container.WEBM:
        video = ["-c:v", "libvpx-vp9", "-crf", str(min(63, settings.crf + 12)), "-b:v", "0",
                 "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"]  # fmt: skip
        audio = ["-c:a", "libopus", "-b:a", "160k"]
    else:
        video = ["-c:v", "libx264", "-preset", settings.x264_preset, "-crf", str(settings.crf),
                 "-profile:v", "high", "-g", str(settings.fps * 2)]  # fmt: skip
        audio = ["-c:a", "aac", "-b:a", "192k"]
    if settings.threads:
        video += ["-threads", str(settings.threads)]
    faststart = (
        ["-movflags", "+faststart"] if settings.container in (Container.MP4, Container.MOV) else []
    )
    return [*video, *COLOUR_TAGS, *(audio if with_audio else ["-an"]), *faststart]


def encode_command(settings: EncodeSettings, output: Path, music: Path | None) -> list[str]:
    source = ["-f", "rawvideo", "-pix_fmt", "yuv420p", *COLOUR_TAGS,
              "-s", f"{settings.width}x{settings.height}", "-framerate", str(settings.fps),
              "-i", "pipe:0"]  # fmt: skip
    audio_input = ["-i", str(music)] if music else []
    mapping = ["-map", "0:v:0", *(["-map", "1:a:0"] if music else [])]
    return [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error",
        *source, *audio_input, *mapping, *codec_arguments(settings, music is not None),
        str(output),
    ]  # fmt: skip


class EncodeError(RuntimeError):
    pass


class FrameEncoder:
    """``with FrameEncoder(...) as encoder: encoder.write(frame)`` for each YUV 4:2:0 frame."""

    def __init__(self, settings: EncodeSettings, output: Path, music: Path | None = None) -> None:
        self.settings = settings
        self.output = output
        self.command = encode_command(settings, output, music)
        self._frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self.log_path = output.with_name(output.name + ".log")
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.frames_written = 0

    def __enter__(self) -> FrameEncoder:
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stderr=log)
        self._thread = threading.Thread(target=self._pump, name="frame-writer", daemon=True)
        self._thread.start()
        return self

    def _pump(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            while (frame := self._frames.get()) is not None:
                self._process.stdin.write(memoryview(frame).cast("B"))
        except BaseException as error:
            self._failure = error
            while self._frames.get() is not None:
                pass
        finally:
            with contextlib.suppress(OSError):  # ffmpeg is gone; its exit status says why
                self._process.stdin.close()

    def write(self, frame: np.ndarray) -> None:
        expected = (self.settings.height * 3 // 2, self.settings.width)
        if frame.shape != expected or frame.dtype != np.uint8:
            raise ValueError(f"frame {frame.shape} {frame.dtype}, expected {expected} uint8")
        if self._failure is not None:
            raise EncodeError(f"ffmpeg stopped reading frames: {self._ffmpeg_log()}")
        self._frames.put(np.ascontiguousarray(frame))
        self.frames_written += 1

    def _ffmpeg_log(self) -> str:
        return self.log_path.read_text(errors="replace").strip()[-2000:]

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._process is not None and self._thread is not None
        self._frames.put(None)
        self._thread.join()
        if error is not None:
            self._process.kill()
            self._process.wait()
            return
        code = self._process.wait()
        if code != 0 or self._failure is not None:
            raise EncodeError(f"ffmpeg exited with {code}: {self._ffmpeg_log()}")
