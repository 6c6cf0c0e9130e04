"""How a message stream may end, and the rule that a paid message is never sent twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.settings import Settings
from tests.backends.nemo.harness import fast_settings, run_job, run_stages
from tests.fakenemo.server import FakeNemo
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend, client
from worker.backends.nemo.sse import without_noise

MakeCtx = Callable[..., StageContext]


def finished_once(fake: FakeNemo, ctx: StageContext) -> None:
    assert ctx.checkpoint["download"]["bytes"] > 0
    assert fake.charges(ctx.checkpoint["session_id"]) == 1
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
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, job_id: str, stream_end: str
) -> None:
    ctx = make_ctx(job_id)
    run_job(backend, ctx)
    assert ctx.checkpoint["stream_end"] == stream_end
    finished_once(fake_nemo, ctx)


def test_only_heartbeats_for_too_long_ends_the_read_and_polls(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    settings = fast_settings(fake_nemo.url, nemo_heartbeat_timeout=0.15)
    ctx = make_ctx("stalled-nemofault-heartbeats-first", settings=settings)
    run_job(backend, ctx)
    assert ctx.checkpoint["stream_end"] == "heartbeat_timeout"
    finished_once(fake_nemo, ctx)


def test_a_stream_that_never_closes_is_read_for_the_cap_only(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    settings = fast_settings(fake_nemo.url, nemo_stream_cap_seconds=0.4)
    ctx = make_ctx("endless-nemofault-endless-stream", settings=settings)
    run_job(backend, ctx)
    assert ctx.checkpoint["stream_end"] == "cap"
    finished_once(fake_nemo, ctx)


def test_trailing_temporary_issue_is_noise() -> None:
    issue = "I encountered a temporary issue. Please try again."
    assert without_noise(["Done.", issue, issue]) == ["Done."]
    assert without_noise([issue]) == [issue]


def test_generate_twice_with_one_checkpoint_sends_once(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("redelivered")
    run_stages(backend, ctx, ("open_session", "upload", "generate"))
    sent = ctx.checkpoint["message_sent"]
    assert sent["session_id"] == ctx.checkpoint["session_id"]
    backend.generate(ctx)
    run_stages(backend, ctx, ("await_completion", "export"))
    backend.download(ctx)
    assert ctx.checkpoint["message_sent"] == sent
    finished_once(fake_nemo, ctx)


def test_a_new_worker_with_the_checkpoint_does_not_resend(
    fake_nemo: FakeNemo, settings: Settings, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("restarted-nemofault-drop-stream")
    first_worker = NemoBackend()
    run_stages(first_worker, ctx, ("open_session", "upload", "generate"))
    first_worker.close()
    second_worker = NemoBackend()
    try:
        run_stages(second_worker, ctx, ("generate", "await_completion", "export"))
        second_worker.download(ctx)
    finally:
        second_worker.close()
    finished_once(fake_nemo, ctx)


def test_a_worker_dying_mid_stream_is_recovered_by_polling(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx("killed")
    run_stages(backend, ctx, ("open_session", "upload"))

    def die(*_: object) -> None:
        raise SystemExit("worker killed mid-stream")

    with monkeypatch.context() as patch:
        patch.setattr(client, "read_stream", die)
        with pytest.raises(SystemExit):
            backend.generate(ctx)
    assert ctx.checkpoint["message_sent"]
    run_stages(backend, ctx, ("generate", "await_completion", "export"))
    backend.download(ctx)
    assert "stream_end" not in ctx.checkpoint
    finished_once(fake_nemo, ctx)
