"""The token never shows: not in a record, an exception or a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest

from tests.backends.nemo.harness import fast_settings, run_job, run_stages
from tests.fakenemo.server import FakeNemo
from worker.backends.base import StageContext
from worker.backends.nemo import NemoBackend
from worker.errors import JobFailed

MakeCtx = Callable[..., StageContext]
CONFIGURED = "nmv_usr_configured_0123456789abcdef"


def shown(
    ctx: StageContext, failures: list[BaseException], caplog: pytest.LogCaptureFixture
) -> str:
    texts = [json.dumps(dict(ctx.checkpoint), default=str), caplog.text]
    for failure in failures:
        texts += [str(failure), repr(failure), repr(failure.__cause__), repr(failure.__context__)]
    texts += [record.getMessage() + repr(record.args) for record in caplog.records]
    return "\n".join(texts)


def test_anonymous_tokens_never_show(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    make_ctx: MakeCtx,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ctx = make_ctx(
        "anon-nemofault-expire-token-nemofault-drop-stream-nemofault-output-unreachable"
        "-nemofault-render-fails-first-nemofault-rate-limit"
    )
    run_job(backend, ctx)
    failures: list[BaseException] = []
    blocked = make_ctx("anon-blocked-nemofault-export-blocked")
    fake_nemo.world.set_credits(fake_nemo.world.tokens[fake_nemo.world.issued[-1]], 100)
    run_stages(backend, blocked, ("open_session", "upload", "generate", "await_completion"))
    with pytest.raises(JobFailed) as failure:
        backend.export(blocked)
    failures.append(failure.value)

    tokens = fake_nemo.world.issued
    assert len(tokens) == 2
    text = shown(ctx, failures, caplog) + shown(blocked, [], caplog)
    for token in tokens:
        assert token not in text
        assert token.removeprefix("nmv_usr_") not in text


def test_a_configured_token_never_shows(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    make_ctx: MakeCtx,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_nemo.world.add_token(CONFIGURED, credits=1000)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": CONFIGURED})
    ctx = make_ctx("configured-nemofault-silent", settings=settings)
    run_job(backend, ctx)
    assert CONFIGURED not in repr(settings)
    fake_nemo.world.expire_token(CONFIGURED)
    later = make_ctx("configured-later", settings=settings)
    with pytest.raises(JobFailed) as failure:
        backend.open_session(later)
    assert fake_nemo.stats()["tokens_issued"] == 0
    assert CONFIGURED not in shown(ctx, [failure.value], caplog)
