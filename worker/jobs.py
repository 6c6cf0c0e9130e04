"""A job's life in Redis: its spec, where it is, how long each stage took, and why it failed.

The stages run in the order of ``Stage``; ``JobStatus`` says where the job stands as a whole.
All keys come from ``worker.keys``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from redis import Redis

from worker import keys
from worker.spec import JobSpec

ATTEMPTS_FIELD = "attempts:"
"""Prefix of the job hash fields counting the starts of each stage (``attempts:upload``)."""


class Stage(StrEnum):
    SESSION = "session"
    UPLOAD = "upload"
    GENERATE = "generate"
    COMPLETE = "complete"
    EXPORT = "export"
    DOWNLOAD = "download"
    PUBLISH = "publish"

    @property
    def next(self) -> Stage | None:
        order = list(Stage)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARKED = "parked"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


@dataclass
class JobState:
    spec: JobSpec
    out: str
    batch: str
    status: JobStatus
    stage: Stage | None
    attempts: int
    error: str | None
    error_file: str | None
    created_at: float
    updated_at: float
    timings: dict[str, float] = field(default_factory=dict)
    stage_attempts: dict[str, int] = field(default_factory=dict)
    """Stage name → how many times it was started (more than once: it was retried)."""


class JobStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def create(self, spec: JobSpec, *, out: str, batch: str) -> bool:
        """Record a new job; False when a job with this id already exists (nothing changes)."""
        now = time.time()
        created = self.redis.hsetnx(keys.job(spec.id), "spec", spec.model_dump_json())
        if not created:
            return False
        self.redis.hset(
            keys.job(spec.id),
            mapping={
                "out": out,
                "batch": batch,
                "status": JobStatus.QUEUED,
                "stage": "",
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            },
        )
        self.redis.zadd(keys.batch(batch), {spec.id: now})
        self.redis.zadd(keys.BATCHES, {batch: now}, nx=True)
        return True

    def job_ids(self) -> list[str]:
        """Every job Redis holds, whatever its batch."""
        found = (key.decode() for key in self.redis.scan_iter(match=keys.job("*"), count=500))
        return sorted(keys.job_id_of(key) for key in found if keys.is_job_key(key))

    def forget(self, job_id: str) -> None:
        """Drop a finished job's state, so that it can be made again under the same id."""
        self.redis.delete(keys.job(job_id), keys.job_timings(job_id), keys.job_checkpoint(job_id))

    def get(self, job_id: str) -> JobState | None:
        raw = self.redis.hgetall(keys.job(job_id))
        if not raw:
            return None
        fields = {key.decode(): value.decode() for key, value in raw.items()}
        timings = {
            key.decode(): float(value)
            for key, value in self.redis.hgetall(keys.job_timings(job_id)).items()
        }
        return JobState(
            spec=JobSpec.model_validate_json(fields["spec"]),
            out=fields.get("out", ""),
            batch=fields.get("batch", ""),
            status=JobStatus(fields.get("status", JobStatus.QUEUED)),
            stage=Stage(fields["stage"]) if fields.get("stage") else None,
            attempts=int(fields.get("attempts", 0)),
            error=fields.get("error") or None,
            error_file=fields.get("error_file") or None,
            created_at=float(fields.get("created_at", 0)),
            updated_at=float(fields.get("updated_at", 0)),
            timings=timings,
            stage_attempts={
                key.removeprefix(ATTEMPTS_FIELD): int(value)
                for key, value in fields.items()
                if key.startswith(ATTEMPTS_FIELD)
            },
        )

    def batch_jobs(self, batch: str) -> list[JobState]:
        job_ids = [member.decode() for member in self.redis.zrange(keys.batch(batch), 0, -1)]
        return [state for job_id in job_ids if (state := self.get(job_id)) is not None]

    def latest_batch(self) -> str | None:
        newest = self.redis.zrevrange(keys.BATCHES, 0, 0)
        return newest[0].decode() if newest else None

    def start_stage(self, job_id: str, stage: Stage) -> int:
        """Mark the stage running; return how many times it has been started."""
        pipe = self.redis.pipeline()
        pipe.hset(
            keys.job(job_id),
            mapping={"status": JobStatus.RUNNING, "stage": stage, "updated_at": time.time()},
        )
        pipe.hincrby(keys.job(job_id), f"{ATTEMPTS_FIELD}{stage}", 1)
        return int(pipe.execute()[1])

    def finish_stage(self, job_id: str, stage: Stage, seconds: float) -> None:
        pipe = self.redis.pipeline()
        pipe.hincrbyfloat(keys.job_timings(job_id), stage, seconds)
        pipe.hset(keys.job(job_id), "updated_at", time.time())
        pipe.execute()

    def finish(self, job_id: str) -> None:
        self.redis.hset(
            keys.job(job_id), mapping={"status": JobStatus.SUCCEEDED, "updated_at": time.time()}
        )

    def fail(self, job_id: str, message: str, *, file: str | None = None) -> None:
        self.redis.hset(
            keys.job(job_id),
            mapping={
                "status": JobStatus.FAILED,
                "error": message,
                "error_file": file or "",
                "updated_at": time.time(),
            },
        )

    def checkpoint(self, job_id: str) -> dict[str, Any]:
        raw = self.redis.hgetall(keys.job_checkpoint(job_id))
        return {key.decode(): json.loads(value) for key, value in raw.items()}

    def record(self, job_id: str, key: str, value: Any) -> None:
        self.redis.hset(keys.job_checkpoint(job_id), key, json.dumps(value))
