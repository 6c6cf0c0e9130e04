"""A job's input files (photos and a music file) on their way from the producer to a worker.

When the output bucket is remote (``s3://…``), workers may run on other machines than the
producer, so the producer stages every input into the bucket once, content-addressed:
``<prefix>/.inputs/sha256/<hex>/<file name>``. An object already there is not sent again; the
original file name is kept so that errors name the file the user knows. The staged job spec
names those objects (``s3://…`` URIs), never the producer's paths. A worker fetches each
object into the job's scratch folder (once per machine) and works on the copy.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec

from worker.bucket import Bucket
from worker.errors import JobFailed, TransientError
from worker.spec import JobSpec

STAGED_PREFIX = ".inputs/sha256"
FETCHED_DIR = "inputs"
WEB_SCHEMES = ("http://", "https://")


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def is_staged(location: str) -> bool:
    """An object in a bucket (fetched by the worker), not a local path nor a web URL."""
    return "://" in location and not location.startswith(WEB_SCHEMES)


def stage_file(path: Path, bucket: Bucket) -> str:
    key = f"{STAGED_PREFIX}/{file_sha256(path)}/{path.name}"
    if not bucket.exists(key):
        bucket.put_file(key, path)
    return bucket.address(key)


def stage_inputs(spec: JobSpec, bucket: Bucket) -> JobSpec:
    """The spec with its local photos and music staged into ``bucket`` and named by URI."""
    photos = [photo if "://" in photo else stage_file(Path(photo), bucket) for photo in spec.photos]
    options = spec.options
    if options.music and "://" not in options.music and Path(options.music).is_file():
        options = options.model_copy(update={"music": stage_file(Path(options.music), bucket)})
    source = spec.source.model_copy(update={"path": Path(spec.source.path).name})
    return spec.model_copy(update={"photos": photos, "options": options, "source": source})


def fetched_path(location: str, workdir: Path) -> Path:
    """Where a staged object is kept in the job's scratch folder: ``inputs/<hex>/<name>``."""
    staged = PurePosixPath(location.split("://", 1)[1])
    return workdir / FETCHED_DIR / staged.parent.name / staged.name


def fetch(location: str, workdir: Path) -> Path:
    """A local copy of a staged object, fetched whole under a temporary name, then renamed."""
    target = fetched_path(location, workdir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        filesystem, path = fsspec.core.url_to_fs(location)
        filesystem.get_file(path, str(temporary))
        os.replace(temporary, target)
    except FileNotFoundError:
        raise JobFailed("staged input is missing from the bucket", file=target.name) from None
    except OSError as error:
        raise TransientError(f"{target.name}: could not fetch the staged input: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return target


def local_input(location: str, workdir: Path) -> Path:
    """The input as a file on this machine; an empty one fails its job, saying so (a photo
    decoder would only call it an unknown format)."""
    path = fetch(location, workdir) if is_staged(location) else Path(location)
    if path.is_file() and path.stat().st_size == 0:
        raise JobFailed("the file is empty (0 bytes)", file=path.name)
    return path


def local_spec(spec: JobSpec, workdir: Path) -> JobSpec:
    """The spec as a backend on this machine sees it: a staged music file becomes its copy."""
    music = spec.options.music
    if not (music and is_staged(music)):
        return spec
    options = spec.options.model_copy(update={"music": str(fetch(music, workdir))})
    return spec.model_copy(update={"options": options})


def describe_inputs(spec: JobSpec, workdir: Path) -> list[dict[str, Any]]:
    """Role, name, location, sha256 and size of each input file, as this machine has it."""
    located = [("photo", photo) for photo in spec.photos]
    music = spec.options.music
    if music and (is_staged(music) or Path(music).is_file()):
        located.append(("music", music))
    described = []
    for role, location in located:
        if location.startswith(WEB_SCHEMES):
            continue
        path = fetched_path(location, workdir) if is_staged(location) else Path(location)
        present = path.is_file()
        described.append(
            {
                "role": role,
                "name": path.name,
                "location": location,
                "sha256": file_sha256(path) if present else None,
                "size": path.stat().st_size if present else None,
            }
        )
    return described
