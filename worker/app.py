"""The Celery application: one queue on Redis, set up for long, paid, at-least-once work."""

from __future__ import annotations

import logging
import sys

import celery.apps.worker
from celery import Celery
from celery.signals import celeryd_init, setup_logging, worker_init, worker_ready

from config.logging import configure_logging, get_logger, logs_json, say_as_json
from config.settings import Settings, get_settings
from worker.backends import get_plugin
from worker.backends.base import Pool
from worker.redis_outage import publish_retry_policy

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
IO_QUEUE_SUFFIX = ".io"


def create_app(settings: Settings) -> Celery:
    broker = settings.redis_url or DEFAULT_REDIS_URL
    app = Celery("photoreel", broker=broker, include=["worker.tasks", "worker.hooks"])
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
            # (see worker.handoff.enqueue_stage), so started jobs finish instead of waiting
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


CELERY_LOGGERS = ("celery", "kombu")


@celeryd_init.connect
def _configure_worker_logging(**_: object) -> None:
    """As early as a worker starts (before its start-up warnings): one pipeline for Celery's
    loggers, the libraries', Python's warnings and ours; the pool's processes inherit it."""
    from worker.joblog import JobLogHandler
    from worker.report import known_secrets
    from worker.runtime import job_store

    settings = get_settings()
    secrets = known_secrets()
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)
    print_celery_lines_as_logged(settings.log_format)
    job_log = JobLogHandler(lambda: job_store().redis, settings.retention_seconds, secrets)
    logging.getLogger().addHandler(job_log)
    logging.captureWarnings(True)


def print_celery_lines_as_logged(log_format: str) -> None:
    """Celery prints its shutdown lines from a signal handler, not through logging: in a JSON
    log they are JSON lines too."""
    if logs_json(log_format, sys.stderr):
        celery.apps.worker.safe_say = say_as_json


@setup_logging.connect
def _set_celery_log_level(loglevel: int | str | None = None, **_: object) -> None:
    """Celery leaves logging alone once this signal has a receiver; its own loggers log at
    the worker's ``--loglevel``."""
    if loglevel:
        for name in CELERY_LOGGERS:
            logging.getLogger(name).setLevel(loglevel)


@worker_ready.connect
def _announce_ready(sender: object, **_: object) -> None:
    """In the worker's main process, once it consumes: serve metrics, say it is ready."""
    from worker.metrics import serve_metrics

    settings = get_settings()
    log = get_logger(__name__)
    metrics_port = settings.metrics_port or None
    if metrics_port:
        try:
            serve_metrics(metrics_port, app.conf.broker_url)
        except OSError as error:
            log.warning("metrics not served", port=metrics_port, error=str(error))
            metrics_port = None
    log.info(
        "worker ready",
        hostname=getattr(sender, "hostname", None),
        queue=settings.queue,
        metrics_port=metrics_port,
    )
