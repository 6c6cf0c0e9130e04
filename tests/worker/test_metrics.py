from prometheus_client import generate_latest
from redis import Redis

from tests.conftest import claim_stage, run_stages
from worker.jobs import JobStore, Stage
from worker.metrics import metrics_registry
from worker.spec import JobOptions, JobSpec


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
