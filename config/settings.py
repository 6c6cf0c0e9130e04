"""The knobs of photoreel's core, read from the environment (and a ``.env`` file).

They carry the ``PHOTOREEL_`` prefix, and ``REDIS_URL`` is honoured as the standard name for
the broker. A backend with knobs of its own reads them with its own settings class, under its
own names (``worker/backends/nemo/settings.py``: ``NEMO_API_URL``, ``PHOTOREEL_NEMO_…``).
A variable set to the empty string counts as unset (``NEMO_TOKEN=`` in a compose file or
``.env`` leaves the default).
README.md lists them all; a test keeps that table true.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import annotated_types
from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE = ".env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PHOTOREEL_",
        env_file=ENV_FILE,
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PHOTOREEL_REDIS_URL", "REDIS_URL"),
        description="Redis for the queue and job state; unset: `run` starts an embedded one",
    )
    redis_retry_seconds: float = Field(
        default=60.0,
        ge=0,
        description="how long a Redis call waits for an unreachable Redis (a restart) before"
        " the command gives up",
    )
    out: str = Field(default="out", description="output bucket: a folder or s3://bucket/prefix")
    backend: str = Field(default="local", description="default backend: local, nemo or dry")
    workers: int = Field(default=2, ge=1, le=64, description="worker processes `run` starts")
    io_concurrency: int = Field(
        default=16, ge=1, le=256, description="threads serving cloud (I/O-bound) stages"
    )
    queue: str = Field(default="photoreel", description="Celery queue name")
    scratch_dir: Path | None = Field(
        default=None, description="per-job scratch folders; unset: the system temp folder"
    )
    scratch_max_bytes: int = Field(
        default=5_000_000_000,
        ge=0,
        description="bytes a worker machine keeps in scratch folders of jobs under way",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: str = Field(
        default="auto", description="auto (console on a terminal, else JSON), json or console"
    )
    duration: float = Field(default=15.0, gt=0, description="seconds, when the prompt says none")
    fps: int = Field(default=30, ge=12, le=60, description="frames per second by default")
    x264_preset: str = Field(default="veryfast", description="libx264 preset for the local backend")
    crf: int = Field(default=20, ge=0, le=51, description="constant rate factor, lower is better")
    max_attempts: int = Field(
        default=3, ge=1, description="attempts of a stage before the job fails"
    )
    stage_time_limit: int = Field(
        default=1800, ge=10, description="hard time limit of one stage, seconds"
    )
    visibility_timeout: float = Field(
        default=3600.0,
        gt=0,
        description="seconds before Redis hands an unacknowledged stage to another worker",
    )
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="port of the worker's Prometheus /metrics; 0: off"
    )
    lease_seconds: float = Field(
        default=30.0, gt=0, description="a running stage's lease; its worker renews it"
    )
    requeue_seconds: float = Field(
        default=300.0,
        gt=0,
        description="a queued job overdue this long is queued again (its message was lost)",
    )
    reconcile_seconds: float = Field(
        default=10.0, gt=0, description="how often workers look for jobs whose owner died"
    )
    retention_seconds: int = Field(
        default=7 * 86400,
        ge=60,
        description="how long a finished job's keys (and its batch's index) stay in Redis",
    )
    webhook_url: str | None = Field(
        default=None,
        description="a JSON batch summary is POSTed here when a batch settles; unset: off",
    )
    webhook_secret: str | None = Field(
        default=None,
        description="key of the webhook's HMAC-SHA256 signature (needed with the URL)",
    )
    webhook_attempts: int = Field(
        default=6, ge=1, le=20, description="webhook deliveries tried before giving up"
    )
    webhook_backoff_seconds: float = Field(
        default=2.0, gt=0, description="wait before the webhook's first retry; doubles each time"
    )
    allowed_roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="folders besides its own that a manifest or feed may take files from (a:b)",
    )
    inbox_settle_seconds: float = Field(
        default=5.0,
        gt=0,
        description="`watch`: seconds a folder's files must stay unchanged before it is a job",
    )
    inbox_rescan_seconds: float = Field(
        default=30.0,
        gt=0,
        description="`watch`: seconds between full inbox rescans that catch missed events",
    )

    fetch_allow_private: str = Field(
        default="0",
        description="1: photos and feeds may come from private, loopback and link-local "
        "addresses; or the addresses and networks allowed (127.0.0.1,10.0.0.0/8)",
    )
    fetch_cache_dir: Path | None = Field(
        default=None,
        description="HTTP cache of fetched photos and feeds; unset: ~/.cache/photoreel/http",
    )
    fetch_cache_bytes: int = Field(
        default=2 * 1024**3, ge=0, description="size of the HTTP cache, bytes (oldest go first)"
    )
    fetch_max_bytes: int = Field(
        default=50 * 1024**2, ge=1024, description="largest photo or feed fetched, bytes"
    )
    fetch_timeout_seconds: float = Field(
        default=30.0, gt=0, description="timeout of a fetch's connection and of each read"
    )
    fetch_attempts: int = Field(
        default=3, ge=1, le=10, description="tries of a fetch that times out or gets a 5xx"
    )
    fetch_backoff_seconds: float = Field(
        default=1.0, ge=0, description="wait before a fetch's second try; doubles each time"
    )
    fetch_per_host: int = Field(
        default=4, ge=1, le=64, description="fetches at once from one host, per process"
    )
    fetch_max_redirects: int = Field(
        default=5, ge=0, le=20, description="redirects a fetch follows"
    )

    @field_validator("fetch_allow_private")
    @classmethod
    def _allowed_networks(cls, value: str) -> str:
        """``1``/``0`` (or true/false …), or a comma-separated list of addresses/networks."""
        text = value.strip().lower()
        if text in ("", "0", "1", "true", "false", "yes", "no", "on", "off"):
            return text or "0"
        for part in text.split(","):
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{part.strip()!r} is not an address or network") from None
        return text

    @model_validator(mode="after")
    def _webhook_is_signed(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("PHOTOREEL_WEBHOOK_URL needs PHOTOREEL_WEBHOOK_SECRET to sign it")
        return self

    @field_validator("allowed_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


class SettingsError(ValueError):
    """A setting from the environment that cannot be used; one line per bad variable, naming
    it, its value and the accepted values (never the value of a secret)."""


def load_settings() -> Settings:
    """``get_settings()``, with a bad variable reported as a ``SettingsError``."""
    try:
        return get_settings()
    except ValidationError as error:
        lines = [_describe_problem(Settings, dict(item)) for item in error.errors()]
        raise SettingsError("\n".join(lines)) from None


def _variable(name: str, field: FieldInfo, prefix: str) -> str:
    """The environment variable of a field: its alias when it has one, else prefix + name."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return " or ".join(str(choice) for choice in alias.choices)
    return alias if isinstance(alias, str) else f"{prefix}{name}".upper()


