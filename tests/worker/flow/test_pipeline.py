"""``advance``, one path per test: what each outcome of a stage does to the job, on fakeredis,
with a backend that does what the test says."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import structlog
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import Settings
from tests.conftest import make_photo, make_video, run_stages
from worker.backends import get_plugin
from worker.backends.base import StageContext
from worker.files import scratch as scratch_module
from worker.flow import pipeline, runtime
from worker.job import keys
from worker.job.errors import JobFailed, JobParked, TransientError, WaitingForSlot
from worker.job.spec import JobSpec
from worker.job.states import JobStatus, Stage, StaleClaim
from worker.job.store import JobStore


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


def keeping_on_machine(monkeypatch: pytest.MonkeyPatch, *stages: Stage) -> None:
    """The job's backend keeps ``stages`` on the machine of the stage before them."""
    plugin = replace(get_plugin("local"), stays_on_machine=frozenset(map(str, stages)))
    monkeypatch.setattr(pipeline, "get_plugin", lambda name: plugin)


def test_a_stage_done_hands_the_job_to_the_next(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    keeping_on_machine(monkeypatch)
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == ["session"]
    state = store.get(job)
    assert state is not None and state.status == JobStatus.QUEUED and state.stage == Stage.UPLOAD
    assert enqueued == [(job, Stage.UPLOAD, 0)]


def test_stages_kept_on_the_machine_run_at_once_each_with_its_own_claim(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    keeping_on_machine(monkeypatch, Stage.UPLOAD, Stage.GENERATE)
    bound: list[dict[str, object]] = []
    monkeypatch.setattr(
        backend, "generate", lambda ctx: bound.append(structlog.contextvars.get_contextvars())
    )
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == ["session", "upload"]
    assert bound == [{"job_id": job, "stage": "generate"}]  # its log lines say which stage
    state = store.get(job)
    assert state is not None and state.stage == Stage.COMPLETE and state.status == JobStatus.QUEUED
    assert set(state.timings) == {"session", "upload", "generate"}
    assert state.attempts == {"session": 1, "upload": 1, "generate": 1}
    assert enqueued == [(job, Stage.COMPLETE, 0)]


def test_a_worker_shutting_down_hands_the_next_stage_to_the_queue(
    store: JobStore, job: str, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = with_backend(monkeypatch, ScriptedBackend())
    keeping_on_machine(monkeypatch, Stage.UPLOAD)
    store.redis.set(keys.worker_stopping("photoreel@machine-a"), "1")
    request = SimpleNamespace(request=SimpleNamespace(hostname="photoreel@machine-a"))
    monkeypatch.setattr(runtime, "current_task", request)
    pipeline.advance(job, Stage.SESSION)
    assert backend.ran == ["session"]
    assert enqueued == [(job, Stage.UPLOAD, 0)]


def on_machine(monkeypatch: pytest.MonkeyPatch, scratch: Path) -> None:
    """The stages that follow run on a machine whose scratch folders are under ``scratch``."""
    monkeypatch.setattr(scratch_module, "scratch_root", lambda: scratch)


def test_download_keeps_the_output_for_a_publisher_on_another_machine(
    store: JobStore, job: str, enqueued: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_backend(monkeypatch, ScriptedBackend())
    run_stages(store, job, list(Stage)[:5])
    on_machine(monkeypatch, tmp_path / "machine-a")
    pipeline.advance(job, Stage.DOWNLOAD)
    kept = store.checkpoint(job)["output_file"]
    assert kept.endswith("-video.mp4")
    state = store.get(job)
    assert state is not None
    work = tmp_path / "out" / ".work" / f"reel-{state.scratch}"
    assert [path.name for path in work.iterdir()] == [kept]
    assert enqueued == [(job, Stage.PUBLISH, 0)]

    on_machine(monkeypatch, tmp_path / "machine-b")
    pipeline.advance(job, Stage.PUBLISH)
    assert report(tmp_path, job)["status"] == "succeeded"
    video = tmp_path / "out" / job / "video.mp4"
    assert (
        video.read_bytes()
        == (tmp_path / "machine-a" / f"reel-{state.scratch}" / "video.mp4").read_bytes()
    )
    assert not work.exists()  # the settled job's work area is gone
    assert not (tmp_path / "machine-b" / f"reel-{state.scratch}").exists()


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
