"""The backends, by name (``config.backends.REGISTRY`` lists them, one line each).

A plugin (``worker.backends.base.BackendPlugin``) is cheap to import; the backend it creates is
imported only where a stage runs, once per process (one connection pool per process).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from config.backends import REGISTRY, backend_names

if TYPE_CHECKING:
    from worker.backends.base import Backend, BackendPlugin

__all__ = ["backend_names", "get_backend", "get_plugin"]


@cache
def get_plugin(name: str) -> BackendPlugin:
    if name not in REGISTRY:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(REGISTRY)}")
    plugin: BackendPlugin = import_module(REGISTRY[name]).PLUGIN
    return plugin


@cache
def get_backend(name: str) -> Backend:
    return get_plugin(name).create()
