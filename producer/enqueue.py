"""Put job specs on the queue as one batch; the same job (id and content) enqueued twice runs
once.

A job whose outputs are already in the bucket (its report says it succeeded) is skipped,
unless ``overwrite`` is asked for; a job that failed is made again. When the job's stages may
run on other machines (``inputs_travel``), each job's input files are staged into the bucket
first, so that any worker can read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from config.settings import get_settings
from worker.files.bucket import Bucket, open_bucket
from worker.files.inputs import stage_inputs
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus
from worker.job.store import JobStore
from worker.outputs.report import read_report, succeeded_jobs
from worker.queue.handoff import enqueue_stage, submit

CHUNK = 500
"""Specs recorded per pipelined round trip to Redis."""


@dataclass
class EnqueueResult:
    batch: str
    enqueued: list[str] = field(default_factory=list)
    already_known: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Jobs already made in the bucket: not run again."""

    @property
    def job_ids(self) -> list[str]:
        return [*self.enqueued, *self.already_known]


def inputs_travel(bucket: Bucket) -> bool:
    """Whether workers on other machines may run the jobs' stages: with a deployment's Redis
    (``REDIS_URL``) any of its workers takes them, and an ``s3://`` bucket is read from
    anywhere. Only a self-contained run (its own Redis, its own workers on this machine,
    writing to a folder) reads the producer's files where they are."""
    return bucket.remote or get_settings().redis_url is not None


def enqueue_specs(
    specs: list[JobSpec],
    store: JobStore,
    *,
    out: str,
    batch: str,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> EnqueueResult:
    """Enqueue each spec once: a job already known (its id, with the same content) is not run
    again, and a job already made in the bucket is skipped (``overwrite`` makes it again).
    ``progress(done, total)`` is told as each spec is taken."""
    result = EnqueueResult(batch=batch)
    bucket = open_bucket(out)
    staged = inputs_travel(bucket)
    made = set() if overwrite else succeeded_jobs(bucket, [spec.id for spec in specs])
    for start in range(0, len(specs), CHUNK):
        chunk: list[JobSpec] = []
        for done, spec in enumerate(specs[start : start + CHUNK], start=start + 1):
            if progress:
                progress(done, len(specs))
            if spec.id in made:
                result.skipped.append(spec.id)
            else:
                chunk.append(stage_inputs(spec, bucket) if staged else spec)
        _record_and_submit(chunk, store, result, out=out, batch=batch, overwrite=overwrite)
    return result


def _record_and_submit(
    specs: list[JobSpec],
    store: JobStore,
    result: EnqueueResult,
    *,
    out: str,
    batch: str,
    overwrite: bool,
) -> None:
    """Record ``specs`` in pipelined round trips and send the new ones their first message."""
    for state in store.get_many([spec.id for spec in specs]):
        if state.status.finished:  # it failed, or its outputs are gone or to be replaced
            store.erase_finished(state.spec.id)
    existing_ids = store.create_many(specs, out=out, batch=batch, overwrite=overwrite)
    known = {
        state.spec.id: state for state in store.get_many([i for i in existing_ids if i is not None])
    }
    new: list[JobSpec] = []
    waiting: list[JobState] = []
    for spec, existing in zip(specs, existing_ids, strict=True):
        if existing is None:
            new.append(spec)
            result.enqueued.append(spec.id)
        elif existing in known and known[existing].spec.content_hash() == spec.content_hash():
            result.already_known.append(existing)
            if known[existing].status == JobStatus.QUEUED:
                waiting.append(known[existing])
        else:
            result.conflicts.append(spec.id)
    submit(new)
    for state in waiting:
        # Queued by an earlier run that stopped (Redis gone, Ctrl-C): its message may have gone
        # with that run's workers. A duplicate is dropped by the claim.
        assert state.stage is not None
        enqueue_stage(state.spec, state.stage)


def finished_digest(out: str, job_id: str) -> str | None:
    """The inputs digest of the job's succeeded report in the output bucket, if there is one.

    Producers that skip work already done (catalog reruns, an inbox folder seen again after a
    restart) compare against the finished report rather than a Redis key: without REDIS_URL
    the Redis server lives only as long as one command, so only the bucket remembers earlier
    runs; and the report is written last, for a job that ended, so a crashed or failed job is
    never taken for done."""
    report = read_report(open_bucket(out), job_id)
    if report is None or report.get("status") != JobStatus.SUCCEEDED:
        return None
    digest = report.get("spec", {}).get("source", {}).get("digest")
    return digest if isinstance(digest, str) else None
