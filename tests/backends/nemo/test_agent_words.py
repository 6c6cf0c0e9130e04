"""The agent's words: recorded in order, a question answered once, or the job fails with them."""

from __future__ import annotations

import pytest

from tests.backends.nemo.harness import NewJob, fast_settings, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.client import NotDelivered
from worker.backends.nemo.messages import asked_something, in_words
from worker.backends.nemo.plugin import credits_used
from worker.backends.nemo.stub.server import FakeNemo
from worker.backends.nemo.stub.world import QUESTION, REFUSAL
from worker.job.errors import JobFailed


def test_the_agents_words_are_recorded_in_order(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("words-nemofault-trailing-issue")
    run_job(backend, job)
    assert job.book["agent_said"] == [
        "Turning your 3 photos into a video.",
        "Your video is ready: open the preview in timeline.",
    ]
    assert job.book["tool_calls"] == 1


def test_a_question_is_answered_once_with_the_jobs_options(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("ask-nemofault-asks-question")
    video = run_job(backend, job)
    assert video.read_bytes()[4:8] == b"ftyp"
    session_id = job.book["session_id"]
    assert job.book["agent_said"][0] == QUESTION
    assert job.book["answer_sent"]["session_id"] == session_id
    assert "without further questions" in fake_nemo.world.sessions[session_id].prompt
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_a_question_after_the_answer_fails_the_job_with_the_agents_words(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("ask-twice-nemofault-asks-question")
    job.run(backend, "open_session", "upload", "generate")
    job.book["answer_sent"] = {"session_id": job.book["session_id"], "at": "earlier"}
    with pytest.raises(JobFailed, match="started no generation; the agent said") as failure:
        job.run(backend, "await_completion")
    assert QUESTION in str(failure.value)
    assert fake_nemo.stats()["total_charges"] == 0
    assert credits_used(job.book)["charges"] == 0


def test_the_wait_for_an_unstarted_generation_ends_after_the_start_grace(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    settings = fast_settings(
        fake_nemo.url, nemo_completion_timeout=600.0, nemo_start_grace_seconds=0.3
    )
    job = new_job("ask-late-nemofault-asks-question", settings=settings)
    job.run(backend, "open_session", "upload", "generate")
    job.book["answer_sent"] = {"session_id": job.book["session_id"], "at": "earlier"}
    with pytest.raises(JobFailed, match="started no generation"):
        job.run(backend, "await_completion")
    assert job.book.get("draft") is None


def test_asked_something_and_in_words() -> None:
    assert asked_something(["Sure.", "Which mood?"])
    assert not asked_something(["Working on it."])
    assert in_words([]) == "nothing"
    assert in_words(["a", "b"]) == '"a b"'
    assert len(in_words(["x" * 2000])) == 502


def test_an_answer_that_never_arrived_is_sent_on_the_next_attempt(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = new_job("ask-offline-nemofault-asks-question")
    job.run(backend, "open_session", "upload", "generate")
    client = backend.client(job.settings)
    send = client.send_message

    def unreachable(session_id: str, text: str, **_options: object) -> object:
        monkeypatch.setattr(client, "send_message", send)
        raise NotDelivered("NemoVideo unreachable: ConnectError")

    monkeypatch.setattr(client, "send_message", unreachable)
    with pytest.raises(NotDelivered):
        job.run(backend, "await_completion")
    assert job.book["answer_sent"] is None
    job.run(backend, "await_completion", "export")
    assert job.book["answer_sent"] and fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_a_refusal_fails_the_job_with_the_agents_words_and_no_charge(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("no-nemofault-refuses")
    with pytest.raises(JobFailed, match="started no generation") as failure:
        job.run(backend)
    assert REFUSAL in str(failure.value)
    assert job.book["agent_said"] == [REFUSAL] and "answer_sent" not in job.book
    assert credits_used(job.book)["charges"] == 0
    assert fake_nemo.stats()["total_charges"] == 0 and fake_nemo.mistakes == []
