from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import get_settings
from producer.embedded import local_runtime
from tests.producer.conftest import producer_test_url
from worker.job import keys


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("PHOTOREEL_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_without_redis_url_starts_and_stops_redis_and_workers(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = get_settings()
    log_file = tmp_path / "worker.log"
    with local_runtime(
        settings, workers=1, log_file=log_file, io_pool=False, deployment_workers=True
    ) as runtime:
        client = Redis.from_url(runtime.redis_url)
        client.set("probe", "here")
        assert runtime.store.redis.get("probe") == b"here"
        assert len(runtime.pools) == 1 and runtime.healthy()
    assert not runtime.healthy()
    with pytest.raises(RedisConnectionError):
        client.ping()


def test_with_redis_url_can_leave_the_work_to_the_deployment(
    environment: pytest.MonkeyPatch, redis_url: str, tmp_path: Path
) -> None:
    url = producer_test_url(redis_url)
    environment.setenv("REDIS_URL", url)
    settings = get_settings()
    log_file = tmp_path / "worker.log"
    with local_runtime(
        settings, workers=1, log_file=log_file, io_pool=True, deployment_workers=True
    ) as runtime:
        assert runtime.redis_url == url and runtime.pools == []
        assert runtime.store.redis.ping()


def test_private_workers_render_in_their_own_process_one_per_render(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No prefork main process beside the render (about 80 MB that runs no stage): one solo
    worker per render at once, each told how many share the machine (the encoder's threads)."""
    settings = get_settings()
    with local_runtime(
        settings, workers=2, log_file=tmp_path / "worker.log", io_pool=False
    ) as runtime:
        log = tmp_path / "worker.log"
        deadline = time.monotonic() + 30
        while log.read_text().count('"worker ready"') < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        processes = [pool.process for pool in runtime.pools]
        assert len(processes) == 2 and all(p is not None for p in processes)
        for process in processes:
            assert process is not None
            command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
            assert command[1:3] == [b"-m", b"worker.flow.solo_worker"]
            assert not Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
        names = {pool.name for pool in runtime.pools}
        assert len(names) == 2  # each its own node in Celery and in Redis' stopping marks
        for name in names:  # and told how many renders share the machine
            assert runtime.store.redis.get(keys.machine_renders(name)) == b"2"
        runtime.finish()
        assert all(process.poll() is not None for process in processes if process)
        assert not runtime.healthy()  # stopped on purpose: not restarted
