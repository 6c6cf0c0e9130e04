"""The rendered MP4 delivered as the job asked: in its container, and checked against its shape.

NemoVideo renders MP4 (H.264/AAC). MOV and MKV take those streams as they are (stream copy);
WebM needs VP9/Opus, so it is transcoded. The delivered file is probed and every difference from
what the job asked (size, aspect, frame rate, length) becomes a warning.
"""

from __future__ import annotations

from pathlib import Path

from worker.backends.local.encode import EncodeSettings, codec_arguments
from worker.ffmpeg import FFmpegError, run_ffmpeg
from worker.probe import VideoProbe
from worker.spec import Container, JobOptions

FPS_TOLERANCE = 0.5
DURATION_TOLERANCE = 0.15
"""A length this far (as a share of the asked length, at least a second) from the asked one."""
TRANSCODE_CRF = 23


def transcode_arguments(options: JobOptions) -> list[str]:
    """Codec arguments for a full re-encode into the asked container (the local renderer's)."""
    settings = EncodeSettings(
        width=0,
        height=0,
        fps=options.fps,
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


def asked_size(options: JobOptions) -> tuple[int, int] | None:
    """Width and height the options ask for; None when no aspect was asked."""
    if options.aspect is None:
        return None
    short = options.resolution.short_side
    across, down = options.aspect.ratio
    if across >= down:
        return round(short * across / down / 2) * 2, short
    return short, round(short * down / across / 2) * 2


def shape_warnings(probe: VideoProbe, options: JobOptions) -> list[str]:
    """Every way the delivered video differs from what the job asked."""
    warnings = []
    size = asked_size(options)
    got = f"{probe.width}x{probe.height}"
    if size is not None and (probe.width, probe.height) != size:
        warnings.append(f"size {got}, asked {size[0]}x{size[1]} ({options.aspect})")
    elif size is None and min(probe.width, probe.height) != options.resolution.short_side:
        warnings.append(f"size {got}, asked {options.resolution.value}")
    if abs(probe.fps - options.fps) > FPS_TOLERANCE:
        warnings.append(f"{probe.fps:g} fps, asked {options.fps}")
    if options.duration and abs(probe.duration - options.duration) > max(
        1.0, options.duration * DURATION_TOLERANCE
    ):
        warnings.append(f"{probe.duration:.1f} s long, asked {options.duration:g} s")
    return warnings