def _describe_problem(model: type[BaseSettings], item: dict[str, Any]) -> str:
    prefix = model.model_config.get("env_prefix", "")
    name = str(item["loc"][0]) if item["loc"] else ""
    field = model.model_fields.get(name)
    if field is None:
        return f"settings: {item['msg']}"
    secret = field.annotation is not None and "SecretStr" in str(field.annotation)
    given = "" if secret else f"={item.get('input')}"
    return f"{_variable(name, field, prefix)}{given}: {item['msg']}; accepted: {_accepted(field)}"


def _accepted(field: FieldInfo) -> str:
    """The values a number field takes, in words: ``an integer from 1 to 64``."""
    kind = "an integer" if field.annotation is int else "a number"
    low = high = None
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = f"{rule.ge}"
        elif isinstance(rule, annotated_types.Gt):
            low = f"above {rule.gt}"
        elif isinstance(rule, annotated_types.Le):
            high = f"{rule.le}"
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind} {'of at least ' + low if low[0].isdigit() else low}"
    return kind if field.annotation in (int, float) else "see README.md, Settings"


def environment_table(*settings_classes: type[BaseSettings]) -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every knob of ``settings_classes``, in declaration
    order: its alias when it has one, else its prefix and name."""
    rows: list[tuple[str, str, str]] = []
    for settings_class in settings_classes:
        prefix = settings_class.model_config.get("env_prefix", "")
        for name, field in settings_class.model_fields.items():
            default = field.get_default(call_default_factory=True)
            shown = "unset" if default is None else str(default)
            rows.append((_variable(name, field, prefix), shown, field.description or ""))
    return rows
