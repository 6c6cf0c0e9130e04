from prometheus_client import generate_latest
from redis import Redis

from worker.jobs import JobStore, Stage
from worker.metrics import metrics_registry
from worker.spec import JobSpec


def test_metrics_are_computed_from_the_job_state(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    for job_id in ("a", "b", "c"):
        store.create(JobSpec(id=job_id, photos=["/p.jpg"]), out="/out", batch="b1")
    store.start_stage("a", Stage.UPLOAD)
    store.start_stage("a", Stage.UPLOAD)
    store.finish_stage("a", Stage.UPLOAD, 1.5)
    store.record("a", "credits", {"spent": 100, "charges": 1})
    store.finish("a")
    store.start_stage("b", Stage.UPLOAD)
    store.finish_stage("b", Stage.UPLOAD, 0.5)
    store.fail("b", "cannot decode", file="p.jpg")

    text = generate_latest(metrics_registry(fake_redis)).decode()

    for line in (
        'photoreel_jobs{state="queued"} 1.0',
        'photoreel_jobs{state="succeeded"} 1.0',
        'photoreel_jobs{state="failed"} 1.0',
        'photoreel_jobs{state="running"} 0.0',
        'photoreel_stage_seconds_count{stage="upload"} 2.0',
        'photoreel_stage_seconds_sum{stage="upload"} 2.0',
        'photoreel_stage_retries_total{stage="upload"} 1.0',
        'photoreel_stage_retries_total{stage="session"} 0.0',
        "photoreel_credits_spent_total 100.0",
        "photoreel_charges_total 1.0",
    ):
        assert line in text.splitlines(), line
