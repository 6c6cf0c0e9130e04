"""The local backend as the core sees it: CPU-bound, free, no shared limits, no secrets."""

from worker.backends.base import Backend, BackendPlugin, Pool
from worker.backends.local.checkpoint import LocalCheckpoint


def create() -> Backend:
    from worker.backends.local.backend import LocalBackend

    return LocalBackend()


RENDER_STAGES = frozenset({"upload", "generate", "complete", "export"})
"""From the session on, through the render: each needs the decoded photos (and the render the
music) that the stage before it left in scratch. The render is kept in the bucket, so the
download and publishing may run anywhere."""

PLUGIN = BackendPlugin(
    name="local",
    pool=Pool.CPU,
    create=create,
    checkpoint=LocalCheckpoint,
    stays_on_machine=RENDER_STAGES,
)
