"""Pytest fixtures that run the stub on a free loopback port, with times shrunk for tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from worker.backends.nemo.stub.server import FakeNemo, running
from worker.backends.nemo.stub.world import FakeConfig


def fast_config() -> FakeConfig:
    return FakeConfig(
        stage1_seconds=0.15,
        stage2_seconds=0.15,
        slow_stage2_seconds=0.3,
        heartbeat_seconds=0.02,
        heartbeat_only_seconds=0.4,
        retry_after_seconds=0,
        initial_credits=100,
        renders_complete_after_polls=2,
    )


@pytest.fixture
def fake_config() -> FakeConfig:
    return fast_config()


@pytest.fixture
def fake_nemo(fake_config: FakeConfig) -> Iterator[FakeNemo]:
    with running(fake_config) as fake:
        yield fake
