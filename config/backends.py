"""The backends this installation has, by name: each registers here, in one line, with the
module of its plugin (``worker.backends.base.BackendPlugin``). The first is the default.

A table of names, importing nothing: the job spec takes its backend names from it, and
``worker.backends`` loads a plugin when one is asked for.
"""

from __future__ import annotations

REGISTRY: dict[str, str] = {
    "local": "worker.backends.local.plugin",
    "nemo": "worker.backends.nemo.plugin",
    "dry": "worker.backends.dry.plugin",
}
DEFAULT_BACKEND = next(iter(REGISTRY))


def backend_names() -> list[str]:
    return list(REGISTRY)
