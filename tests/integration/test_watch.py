"""`photoreel watch` as a process: real filesystem events, real Redis, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from producer.inbox import ERROR_FILE, READY_MARKER
from tests.conftest import make_photo
from tests.producer.conftest import end_job, producer_test_url
from worker.job.store import JobStore

pytestmark = pytest.mark.integration
PHOTOREEL = str(Path(sys.executable).parent / "photoreel")


def wait_for(condition: Callable[[], object], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def deployment_store(redis_url: str) -> Iterator[JobStore]:
    client = Redis.from_url(producer_test_url(redis_url))
    client.flushdb()
    yield JobStore(client)
    client.flushdb()


def start_watch(inbox: Path, out: Path, redis_url: str | None) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {"PHOTOREEL_INBOX_SETTLE_SECONDS": "0.3", "PHOTOREEL_INBOX_RESCAN_SECONDS": "1"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.Popen(
        [PHOTOREEL, "watch", str(inbox), "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_with_redis_url_watch_enqueues_and_files_the_folder_when_its_job_ends(
    tmp_path: Path, redis_url: str, deployment_store: JobStore
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    watch = start_watch(inbox, out, producer_test_url(redis_url))
    try:
        staging = tmp_path / "staging" / "shoot"
        for index in range(2):
            make_photo(staging / f"{index}.jpg", size=(64, 48), seed=index)
        staging.rename(inbox / "shoot")  # arrives whole, by an atomic move
        wait_for(lambda: deployment_store.latest_batch())
        batch = deployment_store.latest_batch()
        assert batch is not None
        [state] = deployment_store.batch_jobs(batch)
        end_job(deployment_store, state.spec.id, error="cannot decode image", file="1.jpg")
        wait_for(lambda: (inbox / "failed" / "shoot" / ERROR_FILE).is_file())
    finally:
        watch.send_signal(signal.SIGTERM)
        _output, stderr = watch.communicate(timeout=30)
    assert watch.returncode == 0, stderr
    assert "1.jpg: cannot decode image" in (inbox / "failed" / "shoot" / ERROR_FILE).read_text()
    assert "Traceback" not in stderr


def test_self_contained_watch_renders_a_dropped_folder_and_files_it_in_done(
    tmp_path: Path,
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    watch = start_watch(inbox, out, redis_url=None)
    try:
        folder = inbox / "beach"
        for index in range(2):
            make_photo(folder / f"{index}.jpg", size=(160, 120), seed=index)
        (folder / "prompt.txt").write_text("2 seconds, square, 720p")
        (folder / "job.yaml").write_text("resolution: 720p\n")
        (folder / READY_MARKER).touch()
        wait_for(lambda: (inbox / "done" / "beach").is_dir(), seconds=120)
    finally:
        watch.send_signal(signal.SIGTERM)
        _output, stderr = watch.communicate(timeout=60)
    assert watch.returncode == 0, stderr
    [job] = [entry for entry in out.iterdir() if (entry / "report.json").is_file()]
    assert job.name.startswith("beach-")
    report = json.loads((job / "report.json").read_text())
    assert report["status"] == "succeeded" and report["spec"]["source"]["kind"] == "inbox"
    assert (job / "video.mp4").stat().st_size > 0
