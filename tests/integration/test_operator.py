"""`retry`, `cancel` and `status --json` against real Redis and real workers (dry backend)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redis import Redis

from producer.embedded import EmbeddedRedis, WorkerProcesses
from producer.enqueue import enqueue_specs
from tests.conftest import make_photo, queued_messages
from tests.integration.chaos import all_settled, wait_until
from tests.integration.test_run import photoreel
from worker.app import connect
from worker.jobs import JobStatus, JobStore
from worker.spec import JobOptions, JobSpec

pytestmark = pytest.mark.integration
DRY = JobOptions(backend="dry")


def start_workers(redis_url: str, log: Path) -> WorkerProcesses:
    workers = WorkerProcesses(
        redis_url, queue="photoreel", pool="prefork", concurrency=1, log_file=log
    )
    workers.command[workers.command.index("WARNING")] = "INFO"
    return workers.start()


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
        workers = start_workers(redis_server.url, tmp_path / "worker.log")
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
        workers = start_workers(redis_server.url, log)
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
