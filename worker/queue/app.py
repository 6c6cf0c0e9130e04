"""The Celery application: one queue on Redis, set up for long, paid, at-least-once work.

Producers send with it; a worker process runs it through ``worker.flow.service``, which adds
what a worker does at start and stop."""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_init

from config.settings import Settings, get_settings
from worker.backends import get_plugin
from worker.backends.base import Pool
from worker.job.redis_outage import publish_retry_policy

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
IO_QUEUE_SUFFIX = ".io"


def create_app(settings: Settings) -> Celery:
    broker = settings.redis_url or DEFAULT_REDIS_URL
    app = Celery("photoreel", broker=broker, include=["worker.flow.tasks", "worker.flow.hooks"])
    app.conf.update(
        task_default_queue=settings.queue,
        # Results live in our own job state in Redis; Celery's result backend is not used.
        task_ignore_result=True,
        # A stage is acknowledged only when it has finished, and handed to another worker
        # if its worker dies: stages resume from their checkpoints, so running one again is safe.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One stage at a time per process: a long render must not hold other jobs hostage.
        worker_prefetch_multiplier=1,
        # Redis redelivers an unacknowledged task after this long. Longer than a stage may
        # run (the hard limit below), so a healthy long stage is not delivered twice (a second
        # delivery would only be dropped by the claim); a dead worker's job does not wait for
        # it: the reconciler resumes it once its lease expires.
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            # Look for overdue unacknowledged tasks every few seconds (kombu's default
            # sweep is every 100 s), in step with a short visibility timeout.
            "unacked_restore_interval": max(1, min(10, round(settings.visibility_timeout / 4))),
            "unacked_restore_throttle": 1,
            # One list per priority: a job already under way goes before a new one starts
            # (see worker.queue.handoff.enqueue_stage), so started jobs finish instead of waiting
            # behind every other job's first stages.
            "priority_steps": list(range(10)),
        },
        task_time_limit=settings.stage_time_limit,
        task_soft_time_limit=max(settings.stage_time_limit - 30, 5),
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
        # A message sent while Redis restarts waits for it as long as job-state calls do.
        task_publish_retry_policy=publish_retry_policy(),
    )
    return app


app = create_app(get_settings())


def queue_for(backend: str) -> str:
    """CPU-bound backends go to the prefork pool; those that mostly wait on the network go to
    the I/O queue, served by a pool of threads. The backend says which it is."""
    return queue_of_pool(get_plugin(backend).pool)


def queue_of_pool(pool: Pool) -> str:
    queue = get_settings().queue
    return f"{queue}{IO_QUEUE_SUFFIX}" if pool == Pool.IO else queue


def connect(redis_url: str) -> None:
    """Point this process's producer side (enqueueing, job state) at another Redis.

    Celery keeps the broker connections it made; they are dropped (as Celery itself does
    after a fork), so messages sent from now on go to the new Redis too."""
    if app.conf.broker_url == redis_url:
        return
    app.conf.broker_url = redis_url
    app._pool = None
    app.amqp._producer_pool = None


def pool_processes() -> int:
    """How many pool processes share this machine in this worker (1 outside a worker, or
    while it is not known)."""
    concurrency = app.conf.worker_concurrency
    return concurrency if isinstance(concurrency, int) and concurrency > 0 else 1


@worker_init.connect
def _note_pool_processes(sender: object, **_: object) -> None:
    """Keep the worker's concurrency in the config its pool processes (forked later) read."""
    concurrency = getattr(sender, "concurrency", None)
    if isinstance(concurrency, int):
        app.conf.worker_concurrency = concurrency
