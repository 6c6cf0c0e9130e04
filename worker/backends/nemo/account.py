"""The deployment's one NemoVideo account, kept in Redis for workers that share no disk.

A job's session belongs to the account that opened it: a stage on another machine asking with
another account's token is told the session does not exist (1002). So every worker of a
deployment speaks as one account. ``NEMO_TOKEN`` or ``NEMO_CLIENT_ID`` pin it; without them the
first worker to need one publishes its client id (``~/.config/nemovideo/client_id``) in Redis,
and every worker, on any machine, takes the id Redis holds. The anonymous token of that id is
kept beside it in Redis until it expires or is rejected, and in the machine's own token file
too (a self-contained run's Redis lives only as long as the run; the next run finds the token
on disk). Asking for a new one is serialised by a Redis lock, then the file lock, so the fleet
asks once. Redis is the deployment's own, as trusted as the disk the token is kept on; the
token is never logged or recorded.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pydantic import SecretStr
from redis import Redis

from worker.backends.nemo.auth import (
    EXPIRY_MARGIN,
    IssuedToken,
    TokenStore,
    load_client_id,
    token_path,
)
from worker.job import keys

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
    """The anonymous token of the deployment's client id, in Redis and in this machine's token
    file (``TokenStore``'s interface: ``locked``, ``load``, ``save``)."""

    def __init__(
        self,
        redis: Redis,
        local: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.key = keys.account(ACCOUNT)
        self.local = local or TokenStore(token_path(), clock=clock)
        self._clock = clock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the deployment-wide lock on asking for a token, then this machine's."""
        lock, holder = keys.account_lock(ACCOUNT), uuid.uuid4().hex
        while not self.redis.set(lock, holder, nx=True, px=int(LOCK_SECONDS * 1000)):
            time.sleep(LOCK_POLL_SECONDS)
        try:
            with self.local.locked():
                yield
        finally:
            if self.redis.get(lock) == holder.encode():
                self.redis.delete(lock)

    def load(self, client_id: str) -> SecretStr | None:
        """The kept token of this client id, unless it is (nearly) expired: the fleet's, else
        this machine's (published for the fleet)."""
        held, token, expires_at = self.redis.hmget(self.key, "client_id", "token", "expires_at")
        fresh = expires_at is not None and float(expires_at) - EXPIRY_MARGIN > self._clock()
        if held is not None and held.decode() == client_id and token is not None and fresh:
            return SecretStr(token.decode())
        kept = self.local.kept(client_id)
        if kept is None:
            return None
        self._publish(client_id, kept)
        return kept.token

    def save(self, client_id: str, issued: IssuedToken) -> None:
        self.local.save(client_id, issued)
        self._publish(client_id, issued)

    def _publish(self, client_id: str, issued: IssuedToken) -> None:
        self.redis.hset(
            self.key,
            mapping={
                "client_id": client_id,
                "token": issued.token.get_secret_value(),
                "expires_at": issued.expires_at,
            },
        )
