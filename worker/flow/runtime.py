"""What a worker process holds for the stages it runs: its id, the job store, each backend's
shared limits, and a job as a stage on this machine sees it."""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

from celery import current_task

from config.settings import get_settings
from worker.backends import get_plugin
from worker.backends.base import StageContext
from worker.files.inputs import local_photos, local_spec
from worker.files.work_area import work_area
from worker.job import keys
from worker.job.checkpoint import checked_record, read_checkpoint
from worker.job.limits import CreditBreaker, SharedLimits, credit_breaker
from worker.job.progress import note_reporter, throttled_reporter
from worker.job.redis_outage import retrying_client
from worker.job.states import JobState, JobStatus
from worker.job.store import Claim, JobStore
from worker.queue.app import app, pool_processes
from worker.queue.handoff import enqueue_stage

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def job_store() -> JobStore:
    return _job_store(app.conf.broker_url)


@cache
def _job_store(redis_url: str) -> JobStore:
    return JobStore(retrying_client(redis_url))


def shared_limits(backend: str) -> SharedLimits | None:
    """The limits every worker's calls to ``backend`` obey; None for a backend without any."""
    return _shared_limits(app.conf.broker_url, backend)


@cache
def _shared_limits(redis_url: str, backend: str) -> SharedLimits | None:
    limits = get_plugin(backend).limits(get_plugin(backend).read_settings())
    if limits is None:
        return None
    return SharedLimits(
        _job_store(redis_url).redis,
        backend,
        max_sessions=limits.max_sessions,
        calls_per_second=limits.calls_per_second,
        wake=wake_waiting_job,
    )


def credits() -> CreditBreaker:
    return credit_breaker(job_store().redis)


def worker_stopping() -> bool:
    """Whether the worker running this task shuts down (its main process says so in Redis: a
    pool process cannot tell otherwise)."""
    request = current_task.request if current_task else None
    node = getattr(request, "hostname", None)
    return bool(node) and bool(job_store().redis.exists(keys.worker_stopping(node)))


def renders_on_machine() -> int:
    """How many renders share this machine's cores: as the run that started this worker
    says (one single-process worker per render), else this worker's pool processes."""
    request = current_task.request if current_task else None
    node = getattr(request, "hostname", None)
    told = job_store().redis.get(keys.machine_renders(node)) if node else None
    return int(told) if told else pool_processes()


def wake_waiting_job(job_id: str) -> None:
    """A session slot was freed: queue the stage of the job first in line for one."""
    state = job_store().get(job_id)
    if state is not None and state.status == JobStatus.QUEUED and state.stage is not None:
        enqueue_stage(state.spec, state.stage)


def stage_context(state: JobState, claim: Claim, store: JobStore, workdir: Path) -> StageContext:
    """The job as this machine sees it: inputs are fetched to ``workdir`` (its scratch
    folder) when first used; its checkpoint is validated as its backend's, and so is every
    fact it records."""
    job_id = state.spec.id
    plugin = get_plugin(state.spec.options.backend)
    facts = store.checkpoint(job_id)
    read_checkpoint(plugin.checkpoint, facts)
    return StageContext(
        spec=local_spec(state.spec, workdir),
        workdir=workdir,
        photos=local_photos(state.spec, workdir, keep_urls=plugin.takes_urls),
        checkpoint=facts,
        record=checked_record(plugin.checkpoint, claim.record),
        settings=get_settings(),
        limits=shared_limits(state.spec.options.backend),
        backend_settings=plugin.read_settings(),
        progress=throttled_reporter(claim.stage, claim.report_progress),
        say=note_reporter(claim.stage, claim.report_progress),
        pool_processes=renders_on_machine(),
        work_area=work_area(state, workdir),
    )
