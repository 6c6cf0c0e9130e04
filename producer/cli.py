"""The ``photoreel`` command.

Exit codes: 0 every job succeeded, 1 a job failed, 2 usage or input errors (a bad manifest,
a path that is not a photo set).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from config.logging import configure_logging
from config.settings import get_settings
from producer.exits import EXIT_INTERRUPTED, EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE
from producer.feeds.model import FeedFormat
from producer.manifest import ManifestError, load_manifest
from producer.photosets import PhotoSetError, specs_from_folder
from producer.plan_table import plan
from producer.progress import TABLE_ROWS, counting, jobs_named, shared_warnings, status_counts
from producer.run_files import discard_run_folder, worker_log
from worker.backends import get_plugin
from worker.backends.base import Pool
from worker.jobs import JobState, JobStatus, JobStore
from worker.redis_outage import OUTAGE, REDIS_GAVE_UP, tell_outages_to
from worker.spec import BackendName, Container, JobOptions, JobSpec, Resolution

if TYPE_CHECKING:
    from producer.embedded import Runtime
    from producer.enqueue import EnqueueResult
    from worker.bucket import Bucket

MANIFEST_SUFFIXES = (".yaml", ".yml")
STOPPED_WORKERS_LET_GO_SECONDS = 10.0

cli = typer.Typer(
    help="Turn photo sets and a plain-language prompt into finished videos.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True, soft_wrap=True)

PathsArgument = Annotated[
    list[Path], typer.Argument(help="photo folders, folders of photo folders, YAML manifests")
]
BackendOption = Annotated[
    BackendName | None, typer.Option(help="local (default, offline), nemo (cloud) or dry (preview)")
]
OutOption = Annotated[
    str | None, typer.Option(help="output folder or s3://bucket/prefix [default: ./out]")
]
OverwriteOption = Annotated[
    bool, typer.Option(help="make jobs again whose outputs are already in the bucket")
]
ContainerOption = Annotated[Container | None, typer.Option(help="mp4, mov, webm or mkv")]
ResolutionOption = Annotated[Resolution | None, typer.Option(help="720p, 1080p or 2160p (4K)")]
WorkersOption = Annotated[int | None, typer.Option(help="worker processes [default: 2]")]


class UsageProblem(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


def collect_specs(paths: list[Path], overrides: dict[str, object]) -> list[JobSpec]:
    """The jobs of ``paths``. Options: ``overrides`` (the command line's flags) win over a
    manifest's, which win over the settings' defaults (``PHOTOREEL_BACKEND``)."""
    defaults = default_options()
    specs: list[JobSpec] = []
    for path in paths:
        if path.is_dir():
            found = specs_from_folder(path, JobOptions.model_validate({**defaults, **overrides}))
        elif path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES:
            console.print(f"reading {path}")
            progress = counting(console, f"reading {path.name}")
            found = load_manifest(path, overrides=overrides, defaults=defaults, progress=progress)
        elif not path.exists():
            raise UsageProblem(f"{path}: no such file or folder")
        else:
            raise UsageProblem(f"{path}: not a photo folder or a .yaml manifest")
        specs.extend(found)
    named: dict[str, JobSpec] = {}
    for spec in specs:
        if spec.id in named:
            first, second = named[spec.id].source.path, spec.source.path
            where = f" ({first} and {second})" if first != second else f" (both in {first})"
            raise UsageProblem(f"two jobs are named {spec.id!r}{where}: rename a folder or set ids")
        named[spec.id] = spec
    return specs


def default_options() -> dict[str, object]:
    """Options a job takes from the settings when nothing more specific sets them."""
    return {"backend": BackendName(get_settings().backend)}


def option_overrides(
    backend: BackendName | None, container: Container | None, resolution: Resolution | None
) -> dict[str, object]:
    """The options given as flags: only these override a manifest's or a job.yaml's."""
    flags = {"backend": backend, "container": container, "resolution": resolution}
    return {name: value for name, value in flags.items() if value is not None}


def output_location(out: str | None) -> str:
    location = out or get_settings().out
    return location if "://" in location else str(Path(location).expanduser().resolve())


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
    """Worker processes for the prefork-pool jobs (renders) of ``specs``: ``workers`` at
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
    from producer.enqueue import EnqueueResult, new_batch_id

    redis_or_exit()
    bucket = bucket_or_exit(out)
    batch = new_batch_id()
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
    from worker.publish import clear_work
    from worker.report import job_warnings
    from worker.summary import write_summary_when_reported

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
        except REDIS_GAVE_UP:
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


def redis_or_exit() -> None:
    """With ``REDIS_URL``, check it answers before anything is made: else a usage error."""
    from urllib.parse import urlsplit

    from redis import Redis
    from redis.exceptions import RedisError

    url = get_settings().redis_url
    if url is None:
        return
    try:
        Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (RedisError, ValueError) as problem:
        parts = urlsplit(url)
        shown = parts._replace(netloc=f"***@{parts.hostname}:{parts.port}").geturl()
        console.print(
            f"[red]error:[/] REDIS_URL={shown if parts.password else url}: "
            f"Redis does not answer ({problem}); accepted: the redis://host:port/db of a "
            "running Redis, or unset for a self-contained run"
        )
        raise typer.Exit(EXIT_USAGE) from None


def bucket_or_exit(location: str) -> Bucket:
    """The output bucket, checked before any job is queued: a bad one is a usage error."""
    from worker.bucket import BucketError, open_bucket

    try:
        bucket = open_bucket(location)
        bucket.check()
    except (ValueError, BucketError) as problem:
        console.print(f"[red]error:[/] output bucket: {problem}")
        raise typer.Exit(EXIT_USAGE) from None
    return bucket


def specs_or_exit(paths: list[Path], overrides: dict[str, object]) -> list[JobSpec]:
    try:
        return collect_specs(paths, overrides)
    except (UsageProblem, PhotoSetError, ManifestError) as problem:
        console.print(f"[red]error:[/] {problem}")
        raise typer.Exit(EXIT_USAGE) from None


@cli.command()
def run(
    paths: PathsArgument,
    backend: BackendOption = None,
    out: OutOption = None,
    workers: WorkersOption = None,
    container: ContainerOption = None,
    resolution: ResolutionOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Make the videos and wait for them. Without REDIS_URL, runs self-contained."""
    specs = specs_or_exit(paths, option_overrides(backend, container, resolution))
    run_batch(specs, out=output_location(out), workers=workers, overwrite=overwrite)


@cli.command()
def catalog(
    feed: Annotated[str, typer.Argument(help="product feed: a file or an http(s) URL")],
    prompt_template: Annotated[
        str, typer.Option(help='prompt with product fields: "promo for {title}, {price}"')
    ],
    backend: BackendOption = None,
    out: OutOption = None,
    workers: WorkersOption = None,
    container: ContainerOption = None,
    resolution: ResolutionOption = None,
    template: Annotated[
        str | None, typer.Option(help="clean, bold, minimal, or a template .yaml file")
    ] = None,
    brand: Annotated[str | None, typer.Option(help="brand file (default: brand.yaml)")] = None,
    logo: Annotated[str | None, typer.Option(help="logo PNG for every product")] = None,
    cta: Annotated[str | None, typer.Option(help="call to action on the end card")] = None,
    feed_format: Annotated[
        FeedFormat | None,
        typer.Option("--format", help="the feed's layout [default: told from the file]"),
    ] = None,
    map_columns: Annotated[
        str | None,
        typer.Option("--map", help="attributes from other columns: title=Name,price=Cost"),
    ] = None,
    locale: Annotated[
        str | None, typer.Option(help="how prices are written: de_DE [default: the currency's]")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="currency of prices written without one: EUR")
    ] = None,
    include_out_of_stock: Annotated[
        bool, typer.Option(help="make videos of products out of stock too")
    ] = False,
    feed_out: Annotated[
        str | None,
        typer.Option(help="write the feed back with each video's link: a file or s3://…"),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(help="where the output is served, for the links: https://cdn.example/reels/"),
    ] = None,
    presign_days: Annotated[
        int | None,
        typer.Option(help="an s3:// output without --public-url: presigned links, valid N days"),
    ] = None,
) -> None:
    """One video per product of a feed; a rerun makes only the changed products.

    A product is skipped when its photos (their bytes, or for a URL its server's ETag and
    Last-Modified) and prompt are those of its finished report in the output folder. With
    --feed-out, the feed is written back once the batch has ended, each product's video link
    in its platform's column. Without REDIS_URL, runs self-contained."""
    from producer.catalog import CatalogError, read_catalog
    from producer.catalog import split_unchanged as unchanged_of
    from producer.feed_out import FeedOutError, FeedOutFlags, feed_out_plan, write_and_report
    from producer.feeds.flags import FeedOptionError, feed_options

    overrides = {**default_options(), **option_overrides(backend, container, resolution)}
    promo = {"template": template, "brand": brand, "logo": logo, "cta": cta}
    for key in ("template", "brand", "logo"):
        if promo[key] and Path(str(promo[key])).exists():
            promo[key] = str(Path(str(promo[key])).resolve())
    overrides.update({key: value for key, value in promo.items() if value is not None})
    try:
        options = feed_options(feed_format, map_columns, locale, currency)
        found = read_catalog(
            feed, prompt_template, overrides,
            feed_options=options, include_out_of_stock=include_out_of_stock,
        )  # fmt: skip
        location = output_location(out)
        flags = FeedOutFlags(feed_out, public_url, presign_days)
        plan = feed_out_plan(found, feed, location, flags)
    except (CatalogError, FeedOptionError, FeedOutError) as problem:
        console.print(f"[red]error:[/] {problem}")
        raise typer.Exit(EXIT_USAGE) from None
    console.print(found.describe(Path(feed).name))
    for note in found.feed.notes:
        console.print(f"[yellow]![/] {note}")
    finish = partial(write_and_report, plan, console) if plan is not None else None
    todo, unchanged = unchanged_of(found.specs, location)
    skipped = [spec.id for spec in unchanged]
    run_batch(
        todo, out=location, workers=workers, skipped=skipped, left_out=found.left_out,
        overwrite=True, finish=finish,
    )  # fmt: skip


@cli.command()
def enqueue(
    paths: PathsArgument,
    backend: BackendOption = None,
    out: OutOption = None,
    container: ContainerOption = None,
    resolution: ResolutionOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Put jobs on the queue of a running deployment (REDIS_URL) and print the batch id."""
    from producer.enqueue import enqueue_specs, new_batch_id
    from worker.runtime import job_store

    if get_settings().redis_url is None:
        console.print("[red]error:[/] enqueue needs REDIS_URL (or use `photoreel run`)")
        raise typer.Exit(EXIT_USAGE)
    redis_or_exit()
    specs = specs_or_exit(paths, option_overrides(backend, container, resolution))
    location = output_location(out)
    bucket_or_exit(location)
    result = enqueue_specs(
        specs,
        job_store(),
        out=location,
        batch=new_batch_id(),
        overwrite=overwrite,
        progress=counting(console, "queueing"),
    )
    print_enqueued(result, location)
    console.print(f"enqueued {len(result.enqueued)} job(s)")
    typer.echo(result.batch)
    raise typer.Exit(EXIT_JOB_FAILED if result.conflicts else EXIT_OK)


@cli.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="folder to watch for photo folders")],
    backend: BackendOption = None,
    out: OutOption = None,
    polling: Annotated[
        bool, typer.Option(help="poll instead of OS events (network drives)")
    ] = False,
    workers: WorkersOption = None,
    container: ContainerOption = None,
    resolution: ResolutionOption = None,
) -> None:
    """Turn each complete folder dropped into INBOX into a job, until Ctrl-C or SIGTERM.

    Without REDIS_URL, runs self-contained and lets enqueued jobs finish on the first Ctrl-C.
    With REDIS_URL it only enqueues; the deployment's workers make the videos."""
    from producer.embedded import local_runtime
    from producer.enqueue import new_batch_id
    from producer.inbox import Inbox

    if not inbox.is_dir():
        console.print(f"[red]error:[/] {inbox}: not a folder")
        raise typer.Exit(EXIT_USAGE)
    redis_or_exit()
    settings = get_settings()
    location = output_location(out)
    batch = new_batch_id()
    stop, abort = threading.Event(), threading.Event()

    def on_signal(_number: int, _frame: object) -> None:
        OUTAGE.stop_waiting()  # stopping: a call waiting for Redis gives up
        (abort if stop.is_set() else stop).set()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, on_signal)
    runtime_context = local_runtime(
        settings,
        workers=workers,
        log_file=worker_log(batch),
        io_pool=True,  # a job.yaml may ask for a backend of the I/O pool
        deployment_workers=True,
    )
    with ExitStack() as cleanup:
        cleanup.callback(discard_run_folder, batch)  # its jobs' logs are in the bucket
        runtime = cleanup.enter_context(runtime_context)
        watcher = Inbox(
            inbox,
            runtime.store,
            out=location,
            batch=batch,
            overrides={**default_options(), **option_overrides(backend, container, resolution)},
            settle_seconds=settings.inbox_settle_seconds,
            rescan_seconds=settings.inbox_rescan_seconds,
            announce=console.print,
        )
        console.print(f"watching {watcher.root} (batch {batch}, output {location}); Ctrl-C stops")
        watcher.run(stop, polling=polling)
        if runtime.pools and watcher.jobs:
            console.print(f"finishing {len(watcher.jobs)} job(s); Ctrl-C again to stop now")
            watcher.drain(abort, healthy=runtime.healthy)
    console.print("stopped")
    raise typer.Exit(EXIT_OK)


@cli.command()
def status(
    batch: Annotated[str | None, typer.Argument(help="batch id [default: newest]")] = None,
    list_batches: Annotated[
        bool, typer.Option("--list", help="list the recent batches instead")
    ] = False,
    limit: Annotated[int, typer.Option(help="how many batches --list shows")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """Show the jobs of a batch: stages, durations and errors."""
    from producer import status_json
    from producer.progress import batches_table, jobs_table
    from worker.runtime import job_store

    redis_or_exit()
    store: JobStore = job_store()
    if list_batches:
        recent = store.recent_batches(limit)
        rows = [
            (batch_id, datetime.fromtimestamp(created, UTC), store.batch_jobs(batch_id))
            for batch_id, created in recent
        ]
        if as_json:
            typer.echo(json.dumps(status_json.batches_json(rows)))
        else:
            Console().print(batches_table(rows))
        raise typer.Exit(EXIT_OK)
    batch = batch or store.latest_batch()
    if batch is None:
        console.print("no batches yet")
        raise typer.Exit(EXIT_OK)
    states = store.batch_jobs(batch)
    if not states:
        from producer.archive import archived_summary, print_archived, summary_failed

        summary = archived_summary(get_settings().out, batch)
        if summary is None:
            console.print(f"no batch {batch} in Redis, and no summary of it in the bucket")
            raise typer.Exit(EXIT_USAGE)
        if as_json:
            typer.echo(json.dumps(status_json.archived_batch_json(summary)))
            raise typer.Exit(EXIT_JOB_FAILED if summary_failed(summary) else EXIT_OK)
        raise typer.Exit(EXIT_JOB_FAILED if print_archived(Console(), summary) else EXIT_OK)
    failed = any(state.status.went_wrong for state in states)
    if as_json:
        typer.echo(json.dumps(status_json.batch_json(batch, states)))
        raise typer.Exit(EXIT_JOB_FAILED if failed else EXIT_OK)
    Console().print(jobs_table(states))
    for state in states:
        if state.error:
            where = f"{state.error_file}: " if state.error_file else ""
            console.print(f"[red]✗[/] {state.spec.id}: {where}{state.error}")
    raise typer.Exit(EXIT_JOB_FAILED if failed else EXIT_OK)


@cli.command()
def retry(
    batch_or_job: Annotated[str, typer.Argument(help="a batch id, or one job's id")],
) -> None:
    """Run failed and dead jobs again from the stage they stopped at (a paid request already
    sent is not sent again)."""
    from producer.operator import retry_command

    redis_or_exit()
    raise typer.Exit(retry_command(batch_or_job, console))


@cli.command()
def cancel(batch: Annotated[str, typer.Argument(help="the batch id")]) -> None:
    """Cancel a batch: queued jobs never start, running ones stop after their current stage."""
    from producer.operator import cancel_command

    redis_or_exit()
    raise typer.Exit(cancel_command(batch, console))


@cli.command()
def resume() -> None:
    """After a credit top-up: close the credit breaker and requeue every parked job."""
    from worker.reconciler import resume_parked
    from worker.runtime import job_store

    redis_or_exit()
    console.print(f"resumed {resume_parked(job_store())} parked job(s)")


@cli.command("fake-nemo")
def fake_nemo(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8765,
    credits: Annotated[int, typer.Option(help="credits of each new account")] = 1000,
) -> None:
    """Serve a NemoVideo-compatible stub for dry runs without credits
    (then: NEMO_API_URL=http://127.0.0.1:PORT photoreel run … --backend nemo)."""
    try:
        from worker.backends.nemo.stub import FakeConfig, serve
    except ImportError as missing:
        console.print(
            f"fake-nemo needs the optional extra: pip install 'photoreel[fake]'"
            f" ({missing.name} is not installed)",
            style="red",
            markup=False,
        )
        raise typer.Exit(EXIT_USAGE) from None

    console.print(f"fake NemoVideo on http://127.0.0.1:{port} (Ctrl-C stops it)")
    serve("127.0.0.1", port, FakeConfig(initial_credits=credits))


@cli.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="pool size [default: 2, io: 16]")] = None,
    io: Annotated[bool, typer.Option("--io", help="serve cloud stages with threads")] = False,
    name: Annotated[
        str | None, typer.Option(help="node name [default: QUEUE@HOSTNAME]; one per worker")
    ] = None,
) -> None:
    """Run a worker for a long-running deployment (REDIS_URL)."""
    from producer.embedded import worker_command
    from worker.app import IO_QUEUE_SUFFIX

    settings = get_settings()
    command = worker_command(
        queue=f"{settings.queue}{IO_QUEUE_SUFFIX}" if io else settings.queue,
        pool="threads" if io else "prefork",
        concurrency=concurrency or (settings.io_concurrency if io else settings.workers),
        log_level=settings.log_level,
        name=name,
    )
    os.execv(sys.executable, command)


cli.command()(plan)


def main() -> None:
    from producer.embedded import NoRedisServer

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    tell_outages_to(lambda message: console.print(f"[yellow]{escape(message)}[/]"))
    try:
        cli()
    except NoRedisServer as problem:
        console.print(f"[red]error:[/] {escape(str(problem))}")
        raise SystemExit(EXIT_USAGE) from None
    except REDIS_GAVE_UP as problem:
        console.print(f"[red]error:[/] {escape(OUTAGE.gave_up(problem))}")
        raise SystemExit(EXIT_JOB_FAILED) from None
