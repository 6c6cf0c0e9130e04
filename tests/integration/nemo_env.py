"""Environment for worker processes that talk to the in-process NemoVideo stub."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.backends.nemo.stub.server import FakeNemo

FAST_NEMO = {
    "PHOTOREEL_NEMO_POLL_SECONDS": "0.05",
    "PHOTOREEL_NEMO_SETTLE_SECONDS": "1",
    "PHOTOREEL_NEMO_COMPLETION_TIMEOUT": "30",
    "PHOTOREEL_NEMO_START_GRACE_SECONDS": "2",
    "PHOTOREEL_NEMO_STREAM_CAP_SECONDS": "20",
    "PHOTOREEL_NEMO_HEARTBEAT_TIMEOUT": "2",
    "PHOTOREEL_NEMO_RENDER_POLLS": "100",
    "PHOTOREEL_NEMO_RATE_LIMIT_WAIT": "0.05",
    "NEMO_WEB_URL": "https://nemovideo.example",
    "SKILL_SOURCE": "tests",
}


def point_workers_at(fake: FakeNemo, home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Send the worker processes started after this to the stub, with a private HOME."""
    home.mkdir(parents=True, exist_ok=True)
    variables = {**FAST_NEMO, "NEMO_API_URL": fake.url, "HOME": str(home)}
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for name in ("NEMO_TOKEN", "NEMO_CLIENT_ID", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return variables
