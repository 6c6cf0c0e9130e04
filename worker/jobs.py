"""A job's life in Redis: its spec, where it is, how long each stage took, and why it failed.

The stages run in the order of ``Stage``; ``JobStatus`` says where the job stands as a whole.
All keys come from ``worker.keys``.

A worker that runs a stage first *claims* the job. The claim bumps the job's epoch (a fencing
token) and takes a lease that the worker keeps alive while it works. Every later write of that
worker — a checkpoint, the stage's end, a failure — is a compare-and-set on the epoch, so a
worker that was paused, partitioned or presumed dead cannot move a job another worker now owns.
A stage is claimed only while no live lease exists, and never once the job has moved past it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from redis import Redis

from config.settings import get_settings
from worker import keys
from worker.spec import JobSpec
from worker.stage_progress import StageProgress, read_progress


class Stage(StrEnum):
    SESSION = "session"
    UPLOAD = "upload"
    GENERATE = "generate"
    COMPLETE = "complete"
    EXPORT = "export"
    DOWNLOAD = "download"
    PUBLISH = "publish"

    @property
    def index(self) -> int:
        return list(Stage).index(self)

    @property
    def next(self) -> Stage | None:
        order = list(Stage)
        return order[self.index + 1] if self.index + 1 < len(order) else None


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PARKED = "parked"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    """Gave up after too many attempts of one stage (crashes, redeliveries, transient errors)."""
    CANCELLED = "cancelled"
    """Its batch was cancelled: never started, or stopped after the stage it was running."""

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED)

    @property
    def went_wrong(self) -> bool:
        """It ended without its video: failed, or gave up (dead). A retry makes it again."""
        return self in (JobStatus.FAILED, JobStatus.DEAD)

    @property
    def settled(self) -> bool:
        """Nothing will happen to the job without outside help (finished, or parked)."""
        return self.finished or self == JobStatus.PARKED


@dataclass
class JobState:
    spec: JobSpec
    out: str
    batch: str
    status: JobStatus
    stage: Stage | None
    epoch: int
    error: str | None
    error_file: str | None
    parked_reason: str | None
    created_at: float
    updated_at: float
    due_at: float
    """When a queued job's stage should start: now, or later for a retry with a countdown."""
    timings: dict[str, float] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    scratch: str = ""
    """A random token of this job's record: its scratch folder is named after it, so that two
    runs of one job (two Redis servers, or a job made again) never share files."""
    overwrite: bool = False
    """Publishing may replace a finished output of another run (``--overwrite``)."""
    progress: StageProgress | None = None
    """How far the running stage is, if it reports it (the local export: frames; the cloud
    generation: what the agent last said)."""


class StaleClaim(Exception):
    """This worker's claim was superseded: another worker owns the job now."""


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    MISSING = "missing"
    FINISHED = "finished"
    PASSED = "passed"
    BUSY = "busy"
    DEAD = "dead"


CANCELLED_MESSAGE = "cancelled by the operator"
RELEASED_CANCELLED = 2

_TRANSITION = f"""
local JOB_PREFIX, STATE_PREFIX = '{keys.job("")}', '{keys.jobs_in_state("")}'
local BATCH_PREFIX, METRICS = '{keys.batch("")}', '{keys.METRICS}'
local FINISHED = {{succeeded = true, failed = true, dead = true, cancelled = true}}
local CANCELLED_MESSAGE = '{CANCELLED_MESSAGE}'

-- Move a job between the per-state sets; when it finishes, count it and let every key it
-- leaves expire ``retention`` seconds from now (its batch's index too).
local function transition(job_id, old, new, now, retention)
  if old == new then return end
  if old then redis.call('ZREM', STATE_PREFIX .. old, job_id) end
  redis.call('ZADD', STATE_PREFIX .. new, now, job_id)
  if not FINISHED[new] or FINISHED[old] then return end
  redis.call('HINCRBY', METRICS, 'finished:' .. new, 1)
  redis.call('ZREMRANGEBYSCORE', STATE_PREFIX .. new, '-inf', '(' .. (now - retention))
  local job = JOB_PREFIX .. job_id
  for _, key in ipairs({{job, job .. ':spec', job .. ':timings', job .. ':checkpoint'}}) do
    redis.call('EXPIRE', key, retention)
  end
  local batch = redis.call('HGET', job, 'batch')
  if batch then redis.call('EXPIRE', BATCH_PREFIX .. batch, retention) end
end
"""

