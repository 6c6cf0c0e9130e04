"""Jobs left without a worker are resumed; parked jobs resume once credits are back, and a
parked job missing from the parked list is listed again.

Every worker runs the loop; one at a time (whoever takes the Redis lock) does a pass. The
balance of a paid backend is asked only by a worker that consumes that backend's queue: the one
whose client (and account) pays, under a lock of its own. And every worker sweeps its own
machine's scratch folders (``worker.files.scratch``) on each turn of the loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

from redis.exceptions import RedisError

from config.logging import get_logger
from config.settings import get_settings
from worker.backends import backend_names, get_backend, get_plugin
from worker.files.scratch import scratch_root, sweep
from worker.flow.runtime import WORKER_ID, credits, job_store, shared_limits
from worker.job import keys
from worker.job.states import JobStatus
from worker.job.store import JobStore
from worker.queue.app import queue_of_pool
from worker.queue.handoff import enqueue_stage

log = get_logger(__name__)


def reconcile(store: JobStore, *, lease_seconds: float, requeue_seconds: float) -> list[str]:
    """Resume jobs left without a worker; return their ids. The active jobs and their
    leases are read in pipelined round trips, however many there are.

    - running, but its lease expired: its worker died (SIGKILL, OOM, a lost machine);
    - queued, and due longer than ``requeue_seconds`` ago: its message may have been lost
      with a worker that had prefetched it (Redis would give it back only after the long
      visibility timeout). A duplicate message is harmless: the claim drops it.
    """
    resumed: list[str] = []
    now = time.time()
    job_ids = store.active_jobs()
    states = {state.spec.id: state for state in store.get_many(job_ids)}
    leased = store.live_leases(job_ids)
    for job_id in job_ids:
        state = states.get(job_id)
        if state is None or state.status.finished:
            store.forget_finished(job_id)
            continue
        if state.stage is None or job_id in leased:
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
    credits().reset()
    unparked = store.unpark_all()
    for state in unparked:
        assert state.stage is not None
        enqueue_stage(state.spec, state.stage)
    return len(unparked)


def paid_backends_served(consumed: Collection[str]) -> list[str]:
    """The paid backends whose queue is among ``consumed`` (the queues of this worker)."""
    return [
        name
        for name in backend_names()
        if get_plugin(name).credit_check is not None
        and queue_of_pool(get_plugin(name).pool) in consumed
    ]


def resume_after_top_up(store: JobStore, consumed: Collection[str]) -> bool:
    """While the credit breaker is open, ask each paid backend served here whether its balance
    covers a job again; resume the parked jobs once one does. True when they were resumed."""
    if credits().reason() is None:
        return False
    for name in paid_backends_served(consumed):
        plugin = get_plugin(name)
        check = plugin.credit_check
        assert check is not None
        if check(get_backend(name), plugin.read_settings(), shared_limits(name)):
            log.info("credits topped up; resuming parked jobs", backend=name)
            resume_parked(store)
            return True
    return False


def reconcile_pass(store: JobStore) -> None:
    settings = get_settings()
    reconcile(store, lease_seconds=settings.lease_seconds, requeue_seconds=settings.requeue_seconds)
    if repaired := store.repair_parked():
        log.warning("parked jobs listed again", job_ids=repaired)


def run_reconciler(stop: threading.Event, consumed: Collection[str]) -> None:
    """Every few seconds one worker (whoever takes the lock) resumes orphaned jobs, and one of
    the workers consuming a paid backend's queue checks whether its credits are back."""
    interval = get_settings().reconcile_seconds
    checks_credits = bool(paid_backends_served(consumed))
    while not stop.wait(interval):
        store = job_store()
        try:
            lease = int(interval * 1000)
            if store.redis.set(keys.RECONCILER_LOCK, WORKER_ID, nx=True, px=lease):
                reconcile_pass(store)
            if checks_credits and store.redis.set(
                keys.CREDIT_CHECK_LOCK, WORKER_ID, nx=True, px=lease
            ):
                resume_after_top_up(store, consumed)
            sweep(scratch_root(), store.scratch_tokens, get_settings().scratch_max_bytes)
        except RedisError as error:
            log.warning("reconciler could not reach redis", error=str(error))
        except Exception as error:  # a failed balance check must not stop the reconciler
            log.warning("reconciler pass failed", error=f"{type(error).__name__}: {error}")
