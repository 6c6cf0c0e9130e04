"""A worker killed mid-render: the job is resumed elsewhere and finishes once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redis import Redis

from producer.enqueue import enqueue_specs
from producer.redis_server import EmbeddedRedis
from tests.conftest import make_photo
from tests.integration.chaos import (
    all_settled,
    sigkill,
    start_workers,
    states,
    wait_until,
)
from worker.job.spec import JobOptions, JobSpec, Resolution
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore
from worker.queue.app import connect

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fast_recovery")]


def test_sigkill_during_render_resumes_and_finishes(tmp_path: Path) -> None:
    photos = [str(make_photo(tmp_path / "in" / f"{i}.jpg", seed=i)) for i in range(3)]
    spec = JobSpec(
        id="killed-mid-render",
        photos=photos,
        prompt="6 seconds, 16:9",
        options=JobOptions(resolution=Resolution.HD),
    )
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        log = tmp_path / "worker.log"
        first = start_workers(redis_server.url, log, queue="photoreel", pool="prefork")
        enqueue_specs([spec], store, out=str(tmp_path / "out"), batch="chaos")

        def rendering() -> bool:
            state = store.get(spec.id)
            # claimed, not just queued: a kill before the claim would not interrupt it
            return (
                state is not None
                and state.stage == Stage.EXPORT
                and state.status == JobStatus.RUNNING
            )

        wait_until(rendering, timeout=120, what="the export stage to start")
        sigkill(first)
        second = start_workers(redis_server.url, log, queue="photoreel", pool="prefork")
        try:
            wait_until(all_settled(store, [spec.id]), timeout=180, what="the job to finish")
        finally:
            second.stop()
        [state] = states(store, [spec.id])
    assert state.status == JobStatus.SUCCEEDED, log.read_text()[-3000:]
    assert state.attempts["export"] == 2
    report = json.loads((tmp_path / "out" / spec.id / "report.json").read_text())
    assert report["status"] == "succeeded"
    assert report["output"]["probe"]["frames"] == 6 * 30
    assert sorted(p.name for p in (tmp_path / "out" / spec.id).iterdir()) == [
        "log.jsonl",
        "poster.jpg",
        "report.json",
        "video.mp4",
    ]