_CREATE = (
    _TRANSITION
    + """
local job, batch, batches, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local job_id, now = ARGV[1], ARGV[7]
if redis.call('EXISTS', job) == 1 then return job_id end
redis.call('SET', job .. ':spec', ARGV[2])
redis.call('HSET', job, 'out', ARGV[3], 'batch', ARGV[4], 'status', 'queued', 'stage', ARGV[5],
  'stage_index', ARGV[6], 'epoch', 0, 'created_at', now, 'updated_at', now,
  'scratch', ARGV[8], 'overwrite', ARGV[9])
redis.call('ZADD', batch, now, job_id)
redis.call('ZADD', batches, 'NX', now, ARGV[4])
redis.call('SADD', active, job_id)
transition(job_id, false, 'queued', tonumber(now), 0)
return ''
"""
)

_CLAIM = (
    _TRANSITION
    + """
local job, lease = KEYS[1], KEYS[2]
local stage, stage_index, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local lease_ms, now, max_attempts = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local retention = tonumber(ARGV[7])
local status = redis.call('HGET', job, 'status')
if not status then return {'missing'} end
if FINISHED[status] then return {'finished'} end
if tonumber(redis.call('HGET', job, 'stage_index') or '-1') > stage_index then
  return {'passed'}
end
if redis.call('EXISTS', lease) == 1 then return {'busy'} end
local attempts = redis.call('HINCRBY', job, 'attempts:' .. stage, 1)
-- A retry is an attempt beyond the highest one counted so far (a refunded attempt, given
-- back because it waited for a slot, is not counted twice).
local peak = tonumber(redis.call('HGET', job, 'peak:' .. stage) or '1')
if attempts > peak then
  redis.call('HSET', job, 'peak:' .. stage, attempts)
  redis.call('HINCRBY', METRICS, 'retries:' .. stage, 1)
end
if attempts > max_attempts then
  transition(ARGV[8], status, 'dead', now, retention)
  redis.call('HSET', job, 'status', 'dead', 'stage', stage, 'stage_index', stage_index,
    'error', 'gave up after ' .. max_attempts .. ' attempts of the ' .. stage .. ' stage',
    'updated_at', now)
  return {'dead'}
end
local epoch = redis.call('HINCRBY', job, 'epoch', 1)
transition(ARGV[8], status, 'running', now, retention)
redis.call('HSET', job, 'status', 'running', 'stage', stage, 'stage_index', stage_index,
  'owner', owner, 'updated_at', now)
redis.call('SET', lease, epoch, 'PX', lease_ms)
return {'claimed', epoch, attempts}
"""
)

_FENCED_HSET = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
"""

_FENCED_RENEW = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
"""

_FENCED_RELEASE = (
    _TRANSITION
    + """
local job, lease, timings, parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', job, 'epoch') ~= ARGV[1] then return 0 end
local old = redis.call('HGET', job, 'status')
if ARGV[2] ~= '' then
  redis.call('HINCRBYFLOAT', timings, ARGV[2], ARGV[3])
  redis.call('HINCRBYFLOAT', METRICS, 'seconds:' .. ARGV[2], ARGV[3])
  redis.call('HINCRBY', METRICS, 'runs:' .. ARGV[2], 1)
end
if ARGV[4] ~= '' then redis.call('HINCRBY', job, 'attempts:' .. ARGV[4], -1) end
if ARGV[5] ~= '' then redis.call('SADD', parked, ARGV[5]) end
local new = old
for i = 9, #ARGV, 2 do
  redis.call('HSET', job, ARGV[i], ARGV[i + 1])
  if ARGV[i] == 'status' then new = ARGV[i + 1] end
end
local result = 1
if (new == 'queued' or new == 'parked') and redis.call('HGET', job, 'cancel_requested') then
  -- Its batch was cancelled while this stage ran: the job stops here.
  redis.call('SREM', parked, ARGV[6])
  redis.call('HSET', job, 'status', 'cancelled', 'error', CANCELLED_MESSAGE, 'error_file', '')
  new, result = 'cancelled', 2
end
transition(ARGV[6], old, new, tonumber(ARGV[7]), tonumber(ARGV[8]))
redis.call('DEL', lease)
return result
"""
)

