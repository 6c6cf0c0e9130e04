"""Put job specs on the queue as one batch; the same job (id and content) enqueued twice runs
once.

A job whose outputs are already in the bucket (its report says it succeeded) is skipped,
unless ``overwrite`` is asked for; a job that failed is made again. When the bucket is
remote, each job's input files are staged into it first, so that workers on other machines
can read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worker.bucket import open_bucket
from worker.handoff import submit
from worker.inputs import stage_inputs
from worker.jobs import JobStatus, JobStore
from worker.report import has_succeeded, read_report
from worker.spec import JobSpec


def new_batch_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


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
    for done, spec in enumerate(specs, start=1):
        if progress:
            progress(done, len(specs))
        if not overwrite and has_succeeded(bucket, spec.id):
            result.skipped.append(spec.id)
            continue
        if bucket.remote:
            spec = stage_inputs(spec, bucket)
        store.erase_finished(spec.id)  # it failed, or its outputs are gone or to be replaced
        existing = store.create(spec, out=out, batch=batch, overwrite=overwrite)
        if existing is None:
            submit(spec)
            result.enqueued.append(spec.id)
            continue
        known = store.get(existing)
        if known is not None and known.spec.content_hash() == spec.content_hash():
            result.already_known.append(existing)
        else:
            result.conflicts.append(spec.id)
    return result


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
