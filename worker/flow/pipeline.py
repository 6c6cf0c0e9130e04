"""How one delivery of a stage moves its job: claim it, run it, record how it went, hand the
job on. Read top-down: ``advance`` is the whole state machine.

A job: ``session`` → ``upload`` → ``generate`` → ``complete`` → ``export`` → ``download`` (all
done by the job's backend) → ``publish`` (video, poster, report to the bucket).

Delivery is at least once, so every stage may run twice: the claim (``worker.job.store``) drops
duplicates, fences out stale workers and bounds the attempts; stages resume from checkpoints.
Each stage may run on another machine than the one before: what it needs of earlier stages is
in Redis (the checkpoint) or the bucket (inputs, and the files stages keep:
``worker.files.work_area``); the job's scratch folder on this machine (``worker.files.scratch``)
is only a cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from config.logging import bind_job, get_logger
from config.settings import get_settings
from worker.backends import get_backend, get_plugin
from worker.backends.base import Backend, StageContext
from worker.files.scratch import folder_in_use, scratch_folder
from worker.flow.runtime import (
    WORKER_ID,
    job_store,
    shared_limits,
    stage_context,
    worker_stopping,
)
from worker.job.errors import JobFailed, JobParked, OutputTaken, TransientError, WaitingForSlot
from worker.job.states import ClaimOutcome, JobStatus, Stage, StaleClaim
from worker.job.store import Claim, JobStore
from worker.outputs.publish import Published, end_without_report, publish, write_report
from worker.queue.handoff import enqueue_stage

log = get_logger(__name__)


def advance(job_id: str, stage: Stage) -> None:
    """Run one delivery of ``stage``; then, in the same task, each following stage the job's
    backend keeps on this machine (``BackendPlugin.stays_on_machine``)."""
    here: Stage | None = stage
    while here is not None:
        with bind_job(job_id, stage=str(here)):
            here = run_stage(job_id, here)


def run_stage(job_id: str, stage: Stage) -> Stage | None:
    """Claim, run and record one stage; hand the job on. Returns the next stage when it is to
    run at once, here."""
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
        return None
    state = store.get(job_id)
    assert state is not None
    backend = state.spec.options.backend
    published: Published | None = None
    started = time.monotonic()
    log.info("stage started", attempt=claim.attempt, epoch=claim.epoch, worker=WORKER_ID)
    try:
        with (
            lease_kept_alive(claim, settings.lease_seconds),
            folder_in_use(scratch_folder(state)) as workdir,
        ):
            ctx = stage_context(state, claim, store, workdir)
            if stage == Stage.PUBLISH:
                published = publish(state, ctx, get_plugin(backend).makes_video)
            else:
                run_backend_stage(get_backend(backend), stage, ctx)
    except StaleClaim:
        log.warning("stage superseded by another worker; dropping this run")
    except WaitingForSlot as waiting:
        claim.retry_later(str(waiting), counts_as_attempt=False)
        if claim.cancelled:
            stopped_cancelled(job_id, store)
            return None
        limits = shared_limits(backend)
        assert limits is not None, f"backend {backend} waits for a slot but has no limits"
        limits.wait_for_session(job_id)
    except JobParked as parked:
        claim.park(str(parked))
        if claim.cancelled:
            stopped_cancelled(job_id, store)
            return None
        log.warning("job parked", reason=str(parked))
    except TransientError as error:
        retry_in = error.retry_after or 2.0**claim.attempt
        claim.retry_later(str(error), retry_in=retry_in)
        if claim.cancelled:
            stopped_cancelled(job_id, store)
            return None
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
        if claim.cancelled:
            stopped_cancelled(job_id, store)
        elif stage.next is None:
            log.info("job succeeded")
            write_report(job_id, store, published)
        elif str(stage.next) in get_plugin(backend).stays_on_machine and not worker_stopping():
            return stage.next
        else:
            enqueue_stage(state.spec, stage.next)
    return None


def stopped_cancelled(job_id: str, store: JobStore) -> None:
    """The job's batch was cancelled while its stage ran: it stops here, with its report."""
    log.warning("job cancelled")
    write_report(job_id, store)


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
        ctx.record("output_file", ctx.work.keep(backend.download(ctx)))


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
