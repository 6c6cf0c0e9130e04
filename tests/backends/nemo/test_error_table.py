"""One test per row of the protocol's error table, through the backend, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backends.nemo.harness import fast_settings, make_photos, run_job, run_stages
from tests.fakenemo.server import FakeNemo, running
from tests.fakenemo.world import FakeConfig
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend
from worker.errors import JobFailed, JobParked, TransientError

MakeCtx = Callable[..., StageContext]


def test_1001_mid_job_gets_a_new_anonymous_token_and_repeats(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("expiring-nemofault-expire-token")
    run_job(backend, ctx)
    stats = fake_nemo.stats()
    assert stats["tokens_issued"] == 2
    assert len(fake_nemo.world.client_tokens) == 1
    assert stats["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_1001_between_jobs_of_a_batch(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    fake_nemo.world.config.initial_credits = 300
    run_job(backend, make_ctx("first"))
    fake_nemo.world.expire_all_tokens()
    run_job(backend, make_ctx("second"))
    assert fake_nemo.stats()["tokens_issued"] == 2
    assert fake_nemo.stats()["total_charges"] == 2


def test_1001_on_a_configured_token_fails_clearly(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    token = "nmv_usr_configured_secret"
    fake_nemo.world.add_token(token, credits=500)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": token})
    ctx = make_ctx("fixed-token", settings=settings)
    backend.open_session(ctx)
    assert fake_nemo.stats()["tokens_issued"] == 0
    fake_nemo.world.expire_token(token)
    with pytest.raises(JobFailed, match="NEMO_TOKEN") as failure:
        backend.upload(ctx)
    assert token not in str(failure.value)


def test_1002_before_the_message_opens_a_new_session(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("lost-nemofault-lose-session-on-upload")
    run_stages(backend, ctx, ("open_session",))
    first_session = ctx.checkpoint["session_id"]
    run_job(backend, ctx)
    assert ctx.checkpoint["session_id"] != first_session
    assert fake_nemo.charges(ctx.checkpoint["session_id"]) == 1
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_1002_answering_the_message_opens_a_new_session_and_sends_there(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("gone-nemofault-lose-session-on-message")
    run_stages(backend, ctx, ("open_session", "upload"))
    first_session = ctx.checkpoint["session_id"]
    run_job(backend, ctx)
    second_session = ctx.checkpoint["session_id"]
    assert second_session != first_session
    assert ctx.checkpoint["message_sent"]["session_id"] == second_session
    assert len(ctx.checkpoint["uploads"]) == 3
    assert fake_nemo.stats()["charges"] == {second_session: 1}
    assert fake_nemo.mistakes == []


def test_1002_after_the_message_fails_without_a_new_generation(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("vanished-nemofault-lose-session-after-send")
    run_stages(backend, ctx, ("open_session", "upload", "generate"))
    with pytest.raises(JobFailed, match="not sent again"):
        backend.await_completion(ctx)
    backend.generate(ctx)
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.stats()["sessions"] == 1
    assert fake_nemo.mistakes == []


def test_2001_parks_the_job_with_the_bind_hint(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("broke-nemofault-no-credits")
    run_stages(backend, ctx, ("open_session", "upload"))
    with pytest.raises(JobParked, match=r"2001.*\?bind=anon_") as parked:
        backend.generate(ctx)
    assert ctx.checkpoint["user_id"] in str(parked.value)
    assert ctx.checkpoint["message_sent"] is None
    assert fake_nemo.stats()["total_charges"] == 0


def test_too_few_credits_park_before_anything_is_sent(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    fake_nemo.world.config.initial_credits = 60
    ctx = make_ctx("poor")
    run_stages(backend, ctx, ("open_session", "upload"))
    with pytest.raises(JobParked, match=r"60 credits left.*\?bind="):
        backend.generate(ctx)
    assert "message_sent" not in ctx.checkpoint
    assert fake_nemo.stats()["messages"] == {ctx.checkpoint["session_id"]: 0}


def test_4001_names_the_file(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    odd = make_photos(tmp_path / "odd", 1, suffix=".tiff")
    ctx = make_ctx("tiff", photos=odd)
    backend.open_session(ctx)
    with pytest.raises(JobFailed, match="does not accept") as failure:
        backend.upload(ctx)
    assert failure.value.file == "photo0.tiff"


def test_4001_names_a_url(fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx) -> None:
    url = "https://photos.test/scan.bmp"
    ctx = make_ctx("url-bmp", photos=[url])
    backend.open_session(ctx)
    with pytest.raises(JobFailed) as failure:
        backend.upload(ctx)
    assert failure.value.file == url


def test_4002_names_the_file_and_its_size(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, photos: list[Path]
) -> None:
    fake_nemo.world.config.small_upload_limit_bytes = 100
    ctx = make_ctx("big-nemofault-small-upload-limit")
    backend.open_session(ctx)
    with pytest.raises(JobFailed, match=r"too large.*MB") as failure:
        backend.upload(ctx)
    assert failure.value.file == photos[0].name


def test_over_200_mb_is_refused_before_upload(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.truncate(201 * 1024 * 1024)
    ctx = make_ctx("huge", photos=[huge])
    backend.open_session(ctx)
    with pytest.raises(JobFailed, match=r"201\.0 MB") as failure:
        backend.upload(ctx)
    assert failure.value.file == "huge.mp4"


def test_400_never_happens_the_client_id_is_always_sent(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, home: Path
) -> None:
    settings = fast_settings(fake_nemo.url, nemo={"nemo_client_id": "   "})
    ctx = make_ctx("blank-client-id", settings=settings)
    backend.open_session(ctx)
    persisted = (home / ".config" / "nemovideo" / "client_id").read_text().strip()
    assert list(fake_nemo.world.client_tokens) == [persisted]


def test_configured_client_id_is_honoured(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx, home: Path
) -> None:
    settings = fast_settings(fake_nemo.url, nemo={"nemo_client_id": "team-client"})
    backend.open_session(make_ctx("team", settings=settings))
    assert list(fake_nemo.world.client_tokens) == ["team-client"]
    assert not (home / ".config" / "nemovideo" / "client_id").exists()


def test_402_fails_the_export_clearly(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("free-plan-nemofault-export-blocked")
    run_stages(backend, ctx, ("open_session", "upload", "generate", "await_completion"))
    with pytest.raises(JobFailed, match="register or upgrade to export") as failure:
        backend.export(ctx)
    assert "credit" not in str(failure.value)
    assert fake_nemo.stats()["total_charges"] == 1


def test_429_on_the_message_waits_and_repeats_once_without_a_second_charge(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("busy-nemofault-rate-limit")
    run_job(backend, ctx)
    assert fake_nemo.charges(ctx.checkpoint["session_id"]) == 1
    assert fake_nemo.mistakes == []


@pytest.mark.parametrize(("retry_after", "slept"), [(0, [0.0]), (600, [])])
def test_429_again_or_a_long_retry_after_goes_back_to_the_queue(
    fake_config: FakeConfig,
    backend: NemoBackend,
    make_ctx: MakeCtx,
    monkeypatch: pytest.MonkeyPatch,
    retry_after: int,
    slept: list[float],
) -> None:
    fake_config.tokens_per_ip = 0
    fake_config.retry_after_seconds = retry_after
    waits: list[float] = []
    with running(fake_config) as fake:
        ctx = make_ctx("limited", settings=fast_settings(fake.url))
        monkeypatch.setattr(backend.client(ctx.settings), "_sleep", waits.append)
        with pytest.raises(TransientError) as failure:
            backend.open_session(ctx)
    assert failure.value.retry_after == retry_after
    assert waits == slept


def test_s3_photos_are_refused_by_name(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx("s3", photos=["s3://bucket/a.jpg"])
    backend.open_session(ctx)
    with pytest.raises(JobFailed, match="http") as failure:
        backend.upload(ctx)
    assert failure.value.file == "s3://bucket/a.jpg"
