"""One run at a time publishes a job's output, and never over another run's finished one.

Two runs of the same job into the same bucket (two terminals, two cron entries: each with its
own Redis, so nothing else tells them apart) would otherwise write over each other. Before the
video goes up, the publishing run takes the job's mark in the bucket (``<job-id>/.publishing``,
created only if absent) and then looks at the job's report: one that says ``succeeded`` and
names another batch is another run's finished output, replaced only with ``--overwrite``. The
mark is given back once the report is written. A mark older than a stage's time limit is left
by a publisher that died, and is taken over.
"""

from __future__ import annotations

import json
import time

from worker.files.bucket import Bucket, read_json_object
from worker.job.errors import OutputTaken
from worker.job.states import JobState, JobStatus
from worker.outputs.report import read_report

MARK = ".publishing"


def mark_key(job_id: str) -> str:
    return f"{job_id}/{MARK}"


def _holder(bucket: Bucket, job_id: str) -> dict[str, object] | None:
    return read_json_object(bucket, mark_key(job_id))


def claim_output(bucket: Bucket, state: JobState, *, stale_after: float) -> None:
    """Take the job's mark for this run's batch, or raise ``OutputTaken`` saying who has it."""
    job_id = state.spec.id
    mark = json.dumps({"batch": state.batch, "at": time.time()}).encode()
    if not bucket.put_new(mark_key(job_id), mark):
        holder = _holder(bucket, job_id) or {}
        at = holder.get("at")
        stale = not isinstance(at, int | float) or time.time() - at > stale_after
        if holder.get("batch") != state.batch and not stale:
            raise OutputTaken(
                f"another run (batch {holder.get('batch')}) is publishing {job_id} now; "
                "not overwritten"
            )
        bucket.put_bytes(mark_key(job_id), mark)
    report = read_report(bucket, job_id)
    finished_elsewhere = (
        report is not None
        and report.get("status") == JobStatus.SUCCEEDED
        and report.get("batch") != state.batch
    )
    if finished_elsewhere and not state.overwrite:
        release_output(bucket, state)
        raise OutputTaken(
            f"made meanwhile by another run (batch {report.get('batch')}); not overwritten "
            "(--overwrite replaces it)"
        )


def release_output(bucket: Bucket, state: JobState) -> None:
    """Give the job's mark back, if this run's batch holds it."""
    holder = _holder(bucket, state.spec.id)
    if holder is not None and holder.get("batch") == state.batch:
        bucket.delete(mark_key(state.spec.id))
