"""A solo worker's stage past its hard time limit ends the worker's process, as Celery's
prefork pool ends a pool process; a stage that ends in time disarms the timer."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

PROGRAM = """
import time
from worker.flow.stage_deadline import StageDeadline
deadline = StageDeadline({seconds})
deadline.arm()
time.sleep({stage})
deadline.disarm()
time.sleep({after})
print("lived")
"""


def run(seconds: float, stage: float, after: float) -> subprocess.CompletedProcess[str]:
    program = PROGRAM.format(seconds=seconds, stage=stage, after=after)
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_stage_past_its_limit_kills_the_process() -> None:
    result = run(seconds=0.3, stage=30, after=0)
    assert result.returncode == -signal.SIGKILL
    assert "lived" not in result.stdout
    assert "stage over its hard time limit" in result.stdout + result.stderr


@pytest.mark.parametrize("stage", [0.0, 0.2])
def test_a_stage_in_time_leaves_the_process_alone(stage: float) -> None:
    result = run(seconds=0.5, stage=stage, after=1.0)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lived"
