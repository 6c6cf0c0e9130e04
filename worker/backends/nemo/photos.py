"""The job's photos as NemoVideo takes them: local files or URLs. A file the service does not
list (HEIC, TIFF, BMP, …) or cannot be expected to read (16 bits a channel, CMYK) goes up as an
8-bit JPEG, or PNG when it has transparency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from worker.files.web_fetch import is_web_url
from worker.job.errors import JobFailed
from worker.job.spec import JobSpec

MAX_FILE_BYTES = 200 * 1024 * 1024
ACCEPTED_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
"""Photo files the seeds list as accepted."""
PLAIN_MODES = {"1", "L", "LA", "P", "RGB", "RGBA"}
"""8-bit modes without a colour space the service would have to convert."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_BIT_DEPTH_OFFSET = 24
CONVERTED_DIR = "nemo-upload"


@dataclass(frozen=True)
class Photo:
    key: str
    """Its position in the job, as the key of the ``uploads`` record."""
    name: str
    path: Path | None = None
    url: str | None = None


def job_photos(spec: JobSpec, local: Sequence[Path]) -> list[Photo]:
    """Every photo in job order: ``spec.photos`` gives the order and the web URLs the user gave
    (passed to the service as URLs), ``local`` the files of the other entries, in order (local
    paths, and the objects staged in the bucket, fetched to this machine)."""
    files = iter(local)
    photos: list[Photo] = []
    for index, entry in enumerate(spec.photos):
        if is_web_url(entry):
            photos.append(Photo(key=str(index), name=entry, url=entry))
            continue
        path = next(files, None)
        if path is None:
            raise JobFailed("photo has no local file", file=entry)
        photos.append(Photo(key=str(index), name=path.name, path=path))
    return photos


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def png_bit_depth(path: Path) -> int:
    """Bits a channel of a PNG file, read from its header; 8 for any other file."""
    with path.open("rb") as handle:
        head = handle.read(PNG_BIT_DEPTH_OFFSET + 1)
    if not head.startswith(PNG_SIGNATURE) or len(head) <= PNG_BIT_DEPTH_OFFSET:
        return 8
    return head[PNG_BIT_DEPTH_OFFSET]


def needs_conversion(path: Path, image: Image.Image) -> bool:
    if path.suffix.lower() not in ACCEPTED_SUFFIXES or image.mode not in PLAIN_MODES:
        return True
    return png_bit_depth(path) > 8


def as_8_bit(image: Image.Image) -> Image.Image:
    """RGB or RGBA with 8 bits a channel, whatever the mode read."""
    if image.mode in {"I;16", "I;16B", "I;16L", "I", "F"}:
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode != "F" else max(float(values.max()), 1.0)
        scaled = np.clip(values / peak * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(scaled, "L").convert("RGB")
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def ready_file(path: Path, workdir: Path) -> Path:
    """The file to upload: the photo itself when the service takes it as it is, else an 8-bit
    JPEG (PNG with transparency) copy in ``workdir`` (never the input changed)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise JobFailed(
            f"file too large for NemoVideo ({human_size(path.stat().st_size)}, max 200 MB)",
            file=path.name,
        )
    register_heif_opener()
    try:
        with Image.open(path) as image:
            if not needs_conversion(path, image):
                return path
            converted = as_8_bit(image)
    except UnidentifiedImageError:
        return path  # not a picture: the service takes it (a video) or names it (4001)
    except (OSError, ValueError) as error:
        raise JobFailed(f"cannot read the photo to convert it: {error}", file=path.name) from None
    target = workdir / CONVERTED_DIR / f"{path.stem}.{'png' if converted.mode == 'RGBA' else 'jpg'}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if converted.mode == "RGBA":
        converted.save(target, "PNG")
    else:
        converted.save(target, "JPEG", quality=92)
    return target
