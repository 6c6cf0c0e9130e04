"""Handing a job to its next stage: one Celery message, on the queue of the job's backend."""

from __future__ import annotations

from worker.app import app, queue_for
from worker.jobs import Stage
from worker.spec import JobSpec


def stage_task_name(stage: Stage) -> str:
    return f"photoreel.{stage}"


def enqueue_stage(spec: JobSpec, stage: Stage, *, countdown: float = 0) -> None:
    """Queue the job's stage; later stages first (with Redis, priority 0 is served first)."""
    app.send_task(
        stage_task_name(stage),
        args=[spec.id],
        countdown=countdown,
        queue=queue_for(spec.options.backend),
        priority=len(Stage) - 1 - stage.index,
    )


def submit(spec: JobSpec) -> None:
    """Start a recorded job at its first stage."""
    enqueue_stage(spec, Stage.SESSION)
