"""Every Redis key photoreel uses, in one place."""

from __future__ import annotations

PREFIX = "photoreel"


def job(job_id: str) -> str:
    """Hash: out, batch, status, stage, error, error_file, attempts, timestamps (the spec is
    at ``job_spec``)."""
    return f"{PREFIX}:job:{job_id}"


def is_job_key(key: str) -> bool:
    """The job hash itself, not one of its companions (timings, checkpoint)."""
    return key.startswith(job("")) and ":" not in key.removeprefix(job(""))


def job_id_of(key: str) -> str:
    return key.removeprefix(job(""))


def job_spec(job_id: str) -> str:
    """String: the job's spec (JSON). Kept apart from the job's hash so that the hash holds
    only short values and Redis stores it compactly (a listpack)."""
    return f"{PREFIX}:job:{job_id}:spec"


def job_timings(job_id: str) -> str:
    """Hash: stage name → seconds it took."""
    return f"{PREFIX}:job:{job_id}:timings"


def job_checkpoint(job_id: str) -> str:
    """Hash: fact name → JSON value, recorded by stages before the side effect needing it."""
    return f"{PREFIX}:job:{job_id}:checkpoint"


def job_log(job_id: str) -> str:
    """List of the job's JSON log lines, until they are written to the bucket."""
    return f"{PREFIX}:job:{job_id}:log"


def batch(batch_id: str) -> str:
    """Sorted set of the batch's job ids, scored by enqueue time."""
    return f"{PREFIX}:batch:{batch_id}"


def inbox_claim(folder_digest: str) -> str:
    """String: the job id an inbox folder (path + files' names, sizes, mtimes) was given.

    Set with NX, so each folder becomes one job whatever the events and restarts."""
    return f"{PREFIX}:inbox:claim:{folder_digest}"


def batch_notified(batch_id: str) -> str:
    """String set (NX) by the worker that queued the batch's webhook: one delivery per batch."""
    return f"{PREFIX}:batch:{batch_id}:notified"


BATCHES = f"{PREFIX}:batches"
"""Sorted set of batch ids, scored by creation time."""


def job_lease(job_id: str) -> str:
    """String holding the owning claim's epoch; expires unless its worker keeps renewing it."""
    return f"{PREFIX}:job:{job_id}:lease"


ACTIVE_JOBS = f"{PREFIX}:jobs:active"
"""Set of the ids of jobs not yet finished: what the reconciler looks at."""


def worker_stopping(node: str) -> str:
    """Exists while the worker ``node`` shuts down: its pool processes hand jobs on rather
    than run a job's next stage themselves."""
    return f"{PREFIX}:worker:{node}:stopping"


def machine_renders(node: str) -> str:
    """How many renders share the machine of the worker ``node``, as the run that started it
    says (``producer.embedded.tell_renders``): its render workers divide the encoder's threads."""
    return f"{PREFIX}:worker:{node}:machine-renders"


RECONCILER_LOCK = f"{PREFIX}:reconciler:lock"
"""Held briefly by the one worker reconciling at a time."""

CREDIT_CHECK_LOCK = f"{PREFIX}:reconciler:credit-check:lock"
"""Held briefly by the one worker asking the paid backends' balances at a time."""


def semaphore(name: str) -> str:
    """Sorted set: holder → lease expiry (ms since the epoch)."""
    return f"{PREFIX}:limits:semaphore:{name}"


def semaphore_line(name: str) -> str:
    """List of the holders waiting for a slot, first in line first."""
    return f"{PREFIX}:limits:semaphore:{name}:line"


def rate_limit(name: str) -> str:
    """Sorted set of the calls made in the current window, scored by time (ms)."""
    return f"{PREFIX}:limits:rate:{name}"


def pause(name: str) -> str:
    """Exists (with a TTL) while every worker must hold its calls."""
    return f"{PREFIX}:limits:pause:{name}"


def breaker(name: str) -> str:
    """Holds the reason while the breaker is open."""
    return f"{PREFIX}:limits:breaker:{name}"


def account(name: str) -> str:
    """Hash: a backend's account for the whole deployment (``client_id``; ``token`` and
    ``expires_at`` of its anonymous token), shared by workers that share no disk."""
    return f"{PREFIX}:account:{name}"


def account_lock(name: str) -> str:
    """Held (with a TTL) by the one worker asking for the account's new token."""
    return f"{PREFIX}:account:{name}:lock"


PARKED_JOBS = f"{PREFIX}:jobs:parked"
"""Set of the ids of jobs parked until a condition clears (credits topped up)."""


def jobs_in_state(status: str) -> str:
    """Sorted set of the ids of the jobs in ``status``, scored by when they entered it.

    Kept by the scripts that change a job's status; finished ones older than the retention
    are trimmed when another job finishes."""
    return f"{PREFIX}:jobs:state:{status}"


METRICS = f"{PREFIX}:metrics"
"""Hash of counters bumped at each transition (jobs finished, stage seconds and runs, retries,
credits): they only ever go up."""
