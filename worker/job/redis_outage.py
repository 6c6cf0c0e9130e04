"""Redis outages ridden out: a Redis that restarts (a deployment's, append-only file on) stops
no batch.

Every Redis client of photoreel's own (the job store's, in the command and in the workers) is
built here with redis-py's retry hook (``redis.retry.Retry``) set to ``OutageRetry``: a
command that cannot reach Redis (refused, reset, timed out) is tried again with exponential
backoff (``redis.backoff.ExponentialBackoff``) until Redis answers, for at most
``PHOTOREEL_REDIS_RETRY_SECONDS``. redis-py counts retries; an outage is counted in time
instead, and is one per process: it starts with the first failure of any call and ends with
the next success of any call, so "Redis unreachable, retrying" is said once per outage, not
once per call or thread, and once an outage has lasted its budget every call fails at once
(one attempt each) until Redis answers again — code that winds down after giving up does not
wait the whole budget again, call after call.

Celery's own connections reconnect by themselves (the workers' consumer, for ever);
``publish_retry_policy`` holds the messages photoreel sends to the same outage and budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kombu.exceptions import OperationalError
from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, AuthorizationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from config.logging import get_logger
from config.settings import get_settings

log = get_logger(__name__)
Result = TypeVar("Result")

BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 2.0
"""Waits between attempts: 0.2 s, 0.4 s … doubling up to this."""
CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 30.0
"""A command whose reply takes longer than this (a host gone silent) counts as unreachable."""
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
"""What a call fails with while Redis is down, restarting or still loading its data."""
REFUSED = (AuthenticationError, AuthorizationError)
"""Connection errors to Redis that answered: not an outage."""
REDIS_GAVE_UP = (RedisConnectionError, RedisTimeoutError, OperationalError)
"""What a call raises once an outage has outlasted its budget: redis-py's errors, and kombu's
for a message that could not be sent."""
UNREACHABLE_MESSAGE = "Redis unreachable, retrying"


class Outage:
    """This process's current Redis outage, if there is one: when it began, whether it was
    said, and how long any call may wait for it to end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: float | None = None
        """None: ``PHOTOREEL_REDIS_RETRY_SECONDS``."""
        self.began: float | None = None
        self.tell: Callable[[str], None] = lambda message: log.warning(message)
        """Says that Redis is unreachable (once per outage) and when it is back."""

    def failed(self) -> float:
        """A call could not reach Redis: the seconds it may still wait (0 or less: give up)."""
        with self._lock:
            now = time.monotonic()
            seconds = self.budget
            if self.began is None:
                self.began = now
                if seconds > 0:  # else it is not waited for: the command is stopping
                    self.tell(f"{UNREACHABLE_MESSAGE} (for up to {seconds:g} s)")
            return self.began + seconds - now

    def answered(self) -> None:
        """A call reached Redis: any outage is over."""
        if self.began is None:
            return
        with self._lock:
            if self.began is not None:
                self.began = None
                self.tell("Redis is reachable again")

    @property
    def ongoing(self) -> bool:
        return self.began is not None

    @property
    def budget(self) -> float:
        """How long an outage may last before calls give up, in seconds."""
        return get_settings().redis_retry_seconds if self.seconds is None else self.seconds

    def stop_waiting(self) -> None:
        """From now on no call waits for Redis (the command is being stopped)."""
        self.seconds = 0.0

    def gave_up(self, error: Exception) -> str:
        """The one line that says a command gave up on Redis, and what to do."""
        return (
            f"Redis unreachable for {self.budget:g} s (PHOTOREEL_REDIS_RETRY_SECONDS):"
            f" {str(error).rstrip('.')};"
            " once it answers, the same command again finishes what is left"
        )


OUTAGE = Outage()


def tell_outages_to(tell: Callable[[str], None]) -> None:
    """Who is told of this process's outages: the log by default; the command prints them."""
    OUTAGE.tell = tell


class OutageRetry(Retry):
    """redis-py's retry, bounded by this process's ``Outage`` instead of a count of tries."""

    def __init__(self, outage: Outage = OUTAGE) -> None:
        super().__init__(
            ExponentialBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S), -1, UNREACHABLE
        )
        self.outage = outage

    def __deepcopy__(self, _memo: dict[int, Any]) -> OutageRetry:
        """redis-py copies the retry into each connection: they must share the outage."""
        return self

    def call_with_retry(self, do: Callable[[], Result], fail: Callable[[Exception], Any]) -> Result:
        failures = 0
        while True:
            try:
                result = do()
            except REFUSED:
                raise  # Redis answered: it refuses this client, and waiting will not help
            except self._supported_errors as error:
                failures += 1
                fail(error)
                left = self.outage.failed()
                if left <= 0:
                    raise
                time.sleep(min(self._backoff.compute(failures), left))
            else:
                self.outage.answered()
                return result


def retrying_client(url: str, outage: Outage = OUTAGE) -> Redis:
    """A client of ``url`` whose every command rides out an outage (``OutageRetry``)."""
    return Redis.from_url(
        url,
        retry=OutageRetry(outage),
        retry_on_error=list(UNREACHABLE),
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        health_check_interval=10,
    )


def publish_retry_policy() -> dict[str, Any]:
    """Celery's ``task_publish_retry_policy``: a message sent while Redis is unreachable is
    tried again (every ``BACKOFF_CAP_S`` at most) within the same outage and budget as every
    other call (kombu tells ``errback`` of each failed try)."""
    return {
        "max_retries": None,
        "interval_start": 0,
        "interval_step": BACKOFF_BASE_S * 2,
        "interval_max": BACKOFF_CAP_S,
        "errback": _publish_failed,
    }


def _publish_failed(error: Exception, _interval: float) -> None:
    if OUTAGE.failed() <= 0:
        raise error
