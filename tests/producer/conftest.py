"""Producer tests enqueue on a real Redis, in a database of their own: no worker takes the
jobs, and the tests read what was enqueued (job records, Celery messages)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from config.settings import get_settings
from tests.conftest import queued_messages as count_queued
from worker.job.states import Stage
from worker.job.store import JobStore
from worker.queue.app import connect

PRODUCER_TEST_DB = 15


def producer_test_url(redis_url: str) -> str:
    return f"{redis_url.rsplit('/', 1)[0]}/{PRODUCER_TEST_DB}"


@pytest.fixture
def queue_store(redis_url: str) -> Iterator[JobStore]:
    url = producer_test_url(redis_url)
    connect(url)
    client = Redis.from_url(url)
    client.flushdb()
    yield JobStore(client)
    client.flushdb()


def queued_messages(store: JobStore) -> int:
    """Celery messages waiting on the photoreel queue: one per submitted job."""
    return count_queued(store.redis, get_settings().queue)


def end_job(
    store: JobStore, job_id: str, *, error: str | None = None, file: str | None = None
) -> None:
    """What a worker does at a job's end: succeed it, or fail it with ``error``."""
    _outcome, claim = store.claim(
        job_id, Stage.PUBLISH, owner="test", lease_seconds=30, max_attempts=3
    )
    assert claim is not None
    if error is None:
        claim.finish_stage(0.1)
    else:
        claim.fail(error, file=file)
