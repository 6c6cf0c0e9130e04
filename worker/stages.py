"""One Celery task per stage. Each claims its job, runs its stage, records how it went, and
hands the job to the next stage. A job that fails says why and which file; the others go on.

A job, top-down: ``session`` → ``upload`` → ``generate`` → ``complete`` → ``export`` →
``download`` (all done by the job's backend) → ``publish`` (video, poster, report to the bucket).

Delivery is at least once, so every task may run twice: the claim (``worker.jobs``) drops
duplicates, fences out stale workers and bounds the attempts; stages resume from checkpoints.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from celery import Task
from celery.signals import worker_process_init, worker_ready
from redis import Redis
from redis.exceptions import RedisError

from config.logging import bind_job, get_logger
from config.settings import get_settings
from worker import keys
from worker.app import app, queue_for
from worker.backends import get_backend
from worker.backends.base import Backend, StageContext
from worker.bucket import Bucket, open_bucket
from worker.errors import JobFailed, JobParked, OutputTaken, TransientError, WaitingForSlot
from worker.inputs import WEB_SCHEMES, describe_inputs, local_input, local_spec
from worker.jobs import Claim, ClaimOutcome, JobState, JobStatus, JobStore, Stage, StaleClaim
from worker.limits import SharedLimits
from worker.output_claim import claim_output, release_output
from worker.probe import VideoProbe, extract_poster, probe_video
from worker.report import build_report, render_report, report_key
from worker.spec import BackendName, JobSpec
from worker.summary import write_batch_summary

log = get_logger(__name__)
POSTER_AT = 0.3
"""Where in the video the poster frame is taken, as a fraction of its duration."""
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def job_store() -> JobStore:
    return _job_store(app.conf.broker_url)


@cache
def _job_store(redis_url: str) -> JobStore:
    return JobStore(Redis.from_url(redis_url, health_check_interval=10, retry_on_timeout=True))


def shared_limits() -> SharedLimits:
    return _shared_limits(app.conf.broker_url)


@cache
def _shared_limits(redis_url: str) -> SharedLimits:
    settings = get_settings()
    return SharedLimits(
        _job_store(redis_url).redis,
        max_sessions=settings.nemo_max_sessions,
        calls_per_second=settings.nemo_calls_per_second,
        wake=wake_waiting_job,
    )


def wake_waiting_job(job_id: str) -> None:
    """A session slot was freed: queue the stage of the job first in line for one."""
    state = job_store().get(job_id)
    if state is not None and state.status == JobStatus.QUEUED and state.stage is not None:
        enqueue_stage(state.spec, state.stage)


def scratch_folder(state: JobState) -> Path:
    """The job's scratch folder, named after its id and its record's token: two runs of one
    job (two Redis servers, or the job made again) never share one."""
    root = get_settings().scratch_dir or Path(tempfile.gettempdir()) / "photoreel-jobs"
    return root / f"{state.spec.id}-{state.scratch}"


def remove_scratch(states: list[JobState]) -> None:
    """Remove the scratch folders of jobs that will go no further (their Redis is gone)."""
    for state in states:
        shutil.rmtree(scratch_folder(state), ignore_errors=True)


def job_workdir(state: JobState) -> Path:
    workdir = scratch_folder(state)
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def stage_context(state: JobState, claim: Claim, store: JobStore) -> StageContext:
    """The job as this machine sees it: inputs staged in the bucket are fetched to scratch."""
    job_id = state.spec.id
    workdir = job_workdir(state)
    return StageContext(
        spec=local_spec(state.spec, workdir),
        workdir=workdir,
        photos=[
            local_input(photo, workdir)
            for photo in state.spec.photos
            if not photo.startswith(WEB_SCHEMES)
        ],
        checkpoint=store.checkpoint(job_id),
        record=claim.record,
        settings=get_settings(),
        limits=shared_limits(),
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


@dataclass
class Published:
    outputs: dict[str, str]
    """Each output's role (video, poster) → its key in the bucket."""
    probe: VideoProbe


def publish(state: JobState, ctx: StageContext) -> Published:
    """Write video and poster; return what the report needs about them. Raises OutputTaken
    when another run has made the job's output or is publishing it."""
    video = ctx.workdir / ctx.checkpoint["video_file"]
    probe = probe_video(video)
    poster = ctx.workdir / "poster.jpg"
    extract_poster(video, poster, at_seconds=probe.duration * POSTER_AT)
    bucket = open_bucket(state.out)
    claim_output(bucket, state, stale_after=ctx.settings.stage_time_limit)
    job_id = state.spec.id
    outputs = {"video": f"{job_id}/video{video.suffix}", "poster": f"{job_id}/poster.jpg"}
    bucket.put_file(outputs["video"], video)
    bucket.put_file(outputs["poster"], poster)
    return Published(outputs=outputs, probe=probe)


