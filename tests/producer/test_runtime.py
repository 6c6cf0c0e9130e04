from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import get_settings
from producer.runtime import job_runtime
from tests.producer.conftest import producer_test_url


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("PHOTOREEL_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_without_redis_url_starts_and_stops_redis_and_workers(
    environment: pytest.MonkeyPatch,
) -> None:
    with job_runtime("b1", workers=1, use_deployment_workers=True) as runtime:
        client = Redis.from_url(runtime.redis_url)
        assert client.ping()
        assert runtime.owns_workers and runtime.healthy()
        client.set("probe", "here")
        assert runtime.store.redis.get("probe") == b"here"
    assert not runtime.healthy()
    with pytest.raises(RedisConnectionError):
        client.ping()


def test_with_redis_url_uses_it_and_can_leave_work_to_the_deployment(
    environment: pytest.MonkeyPatch, redis_url: str
) -> None:
    url = producer_test_url(redis_url)
    environment.setenv("REDIS_URL", url)
    with job_runtime("b1", workers=1, use_deployment_workers=True) as runtime:
        assert runtime.redis_url == url
        assert not runtime.owns_workers and runtime.log_file is None
        assert runtime.store.redis.ping()
