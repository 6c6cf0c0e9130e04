"""The worker's side of a job's outputs: fetching staged inputs, publishing to the bucket,
failure reports and the batch summary. The backend stages are left out: a generated video
stands in for a rendered one."""

import json
import shutil
import time
import uuid
from pathlib import Path

import fsspec
import pytest
from redis import Redis

from tests.conftest import assert_valid_report, make_photo, make_video
from worker.bucket import open_bucket
from worker.inputs import stage_inputs
from worker.jobs import JobStatus, JobStore, Stage
from worker.spec import JobSpec
from worker.stages import fail_job, publish, stage_context


def staged_job(store: JobStore, out: str, folder: Path, *, batch: str, job_id: str) -> JobSpec:
    photos = [make_photo(folder / f"{index}.jpg", size=(64, 48), seed=index) for index in range(2)]
    spec = JobSpec(id=job_id, photos=[str(photo) for photo in photos], prompt="calm, 1 second")
    staged = stage_inputs(spec, open_bucket(out))
    store.create(staged, out=out, batch=batch)
    shutil.rmtree(folder)  # the worker never sees the producer's files
    return staged


def test_publish_to_s3_writes_video_poster_report_and_summary(
    s3_out: str, fake_redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore(fake_redis)
    batch = f"b-{uuid.uuid4().hex[:6]}"
    job_id = f"reel-{uuid.uuid4().hex[:6]}"
    staged_job(store, s3_out, tmp_path / "producer", batch=batch, job_id=job_id)
    monkeypatch.chdir(tmp_path)
    state = store.get(job_id)
    assert state is not None
    ctx = stage_context(state, store)
    assert [photo.name for photo in ctx.photos] == ["0.jpg", "1.jpg"]
    assert all(photo.is_file() and photo.is_relative_to(ctx.workdir) for photo in ctx.photos)
    make_video(ctx.workdir / "render.mp4")
    store.record(job_id, "video_file", "render.mp4")
    for stage in list(Stage)[:-1]:
        store.start_stage(job_id, stage)
        store.finish_stage(job_id, stage, 0.1)
    store.start_stage(job_id, Stage.PUBLISH)

    publish(state, stage_context(state, store), store, started=time.monotonic())

    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    root = s3_out.removeprefix("s3://")
    assert sorted(path.rsplit("/", 1)[1] for path in fs.ls(f"{root}/{job_id}")) == [
        "poster.jpg",
        "report.json",
        "video.mp4",
    ]
    report = json.loads(fs.cat_file(f"{root}/{job_id}/report.json"))
    assert_valid_report(report)
    assert report["status"] == "succeeded"
    assert set(report["stages"]["seconds"]) == {stage.value for stage in Stage}
    assert [item["name"] for item in report["inputs"]] == ["0.jpg", "1.jpg"]
    assert all(len(item["sha256"]) == 64 for item in report["inputs"])
    assert report["output"]["files"]["video"] == f"{job_id}/video.mp4"
    assert report["output"]["probe"]["width"] == 320
    assert str(tmp_path) not in json.dumps(report)
    summary = json.loads(fs.cat_file(f"{root}/batches/{batch}/summary.json"))
    assert [job["job_id"] for job in summary["jobs"]] == [job_id]
    assert fs.info(f"{root}/batches/{batch}/index.html")["ContentType"] == "text/html"
    assert fs.exists(f"{root}/index.html")


def test_failed_job_gets_a_report_and_closes_its_batch(fake_redis: Redis, tmp_path: Path) -> None:
    store = JobStore(fake_redis)
    out = tmp_path / "out"
    photo = make_photo(tmp_path / "in" / "broken.jpg", size=(32, 32))
    spec = JobSpec(id=f"bad-{uuid.uuid4().hex[:6]}", photos=[str(photo)], prompt="")
    store.create(spec, out=str(out), batch="b-fail")
    store.start_stage(spec.id, Stage.UPLOAD)

    fail_job(spec.id, store, "cannot decode", file="broken.jpg")

    state = store.get(spec.id)
    assert state is not None and state.status == JobStatus.FAILED
    report = json.loads((out / spec.id / "report.json").read_text())
    assert_valid_report(report)
    assert report["error"] == {"message": "cannot decode", "file": "broken.jpg", "stage": "upload"}
    assert report["inputs"][0]["sha256"] is not None
    summary = json.loads((out / "batches" / "b-fail" / "summary.json").read_text())
    assert summary["counts"] == {"failed": 1}
