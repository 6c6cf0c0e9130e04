"""`photoreel worker` as a deployment runs it: readiness, `celery inspect ping`, /metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from producer.embedded import free_port

pytestmark = pytest.mark.integration
PHOTOREEL = str(Path(sys.executable).parent / "photoreel")
READY_SECONDS = 60


def readiness(log_file: Path) -> dict[str, object] | None:
    for line in log_file.read_text().splitlines():
        if line.startswith("{") and (event := json.loads(line)).get("event") == "worker ready":
            return event
    return None


@pytest.fixture
def running_worker(
    redis_url: str, tmp_path: Path
) -> Iterator[tuple[dict[str, str], dict[str, object]]]:
    metrics_port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "PHOTOREEL_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "PHOTOREEL_METRICS_PORT": str(metrics_port),
        "PHOTOREEL_LOG_FORMAT": "json",
    }
    log_file = tmp_path / "worker.log"
    with open(log_file, "wb") as log:
        worker = subprocess.Popen(
            [PHOTOREEL, "worker", "--concurrency", "1"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while (ready := readiness(log_file)) is None:
            assert worker.poll() is None, log_file.read_text()
            assert time.monotonic() < deadline, f"no readiness line: {log_file.read_text()}"
            time.sleep(0.2)
        yield env, ready
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def test_worker_logs_readiness_answers_ping_and_serves_metrics(
    running_worker: tuple[dict[str, str], dict[str, object]],
) -> None:
    env, ready = running_worker
    assert ready["queue"] == env["PHOTOREEL_QUEUE"]
    assert ready["metrics_port"] == int(env["PHOTOREEL_METRICS_PORT"])
    celery = [sys.executable, "-m", "celery", "-A", "worker.app"]
    destination = ["--destination", str(ready["hostname"]), "--timeout", "10"]
    ping = subprocess.run(
        [*celery, "inspect", "ping", *destination],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert "pong" in ping.stdout
    metrics_url = f"http://127.0.0.1:{ready['metrics_port']}/metrics"
    with urllib.request.urlopen(metrics_url, timeout=10) as reply:
        metrics = reply.read().decode()
    assert 'photoreel_jobs{state="queued"}' in metrics
    assert "photoreel_stage_seconds_count" in metrics
    assert "photoreel_credits_spent_total" in metrics
