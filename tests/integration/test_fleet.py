"""A batch on a fleet: `photoreel worker` processes on three "machines" that share nothing but
Redis and an S3 bucket (each its own TMPDIR, HOME and working directory), fed by a producer
that only enqueues and whose photo folders are gone once it has. Stages go to whichever worker
is free; a machine lost mid-batch costs only the stages it was running."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pytest
from redis import Redis

from producer.redis_server import EmbeddedRedis
from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import make_photo
from tests.integration.chaos import FAST_RECOVERY, wait_until
from tests.integration.fleet import Machine, running_stages, stage_machines
from tests.integration.nemo_env import FAST_NEMO
from tests.integration.test_run import PHOTOREEL
from worker.backends.nemo.stub import FakeNemo, running
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore

pytestmark = pytest.mark.integration
JOBS = 4
BATCH_SECONDS = 240


@dataclass
class Fleet:
    backend: str
    root: Path
    env: dict[str, str]
    out: str
    store: JobStore
    fake: FakeNemo | None
    machines: list[Machine]

    def machine(self, name: str) -> Machine:
        command = ["--io", "--concurrency", "4"] if self.backend == "nemo" else []
        command = command or ["--concurrency", "1"]
        machine = Machine(name, self.root / name, self.env, command)
        self.machines.append(machine)
        return machine.start()

    def enqueue(self) -> list[str]:
        """The producer's machine: photo folders enqueued, then deleted."""
        producer = self.root / "producer"
        inbox = producer / "work" / "shoots"
        for index in range(JOBS):
            folder = inbox / f"shoot-{index}"
            for photo in range(2):
                make_photo(folder / f"{photo}.jpg", size=(320, 240), seed=10 * index + photo)
            (folder / "prompt.txt").write_text(f"A 2-second calm reel number {index}, 16:9\n")
        (producer / "tmp").mkdir()
        env = {**self.env, "TMPDIR": str(producer / "tmp"), "HOME": str(producer / "work")}
        options = ["--out", self.out, "--backend", self.backend, "--resolution", "720p"]
        done = subprocess.run(
            [PHOTOREEL, "enqueue", "shoots", *options],
            cwd=producer / "work",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        shutil.rmtree(inbox)  # no worker may read the producer's files
        return [f"shoot-{index}" for index in range(JOBS)]

    def settled(self, job_ids: list[str]) -> bool:
        for machine in self.machines:
            if machine.process is not None and machine.process.poll() is None:
                machine.ready()  # notes its processes, and that it is alive
        states = [self.store.get(job_id) for job_id in job_ids]
        return all(state is not None and state.status.settled for state in states)

    def finish(self, job_ids: list[str]) -> None:
        try:
            wait_until(
                lambda: self.settled(job_ids), timeout=BATCH_SECONDS, what="the batch", poll=0.2
            )
        except AssertionError:
            raise AssertionError(self.logs()) from None
        for job_id in job_ids:
            state = self.store.get(job_id)
            assert state is not None
            assert state.status == JobStatus.SUCCEEDED, (state.error, self.logs())
        reports = [f"{self.bucket_root}/{job_id}/report.json" for job_id in job_ids]
        wait_until(  # Redis says a job ended just before its report is written
            lambda: all(self.fs.exists(report) for report in reports),
            timeout=60,
            what="every report",
            poll=0.2,
        )

    def logs(self) -> str:
        return "\n".join(f"--- {m.name}\n{m.log()[-2500:]}" for m in self.machines)

    def report(self, job_id: str) -> dict:
        return json.loads(self.fs.cat_file(f"{self.bucket_root}/{job_id}/report.json"))

    def job_log(self, job_id: str) -> str:
        return self.fs.cat_file(f"{self.bucket_root}/{job_id}/log.jsonl").decode()

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        return fsspec.filesystem("s3", skip_instance_cache=True, use_listings_cache=False)

    @property
    def bucket_root(self) -> str:
        return self.out.removeprefix("s3://")

    def work_left(self) -> list[str]:
        return self.fs.find(f"{self.bucket_root}/.work")

    def check_outputs(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            report = self.report(job_id)
            assert report["status"] == "succeeded"
            probe = report["output"]["probe"]
            if self.fake is None:  # rendered here, as asked (the stub's video is its own)
                assert (probe["width"], probe["height"]) == (1280, 720)
                assert probe["duration"] == pytest.approx(2.0, abs=0.1)
            assert probe["frames"] > 0
            assert all(len(item["sha256"]) == 64 for item in report["inputs"])
            assert self.fs.info(f"{self.bucket_root}/{job_id}/video.mp4")["size"] > 0
        if self.fake is not None:  # the cloud backend: one paid generation per job
            stats = self.fake.stats()
            assert stats["total_charges"] == len(job_ids), stats
            assert stats["mistakes"] == []
        assert self.work_left() == []
        # each machine's scratch goes as its jobs settle, on whichever machine they settle
        wait_until(
            lambda: all(not m.scratch_folders() for m in self.machines if m.process.poll() is None),
            timeout=30,
            what="scratch folders of settled jobs to be swept",
        )


@pytest.fixture(params=["local", "nemo"])
def fleet(request: pytest.FixtureRequest, tmp_path: Path, s3_out: str) -> Iterator[Fleet]:
    backend = request.param
    env = {**os.environ, **FAST_RECOVERY}
    for name in ("NEMO_TOKEN", "NEMO_CLIENT_ID", "PHOTOREEL_OUT", "PHOTOREEL_BACKEND"):
        env.pop(name, None)
    with EmbeddedRedis(append_only=True) as redis_server, running(stub_config()) as fake:
        env.update(FAST_NEMO, REDIS_URL=redis_server.url, NEMO_API_URL=fake.url)
        store = JobStore(Redis.from_url(redis_server.url))
        fleet = Fleet(
            backend, tmp_path, env, s3_out, store, fake if backend == "nemo" else None, []
        )
        try:
            yield fleet
        finally:
            for machine in fleet.machines:
                machine.stop()


def stub_config():  # type: ignore[no-untyped-def]
    stub = fast_config()
    stub.initial_credits = 10_000  # each machine's HOME is an anonymous account of its own
    stub.stage1_seconds = 1.0
    stub.renders_complete_after_polls = 20
    return stub


def test_a_batch_runs_on_machines_that_share_only_redis_and_the_bucket(fleet: Fleet) -> None:
    for name in ("machine-a", "machine-b", "machine-c"):
        fleet.machine(name)
    started = time.monotonic()
    job_ids = fleet.enqueue()
    fleet.finish(job_ids)
    wall = time.monotonic() - started
    fleet.check_outputs(job_ids)
    spread = [stage_machines(fleet.job_log(job_id), fleet.machines) for job_id in job_ids]
    machines_used = {name for ran in spread for names in ran.values() for name in names}
    assert len(machines_used) >= 2, spread
    assert any(len(set().union(*ran.values())) >= 2 for ran in spread), spread
    print(f"fleet batch of {JOBS} {fleet.backend} jobs on 3 machines: {wall:.1f} s")


def test_a_machine_lost_mid_batch_costs_only_its_current_stages(fleet: Fleet) -> None:
    first, second = fleet.machine("machine-a"), fleet.machine("machine-b")
    job_ids = fleet.enqueue()
    lost_in = Stage.EXPORT if fleet.backend == "local" else Stage.COMPLETE
    wait_until(
        lambda: (
            any(stage == lost_in for _job, stage in running_stages(fleet.store, job_ids, first))
            or fleet.settled(job_ids)
        ),
        timeout=BATCH_SECONDS,
        what=f"{first.name} to run a {lost_in} stage",
        poll=0.05,
    )
    first.lose()
    cut_short = running_stages(fleet.store, job_ids, first)  # leases outlive the machine a while
    assert cut_short, "the machine was lost with nothing running"
    fleet.machine("machine-c")
    fleet.finish(job_ids)
    fleet.check_outputs(job_ids)
    for job_id in job_ids:
        attempts = fleet.report(job_id)["stages"]["attempts"]
        again = {stage for stage, count in attempts.items() if count > 1}
        assert again == {stage for job, stage in cut_short if job == job_id}, (job_id, attempts)
    assert second.process is not None and second.process.poll() is None
