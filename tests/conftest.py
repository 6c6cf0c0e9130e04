"""Shared fixtures: real Redis (embedded or REDIS_URL) for integration, fakeredis for units."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import fakeredis
import numpy as np
import pytest
from PIL import Image
from redis import Redis

from producer.embedded import EmbeddedRedis


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
