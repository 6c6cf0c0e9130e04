"""The backends, by name: one instance (and so one connection pool) per process."""

from __future__ import annotations

from functools import cache

from worker.backends.base import Backend
from worker.spec import BackendName


@cache
def get_backend(name: BackendName) -> Backend:
    if name == BackendName.LOCAL:
        from worker.backends.local import LocalBackend

        return LocalBackend()
    if name == BackendName.NEMO:
        from worker.backends.nemo import NemoBackend

        return NemoBackend()
    raise ValueError(f"unknown backend {name!r}")
