"""How a message stream may end, and the rule that a paid message is never sent twice."""

from __future__ import annotations

import pytest

from tests.backends.nemo.harness import Job, NewJob, fast_settings, run_job
from worker.backends.nemo import NemoBackend, client
from worker.backends.nemo.sse import without_noise
from worker.backends.nemo.stub.server import FakeNemo


def finished_once(fake: FakeNemo, job: Job) -> None:
    assert job.book["download"]["bytes"] > 0
    assert fake.charges(job.book["session_id"]) == 1
    assert fake.stats()["total_charges"] == 1
    assert fake.mistakes == []


@pytest.mark.parametrize(
    ("job_id", "stream_end"),
    [
        ("plain", "closed"),
        ("quiet-nemofault-silent", "silent"),
        ("cut-nemofault-drop-stream", "dropped"),
        ("noisy-nemofault-trailing-issue", "closed"),
        ("waiting-nemofault-heartbeats-first", "closed"),
        ("unknown-nemofault-message-error", "unknown"),
    ],
)
def test_every_stream_ending_leads_to_the_video(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, job_id: str, stream_end: str
) -> None:
    job = new_job(job_id)
    run_job(backend, job)
    assert job.book["stream_end"] == stream_end
    finished_once(fake_nemo, job)


def test_only_heartbeats_for_too_long_ends_the_read_and_polls(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    settings = fast_settings(fake_nemo.url, nemo_heartbeat_timeout=0.15)
    job = new_job("stalled-nemofault-heartbeats-first", settings=settings)
    run_job(backend, job)
    assert job.book["stream_end"] == "heartbeat_timeout"
    finished_once(fake_nemo, job)


def test_a_stream_that_never_closes_is_read_for_the_cap_only(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    settings = fast_settings(fake_nemo.url, nemo_stream_cap_seconds=0.4)
    job = new_job("endless-nemofault-endless-stream", settings=settings)
    run_job(backend, job)
    assert job.book["stream_end"] == "cap"
    finished_once(fake_nemo, job)


def test_trailing_temporary_issue_is_noise() -> None:
    issue = "I encountered a temporary issue. Please try again."
    assert without_noise(["Done.", issue, issue]) == ["Done."]
    assert without_noise([issue]) == [issue]


def test_generate_twice_with_one_checkpoint_sends_once(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("redelivered")
    job.run(backend, "open_session", "upload", "generate")
    sent = job.book["message_sent"]
    assert sent["session_id"] == job.book["session_id"]
    job.run(backend, "generate")
    job.run(backend, "await_completion", "export")
    job.download(backend)
    assert job.book["message_sent"] == sent
    finished_once(fake_nemo, job)


def test_generate_twice_with_the_same_stale_context_sends_once(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("stale")
    job.run(backend, "open_session", "upload")
    ctx = job.context()
    backend.generate(ctx)
    backend.generate(ctx)
    job.run(backend, "await_completion", "export")
    job.download(backend)
    finished_once(fake_nemo, job)


def test_a_new_worker_with_the_checkpoint_does_not_resend(
    fake_nemo: FakeNemo, new_job: NewJob
) -> None:
    job = new_job("restarted-nemofault-drop-stream")
    first_worker = NemoBackend()
    job.run(first_worker, "open_session", "upload", "generate")
    first_worker.close()
    second_worker = NemoBackend()
    try:
        job.run(second_worker, "generate", "await_completion", "export")
        job.download(second_worker)
    finally:
        second_worker.close()
    finished_once(fake_nemo, job)


def test_a_worker_dying_mid_stream_is_recovered_by_polling(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = new_job("killed")
    job.run(backend, "open_session", "upload")

    def die(*_: object, **_options: object) -> None:
        raise SystemExit("worker killed mid-stream")

    with monkeypatch.context() as patch:
        patch.setattr(client, "read_stream", die)
        with pytest.raises(SystemExit):
            job.run(backend, "generate")
    assert job.book["message_sent"]
    job.run(backend, "generate", "await_completion", "export")
    job.download(backend)
    assert "stream_end" not in job.book
    finished_once(fake_nemo, job)


def test_the_agent_s_words_and_the_wait_are_shown_as_progress(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("plain")
    run_job(backend, job)
    said = job.book["agent_said"]
    assert said and job.said[: len(said)] == said
    waits = job.said[len(said) :]
    assert waits and all(line.startswith("waiting for the draft ") for line in waits)
    assert waits[-1].endswith(f": {said[-1]}")
