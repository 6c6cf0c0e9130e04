"""A session is opened only when a session slot is free: a queued batch holds no more open
sessions than there are slots."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis

from tests.backends.nemo.harness import Job, NewJob
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.errors import JobFailed, WaitingForSlot
from worker.job.limits import SharedLimits


@pytest.fixture
def one_slot(fake_redis: Redis) -> SharedLimits:
    woken: list[str] = []
    return SharedLimits(
        fake_redis, "nemo", max_sessions=1, calls_per_second=1000, wake=woken.append
    )


def limited(new_job: NewJob, one_slot: SharedLimits, job_id: str, **kwargs: object) -> Job:
    job = new_job(job_id, **kwargs)
    job.limits = one_slot
    return job


def test_a_batch_holds_no_more_sessions_than_slots(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, one_slot: SharedLimits
) -> None:
    fake_nemo.world.config.initial_credits = 1000
    jobs = [limited(new_job, one_slot, f"queued-{index}") for index in range(5)]
    jobs[0].run(backend, "open_session", "upload")
    for waiting in jobs[1:]:
        with pytest.raises(WaitingForSlot):
            waiting.run(backend, "open_session")
    assert fake_nemo.stats()["sessions"] == 1
    jobs[0].run(backend, "generate", "await_completion")
    assert one_slot.sessions.holders() == []
    jobs[1].run(backend, "open_session")
    assert fake_nemo.stats()["sessions"] == 2
    assert one_slot.sessions.holders() == ["queued-1"]


def test_a_failed_upload_frees_the_slot(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    new_job: NewJob,
    one_slot: SharedLimits,
    tmp_path: Path,
) -> None:
    odd = tmp_path / "odd.psd"
    odd.write_bytes(b"not a photo")
    job = limited(new_job, one_slot, "refused", photos=[odd])
    job.run(backend, "open_session")
    assert one_slot.sessions.holders() == ["refused"]
    with pytest.raises(JobFailed):
        job.run(backend, "upload")
    assert one_slot.sessions.holders() == []
