"""Drive one job through the nemo backend's stages, the way the orchestrator does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from pillow_heif import register_heif_opener

from config.settings import NemoSettings, Settings
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend
from worker.spec import JobOptions, JobSpec

WEB_URL = "https://nemovideo.test"
STAGES = ("open_session", "upload", "generate", "await_completion", "export")


def fast_settings(api_url: str, nemo: dict[str, Any] | None = None, **knobs: Any) -> Settings:
    """Settings against the stub at ``api_url`` with every wait shrunk for tests."""
    vendor = {"nemo_api_url": api_url, "nemo_web_url": WEB_URL, "skill_source": "tests"}
    fast = {
        "nemo_poll_seconds": 0.01,
        "nemo_settle_seconds": 0.9,
        "nemo_completion_timeout": 5.0,
        "nemo_stream_cap_seconds": 5.0,
        "nemo_heartbeat_timeout": 1.0,
        "nemo_render_polls": 10,
        "nemo_request_timeout": 5.0,
        "nemo_rate_limit_wait": 0.05,
    }
    return Settings(**{**fast, **knobs}, nemo=NemoSettings(**{**vendor, **(nemo or {})}))


def make_photos(folder: Path, count: int, suffix: str = ".jpg") -> list[Path]:
    register_heif_opener()
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    for index in range(count):
        path = folder / f"photo{index}{suffix}"
        Image.new("RGB", (64, 48), (40 * index % 256, 90, 160)).save(path)
        photos.append(path)
    return photos


def job_context(
    job_id: str,
    photos: list[Path | str],
    settings: Settings,
    workdir: Path,
    checkpoint: dict[str, Any] | None = None,
    prompt: str = "A calm 10-second travel reel",
) -> StageContext:
    """A context whose records land in ``checkpoint`` (a plain dict)."""
    entries = [str(photo) for photo in photos]
    spec = JobSpec(id=job_id, photos=entries, prompt=prompt, options=JobOptions(backend="nemo"))
    book: dict[str, Any] = {} if checkpoint is None else checkpoint
    workdir.mkdir(parents=True, exist_ok=True)
    return StageContext(
        spec=spec,
        workdir=workdir,
        photos=[Path(entry) for entry in entries if "://" not in entry],
        checkpoint=book,
        record=book.__setitem__,
        settings=settings,
    )


def run_stages(backend: NemoBackend, ctx: StageContext, stages: tuple[str, ...] = STAGES) -> None:
    for stage in stages:
        getattr(backend, stage)(ctx)


def run_job(backend: NemoBackend, ctx: StageContext) -> Path:
    run_stages(backend, ctx)
    return backend.download(ctx)
