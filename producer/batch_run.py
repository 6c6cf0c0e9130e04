"""``run`` and ``catalog`` on this machine: enqueue a batch, show it until it ends, write its
summary, and stop everything started, however the run ends (done, Ctrl-C, SIGTERM, Redis gone).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from config.settings import get_settings
from producer.exits import EXIT_INTERRUPTED, EXIT_JOB_FAILED, EXIT_OK
from producer.progress import (
    TABLE_ROWS,
    JobsLost,
    counting,
    jobs_named,
    shared_warnings,
    status_counts,
)
from producer.run_files import discard_run_folder, worker_log
from worker.backends import get_plugin
from worker.backends.base import Pool
from worker.job.redis_outage import OUTAGE, REDIS_GAVE_UP
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus

if TYPE_CHECKING:
    from producer.embedded import Runtime
    from producer.enqueue import EnqueueResult
    from worker.files.bucket import Bucket


from producer.command_inputs import bucket_or_exit, redis_or_exit, temp_dir_or_exit
from producer.terminal import console

STOPPED_WORKERS_LET_GO_SECONDS = 10.0


def print_summary(
    states: list[JobState],
    out: str,
    *,
    skipped: list[str] | None = None,
    warnings: dict[str, list[str]] | None = None,
    left_out: list[tuple[str, str]] | None = None,
) -> int:
    """A line per job (per failed job only, in a batch too big to list), each warning of a
    job (what was changed from what it asked), and the counts."""
    failed = [state for state in states if state.status != JobStatus.SUCCEEDED]
    listed = len(states) <= TABLE_ROWS
    shared = shared_warnings(warnings or {})
    for state in states:
        if state.status == JobStatus.SUCCEEDED:
            if listed:
                console.print(f"[green]✓[/] {state.spec.id} → {out}/{state.spec.id}/")
        else:
            where = f"{state.error_file}: " if state.error_file else ""
            reason = state.error or state.parked_reason or f"did not finish ({state.status})"
            console.print(f"[red]✗[/] {state.spec.id}: {state.status}: {where}{reason}")
        for warning in (warnings or {}).get(state.spec.id, []):
            if warning not in shared:
                console.print(f"[yellow]![/] {state.spec.id}: {escape(warning)}")
    for warning, job_ids in shared.items():
        console.print(f"[yellow]![/] {jobs_named(job_ids)}: {escape(warning)}")
    for job_id in skipped or []:
        console.print(f"[dim]=[/] {job_id}: unchanged, skipped → {out}/{job_id}/")
    for job_id, reason in left_out or []:
        console.print(f"[dim]-[/] {job_id}: {reason}, left out")
    made = f"{len(states) - len(failed)} of {len(states)} jobs succeeded" if states else "no jobs"
    unchanged = f", {len(skipped)} unchanged and skipped" if skipped else ""
    dropped = f", {len(left_out)} left out (--include-out-of-stock makes them)" if left_out else ""
    console.print(f"{made}{unchanged}{dropped}; reports in {out}")
    return EXIT_JOB_FAILED if failed else EXIT_OK


def print_enqueued(result: EnqueueResult, out: str) -> None:
    for job_id in result.skipped:
        console.print(
            f"[yellow]↷[/] {job_id}: already made in {out}/{job_id}/, skipped "
            "(--overwrite makes it again)"
        )
    for job_id in result.conflicts:
        console.print(f"[red]✗[/] {job_id}: another job with this id exists")


def render_processes(workers: int, specs: list[JobSpec]) -> int:
    """Worker processes for the CPU-pool jobs (renders) of ``specs``: ``workers`` at
    most, and no more than there are renders (an idle one only costs start-up and memory)."""
    renders = sum(get_plugin(spec.options.backend).pool != Pool.IO for spec in specs)
    return min(workers, max(1, renders))


class Terminated(Exception):
    """SIGTERM reached ``run``: everything it started is stopped at once."""


def _raise_terminated(_number: int, _frame: object) -> None:
    raise Terminated


def stop_after_interrupt(runtime: Runtime) -> str:
    """After a first Ctrl-C: let the running stages finish, unless a second Ctrl-C (or a
    SIGTERM) comes meanwhile. Says truthfully which of the two happened."""
    console.print(
        "Ctrl-C: letting the running stages finish, then stopping (Ctrl-C again stops now)"
    )
    try:
        runtime.finish_running_stages()
    except (KeyboardInterrupt, Terminated):
        runtime.stop_at_once()
        return "interrupted: stopped at once; the running stages were cut short"
    return "interrupted: the running stages finished; workers stopped"


def run_batch(
    specs: list[JobSpec],
    *,
    out: str,
    workers: int | None,
    skipped: list[str] | None = None,
    left_out: list[tuple[str, str]] | None = None,
    overwrite: bool = False,
    finish: Callable[[], bool] | None = None,
) -> None:
    """Enqueue ``specs`` as one batch, show progress until they end, exit with the verdict.
    ``skipped``: ids left out as unchanged, named in the summary; ``left_out``: products
    not made and why (out of stock); ``finish``: what to do once the batch has ended (not
    when it was cut short), False when it failed.

    Ctrl-C lets the running stages finish (a second one stops them at once); SIGTERM stops
    at once. Either way the workers (and their ffmpeg) and the embedded Redis are stopped and
    the scratch folders and work areas of the jobs left unfinished are removed. Redis
    unreachable for longer than ``PHOTOREEL_REDIS_RETRY_SECONDS`` stops it too, in one line,
    exit code 1. The run's folder in TMPDIR goes, unless its worker log is named at the end (a
    job failed)."""
    from producer import head_start
    from producer.enqueue import EnqueueResult

    temp_dir_or_exit()
    redis_or_exit()
    bucket = bucket_or_exit(out)
    batch = head_start.batch_id()
    run = LocalRun(EnqueueResult(batch=batch))
    processes = render_processes(workers or get_settings().workers, specs)
    if specs:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            run = run_locally(
                specs, bucket, out=out, batch=batch, workers=processes, overwrite=overwrite
            )
        except (KeyboardInterrupt, Terminated):
            run.stopped = "interrupted before the jobs were queued; everything started is stopped"
        except REDIS_GAVE_UP as problem:
            console.print(
                f"[red]error:[/] {OUTAGE.gave_up(problem)}; worker log: {worker_log(batch)}"
            )
            raise typer.Exit(EXIT_JOB_FAILED) from None
        except JobsLost as problem:
            console.print(f"[red]error:[/] {escape(str(problem))}")
            raise typer.Exit(EXIT_JOB_FAILED) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    if run.stopped:
        discard_run_folder(batch)
        console.print(run.stopped)
        if run.states_known:
            print_counts(run.states, out)
        raise typer.Exit(EXIT_INTERRUPTED)
    if run.page:
        console.print(f"batch summary: {run.page}")
    code = print_summary(run.states, out, skipped=skipped, warnings=run.warnings, left_out=left_out)
    if specs and (code != EXIT_OK or run.result.conflicts):
        console.print(f"worker log: {worker_log(batch)}")
    else:
        discard_run_folder(batch)
    finished = finish() if finish is not None else True
    failed = run.result.conflicts or not finished
    raise typer.Exit(EXIT_JOB_FAILED if failed else code)


@dataclass
class LocalRun:
    """How a batch went on this machine's workers."""

    result: EnqueueResult
    states: list[JobState] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    """Per job id: what was changed from what the job asked (its report says the same)."""
    stopped: str | None = None
    """How the run was cut short, if it was: a line that says so."""
    states_known: bool = True
    """False when Redis could not say where the jobs of a run cut short stand."""
    page: str | None = None
    """The batch's summary page, once written."""


