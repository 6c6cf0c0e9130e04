"""A job's input files (photos, music, logo, brand font) on their way from the producer to a worker.

Any stage may run on any worker on any machine, so a worker never assumes the producer's paths
exist on its disk. When the job's stages may run elsewhere (the bucket is ``s3://…``, or the
queue is a deployment's shared Redis), the producer stages every input into the bucket once,
content-addressed: ``<prefix>/.inputs/sha256/<hex>/<file name>``. An object already there is
not sent again; the original file name is kept so that errors name the file the user knows.
The staged job spec names those objects (``s3://…`` URIs, or paths in a bucket folder that every
machine mounts), never the producer's paths. A worker fetches each object into the job's
scratch folder when a stage first needs it, and works on the copy.

Photos named by an http(s) URL (a merchant feed's ``image_link``) are fetched from the web by
the worker that needs them (``worker.files.web_fetch``: cached, checked, size-capped), into the
same scratch folder; a backend that hands URLs to its own service (``takes_urls``) gets them
as they are.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, overload
from urllib.parse import urlsplit

import fsspec

from worker.files.bucket import Bucket, download_whole
from worker.files.web_fetch import fetch_url, fetched_photo, is_web_url
from worker.job.errors import JobFailed, TransientError
from worker.job.spec import JobSpec

STAGED_PREFIX = ".inputs/sha256"
FETCHED_DIR = "inputs"


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def is_staged(location: str) -> bool:
    """An object in a bucket (fetched by the worker), not a local path nor a web URL."""
    return "://" in location and not is_web_url(location)


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
    filesystem, path = fsspec.core.url_to_fs(location)
    try:
        download_whole(lambda temporary: filesystem.get_file(path, str(temporary)), target)
    except FileNotFoundError:
        raise JobFailed("staged input is missing from the bucket", file=target.name) from None
    except OSError as error:
        raise TransientError(f"{target.name}: could not fetch the staged input: {error}") from None
    return target


def local_input(location: str, workdir: Path) -> Path:
    """The input as a file on this machine: a local path, a staged object fetched from the
    bucket, or a web URL fetched into ``workdir``. A path this machine does not have fails its
    job naming it (the producer's files are not on every worker); so does an empty one (a
    photo decoder would only call it an unknown format)."""
    if is_web_url(location):
        return fetch_url(location, workdir)
    path = fetch(location, workdir) if is_staged(location) else Path(location)
    if not path.is_file():
        raise JobFailed(f"no such file on this worker ({socket.gethostname()})", file=path.name)
    if path.stat().st_size == 0:
        raise JobFailed("the file is empty (0 bytes)", file=path.name)
    return path


class FetchedOnUse(Sequence[Path]):
    """Input files as local files, fetched to this machine when first used: a stage that needs
    none of them (publishing, waiting for the cloud) fetches nothing."""

    def __init__(self, locations: list[str], workdir: Path) -> None:
        self.locations = locations
        self.workdir = workdir
        self._paths: list[Path] | None = None

    def paths(self) -> list[Path]:
        if self._paths is None:
            self._paths = [local_input(location, self.workdir) for location in self.locations]
        return self._paths

    def __len__(self) -> int:
        return len(self.locations)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Path]: ...

    def __getitem__(self, index: int | slice) -> Path | Sequence[Path]:
        return self.paths()[index]


def local_photos(spec: JobSpec, workdir: Path, *, keep_urls: bool) -> FetchedOnUse:
    """The job's photos as files on this machine, in order, fetched when first used; with
    ``keep_urls`` (a backend that passes URLs on) the web URLs are left out, as
    ``StageContext.photos`` says."""
    kept = [photo for photo in spec.photos if not (keep_urls and is_web_url(photo))]
    return FetchedOnUse(kept, workdir)


def local_spec(spec: JobSpec, workdir: Path) -> JobSpec:
    """The spec as a backend on this machine sees it: each staged file becomes its copy."""
    if not any(is_staged(location) for _role, location in _named_files(spec)):
        return spec
    return _change_files(
        spec, lambda location: str(fetch(location, workdir)) if is_staged(location) else None
    )


def describe_inputs(spec: JobSpec, workdir: Path) -> list[dict[str, Any]]:
    """Role, name, location, sha256 and size of each input file. A staged object is named by
    its digest and measured in the bucket: this machine need not have fetched it."""
    located = [("photo", photo) for photo in spec.photos]
    for role, location in _named_files(spec):
        if is_staged(location) or Path(location).is_file():
            located.append((role, location))
    return [{"role": role, **_file_facts(location, workdir)} for role, location in located]


def _file_facts(location: str, workdir: Path) -> dict[str, Any]:
    if is_web_url(location):  # fetched here, else fetched elsewhere or handed on as a URL
        path = fetched_photo(location, workdir)
        if path is None:
            name = PurePosixPath(urlsplit(location).path).name or location
            return {"name": name, "location": location, "sha256": None, "size": None}
    else:
        path = fetched_path(location, workdir) if is_staged(location) else Path(location)
    facts: dict[str, Any] = {"name": path.name, "location": location}
    if path.is_file():
        return {**facts, "sha256": file_sha256(path), "size": path.stat().st_size}
    if not is_staged(location):
        return {**facts, "sha256": None, "size": None}
    try:
        filesystem, remote = fsspec.core.url_to_fs(location)
        size = int(filesystem.info(remote)["size"])
    except (OSError, KeyError, ValueError):
        size = None
    return {**facts, "sha256": path.parent.name, "size": size}