def write_report(job_id: str, store: JobStore, published: Published | None = None) -> None:
    """The report goes last: its presence in the bucket says the job is finished. Then the
    batch's summary, if this was the batch's last report."""
    state = store.get(job_id)
    if state is None:
        return
    workdir = job_workdir(state)
    bucket = open_bucket(state.out)
    report = build_report(
        state,
        store.checkpoint(job_id),
        inputs=describe_inputs(state.spec, workdir),
        bucket=bucket.url,
        outputs=published.outputs if published else None,
        probe=published.probe if published else None,
    )
    bucket.put_bytes(report_key(job_id), render_report(report))
    release_output(bucket, state)
    store.forget_finished(job_id)
    shutil.rmtree(workdir, ignore_errors=True)
    summarize_batch_if_done(state, store, bucket)


def end_without_report(state: JobState, store: JobStore) -> None:
    """A job whose output belongs to another run: its report is not written (it would
    replace the other run's); only its scratch folder goes."""
    store.forget_finished(state.spec.id)
    shutil.rmtree(scratch_folder(state), ignore_errors=True)


def summarize_batch_if_done(state: JobState, store: JobStore, bucket: Bucket) -> None:
    """Every job writes its report after Redis says it finished, so the job whose report is
    the batch's last finds them all (two finding them at once write the same summary)."""
    batch = store.batch_jobs(state.batch)
    if not all(job.status.finished for job in batch):
        return
    statuses = {job.spec.id: job.status for job in batch}
    try:
        if write_batch_summary(bucket, state.batch, statuses, require_every_report=True):
            log.info("batch summary written", batch=state.batch)
    except OSError as error:  # the job is done all the same; the summary is rebuilt from reports
        log.warning("batch summary not written", batch=state.batch, error=str(error))


def enqueue_stage(spec: JobSpec, stage: Stage, *, countdown: float = 0) -> None:
    """Queue the job's stage; later stages first (with Redis, priority 0 is served first)."""
    STAGE_TASKS[stage].apply_async(
        args=[spec.id],
        countdown=countdown,
        queue=queue_for(spec.options.backend),
        priority=len(Stage) - 1 - stage.index,
    )


