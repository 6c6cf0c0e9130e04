"""Limits shared by every worker on every machine, kept in Redis.

- ``Semaphore``: at most N holders at once (a cloud's sessions generating); each hold is a
  lease that expires if its holder dies, so a crashed worker cannot leak a slot.
- ``RateLimit``: at most N calls in any sliding window.
- ``Pause``: one 429 ``Retry-After`` pauses every worker's calls, not just the one that got it.
- ``CreditBreaker``: once open (no credits), no worker starts a generation until it is reset.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

from worker.job import keys

_ACQUIRE = """
local now, lease_ms, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[1])
  return 1
end
return 0
"""

_RATE = """
local now, window_ms, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window_ms)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window_ms)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window_ms - now)
"""

_PAUSE = """
local remaining = redis.call('PTTL', KEYS[1])
if remaining < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
"""


def _now_ms() -> int:
    return int(time.time() * 1000)


class Semaphore:
    def __init__(self, redis: Redis, name: str, limit: int) -> None:
        self.redis = redis
        self.key = keys.semaphore(name)
        self.line = keys.semaphore_line(name)
        self.limit = limit
        self._acquire = redis.register_script(_ACQUIRE)

    def try_acquire(self, holder: str, lease_seconds: float) -> bool:
        """Take (or renew) a slot for ``holder``; False when all slots are taken."""
        args = [holder, _now_ms(), int(lease_seconds * 1000), self.limit]
        return bool(self._acquire(keys=[self.key], args=args))

    def release(self, holder: str) -> None:
        self.redis.zrem(self.key, holder)

    def has_free_slot(self) -> bool:
        return len(self.holders()) < self.limit

    def wait_in_line(self, holder: str) -> None:
        self.redis.rpush(self.line, holder)

    def next_in_line(self) -> str | None:
        holder = self.redis.lpop(self.line)
        return holder.decode() if holder is not None else None

    def holders(self) -> list[str]:
        live = self.redis.zrangebyscore(self.key, _now_ms(), "+inf")
        return [holder.decode() for holder in live]


class RateLimit:
    def __init__(self, redis: Redis, name: str, calls: int, per_seconds: float) -> None:
        self.key = keys.rate_limit(name)
        self.calls = calls
        self.window_ms = int(per_seconds * 1000)
        self._take = redis.register_script(_RATE)
        self._counter = 0

    def try_take(self) -> float:
        """Take one call; return 0, or the seconds to wait before trying again."""
        self._counter += 1
        token = f"{time.time_ns()}:{id(self)}:{self._counter}"
        wait_ms = self._take(keys=[self.key], args=[_now_ms(), self.window_ms, self.calls, token])
        return int(wait_ms) / 1000

    def take(self) -> None:
        while (wait := self.try_take()) > 0:
            time.sleep(wait)


class Pause:
    def __init__(self, redis: Redis, name: str) -> None:
        self.redis = redis
        self.key = keys.pause(name)
        self._pause = redis.register_script(_PAUSE)

    def pause(self, seconds: float) -> None:
        """Pause every worker for at least ``seconds`` (a longer pause already set stands)."""
        self._pause(keys=[self.key], args=[max(1, int(seconds * 1000))])

    def remaining(self) -> float:
        milliseconds = self.redis.pttl(self.key)
        return max(0, int(milliseconds)) / 1000

    def wait(self) -> None:
        while (remaining := self.remaining()) > 0:
            time.sleep(remaining)


class CreditBreaker:
    def __init__(self, redis: Redis, name: str) -> None:
        self.redis = redis
        self.key = keys.breaker(name)

    def trip(self, reason: str) -> None:
        self.redis.set(self.key, reason)

    def reason(self) -> str | None:
        value = self.redis.get(self.key)
        return value.decode() if value is not None else None

    def reset(self) -> None:
        self.redis.delete(self.key)


def credit_breaker(redis: Redis) -> CreditBreaker:
    """The one breaker of every paid backend: open, no worker starts a generation."""
    return CreditBreaker(redis, "credits")


class SharedLimits:
    """The limits every worker's calls to one backend obey, on one Redis (keys named after
    the backend: ``<name>-sessions``, ``<name>-calls``, ``<name>``'s pause).

    A job that finds every session slot taken waits in line without holding a worker;
    ``wake(job_id)`` (given by the orchestrator) queues its stage again when a slot frees.
    """

    def __init__(
        self,
        redis: Redis,
        name: str,
        *,
        max_sessions: int,
        calls_per_second: float,
        wake: Callable[[str], None],
    ) -> None:
        self.redis = redis
        self.wake = wake
        self.sessions = Semaphore(redis, f"{name}-sessions", max_sessions)
        self.calls = RateLimit(redis, f"{name}-calls", max(1, round(calls_per_second)), 1.0)
        self.pause = Pause(redis, name)
        self.credits = credit_breaker(redis)

    def before_call(self) -> None:
        """Hold the call while every worker is paused (a 429), then take a slot in the rate."""
        self.pause.wait()
        self.calls.take()

    def wait_for_session(self, job_id: str) -> None:
        """Join the line; if a slot was freed meanwhile, wake whoever is first."""
        self.sessions.wait_in_line(job_id)
        if self.sessions.has_free_slot():
            self._wake_next()

    def release_session(self, job_id: str) -> None:
        self.sessions.release(job_id)
        self._wake_next()

    def _wake_next(self) -> None:
        if (waiting := self.sessions.next_in_line()) is not None:
            self.wake(waiting)

    def rate_limited(self, seconds: float) -> None:
        """A 429 told one worker to wait: make every worker wait."""
        self.pause.pause(seconds)
