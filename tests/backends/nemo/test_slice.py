"""The whole job against the stub: session, upload, generate, wait, export, download."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from tests.backends.nemo.harness import run_job
from tests.fakenemo.server import FakeNemo
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend


def test_job_ends_with_an_mp4_and_one_charge(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: Callable[..., StageContext]
) -> None:
    ctx = make_ctx("holiday")
    video = run_job(backend, ctx)

    assert video.parent == ctx.workdir
    assert video.read_bytes()[4:8] == b"ftyp"
    book = ctx.checkpoint
    session_id = book["session_id"]
    assert book["task_link"].startswith("https://nemovideo.test/workspace/claim?task=task_")
    assert f"session={session_id}" in book["task_link"]
    assert "skill_name=photoreel" in book["task_link"]
    assert "skill_source=tests" in book["task_link"]
    assert book["credits_before"] == 100
    assert book["credits_after"] == 0
    assert book["completion"]["how"] == "stage2"
    assert book["render_id"].startswith("render_")
    assert book["timeline"].startswith("Timeline (3 tracks): 1. Video: 3 clips")
    assert book["stream_end"] == "closed"
    assert book["download"]["source"] == "output_url"
    assert fake_nemo.charges(session_id) == 1
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_client_id_is_persisted_private(
    fake_nemo: FakeNemo, backend: NemoBackend, make_ctx: Callable[..., StageContext], home: Path
) -> None:
    ctx = make_ctx("client-id")
    backend.open_session(ctx)

    path = home / ".config" / "nemovideo" / "client_id"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() in fake_nemo.world.client_tokens
