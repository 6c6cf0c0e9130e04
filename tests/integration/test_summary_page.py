"""The batch page as a person sees it: opened from the folder in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import make_video
from tests.worker.test_summary import report
from worker.bucket import open_bucket
from worker.jobs import JobStatus
from worker.probe import extract_poster
from worker.summary import write_batch_summary

pytestmark = pytest.mark.integration
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1280,900",
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("headless Chromium is not installed: `make system-deps` installs it (as root)")
    return found


def browse(page: Path, profile: Path, *action: str) -> str:
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def batch_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    bucket = open_bucket(str(out))
    prompts = {"beach-day": "calm 2-second reel", "city-night": "fast, 9:16, title 'Night'"}
    for job_id, prompt in prompts.items():
        video = make_video(out / job_id / "video.mp4", seconds=2)
        extract_poster(video, out / job_id / "poster.jpg", at_seconds=0.5)
        bucket.put_bytes(
            f"{job_id}/report.json", json.dumps(report(job_id, "succeeded", prompt)).encode()
        )
    statuses = dict.fromkeys(prompts, JobStatus.SUCCEEDED)
    write_batch_summary(bucket, "b-page", statuses, require_every_report=True)
    return out


def test_batch_page_shows_a_poster_and_a_video_per_job(batch_folder: Path, tmp_path: Path) -> None:
    page = batch_folder / "batches" / "b-page" / "index.html"
    dom = browse(page, tmp_path / "profile", "--dump-dom")

    posters = re.findall(r'<img class="poster" src="([^"]+)"', dom)
    videos = re.findall(r'<video [^>]*src="([^"]+)"', dom)
    assert len(posters) == 2 and len(videos) == 2, dom
    for link in [*posters, *videos]:
        assert (page.parent / unquote(link)).resolve().is_file(), link
    assert "fast, 9:16, title 'Night'" in dom

    screenshot = tmp_path / "batch-page.png"
    browse(page, tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
