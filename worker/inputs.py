"""A job's input files (photos, music, logo, brand font) on their way from the producer to a worker.

Photos named by an http(s) URL (a merchant feed's ``image_link``) are fetched from the web by
the worker that needs them (``worker.web_fetch``: cached, checked, size-capped), into the
same scratch folder; a backend that hands URLs to its own service (``takes_urls``) gets them
as they are.

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
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec

from worker.bucket import Bucket
from worker.errors import JobFailed, TransientError
from worker.spec import JobSpec
from worker.web_fetch import fetch_url, fetched_photo, is_web_url

STAGED_PREFIX = ".inputs/sha256"
FETCHED_DIR = "inputs"
WEB_SCHEMES = ("http://", "https://")


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def is_staged(location: str) -> bool:
    """An object in a bucket (fetched by the worker), not a local path nor a web URL."""
    return "://" in location and not location.startswith(WEB_SCHEMES)


FileChange = Callable[[str], str | None]
"""A new location for an input file's location, or None to keep it."""


def _named_files(spec: JobSpec) -> list[tuple[str, str]]:
    """(role, location) of each input file the spec names besides its photos: the music, the
    logo (an option, the brand's, a feed row's) and the brand's font."""
    options, brand, row = spec.options, spec.options.brand, spec.source.fields or {}
    candidates = [
        ("music", options.music),
        ("logo", options.logo),
        ("logo", brand.logo if brand else None),
        ("font", brand.font if brand else None),
        ("logo", row.get("logo")),
    ]
    return [(role, str(value)) for role, value in candidates if value]


def _change_files(spec: JobSpec, change: FileChange) -> JobSpec:
    """The spec with each of its ``_named_files`` moved where ``change`` says."""

    def moved(value: object) -> object:
        return (change(value) or value) if isinstance(value, str) and value else value

    options = spec.options.model_copy(
        update={"music": moved(spec.options.music), "logo": moved(spec.options.logo)}
    )
    brand = options.brand
    if brand is not None:
        brand = brand.model_copy(update={"logo": moved(brand.logo), "font": moved(brand.font)})
        options = options.model_copy(update={"brand": brand})
    source = spec.source
    if source.fields and source.fields.get("logo"):
        fields = {**source.fields, "logo": moved(source.fields["logo"])}
        source = source.model_copy(update={"fields": fields})
    return spec.model_copy(update={"options": options, "source": source})


def stage_file(path: Path, bucket: Bucket) -> str:
    key = f"{STAGED_PREFIX}/{file_sha256(path)}/{path.name}"
    if not bucket.exists(key):
        bucket.put_file(key, path)
    return bucket.address(key)


def stage_inputs(spec: JobSpec, bucket: Bucket) -> JobSpec:
    """The spec with its local photos and music staged into ``bucket`` and named by URI."""
    photos = [photo if "://" in photo else stage_file(Path(photo), bucket) for photo in spec.photos]

    def staged(location: str) -> str | None:
        is_local = "://" not in location and Path(location).is_file()
        return stage_file(Path(location), bucket) if is_local else None

    spec = _change_files(spec, staged)
    source = spec.source.model_copy(update={"path": Path(spec.source.path).name})
    return spec.model_copy(update={"photos": photos, "source": source})


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
    """The input as a file on this machine (a staged object or a web URL fetched into
    ``workdir``); an empty one fails its job, saying so (a photo decoder would only call it
    an unknown format)."""
    if is_web_url(location):
        return fetch_url(location, workdir)
    path = fetch(location, workdir) if is_staged(location) else Path(location)
    if path.is_file() and path.stat().st_size == 0:
        raise JobFailed("the file is empty (0 bytes)", file=path.name)
    return path


def local_photos(spec: JobSpec, workdir: Path, *, keep_urls: bool) -> list[Path]:
    """The job's photos as files on this machine, in order; with ``keep_urls`` (a backend
    that passes URLs on) the web URLs are left out, as ``StageContext.photos`` says."""
    return [
        local_input(photo, workdir)
        for photo in spec.photos
        if not (keep_urls and is_web_url(photo))
    ]


def local_spec(spec: JobSpec, workdir: Path) -> JobSpec:
    """The spec as a backend on this machine sees it: each staged file becomes its copy."""
    if not any(is_staged(location) for _role, location in _named_files(spec)):
        return spec
    return _change_files(
        spec, lambda location: str(fetch(location, workdir)) if is_staged(location) else None
    )


def describe_inputs(spec: JobSpec, workdir: Path) -> list[dict[str, Any]]:
    """Role, name, location, sha256 and size of each input file, as this machine has it."""
    located = [("photo", photo) for photo in spec.photos]
    for role, location in _named_files(spec):
        if is_staged(location) or Path(location).is_file():
            located.append((role, location))
    described = []
    for role, location in located:
        if is_web_url(location):
            fetched = fetched_photo(location, workdir)
            if fetched is None:  # handed to a backend's service as a URL
                continue
            path = fetched
        else:
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
