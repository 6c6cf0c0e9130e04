"""`retry`, `cancel` and `status --json` against real Redis and real workers: the dry backend,
and the nemo backend against its stub (a retried job is never charged twice)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redis import Redis

from producer.enqueue import enqueue_specs
from producer.redis_server import EmbeddedRedis
from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import make_photo, queued_messages
from tests.integration.chaos import all_settled, start_workers, wait_until
from tests.integration.nemo_env import point_workers_at
from tests.integration.test_run import photoreel
from worker.backends.nemo.client import EXPORT_BLOCKED
from worker.backends.nemo.stub import running
from worker.job.spec import BackendName, JobOptions, JobSpec
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.queue.app import connect

pytestmark = pytest.mark.integration
DRY = JobOptions(backend="dry")


def test_a_failed_job_retried_after_its_photo_is_fixed_succeeds(tmp_path: Path) -> None:
    good = str(make_photo(tmp_path / "in" / "good.jpg"))
    fixed_later = tmp_path / "in" / "later.jpg"
    fixed_later.write_bytes(b"not a photo yet")
    specs = [
        JobSpec(id="fine", photos=[good], prompt="3 s", options=DRY),
        JobSpec(id="flaky", photos=[good, str(fixed_later)], prompt="3 s", options=DRY),
    ]
    out = tmp_path / "out"
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        workers = start_workers(
            redis_server.url, tmp_path / "worker.log", queue="photoreel", pool="prefork"
        )
        try:
            enqueue_specs(specs, store, out=str(out), batch="nightly")
            wait_until(all_settled(store, ["fine", "flaky"]), timeout=120, what="the batch")
            first = store.get("flaky")
            assert first is not None and first.status == JobStatus.FAILED, first
            make_photo(fixed_later, seed=3)

            retried = photoreel("retry", "nightly", redis_url=redis_server.url)

            assert retried.returncode == 0, retried.stdout + retried.stderr
            assert f"flaky: queued again at its {first.stage} stage" in retried.stderr
            assert "fine: succeeded, left alone" in retried.stderr
            wait_until(all_settled(store, ["flaky"]), timeout=120, what="the retried job")
            wait_until(lambda: '"succeeded": 2' in summary_text(out), timeout=60, what="summary")
            status = photoreel("status", "nightly", "--json", redis_url=redis_server.url)
        finally:
            workers.stop()
    assert status.returncode == 0, status.stdout + status.stderr
    document = json.loads(status.stdout)
    assert document["counts"] == {"succeeded": 2}
    [flaky] = [job for job in document["jobs"] if job["job_id"] == "flaky"]
    assert flaky["error"] is None and flaky["attempts"][str(first.stage)] == 1
    report = json.loads((out / "flaky" / "report.json").read_text())
    assert report["status"] == "succeeded"


def summary_text(out: Path) -> str:
    summary = out / "batches" / "nightly" / "summary.json"
    return summary.read_text() if summary.exists() else ""


def test_a_cancelled_batchs_queued_jobs_never_start(tmp_path: Path) -> None:
    photo = str(make_photo(tmp_path / "in" / "a.jpg"))
    specs = [
        JobSpec(id=f"job-{index}", photos=[photo], prompt=f"{index + 2} s", options=DRY)
        for index in range(3)
    ]
    out = tmp_path / "out"
    log = tmp_path / "worker.log"
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        client = Redis.from_url(redis_server.url)
        store = JobStore(client)
        enqueue_specs(specs, store, out=str(out), batch="nightly")

        cancelled = photoreel("cancel", "nightly", redis_url=redis_server.url)

        assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
        assert "3 job(s) cancelled before starting, 0 stopping" in cancelled.stderr
        workers = start_workers(redis_server.url, log, queue="photoreel", pool="prefork")
        try:  # the workers take the three messages and drop them
            wait_until(
                lambda: log.read_text().count('"delivery dropped"') == 3,
                timeout=120,
                what="the three deliveries dropped",
            )
            assert queued_messages(client, "photoreel") == 0
            status = photoreel("status", "nightly", "--json", redis_url=redis_server.url)
        finally:
            workers.stop()
    assert "stage started" not in log.read_text()
    assert json.loads(status.stdout)["counts"] == {"cancelled": 3}
    for spec in specs:
        report = json.loads((out / spec.id / "report.json").read_text())
        assert report["status"] == "cancelled"
        assert report["error"]["message"] == "cancelled by the operator"
    assert json.loads(summary_text(out))["counts"] == {"cancelled": 3}


def test_a_nemo_job_retried_after_its_generation_is_not_charged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = [
        str(make_photo(tmp_path / "in" / f"{i}.jpg", size=(160, 120), seed=i)) for i in (0, 1)
    ]
    spec = JobSpec(
        id="blocked-nemofault-export-blocked",
        photos=photos,
        prompt="A 6-second promo",
        options=JobOptions(backend=BackendName.NEMO),
    )
    with running(fast_config()) as fake, EmbeddedRedis() as redis_server:
        point_workers_at(fake, tmp_path / "home", monkeypatch)
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        log = tmp_path / "worker.log"
        workers = start_workers(redis_server.url, log, queue="photoreel.io", pool="threads")
        try:
            enqueue_specs([spec], store, out=str(tmp_path / "out"), batch="paid")
            wait_until(all_settled(store, [spec.id]), timeout=120, what="the nemo job")
            first = store.get(spec.id)
            assert first is not None, log.read_text()[-3000:]
            assert (first.status, first.stage, first.error) == (
                JobStatus.FAILED,
                Stage.EXPORT,
                EXPORT_BLOCKED,
            )
            charged = fake.stats()["total_charges"]

            retried = photoreel("retry", spec.id, redis_url=redis_server.url)

            assert retried.returncode == 0, retried.stdout + retried.stderr
            wait_until(
                lambda: finished_since(store, spec.id, first.updated_at),
                timeout=120,
                what="the retried job",
            )
            again = store.get(spec.id)
            stats = fake.stats()
        finally:
            workers.stop()
    assert charged == 1 and stats["total_charges"] == 1 and stats["mistakes"] == []
    assert again is not None and again.status == JobStatus.FAILED  # the plan still blocks it
    assert again.stage == Stage.EXPORT and again.attempts["export"] == 1
    assert again.attempts["generate"] == 1  # the generation was not run again


def finished_since(store: JobStore, job_id: str, since: float) -> bool:
    state = store.get(job_id)
    return state is not None and state.status.finished and state.updated_at > since