_UNPARK_ALL = (
    _TRANSITION
    + """
local parked, now = KEYS[1], tonumber(ARGV[1])
local unparked = {}
for _, job_id in ipairs(redis.call('SMEMBERS', parked)) do
  redis.call('SREM', parked, job_id)
  local job = JOB_PREFIX .. job_id
  if redis.call('HGET', job, 'status') == 'parked' then
    transition(job_id, 'parked', 'queued', now, 0)
    redis.call('HSET', job, 'status', 'queued', 'parked_reason', '', 'updated_at', now)
    table.insert(unparked, job_id)
  end
end
return unparked
"""
)

_CANCEL_BATCH = (
    _TRANSITION
    + """
local batch, parked, now, retention = KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2])
local cancelled, stopping = {}, {}
for _, job_id in ipairs(redis.call('ZRANGE', batch, 0, -1)) do
  local job = JOB_PREFIX .. job_id
  local status = redis.call('HGET', job, 'status')
  if status == 'queued' or status == 'parked' then
    transition(job_id, status, 'cancelled', now, retention)
    redis.call('HSET', job, 'status', 'cancelled', 'error', CANCELLED_MESSAGE, 'error_file', '',
      'updated_at', now)
    redis.call('SREM', parked, job_id)
    table.insert(cancelled, job_id)
  elseif status == 'running' then
    redis.call('HSET', job, 'cancel_requested', 1)
    table.insert(stopping, job_id)
  end
end
return {cancelled, stopping}
"""
)

_RETRY = (
    _TRANSITION
    + """
local job, active, notified = KEYS[1], KEYS[2], KEYS[3]
local job_id, now = ARGV[1], tonumber(ARGV[2])
local status = redis.call('HGET', job, 'status')
if status ~= 'failed' and status ~= 'dead' then return false end
local stage = redis.call('HGET', job, 'stage')
transition(job_id, status, 'queued', now, 0)
-- Back from the stage it stopped at, with its checkpoint: a paid request already sent is
-- found again by the backend (nemo polls its session), never sent twice.
redis.call('HDEL', job, 'attempts:' .. stage, 'error', 'error_file', 'cancel_requested')
redis.call('HSET', job, 'status', 'queued', 'updated_at', now, 'due_at', now)
local batch = redis.call('HGET', job, 'batch')
for _, key in ipairs({job, job .. ':spec', job .. ':timings', job .. ':checkpoint',
    batch and BATCH_PREFIX .. batch}) do
  if key then redis.call('PERSIST', key) end
end
redis.call('SADD', active, job_id)
redis.call('DEL', notified)
return stage
"""
)

_COUNT_CREDITS = f"""
if redis.call('HSETNX', KEYS[1], 'credits_counted', 1) == 0 then return 0 end
redis.call('HINCRBYFLOAT', '{keys.METRICS}', 'credits_spent', ARGV[1])
redis.call('HINCRBY', '{keys.METRICS}', 'charges', ARGV[2])
return 1
"""


