"""Drive one job through the nemo backend's stages, the way the orchestrator does."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from pillow_heif import register_heif_opener

from config.settings import Settings
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.checkpoint import NemoCheckpoint
from worker.backends.nemo.settings import NemoSettings
from worker.files.inputs import FetchedOnUse
from worker.files.web_fetch import is_web_url
from worker.job.checkpoint import checked_record
from worker.job.limits import SharedLimits
from worker.job.spec import JobOptions, JobSpec

WEB_URL = "https://nemovideo.test"
STAGES = ("open_session", "upload", "generate", "await_completion", "export")


def fast_settings(api_url: str, nemo: dict[str, Any] | None = None, **knobs: Any) -> NemoSettings:
    """The backend's settings against the stub at ``api_url``, every wait shrunk for tests."""
    vendor = {"nemo_api_url": api_url, "nemo_web_url": WEB_URL, "skill_source": "tests"}
    fast = {
        "nemo_poll_seconds": 0.01,
        "nemo_settle_seconds": 0.9,
        "nemo_completion_timeout": 5.0,
        "nemo_start_grace_seconds": 1.0,
        "nemo_stream_cap_seconds": 5.0,
        "nemo_heartbeat_timeout": 1.0,
        "nemo_render_polls": 10,
        "nemo_request_timeout": 5.0,
        "nemo_rate_limit_wait": 0.05,
    }
    return NemoSettings(**{**fast, **vendor, **(nemo or {}), **knobs})


def make_photos(folder: Path, count: int, suffix: str = ".jpg") -> list[Path]:
    register_heif_opener()
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    for index in range(count):
        path = folder / f"photo{index}{suffix}"
        Image.new("RGB", (64, 48), (40 * index % 256, 90, 160)).save(path)
        photos.append(path)
    return photos


@dataclass
class Job:
    """One job as the orchestrator drives it: every stage run gets a fresh context whose
    ``checkpoint`` is a snapshot of the records so far (JSON round-tripped, like Redis), and
    whose ``record`` adds to ``book`` what the backend's checkpoint model accepts."""

    spec: JobSpec
    workdir: Path
    settings: NemoSettings
    book: dict[str, Any] = field(default_factory=dict)
    limits: SharedLimits | None = None
    said: list[str] = field(default_factory=list)
    """What the stages said they were doing (``StageContext.say``), in order."""

    def context(self) -> StageContext:
        self.workdir.mkdir(parents=True, exist_ok=True)
        return StageContext(
            spec=self.spec,
            workdir=self.workdir,
            photos=FetchedOnUse(
                [entry for entry in self.spec.photos if not is_web_url(entry)],
                self.workdir,
            ),
            checkpoint=json.loads(json.dumps(self.book)),
            record=checked_record(NemoCheckpoint, self._record),
            settings=Settings(),
            backend_settings=self.settings,
            limits=self.limits,
            say=self.said.append,
        )

    def _record(self, key: str, value: Any) -> None:
        self.book[key] = json.loads(json.dumps(value))

    def run(self, backend: NemoBackend, *stages: str) -> None:
        for stage in stages or STAGES:
            getattr(backend, stage)(self.context())

    def download(self, backend: NemoBackend) -> Path:
        return backend.download(self.context())


NewJob = Callable[..., Job]
"""The ``new_job`` fixture: ``new_job(job_id, photos=…, settings=…, prompt=…)``."""


def make_job(
    job_id: str,
    photos: list[Path | str],
    settings: NemoSettings,
    workdir: Path,
    prompt: str = "A calm 10-second travel reel",
) -> Job:
    entries = [str(photo) for photo in photos]
    spec = JobSpec(id=job_id, photos=entries, prompt=prompt, options=JobOptions(backend="nemo"))
    return Job(spec=spec, workdir=workdir, settings=settings)


def run_job(backend: NemoBackend, job: Job) -> Path:
    """Every stage in order, then the download."""
    job.run(backend)
    return job.download(backend)
