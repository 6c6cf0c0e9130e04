"""The Celery worker service (``celery -A worker.flow.service worker``): the application with
every stage's task and what a worker process does besides running stages.

The logging set up here is connected before Celery starts the worker (its ``celeryd_init``
comes before the task modules are imported), so it is in this module, which Celery imports
first.
"""

from __future__ import annotations

import logging
import sys

import celery.apps.worker
from celery.signals import celeryd_init, setup_logging, worker_ready

from config.logging import configure_logging, get_logger, logs_json, say_as_json
from config.settings import get_settings
from worker.flow import hooks, tasks
from worker.flow.runtime import job_store
from worker.outputs.joblog import JobLogHandler
from worker.outputs.metrics import serve_metrics
from worker.outputs.report import known_secrets
from worker.queue.app import app

__all__ = ["app", "hooks", "tasks"]

CELERY_LOGGERS = ("celery", "kombu")


@celeryd_init.connect
def _configure_worker_logging(**_: object) -> None:
    """As early as a worker starts (before its start-up warnings): one pipeline for Celery's
    loggers, the libraries', Python's warnings and ours; the pool's processes inherit it."""
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
