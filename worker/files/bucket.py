"""Where finished jobs land. Nothing partial is ever visible under a final name.

Two kinds of bucket, both addressed by keys like ``<job-id>/video.mp4``:

- a local folder: each object is written under a temporary name beside it, then renamed;
- ``s3://bucket/prefix`` through fsspec (s3fs): each object is sent in one request, or as a
  multipart upload that S3 assembles only when it is complete (and aborts on failure), so an
  object appears under its final key whole or not at all. The standard ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_S3`` variables are
  honoured, so MinIO and other S3-compatible servers work too.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import fsspec
from botocore.exceptions import BotoCoreError

S3_SCHEME = "s3://"


class BucketError(OSError):
    """The bucket cannot be written to: it does not exist, or no credentials reach it."""


class Bucket(Protocol):
    url: str
    remote: bool
    """True when every machine reaches it by its URL (an ``s3://`` bucket); a folder is
    reached only where it is mounted (at the same path on every machine of a deployment)."""

    def put_file(self, key: str, source: Path) -> str:
        """Copy ``source`` to ``key`` atomically; return the object's address."""

    def put_bytes(self, key: str, data: bytes) -> str:
        """Write ``data`` to ``key`` atomically; return the object's address."""

    def read_bytes(self, key: str) -> bytes | None:
        """The object's content, or None when there is no object under ``key``."""

    def get_file(self, key: str, target: Path) -> None:
        """Copy the object to the local file ``target``, whole or not at all (a temporary
        name, then renamed); FileNotFoundError when there is no object under ``key``."""

    def exists(self, key: str) -> bool: ...

    def put_new(self, key: str, data: bytes) -> bool:
        """Write ``data`` to ``key`` only if no object is there; False when one was."""

    def delete(self, key: str) -> None:
        """Remove the object under ``key``, if there is one."""

    def copy(self, source_key: str, key: str) -> str:
        """Copy the object under ``source_key`` to ``key`` inside the bucket, atomically (a
        server-side copy on S3: the bytes do not travel through this machine)."""

    def delete_prefix(self, prefix: str) -> None:
        """Remove every object whose key starts with ``prefix`` (a folder: ends with ``/``)."""

    def check(self) -> None:
        """Raise BucketError, saying why, when outputs cannot be written here."""

    def address(self, key: str) -> str:
        """Where the object under ``key`` is: a path, or an ``s3://`` URI."""

    def modified_times(self) -> dict[str, float]:
        """Every object's key and last-modified time (epoch seconds), from one listing."""


class LocalBucket:
    """A folder. Each object is written to a temporary name beside it, then renamed."""

    remote = False

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def _target(self, key: str) -> Path:
        target = (self.root / key).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} leaves the bucket")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _temporary(self, target: Path) -> Path:
        return target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")

    def put_file(self, key: str, source: Path) -> str:
        target = self._target(key)
        temporary = self._temporary(target)
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)

    def put_bytes(self, key: str, data: bytes) -> str:
        target = self._target(key)
        temporary = self._temporary(target)
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None

    def get_file(self, key: str, target: Path) -> None:
        download_whole(lambda temporary: shutil.copyfile(self.root / key, temporary), target)

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()

    def put_new(self, key: str, data: bytes) -> bool:
        """A hard link never replaces its target: of two writers, exactly one succeeds."""
        target = self._target(key)
        temporary = self._temporary(target)
        try:
            temporary.write_bytes(data)
            os.link(temporary, target)
            return True
        except FileExistsError:
            return False
        finally:
            temporary.unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def copy(self, source_key: str, key: str) -> str:
        """A hard link where the folder allows one (no bytes copied), else a copy; either way
        under a temporary name first, then renamed into place."""
        source = self.root / source_key
        target = self._target(key)
        temporary = self._temporary(target)
        try:
            try:
                os.link(source, temporary)
            except OSError as error:
                if not source.is_file():
                    raise FileNotFoundError(f"no object {source_key!r}") from error
                shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)

    def delete_prefix(self, prefix: str) -> None:
        target = self.root / prefix
        if prefix.endswith("/"):
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BucketError(f"{self.url}: cannot make the output folder: {error}") from None
        if not os.access(self.root, os.W_OK):
            raise BucketError(f"{self.url}: the output folder is not writable")

    def address(self, key: str) -> str:
        return str(self.root / key)

    def modified_times(self) -> dict[str, float]:
        times: dict[str, float] = {}
        for directory, _subfolders, names in os.walk(self.root):
            folder = Path(directory)
            for name in names:
                if not name.startswith("."):  # objects being written
                    path = folder / name
                    times[path.relative_to(self.root).as_posix()] = path.stat().st_mtime
        return times