def run_locally(
    specs: list[JobSpec],
    bucket: Bucket,
    *,
    out: str,
    batch: str,
    workers: int,
    overwrite: bool,
) -> LocalRun:
    """Enqueue and wait, with this machine's workers; write the batch's summary."""
    from producer.embedded import local_runtime
    from producer.enqueue import EnqueueResult, enqueue_specs
    from producer.progress import wait_for_jobs
    from worker.outputs.publish import clear_work
    from worker.outputs.report import job_warnings
    from worker.outputs.summary import write_summary_when_reported

    run = LocalRun(EnqueueResult(batch=batch))
    needs_io = any(get_plugin(spec.options.backend).pool == Pool.IO for spec in specs)
    with local_runtime(
        get_settings(), workers=workers, log_file=worker_log(batch), io_pool=needs_io
    ) as runtime:
        store = runtime.store
        try:
            run.result = enqueue_specs(
                specs,
                store,
                out=out,
                batch=batch,
                overwrite=overwrite,
                progress=counting(console, "queueing"),
            )
            print_enqueued(run.result, out)
            console.print(f"batch {batch}: {len(run.result.job_ids)} job(s), output {out}")
            run.states = wait_for_jobs(store, run.result.job_ids, console, healthy=runtime.healthy)
            if run.result.job_ids:
                run.page = write_summary_when_reported(bucket, batch, run.states)
            if all(state.status.settled for state in run.states):
                runtime.finish()
        except KeyboardInterrupt:
            OUTAGE.stop_waiting()
            run.stopped = stop_after_interrupt(runtime)
        except Terminated:
            OUTAGE.stop_waiting()
            runtime.stop_at_once()
            run.stopped = "terminated: workers, their stages and the embedded Redis stopped at once"
        except (*REDIS_GAVE_UP, JobsLost):
            runtime.stop_at_once()  # nothing more can be recorded; a rerun resumes the jobs
            raise
        try:
            if run.stopped:
                run.states = store.batch_jobs(batch)
            checkpoints = store.checkpoints([state.spec.id for state in run.states])
            for state in run.states:
                run.warnings[state.spec.id] = job_warnings(state.spec, checkpoints[state.spec.id])
        except REDIS_GAVE_UP:
            if not run.stopped:
                raise
            run.stopped += "; Redis is unreachable: where its jobs stand is unknown"
            run.states_known = False
        if runtime.embedded:  # its Redis goes with this run: no one can resume these jobs
            for state in run.states:
                if not state.status.finished:  # its killed workers let go as they exit
                    clear_work(state, bucket, wait=STOPPED_WORKERS_LET_GO_SECONDS)
    return run


def print_counts(states: list[JobState], out: str) -> None:
    """How many jobs stand where, in one line, and the failed ones: for a batch cut short."""
    console.print(
        f"{len(states)} job(s): {status_counts(states) or 'none queued'}; reports in {out}"
    )
    for state in states:
        if state.status.went_wrong:
            console.print(f"[red]✗[/] {state.spec.id}: {state.status}: {state.error}")
