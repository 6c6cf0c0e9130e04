"""One Celery task per stage: each runs one delivery of its stage through the pipeline, with
the job's id bound to every log line."""

from __future__ import annotations

from celery import Task

from config.logging import bind_job
from worker.app import app
from worker.handoff import stage_task_name
from worker.jobs import Stage
from worker.pipeline import advance


def _stage_task(stage: Stage) -> Task:
    def run(job_id: str) -> None:
        with bind_job(job_id, stage=str(stage)):
            advance(job_id, stage)

    run.__name__ = f"run_{stage}"
    return app.task(name=stage_task_name(stage))(run)


STAGE_TASKS: dict[Stage, Task] = {stage: _stage_task(stage) for stage in Stage}
