"""A batch with mixed faults: every job ends with a video, and each was paid for exactly once."""

from __future__ import annotations

import httpx

from tests.backends.nemo.harness import NewJob, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.stub.server import FakeNemo

JOBS = (
    "b1-nemofault-silent-nemofault-render-top-level-nemofault-message-error",
    "b2-nemofault-drop-stream-nemofault-output-unreachable-nemofault-download-redirects",
    "b3-nemofault-expire-token-nemofault-slow-stage2-nemofault-lose-session-on-upload",
    "b4-nemofault-rate-limit-nemofault-trailing-issue-nemofault-render-fails-first",
    "b5-nemofault-heartbeats-first-nemofault-lose-session-on-message-nemofault-no-stage2",
)


def test_five_jobs_five_videos_five_charges_no_mistakes(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    fake_nemo.world.config.initial_credits = 500
    videos = []
    sessions = []
    books = []
    for job_id in JOBS:
        job = new_job(job_id)
        job.run(backend, "open_session")
        job.run(backend, "upload")
        job.run(backend, "generate")
        job.run(backend, "generate")
        videos.append(run_job(backend, job))
        sessions.append(job.book["session_id"])
        books.append(job.book)

    assert all(video.read_bytes()[4:8] == b"ftyp" for video in videos)
    stats = httpx.get(f"{fake_nemo.url}/_fake/stats").json()
    assert stats["total_charges"] == 5
    assert stats["charges"] == dict.fromkeys(sessions, 1)
    assert stats["mistakes"] == []
    assert [book["completion"]["how"] for book in books] == ["stage2"] * 4 + ["settled"]
    assert [book["stream_end"] for book in books] == [
        "unknown",
        "dropped",
        "closed",
        "closed",
        "closed",
    ]
    assert [book["download"]["source"] for book in books] == [
        "output_url",
        "download_fallback",
        "output_url",
        "output_url",
        "output_url",
    ]
