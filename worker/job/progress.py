"""How far a running stage is: units done of a total (frames encoded, for the local export),
or in words (what the cloud agent last said), written on the job's hash (fenced, units at most
every ``REPORT_EVERY_SECONDS``) and read back as a percentage, an estimate of the time left and
the words."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

REPORT_EVERY_SECONDS = 1.0
NOTE_CHARS = 80
"""Words beyond this are cut: the live table has one line per job."""
FIELDS = (
    "progress_stage",
    "progress_done",
    "progress_total",
    "progress_started",
    "progress_at",
    "progress_note",
)


@dataclass(frozen=True)
class StageProgress:
    stage: str
    done: int
    total: int
    started_at: float
    at: float
    note: str = ""
    """What the stage is doing, in words (a stage without units, such as a cloud generation)."""

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Time left at the pace so far; None before the first unit is done."""
        elapsed = self.at - self.started_at
        if self.done <= 0 or elapsed <= 0:
            return None
        return (self.total - self.done) * elapsed / self.done

    def label(self) -> str:
        """Percent and time left, for a stage that counts units; else empty."""
        if not self.total:
            return ""
        eta = self.eta_seconds
        return f"{self.percent:.0f}%" + (f" ~{eta:.0f}s" if eta is not None else "")

    def as_fields(self) -> dict[str, str | int | float]:
        values = (self.stage, self.done, self.total, self.started_at, self.at, self.note)
        return dict(zip(FIELDS, values, strict=True))


def read_progress(fields: dict[str, str], stage: str | None) -> StageProgress | None:
    """The progress recorded on a job's hash, if it is of the job's current ``stage``."""
    if stage is None or fields.get("progress_stage") != stage:
        return None
    return StageProgress(
        stage=stage,
        done=int(fields["progress_done"]),
        total=int(fields["progress_total"]),
        started_at=float(fields["progress_started"]),
        at=float(fields["progress_at"]),
        note=fields.get("progress_note", ""),
    )


def one_line(text: str, limit: int = NOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def note_reporter(
    stage: str, write: Callable[[StageProgress], object], *, every: float = REPORT_EVERY_SECONDS
) -> Callable[[str], None]:
    """``say(words)`` for a stage: writes them, on one line, as its progress; the first call,
    then at most one every ``every`` seconds (a cloud stage polls many times a second)."""
    last_written = 0.0

    def say(words: str) -> None:
        nonlocal last_written
        now = time.time()
        if last_written and now - last_written < every:
            return
        last_written = now
        write(StageProgress(stage, 0, 0, now, now, note=one_line(words)))

    return say


def throttled_reporter(
    stage: str, write: Callable[[StageProgress], object], *, every: float = REPORT_EVERY_SECONDS
) -> Callable[[int, int], None]:
    """``report(done, total)`` for a stage: writes the first call, the last (done == total)
    and at most one in between every ``every`` seconds."""
    started = time.time()
    last_written = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last_written
        now = time.time()
        if done < total and now - last_written < every and last_written:
            return
        last_written = now
        write(StageProgress(stage, done, total, started, now))

    return report
