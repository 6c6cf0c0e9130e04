"""Where finished jobs land. Nothing partial is ever visible under a final name."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Protocol


class Bucket(Protocol):
    url: str

    def put_file(self, key: str, source: Path) -> str:
        """Copy ``source`` to ``key`` atomically; return the object's address."""

    def put_bytes(self, key: str, data: bytes) -> str:
        """Write ``data`` to ``key`` atomically; return the object's address."""

    def exists(self, key: str) -> bool: ...


class LocalBucket:
    """A folder. Each object is written to a temporary name beside it, then renamed."""

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

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()


def open_bucket(url: str) -> Bucket:
    if "://" in url:
        raise ValueError(f"unsupported output bucket {url!r}: give a folder")
    return LocalBucket(Path(url).expanduser())
