"""A deployment's Redis (append-only file on) killed under a running `photoreel run` and
started again: the run rides the outage out and finishes its batch; an outage longer than
``PHOTOREEL_REDIS_RETRY_SECONDS`` ends the run in one line, and the same command again
finishes what is left, making nothing twice; a Ctrl-C during the outage stops at once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from producer.redis_server import EmbeddedRedis
from tests.conftest import make_photo
from tests.integration.chaos import FAST_RECOVERY, kill_redis, redis_down_for, wait_until
from tests.integration.test_run import PHOTOREEL
from tests.integration.test_stopping import alive, descendants
from worker.job.states import JobStatus
from worker.job.store import JobStore

pytestmark = pytest.mark.integration
JOBS = ("first", "second")
UNREACHABLE = "Redis unreachable, retrying"


@pytest.fixture
def redis_server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(append_only=True) as server:
        yield server


@pytest.fixture
def shoots(tmp_path: Path) -> Path:
    for name in JOBS:
        for index in range(3):
            make_photo(tmp_path / "shoots" / name / f"{index}.jpg", size=(800, 600), seed=index)
        (tmp_path / "shoots" / name / "prompt.txt").write_text("8 seconds, 16:9, 720p\n")
    return tmp_path / "shoots"


def start_run(shoots: Path, out: Path, redis_url: str, **settings: str) -> subprocess.Popen[str]:
    env = {**os.environ, "REDIS_URL": redis_url, "PHOTOREEL_WORKERS": "1", **settings}
    return subprocess.Popen(
        [PHOTOREEL, "run", str(shoots), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run_under_way(
    server: EmbeddedRedis,
    shoots: Path,
    out: Path,
    under_way: Callable[[JobStore, Path], bool],
    **settings: str,
) -> subprocess.Popen[str]:
    """`photoreel run` of the batch on ``server``, once ``under_way(store, out)`` holds."""
    store = JobStore(Redis.from_url(server.url))
    run = start_run(shoots, out, server.url, **settings)
    wait_until(lambda: under_way(store, out), timeout=240, what="the batch under way")
    assert run.poll() is None
    return run


def queued(store: JobStore, _out: Path) -> bool:
    return store.get(JOBS[0]) is not None


def one_done_one_running(store: JobStore, out: Path) -> bool:
    """A job's report is written and the other job's stage is running."""
    states = [store.get(job_id) for job_id in JOBS]
    done = [job_id for job_id in JOBS if (out / job_id / "report.json").is_file()]
    running = [s for s in states if s is not None and s.status == JobStatus.RUNNING]
    return len(done) == 1 and len(running) == 1


def ended(run: subprocess.Popen[str], code: int, *, timeout: float) -> str:
    """The run's stderr, once it ended with ``code``, having said the outage once."""
    _stdout, stderr = run.communicate(timeout=timeout)
    assert run.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.count(UNREACHABLE) == 1, stderr
    return stderr


def assert_every_video_made(out: Path) -> None:
    for job_id in JOBS:
        assert (out / job_id / "video.mp4").stat().st_size > 0
        assert '"status": "succeeded"' in (out / job_id / "report.json").read_text()


def test_a_redis_restart_mid_batch_is_ridden_out_and_the_batch_finishes(
    redis_server: EmbeddedRedis, shoots: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = run_under_way(redis_server, shoots, out, one_done_one_running)
    redis_down_for(redis_server, 8)

    ended(run, 0, timeout=300)
    assert_every_video_made(out)


def test_an_outage_past_the_limit_ends_in_one_line_and_a_rerun_finishes_the_rest(
    redis_server: EmbeddedRedis, shoots: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    settings = {"PHOTOREEL_REDIS_RETRY_SECONDS": "3"}
    run = run_under_way(redis_server, shoots, out, one_done_one_running, **settings)
    [made_first] = [job_id for job_id in JOBS if (out / job_id / "report.json").is_file()]
    made_at = (out / made_first / "report.json").stat().st_mtime_ns
    started = descendants(run.pid)
    kill_redis(redis_server)

    last = ended(run, 1, timeout=120).strip().splitlines()[-1]
    assert last.startswith("error: Redis unreachable for 3 s (PHOTOREEL_REDIS_RETRY_SECONDS)")
    assert "the same command again finishes what is left" in last
    assert [pid for pid in started if alive(pid)] == [], "its workers are stopped"

    redis_server.start()
    again = start_run(shoots, out, redis_server.url, **FAST_RECOVERY)
    _stdout, stderr = again.communicate(timeout=300)

    assert again.returncode == 0, stderr
    assert f"{made_first}: already made" in stderr
    assert (out / made_first / "report.json").stat().st_mtime_ns == made_at, "made once"
    assert_every_video_made(out)


def test_ctrl_c_during_an_outage_stops_at_once(
    redis_server: EmbeddedRedis, shoots: Path, tmp_path: Path
) -> None:
    run = run_under_way(redis_server, shoots, tmp_path / "out", queued)
    started = descendants(run.pid)
    kill_redis(redis_server)
    time.sleep(2)  # the run is waiting for Redis
    run.send_signal(signal.SIGINT)
    time.sleep(1)
    run.send_signal(signal.SIGINT)

    _stdout, stderr = run.communicate(timeout=45)  # well under the 60 s it would wait

    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    assert [pid for pid in started if alive(pid)] == []
