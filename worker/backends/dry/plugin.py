"""The dry backend as the core sees it: CPU-bound (it decodes photos), free, unlimited, and
its output is a contact sheet rather than a video."""

from worker.backends.base import Backend, BackendPlugin, Pool
from worker.backends.dry.checkpoint import DryCheckpoint
from worker.backends.local.plugin import RENDER_STAGES


def create() -> Backend:
    from worker.backends.dry.backend import DryBackend

    return DryBackend()


PLUGIN = BackendPlugin(
    name="dry",
    pool=Pool.CPU,
    create=create,
    makes_video=False,
    checkpoint=DryCheckpoint,
    stays_on_machine=RENDER_STAGES,
)
