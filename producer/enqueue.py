"""Put job specs on the queue as one batch; the same job enqueued twice runs once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worker.jobs import JobStore
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

    @property
    def job_ids(self) -> list[str]:
        return [*self.enqueued, *self.already_known]


def enqueue_specs(
    specs: list[JobSpec], store: JobStore, *, out: str, batch: str, redo_finished: bool = False
) -> EnqueueResult:
    """``redo_finished``: a finished job of the same id is forgotten and made again (for
    specs known to need redoing), instead of being counted as already known."""
    result = EnqueueResult(batch=batch)
    for spec in specs:
        if redo_finished:
            store.forget_finished(spec.id)
        if store.create(spec, out=out, batch=batch):
            submit(spec.id)
            result.enqueued.append(spec.id)
            continue
        existing = store.get(spec.id)
        if existing is not None and existing.spec.content_hash() == spec.content_hash():
            result.already_known.append(spec.id)
        else:
            result.conflicts.append(spec.id)
    return result
