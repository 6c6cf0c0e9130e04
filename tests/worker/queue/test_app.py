from types import SimpleNamespace

import pytest
from redis import Redis

from config.settings import get_settings
from producer.embedded import EmbeddedRedis
from tests.conftest import queued_messages
from worker.job.spec import JobSpec
from worker.queue.app import _note_pool_processes, app, connect, pool_processes
from worker.queue.handoff import submit


def test_connect_again_sends_later_messages_to_the_new_redis(redis_url: str) -> None:
    with EmbeddedRedis() as first:
        connect(first.url)
        submit([JobSpec(id="a", photos=["/a.jpg"])])
        assert queued_messages(Redis.from_url(first.url), get_settings().queue) == 1
    second_url = f"{redis_url.rsplit('/', 1)[0]}/14"
    second = Redis.from_url(second_url)
    second.flushdb()
    connect(second_url)
    submit([JobSpec(id="b", photos=["/b.jpg"])])
    assert queued_messages(second, get_settings().queue) == 1
    assert app.conf.broker_url == second_url
    second.flushdb()


def test_pool_processes_is_the_worker_concurrency_its_pool_inherits() -> None:
    previous = app.conf.worker_concurrency
    try:
        app.conf.worker_concurrency = None
        assert pool_processes() == 1  # outside a worker
        _note_pool_processes(sender=SimpleNamespace(concurrency=3))  # at worker_init
        assert pool_processes() == 3
        app.conf.worker_concurrency = "auto"  # resolved by Celery only after worker_init
        assert pool_processes() == 1
    finally:
        app.conf.worker_concurrency = previous


def test_renders_per_machine_outweighs_the_worker_concurrency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Single-process workers (``run`` starts one per render) each have a concurrency of 1;
    the run tells them how many renders share the machine."""
    previous = app.conf.worker_concurrency
    monkeypatch.setenv("PHOTOREEL_RENDERS_PER_MACHINE", "2")
    get_settings.cache_clear()
    try:
        app.conf.worker_concurrency = 1
        assert pool_processes() == 2
    finally:
        app.conf.worker_concurrency = previous
        monkeypatch.delenv("PHOTOREEL_RENDERS_PER_MACHINE")
        get_settings.cache_clear()
