"""This machine's worker processes for a self-contained ``run``, ``catalog`` or ``watch``:
a ``celery worker`` (a pool serving one queue) or a single-process worker, each logging to
the run's worker log and supervised by the command. Importing this module costs next to
nothing, so a command can start its first worker before it has imported anything else
(``producer.head_start``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from producer.run_files import worker_temp

SHUTDOWN_SECONDS = 60.0
MAX_RESTARTS = 3


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


def solo_worker_command(*, queue: str, log_level: str, name: str) -> list[str]:
    """A single-process worker for one queue (``worker.flow.solo_worker``): it renders in its
    own process, without mingle or gossip."""
    return [
        sys.executable, "-m", "worker.flow.solo_worker",
        "--queues", queue,
        "--loglevel", log_level,
        "--hostname", name,
    ]  # fmt: skip


def render_worker_name(queue: str, number: int) -> str:
    """The node name of a run's ``number``-th render worker on this machine: how Celery and
    Redis (``worker.job.keys``) tell it from the others."""
    return f"{queue}-{number}@{socket.gethostname()}"


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
    ) -> None:
        self.redis_url = redis_url
        self.name = name or f"{queue}@%h"
        # This machine's own workers: no other worker to sync with at start-up (mingle waits
        # a second for replies) or to watch (gossip).
        self.command = (
            solo_worker_command(queue=queue, log_level="WARNING", name=self.name)
            if pool == "solo"
            else [
                *worker_command(
                    queue=queue,
                    pool=pool,
                    concurrency=concurrency,
                    log_level="WARNING",
                    name=self.name,
                ),
                "--without-mingle",
                "--without-gossip",
            ]
        )
        self.log_file = log_file
        self.scratch = scratch
        """Jobs' scratch folders; given: the workers' TMPDIR is the run's own temp folder
        (``producer.run_files.worker_temp``), and their jobs' scratch stays here."""
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.stopped = False

    def start(self) -> WorkerProcesses:
        env = {**os.environ, "REDIS_URL": self.redis_url, "PHOTOREEL_LOG_FORMAT": "json"}
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
