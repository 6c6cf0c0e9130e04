"""report.json: what was asked, what was made, how long it took and, if it failed, why.

The report is the last object written for a job: its presence says the job is finished.
Its shape is ``photoreel.report/1``, described by ``worker/outputs/schemas/report-1.schema.json``.

Facts the backends record in the checkpoint go to ``backend``, except two that have their
own sections: ``plan`` (what the prompt was read as) and ``draft`` (the timeline). ``credits``
is what the job's backend reads from its facts (``BackendPlugin.credits``); null for a free one.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.logging import redact
from config.settings import get_settings
from worker.backends import backend_names, get_plugin
from worker.files.bucket import Bucket, read_json_object
from worker.job.draft import Draft, timeline_summary
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus
from worker.media.probe import VideoProbe

REPORT_SCHEMA = "photoreel.report/1"
SCHEMA_FILE = Path(__file__).with_name("schemas") / "report-1.schema.json"
REPORT_NAME = "report.json"
SECTION_KEYS = ("plan", "draft")
S3_SECRET_VARIABLE = "AWS_SECRET_ACCESS_KEY"


def report_key(job_id: str) -> str:
    return f"{job_id}/{REPORT_NAME}"


SUCCEEDED_MARKS = ".done/"


def succeeded_mark_key(job_id: str, digest: str) -> str:
    """An empty object written after a succeeded report of a job made from inputs ``digest``
    (the producer's, else the spec's content hash): a listing of the bucket then tells a rerun
    which jobs are done without reading reports. Marks live beside the job folders, under a
    hidden prefix, so a job's folder holds only what a user asked for."""
    return f"{SUCCEEDED_MARKS}{job_id}/{digest}"


def succeeded_jobs(bucket: Bucket, job_ids: list[str]) -> set[str]:
    """Which of ``job_ids`` have a report in ``bucket`` that says succeeded, from one listing:
    a succeeded-mark no older than the report settles a job; a report without any mark (one
    written before marks existed, or a failure) is read."""
    listing = bucket.modified_times()
    newest_mark: dict[str, float] = {}
    for key, modified in listing.items():
        if key.startswith(SUCCEEDED_MARKS):
            job_id = key.removeprefix(SUCCEEDED_MARKS).rpartition("/")[0]
            newest_mark[job_id] = max(modified, newest_mark.get(job_id, modified))
    succeeded = set()
    for job_id in job_ids:
        reported = listing.get(report_key(job_id))
        if reported is None:
            continue
        marked = newest_mark.get(job_id)
        if marked is not None:
            if marked >= reported:
                succeeded.add(job_id)
        elif has_succeeded(bucket, job_id):
            succeeded.add(job_id)
    return succeeded


def read_report(bucket: Bucket, job_id: str) -> dict[str, Any] | None:
    """The job's report in ``bucket``; None when it has none (or none that can be read)."""
    return read_json_object(bucket, report_key(job_id))


def has_succeeded(bucket: Bucket, job_id: str) -> bool:
    """A finished job: its outputs are in ``bucket`` and its report says it succeeded."""
    report = read_report(bucket, job_id)
    return report is not None and report.get("status") == JobStatus.SUCCEEDED


def _timeline(checkpoint: dict[str, Any]) -> dict[str, Any] | None:
    if "draft" not in checkpoint:
        return None
    draft = Draft.model_validate(checkpoint["draft"])
    return {"summary": timeline_summary(draft), "draft": draft.model_dump()}


def credits_used(backend: str, checkpoint: dict[str, Any]) -> dict[str, Any] | None:
    """Paid requests sent (``charges``) and the balance before and after, as the job's backend
    reads them from its facts; None for a backend that charges nothing."""
    return get_plugin(backend).credits(checkpoint)


def job_warnings(spec: JobSpec, checkpoint: dict[str, Any]) -> list[str]:
    """What the job's report and summaries say besides its outcome: the producer's notes on
    reading its files, then what the backend changed from what it asked."""
    return [*(spec.source.notes or []), *checkpoint.get("warnings", [])]


def build_report(
    state: JobState,
    checkpoint: dict[str, Any],
    *,
    inputs: list[dict[str, Any]],
    bucket: str,
    outputs: dict[str, str] | None = None,
    probe: VideoProbe | None = None,
) -> dict[str, Any]:
    """``outputs`` maps each output's role (video, poster) to its key in ``bucket``."""
    backend_facts = {key: value for key, value in checkpoint.items() if key not in SECTION_KEYS}
    error = None
    if state.error:
        error = {"message": state.error, "file": state.error_file, "stage": state.stage}
    files = {**(outputs or {}), "report": report_key(state.spec.id)}
    return {
        "schema": REPORT_SCHEMA,
        "job_id": state.spec.id,
        "batch": state.batch,
        "status": state.status,
        "spec": state.spec.model_dump(mode="json"),
        "inputs": inputs,
        "plan": checkpoint.get("plan"),
        "timeline": _timeline(checkpoint),
        "backend": {"name": state.spec.options.backend, **backend_facts},
        "credits": credits_used(state.spec.options.backend, checkpoint),
        "stages": {
            "seconds": state.timings,
            "attempts": state.attempts,
            "retries": sum(max(count - 1, 0) for count in state.attempts.values()),
            "last": state.stage,
        },
        "output": {
            "bucket": bucket,
            "files": files,
            "probe": probe.model_dump() if probe else None,
        },
        "error": error,
        "warnings": job_warnings(state.spec, checkpoint),
        "created_at": datetime.fromtimestamp(state.created_at, UTC).isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
    }


def known_secrets() -> list[str]:
    """Values that must never appear in a report: every backend's secrets (its token …),
    the S3 secret key, the webhook's signing key."""
    candidates = [os.environ.get(S3_SECRET_VARIABLE), get_settings().webhook_secret]
    for name in backend_names():
        plugin = get_plugin(name)
        candidates.extend(plugin.secrets(plugin.read_settings()))
    return [secret for secret in candidates if secret]


def render_report(report: dict[str, Any]) -> bytes:
    cleaned = redact(report, known_secrets())
    return json.dumps(cleaned, indent=2, ensure_ascii=False, default=str).encode() + b"\n"
