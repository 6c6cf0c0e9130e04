from __future__ import annotations

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
