"""Redis outages ridden out, against a real redis-server killed and started again."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError

from producer.redis_server import EmbeddedRedis
from worker.job.redis_outage import (
    UNREACHABLE_MESSAGE,
    Outage,
    publish_retry_policy,
    retrying_client,
)


@pytest.fixture
def server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(append_only=True) as redis_server:
        yield redis_server


def outage_told(seconds: float) -> tuple[Outage, list[str]]:
    outage, told = Outage(), []
    outage.seconds = seconds
    outage.tell = told.append
    return outage, told


def kill(server: EmbeddedRedis) -> None:
    assert server.process is not None
    server.process.kill()
    server.process.wait()


def test_calls_during_a_restart_wait_for_redis_and_it_is_said_once(
    server: EmbeddedRedis,
) -> None:
    outage, told = outage_told(60)
    client = retrying_client(server.url, outage)
    client.set("kept", "before")
    kill(server)
    results: list[bytes | None] = []
    waiting = [
        threading.Thread(target=lambda: results.append(client.get("kept"))) for _ in range(3)
    ]
    for thread in waiting:
        thread.start()
    time.sleep(1.5)
    server.start()  # on its append-only file
    for thread in waiting:
        thread.join(timeout=30)
    assert results == [b"before"] * 3
    assert told == [f"{UNREACHABLE_MESSAGE} (for up to 60 s)", "Redis is reachable again"]
    assert not outage.ongoing


def test_past_its_budget_a_call_gives_up_and_the_next_fails_at_once(
    server: EmbeddedRedis,
) -> None:
    outage, told = outage_told(0.5)
    client = retrying_client(server.url, outage)
    client.ping()
    kill(server)
    with pytest.raises(RedisConnectionError):
        client.get("anything")
    with pytest.raises(RedisConnectionError):
        client.set("anything", 1)
    assert told == [f"{UNREACHABLE_MESSAGE} (for up to 0.5 s)"]
    server.start()
    assert client.ping() is True
    kill(server)
    with pytest.raises(RedisConnectionError):
        client.ping()
    assert told[1:] == ["Redis is reachable again", f"{UNREACHABLE_MESSAGE} (for up to 0.5 s)"]


def test_a_command_being_stopped_waits_for_nothing_and_says_nothing(
    server: EmbeddedRedis,
) -> None:
    outage, told = outage_told(60)
    client = retrying_client(server.url, outage)
    kill(server)
    outage.stop_waiting()
    with pytest.raises(RedisConnectionError):
        client.ping()
    assert told == []


def test_a_redis_that_refuses_the_password_is_no_outage(server: EmbeddedRedis) -> None:
    Redis.from_url(server.url).config_set("requirepass", "right")
    outage, told = outage_told(60)
    wrong = server.url.replace("redis://", "redis://:wrong@")
    with pytest.raises(AuthenticationError):
        retrying_client(wrong, outage).ping()
    assert told == [] and not outage.ongoing


def test_a_message_sent_during_an_outage_shares_its_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outage, told = outage_told(60)
    monkeypatch.setattr("worker.job.redis_outage.OUTAGE", outage)
    policy = publish_retry_policy()
    errback = policy["errback"]
    errback(RedisConnectionError("refused"), 0)  # within the budget: tried again
    assert told == [f"{UNREACHABLE_MESSAGE} (for up to 60 s)"]
    assert policy["max_retries"] is None
    outage.stop_waiting()
    with pytest.raises(RedisConnectionError):
        errback(RedisConnectionError("refused"), 2)
