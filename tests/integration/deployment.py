"""Helpers for tests that run photoreel as a deployment does: `photoreel worker` processes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.test_run import PHOTOREEL

STOP_SECONDS = 60


@dataclass
class RunningWorker:
    process: subprocess.Popen[bytes]
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text()

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the worker exited:\n{self.log()[-3000:]}"


@contextmanager
def photoreel_worker(env: dict[str, str], cwd: Path) -> Iterator[RunningWorker]:
    """`photoreel worker --concurrency 1` started in ``cwd`` (its log in ``cwd/worker.log``),
    stopped on exit."""
    log_file = cwd / "worker.log"
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [PHOTOREEL, "worker", "--concurrency", "1"],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield RunningWorker(process, log_file)
    finally:
        process.terminate()
        process.wait(timeout=STOP_SECONDS)
