"""``status --json``: a batch's jobs, or the recent batches, as one JSON document for scripts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from worker.job.states import JobState


def _time(timestamp: float) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def job_json(state: JobState) -> dict[str, Any]:
    progress = state.progress
    return {
        "job_id": state.spec.id,
        "status": state.status.value,
        "stage": state.stage.value if state.stage else None,
        "error": state.error,
        "error_file": state.error_file,
        "parked_reason": state.parked_reason,
        "out": state.out,
        "created_at": _time(state.created_at),
        "updated_at": _time(state.updated_at),
        "seconds": state.timings,
        "attempts": state.attempts,
        "progress": {
            "stage": progress.stage,
            "done": progress.done,
            "total": progress.total,
            "percent": round(progress.percent, 1) if progress.total else None,
            "eta_seconds": round(progress.eta_seconds, 1)
            if progress.eta_seconds is not None
            else None,
            "note": progress.note or None,
        }
        if progress
        else None,
    }


def counts(states: list[JobState]) -> dict[str, int]:
    return dict(Counter(state.status.value for state in states))


def batch_json(batch: str, states: list[JobState]) -> dict[str, Any]:
    return {
        "batch": batch,
        "source": "redis",
        "counts": counts(states),
        "jobs": [job_json(state) for state in states],
    }


def archived_batch_json(summary: dict[str, Any]) -> dict[str, Any]:
    """A batch Redis no longer holds, from its summary in the bucket."""
    return {**summary, "source": "bucket"}


def batches_json(batches: list[tuple[str, datetime, list[JobState]]]) -> list[dict[str, Any]]:
    return [
        {
            "batch": batch,
            "created_at": created.isoformat(timespec="seconds"),
            "jobs": len(states),
            "counts": counts(states),
        }
        for batch, created, states in batches
    ]
