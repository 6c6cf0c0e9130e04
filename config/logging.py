"""One log pipeline per process: structlog's and the standard library's loggers (Celery, kombu,
httpx, ours) all end in one handler whose ``ProcessorFormatter`` renders JSON lines for
services and readable lines on a terminal.

Every line passes the same processors: the job bound with ``bind_job`` (context variables, so
Celery's and httpx's lines logged while a stage runs carry its ``job_id`` too), a UTC
timestamp, and redaction of secrets at any depth: values under secret-looking keys, and the
known secret values (a backend's token …) wherever they appear.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

SECRET_KEYS = frozenset({"token", "authorization", "nemo_token", "password", "secret"})
REDACTED = "***"
QUIET_LIBRARIES = ("httpx", "httpcore")
"""Libraries that log every request at INFO: kept at WARNING unless the level is DEBUG."""


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """``value`` with every secret-looking key's value, at any depth, and every known secret
    inside a string replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in SECRET_KEYS
            else redact(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
    return value


class SecretRedactor:
    """The processor: ``redact`` over the whole event, with the secrets known to this process."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = [secret for secret in secrets if secret]

    def __call__(self, _logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
        cleaned: EventDict = redact(event, self.secrets)
        return cleaned


class RedactArguments(logging.Filter):
    """A standard library record's arguments redacted before they are put into its message,
    where a dict's secret-looking keys could no longer be told apart."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = redact(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(list(record.args)))
        return True


def _shared_processors() -> list[Processor]:
    """Run on every event: structlog's before the handler, the standard library's in it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def json_formatter(secrets: Iterable[str] = ()) -> structlog.stdlib.ProcessorFormatter:
    """One JSON object per record, secrets redacted: for a service's log and a job's log."""
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            SecretRedactor(secrets),
            structlog.processors.JSONRenderer(),
        ],
        foreign_pre_chain=_shared_processors(),
    )


def logs_json(log_format: str, stream: Any) -> bool:
    """Whether ``log_format`` (``auto``: a terminal gets console lines) means JSON lines."""
    return log_format == "json" or (log_format == "auto" and not stream.isatty())


def say_as_json(message: str, file: Any = sys.__stderr__) -> None:
    """What a library prints from a signal handler (Celery's "Warm shutdown" line), as one JSON
    log line: written with ``os.write``, taking no logging lock (a handler may interrupt one)."""
    event = {
        "event": message.strip(),
        "level": "warning",
        "logger": "celery.worker",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    os.write(file.fileno(), json.dumps(event).encode() + b"\n")


def configure_logging(
    level: str = "INFO",
    log_format: str = "auto",
    *,
    secrets: Iterable[str] = (),
    stream: Any = None,
) -> None:
    """Route every logger of this process through one handler on ``stream`` (stderr)."""
    stream = stream or sys.stderr
    use_json = logs_json(log_format, stream)
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactArguments())
    if use_json:
        handler.setFormatter(json_formatter(secrets))
    else:
        rendering: list[Processor] = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            SecretRedactor(secrets),
            structlog.dev.ConsoleRenderer(colors=stream.isatty()),
        ]
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                processors=rendering, foreign_pre_chain=_shared_processors()
            )
        )
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(max(numeric_level, logging.WARNING))
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )


@contextmanager
def bind_job(job_id: str, **extra: Any) -> Iterator[None]:
    with structlog.contextvars.bound_contextvars(job_id=job_id, **extra):
        yield


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name) if name else structlog.get_logger()
