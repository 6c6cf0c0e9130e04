"""Put job specs on the queue as one batch; the same job enqueued twice runs once.

A job whose outputs are already in the bucket (its report says it succeeded) is skipped,
unless ``overwrite`` is asked for; a job that failed is made again. When the bucket is
remote, each job's input files are staged into it first, so that workers on other machines
can read them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worker.bucket import open_bucket
from worker.inputs import stage_inputs
from worker.jobs import JobStore
from worker.report import has_succeeded
from worker.spec import JobSpec
from worker.stages import submit


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
    specs: list[JobSpec], store: JobStore, *, out: str, batch: str, overwrite: bool = False
) -> EnqueueResult:
    """Enqueue each spec once: a job id or a content already known is not run again."""
    result = EnqueueResult(batch=batch)
    bucket = open_bucket(out)
    for spec in specs:
        if not overwrite and has_succeeded(bucket, spec.id):
            result.skipped.append(spec.id)
            continue
        if bucket.remote:
            spec = stage_inputs(spec, bucket)
        existing = store.create(spec, out=out, batch=batch)
        known = store.get(existing) if existing else None
        if known is not None and known.spec.id == spec.id and known.status.finished:
            store.forget(known)  # it failed, or its outputs are gone or to be replaced
            existing = store.create(spec, out=out, batch=batch)
            known = store.get(existing) if existing else None
        if existing is None:
            submit(spec)
            result.enqueued.append(spec.id)
            continue
        if known is not None and known.spec.content_hash() == spec.content_hash():
            result.already_known.append(existing)
        else:
            result.conflicts.append(spec.id)
    return result
