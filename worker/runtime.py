"""What a worker process holds for the stages it runs: its id, the job store, each backend's
shared limits, and the scratch folder of a job on this machine."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from functools import cache
from pathlib import Path

from config.settings import get_settings
from worker.app import app
from worker.backends import get_plugin
from worker.backends.base import StageContext
from worker.checkpoint import checked_record, read_checkpoint
from worker.handoff import enqueue_stage
from worker.inputs import WEB_SCHEMES, local_input, local_spec
from worker.jobs import Claim, JobState, JobStatus, JobStore
from worker.limits import CreditBreaker, SharedLimits, credit_breaker
from worker.redis_outage import retrying_client
from worker.stage_progress import note_reporter, throttled_reporter

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


def wake_waiting_job(job_id: str) -> None:
    """A session slot was freed: queue the stage of the job first in line for one."""
    state = job_store().get(job_id)
    if state is not None and state.status == JobStatus.QUEUED and state.stage is not None:
        enqueue_stage(state.spec, state.stage)


def scratch_root() -> Path:
    """Where jobs' scratch folders are made: ``PHOTOREEL_SCRATCH_DIR``, else the temp folder."""
    return get_settings().scratch_dir or Path(tempfile.gettempdir()) / "photoreel-jobs"


def scratch_folder(state: JobState) -> Path:
    """The job's scratch folder, named after its id and its record's token: two runs of one
    job (two Redis servers, or the job made again) never share one."""
    return scratch_root() / f"{state.spec.id}-{state.scratch}"


def remove_scratch(states: list[JobState]) -> None:
    """Remove the scratch folders of jobs that will go no further (their Redis is gone)."""
    for state in states:
        shutil.rmtree(scratch_folder(state), ignore_errors=True)


def job_workdir(state: JobState) -> Path:
    workdir = scratch_folder(state)
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def stage_context(state: JobState, claim: Claim, store: JobStore) -> StageContext:
    """The job as this machine sees it: inputs staged in the bucket are fetched to scratch;
    its checkpoint is validated as its backend's, and so is every fact it records."""
    job_id = state.spec.id
    workdir = job_workdir(state)
    plugin = get_plugin(state.spec.options.backend)
    facts = store.checkpoint(job_id)
    read_checkpoint(plugin.checkpoint, facts)
    return StageContext(
        spec=local_spec(state.spec, workdir),
        workdir=workdir,
        photos=[
            local_input(photo, workdir)
            for photo in state.spec.photos
            if not photo.startswith(WEB_SCHEMES)
        ],
        checkpoint=facts,
        record=checked_record(plugin.checkpoint, claim.record),
        settings=get_settings(),
        limits=shared_limits(state.spec.options.backend),
        backend_settings=plugin.read_settings(),
        progress=throttled_reporter(claim.stage, claim.report_progress),
        say=note_reporter(claim.stage, claim.report_progress),
    )
