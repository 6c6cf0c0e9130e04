"""A self-contained ``run`` or ``catalog`` starts its Redis and first render worker before it
imports the rest of itself; the run takes them over, and a command that ends before it does
stops them and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from producer import head_start
from producer.exits import EXIT_USAGE
from producer.run_files import run_folder, worker_log

PHOTOREEL = str(Path(sys.executable).parent / "photoreel")


@pytest.mark.parametrize(
    ("argv", "redis_url", "wanted"),
    [
        (["photoreel", "run", "shoot/"], None, True),
        (["photoreel", "catalog", "feed.csv"], None, True),
        (["photoreel", "run", "shoot/"], "redis://db:6379/0", False),  # the deployment's
        (["photoreel", "run", "--help"], None, False),
        (["photoreel", "catalog", "-h"], None, False),
        (["photoreel", "watch", "inbox/"], None, False),  # long-lived: no hurry
        (["photoreel", "status"], None, False),
        (["photoreel"], None, False),
    ],
)
def test_only_a_self_contained_run_or_catalog_gets_a_head_start(
    argv: list[str], redis_url: str | None, wanted: bool
) -> None:
    assert head_start.wanted(argv, redis_url) is wanted


def test_no_head_start_where_tmpdir_cannot_be_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command says why in one line and starts nothing (``temp_dir_or_exit``)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    assert not head_start.wanted(["photoreel", "run", "shoot/"], None)


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    yield folder
    head_start._stop_unclaimed()


def test_the_run_of_its_batch_takes_it_over_once(temp: Path) -> None:
    head_start.begin("photoreel", temp / "photoreel-jobs")
    batch = head_start.batch_id()
    assert head_start.batch_id() == batch  # the run's batch is the head start's
    assert head_start.take(worker_log("another-batch")) is None
    taken = head_start.take(worker_log(batch))
    assert taken is not None and taken.worker.alive()
    assert head_start.take(worker_log(batch)) is None  # once: the run stops it from now on
    assert head_start.batch_id() != batch
    taken.stop()
    assert not taken.worker.alive() and not run_folder(batch).exists()


def test_one_not_taken_is_stopped_when_the_command_ends(temp: Path) -> None:
    head_start.begin("photoreel", temp / "photoreel-jobs")
    started = head_start._started
    assert started is not None
    head_start._stop_unclaimed()
    assert not started.worker.alive()
    assert started.redis.process is not None and started.redis.process.poll() is not None
    assert list(temp.iterdir()) == []  # no Redis folder, no run folder


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line or TMPDIR names ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in command + environment.replace(b"TMPDIR=", b""):
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    "args",
    [
        ["run", "no-such-folder"],  # a usage error, after the head start began
        ["run", "empty"],  # no photos: nothing to make
    ],
)
def test_a_command_that_ends_early_leaves_no_process_and_no_file(
    tmp_path: Path, args: list[str]
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no photos here\n")
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    result = subprocess.run(
        [PHOTOREEL, *args, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**environment, "TMPDIR": str(temp)},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    deadline = time.monotonic() + 5  # killed processes take a moment to be reaped
    while _processes_using(temp) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_using(temp) == []
    assert list(temp.iterdir()) == []
