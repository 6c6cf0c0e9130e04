"""The NemoVideo cloud backend.

``NemoBackend`` is imported on first use (httpx …): the plugin alone stays cheap.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "NemoBackend":
        from worker.backends.nemo.backend import NemoBackend

        return NemoBackend
    raise AttributeError(name)


__all__ = ["NemoBackend"]
