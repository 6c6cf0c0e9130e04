"""Files one stage hands to a later one, which may run on another machine.

Stages are separate Celery tasks, and Celery gives each to whichever worker is free: the only
things every stage can reach are Redis and the output bucket. A stage that makes a file a later
stage needs (the local render, the cloud's downloaded video, the contact sheet) *keeps* it: the
file goes to the job's work area in the bucket, ``.work/<job-id>-<token>/<name>``, and its name
goes into the checkpoint. A later stage asks for it by that name and gets the copy in its
scratch folder, fetched from the bucket when this machine does not have it.

Each kept file has a name of its own (a random prefix), so an attempt presumed dead that keeps
its file late never replaces the one the checkpoint names. The work area is removed when the
job settles (``worker.outputs.publish``). Work that is cheap to redo (decoding photos, writing
music) is not kept: a stage that misses it makes it again in its own scratch folder.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path, PurePosixPath
from typing import Protocol

from worker.files.bucket import Bucket, open_bucket
from worker.files.scratch import folder_name
from worker.job.errors import JobFailed, TransientError
from worker.job.states import JobState

WORK_PREFIX = ".work"
KEPT_DIR = "kept"
"""Where kept files are cached in the job's scratch folder."""


class WorkArea(Protocol):
    def keep(self, path: Path) -> str:
        """Make ``path`` (a file in the job's scratch folder) reachable by later stages on any
        machine; return the name they ask for it by."""

    def local(self, name: str) -> Path:
        """The kept file ``name`` as a file on this machine."""


class ScratchArea:
    """The scratch folder alone: for a backend driven on one machine (its own tests)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def keep(self, path: Path) -> str:
        return path.relative_to(self.workdir).as_posix()

    def local(self, name: str) -> Path:
        path = self.workdir / name
        if not path.is_file():
            raise gone(name)
        return path


def gone(name: str) -> JobFailed:
    """What a later stage says of a kept file it cannot find."""
    return JobFailed("what an earlier stage made is gone", file=PurePosixPath(name).name)


def work_prefix(job_id: str, token: str) -> str:
    """The job's work area in the bucket; the scratch folders share its name."""
    return f"{WORK_PREFIX}/{folder_name(job_id, token)}/"


def work_area(state: JobState, workdir: Path) -> BucketArea:
    """The job's work area in its bucket, cached in ``workdir``."""
    return BucketArea(open_bucket(state.out), work_prefix(state.spec.id, state.scratch), workdir)


class BucketArea:
    """Kept files in the job's work area in the bucket, cached in its scratch folder."""

    def __init__(self, bucket: Bucket, prefix: str, workdir: Path) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.cache = workdir / KEPT_DIR

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def keep(self, path: Path) -> str:
        if path.parent == self.cache:  # a copy of a kept file: it is in the bucket already
            return path.name
        name = f"{uuid.uuid4().hex[:8]}-{path.name}"
        try:
            self.bucket.put_file(self.key(name), path)
        except OSError as error:
            raise TransientError(f"{path.name}: could not keep it in the bucket: {error}") from None
        self.cache.mkdir(parents=True, exist_ok=True)
        _link_or_copy(path, self.cache / name)
        return name

    def local(self, name: str) -> Path:
        cached = self.cache / name
        if cached.is_file():
            return cached
        try:
            self.bucket.get_file(self.key(name), cached)
        except FileNotFoundError:
            raise gone(name.split("-", 1)[-1]) from None
        except OSError as error:
            raise TransientError(f"{name}: could not fetch it from the bucket: {error}") from None
        return cached


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except OSError:
        shutil.copyfile(source, target)
