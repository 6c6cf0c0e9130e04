"""`photoreel worker` as a deployment runs it: readiness, `celery inspect ping`, /metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from producer.redis_server import free_port
from tests.integration.chaos import wait_until
from tests.integration.deployment import RunningWorker, photoreel_worker

pytestmark = pytest.mark.integration
READY_SECONDS = 60


def readiness(worker: RunningWorker) -> dict[str, object] | None:
    worker.assert_alive()
    for line in worker.log().splitlines():
        if line.startswith("{") and (event := json.loads(line)).get("event") == "worker ready":
            return event
    return None


@pytest.fixture
def running_worker(
    redis_url: str, tmp_path: Path
) -> Iterator[tuple[dict[str, str], dict[str, object]]]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "PHOTOREEL_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "PHOTOREEL_METRICS_PORT": str(free_port()),
        "PHOTOREEL_LOG_FORMAT": "json",
    }
    with photoreel_worker(env, tmp_path) as worker:
        wait_until(lambda: readiness(worker) is not None, timeout=READY_SECONDS, what="readiness")
        ready = readiness(worker)
        assert ready is not None
        yield env, ready


def test_worker_logs_readiness_answers_ping_and_serves_metrics(
    running_worker: tuple[dict[str, str], dict[str, object]],
) -> None:
    env, ready = running_worker
    assert ready["queue"] == env["PHOTOREEL_QUEUE"]
    assert ready["metrics_port"] == int(env["PHOTOREEL_METRICS_PORT"])
    celery = [sys.executable, "-m", "celery", "-A", "worker.queue.app"]
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
