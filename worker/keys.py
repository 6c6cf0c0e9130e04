"""Every Redis key photoreel uses, in one place."""

from __future__ import annotations

PREFIX = "photoreel"


def job(job_id: str) -> str:
    """Hash: spec, out, batch, status, stage, error, error_file, attempts, timestamps."""
    return f"{PREFIX}:job:{job_id}"


def is_job_key(key: str) -> bool:
    """The job hash itself, not one of its companions (timings, checkpoint)."""
    return key.startswith(job("")) and ":" not in key.removeprefix(job(""))


def job_id_of(key: str) -> str:
    return key.removeprefix(job(""))


def job_timings(job_id: str) -> str:
    """Hash: stage name → seconds it took."""
    return f"{PREFIX}:job:{job_id}:timings"


def job_checkpoint(job_id: str) -> str:
    """Hash: fact name → JSON value, recorded by stages before the side effect needing it."""
    return f"{PREFIX}:job:{job_id}:checkpoint"


def batch(batch_id: str) -> str:
    """Sorted set of the batch's job ids, scored by enqueue time."""
    return f"{PREFIX}:batch:{batch_id}"


BATCHES = f"{PREFIX}:batches"
"""Sorted set of batch ids, scored by creation time."""
