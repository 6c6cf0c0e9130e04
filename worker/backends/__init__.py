"""The backends, by name: each registers here, in one line, with the module of its plugin.

A plugin (``worker.backends.base.BackendPlugin``) is cheap to import; the backend it creates is
imported only where a stage runs, once per process (one connection pool per process).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.backends.base import Backend, BackendPlugin

REGISTRY: dict[str, str] = {
    "local": "worker.backends.local.plugin",
    "nemo": "worker.backends.nemo.plugin",
    "dry": "worker.backends.dry.plugin",
}
DEFAULT_BACKEND = next(iter(REGISTRY))


def backend_names() -> list[str]:
    return list(REGISTRY)


@cache
def get_plugin(name: str) -> BackendPlugin:
    if name not in REGISTRY:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(REGISTRY)}")
    plugin: BackendPlugin = import_module(REGISTRY[name]).PLUGIN
    return plugin


@cache
def get_backend(name: str) -> Backend:
    return get_plugin(name).create()
