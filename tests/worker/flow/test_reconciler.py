"""The reconciler: jobs left without a worker resumed, parked jobs listed again and resumed
once a paid backend's balance covers a job."""

from __future__ import annotations

import time

import pytest
from redis import Redis

from config.settings import Settings
from tests.conftest import RoundTrips, claim_stage
from worker.backends.base import BackendPlugin, Pool
from worker.flow import reconciler, runtime
from worker.job.limits import credit_breaker
from worker.job.spec import JobSpec
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.queue.app import queue_of_pool


@pytest.fixture
def store(fake_redis: Redis, monkeypatch: pytest.MonkeyPatch) -> JobStore:
    job_store = JobStore(fake_redis)
    monkeypatch.setattr(runtime, "job_store", lambda: job_store)
    monkeypatch.setattr(reconciler, "job_store", lambda: job_store)
    return job_store


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Stage]]:
    sent: list[tuple[str, Stage]] = []
    monkeypatch.setattr(
        reconciler, "enqueue_stage", lambda spec, stage: sent.append((spec.id, stage))
    )
    return sent


def create(store: JobStore, *job_ids: str) -> None:
    for job_id in job_ids:
        store.create(JobSpec(id=job_id, photos=[f"/{job_id}.jpg"]), out="/out", batch="b")


def park(store: JobStore, job_id: str) -> None:
    claim_stage(store, job_id, Stage.SESSION).park("no credits")


def park_out_of_credits(store: JobStore, job_id: str) -> None:
    """A new job parked, and the credit breaker open."""
    create(store, job_id)
    park(store, job_id)
    credit_breaker(store.redis).trip("no credits")


def test_reconcile_resumes_orphaned_and_overdue_jobs_only(
    store: JobStore, enqueued: list[tuple[str, Stage]]
) -> None:
    create(store, "orphan", "alive", "lost", "waiting")
    claim = lambda job_id, lease: store.claim(  # noqa: E731
        job_id, Stage.SESSION, owner="w", lease_seconds=lease, max_attempts=3
    )[1]
    claim("orphan", 0.01)  # its worker dies: the lease runs out, nobody renews it
    claim("alive", 30)
    store.mark_due("waiting", time.time() + 100)  # a retry with a countdown
    time.sleep(0.3)  # "lost" stays queued: its message went down with a worker

    resumed = reconciler.reconcile(store, lease_seconds=0.02, requeue_seconds=0.2)

    assert sorted(resumed) == ["lost", "orphan"]
    assert sorted(enqueued) == [("lost", Stage.SESSION), ("orphan", Stage.SESSION)]
    again = reconciler.reconcile(store, lease_seconds=0.02, requeue_seconds=0.2)
    assert again == ["orphan"], "a requeued job is given the whole wait again"


def test_reconcile_forgets_finished_jobs(store: JobStore, enqueued: list) -> None:
    create(store, "done")
    claim_stage(store, "done", Stage.SESSION).fail("bad photo")
    assert reconciler.reconcile(store, lease_seconds=0, requeue_seconds=0) == []
    assert store.active_jobs() == [] and enqueued == []


def test_resume_parked_closes_the_breaker_and_requeues_every_parked_job(
    store: JobStore, enqueued: list
) -> None:
    create(store, "a", "b", "c")
    park(store, "a")
    park(store, "b")
    credit_breaker(store.redis).trip("no credits")
    assert reconciler.resume_parked(store) == 2
    assert sorted(enqueued) == [("a", Stage.SESSION), ("b", Stage.SESSION)]
    assert credit_breaker(store.redis).reason() is None
    assert {job.spec.id: job.status for job in store.batch_jobs("b")} == {
        "a": JobStatus.QUEUED,
        "b": JobStatus.QUEUED,
        "c": JobStatus.QUEUED,
    }


IO_QUEUES = {queue_of_pool(Pool.IO)}


def paid_backends(monkeypatch: pytest.MonkeyPatch, balance_covers: bool) -> list[str]:
    """A free backend and a paid one whose balance check answers ``balance_covers``."""
    asked: list[str] = []

    def check(backend: object, settings: Settings, limits: object) -> bool:
        asked.append("paid")
        return balance_covers

    plugins = {
        "free": BackendPlugin(name="free", pool=Pool.CPU, create=object),
        "paid": BackendPlugin(name="paid", pool=Pool.IO, create=object, credit_check=check),
    }
    monkeypatch.setattr(reconciler, "backend_names", lambda: list(plugins))
    monkeypatch.setattr(reconciler, "get_plugin", plugins.__getitem__)
    monkeypatch.setattr(reconciler, "get_backend", lambda name: object())
    monkeypatch.setattr(reconciler, "shared_limits", lambda name: None)
    return asked


def test_no_balance_is_checked_while_the_breaker_is_closed(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = paid_backends(monkeypatch, balance_covers=True)
    assert not reconciler.resume_after_top_up(store, IO_QUEUES)
    assert asked == []


def test_parked_jobs_stay_parked_until_the_balance_covers_a_job(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_out_of_credits(store, "a")
    asked = paid_backends(monkeypatch, balance_covers=False)
    assert not reconciler.resume_after_top_up(store, IO_QUEUES)
    assert asked == ["paid"] and enqueued == []
    state = store.get("a")
    assert state is not None and state.status == JobStatus.PARKED


def test_a_top_up_resumes_the_parked_jobs(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_out_of_credits(store, "a")
    paid_backends(monkeypatch, balance_covers=True)
    assert reconciler.resume_after_top_up(store, IO_QUEUES)
    assert enqueued == [("a", Stage.SESSION)]
    assert credit_breaker(store.redis).reason() is None


def test_a_pass_lists_again_a_parked_job_missing_from_the_list(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_out_of_credits(store, "a")
    store.redis.delete("photoreel:jobs:parked")  # an older version's park, cut in between
    paid_backends(monkeypatch, balance_covers=True)
    reconciler.reconcile_pass(store)
    reconciler.resume_after_top_up(store, IO_QUEUES)
    assert enqueued == [("a", Stage.SESSION)], "listed again, so the top-up resumed it"


def test_a_worker_not_consuming_the_paid_queue_never_asks_the_balance(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    park_out_of_credits(store, "a")
    asked = paid_backends(monkeypatch, balance_covers=True)
    cpu_only = {queue_of_pool(Pool.CPU)}
    assert reconciler.paid_backends_served(cpu_only) == []
    assert not reconciler.resume_after_top_up(store, cpu_only)
    assert asked == [] and enqueued == []


def test_a_pass_makes_the_same_round_trips_for_ten_jobs_or_a_thousand(
    store: JobStore, enqueued: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = RoundTrips(store.redis, monkeypatch)

    def one_pass() -> None:
        reconciler.reconcile(store, lease_seconds=30, requeue_seconds=300)
        store.repair_parked()

    create(store, *(f"few-{index}" for index in range(10)))
    few = trips(one_pass)
    create(store, *(f"many-{index}" for index in range(990)))
    assert trips(one_pass) == few
