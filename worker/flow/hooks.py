"""What a worker does besides running stages, hooked to Celery's signals: warm the backends
up before the first job, run the reconciler, hold a solo worker's stages to their time limit,
and say in Redis when it shuts down."""

from __future__ import annotations

import threading
from typing import Any

from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.concurrency.solo import TaskPool as SoloPool
from celery.signals import (
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
    worker_shutdown,
    worker_shutting_down,
)
from redis.exceptions import RedisError

from config.logging import get_logger
from config.settings import get_settings
from worker.backends import backend_names, get_backend
from worker.flow.reconciler import run_reconciler
from worker.flow.runtime import job_store
from worker.flow.stage_deadline import StageDeadline
from worker.job import keys

log = get_logger(__name__)


@worker_process_init.connect
def _warm_up_backends(**_: object) -> None:
    """Import the backends (numpy, OpenCV, httpx …) before the first job, not during it."""
    for name in backend_names():
        get_backend(name)


@worker_ready.connect
def _warm_up_main_process(sender: object, **_: object) -> None:
    """The same in the main process, where a threads pool runs its stages: in the background,
    so the worker answers its broker (and ``inspect ping``) meanwhile. A prefork pool's main
    process runs no stage: it would only hold the libraries' memory for nothing."""
    if isinstance(getattr(sender, "pool", None), PreforkPool):
        return
    threading.Thread(target=_warm_up_backends, name="warm-up", daemon=True).start()


@worker_ready.connect
def _hold_solo_stages_to_their_limit(sender: object, **_: object) -> None:
    """A solo worker runs its stages in this very process, where Celery enforces no time
    limit: a timer does (``worker.flow.stage_deadline``)."""
    if not isinstance(getattr(sender, "pool", None), SoloPool):
        return
    deadline = StageDeadline(get_settings().stage_time_limit)
    task_prerun.connect(lambda **_: deadline.arm(), weak=False)
    task_postrun.connect(lambda **_: deadline.disarm(), weak=False)


@worker_ready.connect
def _start_reconciler(sender: Any, **_: object) -> None:
    """Start the reconciler, told which queues this worker (the ``sender`` consumer) consumes:
    those selected with ``--queues``, else the default ones (Celery's ``consume_from``)."""
    consumed = set(sender.app.amqp.queues.consume_from)
    threading.Thread(
        target=run_reconciler, args=(threading.Event(), consumed), name="reconciler", daemon=True
    ).start()


@worker_shutting_down.connect
def _say_stopping(sender: str, **_: object) -> None:
    """Warm shutdown: the running stages finish, and hand their jobs on to the queue rather
    than run the next stage here (``worker.flow.pipeline``). The mark lasts as long as a stage
    may."""
    threading.Thread(target=_mark_stopping, args=(sender,), name="stopping-mark").start()


def _mark_stopping(hostname: str) -> None:
    """On a thread of its own: this runs from a signal handler, which in a solo worker may
    interrupt the stage's thread while it holds the Redis connection pool's lock."""
    try:
        ttl = get_settings().stage_time_limit
        job_store().redis.set(keys.worker_stopping(hostname), "1", ex=ttl)
    except RedisError as error:
        log.warning("could not say in Redis that this worker stops", error=str(error))


@worker_ready.connect
@worker_shutdown.connect
def _clear_stopping(sender: Any, **_: object) -> None:
    """Once stopped (or started again under the same name), the mark goes."""
    try:
        job_store().redis.delete(keys.worker_stopping(sender.hostname))
    except RedisError as error:
        log.warning("could not clear this worker's stopping mark", error=str(error))
