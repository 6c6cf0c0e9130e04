"""report.json: what was asked, what was made, how long it took and, if it failed, why.

The report is the last object written for a job: its presence says the job is finished.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from worker.draft import Draft, timeline_summary
from worker.jobs import JobState
from worker.probe import VideoProbe

REPORT_SCHEMA = "photoreel.report/1"
TIMELINE_KEYS = ("draft",)


def _timeline(checkpoint: dict[str, Any]) -> dict[str, Any] | None:
    if "draft" not in checkpoint:
        return None
    draft = Draft.model_validate(checkpoint["draft"])
    return {"summary": timeline_summary(draft), "draft": draft.model_dump()}


def build_report(
    state: JobState,
    checkpoint: dict[str, Any],
    *,
    outputs: dict[str, str] | None = None,
    probe: VideoProbe | None = None,
) -> dict[str, Any]:
    backend_facts = {key: value for key, value in checkpoint.items() if key not in TIMELINE_KEYS}
    error = None
    if state.error:
        error = {"message": state.error, "file": state.error_file, "stage": state.stage}
    return {
        "schema": REPORT_SCHEMA,
        "job_id": state.spec.id,
        "batch": state.batch,
        "status": state.status,
        "spec": state.spec.model_dump(mode="json"),
        "backend": {"name": state.spec.options.backend, **backend_facts},
        "timeline": _timeline(checkpoint),
        "stages": {"seconds": state.timings, "last": state.stage},
        "output": {"files": outputs or {}, "probe": probe.model_dump() if probe else None},
        "error": error,
        "created_at": datetime.fromtimestamp(state.created_at, UTC).isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
    }


def render_report(report: dict[str, Any]) -> bytes:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str).encode() + b"\n"
