"""A worker's scratch folders: a cache on this machine's disk, never the only copy of anything.

Each job has one folder per machine, ``<root>/<job-id>-<token>`` (the token is its record's:
two runs of one job never share files). What a stage leaves there for later stages is also in
Redis or the bucket (``worker.files.work_area``), or is cheap to make again (decoded photos, music),
so a later stage may run on a machine whose folder for the job is empty.

A stage holds a shared lock on its job's folder (``.in-use``) while it runs. Whatever this
machine's worker processes do, a folder is removed only under an exclusive lock taken without
waiting, so never under a running stage; a process that dies drops its locks with it. The
sweep removes the folders of jobs that settled (on any machine), then the least recently used
ones beyond ``PHOTOREEL_SCRATCH_MAX_BYTES``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.logging import get_logger
from config.settings import get_settings
from worker.job.states import JobState

log = get_logger(__name__)

ROOT_NAME = "photoreel-jobs"
IN_USE = ".in-use"
TOKEN_LENGTH = 12
"""Hex digits of a job record's scratch token (``JobStore.create_many``)."""


def scratch_root() -> Path:
    return get_settings().scratch_dir or Path(tempfile.gettempdir()) / ROOT_NAME


def folder_name(job_id: str, token: str) -> str:
    return f"{job_id}-{token}"


def scratch_folder(state: JobState) -> Path:
    """The job's scratch folder on this machine, named after its id and its record's token:
    two runs of one job (two Redis servers, or the job made again) never share one."""
    return scratch_root() / folder_name(state.spec.id, state.scratch)


def parse_folder_name(name: str) -> tuple[str, str] | None:
    """(job id, token) of a job's folder name; None for anything else."""
    job_id, _, token = name.rpartition("-")
    if not job_id or len(token) != TOKEN_LENGTH:
        return None
    return job_id, token


@contextmanager
def folder_in_use(folder: Path) -> Iterator[Path]:
    """The job's folder, made if missing and held (shared lock) until the block ends.

    A sweep may remove the folder between its making and the lock: the lock file is then
    an unlinked one, and the folder is made and locked again."""
    while True:
        folder.mkdir(parents=True, exist_ok=True)
        lock_path = folder / IN_USE
        try:
            handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole block
        except FileNotFoundError:  # removed since it was made: make it again
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_SH)
            if _same_file(handle, lock_path):
                os.utime(lock_path)  # last use, for the sweep's least-recently-used order
                yield folder
                return
        finally:
            handle.close()


def _same_file(handle: object, path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == path.stat().st_ino  # type: ignore[attr-defined]
    except FileNotFoundError:
        return False


def remove_unused(folder: Path, *, wait: float = 0.0) -> bool:
    """Remove ``folder`` unless a stage on this machine holds it (for up to ``wait`` seconds:
    processes just killed let go of their locks as they exit); True when it is gone."""
    try:
        handle = open(folder / IN_USE, "a+b")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return not folder.exists()  # no folder; or one half removed by another sweep
    deadline = time.monotonic() + wait
    with handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)
        return True


@dataclass(frozen=True)
class CachedFolder:
    path: Path
    job_id: str
    token: str
    last_used: float
    bytes: int


def cached_folders(root: Path) -> list[CachedFolder]:
    """The job folders under ``root``, least recently used first."""
    folders = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return []
    for entry in entries:
        parsed = parse_folder_name(entry.name) if entry.is_dir(follow_symlinks=False) else None
        if parsed is None:
            continue
        path = Path(entry.path)
        try:
            last_used = (path / IN_USE).stat().st_mtime
        except FileNotFoundError:
            last_used = entry.stat(follow_symlinks=False).st_mtime
        folders.append(CachedFolder(path, *parsed, last_used=last_used, bytes=folder_bytes(path)))
    return sorted(folders, key=lambda folder: folder.last_used)


def folder_bytes(path: Path) -> int:
    total = 0
    for directory, _subfolders, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except FileNotFoundError:
                continue
    return total


JobTokens = Callable[[list[str]], dict[str, tuple[str, bool]]]
"""For job ids, the scratch token of each job's record and whether it finished; jobs the job
store does not hold are left out."""
STRANGER_GRACE_SECONDS = 3600.0
"""A folder of a record this Redis does not hold (an unknown job, or one made again since)
may be another run's on this machine (another Redis, a job of the same id): it is left this
long after its last use."""


def sweep(
    root: Path, job_tokens: JobTokens, max_bytes: int, *, now: float | None = None
) -> list[Path]:
    """Remove the folders of jobs that finished (on any machine), and those of records this
    Redis does not hold after ``STRANGER_GRACE_SECONDS``; then the least recently used ones
    while the cache holds more than ``max_bytes``. Folders in use are left alone. Returns what
    was removed."""
    folders = cached_folders(root)
    if not folders:
        return []
    tokens = job_tokens(sorted({folder.job_id for folder in folders}))
    now = time.time() if now is None else now
    removed: list[Path] = []
    kept: list[CachedFolder] = []
    for folder in folders:
        token, finished = tokens.get(folder.job_id, ("", False))
        if token == folder.token:
            stale = finished
        else:
            stale = now - folder.last_used > STRANGER_GRACE_SECONDS
        if stale and remove_unused(folder.path):
            removed.append(folder.path)
        else:
            kept.append(folder)
    total = sum(folder.bytes for folder in kept)
    for folder in kept:
        if total <= max_bytes:
            break
        if remove_unused(folder.path):
            removed.append(folder.path)
            total -= folder.bytes
    if removed:
        log.info("scratch swept", removed=len(removed), kept_bytes=total)
    return removed