class S3Bucket:
    """``s3://bucket/prefix``: one whole upload per object, under its final key only."""

    remote = True

    def __init__(self, url: str) -> None:
        self.root = url.removeprefix(S3_SCHEME).strip("/")
        self.url = f"{S3_SCHEME}{self.root}"
        if not self.root:
            raise ValueError(f"output bucket {url!r} names no bucket")
        # Listings are not cached: other workers write to the same bucket.
        self.fs = fsspec.filesystem("s3", use_listings_cache=False, skip_instance_cache=True)
        self.conditional_writes = True
        """False once the store said it does not implement ``If-None-Match``."""

    def _path(self, key: str) -> str:
        if any(part in ("", ".", "..") for part in key.split("/")):
            raise ValueError(f"key {key!r} is not a plain object key")
        return f"{self.root}/{key}"

    def put_file(self, key: str, source: Path) -> str:
        self.fs.put_file(str(source), self._path(key), ContentType=content_type(key))
        return self.address(key)

    def put_bytes(self, key: str, data: bytes) -> str:
        self.fs.pipe_file(self._path(key), data, ContentType=content_type(key))
        return self.address(key)

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return bytes(self.fs.cat_file(self._path(key)))
        except FileNotFoundError:
            return None

    def get_file(self, key: str, target: Path) -> None:
        download_whole(lambda temporary: self.fs.get_file(self._path(key), str(temporary)), target)

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))

    def put_new(self, key: str, data: bytes) -> bool:
        """A conditional write (``If-None-Match: *``): S3 stores the object only if none is
        there, so of two writers exactly one succeeds. A store that does not implement
        conditional writes gets look-then-write, where two writers within the same instant may
        both succeed."""
        if self.conditional_writes:
            try:
                self.fs.pipe_file(
                    self._path(key), data, ContentType=content_type(key), IfNoneMatch="*"
                )
                return True
            except FileExistsError:  # 412 Precondition Failed: an object is there
                return False
            except (NotImplementedError, OSError) as error:
                if "NotImplemented" not in f"{type(error).__name__} {error}":
                    raise
                self.conditional_writes = False
        if self.exists(key):
            return False
        self.put_bytes(key, data)
        return True

    def delete(self, key: str) -> None:
        try:
            self.fs.rm_file(self._path(key))
        except FileNotFoundError:
            return

    def copy(self, source_key: str, key: str) -> str:
        """CopyObject: S3 writes the new object whole, from its own copy of the source."""
        self.fs.copy(self._path(source_key), self._path(key))
        return self.address(key)

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix.rstrip("/"))
        found = self.fs.find(path) if prefix.endswith("/") else [path]
        if found:
            try:
                self.fs.rm(found)
            except FileNotFoundError:
                return

    def check(self) -> None:
        bucket_name = self.root.split("/", 1)[0]
        try:
            self.fs.info(bucket_name)
        except FileNotFoundError:
            raise BucketError(f"{self.url}: there is no bucket {bucket_name!r}") from None
        except (OSError, BotoCoreError) as error:
            raise BucketError(f"{self.url}: {error}") from None

    def address(self, key: str) -> str:
        return f"{S3_SCHEME}{self._path(key)}"

    def modified_times(self) -> dict[str, float]:
        try:
            listing = self.fs.find(self.root, detail=True)
        except FileNotFoundError:
            return {}
        return {
            path.removeprefix(f"{self.root}/"): info["LastModified"].timestamp()
            for path, info in listing.items()
            if info.get("type") == "file"
        }


def download_whole(download: Callable[[Path], object], target: Path) -> None:
    """Run ``download`` into a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        download(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def content_type(key: str) -> str:
    """What a browser opening the object straight from the bucket should take it for."""
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def read_json_object(bucket: Bucket, key: str) -> dict[str, Any] | None:
    """The JSON object at ``key``; None when there is none (or none that can be read)."""
    raw = bucket.read_bytes(key)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def open_bucket(url: str) -> Bucket:
    if url.startswith(S3_SCHEME):
        return S3Bucket(url)
    if "://" in url:
        raise ValueError(f"unsupported output bucket {url!r}: give a folder or s3://bucket/prefix")
    return LocalBucket(Path(url).expanduser())
