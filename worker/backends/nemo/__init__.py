"""The NemoVideo cloud backend."""

from worker.backends.nemo.backend import NemoBackend

__all__ = ["NemoBackend"]
