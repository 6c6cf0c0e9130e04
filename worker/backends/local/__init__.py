"""The embedded renderer: photos and a prompt to a finished video, on this machine."""

from worker.backends.local.backend import LocalBackend

__all__ = ["LocalBackend"]
