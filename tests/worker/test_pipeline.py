"""``advance``, one path per test: what each outcome of a stage does to the job, on fakeredis,
with a backend that does what the test says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import Settings
from tests.conftest import make_photo, make_video, run_stages
from worker import pipeline, runtime
from worker.backends.base import StageContext
from worker.errors import JobFailed, JobParked, TransientError, WaitingForSlot
from worker.jobs import JobStatus, JobStore, Stage, StaleClaim
from worker.spec import JobSpec


class ScriptedBackend:
    """Every stage records that it ran, then raises ``error`` if one is given."""

    name = "scripted"

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.ran: list[str] = []

    def _stage(self, name: str, ctx: StageContext) -> None:
        self.ran.append(name)
        if self.error is not None:
            raise self.error

    def open_session(self, ctx: StageContext) -> None:
        self._stage("session", ctx)

    def upload(self, ctx: StageContext) -> None:
        self._stage("upload", ctx)

    def generate(self, ctx: StageContext) -> None:
        self._stage("generate", ctx)

    def await_completion(self, ctx: StageContext) -> None:
        self._stage("complete", ctx)

    def export(self, ctx: StageContext) -> None:
        self._stage("export", ctx)

    def download(self, ctx: StageContext) -> Path:
        self._stage("download", ctx)
        return make_video(ctx.workdir / "video.mp4")


class FakeLimits:
    def __init__(self) -> None:
        self.waiting: list[str] = []

    def wait_for_session(self, job_id: str) -> None:
        self.waiting.append(job_id)


@pytest.fixture
def store(fake_redis: Redis, monkeypatch: pytest.MonkeyPatch) -> JobStore:
    job_store = JobStore(fake_redis)
    monkeypatch.setattr(pipeline, "job_store", lambda: job_store)
    monkeypatch.setattr(runtime, "job_store", lambda: job_store)
    return job_store


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Stage, float]]:
    sent: list[tuple[str, Stage, float]] = []

    def enqueue(spec: JobSpec, stage: Stage, *, countdown: float = 0) -> None:
        sent.append((spec.id, stage, countdown))

    monkeypatch.setattr(pipeline, "enqueue_stage", enqueue)
    return sent


@pytest.fixture
def job(store: JobStore, tmp_path: Path) -> str:
    photo = make_photo(tmp_path / "in" / "1.jpg", size=(64, 48))
    spec = JobSpec(id="reel", photos=[str(photo)], prompt="2 seconds")
    store.create(spec, out=str(tmp_path / "out"), batch="b1")
    return spec.id


def with_backend(monkeypatch: pytest.MonkeyPatch, backend: ScriptedBackend) -> ScriptedBackend:
    monkeypatch.setattr(pipeline, "get_backend", lambda name: backend)
    return backend


def report(tmp_path: Path, job_id: str) -> dict[str, Any]:
    return json.loads((tmp_path / "out" / job_id / "report.json").read_text())


def test_a_stage_done_hands_the_job_to_the_next(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == ["session"]
    state = store.get(job)
    assert state is not None and state.status == JobStatus.QUEUED and state.stage == Stage.UPLOAD
    assert enqueued == [(job, Stage.UPLOAD, 0)]


def test_download_records_the_output_file(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend())
    run_stages(store, job, list(Stage)[:5])
    pipeline.advance(job, Stage.DOWNLOAD)
    assert store.checkpoint(job)["output_file"] == "video.mp4"
    assert enqueued == [(job, Stage.PUBLISH, 0)]


def test_the_last_stage_publishes_and_writes_the_report(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend())
    run_stages(store, job, list(Stage)[:5])
    pipeline.advance(job, Stage.DOWNLOAD)
    pipeline.advance(job, Stage.PUBLISH)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.SUCCEEDED
    assert report(tmp_path, job)["output"]["files"]["video"] == f"{job}/video.mp4"
    assert enqueued == [(job, Stage.PUBLISH, 0)]
    assert store.active_jobs() == []


def test_a_stale_claim_drops_the_run_and_leaves_the_job_alone(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(StaleClaim("another worker has it")))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.RUNNING and state.error is None
    assert enqueued == []


def test_waiting_for_a_slot_queues_the_job_in_line_without_using_an_attempt(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(WaitingForSlot("all sessions taken")))
    limits = FakeLimits()
    monkeypatch.setattr(pipeline, "shared_limits", lambda backend: limits)
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.QUEUED
    assert state.attempts == {"session": 0}
    assert limits.waiting == [job]
    assert enqueued == []  # the freed slot wakes it, not a timer


def test_parked_waits_for_credits_instead_of_failing(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(JobParked("no credits left")))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.PARKED
    assert state.parked_reason == "no credits left" and state.attempts == {"session": 0}
    assert [state.spec.id for state in store.unpark_all()] == [job]
    assert enqueued == []


@pytest.mark.parametrize(("retry_after", "countdown"), [(7.0, 7.0), (None, 2.0)])
def test_a_transient_error_retries_the_stage_later(
    store: JobStore,
    job: str,
    enqueued: list,
    monkeypatch: pytest.MonkeyPatch,
    retry_after: float | None,
    countdown: float,
) -> None:
    with_backend(monkeypatch, ScriptedBackend(TransientError("502", retry_after=retry_after)))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.QUEUED
    assert state.stage == Stage.SESSION and state.attempts == {"session": 1}
    assert enqueued == [(job, Stage.SESSION, countdown)]  # 2 ** attempt without Retry-After


def test_a_failure_fails_the_job_and_reports_the_file(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(JobFailed("cannot decode", file="1.jpg")))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.FAILED
    error = report(tmp_path, job)["error"]
    assert error == {"message": "cannot decode", "file": "1.jpg", "stage": "session"}
    assert enqueued == []


def test_losing_redis_leaves_the_job_running_for_the_reconciler(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(RedisConnectionError("connection refused")))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.RUNNING and state.error is None
    assert not (tmp_path / "out" / job / "report.json").exists()
    assert enqueued == []


def test_a_crash_fails_the_job_naming_the_exception(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend(ZeroDivisionError("division by zero")))
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.FAILED
    assert state.error == "ZeroDivisionError: division by zero"
    assert report(tmp_path, job)["status"] == "failed"


def test_a_stage_out_of_attempts_gives_the_job_up_with_a_report(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend(TransientError("502", retry_after=1)))
    monkeypatch.setattr(pipeline, "get_settings", lambda: Settings(max_attempts=1))
    pipeline.advance(job, Stage.SESSION)
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == ["session"]
    state = store.get(job)
    assert state is not None and state.status == JobStatus.DEAD
    assert report(tmp_path, job)["status"] == "dead"


def test_a_delivery_for_a_stage_already_passed_requeues_the_waiting_one(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    run_stages(store, job, [Stage.SESSION])  # its handoff to upload went down with a worker
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == []
    assert enqueued == [(job, Stage.UPLOAD, 0)]


def test_a_duplicate_delivery_while_the_stage_runs_is_dropped(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    store.claim(job, Stage.SESSION, owner="other", lease_seconds=30, max_attempts=3)
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == [] and enqueued == []
    state = store.get(job)
    assert state is not None and state.status == JobStatus.RUNNING


class MisspellingBackend(ScriptedBackend):
    def open_session(self, ctx: StageContext) -> None:
        ctx.record("sesion_id", "local-1")


def test_a_fact_the_backend_does_not_declare_fails_the_job_naming_it(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, MisspellingBackend())
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.FAILED
    assert state.error == "CheckpointError: checkpoint: LocalCheckpoint has no fact 'sesion_id'"
    assert store.checkpoint(job) == {}


def test_a_checkpoint_that_does_not_read_back_fails_the_job_naming_the_fact(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    store.redis.hset(f"photoreel:job:{job}:checkpoint", "files", '"not a list"')
    pipeline.advance(job, Stage.SESSION)
    state = store.get(job)
    assert state is not None and state.status == JobStatus.FAILED
    assert state.error is not None and state.error.startswith("CheckpointError: checkpoint: files")
    assert backend.ran == []
