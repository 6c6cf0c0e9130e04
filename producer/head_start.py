"""A head start for a self-contained ``run`` or ``catalog``: the embedded Redis and the first
render worker are started as the command begins, before it imports the rest of itself and
reads its inputs. A worker takes about 0.7 s to start (imports and Celery's start-up, on one
core); begun here, that runs beside the command's own 0.5 s of imports and reading on the
other core, instead of after them.

``producer.embedded.local_runtime`` takes them over (``take``); a command that ends before
it does (a usage error, bad input, nothing to make, Ctrl-C) stops them on its way out, and
removes the run's folder they made. Only this module and what it imports (all light) load
before the processes are started.
"""

from __future__ import annotations

import atexit
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from producer.redis_server import EmbeddedRedis
from producer.run_files import discard_run_folder, new_batch_id, temp_dir_problem, worker_log
from producer.worker_processes import WorkerProcesses, render_worker_name

COMMANDS = frozenset({"run", "catalog"})
"""The commands that make their videos with this machine's workers and want them soon."""


@dataclass
class HeadStart:
    batch: str
    redis: EmbeddedRedis
    worker: WorkerProcesses

    def stop(self) -> None:
        self.worker.kill()
        self.redis.stop()
        discard_run_folder(self.batch)


_started: HeadStart | None = None


def wanted(argv: list[str], redis_url: str | None) -> bool:
    """A self-contained ``run`` or ``catalog`` that will start workers; not for its help, nor
    where ``TMPDIR`` cannot be used (the command says why, and starts nothing)."""
    if redis_url is not None or argv[1:2] == [] or argv[1] not in COMMANDS:
        return False
    if any(argument in ("--help", "-h") for argument in argv[2:]):
        return False
    return temp_dir_problem() is None


def begin(queue: str, scratch: Path) -> None:
    """Start the run's Redis and its first render worker (``queue``, jobs' scratch folders in
    ``scratch``), to be taken over by the run or stopped when the command ends."""
    global _started
    batch = new_batch_id()
    redis = EmbeddedRedis()
    worker = WorkerProcesses(
        redis.url,
        queue=queue,
        pool="solo",
        concurrency=1,
        log_file=worker_log(batch),
        scratch=scratch,
        name=render_worker_name(queue, 1),
    )
    worker.start()  # first: it imports for 0.5 s before it connects, while Redis starts
    redis.launch()
    _started = HeadStart(batch, redis, worker)
    atexit.register(_stop_unclaimed)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def batch_id() -> str:
    """The id of the batch this command makes: the head start's, else a new one."""
    return _started.batch if _started is not None else new_batch_id()


def take(log_file: Path) -> HeadStart | None:
    """The head start, for the run logging to ``log_file`` (its batch); None if there is
    none for it. Taken once: from then on the run stops it."""
    global _started
    if _started is None or worker_log(_started.batch) != log_file:
        return None
    taken, _started = _started, None
    return taken


def _stop_unclaimed() -> None:
    global _started
    if _started is not None:
        _started.stop()
        _started = None


def _exit_on_sigterm(_number: int, _frame: object) -> None:
    """Before the run takes over its signals: SIGTERM ends the command through its exit
    handlers, so what was started here is stopped too."""
    sys.exit(128 + signal.SIGTERM)
