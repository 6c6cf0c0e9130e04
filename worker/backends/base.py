"""The one interface the pipeline drives, whatever makes the video.

A job lives through the stages in ``worker.jobs.Stage``; the backend does the work of each.
Every stage reads what earlier stages (or earlier attempts of this one) recorded in
``ctx.checkpoint`` and records what it learns with ``ctx.record`` *before* the side effect
that depends on it, so that a stage run again after a crash resumes instead of repeating.
Records are durable (kept in Redis) and appear in the report: never record a secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from worker.limits import SharedLimits
from worker.spec import JobSpec


@dataclass
class StageContext:
    spec: JobSpec
    workdir: Path
    """Scratch folder of this job on this worker; inputs are fetched here, never modified."""
    photos: list[Path]
    """The job's photos as local files, in order (URLs stay in ``spec.photos``)."""
    checkpoint: Mapping[str, Any]
    record: Callable[[str, Any], None]
    settings: Settings
    limits: SharedLimits | None = None
    """Limits shared with every other worker (sessions, call rate, 429 pauses, credits)."""


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
        """Return the finished video as a file inside ``ctx.workdir``."""
