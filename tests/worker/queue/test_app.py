from types import SimpleNamespace

from redis import Redis

from config.settings import get_settings
from producer.redis_server import EmbeddedRedis
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