@dataclass
class Claim:
    """One worker's right to move one job through one stage, until superseded."""

    store: JobStore
    job_id: str
    stage: Stage
    epoch: int
    attempt: int
    cancelled: bool = False
    """Set when this claim's stage ended and the job stopped there: its batch was cancelled."""

    def record(self, key: str, value: Any) -> None:
        """Durably record a checkpoint fact; raises StaleClaim if the job moved on."""
        ok = self.store.fenced_hset(
            self.job_id, self.epoch, keys.job_checkpoint(self.job_id), {key: json.dumps(value)}
        )
        if not ok:
            raise StaleClaim(f"{self.job_id}: lost the {self.stage} stage to another worker")

    def report_progress(self, progress: StageProgress) -> None:
        """Write how far the stage is on the job (dropped if the job moved on)."""
        self.store.fenced_hset(self.job_id, self.epoch, keys.job(self.job_id), progress.as_fields())

    def renew(self, lease_seconds: float) -> bool:
        return bool(self.store.renew(self.job_id, self.epoch, int(lease_seconds * 1000)))

    def _release(
        self,
        fields: dict[str, Any],
        *,
        seconds: float | None = None,
        refund: bool = False,
        park: bool = False,
    ) -> None:
        ok = self.store.release(
            self.job_id,
            self.epoch,
            fields={**fields, "updated_at": time.time()},
            timing=(self.stage, seconds) if seconds is not None else None,
            refund_attempt=self.stage if refund else None,
            park=park,
        )
        if not ok:
            raise StaleClaim(f"{self.job_id}: lost the {self.stage} stage to another worker")
        self.cancelled = ok == RELEASED_CANCELLED

    def finish_stage(self, seconds: float) -> None:
        """The stage is done; the job waits for its next stage (or is done after the last)."""
        next_stage = self.stage.next
        if next_stage is None:
            self._release({"status": JobStatus.SUCCEEDED}, seconds=seconds)
        else:
            self._release(
                {"status": JobStatus.QUEUED, "stage": next_stage, "stage_index": next_stage.index},
                seconds=seconds,
            )

    def retry_later(
        self, reason: str, *, retry_in: float = 0.0, counts_as_attempt: bool = True
    ) -> None:
        self._release(
            {
                "status": JobStatus.QUEUED,
                "last_retry_reason": reason,
                "due_at": time.time() + retry_in,
            },
            refund=not counts_as_attempt,
        )

    def park(self, reason: str) -> None:
        """Parked and listed among the parked jobs in one script: never one without the other."""
        self._release({"status": JobStatus.PARKED, "parked_reason": reason}, refund=True, park=True)

    def fail(self, message: str, *, file: str | None = None) -> None:
        self._release({"status": JobStatus.FAILED, "error": message, "error_file": file or ""})


