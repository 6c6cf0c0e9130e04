"""``photoreel retry`` and ``photoreel cancel``: say what was done, return the exit code."""

from __future__ import annotations

from rich.console import Console

from producer.exits import EXIT_OK, EXIT_USAGE
from worker.flow.operations import cancel, retry
from worker.flow.runtime import job_store


def retry_command(batch_or_job: str, console: Console) -> int:
    retried = retry(job_store(), batch_or_job)
    if retried is None:
        console.print(f"retry: no batch or job {batch_or_job!r} in Redis")
        return EXIT_USAGE
    for job_id, stage in retried.jobs.items():
        console.print(f"{job_id}: queued again at its {stage} stage")
    for job_id, status in retried.skipped.items():
        console.print(f"[dim]{job_id}: {status}, left alone[/]")
    console.print(f"retried {len(retried.jobs)} job(s)")
    return EXIT_OK


def cancel_command(batch: str, console: Console) -> int:
    cancelled = cancel(job_store(), batch)
    if cancelled is None:
        console.print(f"cancel: no batch {batch!r} in Redis")
        return EXIT_USAGE
    console.print(
        f"batch {batch}: {len(cancelled.cancelled)} job(s) cancelled before starting, "
        f"{len(cancelled.stopping)} stopping after their current stage"
    )
    return EXIT_OK
