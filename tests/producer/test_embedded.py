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


def _pool_processes(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_finish_stops_private_workers_and_their_pool_at_once(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = get_settings()
    with local_runtime(
        settings, workers=2, log_file=tmp_path / "worker.log", io_pool=False
    ) as runtime:
        assert runtime.embedded
        worker = runtime.pools[0].process
        assert worker is not None
        pool: list[int] = []
        while len(pool) < 2 and worker.poll() is None:  # the pool processes are forked
            pool = _pool_processes(worker.pid)
            time.sleep(0.05)
        runtime.finish()
        assert worker.poll() is not None
        assert not runtime.healthy()  # stopped on purpose: not restarted
    assert len(pool) == 2
    deadline = time.monotonic() + 10  # a killed process takes a moment to be gone
    while any(_running(pid) for pid in pool) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pool)
