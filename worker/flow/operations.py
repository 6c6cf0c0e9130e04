"""What an operator does to jobs already made: run failed and dead ones again, cancel a batch.

A retried job goes back to the stage it stopped at with its checkpoint, so a backend finds
what it already did (the nemo backend polls the session of a message it sent instead of
sending another: one paid generation per job, retried or not). A cancelled batch's queued and
parked jobs are cancelled at once and get their report here; its running ones stop after
their current stage (``worker.flow.pipeline`` writes their report)."""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.files.bucket import open_bucket
from worker.job import keys
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.outputs.publish import summarize_batch_if_done, write_report
from worker.queue.handoff import enqueue_stage


@dataclass
class Retried:
    jobs: dict[str, Stage] = field(default_factory=dict)
    """Each job put back in the queue → the stage it resumes at."""
    skipped: dict[str, JobStatus] = field(default_factory=dict)
    """Jobs asked for that were neither failed nor dead → their status."""


def is_batch(store: JobStore, name: str) -> bool:
    return bool(store.redis.exists(keys.batch(name)))


def retry(store: JobStore, batch_or_job: str) -> Retried | None:
    """Retry the failed and dead jobs of a batch, or one job; None if Redis knows neither."""
    if is_batch(store, batch_or_job):
        states = store.batch_jobs(batch_or_job)
    else:
        state = store.get(batch_or_job)
        if state is None:
            return None
        states = [state]
    retried = Retried()
    for state in states:
        if not state.status.went_wrong:
            retried.skipped[state.spec.id] = state.status
            continue
        stage = store.retry(state.spec.id)
        if stage is None:  # it moved on since it was read
            continue
        enqueue_stage(state.spec, stage)
        retried.jobs[state.spec.id] = stage
    return retried


@dataclass
class Cancelled:
    cancelled: list[str]
    """Jobs that will never start (they were queued or parked)."""
    stopping: list[str]
    """Jobs that stop after the stage they are running."""


def cancel(store: JobStore, batch: str) -> Cancelled | None:
    """Cancel a batch; None if Redis does not know it."""
    if not is_batch(store, batch):
        return None
    cancelled, stopping = store.cancel_batch(batch)
    for job_id in cancelled:  # each report, then the summary once (not once per report)
        write_report(job_id, store, summarize=False)
    if cancelled and (state := store.get(cancelled[-1])) is not None:
        summarize_batch_if_done(state, store, open_bucket(state.out))
    return Cancelled(cancelled=cancelled, stopping=stopping)
