"""A live jobs × stages table while a batch runs, and the closing summary."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from rich import box
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from producer.status_json import counts
from worker.job.states import JobState, JobStatus, Stage
from worker.job.store import JobStore

STATUS_STYLE = {
    JobStatus.QUEUED: "dim",
    JobStatus.RUNNING: "cyan",
    JobStatus.SUCCEEDED: "green",
    JobStatus.FAILED: "red",
    JobStatus.PARKED: "yellow",
    JobStatus.DEAD: "red",
    JobStatus.CANCELLED: "magenta",
}
"""A colour for every status (a test checks none is missing)."""


STAGE_HEADERS = {
    Stage.SESSION: "sess",
    Stage.UPLOAD: "upl",
    Stage.GENERATE: "gen",
    Stage.COMPLETE: "done",
    Stage.EXPORT: "export",
    Stage.DOWNLOAD: "dl",
    Stage.PUBLISH: "pub",
}
"""Short column names, so that the table fits an 80-column terminal."""


def _stage_cell(state: JobState, stage: Stage) -> str:
    if stage in state.timings:
        return f"[green]{state.timings[stage]:.1f}s[/]"
    if state.stage == stage:
        if state.status.went_wrong:
            return "[red]✗[/]"
        return f"[cyan]{(state.progress.label() if state.progress else '') or '…'}[/]"
    return "[dim]·[/]"


def jobs_table(states: list[JobState]) -> Table:
    table = Table(expand=False, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("job", overflow="fold")
    for stage in Stage:
        table.add_column(STAGE_HEADERS[stage], justify="right", no_wrap=True)
    table.add_column("status", overflow="fold")
    for state in states:
        style = STATUS_STYLE[state.status]
        cells = [_stage_cell(state, stage) for stage in Stage]
        note = state.progress.note if state.progress else ""
        said = f" [dim]{escape(note)}[/]" if note else ""
        table.add_row(state.spec.id, *cells, f"[{style}]{state.status.value}[/]{said}")
    return table


TABLE_ROWS = 40
"""Up to this many jobs, the live table shows each; above, their counts and the running ones."""
PROGRESS_EVERY = 1000
"""A long load or enqueue says how far it is every this many jobs."""


def progress_view(states: list[JobState], max_rows: int = TABLE_ROWS) -> Table:
    """The jobs × stages table of a batch small enough to show whole; of a bigger one, the
    running jobs only, under a line counting how many jobs stand where."""
    if len(states) <= max_rows:
        return jobs_table(states)
    running = [state for state in states if state.status == JobStatus.RUNNING][:max_rows]
    table = jobs_table(running)
    table.title = f"{len(states)} jobs: {status_counts(states)}; the running ones:"
    return table


def status_counts(states: list[JobState]) -> str:
    """``3 failed, 12 queued, 985 succeeded``: how many jobs stand where."""
    return ", ".join(f"{count} {status}" for status, count in sorted(counts(states).items()))


SHARED_WARNING_JOBS = 3
"""A warning more jobs than this share (their feed was read as cp1252, say) is printed once
with their count, not once per job."""


def shared_warnings(warnings: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each warning that more than ``SHARED_WARNING_JOBS`` jobs have, with their ids."""
    holders: dict[str, list[str]] = {}
    for job_id, job_warnings in warnings.items():
        for warning in dict.fromkeys(job_warnings):
            holders.setdefault(warning, []).append(job_id)
    return {warning: ids for warning, ids in holders.items() if len(ids) > SHARED_WARNING_JOBS}


def jobs_named(job_ids: list[str], shown: int = SHARED_WARNING_JOBS) -> str:
    """``1000 jobs (shoe-1, shoe-2, shoe-3 …)``."""
    more = " …" if len(job_ids) > shown else ""
    jobs = "job" if len(job_ids) == 1 else "jobs"
    return f"{len(job_ids)} {jobs} ({', '.join(job_ids[:shown])}{more})"


def counting(console: Console, doing: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` that prints ``doing: done of total`` every
    ``PROGRESS_EVERY`` jobs, so a big manifest or batch never sits silent."""

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or (done == total and total >= PROGRESS_EVERY):
            console.print(f"{doing}: {done:,} of {total:,} jobs")

    return progress


def batches_table(batches: list[tuple[str, datetime, list[JobState]]]) -> Table:
    """One row per (batch id, creation time, its jobs): how many jobs stand where."""
    table = Table(expand=False)
    for column in ("batch", "created", "jobs", *(status.value for status in JobStatus)):
        table.add_column(column)
    for batch, created, states in batches:
        counts = Counter(state.status for state in states)
        cells = [str(counts[status]) if counts[status] else "" for status in JobStatus]
        table.add_row(batch, f"{created:%Y-%m-%d %H:%M:%S}", str(len(states)), *cells)
    return table


class JobsLost(Exception):
    """Jobs of the batch that Redis no longer holds: it came back from a restart without its
    data (no append-only file or snapshot). Waiting on would end in "no jobs", exit code 0."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"Redis lost {jobs_named(missing)} of this batch: it came"
            " back without their data (turn on its append-only file: appendonly yes); the same"
            " command again makes them"
        )


def poll_interval(jobs: int) -> float:
    """Seconds between two looks at a batch: a tenth of a second for up to a hundred jobs, so
    a short run ends as soon as its job has; longer for larger batches (a look costs about
    3 ms of CPU a hundred jobs), about 3 % of a core, up to 2 s."""
    return min(2.0, max(0.1, jobs / 1000))


def wait_for_jobs(
    store: JobStore,
    job_ids: list[str],
    console: Console,
    *,
    healthy: Callable[[], bool] = lambda: True,
    poll_seconds: float | None = None,
) -> list[JobState]:
    """Show progress until every job has finished or is parked (or the workers died).
    JobsLost when Redis forgets some of them. Looks every ``poll_seconds``, by default
    ``poll_interval(len(job_ids))``."""
    if poll_seconds is None:
        poll_seconds = poll_interval(len(job_ids))

    def snapshot() -> list[JobState]:
        found = store.get_many(job_ids)  # pipelined: a few round trips for a whole batch
        if len(found) < len(job_ids):
            held = {state.spec.id for state in found}
            raise JobsLost([job_id for job_id in job_ids if job_id not in held])
        return found

    states = snapshot()
    try:
        with Live(progress_view(states), console=console, refresh_per_second=4) as live:
            while not all(state.status.settled for state in states) and healthy():
                time.sleep(poll_seconds)
                states = snapshot()
                live.update(progress_view(states))
    finally:  # also when Redis is gone or Ctrl-C: what follows starts on a line of its own
        console.line()
    return states
