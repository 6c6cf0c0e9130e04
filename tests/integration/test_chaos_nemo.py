"""Workers killed at each stage of cloud jobs, Redis restarted, jobs enqueued twice:
every job ends with a video and exactly one paid generation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

from producer.enqueue import enqueue_specs
from producer.redis_server import EmbeddedRedis
from producer.worker_processes import WorkerProcesses
from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import make_photo
from tests.integration.chaos import all_settled, sigkill, start_workers, states, wait_until
from tests.integration.nemo_env import point_workers_at
from worker.backends.nemo.stub import FakeConfig, FakeNemo, running
from worker.job.spec import BackendName, JobOptions, JobSpec
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.queue.app import connect

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fast_recovery")]
IO_QUEUE = "photoreel.io"
JOBS = 3


@dataclass
class Cluster:
    fake: FakeNemo
    redis: EmbeddedRedis
    store: JobStore
    log: Path
    out: Path
    specs: list[JobSpec]

    def workers(self) -> WorkerProcesses:
        return start_workers(self.redis.url, self.log, queue=IO_QUEUE, pool="threads")

    def enqueue(self) -> None:
        enqueue_specs(self.specs, self.store, out=str(self.out), batch="chaos")

    def finish(self, workers: WorkerProcesses) -> None:
        job_ids = [spec.id for spec in self.specs]
        settled = all_settled(self.store, job_ids)
        try:
            wait_until(
                lambda: workers.supervise() and settled(), timeout=120, what="every job to end"
            )
        finally:
            workers.stop()
        ended = states(self.store, job_ids)
        tail = self.log.read_text()[-4000:]
        assert [state.status for state in ended] == [JobStatus.SUCCEEDED] * len(ended), tail
        stats = self.fake.stats()
        assert stats["total_charges"] == len(self.specs), stats
        assert set(stats["charges"].values()) == {1}
        assert stats["mistakes"] == []
        for spec in self.specs:
            assert (self.out / spec.id / "video.mp4").stat().st_size > 0


def stub_config() -> FakeConfig:
    stub = fast_config()
    stub.initial_credits = 10_000
    stub.stage1_seconds = 1.5  # the message stream stays open this long
    stub.slow_stage2_seconds = 0.8  # under the settle period of FAST_NEMO
    stub.renders_complete_after_polls = 25
    stub.transfer_seconds = 1.0
    return stub


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    photos = [
        str(make_photo(tmp_path / "in" / f"{i}.jpg", size=(160, 120), seed=i)) for i in range(2)
    ]
    specs = [
        JobSpec(
            id=f"job{index}-nemofault-slow-stage2",
            photos=photos,
            prompt=f"Promo number {index}, 6 seconds",
            options=JobOptions(backend=BackendName.NEMO),
        )
        for index in range(JOBS)
    ]
    with running(stub_config()) as fake, EmbeddedRedis(append_only=True) as redis_server:
        point_workers_at(fake, tmp_path / "home", monkeypatch)
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        yield Cluster(fake, redis_server, store, tmp_path / "worker.log", tmp_path / "out", specs)


def in_stage(cluster: Cluster, stage: Stage) -> Callable[[], bool]:
    """A job is running ``stage``; for ``generate``, with its message accepted and streaming
    (a worker that dies between recording the send and sending it leaves the outcome unknown:
    that job fails rather than risk a second charge)."""

    def check() -> bool:
        running = [
            spec.id
            for spec in cluster.specs
            if (state := cluster.store.get(spec.id)) is not None
            and state.stage == stage
            and state.status == JobStatus.RUNNING
        ]
        if stage != Stage.GENERATE:
            return bool(running)
        charges = cluster.fake.stats()["charges"]
        sessions = [cluster.store.checkpoint(job_id).get("session_id") for job_id in running]
        return bool(running) and all(charges.get(session, 0) > 0 for session in sessions)

    return check


@pytest.mark.parametrize(
    "stage", [Stage.UPLOAD, Stage.GENERATE, Stage.COMPLETE, Stage.EXPORT, Stage.DOWNLOAD]
)
def test_sigkill_during_a_stage(cluster: Cluster, stage: Stage) -> None:
    workers = cluster.workers()
    cluster.enqueue()
    wait_until(in_stage(cluster, stage), timeout=60, what=f"{stage} to run")
    sigkill(workers)
    cluster.finish(cluster.workers())


def test_redis_restarted_mid_batch(cluster: Cluster) -> None:
    workers = cluster.workers()
    cluster.enqueue()
    wait_until(in_stage(cluster, Stage.COMPLETE), timeout=60, what="generation")
    cluster.redis.restart()
    cluster.finish(workers)


def test_enqueued_twice_runs_once(cluster: Cluster) -> None:
    workers = cluster.workers()
    cluster.enqueue()
    cluster.enqueue()
    cluster.finish(workers)


def test_redelivery_after_a_tiny_visibility_timeout(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTOREEL_VISIBILITY_TIMEOUT", "1")
    workers = cluster.workers()
    cluster.enqueue()
    cluster.finish(workers)
    dropped = cluster.log.read_text().count('"event": "delivery dropped"')
    assert dropped > 0, "no stage was delivered twice: the test proved nothing"


def test_jobs_park_on_no_credits_and_resume_after_a_top_up(cluster: Cluster) -> None:
    cluster.fake.world.config.initial_credits = 100  # one generation
    workers = cluster.workers()
    cluster.enqueue()
    job_ids = [spec.id for spec in cluster.specs]

    def one_made_and_the_rest_parked() -> bool:
        ended = states(cluster.store, job_ids)
        statuses = sorted(state.status for state in ended)
        return statuses == [JobStatus.PARKED, JobStatus.PARKED, JobStatus.SUCCEEDED]

    wait_until(one_made_and_the_rest_parked, timeout=60, what="the batch to park on credits")
    parked = [state for state in states(cluster.store, job_ids) if state.parked_reason]
    assert all("bind=" in (state.parked_reason or "") for state in parked)
    assert cluster.fake.stats()["total_charges"] == 1
    for account in cluster.fake.world.accounts.values():
        account.credits += 1000  # the user tops up; the workers notice by themselves

    def none_parked() -> bool:
        return all(state.status != JobStatus.PARKED for state in states(cluster.store, job_ids))

    wait_until(none_parked, timeout=30, what="the parked jobs to resume")
    cluster.finish(workers)
