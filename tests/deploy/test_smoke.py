"""deploy/smoke.py where it cannot run: one line saying why, exit code 2, nothing started.

Its real run needs a Docker engine and minutes (``make deploy-smoke``); these tests take the
two ways a machine lacks one: no docker command at all, and a docker client with no engine
answering it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SMOKE = Path(__file__).resolve().parents[2] / "deploy" / "smoke.py"


def smoke(environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SMOKE)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
    )


def test_without_docker_it_says_so_and_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = smoke({"PATH": str(empty), "HOME": str(tmp_path), "TMPDIR": str(scratch)}, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "deploy-smoke: cannot run: no docker command on PATH"
    assert done.stdout == ""
    assert list(scratch.iterdir()) == []  # no project folder made


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client installed")
def test_with_no_engine_answering_it_says_so_and_exits_2(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DOCKER_HOST": f"unix://{tmp_path / 'no-engine.sock'}",
    }
    done = smoke(environment, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "deploy-smoke: cannot run: no Docker engine answers `docker info`"
