"""One Celery task per stage. Each runs its stage of one job, records how it went, and hands
the job to the next stage. A job that fails says why and which file; the others go on.

A job, top-down: ``session`` → ``upload`` → ``generate`` → ``complete`` → ``export`` →
``download`` (all done by the job's backend) → ``publish`` (video, poster, report to the bucket).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from functools import cache
from pathlib import Path

from celery import Task
from redis import Redis

from config.logging import bind_job, get_logger
from config.settings import get_settings
from worker.app import app
from worker.backends import get_backend
from worker.backends.base import Backend, StageContext
from worker.bucket import Bucket, open_bucket
from worker.errors import JobFailed, TransientError
from worker.inputs import WEB_SCHEMES, describe_inputs, local_input, local_spec
from worker.jobs import JobState, JobStatus, JobStore, Stage
from worker.probe import VideoProbe, extract_poster, probe_video
from worker.report import build_report, render_report, report_key
from worker.summary import write_batch_summary

log = get_logger(__name__)
POSTER_AT = 0.3
"""Where in the video the poster frame is taken, as a fraction of its duration."""


def job_store() -> JobStore:
    return _job_store(app.conf.broker_url)


@cache
def _job_store(redis_url: str) -> JobStore:
    return JobStore(Redis.from_url(redis_url))


def job_workdir(job_id: str) -> Path:
    root = get_settings().scratch_dir or Path(tempfile.gettempdir()) / "photoreel-jobs"
    workdir = root / job_id
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def stage_context(state: JobState, store: JobStore) -> StageContext:
    """The job as this machine sees it: inputs staged in the bucket are fetched to scratch."""
    job_id = state.spec.id
    workdir = job_workdir(job_id)
    return StageContext(
        spec=local_spec(state.spec, workdir),
        workdir=workdir,
        photos=[
            local_input(photo, workdir)
            for photo in state.spec.photos
            if not photo.startswith(WEB_SCHEMES)
        ],
        checkpoint=store.checkpoint(job_id),
        record=lambda key, value: store.record(job_id, key, value),
        settings=get_settings(),
    )


def run_backend_stage(backend: Backend, stage: Stage, ctx: StageContext) -> None:
    if stage == Stage.SESSION:
        backend.open_session(ctx)
    elif stage == Stage.UPLOAD:
        backend.upload(ctx)
    elif stage == Stage.GENERATE:
        backend.generate(ctx)
    elif stage == Stage.COMPLETE:
        backend.await_completion(ctx)
    elif stage == Stage.EXPORT:
        backend.export(ctx)
    elif stage == Stage.DOWNLOAD:
        video = backend.download(ctx)
        ctx.record("video_file", video.name)


def publish(state: JobState, ctx: StageContext, store: JobStore, *, started: float) -> None:
    """Write video and poster, then the report last: its presence marks the job finished.
    The stage's time is recorded before the report, so that the report holds it."""
    video = ctx.workdir / ctx.checkpoint["video_file"]
    probe = probe_video(video)
    poster = ctx.workdir / "poster.jpg"
    extract_poster(video, poster, at_seconds=probe.duration * POSTER_AT)
    bucket = open_bucket(state.out)
    job_id = state.spec.id
    outputs = {"video": f"{job_id}/video{video.suffix}", "poster": f"{job_id}/poster.jpg"}
    bucket.put_file(outputs["video"], video)
    bucket.put_file(outputs["poster"], poster)
    store.finish_stage(job_id, Stage.PUBLISH, time.monotonic() - started)
    published = store.get(job_id)
    assert published is not None
    succeeded = replace(published, status=JobStatus.SUCCEEDED)
    write_report(succeeded, store, bucket, ctx.workdir, outputs=outputs, probe=probe)
    store.finish(job_id)
    summarize_batch_if_done(succeeded, store, bucket)


def write_report(
    state: JobState,
    store: JobStore,
    bucket: Bucket,
    workdir: Path,
    *,
    outputs: dict[str, str] | None = None,
    probe: VideoProbe | None = None,
) -> None:
    """The job's report.json, written before Redis says the job is finished: whoever sees it
    finished (``run``, the worker closing the batch) finds its report."""
    report = build_report(
        state,
        store.checkpoint(state.spec.id),
        inputs=describe_inputs(state.spec, workdir),
        bucket=bucket.url,
        outputs=outputs,
        probe=probe,
    )
    bucket.put_bytes(report_key(state.spec.id), render_report(report))


def summarize_batch_if_done(state: JobState, store: JobStore, bucket: Bucket) -> None:
    batch = store.batch_jobs(state.batch)
    if not all(job.status.finished for job in batch):
        return
    job_ids = [job.spec.id for job in batch]
    if write_batch_summary(bucket, state.batch, job_ids, require_every_report=True):
        log.info("batch summary written", batch=state.batch)


def fail_job(job_id: str, store: JobStore, message: str, *, file: str | None = None) -> None:
    log.error("job failed", error=message, file=file)
    state = store.get(job_id)
    if state is None:
        store.fail(job_id, message, file=file)
        return
    failed = replace(state, status=JobStatus.FAILED, error=message, error_file=file)
    bucket = open_bucket(state.out)
    try:
        write_report(failed, store, bucket, job_workdir(job_id))
    finally:
        store.fail(job_id, message, file=file)
        shutil.rmtree(job_workdir(job_id), ignore_errors=True)
    summarize_batch_if_done(failed, store, bucket)


def enqueue_stage(job_id: str, stage: Stage, *, countdown: float = 0) -> None:
    STAGE_TASKS[stage].apply_async(args=[job_id], countdown=countdown)


def advance(job_id: str, stage: Stage) -> None:
    store = job_store()
    state = store.get(job_id)
    if state is None or state.status.finished:
        return
    if state.stage is not None and list(Stage).index(state.stage) > list(Stage).index(stage):
        return  # a duplicate delivery of a stage this job has already passed
    attempt = store.start_stage(job_id, stage)
    started = time.monotonic()
    log.info("stage started", attempt=attempt)
    try:
        ctx = stage_context(state, store)
        if stage == Stage.PUBLISH:
            publish(state, ctx, store, started=started)
        else:
            run_backend_stage(get_backend(state.spec.options.backend), stage, ctx)
            store.finish_stage(job_id, stage, time.monotonic() - started)
    except JobFailed as failure:
        fail_job(job_id, store, failure.message, file=failure.file)
        return
    except TransientError as error:
        if attempt >= get_settings().max_attempts:
            fail_job(job_id, store, f"gave up after {attempt} attempts: {error}")
            return
        log.warning("stage will be retried", error=str(error), attempt=attempt)
        enqueue_stage(job_id, stage, countdown=error.retry_after or 2.0**attempt)
        return
    except Exception as error:
        log.exception("stage crashed")
        fail_job(job_id, store, f"{type(error).__name__}: {error}")
        return
    log.info("stage finished", seconds=round(time.monotonic() - started, 3))
    if stage.next is None:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
        log.info("job succeeded")
    else:
        enqueue_stage(job_id, stage.next)


def _stage_task(stage: Stage) -> Task:
    def run(job_id: str) -> None:
        with bind_job(job_id, stage=str(stage)):
            advance(job_id, stage)

    run.__name__ = f"run_{stage}"
    return app.task(name=f"photoreel.{stage}")(run)


STAGE_TASKS: dict[Stage, Task] = {stage: _stage_task(stage) for stage in Stage}


def submit(job_id: str) -> None:
    """Start a recorded job at its first stage."""
    enqueue_stage(job_id, Stage.SESSION)