@contextmanager
def lease_kept_alive(claim: Claim, lease_seconds: float) -> Iterator[None]:
    """Renew the claim's lease in the background while the stage works."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds / 3):
            if not claim.renew(lease_seconds):
                log.warning("lease lost to another worker")
                return

    keeper = threading.Thread(target=renew, name=f"lease-{claim.job_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def advance(job_id: str, stage: Stage) -> None:
    settings = get_settings()
    store = job_store()
    outcome, claim = store.claim(
        job_id,
        stage,
        owner=WORKER_ID,
        lease_seconds=settings.lease_seconds,
        max_attempts=settings.max_attempts,
    )
    if claim is None:
        handle_unclaimed(job_id, stage, outcome, store)
        return
    state = store.get(job_id)
    assert state is not None
    published: Published | None = None
    started = time.monotonic()
    log.info("stage started", attempt=claim.attempt, epoch=claim.epoch)
    try:
        with lease_kept_alive(claim, settings.lease_seconds):
            ctx = stage_context(state, claim, store)
            if stage == Stage.PUBLISH:
                published = publish(state, ctx)
            else:
                run_backend_stage(get_backend(state.spec.options.backend), stage, ctx)
    except StaleClaim:
        log.warning("stage superseded by another worker; dropping this run")
    except WaitingForSlot as waiting:
        claim.retry_later(str(waiting), counts_as_attempt=False)
        shared_limits().wait_for_session(job_id)
    except JobParked as parked:
        claim.park(str(parked))
        log.warning("job parked", reason=str(parked))
    except TransientError as error:
        retry_in = error.retry_after or 2.0**claim.attempt
        claim.retry_later(str(error), retry_in=retry_in)
        log.warning("stage will be retried", error=str(error), attempt=claim.attempt)
        enqueue_stage(state.spec, stage, countdown=retry_in)
    except OutputTaken as taken:
        claim.fail(taken.message)
        log.error("output left to another run", error=taken.message)
        end_without_report(state, store)
    except JobFailed as failure:
        claim.fail(failure.message, file=failure.file)
        log.error("job failed", error=failure.message, file=failure.file)
        write_report(job_id, store)
    except RedisError as error:
        # The job's state cannot be written now: leave it running; its lease runs out and the
        # reconciler resumes it from its checkpoint once Redis is back.
        log.warning("lost Redis during the stage; it will be resumed", error=str(error))
    except Exception as error:
        log.exception("stage crashed")
        claim.fail(f"{type(error).__name__}: {error}")
        write_report(job_id, store)
    else:
        seconds = time.monotonic() - started
        claim.finish_stage(seconds)
        log.info("stage finished", seconds=round(seconds, 3))
        if stage.next is None:
            write_report(job_id, store, published)
            log.info("job succeeded")
        else:
            enqueue_stage(state.spec, stage.next)


def handle_unclaimed(job_id: str, stage: Stage, outcome: ClaimOutcome, store: JobStore) -> None:
    """A delivery that found nothing to do; make sure the job is not left without a task."""
    if outcome == ClaimOutcome.DEAD:
        log.error("job gave up", stage=str(stage))
        write_report(job_id, store)
        return
    if outcome == ClaimOutcome.PASSED:
        state = store.get(job_id)
        # The job moved on but is waiting: this may be the only message left for it (its
        # handoff was lost with a worker). A duplicate of the next stage is harmless.
        if state and state.status == JobStatus.QUEUED and state.stage is not None:
            enqueue_stage(state.spec, state.stage)
    log.info("delivery dropped", outcome=str(outcome))


def reconcile(store: JobStore, *, lease_seconds: float, requeue_seconds: float) -> list[str]:
    """Resume jobs left without a worker; return their ids.

    - running, but its lease expired: its worker died (SIGKILL, OOM, a lost machine);
    - queued, and due longer than ``requeue_seconds`` ago: its message may have been lost
      with a worker that had prefetched it (Redis would give it back only after the long
      visibility timeout). A duplicate message is harmless: the claim drops it.
    """
    resumed: list[str] = []
    now = time.time()
    for job_id in store.active_jobs():
        state = store.get(job_id)
        if state is None or state.status.finished:
            store.forget_finished(job_id)
            continue
        if state.stage is None or store.has_live_lease(job_id):
            continue
        orphaned = state.status == JobStatus.RUNNING and now - state.updated_at > lease_seconds
        overdue = state.status == JobStatus.QUEUED and now - state.due_at > requeue_seconds
        if orphaned or overdue:
            log.warning("resuming job", job_id=job_id, stage=str(state.stage), was=state.status)
            store.mark_due(job_id, now)
            enqueue_stage(state.spec, state.stage)
            resumed.append(job_id)
    return resumed


def resume_parked(store: JobStore) -> int:
    """Close the credit breaker and put every parked job back on the queue."""
    shared_limits().credits.reset()
    unparked = store.unpark_all()
    for state in unparked:
        assert state.stage is not None
        enqueue_stage(state.spec, state.stage)
    return len(unparked)


def resume_after_top_up(store: JobStore) -> None:
    """While the credit breaker is open, look at the balance; resume once it covers a job."""
    if shared_limits().credits.reason() is None:
        return
    from worker.backends.nemo.backend import GENERATION_COST, NemoBackend

    nemo = get_backend(BackendName.NEMO)
    assert isinstance(nemo, NemoBackend)
    available = nemo.available_credits(get_settings(), shared_limits())
    if available >= GENERATION_COST:
        log.info("credits topped up; resuming parked jobs", available=available)
        resume_parked(store)


def run_reconciler(stop: threading.Event) -> None:
    """Every few seconds one worker (whoever takes the lock) resumes orphaned jobs."""
    settings = get_settings()
    interval = settings.reconcile_seconds
    while not stop.wait(interval):
        store = job_store()
        try:
            if store.redis.set(keys.RECONCILER_LOCK, WORKER_ID, nx=True, px=int(interval * 1000)):
                reconcile(
                    store,
                    lease_seconds=settings.lease_seconds,
                    requeue_seconds=settings.requeue_seconds,
                )
                resume_after_top_up(store)
        except RedisError as error:
            log.warning("reconciler could not reach redis", error=str(error))
        except Exception as error:  # a failed balance check must not stop the reconciler
            log.warning("reconciler pass failed", error=f"{type(error).__name__}: {error}")


@worker_process_init.connect
def _warm_up_backends(**_: object) -> None:
    """Import the backends (numpy, OpenCV, httpx …) before the first job, not during it."""
    for backend in BackendName:
        get_backend(backend)


@worker_ready.connect
def _warm_up_main_process(**_: object) -> None:
    """The same in the main process, where a threads pool runs its stages: in the background,
    so the worker answers its broker (and ``inspect ping``) meanwhile."""
    threading.Thread(target=_warm_up_backends, name="warm-up", daemon=True).start()


@worker_ready.connect
def _start_reconciler(**_: object) -> None:
    threading.Thread(
        target=run_reconciler, args=(threading.Event(),), name="reconciler", daemon=True
    ).start()


def _stage_task(stage: Stage) -> Task:
    def run(job_id: str) -> None:
        with bind_job(job_id, stage=str(stage)):
            advance(job_id, stage)

    run.__name__ = f"run_{stage}"
    return app.task(name=f"photoreel.{stage}")(run)


STAGE_TASKS: dict[Stage, Task] = {stage: _stage_task(stage) for stage in Stage}


def submit(spec: JobSpec) -> None:
    """Start a recorded job at its first stage."""
    enqueue_stage(spec, Stage.SESSION)
