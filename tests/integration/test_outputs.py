"""Outputs end to end on a real S3 server (moto on loopback): `photoreel run --out s3://…`,
and a worker in another folder making a job whose producer's files are gone."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import fsspec
import pytest

from producer.redis_server import EmbeddedRedis
from tests.conftest import assert_valid_report, make_photo
from tests.integration.chaos import wait_until
from tests.integration.deployment import photoreel_worker
from tests.integration.test_run import photoreel

pytestmark = pytest.mark.integration
JOB_SECONDS = 180


@pytest.fixture
def short_reel(tmp_path: Path) -> Path:
    folder = tmp_path / "producer" / "harbour"
    for index in range(2):
        make_photo(folder / f"{index:02d}.jpg", seed=index)
    (folder / "prompt.txt").write_text("A 2-second calm reel, 16:9, title 'Harbour'\n")
    return folder


def s3_files(s3_out: str, folder: str) -> list[str]:
    fs = fsspec.filesystem("s3", skip_instance_cache=True, use_listings_cache=False)
    root = s3_out.removeprefix("s3://")
    return sorted(path.removeprefix(f"{root}/") for path in fs.find(f"{root}/{folder}"))


def read_json(s3_out: str, key: str) -> dict:
    fs = fsspec.filesystem("s3", skip_instance_cache=True, use_listings_cache=False)
    return json.loads(fs.cat_file(f"{s3_out}/{key}"))


def test_run_to_s3_writes_video_poster_report_and_summary(
    short_reel: Path, s3_out: str, tmp_path: Path, redis_url: str
) -> None:
    run = ["run", str(short_reel), "--out", s3_out, "--resolution", "720p"]
    result = photoreel(*run, redis_url=redis_url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert s3_files(s3_out, "harbour") == [
        "harbour/log.jsonl",
        "harbour/poster.jpg",
        "harbour/report.json",
        "harbour/video.mp4",
    ]
    report = read_json(s3_out, "harbour/report.json")
    assert_valid_report(report)
    assert report["status"] == "succeeded"
    assert (report["output"]["probe"]["width"], report["output"]["probe"]["height"]) == (1280, 720)
    assert report["output"]["probe"]["audio_present"] is True
    assert report["output"]["probe"]["loudness_lufs"] < 0
    assert report["plan"] is not None and report["timeline"]["summary"].startswith("Timeline (")
    assert all(photo.startswith(f"{s3_out}/.inputs/sha256/") for photo in report["spec"]["photos"])
    assert str(tmp_path) not in json.dumps(report)
    batch = re.search(r"batch (\S+):", result.stderr)
    assert batch is not None, result.stderr
    assert s3_files(s3_out, f"batches/{batch.group(1)}") == [
        f"batches/{batch.group(1)}/index.html",
        f"batches/{batch.group(1)}/summary.json",
    ]
    summary = read_json(s3_out, f"batches/{batch.group(1)}/summary.json")
    assert summary["counts"] == {"succeeded": 1}
    assert summary["jobs"][0]["files"]["video"] == "harbour/video.mp4"
    assert "index.html" in s3_files(s3_out, "")
    made_at = report["finished_at"]

    again = photoreel(*run, redis_url=redis_url)

    assert again.returncode == 0, again.stdout + again.stderr
    assert "harbour: already made" in again.stderr and "--overwrite" in again.stderr
    assert read_json(s3_out, "harbour/report.json")["finished_at"] == made_at

    overwritten = photoreel(*run, "--overwrite", redis_url=redis_url)

    assert overwritten.returncode == 0, overwritten.stdout + overwritten.stderr
    remade = read_json(s3_out, "harbour/report.json")
    assert remade["status"] == "succeeded" and remade["finished_at"] > made_at
    assert remade["batch"] != report["batch"]


def test_a_worker_elsewhere_makes_a_job_whose_producer_files_are_gone(
    short_reel: Path, s3_out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "worker-machine"
    elsewhere.mkdir()
    monkeypatch.setenv("PHOTOREEL_QUEUE", f"outputs-{uuid.uuid4().hex[:8]}")
    with EmbeddedRedis() as redis:
        enqueue = ["enqueue", str(short_reel), "--out", s3_out, "--resolution", "720p"]
        enqueued = photoreel(*enqueue, redis_url=redis.url)
        assert enqueued.returncode == 0, enqueued.stdout + enqueued.stderr
        batch = enqueued.stdout.strip()
        shutil.rmtree(tmp_path / "producer")
        with photoreel_worker({**os.environ, "REDIS_URL": redis.url}, elsewhere) as worker:

            def reported() -> bool:
                worker.assert_alive()
                return "harbour/report.json" in s3_files(s3_out, "harbour")

            wait_until(reported, timeout=JOB_SECONDS, what="the job's report", poll=0.5)

    report = read_json(s3_out, "harbour/report.json")
    assert report["status"] == "succeeded", report["error"]
    assert [item["name"] for item in report["inputs"]] == ["00.jpg", "01.jpg"]
    assert str(tmp_path) not in json.dumps(report["spec"])
    assert read_json(s3_out, f"batches/{batch}/summary.json")["counts"] == {"succeeded": 1}


@pytest.mark.parametrize(
    ("out", "message"),
    [("s3://no-such-bucket/videos", "there is no bucket"), ("gs://bucket/videos", "unsupported")],
)
def test_an_unusable_bucket_is_a_usage_error(
    short_reel: Path, s3_endpoint: str, out: str, message: str
) -> None:
    result = photoreel("run", str(short_reel), "--out", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
