"""`photoreel retry` and `photoreel cancel` on real Redis (they queue Celery messages), no
workers: what they change in the job state, the queue and the bucket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producer.cli import cli
from producer.exits import EXIT_OK, EXIT_USAGE
from tests.conftest import claim_stage, run_stages
from tests.producer.conftest import queued_messages
from worker.flow.operations import cancel
from worker.job import keys
from worker.job.spec import JobSpec
from worker.job.states import CANCELLED_MESSAGE, JobStatus, Stage
from worker.job.store import JobStore

runner = CliRunner()


@pytest.fixture
def batch(queue_store: JobStore, tmp_path: Path) -> Iterator[JobStore]:
    for job_id in ("a", "b", "c"):
        spec = JobSpec(id=job_id, photos=[f"/{job_id}.jpg"])
        queue_store.create(spec, out=str(tmp_path / "out"), batch="nightly")
    yield queue_store


def test_retry_puts_failed_and_dead_jobs_back_at_their_stage_with_their_checkpoint(
    batch: JobStore,
) -> None:
    run_stages(batch, "a", list(Stage)[:2])
    generate = claim_stage(batch, "a", Stage.GENERATE)
    generate.record("session_id", "sess-1")
    generate.fail("the service said no")
    dead, _ = batch.claim("b", Stage.SESSION, owner="w", lease_seconds=30, max_attempts=0)
    assert dead == "dead"
    assert batch.redis.ttl(keys.job("a")) > 0

    result = runner.invoke(cli, ["retry", "nightly"])

    assert result.exit_code == EXIT_OK, result.output
    assert "a: queued again at its generate stage" in result.output
    assert "b: queued again at its session stage" in result.output
    assert "c: queued, left alone" in result.output
    assert queued_messages(batch) == 2
    again = batch.get("a")
    assert again is not None and again.status == JobStatus.QUEUED and again.error is None
    assert again.stage == Stage.GENERATE and "generate" not in again.attempts
    assert batch.checkpoint("a") == {"session_id": "sess-1"}  # a sent message is found again
    for key in (keys.job("a"), keys.job_checkpoint("a"), keys.batch("nightly")):
        assert batch.redis.ttl(key) == -1, key  # no longer expiring
    assert "a" in batch.active_jobs()
    assert claim_stage(batch, "a", Stage.GENERATE).attempt == 1


def test_retry_of_one_job_and_of_nothing_known(batch: JobStore) -> None:
    claim_stage(batch, "c", Stage.SESSION).fail("bad")
    result = runner.invoke(cli, ["retry", "c"])
    assert result.exit_code == EXIT_OK and "retried 1 job(s)" in result.output
    result = runner.invoke(cli, ["retry", "no-such-thing"])
    assert result.exit_code == EXIT_USAGE
    assert "no batch or job 'no-such-thing'" in result.output


def test_cancel_stops_queued_jobs_now_and_running_ones_after_their_stage(
    batch: JobStore, tmp_path: Path
) -> None:
    running = claim_stage(batch, "a", Stage.SESSION)

    result = runner.invoke(cli, ["cancel", "nightly"])

    assert result.exit_code == EXIT_OK, result.output
    assert "2 job(s) cancelled before starting, 1 stopping" in result.output
    assert claim_stage_outcome(batch, "b") == "finished"  # a queued job never starts
    for job_id in ("b", "c"):
        report = (tmp_path / "out" / job_id / "report.json").read_text()
        assert '"status": "cancelled"' in report and CANCELLED_MESSAGE in report
    running.finish_stage(0.5)
    assert running.cancelled
    state = batch.get("a")
    assert state is not None and state.status == JobStatus.CANCELLED
    assert state.timings == {"session": 0.5}
    assert cancel(batch, "no-such-batch") is None
    assert runner.invoke(cli, ["cancel", "no-such-batch"]).exit_code == EXIT_USAGE


def claim_stage_outcome(store: JobStore, job_id: str) -> str:
    outcome, _ = store.claim(job_id, Stage.SESSION, owner="w", lease_seconds=30, max_attempts=3)
    return outcome
