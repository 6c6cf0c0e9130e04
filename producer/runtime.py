"""Where a command's jobs run: the deployment's Redis (``REDIS_URL``), or a private
redis-server started for the command; and worker processes the command starts, or the
deployment's own. ``run``, ``watch`` and ``catalog`` share this."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.settings import get_settings
from producer.embedded import EmbeddedRedis, WorkerProcesses
from worker.app import connect
from worker.jobs import JobStore
from worker.stages import job_store


@dataclass
class JobRuntime:
    redis_url: str
    store: JobStore
    log_file: Path | None
    """The log of the worker processes this command started; None when it started none."""
    healthy: Callable[[], bool]
    """False once the started workers have died (always True with the deployment's workers)."""

    @property
    def owns_workers(self) -> bool:
        return self.log_file is not None


def _deployment_is_up() -> bool:
    return True


def worker_log_file(batch: str) -> Path:
    return Path(tempfile.gettempdir()) / f"photoreel-{batch}" / "worker.log"


@contextmanager
def job_runtime(
    batch: str, *, workers: int | None, use_deployment_workers: bool = False
) -> Iterator[JobRuntime]:
    """Connect to Redis and have workers ready until the block ends; then stop what was started
    (workers warm: running stages finish).

    Without ``REDIS_URL`` an embedded redis-server and worker processes are started. With it,
    worker processes are started too unless ``use_deployment_workers``."""
    settings = get_settings()
    with ExitStack() as stack:
        if settings.redis_url is None:
            redis_url = stack.enter_context(EmbeddedRedis()).url
        else:
            redis_url = settings.redis_url
        connect(redis_url)
        log_file: Path | None = None
        healthy: Callable[[], bool] = _deployment_is_up
        if settings.redis_url is None or not use_deployment_workers:
            log_file = worker_log_file(batch)
            pool = WorkerProcesses(
                redis_url, concurrency=workers or settings.workers, log_file=log_file
            )
            healthy = stack.enter_context(pool).alive
        yield JobRuntime(redis_url=redis_url, store=job_store(), log_file=log_file, healthy=healthy)
