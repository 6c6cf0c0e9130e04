"""What a worker process holds for its stages: how many renders share its machine."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from redis import Redis

from worker.flow import runtime
from worker.job import keys
from worker.job.store import JobStore


@pytest.fixture
def on_node(fake_redis: Redis, monkeypatch: pytest.MonkeyPatch) -> Redis:
    monkeypatch.setattr(runtime, "job_store", lambda: JobStore(fake_redis))
    task = SimpleNamespace(request=SimpleNamespace(hostname="photoreel-1@machine-a"))
    monkeypatch.setattr(runtime, "current_task", task)
    return fake_redis


def test_a_render_worker_learns_the_renders_sharing_its_machine_from_its_run(
    on_node: Redis,
) -> None:
    """``run`` starts one single-process worker per render; each has a concurrency of 1."""
    on_node.set(keys.machine_renders("photoreel-1@machine-a"), 2)
    assert runtime.renders_on_machine() == 2


def test_a_worker_no_run_started_counts_its_own_pool_processes(
    on_node: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "pool_processes", lambda: 3)
    assert runtime.renders_on_machine() == 3
    on_node.set(keys.machine_renders("photoreel-1@other-machine"), 2)  # not this worker's
    assert runtime.renders_on_machine() == 3
