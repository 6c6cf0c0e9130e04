from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.backends.local.probe import decode_frames, video_info
from tests.backends.local.yuv import rgb_to_frame
from worker.backends.local.encode import (
    EncodeError,
    EncodeSettings,
    FrameEncoder,
    codec_arguments,
    encoder_threads,
)
from worker.backends.local.frame import new_frame
from worker.job.spec import Container


def settings(**changes: object) -> EncodeSettings:
    values: dict[str, object] = {
        "width": 64,
        "height": 48,
        "fps": 25,
        "container": Container.MP4,
        "x264_preset": "ultrafast",
        "crf": 23,
    }
    values.update(changes)
    return EncodeSettings(**values)  # type: ignore[arg-type]


def test_every_frame_written_is_in_the_file(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    with FrameEncoder(settings(), output) as encoder:
        for level in range(0, 250, 10):
            encoder.write(rgb_to_frame(np.full((48, 64, 3), level, dtype=np.uint8)))
    decoded = decode_frames(output, (8, 6))
    assert len(decoded) == encoder.frames_written == 25
    assert list(decoded[:, 3, 4, 0].astype(int)) == pytest.approx(list(range(0, 250, 10)), abs=4)
    assert video_info(output).audio_codec is None


def test_wrong_frame_shape_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError), FrameEncoder(settings(), tmp_path / "out.mp4") as encoder:
        encoder.write(new_frame(32, 48))


def test_ffmpeg_failure_is_reported_with_its_message(tmp_path: Path) -> None:
    broken = FrameEncoder(settings(x264_preset="no-such-preset"), tmp_path / "out.mp4")
    with pytest.raises(EncodeError, match="ffmpeg"), broken as encoder:
        for _ in range(200):
            encoder.write(new_frame(64, 48))


def test_encoder_threads_share_the_cores_between_concurrent_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert encoder_threads(1) == 0  # one render: the encoder's own choice
    assert encoder_threads(2) == 1
    assert encoder_threads(8) == 1
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert encoder_threads(2) == 4


def test_thread_count_reaches_the_encoder(tmp_path: Path) -> None:
    assert "-threads" not in codec_arguments(settings(), with_audio=False)
    arguments = codec_arguments(settings(threads=1), with_audio=False)
    assert arguments[arguments.index("-threads") + 1] == "1"
    output = tmp_path / "out.mp4"
    with FrameEncoder(settings(threads=1), output) as encoder:
        for _ in range(5):
            encoder.write(rgb_to_frame(np.zeros((48, 64, 3), dtype=np.uint8)))
    assert len(decode_frames(output, (8, 6))) == 5
