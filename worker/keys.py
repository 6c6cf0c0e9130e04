"""Every Redis key photoreel uses, in one place."""

from __future__ import annotations

PREFIX = "photoreel"


def job(job_id: str) -> str:
    """Hash: spec, out, batch, status, stage, error, error_file, attempts, timestamps."""
    return f"{PREFIX}:job:{job_id}"


def job_timings(job_id: str) -> str:
    """Hash: stage name → seconds it took."""
    return f"{PREFIX}:job:{job_id}:timings"


def job_checkpoint(job_id: str) -> str:
    """Hash: fact name → JSON value, recorded by stages before the side effect needing it."""
    return f"{PREFIX}:job:{job_id}:checkpoint"


def batch(batch_id: str) -> str:
    """Sorted set of the batch's job ids, scored by enqueue time."""
    return f"{PREFIX}:batch:{batch_id}"


def inbox_claim(folder_digest: str) -> str:
    """String: the job id an inbox folder (path + files' names, sizes, mtimes) was given.

    Set with NX, so each folder becomes one job whatever the events and restarts."""
    return f"{PREFIX}:inbox:claim:{folder_digest}"


BATCHES = f"{PREFIX}:batches"
"""Sorted set of batch ids, scored by creation time."""
