"""The worker's side of a job's outputs, through ``advance`` as a Celery task runs it:
fetching staged inputs, publishing to the bucket, failure reports and the batch summary.
The backend stages are left out: a generated video stands in for a rendered one."""

import json
import shutil
import time
import uuid
from pathlib import Path

import fsspec
import pytest
from redis import Redis

from tests.conftest import assert_valid_report, make_photo, make_video, run_stages
from worker import stages
from worker.bucket import open_bucket
from worker.inputs import stage_inputs
from worker.jobs import JobState, JobStatus, JobStore, Stage
from worker.spec import JobSpec


@pytest.fixture
def store(fake_redis: Redis, monkeypatch: pytest.MonkeyPatch) -> JobStore:
    job_store = JobStore(fake_redis)
    monkeypatch.setattr(stages, "job_store", lambda: job_store)
    monkeypatch.setattr(stages, "shared_limits", lambda: None)
    return job_store


def store_state(store: JobStore, job_id: str) -> JobState:
    state = store.get(job_id)
    assert state is not None
    return state


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_publish_to_s3_writes_video_poster_report_and_summary(
    s3_out: str, store: JobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id, batch = new_id("reel"), new_id("batch")
    producer = tmp_path / "producer"
    photos = [make_photo(producer / f"{index}.jpg", size=(64, 48), seed=index) for index in (0, 1)]
    spec = JobSpec(id=job_id, photos=[str(photo) for photo in photos], prompt="calm, 1 second")
    store.create(stage_inputs(spec, open_bucket(s3_out)), out=s3_out, batch=batch)
    shutil.rmtree(producer)  # the worker never sees the producer's files
    monkeypatch.chdir(tmp_path)
    run_stages(store, job_id, list(Stage)[:-1])
    make_video(stages.job_workdir(store_state(store, job_id)) / "render.mp4")
    store.redis.hset(f"photoreel:job:{job_id}:checkpoint", "video_file", '"render.mp4"')

    stages.advance(job_id, Stage.PUBLISH)

    state = store.get(job_id)
    assert state is not None and state.status == JobStatus.SUCCEEDED, state
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
    assert report["output"] == {**report["output"], "bucket": s3_out}
    assert report["output"]["files"]["video"] == f"{job_id}/video.mp4"
    assert report["output"]["probe"]["width"] == 320
    assert str(tmp_path) not in json.dumps(report)
    summary = json.loads(fs.cat_file(f"{root}/batches/{batch}/summary.json"))
    assert [job["job_id"] for job in summary["jobs"]] == [job_id]
    assert fs.info(f"{root}/batches/{batch}/index.html")["ContentType"] == "text/html"
    assert fs.exists(f"{root}/index.html")
    assert not stages.job_workdir(state).joinpath("render.mp4").exists()


def test_a_missing_staged_input_fails_the_job_naming_it(s3_out: str, store: JobStore) -> None:
    job_id, batch = new_id("lost"), new_id("batch")
    gone = f"{s3_out}/.inputs/sha256/{'0' * 64}/beach.jpg"
    store.create(JobSpec(id=job_id, photos=[gone], prompt=""), out=s3_out, batch=batch)

    stages.advance(job_id, Stage.SESSION)

    state = store.get(job_id)
    assert state is not None and state.status == JobStatus.FAILED
    bucket = open_bucket(s3_out)
    report = json.loads(bucket.read_bytes(f"{job_id}/report.json") or b"")
    assert_valid_report(report)
    assert report["error"]["file"] == "beach.jpg" and report["error"]["stage"] == "session"
    assert report["inputs"] == [
        {"role": "photo", "name": "beach.jpg", "location": gone, "sha256": None, "size": None}
    ]
    summary = json.loads(bucket.read_bytes(f"batches/{batch}/summary.json") or b"")
    assert summary["counts"] == {"failed": 1}


def test_reconcile_resumes_orphaned_and_overdue_jobs_only(
    store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueued: list[tuple[str, Stage]] = []
    monkeypatch.setattr(
        stages, "enqueue_stage", lambda spec, stage: enqueued.append((spec.id, stage))
    )
    for job_id in ("orphan", "alive", "lost", "waiting"):
        store.create(JobSpec(id=job_id, photos=[f"/{job_id}.jpg"]), out="/out", batch="b")
    claim = lambda job_id, lease: store.claim(  # noqa: E731
        job_id, Stage.SESSION, owner="w", lease_seconds=lease, max_attempts=3
    )[1]
    claim("orphan", 0.01)  # its worker dies: the lease runs out, nobody renews it
    claim("alive", 30)
    store.mark_due("waiting", time.time() + 100)  # a retry with a countdown
    time.sleep(0.05)  # "lost" stays queued: its message went down with a worker

    resumed = stages.reconcile(store, lease_seconds=0.02, requeue_seconds=0.03)

    assert sorted(resumed) == ["lost", "orphan"]
    assert sorted(enqueued) == [("lost", Stage.SESSION), ("orphan", Stage.SESSION)]
    again = stages.reconcile(store, lease_seconds=0.02, requeue_seconds=0.03)
    assert again == ["orphan"], "a requeued job is given the whole wait again"


def test_an_empty_photo_fails_its_job_saying_it_is_empty(store: JobStore, tmp_path: Path) -> None:
    job_id, batch = new_id("empty"), new_id("batch")
    good = make_photo(tmp_path / "photos" / "good.jpg", size=(64, 48))
    empty = tmp_path / "photos" / "empty.jpg"
    empty.write_bytes(b"")
    out = str(tmp_path / "out")
    spec = JobSpec(id=job_id, photos=[str(good), str(empty)])
    store.create(spec, out=out, batch=batch)

    stages.advance(job_id, Stage.SESSION)

    state = store_state(store, job_id)
    assert state.status == JobStatus.FAILED
    assert (state.error, state.error_file) == ("the file is empty (0 bytes)", "empty.jpg")
    report = json.loads(open_bucket(out).read_bytes(f"{job_id}/report.json") or b"")
    assert report["error"]["message"] == "the file is empty (0 bytes)"
