"""Every registered backend with every kind of bucket: `photoreel run` of two photo sets into a
folder and into an S3 bucket (moto) makes each job's outputs and report. A backend joins the
matrix by its registry line; one that talks to a service gets its stub here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import fsspec
import pytest

from tests.backends.nemo.stub.fixtures import fast_config
from tests.conftest import assert_valid_report, make_photo
from tests.integration.nemo_env import point_workers_at
from tests.integration.test_run import PHOTOREEL
from worker.backends import backend_names, get_plugin
from worker.backends.nemo.stub import FakeNemo, running

pytestmark = pytest.mark.integration
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@contextmanager
def service_of(
    backend: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeNemo | None]:
    """The stub a backend talks to, with its workers pointed at it; None for one needing none."""
    if backend != "nemo":
        yield None
        return
    stub = fast_config()
    stub.initial_credits = 1000
    with running(stub) as fake:
        point_workers_at(fake, home, monkeypatch)
        yield fake


class Bucket:
    """Read access to the outputs of a folder or an S3 bucket."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs, self.root = fsspec.core.url_to_fs(url)

    def read(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(f"{self.root}/{key}"))

    def keys(self) -> list[str]:
        return sorted(path.removeprefix(f"{self.root}/") for path in self.fs.find(self.root))


@pytest.fixture(params=["folder", "s3"])
def bucket(request: pytest.FixtureRequest, tmp_path: Path) -> Bucket:
    if request.param == "folder":
        return Bucket(str(tmp_path / "out"))
    return Bucket(request.getfixturevalue("s3_out"))


def photo_sets(root: Path) -> list[str]:
    names = ["harbour", "market"]
    for index, name in enumerate(names):
        for photo in range(2):
            make_photo(root / name / f"{photo}.jpg", size=(320, 240), seed=10 * index + photo)
        (root / name / "prompt.txt").write_text(f"A 2-second calm reel of the {name}, 16:9\n")
    return names


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PHOTOREEL, "run", *args], capture_output=True, text=True, timeout=600, cwd=cwd
    )


@pytest.mark.parametrize("backend", backend_names())
def test_every_backend_writes_its_outputs_to_every_kind_of_bucket(
    backend: str,
    bucket: Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    names = photo_sets(tmp_path / "shoots")
    options = ["--backend", backend, "--out", bucket.url, "--resolution", "720p"]
    with service_of(backend, tmp_path / "home", monkeypatch) as fake:
        done = run(str(tmp_path / "shoots"), *options, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    made = bucket.keys()
    expected = ["video.mp4", "poster.jpg"] if get_plugin(backend).makes_video else []
    expected = expected or ["contact-sheet.jpg"]
    for name in names:
        report: dict[str, Any] = json.loads(bucket.read(f"{name}/report.json"))
        assert_valid_report(report)
        assert report["status"] == "succeeded", report["error"]
        assert report["backend"]["name"] == backend
        assert report["output"]["bucket"] == bucket.url
        for file in expected:
            assert f"{name}/{file}" in made, made
            assert bucket.read(f"{name}/{file}")
        assert f"{name}/log.jsonl" in made
    assert not [key for key in made if key.startswith(".work/")]  # work areas are cleared
    if fake is not None:
        assert fake.stats()["total_charges"] == len(names)


def test_the_examples_go_to_the_cloud_from_an_s3_bucket(
    s3_out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production pairing: the producer stages the photos into the bucket, and the cloud
    backend uploads them from there as files (one charge a video)."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    with ExitStack() as stack:
        fake = stack.enter_context(service_of("nemo", tmp_path / "home", monkeypatch))
        assert fake is not None
        done = run(str(EXAMPLES), "--backend", "nemo", "--out", s3_out, cwd=tmp_path)
        stats = fake.stats()
    assert done.returncode == 0, done.stdout + done.stderr
    bucket = Bucket(s3_out)
    assert stats["total_charges"] == 2 and set(stats["charges"].values()) == {1}, stats
    for name in ("summer-sale", "weekend-trip"):
        report = json.loads(bucket.read(f"{name}/report.json"))
        assert report["status"] == "succeeded", report["error"]
        photos = report["spec"]["photos"]
        assert photos and all(photo.startswith(f"{s3_out}/.inputs/sha256/") for photo in photos)
        assert bucket.read(f"{name}/video.mp4")[4:8] == b"ftyp"
