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
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from config.logging import configure_logging
from config.settings import get_settings
from producer.batch_run import print_enqueued, run_batch
from producer.command_inputs import (
    bucket_or_exit,
    default_options,
    option_overrides,
    output_location,
    redis_or_exit,
    specs_or_exit,
    temp_dir_or_exit,
    written_choice,
)
from producer.exits import EXIT_JOB_FAILED, EXIT_OK, EXIT_USAGE
from producer.feeds.model import FeedFormat
from producer.plan_table import plan
from producer.progress import counting
from producer.run_files import discard_run_folder, worker_log
from producer.terminal import console, say
from worker.job.redis_outage import OUTAGE, REDIS_GAVE_UP, tell_outages_to
from worker.job.spec import BackendName, Container, Resolution
from worker.job.store import JobStore

if TYPE_CHECKING:
    pass


cli = typer.Typer(
    help="Turn photo sets and a plain-language prompt into finished videos.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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
ContainerOption = Annotated[
    Container | None, typer.Option(parser=written_choice(Container), help="mp4, mov, webm or mkv")
]
ResolutionOption = Annotated[
    Resolution | None,
    typer.Option(parser=written_choice(Resolution), help="720p, 1080p or 2160p (4K)"),
]
WorkersOption = Annotated[int | None, typer.Option(help="worker processes [default: 2]")]


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
        console.print(f"[red]error:[/] {escape(str(problem))}")
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
    from producer.enqueue import enqueue_specs
    from producer.run_files import new_batch_id
    from worker.flow.runtime import job_store

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
    from producer.inbox import Inbox
    from producer.run_files import new_batch_id

    if not inbox.is_dir():
        console.print(f"[red]error:[/] {escape(str(inbox))}: not a folder")
        raise typer.Exit(EXIT_USAGE)
    temp_dir_or_exit()
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
            announce=say,
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
    from worker.flow.runtime import job_store

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
    from worker.flow.reconciler import resume_parked
    from worker.flow.runtime import job_store

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
    from producer.worker_processes import worker_command
    from worker.queue.app import IO_QUEUE_SUFFIX

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
    from producer.redis_server import NoRedisServer

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