class JobStore:
    def __init__(self, redis: Redis, *, retention_seconds: int | None = None) -> None:
        """``retention_seconds``: how long a finished job's keys stay (default: the setting)."""
        self.redis = redis
        self.retention_seconds = (
            retention_seconds if retention_seconds is not None else get_settings().retention_seconds
        )
        self._create = redis.register_script(_CREATE)
        self._claim = redis.register_script(_CLAIM)
        self._fenced_hset = redis.register_script(_FENCED_HSET)
        self._renew = redis.register_script(_FENCED_RENEW)
        self._release = redis.register_script(_FENCED_RELEASE)
        self._unpark_all = redis.register_script(_UNPARK_ALL)
        self._count_credits = redis.register_script(_COUNT_CREDITS)
        self._cancel_batch = redis.register_script(_CANCEL_BATCH)
        self._retry = redis.register_script(_RETRY)

    def create(self, spec: JobSpec, *, out: str, batch: str, overwrite: bool = False) -> str | None:
        """Record a new job, once per id. Jobs of other ids are other jobs, even when their
        photos, prompt and options are the same: each gets its own output and report.

        Returns None when created, else the id of the job that already stands for it.
        """
        [existing] = self.create_many([spec], out=out, batch=batch, overwrite=overwrite)
        return existing

    def create_many(
        self, specs: list[JobSpec], *, out: str, batch: str, overwrite: bool = False
    ) -> list[str | None]:
        """``create`` for each spec, in one pipelined round trip: for each, None when created,
        else the id of the job that already stands for it."""
        pipe = self.redis.pipeline(transaction=False)
        for spec in specs:
            now = time.time()
            self._create(
                keys=[keys.job(spec.id), keys.batch(batch), keys.BATCHES, keys.ACTIVE_JOBS],
                args=[
                    spec.id,
                    spec.model_dump_json(),
                    out,
                    batch,
                    Stage.SESSION,
                    Stage.SESSION.index,
                    now,
                    uuid.uuid4().hex[:12],
                    "1" if overwrite else "",
                ],
                client=pipe,
            )
        results = pipe.execute()
        return [
            (result.decode() if isinstance(result, bytes) else result) or None for result in results
        ]

    def job_ids(self) -> list[str]:
        """Every job Redis holds, finished or not, whatever its batch."""
        found = (key.decode() for key in self.redis.scan_iter(match=keys.job("*"), count=500))
        return sorted(keys.job_id_of(key) for key in found if keys.is_job_key(key))

    def get(self, job_id: str) -> JobState | None:
        [state] = self.get_many([job_id]) or [None]
        return state

    def get_many(self, job_ids: list[str], *, chunk: int = 10_000) -> list[JobState]:
        """The states of ``job_ids`` that exist, in order, read in pipelined chunks."""
        states: list[JobState] = []
        for start in range(0, len(job_ids), chunk):
            pipe = self.redis.pipeline(transaction=False)
            for job_id in job_ids[start : start + chunk]:
                pipe.hgetall(keys.job(job_id))
                pipe.get(keys.job_spec(job_id))
                pipe.hgetall(keys.job_timings(job_id))
            replies = pipe.execute()
            for raw, spec, raw_timings in zip(
                replies[::3], replies[1::3], replies[2::3], strict=True
            ):
                if (state := self._state(raw, spec, raw_timings)) is not None:
                    states.append(state)
        return states

    def scratch_tokens(self, job_ids: list[str]) -> dict[str, tuple[str, bool]]:
        """For each of ``job_ids`` this Redis holds, in one pipelined round trip: its record's
        scratch token, and whether the job finished (what a machine's scratch may keep)."""
        pipe = self.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hmget(keys.job(job_id), "status", "scratch")
        tokens: dict[str, tuple[str, bool]] = {}
        for job_id, (status, token) in zip(job_ids, pipe.execute(), strict=True):
            if status is not None:
                finished = JobStatus(status.decode()).finished
                tokens[job_id] = ((token or b"").decode(), finished)
        return tokens

    @staticmethod
    def _state(
        raw: dict[bytes, bytes], spec: bytes | None, raw_timings: dict[bytes, bytes]
    ) -> JobState | None:
        if not raw:
            return None
        fields = {key.decode(): value.decode() for key, value in raw.items()}
        spec_json = spec.decode() if spec is not None else fields.get("spec")
        if spec_json is None:
            return None
        timings = {key.decode(): float(value) for key, value in raw_timings.items()}
        attempts = {
            name.removeprefix("attempts:"): int(value)
            for name, value in fields.items()
            if name.startswith("attempts:")
        }
        return JobState(
            spec=JobSpec.model_validate_json(spec_json),
            out=fields.get("out", ""),
            batch=fields.get("batch", ""),
            status=JobStatus(fields.get("status", JobStatus.QUEUED)),
            stage=Stage(fields["stage"]) if fields.get("stage") else None,
            epoch=int(fields.get("epoch", 0)),
            error=fields.get("error") or None,
            error_file=fields.get("error_file") or None,
            parked_reason=fields.get("parked_reason") or None,
            created_at=float(fields.get("created_at", 0)),
            updated_at=float(fields.get("updated_at", 0)),
            due_at=max(float(fields.get("due_at", 0)), float(fields.get("updated_at", 0))),
            timings=timings,
            attempts=attempts,
            scratch=fields.get("scratch", ""),
            overwrite=bool(fields.get("overwrite")),
            progress=read_progress(fields, fields.get("stage"))
            if fields.get("status") == JobStatus.RUNNING
            else None,
        )

    def batch_jobs(self, batch: str) -> list[JobState]:
        job_ids = [member.decode() for member in self.redis.zrange(keys.batch(batch), 0, -1)]
        return self.get_many(job_ids)

    def latest_batch(self) -> str | None:
        newest = self.redis.zrevrange(keys.BATCHES, 0, 0)
        return newest[0].decode() if newest else None

    def recent_batches(self, limit: int) -> list[tuple[str, float]]:
        """(batch id, creation time), newest first, of the batches whose index Redis still
        holds; the ones whose index expired (or lost its last job) leave the list as met."""
        while True:
            newest = self.redis.zrevrange(keys.BATCHES, 0, limit - 1, withscores=True)
            pipe = self.redis.pipeline(transaction=False)
            for batch, _created in newest:
                pipe.exists(keys.batch(batch.decode()))
            held = pipe.execute()
            gone = [
                batch for (batch, _created), exists in zip(newest, held, strict=True) if not exists
            ]
            if not gone:
                return [(batch.decode(), float(created)) for batch, created in newest]
            self.redis.zrem(keys.BATCHES, *gone)

    def erase_finished(self, job_id: str) -> bool:
        """Delete a finished job's records, so that its id can be made again
        (a producer that knows the inputs changed, or wants a failed job redone).

        True when the id is free now; False when the job is still queued, running or parked."""
        state = self.get(job_id)
        if state is None:
            return True
        if not state.status.finished:
            return False
        pipe = self.redis.pipeline()
        pipe.delete(
            keys.job(job_id),
            keys.job_spec(job_id),
            keys.job_timings(job_id),
            keys.job_checkpoint(job_id),
            keys.job_lease(job_id),
        )
        pipe.zrem(keys.batch(state.batch), job_id)
        pipe.srem(keys.ACTIVE_JOBS, job_id)
        pipe.srem(keys.PARKED_JOBS, job_id)
        pipe.zrem(keys.jobs_in_state(state.status), job_id)
        pipe.execute()
        return True

    def active_jobs(self) -> list[str]:
        return sorted(member.decode() for member in self.redis.smembers(keys.ACTIVE_JOBS))

    def forget_finished(self, job_id: str) -> None:
        self.redis.srem(keys.ACTIVE_JOBS, job_id)

    def unpark_all(self) -> list[JobState]:
        """Put every parked job back in the queue's hands, in one script; return them (to be
        enqueued)."""
        job_ids = self._unpark_all(keys=[keys.PARKED_JOBS], args=[time.time()])
        return self.get_many([job_id.decode() for job_id in job_ids])

    def repair_parked(self) -> list[str]:
        """List again the parked jobs missing from the parked set (state written by an older
        version in two steps, cut in between); return their ids."""
        listed = {member.decode() for member in self.redis.smembers(keys.PARKED_JOBS)}
        job_ids = self.active_jobs()
        pipe = self.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hget(keys.job(job_id), "status")
        parked = JobStatus.PARKED.encode()
        repaired = [
            job_id
            for job_id, status in zip(job_ids, pipe.execute(), strict=True)
            if status == parked and job_id not in listed
        ]
        if repaired:
            self.redis.sadd(keys.PARKED_JOBS, *repaired)
        return repaired

    def mark_due(self, job_id: str, when: float) -> None:
        self.redis.hset(keys.job(job_id), "due_at", when)

    def live_leases(self, job_ids: list[str]) -> set[str]:
        """Which of ``job_ids`` a worker holds a live lease on, in one pipelined round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.exists(keys.job_lease(job_id))
        return {job_id for job_id, live in zip(job_ids, pipe.execute(), strict=True) if live}

    def checkpoints(self, job_ids: list[str]) -> dict[str, dict[str, Any]]:
        """``checkpoint`` of each of ``job_ids``, in one pipelined round trip."""
        pipe = self.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hgetall(keys.job_checkpoint(job_id))
        return {
            job_id: {key.decode(): json.loads(value) for key, value in raw.items()}
            for job_id, raw in zip(job_ids, pipe.execute(), strict=True)
        }

    def claim(
        self, job_id: str, stage: Stage, *, owner: str, lease_seconds: float, max_attempts: int
    ) -> tuple[ClaimOutcome, Claim | None]:
        result = self._claim(
            keys=[keys.job(job_id), keys.job_lease(job_id)],
            args=[
                stage,
                stage.index,
                owner,
                int(lease_seconds * 1000),
                time.time(),
                max_attempts,
                self.retention_seconds,
                job_id,
            ],
        )
        outcome = ClaimOutcome(result[0].decode() if isinstance(result[0], bytes) else result[0])
        if outcome != ClaimOutcome.CLAIMED:
            return outcome, None
        return outcome, Claim(self, job_id, stage, epoch=int(result[1]), attempt=int(result[2]))

    def fenced_hset(self, job_id: str, epoch: int, target: str, mapping: dict[str, Any]) -> bool:
        pairs = [item for pair in mapping.items() for item in pair]
        return bool(self._fenced_hset(keys=[keys.job(job_id), target], args=[epoch, *pairs]))

    def renew(self, job_id: str, epoch: int, lease_ms: int) -> bool:
        return bool(
            self._renew(keys=[keys.job(job_id), keys.job_lease(job_id)], args=[epoch, lease_ms])
        )

    def release(
        self,
        job_id: str,
        epoch: int,
        *,
        fields: dict[str, Any],
        timing: tuple[Stage, float] | None = None,
        refund_attempt: Stage | None = None,
        park: bool = False,
    ) -> int:
        """Fenced on ``epoch``: write ``fields``, add the stage's time, give its attempt back
        (``refund_attempt``), list the job as parked (``park``) and drop the lease, at once.
        0: stale; 1: done; ``RELEASED_CANCELLED``: done, and the job stopped (cancelled)."""
        stage, seconds = timing if timing else ("", 0.0)
        pairs = [item for pair in fields.items() for item in pair]
        job_keys = [keys.job(job_id), keys.job_lease(job_id), keys.job_timings(job_id)]
        return int(
            self._release(
                keys=[*job_keys, keys.PARKED_JOBS],
                args=[
                    epoch,
                    stage,
                    seconds,
                    refund_attempt or "",
                    job_id if park else "",
                    job_id,
                    time.time(),
                    self.retention_seconds,
                    *pairs,
                ],
            )
        )

    def cancel_batch(self, batch: str) -> tuple[list[str], list[str]]:
        """Cancel the batch's queued and parked jobs now; ask its running ones to stop after
        their stage. Returns (cancelled now, stopping)."""
        cancelled, stopping = self._cancel_batch(
            keys=[keys.batch(batch), keys.PARKED_JOBS], args=[time.time(), self.retention_seconds]
        )
        return [job_id.decode() for job_id in cancelled], [job_id.decode() for job_id in stopping]

    def retry(self, job_id: str) -> Stage | None:
        """Put a failed or dead job back in the queue at the stage it stopped at, keeping its
        checkpoint and its keys (no longer expiring); None if it is neither failed nor dead."""
        batch = self.redis.hget(keys.job(job_id), "batch")
        notified = keys.batch_notified(batch.decode() if batch else "")
        stage = self._retry(
            keys=[keys.job(job_id), keys.ACTIVE_JOBS, notified], args=[job_id, time.time()]
        )
        return Stage(stage.decode()) if stage else None

    def count_credits(self, job_id: str, *, spent: float, charges: int) -> None:
        """Add a finished job's credits to the counters, once per job however often asked."""
        self._count_credits(keys=[keys.job(job_id)], args=[spent, charges])

    def keep_checkpoint_facts(self, job_id: str, kept: Iterable[str]) -> None:
        """Drop every checkpoint fact but ``kept`` (once the report holds them all)."""
        wanted = set(kept)
        names = [name.decode() for name in self.redis.hkeys(keys.job_checkpoint(job_id))]
        dropped = [name for name in names if name not in wanted]
        if dropped:
            self.redis.hdel(keys.job_checkpoint(job_id), *dropped)

    def checkpoint(self, job_id: str) -> dict[str, Any]:
        return self.checkpoints([job_id])[job_id]
