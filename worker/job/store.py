"""A job's life in Redis: its spec, where it is, how long each stage took, and why it failed.

The stages run in the order of ``Stage``; ``JobStatus`` says where the job stands as a whole.
All keys come from ``worker.job.keys``.

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
from dataclasses import dataclass
from typing import Any

from redis import Redis

from config.settings import get_settings
from worker.job import keys
from worker.job import scripts as job_scripts
from worker.job.progress import StageProgress, read_progress
from worker.job.spec import JobSpec
from worker.job.states import (
    RELEASED_CANCELLED,
    ClaimOutcome,
    JobState,
    JobStatus,
    Stage,
    StaleClaim,
)


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
        self._create = redis.register_script(job_scripts.CREATE)
        self._claim = redis.register_script(job_scripts.CLAIM)
        self._fenced_hset = redis.register_script(job_scripts.FENCED_HSET)
        self._renew = redis.register_script(job_scripts.FENCED_RENEW)
        self._release = redis.register_script(job_scripts.FENCED_RELEASE)
        self._unpark_all = redis.register_script(job_scripts.UNPARK_ALL)
        self._count_credits = redis.register_script(job_scripts.COUNT_CREDITS)
        self._cancel_batch = redis.register_script(job_scripts.CANCEL_BATCH)
        self._retry = redis.register_script(job_scripts.RETRY)

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
