"""Run the stub: blocking for the command line, or in a background thread for tests."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from worker.backends.nemo.stub.app import StreamDropped, create_app
from worker.backends.nemo.stub.world import FakeConfig, World


class _HideDroppedStreams(logging.Filter):
    """A stream cut on purpose is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, StreamDropped):
                return False
            error = error.__cause__ or error.__context__
        return True


HIDE_DROPPED_STREAMS = _HideDroppedStreams()


def _server(host: str, port: int, world: World, log_level: str) -> uvicorn.Server:
    logging.getLogger("uvicorn.error").addFilter(HIDE_DROPPED_STREAMS)
    config = uvicorn.Config(
        create_app(world),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def serve(host: str = "127.0.0.1", port: int = 8765, config: FakeConfig | None = None) -> None:
    """Serve the stub until interrupted (``photoreel fake-nemo``)."""
    _server(host, port, World(config or FakeConfig()), "info").run()


@dataclass
class FakeNemo:
    """A running stub: its base URL and its books."""

    url: str
    world: World

    def stats(self) -> dict[str, Any]:
        return self.world.stats()

    def charges(self, session_id: str) -> int:
        return self.world.stats()["charges"].get(session_id, 0)

    @property
    def mistakes(self) -> list[dict[str, str]]:
        return self.world.stats()["mistakes"]


@contextmanager
def running(config: FakeConfig | None = None, host: str = "127.0.0.1") -> Iterator[FakeNemo]:
    """The stub on a free loopback port, in a background thread, for the ``with`` block."""
    world = World(config or FakeConfig())
    server = _server(host, 0, world, "warning")
    thread = threading.Thread(target=server.run, name="fake-nemo", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake NemoVideo server did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        url = f"http://{host}:{port}"
        httpx.get(f"{url}/_fake/stats", timeout=5).raise_for_status()
        yield FakeNemo(url=url, world=world)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
