"""A job's own log: the structured lines logged while one of its stages ran, on whichever
worker ran it, kept in a Redis list and written to the bucket as ``<job>/log.jsonl`` with the
job's report.

``JobLogHandler`` sits next to the worker's console handler (same JSON rendering, same
redaction) and keeps the lines of records that carry a ``job_id`` (bound by
``config.logging.bind_job`` for each stage). The list holds the last ``MAX_LINES`` and expires
with the job's other keys.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import structlog
from redis import Redis

from config.logging import RedactArguments, json_formatter
from worker.files.bucket import Bucket
from worker.job import keys
from worker.job.redis_outage import OUTAGE

MAX_LINES = 2000
LOG_NAME = "log.jsonl"


def job_log_key(job_id: str) -> str:
    return f"{job_id}/{LOG_NAME}"


class JobLogHandler(logging.Handler):
    """Appends each record logged for a job to that job's list in Redis."""

    def __init__(
        self, redis: Callable[[], Redis], retention_seconds: int, secrets: Iterable[str] = ()
    ) -> None:
        super().__init__()
        self.redis = redis
        self.retention_seconds = retention_seconds
        self.setFormatter(json_formatter(secrets))
        self.addFilter(RedactArguments())
        self._inside = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        job_id = structlog.contextvars.get_contextvars().get("job_id")
        if not job_id or getattr(self._inside, "active", False) or OUTAGE.ongoing:
            return  # not a job's line, logged by Redis while this handler writes, or Redis is
            # unreachable (the line is in the worker's own log; a stage must not wait on it)
        self._inside.active = True
        try:
            line = self.format(record)
            key = keys.job_log(job_id)
            pipe = self.redis().pipeline(transaction=False)
            pipe.rpush(key, line)
            pipe.ltrim(key, -MAX_LINES, -1)
            pipe.expire(key, self.retention_seconds)
            pipe.execute()
        except Exception:
            self.handleError(record)
        finally:
            self._inside.active = False


def publish_job_log(redis: Redis, bucket: Bucket, job_id: str) -> None:
    """Write the job's lines so far to ``<job>/log.jsonl`` and drop them from Redis."""
    lines = [line.decode() for line in redis.lrange(keys.job_log(job_id), 0, -1)]
    if lines:
        bucket.put_bytes(job_log_key(job_id), ("\n".join(lines) + "\n").encode())
    redis.delete(keys.job_log(job_id))
