"""The token never shows: not in a record, an exception or a log line."""

from __future__ import annotations

import json
import logging

import pytest

from tests.backends.nemo.harness import Job, NewJob, fast_settings, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.errors import JobFailed

CONFIGURED = "nmv_usr_configured_0123456789abcdef"


def shown(job: Job, failures: list[BaseException], caplog: pytest.LogCaptureFixture) -> str:
    texts = [json.dumps(job.book, default=str), caplog.text]
    for failure in failures:
        texts += [str(failure), repr(failure), repr(failure.__cause__), repr(failure.__context__)]
    texts += [record.getMessage() + repr(record.args) for record in caplog.records]
    return "\n".join(texts)


def test_anonymous_tokens_never_show(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    new_job: NewJob,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    job = new_job(
        "anon-nemofault-expire-token-nemofault-drop-stream-nemofault-output-unreachable"
        "-nemofault-render-fails-first-nemofault-rate-limit"
    )
    run_job(backend, job)
    failures: list[BaseException] = []
    blocked = new_job("anon-blocked-nemofault-export-blocked")
    fake_nemo.world.set_credits(fake_nemo.world.tokens[fake_nemo.world.issued[-1]], 100)
    blocked.run(backend, "open_session", "upload", "generate", "await_completion")
    with pytest.raises(JobFailed) as failure:
        blocked.run(backend, "export")
    failures.append(failure.value)

    tokens = fake_nemo.world.issued
    assert len(tokens) == 2
    text = shown(job, failures, caplog) + shown(blocked, [], caplog)
    for token in tokens:
        assert token not in text
        assert token.removeprefix("nmv_usr_") not in text


def test_a_configured_token_never_shows(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    new_job: NewJob,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_nemo.world.add_token(CONFIGURED, credits=1000)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": CONFIGURED})
    job = new_job("configured-nemofault-silent", settings=settings)
    run_job(backend, job)
    assert CONFIGURED not in repr(settings)
    fake_nemo.world.expire_token(CONFIGURED)
    later = new_job("configured-later", settings=settings)
    with pytest.raises(JobFailed) as failure:
        later.run(backend, "open_session")
    assert fake_nemo.stats()["tokens_issued"] == 0
    assert CONFIGURED not in shown(job, [failure.value], caplog)
