"""Put job specs on the queue as one batch; the same job enqueued twice runs once."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from worker.jobs import JobStore
from worker.spec import JobSpec
from worker.stages import submit

REPORT_FILE = "report.json"


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
    """Enqueue each spec once: a job id or a content already known is not run again.

    ``redo_finished``: a finished job of the same id is erased and made again (for specs the
    producer knows need redoing), instead of being counted as already known."""
    result = EnqueueResult(batch=batch)
    for spec in specs:
        if redo_finished:
            store.erase_finished(spec.id)
        existing = store.create(spec, out=out, batch=batch)
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
    """The inputs digest of the job's succeeded report in the output folder, if there is one.

    Producers that skip work already done (catalog reruns, an inbox folder seen again after a
    restart) compare against the finished report rather than a Redis key: without REDIS_URL
    the Redis server lives only as long as one command, so only the output folder remembers
    earlier runs; and the report is written last, for a job that ended, so a crashed or
    failed job is never taken for done. (An s3:// output is not read yet: nothing is
    skipped there.)"""
    if "://" in out:
        return None
    report_file = Path(out) / job_id / REPORT_FILE
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("status") != "succeeded":
        return None
    digest = report.get("spec", {}).get("source", {}).get("digest")
    return digest if isinstance(digest, str) else None
