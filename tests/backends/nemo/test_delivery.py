"""The rendered MP4 delivered in the asked container, its shape checked against the request."""

from __future__ import annotations

import pytest

from config.settings import Settings
from tests.backends.nemo.harness import NewJob, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.delivery import AskedShape, asked_shape, asked_size, shape_warnings
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.spec import Aspect, Container, JobOptions, Resolution
from worker.media.probe import VideoProbe, probe_video


@pytest.mark.parametrize(
    ("container", "how", "codec"),
    [
        (Container.WEBM, "transcoded", "vp9"),
        (Container.MOV, "stream_copy", "h264"),
        (Container.MKV, "stream_copy", "h264"),
        (Container.MP4, "as_rendered", "h264"),
    ],
)
def test_the_asked_container_is_delivered(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    new_job: NewJob,
    container: Container,
    how: str,
    codec: str,
) -> None:
    job = new_job(f"in-{container.value}")
    job.spec = job.spec.model_copy(
        update={"options": JobOptions(backend="nemo", container=container)}
    )
    video = run_job(backend, job)
    assert video.suffix == f".{container.value}"
    probe = probe_video(video)
    assert probe.video_codec == codec
    assert job.book["delivered"]["how"] == how
    assert (job.book["delivered"]["width"], job.book["delivered"]["height"]) == (160, 120)
    # "A calm 10-second travel reel": a reel is Instagram's, 9:16
    assert job.book["warnings"] == ["size 160x120, asked 9:16", "2.0 s long, asked 10 s"]
    sources = job.book["plan"]["sources"]
    assert sources["aspect"] == {"from": "platform", "words": "Instagram Reels"}
    assert sources["duration_s"] == {"from": "prompt", "words": "10-second"}


def probe(width: int, height: int, fps: float, duration: float) -> VideoProbe:
    return VideoProbe(
        container="mp4",
        format="mov,mp4",
        video_codec="h264",
        pixel_format="yuv420p",
        width=width,
        height=height,
        fps=fps,
        duration=duration,
        frames=int(fps * duration),
        audio_codec=None,
        loudness_lufs=None,
        size=1,
    )


def test_asked_size_follows_aspect_and_resolution() -> None:
    assert asked_size(Aspect.VERTICAL, Resolution.FULL_HD) == (1080, 1920)
    assert asked_size(Aspect.LANDSCAPE, Resolution.HD) == (1280, 720)
    assert asked_size(Aspect.SQUARE, Resolution.FULL_HD) == (1080, 1080)


def test_the_options_win_over_the_prompt_and_nothing_asked_is_none() -> None:
    asked = asked_shape("a 16:9 reel, 720p, 24 fps, 8 seconds", JobOptions(fps=30), Settings())
    assert asked == AskedShape(Aspect.LANDSCAPE, Resolution.HD, 30, 8.0)
    reel = asked_shape("a reel", JobOptions(), Settings())
    assert reel == AskedShape(Aspect.VERTICAL, None, None, None)  # what Instagram Reels show
    assert asked_shape("a calm slideshow", JobOptions(), Settings()) == AskedShape(
        None, None, None, None
    )


def test_a_video_as_asked_has_no_warning() -> None:
    asked = AskedShape(Aspect.VERTICAL, Resolution.FULL_HD, 30, 10.0)
    assert shape_warnings(probe(1080, 1920, 30, 10.2), asked) == []
    assert shape_warnings(probe(160, 120, 10, 2), AskedShape(None, None, None, None)) == []
    assert (
        shape_warnings(probe(720, 1280, 25, 2), AskedShape(Aspect.VERTICAL, None, None, None)) == []
    )


def test_every_difference_is_a_warning() -> None:
    asked = AskedShape(Aspect.VERTICAL, Resolution.FULL_HD, 30, 10.0)
    assert shape_warnings(probe(1920, 1080, 25, 15), asked) == [
        "size 1920x1080, asked 1080x1920 (9:16)",
        "25 fps, asked 30",
        "15.0 s long, asked 10 s",
    ]
    only_aspect = AskedShape(Aspect.VERTICAL, None, None, None)
    assert shape_warnings(probe(160, 120, 10, 2), only_aspect) == ["size 160x120, asked 9:16"]
    only_resolution = AskedShape(None, Resolution.HD, None, None)
    assert shape_warnings(probe(160, 120, 10, 2), only_resolution) == ["size 160x120, asked 720p"]


def test_the_warnings_reach_the_summary() -> None:
    from worker.outputs.summary import _job_card

    job = {
        "job_id": "j",
        "status": "succeeded",
        "prompt": "p",
        "files": {},
        "seconds": {},
        "warnings": ["25 fps, asked 30"],
    }
    assert '<p class="warning">25 fps, asked 30</p>' in _job_card(job, "")
