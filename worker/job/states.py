"""Where a job stands: its stages in order (``Stage``), its status as a whole (``JobStatus``),
and the state read back from Redis (``JobState``); what a claim on a stage can come to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from worker.job.progress import StageProgress
from worker.job.spec import JobSpec


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
