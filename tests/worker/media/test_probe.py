from pathlib import Path

import pytest

from tests.conftest import make_video
from worker.media.ffmpeg import run_ffmpeg
from worker.media.probe import ProbeError, extract_poster, probe_video


@pytest.fixture(scope="module")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("probe") / "sample.mp4", seconds=2)


def test_probe_reads_the_file(sample_video: Path) -> None:
    probe = probe_video(sample_video)
    assert (probe.container, probe.video_codec, probe.pixel_format) == ("mp4", "h264", "yuv420p")
    assert (probe.width, probe.height, probe.fps, probe.frames) == (320, 240, 25.0, 50)
    assert probe.duration == pytest.approx(2.0, abs=0.05)
    assert probe.audio_codec == "aac" and probe.audio_present
    assert probe.loudness_lufs is not None and -30 < probe.loudness_lufs < -10
    assert probe.size == sample_video.stat().st_size


def test_poster_is_a_jpeg(sample_video: Path, tmp_path: Path) -> None:
    poster = tmp_path / "poster.jpg"
    extract_poster(sample_video, poster, at_seconds=0.5)
    assert poster.read_bytes()[:2] == b"\xff\xd8"


def test_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"not a video")
    with pytest.raises(Exception) as raised:
        probe_video(fake)
    assert isinstance(raised.value, ProbeError | RuntimeError)


def test_silent_video_has_no_loudness(tmp_path: Path) -> None:
    video = tmp_path / "silent.webm"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", video])
    probe = probe_video(video)
    assert (probe.container, probe.audio_codec, probe.loudness_lufs) == ("webm", None, None)
    assert probe.model_dump()["audio_present"] is False
