from collections.abc import Iterator

import pytest
from prometheus_client import generate_latest
from redis import Redis

from tests.conftest import claim_stage, run_stages
from worker.job.spec import JobOptions, JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore
from worker.outputs.metrics import metrics_registry


def test_metrics_are_computed_from_the_job_state(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    for job_id, backend in (("a", "nemo"), ("b", "local"), ("c", "local")):
        options = JobOptions(backend=backend)
        spec = JobSpec(id=job_id, photos=[f"/{job_id}.jpg"], options=options)
        store.create(spec, out="/out", batch="b1")
    run_stages(store, "a", [Stage.SESSION])
    claim_stage(store, "a", Stage.UPLOAD).retry_later("timeout")
    upload = claim_stage(store, "a", Stage.UPLOAD)
    upload.record("credits_before", 500)
    upload.record("message_sent", {"session_id": "sess-1", "at": "2026-01-01T00:00:00+00:00"})
    upload.record("credits_after", 400)
    upload.finish_stage(1.5)
    run_stages(store, "a", list(Stage)[2:])
    store.count_credits("a", spent=100, charges=1)
    store.count_credits("a", spent=100, charges=1)
    run_stages(store, "b", [Stage.SESSION], seconds=0.5)
    claim_stage(store, "b", Stage.UPLOAD).fail("cannot decode", file="b.jpg")

    text = generate_latest(metrics_registry(fake_redis)).decode()

    for line in (
        'photoreel_jobs{state="queued"} 1.0',
        'photoreel_jobs{state="succeeded"} 1.0',
        'photoreel_jobs{state="failed"} 1.0',
        'photoreel_jobs{state="running"} 0.0',
        'photoreel_stage_seconds_count{stage="session"} 2.0',
        'photoreel_stage_seconds_sum{stage="session"} 0.6',
        'photoreel_stage_seconds_sum{stage="upload"} 1.5',
        'photoreel_stage_retries_total{stage="upload"} 1.0',
        'photoreel_stage_retries_total{stage="session"} 0.0',
        "photoreel_credits_spent_total 100.0",
        "photoreel_charges_total 1.0",
    ):
        assert line in text.splitlines(), line


def test_counters_never_go_down_when_a_job_is_erased_and_made_again(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    spec = JobSpec(id="again", photos=["/a.jpg"])
    store.create(spec, out="/out", batch="b1")
    run_stages(store, "again", list(Stage))
    before = generate_latest(metrics_registry(fake_redis)).decode().splitlines()
    assert store.erase_finished("again")
    store.create(spec, out="/out", batch="b2")

    after = generate_latest(metrics_registry(fake_redis)).decode().splitlines()

    for line in (
        'photoreel_jobs_finished_total{state="succeeded"} 1.0',
        'photoreel_stage_seconds_count{stage="publish"} 1.0',
    ):
        assert line in before and line in after, line
    assert 'photoreel_jobs{state="succeeded"} 1.0' in before
    assert 'photoreel_jobs{state="succeeded"} 0.0' in after
    assert 'photoreel_jobs{state="queued"} 1.0' in after


@pytest.fixture
def metrics_redis(redis_url: str) -> Iterator[Redis]:
    """A database of its own on a real Redis, whose command statistics a test reads."""
    client = Redis.from_url(f"{redis_url.rsplit('/', 1)[0]}/{METRICS_TEST_DB}")
    client.flushdb()
    yield client
    client.flushdb()


METRICS_TEST_DB = 14


def commands_per_scrape(redis: Redis) -> int:
    """Redis commands one scrape sends, counted by the server (less the INFO that reads it)."""
    registry = metrics_registry(redis)
    before = redis.info("stats")["total_commands_processed"]
    generate_latest(registry)
    return redis.info("stats")["total_commands_processed"] - before - 1


def test_a_scrape_sends_as_many_commands_with_1000_settled_jobs_as_with_100(
    metrics_redis: Redis,
) -> None:
    store = JobStore(metrics_redis)
    counted = {}
    made = 0
    for total in (100, 1000):
        for index in range(made, total):
            job_id = f"job-{index}"
            store.create(JobSpec(id=job_id, photos=[f"/{job_id}.jpg"]), out="/out", batch="big")
            run_stages(store, job_id, list(Stage))
        made = total
        counted[total] = commands_per_scrape(metrics_redis)

    assert counted[100] == counted[1000], counted
    text = generate_latest(metrics_registry(metrics_redis)).decode().splitlines()
    assert 'photoreel_jobs{state="succeeded"} 1000.0' in text
