"""The job's photos as NemoVideo takes them: local files (HEIC converted to JPEG) or URLs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pillow_heif import register_heif_opener

from worker.errors import JobFailed
from worker.spec import JobSpec

MAX_FILE_BYTES = 200 * 1024 * 1024
HEIC_SUFFIXES = {".heic", ".heif"}
CONVERTED_DIR = "nemo-upload"


@dataclass(frozen=True)
class Photo:
    key: str
    """Its position in the job, as the key of the ``uploads`` record."""
    name: str
    path: Path | None = None
    url: str | None = None


def is_url(entry: str) -> bool:
    return "://" in entry


def job_photos(spec: JobSpec, local: list[Path]) -> list[Photo]:
    """Every photo in job order: ``spec.photos`` gives the order and the URLs (entries with
    ``://``), ``local`` the files of the other entries, in order."""
    files = iter(local)
    photos: list[Photo] = []
    for index, entry in enumerate(spec.photos):
        if is_url(entry):
            if not entry.startswith(("http://", "https://")):
                raise JobFailed("NemoVideo takes http(s) URLs only", file=entry)
            photos.append(Photo(key=str(index), name=entry, url=entry))
            continue
        path = next(files, None)
        if path is None:
            raise JobFailed("photo has no local file", file=entry)
        photos.append(Photo(key=str(index), name=path.name, path=path))
    return photos


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def ready_file(path: Path, workdir: Path) -> Path:
    """The file to upload: HEIC/HEIF as a JPEG copy in ``workdir`` (never the input changed)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise JobFailed(
            f"file too large for NemoVideo ({human_size(path.stat().st_size)}, max 200 MB)",
            file=path.name,
        )
    if path.suffix.lower() not in HEIC_SUFFIXES:
        return path
    register_heif_opener()
    target = workdir / CONVERTED_DIR / f"{path.stem}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(path) as image:
            image.convert("RGB").save(target, "JPEG", quality=92)
    except OSError as error:
        raise JobFailed(f"cannot convert HEIC to JPEG: {error}", file=path.name) from None
    return target
