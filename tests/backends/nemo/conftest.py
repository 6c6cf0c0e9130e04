from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends.nemo.harness import Job, fast_settings, make_job, make_photos
from tests.backends.nemo.stub.fixtures import fake_config, fake_nemo
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.settings import NemoSettings
from worker.backends.nemo.stub.server import FakeNemo

__all__ = ["fake_config", "fake_nemo"]

NEMO_VARIABLES = ("NEMO_TOKEN", "NEMO_CLIENT_ID", "NEMO_API_URL", "NEMO_WEB_URL", "SKILL_SOURCE")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME (for ~/.config/nemovideo) and no NemoVideo variables from outside."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.chdir(tmp_path)
    for name in NEMO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def settings(fake_nemo: FakeNemo) -> NemoSettings:
    return fast_settings(fake_nemo.url)


@pytest.fixture
def backend() -> Iterator[NemoBackend]:
    instance = NemoBackend()
    yield instance
    instance.close()


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return make_photos(tmp_path / "photos", 3)


@pytest.fixture
def new_job(tmp_path: Path, settings: NemoSettings, photos: list[Path]) -> Callable[..., Job]:
    def build(job_id: str, **kwargs: Any) -> Job:
        kwargs.setdefault("photos", photos)
        kwargs.setdefault("settings", settings)
        return make_job(job_id, workdir=tmp_path / "work" / job_id, **kwargs)

    return build
