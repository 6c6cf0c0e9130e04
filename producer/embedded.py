"""Self-contained mode: a private Redis server and this machine's worker processes, started
and stopped by ``photoreel run``, ``catalog`` and ``watch``; with ``REDIS_URL``, that Redis
and, unless the deployment's workers do the work, this machine's workers."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from producer import head_start
from producer.redis_server import EmbeddedRedis
from producer.run_files import remove_if_empty, worker_temp
from producer.worker_processes import SHUTDOWN_SECONDS, WorkerProcesses, render_worker_name
from worker.job import keys
from worker.job.store import JobStore
from worker.queue.app import IO_QUEUE_SUFFIX, connect


@dataclass
class Runtime:
    redis_url: str
    pools: list[WorkerProcesses]
    log_file: Path
    embedded: bool = False
    """Redis and the workers are this process's own, gone when it ends: no one can take its
    unfinished jobs further."""

    def healthy(self) -> bool:
        """Restart worker processes that died; False once one has died too often."""
        return all([pool.supervise() for pool in self.pools])

    def _stop_all(self, timeout: float | None) -> None:
        """Every worker is asked at once (one still running would take new stages while
        another is waited for), then each is waited for."""
        for pool in self.pools:
            pool.ask_to_stop()
        deadline = None if timeout is None else time.monotonic() + timeout
        for pool in self.pools:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            pool.wait_stopped(left)

    def finish_running_stages(self) -> None:
        """Let the workers finish the stages they are running, however long, then stop."""
        self._stop_all(timeout=None)

    def stop_at_once(self) -> None:
        """Kill the workers, their pools and what they run, now."""
        for pool in self.pools:
            pool.kill()

    def finish(self) -> None:
        """Every job is over and its report written: stop the workers. Private ones (with the
        embedded Redis, nothing of theirs outlives this process) are killed at once, since
        they have nothing left to do and a warm shutdown only costs time (about 0.2 s for a
        solo worker); others get a warm shutdown."""
        if self.embedded:
            self.stop_at_once()
        else:
            self._stop_all(SHUTDOWN_SECONDS)

    @property
    def store(self) -> JobStore:
        from worker.flow.runtime import job_store

        return job_store()


def render_workers(
    settings: Settings,
    redis_url: str,
    renders: int,
    *,
    log_file: Path,
    scratch: Path,
    first: WorkerProcesses | None,
) -> list[WorkerProcesses]:
    """One single-process (``solo``) worker per render at once, which renders in its own
    process: a prefork pool would add a main process of about 80 MB that runs no stage.
    ``first``: one already started (``producer.head_start``)."""
    return [
        first
        if number == 1 and first is not None
        else WorkerProcesses(
            redis_url,
            queue=settings.queue,
            pool="solo",
            concurrency=1,
            log_file=log_file,
            scratch=scratch,
            name=render_worker_name(settings.queue, number),
        )
        for number in range(1, renders + 1)
    ]


def tell_renders(store: JobStore, workers: list[WorkerProcesses], settings: Settings) -> None:
    """Each render worker learns how many renders share this machine's cores (they divide
    the encoder's threads: ``worker.flow.runtime.renders_on_machine``)."""
    with store.redis.pipeline() as pipe:
        for worker in workers:
            pipe.set(keys.machine_renders(worker.name), len(workers), ex=settings.retention_seconds)
        pipe.execute()


@contextmanager
def local_runtime(
    settings: Settings,
    *,
    workers: int | None,
    log_file: Path,
    io_pool: bool,
    deployment_workers: bool = False,
) -> Iterator[Runtime]:
    """Redis (``REDIS_URL``, else an embedded server), this process connected to it, and this
    machine's worker processes: one single-process worker per render at once
    (``render_workers``) and, when cloud jobs are coming, a threads pool for them. ``run``,
    ``catalog`` and ``watch`` share it. Celery enforces no time limit in a single-process
    worker; ``worker.flow.stage_deadline`` does. What ``producer.head_start`` started for
    this run is taken over.

    The workers' temp folder (``producer.run_files``) goes when they have stopped, and so
    does the scratch folders' root when no job left anything in it.

    ``deployment_workers``: with ``REDIS_URL``, start no workers (the deployment's do the
    work); without it, workers are started all the same."""
    from worker.files.scratch import scratch_root

    scratch = scratch_root()
    head = head_start.take(log_file) if settings.redis_url is None else None
    embedded = head.redis if head else EmbeddedRedis() if settings.redis_url is None else None
    try:
        if embedded is not None:
            redis_url = (embedded.wait_ready() if head else embedded.start()).url
        else:
            redis_url = str(settings.redis_url)
        connect(redis_url)
        with ExitStack() as stack:
            renders: list[WorkerProcesses] = []
            if embedded or not deployment_workers:
                renders = render_workers(
                    settings,
                    redis_url,
                    workers or settings.workers,
                    log_file=log_file,
                    scratch=scratch,
                    first=head.worker if head else None,
                )
            cloud = (
                [
                    WorkerProcesses(
                        redis_url,
                        queue=f"{settings.queue}{IO_QUEUE_SUFFIX}",
                        pool="threads",
                        concurrency=settings.io_concurrency,
                        log_file=log_file,
                        scratch=scratch,
                    )
                ]
                if renders and io_pool
                else []
            )
            for pool in [*renders, *cloud]:
                if pool.process is None:  # not the head start's, already running
                    pool.start()
                stack.callback(pool.stop)
            runtime = Runtime(redis_url, [*renders, *cloud], log_file, embedded=bool(embedded))
            if renders:
                tell_renders(runtime.store, renders, settings)
            yield runtime
    finally:
        if embedded:
            embedded.stop()
        shutil.rmtree(worker_temp(log_file), ignore_errors=True)
        if settings.scratch_dir is None:
            remove_if_empty(scratch)
