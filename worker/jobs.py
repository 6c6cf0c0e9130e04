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
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from redis import Redis

from worker import keys
from worker.spec import JobSpec


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

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD)

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


class StaleClaim(Exception):
    """This worker's claim was superseded: another worker owns the job now."""


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    MISSING = "missing"
    FINISHED = "finished"
    PASSED = "passed"
    BUSY = "busy"
    DEAD = "dead"


_CREATE = """
local job, batch, batches, active = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local job_id, now = ARGV[1], ARGV[7]
if redis.call('HSETNX', job, 'spec', ARGV[2]) == 0 then return job_id end
redis.call('HSET', job, 'out', ARGV[3], 'batch', ARGV[4], 'status', 'queued', 'stage', ARGV[5],
  'stage_index', ARGV[6], 'epoch', 0, 'created_at', now, 'updated_at', now,
  'scratch', ARGV[8], 'overwrite', ARGV[9])
redis.call('ZADD', batch, now, job_id)
redis.call('ZADD', batches, 'NX', now, ARGV[4])
redis.call('SADD', active, job_id)
return ''
"""

_CLAIM = """
local job, lease = KEYS[1], KEYS[2]
local stage, stage_index, owner = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local lease_ms, now, max_attempts = ARGV[4], ARGV[5], tonumber(ARGV[6])
local status = redis.call('HGET', job, 'status')
if not status then return {'missing'} end
if status == 'succeeded' or status == 'failed' or status == 'dead' then return {'finished'} end
if tonumber(redis.call('HGET', job, 'stage_index') or '-1') > stage_index then
  return {'passed'}
end
if redis.call('EXISTS', lease) == 1 then return {'busy'} end
local attempts = redis.call('HINCRBY', job, 'attempts:' .. stage, 1)
if attempts > max_attempts then
  redis.call('HSET', job, 'status', 'dead', 'stage', stage, 'stage_index', stage_index,
    'error', 'gave up after ' .. max_attempts .. ' attempts of the ' .. stage .. ' stage',
    'updated_at', now)
  return {'dead'}
end
local epoch = redis.call('HINCRBY', job, 'epoch', 1)
redis.call('HSET', job, 'status', 'running', 'stage', stage, 'stage_index', stage_index,
  'owner', owner, 'updated_at', now)
redis.call('SET', lease, epoch, 'PX', lease_ms)
return {'claimed', epoch, attempts}
"""

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

_FENCED_RELEASE = """
local job, lease, timings, parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', job, 'epoch') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('HINCRBYFLOAT', timings, ARGV[2], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HINCRBY', job, 'attempts:' .. ARGV[4], -1) end
if ARGV[5] ~= '' then redis.call('SADD', parked, ARGV[5]) end
for i = 6, #ARGV, 2 do redis.call('HSET', job, ARGV[i], ARGV[i + 1]) end
redis.call('DEL', lease)
return 1
"""

_UNPARK_ALL = """
local parked, job_prefix, now = KEYS[1], ARGV[1], ARGV[2]
local unparked = {}
for _, job_id in ipairs(redis.call('SMEMBERS', parked)) do
  redis.call('SREM', parked, job_id)
  local job = job_prefix .. job_id
  if redis.call('HGET', job, 'status') == 'parked' then
    redis.call('HSET', job, 'status', 'queued', 'parked_reason', '', 'updated_at', now)
    table.insert(unparked, job_id)
  end
end
return unparked
"""


