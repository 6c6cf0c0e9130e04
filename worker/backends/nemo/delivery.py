"""The rendered MP4 delivered as the job asked: in its container, and checked against its shape.

NemoVideo renders MP4 (H.264/AAC). MOV and MKV take those streams as they are (stream copy);
WebM needs VP9/Opus, so it is transcoded. The delivered file is probed and every difference from
what the job asked (size, aspect, frame rate, length) becomes a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from worker.backends.local.encode import EncodeSettings, codec_arguments
from worker.job.spec import Aspect, Container, JobOptions, Resolution
from worker.media.ffmpeg import FFmpegError, run_ffmpeg
from worker.media.probe import VideoProbe
from worker.understanding.fields import understand

FPS_TOLERANCE = 0.5
DURATION_TOLERANCE = 0.15
"""A length this far (as a share of the asked length, at least a second) from the asked one."""
ASPECT_TOLERANCE = 0.02
TRANSCODE_CRF = 23
KEYFRAME_FPS = 30
"""Frame rate the keyframe interval of a re-encode is reckoned in when the job asks none."""


@dataclass(frozen=True)
class AskedShape:
    """What the job asked of the video, from its options or else its prompt; None: not asked."""

    aspect: Aspect | None
    resolution: Resolution | None
    fps: int | None
    duration: float | None


def asked_shape(prompt: str, options: JobOptions, settings: Settings) -> AskedShape:
    """What the options, the prompt or a platform it names ask of the shape (not defaults)."""
    asked = understand(prompt, options, settings)
    return AskedShape(
        aspect=asked.stated("aspect"),
        resolution=asked.stated("resolution"),
        fps=asked.stated("fps"),
        duration=asked.stated("duration_s"),
    )


def transcode_arguments(options: JobOptions) -> list[str]:
    """Codec arguments for a full re-encode into the asked container (the local renderer's)."""
    settings = EncodeSettings(
        width=0,
        height=0,
        fps=options.fps or KEYFRAME_FPS,
        container=options.container,
        x264_preset="veryfast",
        crf=TRANSCODE_CRF,
    )
    return codec_arguments(settings, with_audio=True)


def deliver(rendered: Path, options: JobOptions) -> tuple[Path, str]:
    """The file in the asked container beside ``rendered``, and how it was made: ``as_rendered``,
    ``stream_copy`` or ``transcoded``."""
    container = options.container
    if container == Container.MP4:
        return rendered, "as_rendered"
    target = rendered.with_suffix(f".{container.value}")
    source = ["-y", "-i", rendered, "-map", "0:v:0", "-map", "0:a:0?"]
    if container != Container.WEBM:
        try:
            run_ffmpeg([*source, "-c", "copy", target])
            return target, "stream_copy"
        except FFmpegError:
            target.unlink(missing_ok=True)
    run_ffmpeg([*source, *transcode_arguments(options), target])
    return target, "transcoded"


def asked_size(aspect: Aspect, resolution: Resolution) -> tuple[int, int]:
    """Width and height of ``resolution`` (its short side) in ``aspect``."""
    short = resolution.short_side
    across, down = aspect.ratio
    if across >= down:
        return round(short * across / down / 2) * 2, short
    return short, round(short * down / across / 2) * 2


def size_warning(probe: VideoProbe, asked: AskedShape) -> str | None:
    got = f"size {probe.width}x{probe.height}"
    if asked.aspect and asked.resolution:
        size = asked_size(asked.aspect, asked.resolution)
        if (probe.width, probe.height) != size:
            return f"{got}, asked {size[0]}x{size[1]} ({asked.aspect.value})"
    elif asked.aspect:
        across, down = asked.aspect.ratio
        if abs(probe.width / probe.height - across / down) > ASPECT_TOLERANCE * across / down:
            return f"{got}, asked {asked.aspect.value}"
    elif asked.resolution and min(probe.width, probe.height) != asked.resolution.short_side:
        return f"{got}, asked {asked.resolution.value}"
    return None


def shape_warnings(probe: VideoProbe, asked: AskedShape) -> list[str]:
    """Every way the delivered video differs from what the job asked."""
    warnings = [warning] if (warning := size_warning(probe, asked)) else []
    if asked.fps and abs(probe.fps - asked.fps) > FPS_TOLERANCE:
        warnings.append(f"{probe.fps:g} fps, asked {asked.fps}")
    if asked.duration and abs(probe.duration - asked.duration) > max(
        1.0, asked.duration * DURATION_TOLERANCE
    ):
        warnings.append(f"{probe.duration:.1f} s long, asked {asked.duration:g} s")
    return warnings
