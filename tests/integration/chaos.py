"""Helpers for tests that kill workers and restart Redis in the middle of a batch."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from producer.redis_server import EmbeddedRedis
from producer.worker_processes import WorkerProcesses
from worker.job.states import JobState
from worker.job.store import JobStore

FAST_RECOVERY = {
    "PHOTOREEL_LEASE_SECONDS": "1.5",
    "PHOTOREEL_RECONCILE_SECONDS": "0.5",
    "PHOTOREEL_REQUEUE_SECONDS": "3",
    "PHOTOREEL_LOG_LEVEL": "INFO",
}


def start_workers(redis_url: str, log_file: Path, *, queue: str, pool: str) -> WorkerProcesses:
    concurrency = 4 if pool == "threads" else 2
    return WorkerProcesses(
        redis_url, queue=queue, pool=pool, concurrency=concurrency, log_file=log_file
    ).start()


def sigkill(workers: WorkerProcesses) -> None:
    """Kill the worker and every process of its pool at once, as a crash or OOM would."""
    assert workers.process is not None
    os.killpg(workers.process.pid, signal.SIGKILL)
    workers.process.wait()


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(poll)


def all_settled(store: JobStore, job_ids: list[str]) -> Callable[[], bool]:
    def check() -> bool:
        states = [store.get(job_id) for job_id in job_ids]
        return all(state is not None and state.status.settled for state in states)

    return check


def states(store: JobStore, job_ids: list[str]) -> list[JobState]:
    return [state for job_id in job_ids if (state := store.get(job_id)) is not None]


def kill_redis(server: EmbeddedRedis) -> None:
    """Kill the server as a crash would (SIGKILL); its append-only file stays."""
    assert server.process is not None
    server.process.kill()
    server.process.wait()


def redis_down_for(server: EmbeddedRedis, seconds: float) -> None:
    """Kill the server, and start it again on its data after ``seconds``."""
    kill_redis(server)
    time.sleep(seconds)
    server.start()
