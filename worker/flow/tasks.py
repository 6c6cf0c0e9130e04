"""One Celery task per stage: each runs one delivery of its stage through the pipeline (which
binds the job's id and stage to every log line). And the batch webhook's delivery, retried
with backoff."""

from __future__ import annotations

from celery import Task

from config.logging import get_logger
from config.settings import get_settings
from worker.flow.pipeline import advance
from worker.job.states import Stage
from worker.outputs.webhook import TASK_NAME, DeliveryFailed, backoff, post
from worker.queue.app import app
from worker.queue.handoff import stage_task_name

log = get_logger(__name__)


def _stage_task(stage: Stage) -> Task:
    def run(job_id: str) -> None:
        advance(job_id, stage)

    run.__name__ = f"run_{stage}"
    return app.task(name=stage_task_name(stage))(run)


STAGE_TASKS: dict[Stage, Task] = {stage: _stage_task(stage) for stage in Stage}


@app.task(name=TASK_NAME, bind=True)
def deliver_webhook(self: Task, batch: str, body: str) -> None:
    settings = get_settings()
    if not settings.webhook_url or not settings.webhook_secret:
        log.warning("webhook not configured on this worker; dropped", batch=batch)
        return
    attempt = self.request.retries + 1
    try:
        post(settings.webhook_url, settings.webhook_secret, batch, body.encode())
    except DeliveryFailed as failure:
        if failure.retry and attempt < settings.webhook_attempts:
            wait = backoff(settings, self.request.retries)
            log.warning(
                "webhook not delivered; retrying",
                batch=batch,
                error=str(failure),
                attempt=attempt,
                retry_in=wait,
            )
            raise self.retry(countdown=wait, max_retries=settings.webhook_attempts) from None
        log.error("webhook given up", batch=batch, error=str(failure), attempt=attempt)
        return
    log.info("webhook delivered", batch=batch, attempt=attempt)