@dataclass
class Claim:
    """One worker's right to move one job through one stage, until superseded."""

    store: JobStore
    job_id: str
    stage: Stage
    epoch: int
    attempt: int

    def record(self, key: str, value: Any) -> None:
        """Durably record a checkpoint fact; raises StaleClaim if the job moved on."""
        ok = self.store.fenced_hset(
            self.job_id, self.epoch, keys.job_checkpoint(self.job_id), {key: json.dumps(value)}
        )
        if not ok:
            raise StaleClaim(f"{self.job_id}: lost the {self.stage} stage to another worker")

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
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._create = redis.register_script(_CREATE)
        self._claim = redis.register_script(_CLAIM)
        self._fenced_hset = redis.register_script(_FENCED_HSET)
        self._renew = redis.register_script(_FENCED_RENEW)
        self._release = redis.register_script(_FENCED_RELEASE)
        self._unpark_all = redis.register_script(_UNPARK_ALL)

    def create(self, spec: JobSpec, *, out: str, batch: str, overwrite: bool = False) -> str | None:
        """Record a new job, once per id. Jobs of other ids are other jobs, even when their
        photos, prompt and options are the same: each gets its own output and report.

        Returns None when created, else the id of the job that already stands for it.
        """
        now = time.time()
        result = self._create(
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
        )
        existing = result.decode() if isinstance(result, bytes) else result
        return existing or None

    def job_ids(self) -> list[str]:
        """Every job Redis holds, finished or not, whatever its batch."""
        found = (key.decode() for key in self.redis.scan_iter(match=keys.job("*"), count=500))
        return sorted(keys.job_id_of(key) for key in found if keys.is_job_key(key))

    def get(self, job_id: str) -> JobState | None:
        raw = self.redis.hgetall(keys.job(job_id))
        if not raw:
            return None
        fields = {key.decode(): value.decode() for key, value in raw.items()}
        timings = {
            key.decode(): float(value)
            for key, value in self.redis.hgetall(keys.job_timings(job_id)).items()
        }
        attempts = {
            name.removeprefix("attempts:"): int(value)
            for name, value in fields.items()
            if name.startswith("attempts:")
        }
        return JobState(
            spec=JobSpec.model_validate_json(fields["spec"]),
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
        )

    def batch_jobs(self, batch: str) -> list[JobState]:
        job_ids = [member.decode() for member in self.redis.zrange(keys.batch(batch), 0, -1)]
        return [state for job_id in job_ids if (state := self.get(job_id)) is not None]

    def latest_batch(self) -> str | None:
        newest = self.redis.zrevrange(keys.BATCHES, 0, 0)
        return newest[0].decode() if newest else None

    def recent_batches(self, limit: int) -> list[tuple[str, float]]:
        """(batch id, creation time), newest first."""
        newest = self.redis.zrevrange(keys.BATCHES, 0, limit - 1, withscores=True)
        return [(batch.decode(), float(created)) for batch, created in newest]

    def erase_finished(self, job_id: str) -> bool:
        """Delete a finished job's records, so that its id and its content can be made again
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
            keys.job_timings(job_id),
            keys.job_checkpoint(job_id),
            keys.job_lease(job_id),
        )
        pipe.zrem(keys.batch(state.batch), job_id)
        pipe.srem(keys.ACTIVE_JOBS, job_id)
        pipe.srem(keys.PARKED_JOBS, job_id)
        pipe.execute()
        return True

    def active_jobs(self) -> list[str]:
        return sorted(member.decode() for member in self.redis.smembers(keys.ACTIVE_JOBS))

    def forget_finished(self, job_id: str) -> None:
        self.redis.srem(keys.ACTIVE_JOBS, job_id)

    def unpark_all(self) -> list[JobState]:
        """Put every parked job back in the queue's hands, in one script; return them (to be
        enqueued)."""
        job_ids = self._unpark_all(keys=[keys.PARKED_JOBS], args=[keys.job(""), time.time()])
        states = [self.get(job_id.decode()) for job_id in job_ids]
        return [state for state in states if state is not None]

    def repair_parked(self) -> list[str]:
        """List again the parked jobs missing from the parked set (state written by an older
        version in two steps, cut in between); return their ids."""
        listed = {member.decode() for member in self.redis.smembers(keys.PARKED_JOBS)}
        repaired = []
        for job_id in self.active_jobs():
            status = self.redis.hget(keys.job(job_id), "status")
            if status == JobStatus.PARKED.encode() and job_id not in listed:
                self.redis.sadd(keys.PARKED_JOBS, job_id)
                repaired.append(job_id)
        return repaired

    def mark_due(self, job_id: str, when: float) -> None:
        self.redis.hset(keys.job(job_id), "due_at", when)

    def has_live_lease(self, job_id: str) -> bool:
        return bool(self.redis.exists(keys.job_lease(job_id)))

    def claim(
        self, job_id: str, stage: Stage, *, owner: str, lease_seconds: float, max_attempts: int
    ) -> tuple[ClaimOutcome, Claim | None]:
        result = self._claim(
            keys=[keys.job(job_id), keys.job_lease(job_id)],
            args=[stage, stage.index, owner, int(lease_seconds * 1000), time.time(), max_attempts],
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
    ) -> bool:
        """Fenced on ``epoch``: write ``fields``, add the stage's time, give its attempt back
        (``refund_attempt``), list the job as parked (``park``) and drop the lease, at once."""
        stage, seconds = timing if timing else ("", 0.0)
        pairs = [item for pair in fields.items() for item in pair]
        job_keys = [keys.job(job_id), keys.job_lease(job_id), keys.job_timings(job_id)]
        return bool(
            self._release(
                keys=[*job_keys, keys.PARKED_JOBS],
                args=[epoch, stage, seconds, refund_attempt or "", job_id if park else "", *pairs],
            )
        )

    def checkpoint(self, job_id: str) -> dict[str, Any]:
        raw = self.redis.hgetall(keys.job_checkpoint(job_id))
        return {key.decode(): json.loads(value) for key, value in raw.items()}
