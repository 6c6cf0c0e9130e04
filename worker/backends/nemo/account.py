"""The deployment's one NemoVideo account, kept in Redis for workers that share no disk.

A job's session belongs to the account that opened it: a stage on another machine asking with
another account's token is told the session does not exist (1002). So every worker of a
deployment speaks as one account. ``NEMO_TOKEN`` or ``NEMO_CLIENT_ID`` pin it; without them the
first worker to need one publishes its client id (``~/.config/nemovideo/client_id``) in Redis,
and every worker, on any machine, takes the id Redis holds. The anonymous token of that id is
kept beside it in Redis until it expires or is rejected; asking for a new one is serialised by a
Redis lock, so the fleet asks once. Redis is the deployment's own, as trusted as the disk the
token would otherwise be kept on; the token is never logged or recorded.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pydantic import SecretStr
from redis import Redis

from worker import keys
from worker.backends.nemo.auth import EXPIRY_MARGIN, IssuedToken, load_client_id

ACCOUNT = "nemo"
LOCK_SECONDS = 60.0
"""Longest a worker may hold the lock while asking for a token (the request's time out)."""
LOCK_POLL_SECONDS = 0.1


def shared_client_id(redis: Redis, configured: str | None) -> str:
    """``NEMO_CLIENT_ID`` if set, else the deployment's client id: the one Redis holds, or
    this machine's own, published for every other worker."""
    if configured and configured.strip():
        return configured.strip()
    key = keys.account(ACCOUNT)
    held = redis.hget(key, "client_id")
    if held is None:
        redis.hsetnx(key, "client_id", load_client_id(None))
        held = redis.hget(key, "client_id")
    assert held is not None
    return held.decode()


class RedisTokenStore:
    """The anonymous token of the deployment's client id, in Redis (``TokenStore``'s
    interface: ``locked``, ``load``, ``save``)."""

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.key = keys.account(ACCOUNT)
        self._clock = clock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the deployment-wide lock on asking for a token."""
        lock, holder = keys.account_lock(ACCOUNT), uuid.uuid4().hex
        while not self.redis.set(lock, holder, nx=True, px=int(LOCK_SECONDS * 1000)):
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            if self.redis.get(lock) == holder.encode():
                self.redis.delete(lock)

    def load(self, client_id: str) -> SecretStr | None:
        """The kept token of this client id, unless it is (nearly) expired."""
        held, token, expires_at = self.redis.hmget(self.key, "client_id", "token", "expires_at")
        if held is None or token is None or expires_at is None:
            return None
        if held.decode() != client_id or float(expires_at) - EXPIRY_MARGIN <= self._clock():
            return None
        return SecretStr(token.decode())

    def save(self, client_id: str, issued: IssuedToken) -> None:
        self.redis.hset(
            self.key,
            mapping={
                "client_id": client_id,
                "token": issued.token.get_secret_value(),
                "expires_at": issued.expires_at,
            },
        )
