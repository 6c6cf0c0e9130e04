"""Who photoreel is to NemoVideo: the persisted client id and the deployment's bearer token.

The token comes from ``NEMO_TOKEN``, else an anonymous token is requested with the client id
(``NEMO_CLIENT_ID``, else ``~/.config/nemovideo/client_id``, created with mode 0600). An
anonymous token is kept beside the client id (``token.json``, mode 0600) until it expires or is
rejected, so every process and every run of the deployment shares one: asking is serialised by a
file lock across processes and a thread lock within one, so many callers ask once. The token is
held as a ``SecretStr`` and never logged or recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from worker.job.errors import JobFailed

CONFIG_DIR = Path(".config") / "nemovideo"
CLIENT_ID_FILE = CONFIG_DIR / "client_id"
TOKEN_FILE = CONFIG_DIR / "token.json"
TOKEN_LIFETIME = 7 * 86400.0
EXPIRY_MARGIN = 3600.0
"""A kept token this close to its expiry is replaced rather than used."""


def client_id_path() -> Path:
    return Path.home() / CLIENT_ID_FILE


def token_path() -> Path:
    return Path.home() / TOKEN_FILE


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    partial.replace(path)


def load_client_id(configured: str | None) -> str:
    """``NEMO_CLIENT_ID`` if set, else the persisted id, else a new UUID persisted (0600)."""
    if configured and configured.strip():
        return configured.strip()
    path = client_id_path()
    existing = path.read_text().strip() if path.is_file() else ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new_id = str(uuid.uuid4())
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_client_id(None)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new_id + "\n")
    return new_id


@dataclass(frozen=True)
class IssuedToken:
    token: SecretStr
    expires_at: float
    """Seconds since the epoch."""


def expiry_of(value: object, now: float) -> float:
    """``expires_at`` of a token answer (ISO 8601), or the documented 7 days when unreadable."""
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return now + TOKEN_LIFETIME


class TokenStore:
    """The anonymous token of one client id, kept in a private file shared by all processes."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the deployment-wide lock on asking for a token."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def load(self, client_id: str) -> SecretStr | None:
        """The kept token of this client id, unless it is (nearly) expired or unreadable."""
        kept = self.kept(client_id)
        return kept.token if kept is not None else None

    def kept(self, client_id: str) -> IssuedToken | None:
        """The kept token of this client id with its expiry, unless it is (nearly) expired or
        unreadable."""
        try:
            kept = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(kept, dict) or kept.get("client_id") != client_id:
            return None
        token, expires_at = kept.get("token"), kept.get("expires_at")
        if not isinstance(token, str) or not isinstance(expires_at, int | float):
            return None
        if expires_at - EXPIRY_MARGIN <= self._clock():
            return None
        return IssuedToken(SecretStr(token), float(expires_at))

    def save(self, client_id: str, issued: IssuedToken) -> None:
        record = {
            "client_id": client_id,
            "token": issued.token.get_secret_value(),
            "expires_at": issued.expires_at,
        }
        write_private(self.path, json.dumps(record) + "\n")


class Credentials:
    """The bearer token: the configured one, else the deployment's kept anonymous token, else a
    new one asked once (for the whole deployment) and kept."""

    def __init__(
        self,
        fixed: SecretStr | None,
        client_id: Callable[[], str],
        fetch_anonymous: Callable[[str], IssuedToken],
        store: TokenStore | None = None,
    ) -> None:
        self._fixed = fixed
        self._client_id = client_id
        self._fetch = fetch_anonymous
        self._store = store or TokenStore(token_path())
        self._token: SecretStr | None = fixed
        self._lock = threading.Lock()

    @property
    def anonymous(self) -> bool:
        """True when the token is an anonymous one (no ``NEMO_TOKEN``)."""
        return self._fixed is None

    def token(self) -> SecretStr:
        with self._lock:
            if self._token is None:
                self._token = self._shared(rejected=None)
            return self._token

    def renew(self, rejected: SecretStr) -> None:
        """Replace a token the service called invalid or expired (1001): by one another process
        already asked for, else by a new anonymous one for the same client id."""
        if self._fixed is not None:
            raise JobFailed("NemoVideo rejected NEMO_TOKEN (1001): set a valid token or unset it")
        with self._lock:
            current = self._token
            if current is None or current.get_secret_value() == rejected.get_secret_value():
                self._token = self._shared(rejected)

    def _shared(self, rejected: SecretStr | None) -> SecretStr:
        client_id = self._client_id()
        with self._store.locked():
            kept = self._store.load(client_id)
            if kept is not None and (
                rejected is None or kept.get_secret_value() != rejected.get_secret_value()
            ):
                return kept
            issued = self._fetch(client_id)
            self._store.save(client_id, issued)
            return issued.token
