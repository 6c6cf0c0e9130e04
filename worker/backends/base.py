"""The one interface the pipeline drives, whatever makes the video.

A job lives through the stages in ``worker.job.store.Stage``; the backend does the work of each.
Every stage reads what earlier stages (or earlier attempts of this one) recorded in
``ctx.checkpoint`` and records what it learns with ``ctx.record`` *before* the side effect
that depends on it, so that a stage run again after a crash resumes instead of repeating.
Records are durable (kept in Redis) and appear in the report: never record a secret.

A backend is two pieces: its ``BackendPlugin`` (what the core needs to know about it — name,
pool, shared limits, settings, report fields, secrets — cheap to import, so the producer can
route jobs without loading a renderer) and the ``Backend`` it creates (the stages' work). Each
registers in ``config.backends.REGISTRY``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from config.settings import Settings
from worker.files.work_area import ScratchArea, WorkArea
from worker.job.checkpoint import Checkpoint
from worker.job.limits import SharedLimits

if TYPE_CHECKING:
    from worker.job.spec import JobSpec


class Pool(StrEnum):
    """Where a backend's stages run: CPU-bound work in processes (a prefork pool, or the
    single-process workers of ``run``), work that mostly waits on the network on the I/O
    queue, served by a pool of threads."""

    CPU = "cpu"
    IO = "io"


@dataclass(frozen=True)
class SessionLimits:
    """Limits shared by every worker on every machine for one backend (``worker.job.limits``)."""

    max_sessions: int
    calls_per_second: float


@dataclass
class StageContext:
    spec: JobSpec
    workdir: Path
    """Scratch folder of this job on this machine: a cache, which a stage may find empty (an
    earlier stage may have run on another machine). Inputs are fetched here, never modified."""
    photos: Sequence[Path]
    """The job's photos as local files, in order (URLs the backend takes as they are stay in
    ``spec.photos``); fetched to this machine when first used."""
    checkpoint: Mapping[str, Any]
    record: Callable[[str, Any], None]
    settings: Settings
    limits: SharedLimits | None = None
    """Limits shared with every other worker (sessions, call rate, 429 pauses, credits)."""
    backend_settings: Any = None
    """The backend's own settings (``BackendPlugin.settings_class``), if it has any."""
    progress: Callable[[int, int], None] = field(default=lambda _done, _total: None)
    """``progress(done, total)``: how far the stage is (shown with a percentage and an ETA)."""
    say: Callable[[str], None] = field(default=lambda _words: None)
    """``say(words)``: what the stage is doing, in words (shown beside the job's status)."""
    pool_processes: int = 1
    """Pool processes of this worker sharing the machine (a renderer shares the cores)."""
    work_area: WorkArea | None = None
    """Where files handed to later stages go (``worker.files.work_area``); unset: the scratch folder
    alone (a backend driven on one machine)."""

    @property
    def work(self) -> WorkArea:
        """``work.keep(path)`` gives the name by which a later stage, on any machine, gets the
        file back with ``work.local(name)``."""
        return self.work_area or ScratchArea(self.workdir)


class Backend(Protocol):
    name: str

    def open_session(self, ctx: StageContext) -> None:
        """Start a session (cloud) or a workspace (local)."""

    def upload(self, ctx: StageContext) -> None:
        """Check and send (cloud) or decode (local) the photos; name any bad file."""

    def generate(self, ctx: StageContext) -> None:
        """Ask for the video once. A paid request is never sent twice for one job."""

    def await_completion(self, ctx: StageContext) -> None:
        """Wait for stage 1 (the clip) and stage 2 (music and title); record the ``draft``."""

    def export(self, ctx: StageContext) -> None:
        """Render the final draft."""

    def download(self, ctx: StageContext) -> Path:
        """Return the finished output as a file on this machine (the core keeps it for
        publishing): the video, or for a backend that makes none (``BackendPlugin.makes_video``)
        its contact sheet image."""


def no_secrets(_settings: Any) -> list[str]:
    return []


def no_credits(_checkpoint: Mapping[str, Any]) -> dict[str, Any] | None:
    return None


def no_limits(_settings: Any) -> SessionLimits | None:
    return None


@dataclass(frozen=True)
class BackendPlugin:
    """What the core knows of a backend, without importing its implementation."""

    name: str
    pool: Pool
    create: Callable[[], Backend]
    """Imports and builds the backend; called once per process."""
    makes_video: bool = True
    """False: its output is a contact sheet (a JPEG of the planned shots), not a video."""
    takes_urls: bool = False
    """True: it hands http(s) photo URLs to its service as URLs; otherwise the worker fetches
    them (``worker.files.web_fetch``) and the backend gets files like any other photo."""
    checkpoint: type[Checkpoint] = Checkpoint
    """The facts its stages record (``worker.job.checkpoint``), validated when recorded and read."""
    settings_class: type[Any] | None = None
    """Its own settings (a pydantic ``BaseSettings`` read from its own variables), if any.
    The hooks below that take settings are given an instance of it (None without one)."""
    limits: Callable[[Any], SessionLimits | None] = field(default=no_limits)
    """Its sessions and call rate shared across workers; None: unlimited."""
    secrets: Callable[[Any], list[str]] = field(default=no_secrets)
    """Values that must never appear in a log line or a report (its token …)."""
    credits: Callable[[Mapping[str, Any]], dict[str, Any] | None] = field(default=no_credits)
    """The report's ``credits`` section, read from the job's checkpoint; None: free."""
    audit_facts: tuple[str, ...] = ()
    """Checkpoint facts a succeeded job keeps in Redis after publish, for an audit (what was
    paid, in which session); the report in the bucket holds all of them."""
    credit_check: Callable[[Backend, Any, SharedLimits | None], bool] | None = None
    """For a paid backend: whether the balance covers one more job (asked by the reconciler
    while the credit breaker is open, to resume parked jobs)."""
    stays_on_machine: frozenset[str] = frozenset()
    """Stages that follow the stage before them at once, in the same task, on the machine
    whose scratch folder holds what that stage left (decoded photos, music): no other machine
    has to make it again. A stage redone elsewhere (a lost machine, a retry) makes it again."""

    def read_settings(self) -> Any:
        """A fresh instance of its settings (from the environment now), or None."""
        return self.settings_class() if self.settings_class is not None else None
