"""`photoreel run` end to end: real redis-server, real Celery worker processes, real ffmpeg."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_photo
from worker.media.ffmpeg import run_ffmpeg

pytestmark = pytest.mark.integration
PHOTOREEL = str(Path(sys.executable).parent / "photoreel")


def photoreel(*args: str, redis_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.run(
        [PHOTOREEL, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def decoded_frames(video: Path) -> int:
    """Decode every frame (not just demux) and count them."""
    report = run_ffmpeg(["-i", video, "-map", "0:v:0", "-f", "null", "-"])
    return int(re.findall(r"frame=\s*(\d+)", report)[-1])


def test_run_makes_a_video_poster_and_report(photo_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = photoreel("run", str(photo_set), "--out", str(out), "--resolution", "720p")
    assert result.returncode == 0, result.stdout + result.stderr
    job = out / "beach-day"
    assert sorted(path.name for path in job.iterdir()) == [
        "log.jsonl",
        "poster.jpg",
        "report.json",
        "video.mp4",
    ]
    report = json.loads((job / "report.json").read_text())
    assert report["status"] == "succeeded" and report["error"] is None
    probe = report["output"]["probe"]
    assert (probe["container"], probe["video_codec"], probe["pixel_format"]) == (
        "mp4",
        "h264",
        "yuv420p",
    )
    assert (probe["width"], probe["height"], probe["fps"]) == (1280, 720, 30.0)
    assert decoded_frames(job / "video.mp4") == 4 * 30
    assert abs(probe["duration"] - 4.0) <= 1 / 30 + 0.03
    assert set(report["stages"]["seconds"]) == {
        "session", "upload", "generate", "complete", "export", "download", "publish"
    }  # fmt: skip
    assert report["timeline"]["summary"].startswith("Timeline (")
    assert (job / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_corrupt_photo_fails_its_job_only(tmp_path: Path, redis_url: str) -> None:
    inbox = tmp_path / "inbox"
    for index in range(2):
        make_photo(inbox / "good" / f"{index}.jpg", seed=index)
    make_photo(inbox / "bad" / "fine.jpg")
    corrupt = inbox / "bad" / "broken.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    before = corrupt.read_bytes()
    (inbox / "good" / "prompt.txt").write_text("3 seconds, square")
    (inbox / "bad" / "prompt.txt").write_text("3 seconds, square")
    out = tmp_path / "out"

    result = photoreel(
        "run", str(inbox), "--out", str(out), "--resolution", "720p", redis_url=redis_url
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "broken.jpg" in result.stderr
    assert (out / "good" / "video.mp4").stat().st_size > 0
    bad = json.loads((out / "bad" / "report.json").read_text())
    assert bad["status"] == "failed"
    assert bad["error"]["file"] == "broken.jpg" and bad["error"]["stage"] == "upload"
    assert bad["error"]["message"]
    assert not (out / "bad" / "video.mp4").exists()
    assert corrupt.read_bytes() == before

    status = photoreel("status", redis_url=redis_url)
    assert status.returncode == 1
    assert "broken.jpg" in status.stderr and "good" in status.stdout


@pytest.mark.parametrize(
    ("argument", "message"),
    [("missing-folder", "no such file or folder"), ("bad.yaml", "jobs.0.options.aspect")],
)
def test_usage_errors_exit_2(tmp_path: Path, argument: str, message: str) -> None:
    make_photo(tmp_path / "p.jpg")
    (tmp_path / "bad.yaml").write_text("jobs:\n  - photos: [p.jpg]\n    options: {aspect: 4:3}\n")
    result = photoreel("run", str(tmp_path / argument), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
