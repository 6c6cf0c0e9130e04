"""The worker's side of a job's outputs, through ``advance`` as a Celery task runs it:
fetching staged inputs, publishing to the bucket, failure reports and the batch summary.
The backend stages are left out: a generated video stands in for a rendered one."""

import json
import shutil
import uuid
from pathlib import Path

import fsspec
import pytest
from redis import Redis

from tests.conftest import assert_valid_report, claim_stage, make_photo, make_video, run_stages
from worker.files.bucket import open_bucket
from worker.files.inputs import stage_inputs
from worker.files.scratch import scratch_folder
from worker.files.work_area import work_area
from worker.flow import pipeline, runtime
from worker.job.spec import JobSource, JobSpec
from worker.job.states import JobState, JobStatus, Stage
from worker.job.store import JobStore
from worker.outputs.publish import publish


@pytest.fixture
def store(fake_redis: Redis, monkeypatch: pytest.MonkeyPatch) -> JobStore:
    job_store = JobStore(fake_redis)
    for module in (pipeline, runtime):
        monkeypatch.setattr(module, "job_store", lambda: job_store)
    return job_store


def store_state(store: JobStore, job_id: str) -> JobState:
    state = store.get(job_id)
    assert state is not None
    return state


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def keep_on_another_machine(state: JobState, tmp_path: Path, name: str) -> str:
    """An output made and kept by an earlier stage on another machine: the name it was kept
    under, recorded as the job's output."""
    elsewhere = tmp_path / "other-machine"
    source = make_photo(elsewhere / name, size=(64, 48)) if name.endswith(".jpg") else None
    source = source or make_video(elsewhere / name)
    kept = work_area(state, elsewhere).keep(source)
    store_key = f"photoreel:job:{state.spec.id}:checkpoint"
    runtime.job_store().redis.hset(store_key, "output_file", json.dumps(kept))
    return kept


def test_publish_to_s3_writes_video_poster_report_and_summary(
    s3_out: str, store: JobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id, batch = new_id("reel"), new_id("batch")
    producer = tmp_path / "producer"
    photos = [make_photo(producer / f"{index}.jpg", size=(64, 48), seed=index) for index in (0, 1)]
    source = JobSource(kind="catalog", digest="inputs-digest")
    spec = JobSpec(
        id=job_id, photos=[str(photo) for photo in photos], prompt="calm, 1 second", source=source
    )
    store.create(stage_inputs(spec, open_bucket(s3_out)), out=s3_out, batch=batch)
    shutil.rmtree(producer)  # the worker never sees the producer's files
    monkeypatch.chdir(tmp_path)
    run_stages(store, job_id, list(Stage)[:-1])
    kept = keep_on_another_machine(store_state(store, job_id), tmp_path, "render.mp4")

    pipeline.advance(job_id, Stage.PUBLISH)

    state = store.get(job_id)
    assert state is not None and state.status == JobStatus.SUCCEEDED, state
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    root = s3_out.removeprefix("s3://")
    assert sorted(path.rsplit("/", 1)[1] for path in fs.ls(f"{root}/{job_id}")) == [
        "poster.jpg",
        "report.json",
        "video.mp4",
    ]
    assert fs.exists(f"{root}/.done/{job_id}/inputs-digest")
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
    assert not scratch_folder(store_state(store, job_id)).exists()
    assert not fs.exists(f"{root}/.work/{job_id}-{store_state(store, job_id).scratch}/{kept}")


def test_a_missing_staged_input_fails_the_job_naming_it(s3_out: str, store: JobStore) -> None:
    job_id, batch = new_id("lost"), new_id("batch")
    gone = f"{s3_out}/.inputs/sha256/{'0' * 64}/beach.jpg"
    store.create(JobSpec(id=job_id, photos=[gone], prompt=""), out=s3_out, batch=batch)

    pipeline.advance(job_id, Stage.SESSION)  # needs no photo: fetches none
    pipeline.advance(job_id, Stage.UPLOAD)

    state = store.get(job_id)
    assert state is not None and state.status == JobStatus.FAILED
    bucket = open_bucket(s3_out)
    report = json.loads(bucket.read_bytes(f"{job_id}/report.json") or b"")
    assert_valid_report(report)
    assert report["error"]["file"] == "beach.jpg" and report["error"]["stage"] == "upload"
    assert report["inputs"] == [  # the digest it was staged under; no size: there is none
        {"role": "photo", "name": "beach.jpg", "location": gone, "sha256": "0" * 64, "size": None}
    ]
    summary = json.loads(bucket.read_bytes(f"batches/{batch}/summary.json") or b"")
    assert summary["counts"] == {"failed": 1}


def test_a_backend_without_video_publishes_its_contact_sheet(
    store: JobStore, tmp_path: Path
) -> None:
    job_id = new_id("preview")
    store.create(JobSpec(id=job_id, photos=["/p.jpg"]), out=str(tmp_path / "out"), batch="b")
    state = store_state(store, job_id)
    kept = keep_on_another_machine(state, tmp_path, "sheet.jpg")
    workdir = scratch_folder(state)
    workdir.mkdir(parents=True)
    claim = claim_stage(store, job_id, Stage.SESSION)
    ctx = runtime.stage_context(state, claim, store, workdir)

    published = publish(state, ctx, makes_video=False)

    key = f"{job_id}/contact-sheet.jpg"
    assert published.outputs == {"contact_sheet": key} and published.probe is None
    sheet = tmp_path / "other-machine" / "sheet.jpg"
    assert (tmp_path / "out" / key).read_bytes() == sheet.read_bytes()
    assert kept.endswith("-sheet.jpg")
    assert not (tmp_path / "out" / job_id / "poster.jpg").exists()


def test_an_empty_photo_fails_its_job_saying_it_is_empty(store: JobStore, tmp_path: Path) -> None:
    job_id, batch = new_id("empty"), new_id("batch")
    good = make_photo(tmp_path / "photos" / "good.jpg", size=(64, 48))
    empty = tmp_path / "photos" / "empty.jpg"
    empty.write_bytes(b"")
    out = str(tmp_path / "out")
    store.create(JobSpec(id=job_id, photos=[str(good), str(empty)]), out=out, batch=batch)

    pipeline.advance(job_id, Stage.SESSION)
    pipeline.advance(job_id, Stage.UPLOAD)

    state = store_state(store, job_id)
    assert state.status == JobStatus.FAILED
    assert (state.error, state.error_file) == ("the file is empty (0 bytes)", "empty.jpg")
    report = json.loads(open_bucket(out).read_bytes(f"{job_id}/report.json") or b"")
    assert report["error"]["message"] == "the file is empty (0 bytes)"
