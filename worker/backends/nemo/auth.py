"""Who photoreel is to NemoVideo: the persisted client id and the bearer token.

The token comes from ``NEMO_TOKEN``, else an anonymous token is requested with the client id
(``NEMO_CLIENT_ID``, else ``~/.config/nemovideo/client_id``, created with mode 0600). The token
lives only in memory, as a ``SecretStr``: it is never written, logged or recorded.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from worker.errors import JobFailed

CLIENT_ID_FILE = Path(".config") / "nemovideo" / "client_id"


def client_id_path() -> Path:
    return Path.home() / CLIENT_ID_FILE


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


class Credentials:
    """The bearer token of this process, fetched once and renewed at most once per failure."""

    def __init__(
        self,
        fixed: SecretStr | None,
        client_id: Callable[[], str],
        fetch_anonymous: Callable[[str], SecretStr],
    ) -> None:
        self._fixed = fixed
        self._client_id = client_id
        self._fetch = fetch_anonymous
        self._token: SecretStr | None = fixed
        self._lock = threading.Lock()

    def token(self) -> SecretStr:
        with self._lock:
            if self._token is None:
                self._token = self._fetch(self._client_id())
            return self._token

    def renew(self, rejected: SecretStr) -> None:
        """Replace a token the service called invalid or expired (1001) by a new anonymous one
        for the same client id, unless another caller already did."""
        if self._fixed is not None:
            raise JobFailed("NemoVideo rejected NEMO_TOKEN (1001): set a valid token or unset it")
        with self._lock:
            current = self._token
            if current is None or current.get_secret_value() == rejected.get_secret_value():
                self._token = self._fetch(self._client_id())
