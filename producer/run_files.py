"""What a run of ``photoreel run``, ``catalog`` or ``watch`` puts in the system temp folder
(``TMPDIR``), and what it leaves there: nothing, but for the worker log of a run whose job
failed (its path is printed) and, with ``REDIS_URL``, the scratch folders of jobs it left
unfinished (a later run on this machine takes them further).

Each run has a folder of its own, ``photoreel-<batch>/``: ``worker.log`` (its workers' log)
and ``tmp/``, the ``TMPDIR`` of its worker processes, so that what they and their libraries
leave behind — multiprocessing's ``pymp-*`` folders, which a pool process killed at the end of
a run never removes — goes with the run. Jobs' scratch folders stay in the run's own temp
folder (``photoreel-jobs/``, or ``PHOTOREEL_SCRATCH_DIR``), where another run finds them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

WORKER_LOG = "worker.log"
WORKER_TEMP = "tmp"


def new_batch_id() -> str:
    """A batch's id, which names its run folder: when and a random part."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def temp_dir_problem() -> OSError | None:
    """Why ``TMPDIR``, when set, is no folder this user can make folders in; None when it is
    (or is unset). Python would otherwise fall back to ``/tmp`` without a word."""
    folder = os.environ.get("TMPDIR")
    if not folder:
        return None
    try:
        os.rmdir(tempfile.mkdtemp(prefix="photoreel-check-", dir=folder))
    except OSError as problem:
        return problem
    return None


def run_folder(batch: str) -> Path:
    return Path(tempfile.gettempdir()) / f"photoreel-{batch}"


def worker_log(batch: str) -> Path:
    return run_folder(batch) / WORKER_LOG


def worker_temp(log_file: Path) -> Path:
    """The ``TMPDIR`` of the worker processes logging to ``log_file``."""
    return log_file.parent / WORKER_TEMP


def discard_run_folder(batch: str) -> None:
    """The run's folder goes, worker log and all: the run printed no reason to read it."""
    shutil.rmtree(run_folder(batch), ignore_errors=True)


def remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (another run's jobs), or already gone
        folder.rmdir()
