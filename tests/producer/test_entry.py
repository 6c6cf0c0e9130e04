"""A bad setting is one line naming the variable and the accepted values, exit code 2, for
every command (even ``--help``), and nothing is created."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from producer.exits import EXIT_USAGE
from tests.conftest import make_photo

PHOTOREEL = str(Path(sys.executable).parent / "photoreel")


def photoreel(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return subprocess.run(
        [PHOTOREEL, *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("PHOTOREEL_WORKERS", "abc", "an integer from 1 to 64"),
        ("PHOTOREEL_CRF", "99", "an integer from 0 to 51"),
        ("PHOTOREEL_BACKEND", "cloud", "local or nemo or dry"),
    ],
)
def test_bad_setting_is_one_line_even_for_help(
    tmp_path: Path, variable: str, value: str, accepted: str
) -> None:
    result = photoreel("--help", env={variable: value}, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {variable}={value}:") and f"accepted: {accepted}" in line


@pytest.mark.parametrize("command", ["run", "status", "enqueue"])
def test_unreachable_redis_url_is_a_usage_error_and_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    make_photo(tmp_path / "set" / "a.jpg")
    out = tmp_path / "out"
    args = {
        "run": ["run", "set", "--out", str(out)],
        "enqueue": ["enqueue", "set", "--out", str(out)],
    }
    result = photoreel(
        *args.get(command, [command]),
        env={"REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"},
        cwd=tmp_path,
    )
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: REDIS_URL=redis://***@127.0.0.1:1/0: Redis does not answer")
    assert "hunter2" not in result.stderr
    assert not out.exists()
