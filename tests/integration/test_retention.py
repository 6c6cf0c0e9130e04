"""Retention on real Redis and real workers: every key a settled batch leaves has a time to
live, the checkpoint keeps only its audit facts, and `status` of a batch Redis has forgotten
reads the batch's summary from the bucket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redis import Redis

from producer.enqueue import enqueue_specs
from producer.redis_server import EmbeddedRedis
from producer.worker_processes import WorkerProcesses
from tests.conftest import make_photo
from tests.integration.chaos import all_settled, wait_until
from tests.integration.test_run import photoreel
from worker.job import keys
from worker.job.spec import JobOptions, JobSpec
from worker.job.states import JobStatus
from worker.job.store import JobStore
from worker.queue.app import connect

pytestmark = pytest.mark.integration
GLOBAL_KEYS = {keys.BATCHES, keys.METRICS, *(keys.jobs_in_state(status) for status in JobStatus)}
"""Deployment-wide indexes and counters: one of each, whatever the number of jobs."""
RETENTION = 3600


def test_a_settled_batch_leaves_only_keys_that_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTOREEL_RETENTION_SECONDS", str(RETENTION))
    photos = [str(make_photo(tmp_path / "in" / f"{i}.jpg", seed=i)) for i in range(2)]
    broken = tmp_path / "in" / "broken.jpg"
    broken.write_bytes(b"not a photo")
    dry = JobOptions(backend="dry")
    specs = [
        JobSpec(id="kept", photos=photos, prompt="3 s", options=dry),
        JobSpec(id="broken", photos=[str(broken)], prompt="3 s", options=dry),
    ]
    out = tmp_path / "out"
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        client = Redis.from_url(redis_server.url)
        store = JobStore(client, retention_seconds=RETENTION)
        log = tmp_path / "worker.log"
        workers = WorkerProcesses(
            redis_server.url, queue="photoreel", pool="prefork", concurrency=1, log_file=log
        )
        workers.start()
        try:
            enqueue_specs(specs, store, out=str(out), batch="nightly")
            wait_until(all_settled(store, ["kept", "broken"]), timeout=120, what="the batch")
            summary = out / "batches" / "nightly" / "summary.json"
            wait_until(summary.exists, timeout=60, what="the batch summary")
        finally:
            workers.stop()
        statuses = {job.spec.id: job.status for job in store.batch_jobs("nightly")}
        assert statuses == {"kept": JobStatus.SUCCEEDED, "broken": JobStatus.FAILED}
        assert set(store.checkpoint("kept")) <= {"warnings"}  # dry: no fact for an audit
        assert "draft" in json.loads((out / "kept" / "report.json").read_text())["timeline"]
        left = {key.decode() for key in client.scan_iter(match=f"{keys.PREFIX}:*")}
        assert left - GLOBAL_KEYS, "the batch left no key at all"
        for key in left - GLOBAL_KEYS:
            assert 0 < client.ttl(key) <= RETENTION, key

        client.delete(*(left - GLOBAL_KEYS))  # what the expiry does, a retention later
        monkeypatch.setenv("PHOTOREEL_OUT", str(out))
        result = photoreel("status", "nightly", redis_url=redis_server.url)

    assert result.returncode == 1, result.stdout + result.stderr  # one job of it failed
    assert "from its summary" in result.stdout
    for job_id, status in (("kept", "succeeded"), ("broken", "failed")):
        assert any(job_id in line and status in line for line in result.stdout.splitlines())
