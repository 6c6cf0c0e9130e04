"""The local backend as the core sees it: CPU-bound, free, no shared limits, no secrets."""

from worker.backends.base import Backend, BackendPlugin, Pool
from worker.backends.local.checkpoint import LocalCheckpoint


def create() -> Backend:
    from worker.backends.local.backend import LocalBackend

    return LocalBackend()


PLUGIN = BackendPlugin(name="local", pool=Pool.CPU, create=create, checkpoint=LocalCheckpoint)
