import threading
import time

from redis import Redis

from worker.limits import CreditBreaker, Pause, RateLimit, Semaphore


def test_semaphore_caps_holders_and_leases_expire(fake_redis: Redis) -> None:
    sessions = Semaphore(fake_redis, "sessions", limit=2)
    assert sessions.try_acquire("a", 30) and sessions.try_acquire("b", 0.05)
    assert not sessions.try_acquire("c", 30)
    assert sessions.try_acquire("a", 30), "a holder renews its own slot"
    time.sleep(0.1)  # b's worker died: its lease runs out
    assert sessions.try_acquire("c", 30)
    assert sorted(sessions.holders()) == ["a", "c"]
    sessions.release("a")
    assert sessions.try_acquire("d", 30)


def test_rate_limit_says_how_long_to_wait(fake_redis: Redis) -> None:
    calls = RateLimit(fake_redis, "api", calls=3, per_seconds=0.2)
    assert [calls.try_take() for _ in range(3)] == [0, 0, 0]
    wait = calls.try_take()
    assert 0 < wait <= 0.2
    time.sleep(wait + 0.01)
    assert calls.try_take() == 0


def test_pause_is_shared_and_keeps_the_longer_wait(fake_redis: Redis) -> None:
    one, other = Pause(fake_redis, "api"), Pause(fake_redis, "api")
    assert one.remaining() == 0
    one.pause(5)
    other.pause(1)
    assert 4 < other.remaining() <= 5


def test_breaker_opens_for_everyone_until_reset(fake_redis: Redis) -> None:
    breaker = CreditBreaker(fake_redis, "credits")
    assert breaker.reason() is None
    breaker.trip("no credits (2001)")
    assert CreditBreaker(fake_redis, "credits").reason() == "no credits (2001)"
    breaker.reset()
    assert breaker.reason() is None


def test_a_waiter_wakes_when_a_slot_is_released(fake_redis: Redis) -> None:
    sessions = Semaphore(fake_redis, "sessions", limit=1)
    assert sessions.try_acquire("first", 30)
    got: list[float] = []
    started = time.monotonic()
    waiter = threading.Thread(target=lambda: (sessions.acquire("second", 30), got.append(1)))
    waiter.start()
    time.sleep(0.2)
    assert got == [], "all slots were taken"
    sessions.release("first")
    waiter.join(timeout=5)
    assert got == [1] and time.monotonic() - started < 0.9, "woken by the release, not a poll"
    assert sessions.holders() == ["second"]
