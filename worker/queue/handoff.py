"""Handing a job to its next stage: one Celery message, on the queue of the job's backend."""

from __future__ import annotations

from kombu import Producer

from worker.job.spec import JobSpec
from worker.job.states import Stage
from worker.queue.app import app, queue_for


def stage_task_name(stage: Stage) -> str:
    return f"photoreel.{stage}"


def enqueue_stage(
    spec: JobSpec, stage: Stage, *, countdown: float = 0, producer: Producer | None = None
) -> None:
    """Queue the job's stage; later stages first (with Redis, priority 0 is served first)."""
    app.send_task(
        stage_task_name(stage),
        args=[spec.id],
        countdown=countdown,
        queue=queue_for(spec.options.backend),
        priority=len(Stage) - 1 - stage.index,
        producer=producer,
    )


def submit(specs: list[JobSpec]) -> None:
    """Start recorded jobs at their first stage, their messages sent by one producer (one
    broker connection, not one taken from the pool per message)."""
    if not specs:
        return
    with app.producer_or_acquire() as producer:
        for spec in specs:
            enqueue_stage(spec, Stage.SESSION, producer=producer)
