import time

from redis import Redis

from worker.job.limits import CreditBreaker, Pause, RateLimit, Semaphore, SharedLimits


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


def test_waiting_jobs_are_woken_in_order_as_slots_free(fake_redis: Redis) -> None:
    woken: list[str] = []
    limits = SharedLimits(
        fake_redis, "cloud", max_sessions=1, calls_per_second=100, wake=woken.append
    )
    assert limits.sessions.try_acquire("a", 30)
    assert not limits.sessions.try_acquire("b", 30)
    limits.wait_for_session("b")
    limits.wait_for_session("c")
    assert woken == [], "no slot is free: nobody is woken"
    limits.release_session("a")
    assert woken == ["b"]
    assert limits.sessions.try_acquire("b", 30)
    limits.release_session("b")
    assert woken == ["b", "c"]


def test_a_slot_freed_while_joining_the_line_is_not_lost(fake_redis: Redis) -> None:
    woken: list[str] = []
    limits = SharedLimits(
        fake_redis, "cloud", max_sessions=1, calls_per_second=100, wake=woken.append
    )
    limits.wait_for_session("late")  # its try failed, then the holder released before it got here
    assert woken == ["late"]
