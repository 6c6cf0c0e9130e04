"""A worker's log from a real run: one JSON object per line, the job on every line logged for
one, and a token planted in a nested field never shown."""

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
from tests.integration.log_probe import PLANTED, log_probe
from worker.job.spec import JobOptions, JobSpec
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.queue.app import connect

pytestmark = pytest.mark.integration
JOB_EVENTS = {"stage started", "stage finished", "job succeeded", "probe", "retrying with"}


def test_a_workers_log_is_json_lines_with_the_job_and_no_secret(tmp_path: Path) -> None:
    photos = [str(make_photo(tmp_path / "in" / f"{i}.jpg", seed=i)) for i in range(2)]
    spec = JobSpec(id="logged", photos=photos, prompt="3 s", options=JobOptions(backend="dry"))
    log = tmp_path / "worker.log"
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        workers = WorkerProcesses(
            redis_server.url, queue="photoreel", pool="prefork", concurrency=1, log_file=log
        )
        workers.command[workers.command.index("WARNING")] = "INFO"  # Celery's own lines too
        workers.command += ["--include", "tests.integration.log_probe"]
        workers.start()
        try:
            enqueue_specs([spec], store, out=str(tmp_path / "out"), batch="logs")
            log_probe.apply_async(args=["probed"], queue="photoreel")
            wait_until(all_settled(store, [spec.id]), timeout=120, what="the dry job")
            wait_until(lambda: '"probe"' in log.read_text(), timeout=60, what="the probe")
            text = log.read_text()  # the run's log; stopping adds Celery's shutdown notice
        finally:
            workers.stop()
        state = store.get(spec.id)
    assert state is not None and state.status == JobStatus.SUCCEEDED, text[-3000:]
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert {line["logger"] for line in lines} >= {"worker.flow.pipeline", "celery.worker.strategy"}
    for line in lines:
        if str(line["event"]).startswith(tuple(JOB_EVENTS)):
            assert line.get("job_id") in {"logged", "probed"}, line
    stages = [line for line in lines if line["event"] == "stage finished"]
    assert len(stages) == 7 and all(line["job_id"] == "logged" for line in stages)
    [probe] = [line for line in lines if line["event"] == "probe"]
    assert probe["request"] == {"headers": {"Authorization": "***"}, "ok": [1]}
    [library] = [line for line in lines if str(line["event"]).startswith("retrying with")]
    assert library["logger"] == "httpx" and library["job_id"] == "probed"
    assert PLANTED not in text
    job_log = tmp_path / "out" / "logged" / "log.jsonl"
    job_lines = [json.loads(line) for line in job_log.read_text().splitlines()]
    assert {line["job_id"] for line in job_lines} == {"logged"}
    assert [line["stage"] for line in job_lines if line["event"] == "stage finished"] == [
        str(stage) for stage in Stage
    ]
    assert job_lines[-1]["event"] == "job succeeded"
