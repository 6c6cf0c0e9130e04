"""Stopping `photoreel run`: Ctrl-C lets the running stages finish, a second Ctrl-C or a
SIGTERM stops at once; either way nothing it started is left running (embedded Redis,
workers, their pool processes, ffmpeg) and it leaves nothing in TMPDIR (the unfinished jobs'
scratch folders, its workers' temp files, its worker log). A finished run leaves nothing
there either, but for the worker log of a run whose job failed."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_photo
from tests.integration.test_run import PHOTOREEL

pytestmark = pytest.mark.integration


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate: Callable[[], bool], what: str, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.2)


def rendering(run: subprocess.Popen[str]) -> bool:
    """The run's worker is encoding: an ffmpeg process below it."""
    return any(
        "ffmpeg" in Path(f"/proc/{pid}/cmdline").read_text(errors="ignore")
        for pid in descendants(run.pid)
        if alive(pid)
    )


@pytest.fixture
def long_job(tmp_path: Path) -> Path:
    photos = tmp_path / "long"
    for index in range(3):
        make_photo(photos / f"{index}.jpg", size=(1200, 900), seed=index)
    (photos / "prompt.txt").write_text("40 seconds, 16:9, no music\n")
    return photos


def start_run(photos: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(TMPDIR=str(scratch), PHOTOREEL_WORKERS="1")
    run = subprocess.Popen(
        [PHOTOREEL, "run", str(photos), "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return run, scratch


def stopped_cleanly(run: subprocess.Popen[str], started: set[int], scratch: Path) -> str:
    _stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
    left = [pid for pid in started if alive(pid)]
    assert left == [], f"still running: {left}"
    assert left_in(scratch) == [], "TMPDIR as it was: nothing kept, no pymp-*, no scratch"
    work = scratch.parent / "out" / ".work"  # files kept for later stages no one will run
    assert not work.exists() or list(work.iterdir()) == []
    return stderr


def left_in(temp: Path) -> list[str]:
    """Everything in a temp folder, relative to it."""
    return sorted(str(path.relative_to(temp)) for path in temp.rglob("*"))


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C twice"])
def test_stop_at_once_leaves_nothing_behind(long_job: Path, tmp_path: Path, how: str) -> None:
    run, scratch = start_run(long_job, tmp_path)
    wait_for(lambda: rendering(run), "ffmpeg encoding")
    started = descendants(run.pid)
    if how == "SIGTERM":
        run.send_signal(signal.SIGTERM)
    else:
        run.send_signal(signal.SIGINT)
        time.sleep(1)  # the first one is being handled: the workers were asked to finish
        run.send_signal(signal.SIGINT)
    stderr = stopped_cleanly(run, started, scratch)
    assert "stopped at once" in stderr
    assert "running stages finished" not in stderr


def test_first_ctrl_c_lets_the_running_stage_finish_and_says_so(
    long_job: Path, tmp_path: Path
) -> None:
    run, scratch = start_run(long_job, tmp_path)
    wait_for(lambda: rendering(run), "ffmpeg encoding")
    started = descendants(run.pid)
    run.send_signal(signal.SIGINT)
    stderr = stopped_cleanly(run, started, scratch)
    assert "Ctrl-C: letting the running stages finish" in stderr
    assert "interrupted: the running stages finished; workers stopped" in stderr
    assert "1 job(s): 1 queued" in stderr, "export finished: the job waits for its next stage"


def test_a_finished_run_leaves_nothing_in_tmpdir(tmp_path: Path) -> None:
    photos = tmp_path / "shoot"
    for index in range(2):
        make_photo(photos / f"{index}.jpg", seed=index)
    (photos / "prompt.txt").write_text("2 seconds, 720p\n")
    run, temp = start_run(photos, tmp_path)
    _stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert left_in(temp) == []


def test_a_run_with_a_failed_job_keeps_only_the_worker_log_it_names(tmp_path: Path) -> None:
    photos = tmp_path / "shoot"
    make_photo(photos / "fine.jpg")
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    run, temp = start_run(photos, tmp_path)
    _stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 1, stderr
    [kept] = left_in(temp)[1:]
    assert kept.startswith("photoreel-") and kept.endswith("/worker.log")
    assert f"worker log: {temp / kept}" in stderr
