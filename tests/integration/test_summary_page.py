"""The batch page as a person sees it: opened from the folder in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin

import fsspec
import pytest

from tests.conftest import make_video
from tests.worker.outputs.test_summary import report
from worker.files.bucket import Bucket, open_bucket
from worker.job.states import JobStatus
from worker.media.probe import extract_poster
from worker.outputs.summary import write_batch_summary

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


def browse(page: str, profile: Path, *action: str) -> str:
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, page],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def publish_batch(bucket: Bucket, scratch: Path) -> list[str]:
    """Two finished jobs (video, poster, report) and their batch's pages in ``bucket``."""
    prompts = {"beach-day": "calm 2-second reel", "city-night": "fast, 9:16, title 'Night'"}
    for job_id, prompt in prompts.items():
        video = make_video(scratch / job_id / "video.mp4", seconds=2)
        extract_poster(video, scratch / job_id / "poster.jpg", at_seconds=0.5)
        for name in ("video.mp4", "poster.jpg"):
            bucket.put_file(f"{job_id}/{name}", scratch / job_id / name)
        finished = report(job_id, "succeeded", prompt, batch="b-page")
        bucket.put_bytes(f"{job_id}/report.json", json.dumps(finished).encode())
    statuses = dict.fromkeys(prompts, JobStatus.SUCCEEDED)
    write_batch_summary(bucket, "b-page", statuses, require_every_report=True)
    return [f"{job_id}/{name}" for job_id in prompts for name in ("poster.jpg", "video.mp4")]


def media_links(dom: str) -> tuple[list[str], list[str]]:
    posters = re.findall(r'<img class="poster" src="([^"]+)"', dom)
    videos = re.findall(r'<video [^>]*src="([^"]+)"', dom)
    return posters, videos


def test_batch_page_shows_a_poster_and_a_video_per_job(tmp_path: Path) -> None:
    out = tmp_path / "out"
    publish_batch(open_bucket(str(out)), tmp_path / "scratch")
    page = out / "batches" / "b-page" / "index.html"

    dom = browse(page.as_uri(), tmp_path / "profile", "--dump-dom")

    posters, videos = media_links(dom)
    assert len(posters) == 2 and len(videos) == 2, dom
    for link in [*posters, *videos]:
        assert (page.parent / unquote(link)).resolve().is_file(), link
    assert "fast, 9:16, title 'Night'" in dom
    screenshot = tmp_path / "batch-page.png"
    browse(page.as_uri(), tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_batch_page_opens_straight_from_a_readable_s3_bucket(
    s3_out: str, s3_endpoint: str, tmp_path: Path
) -> None:
    objects = publish_batch(open_bucket(s3_out), tmp_path / "scratch")
    bucket_name, prefix = s3_out.removeprefix("s3://").split("/", 1)
    readable = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket_name}/{prefix}/*",
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [readable]})
    s3 = fsspec.filesystem("s3", skip_instance_cache=True)
    s3.call_s3("put_bucket_policy", Bucket=bucket_name, Policy=policy)
    root = f"{s3_endpoint}/{bucket_name}/{prefix}"

    dom = browse(f"{root}/batches/b-page/index.html", tmp_path / "profile", "--dump-dom")

    posters, videos = media_links(dom)
    assert len(posters) == 2 and len(videos) == 2, dom
    fetched = sorted(urljoin(f"{root}/batches/b-page/", link) for link in [*posters, *videos])
    assert fetched == sorted(f"{root}/{key}" for key in objects)
    for url in fetched:
        with urllib.request.urlopen(url, timeout=10) as reply:
            assert reply.status == 200 and reply.read(4)
    screenshot = tmp_path / "batch-page-s3.png"
    browse(f"{root}/index.html", tmp_path / "profile-shot", f"--screenshot={screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
