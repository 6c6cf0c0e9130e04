"""How a stage says that a job cannot go on."""

from __future__ import annotations


class JobFailed(Exception):
    """A permanent failure: retrying will not help. Names the file that caused it, if one did."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


class OutputTaken(JobFailed):
    """Another run has made this job's output, or is publishing it: this run writes nothing
    there, not even its report (which would replace the other run's)."""


class TransientError(Exception):
    """A failure worth another attempt (network, server 5xx, rate limit)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobParked(Exception):
    """The job cannot go on now for a reason outside it (no credits): it waits, not fails."""


class WaitingForSlot(Exception):
    """Every slot of a shared limit is taken: the job waits in line, holding no worker, and
    its stage is queued again when a slot is released. Not a failed attempt."""
