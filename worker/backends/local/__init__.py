"""The embedded renderer: photos and a prompt to a finished video, on this machine.

``LocalBackend`` is imported on first use (numpy, OpenCV …): the plugin alone stays cheap.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "LocalBackend":
        from worker.backends.local.backend import LocalBackend

        return LocalBackend
    raise AttributeError(name)


__all__ = ["LocalBackend"]
