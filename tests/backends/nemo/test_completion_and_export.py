"""Two-stage completion, render retries and both status shapes, the download fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.backends.nemo.harness import NewJob, run_job
from tests.conftest import FakeClock
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.client import RenderStatus, parse_render
from worker.backends.nemo.completion import wait_for_draft
from worker.backends.nemo.stub.server import FakeNemo

VIDEO = {"tt": 0, "sg": [{"d": 1000, "m": {}}]}
MUSIC = {"tt": 1, "sg": [{"d": 1000, "m": {}}]}
TITLE = {"tt": 7, "sg": [{"d": 1000, "m": {"text": "Hi"}}]}


def test_slow_stage_2_is_waited_for(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("slow-nemofault-slow-stage2")
    run_job(backend, job)
    assert job.book["completion"]["how"] == "stage2"
    assert [track["tt"] for track in job.book["draft"]["t"]] == [0, 1, 7]
    assert fake_nemo.mistakes == []


def test_a_draft_without_stage_2_settles(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("plain-nemofault-no-stage2")
    run_job(backend, job)
    assert job.book["completion"]["how"] == "settled"
    assert job.book["timeline"] == "Timeline (1 track): 1. Video: 3 clips (0-9s)"
    assert fake_nemo.mistakes == []


def states(*drafts: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    feed: Iterator[dict[str, Any]] = iter(drafts)
    last: dict[str, Any] = {}

    def fetch() -> dict[str, Any]:
        nonlocal last
        last = next(feed, last)
        return {"draft": last}

    return fetch


def test_wait_returns_at_stage_2_settles_when_unchanged_and_gives_up_when_empty() -> None:
    clock = FakeClock(start=0.0)
    timing = {"poll": 1.0, "settle": 5.0, "timeout": 30.0, "clock": clock, "sleep": clock.sleep}
    empty = {"t": []}
    stage1 = {"t": [VIDEO]}
    stage2 = {"t": [VIDEO, MUSIC, TITLE]}

    malformed = {"t": [{"tt": 0, "sg": [{"m": {}}]}]}
    done = wait_for_draft(states(empty, malformed, stage1, stage2), **timing)
    assert done is not None
    assert (done.how, done.waited) == ("stage2", 3.0)

    clock.now = 0.0
    settled = wait_for_draft(states(empty, stage1), **timing)
    assert settled is not None
    assert (settled.how, settled.waited) == ("settled", 6.0)

    clock.now = 0.0
    assert wait_for_draft(states(empty), **timing) is None
    assert clock.now == 30.0


def test_a_failed_render_is_retried_once_with_a_new_id(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("flaky-nemofault-render-fails-first")
    run_job(backend, job)
    first, second = job.book["renders"]
    assert first != second
    assert job.book["render_id"] == second
    assert fake_nemo.mistakes == []


def test_a_render_failing_twice_fails_the_job(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    fake_nemo.world.config.renders_complete_after_polls = 100
    job = new_job("stuck")
    job.run(backend, "open_session", "upload", "generate", "await_completion")
    with pytest.raises(Exception, match="render failed 2 times"):
        job.run(backend, "export")
    assert all(render.cancelled for render in fake_nemo.world.renders.values())


def test_export_run_again_resumes_the_recorded_render(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("resumed")
    job.run(backend)
    render_id = job.book["render_id"]
    job.run(backend, "export")
    job.download(backend)
    assert job.book["renders"] == [render_id]
    assert fake_nemo.stats()["renders"] == 1
    assert fake_nemo.mistakes == []


def test_top_level_status_shape_and_unreachable_output_url(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("cdn-nemofault-render-top-level-nemofault-output-unreachable")
    video = run_job(backend, job)
    assert job.book["download"]["source"] == "download_fallback"
    assert video.read_bytes()[4:8] == b"ftyp"
    assert fake_nemo.mistakes == []


def test_a_redirecting_download_fallback_does_not_carry_the_token_elsewhere(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("moved-nemofault-output-unreachable-nemofault-download-redirects")
    video = run_job(backend, job)
    assert job.book["download"]["source"] == "download_fallback"
    assert video.read_bytes()[4:8] == b"ftyp"
    assert fake_nemo.mistakes == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"success": True, "status": "completed", "output": {"url": "u"}}, ("completed", "u")),
        ({"success": True, "data": {"status": "completed", "outputUrl": "u"}}, ("completed", "u")),
        ({"success": True, "data": {"status": "processing"}}, ("processing", None)),
        ({"success": True, "status": "Failed", "output": None}, ("failed", None)),
    ],
)
def test_render_status_shapes(body: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert parse_render(body) == RenderStatus(*expected)


def test_each_poll_that_does_not_end_the_wait_is_told_the_time_waited() -> None:
    clock = FakeClock(start=0.0)
    told: list[float] = []
    stage2 = {"t": [VIDEO, MUSIC, TITLE]}
    done = wait_for_draft(
        states({"t": []}, {"t": [VIDEO]}, stage2),
        poll=1.0,
        settle=5.0,
        timeout=30.0,
        clock=clock,
        sleep=clock.sleep,
        on_poll=told.append,
    )
    assert done is not None and done.how == "stage2"
    assert told == [0.0, 1.0]


@pytest.mark.parametrize(
    "unstarted",
    [
        {},
        {"t": []},
        {"t": [{"tt": 0, "sg": []}]},
        {"t": [{"tt": 0, "sg": []}, {"tt": 1, "sg": []}]},
    ],
    ids=["no draft", "no track", "an empty video track", "empty video and audio tracks"],
)
def test_a_draft_with_no_track_holding_segments_is_not_started(unstarted: dict[str, Any]) -> None:
    """The protocol: "ready when draft.t has a track with non-empty sg"; a session where
    nothing started may hold no track or an empty one. Both end the wait after the grace."""
    clock = FakeClock(start=0.0)
    timing = {"poll": 1.0, "settle": 5.0, "timeout": 30.0, "clock": clock, "sleep": clock.sleep}
    done = wait_for_draft(states(unstarted), start_within=3.0, **timing)
    assert done is not None
    assert (done.how, done.waited) == ("not_started", 3.0)


def test_a_started_draft_is_waited_for_past_the_start_grace() -> None:
    clock = FakeClock(start=0.0)
    timing = {"poll": 1.0, "settle": 5.0, "timeout": 30.0, "clock": clock, "sleep": clock.sleep}
    done = wait_for_draft(states({"t": [VIDEO]}), start_within=3.0, **timing)
    assert done is not None
    assert done.how == "settled"


def test_a_draft_in_the_cloud_s_own_json_is_waited_for_not_taken_for_never_started() -> None:
    """Fractional milliseconds and nulls, as JSON from a JavaScript service has them: read
    as a started draft, not as an empty one that ends the wait as "not started"."""
    clock = FakeClock(start=0.0)
    timing = {"poll": 1.0, "settle": 5.0, "timeout": 30.0, "clock": clock, "sleep": clock.sleep}
    js_shaped = {
        "t": [
            {"tt": 0, "sg": [{"d": 3333.33, "m": None}] * 3, "m": None},
            {"tt": 1, "sg": [{"d": 10000.0, "m": {"start": 0}}]},
            {"tt": 7, "sg": [{"d": 3000.5, "m": {"start": 0, "text": "Sale"}}]},
        ],
        "m": None,
    }
    done = wait_for_draft(states(js_shaped), start_within=3.0, **timing)
    assert done is not None and done.how == "stage2"
