"""Shared fixtures: real Redis (embedded or REDIS_URL) for integration, fakeredis for units,
a real S3 server (moto, on loopback) for the bucket."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fakeredis
import fsspec
import numpy as np
import pytest
from jsonschema import Draft202012Validator
from moto.server import ThreadedMotoServer
from PIL import Image
from redis import Redis

from producer.redis_server import EmbeddedRedis
from worker.job.states import Stage
from worker.job.store import Claim, JobStore
from worker.media.ffmpeg import run_ffmpeg
from worker.outputs.report import SCHEMA_FILE


@pytest.fixture(scope="session", autouse=True)
def private_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The system temp folder of this test session (TMPDIR, for the worker processes its tests
    start too): their scratch folders never meet those of another run of the suite on the
    same machine."""
    folder = tmp_path_factory.mktemp("tmp")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None
    yield folder
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
    tempfile.tempdir = None


@pytest.fixture
def fake_redis() -> Redis:
    return fakeredis.FakeRedis()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server: REDIS_URL when given, else an embedded redis-server process."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with EmbeddedRedis() as server:
        yield server.url


def make_photo(path: Path, size: tuple[int, int] = (480, 360), seed: int = 0) -> Path:
    """A small photo-like image: smooth gradients plus a few shapes, so motion is visible."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    base = rng.uniform(40, 200, 3)
    image = np.stack(
        [base[c] + 50 * np.sin(x / (20 + 7 * c) + y / (31 + 5 * c)) for c in range(3)], axis=-1
    )
    for _ in range(6):
        cx, cy, r = rng.integers(0, width), rng.integers(0, height), rng.integers(10, 60)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r**2
        image[mask] = rng.uniform(0, 255, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture
def photo_set(tmp_path: Path) -> Path:
    folder = tmp_path / "beach-day"
    for index in range(3):
        make_photo(folder / f"{index:02d}.jpg", seed=index)
    (folder / "prompt.txt").write_text("A 4-second calm reel, 16:9, title 'Beach Day'\n")
    return folder


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3 server on loopback, named by the standard AWS variables for this process and the
    worker processes it starts."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", endpoint)
        patch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield endpoint
    server.stop()


@pytest.fixture
def s3_out(s3_endpoint: str) -> str:
    """A fresh, empty S3 bucket: its ``s3://bucket/prefix`` output URL."""
    name = f"photoreel-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(name)
    return f"s3://{name}/videos"


def make_video(path: Path, *, seconds: float = 1.0, size: str = "320x240", fps: int = 25) -> Path:
    """A small H.264 + AAC test video."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arguments: list[str | Path] = [
        "-y",
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate={fps}:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", path,
    ]  # fmt: skip
    run_ffmpeg(arguments)
    return path


def assert_valid_report(report: dict[str, Any]) -> None:
    """The report matches the JSON Schema committed beside the code."""
    schema = json.loads(SCHEMA_FILE.read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(report)]
    assert not problems, problems


def claim_stage(store: JobStore, job_id: str, stage: Stage) -> Claim:
    """Claim one stage of a job as a worker would."""
    outcome, claim = store.claim(job_id, stage, owner="test", lease_seconds=30, max_attempts=5)
    assert claim is not None, outcome
    return claim


def run_stages(store: JobStore, job_id: str, stages: list[Stage], seconds: float = 0.1) -> None:
    """Take a job through ``stages`` as if a backend had done them, each in ``seconds``."""
    for stage in stages:
        claim_stage(store, job_id, stage).finish_stage(seconds)


PRIORITY_SEPARATOR = "\x06\x16"
"""How kombu names a queue's list for one priority: ``<queue><separator><priority>``."""


def queued_messages(redis: Redis, queue: str) -> int:
    """Messages waiting on ``queue``, over all its priority lists (priority 0 is the bare name)."""
    names = [queue, *(f"{queue}{PRIORITY_SEPARATOR}{priority}" for priority in range(1, 10))]
    return sum(int(redis.llen(name)) for name in names)


class FakeClock:
    """A clock that moves only when told: ``clock()`` reads it, ``advance``/``sleep`` move it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    sleep = advance


@pytest.fixture
def loopback_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fetching allowed from 127.0.0.1 (the test servers) with a fresh HTTP cache, for this
    process and the worker processes it starts; yields the cache folder."""
    from config.settings import get_settings
    from worker.files import web_fetch

    cache = tmp_path / "http-cache"
    monkeypatch.setenv("PHOTOREEL_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("PHOTOREEL_FETCH_CACHE_DIR", str(cache))
    monkeypatch.setenv("PHOTOREEL_FETCH_BACKOFF_SECONDS", "0.05")
    get_settings.cache_clear()
    web_fetch._clients.clear()
    yield cache
    for client in web_fetch._clients.values():
        client.close()
    web_fetch._clients.clear()
    get_settings.cache_clear()


class RoundTrips:
    """Counts the round trips a Redis client makes: each command sent alone, each pipeline
    (however many commands it holds) one."""

    def __init__(self, redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        send = redis.execute_command
        make_pipeline = redis.pipeline

        def counted_command(*args: Any, **options: Any) -> Any:
            self.count += 1
            return send(*args, **options)

        def counted_pipeline(*args: Any, **options: Any) -> Any:
            pipe = make_pipeline(*args, **options)
            execute = pipe.execute

            def counted_execute(*more: Any, **named: Any) -> Any:
                self.count += 1
                return execute(*more, **named)

            pipe.execute = counted_execute  # type: ignore[method-assign]
            return pipe

        monkeypatch.setattr(redis, "execute_command", counted_command)
        monkeypatch.setattr(redis, "pipeline", counted_pipeline)

    def __call__(self, action: Any) -> int:
        """The round trips ``action()`` makes."""
        before = self.count
        action()
        return self.count - before
