"""Operator verbs on jobs already made: a cancelled batch gets each job's report and one
summary, however many jobs it holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis

from worker.flow import operations
from worker.job.spec import JobSpec
from worker.job.states import JobStatus
from worker.job.store import JobStore
from worker.outputs import publish

JOBS = 1000


def test_cancelling_a_big_batch_writes_its_summary_once(
    fake_redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore(fake_redis)
    specs = [JobSpec(id=f"product-{index}", photos=["/p.jpg"]) for index in range(JOBS)]
    store.create_many(specs, out=str(tmp_path / "out"), batch="nightly")
    summaries: list[str] = []
    write_summary = publish.write_batch_summary

    def counted(*args: object, **options: object) -> object:
        summaries.append(str(args[1]))
        return write_summary(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(publish, "write_batch_summary", counted)
    monkeypatch.setattr(publish, "queue_delivery", lambda *args, **options: None)

    cancelled = operations.cancel(store, "nightly")

    assert cancelled is not None and len(cancelled.cancelled) == JOBS
    assert summaries == ["nightly"]
    assert all(state.status == JobStatus.CANCELLED for state in store.batch_jobs("nightly"))
    assert len(list((tmp_path / "out").glob("product-*/report.json"))) == JOBS
    assert (tmp_path / "out" / "batches" / "nightly" / "summary.json").is_file()
