"""Handing a job on: the stage's task, on the queue of its backend's pool, later stages first."""

from __future__ import annotations

from typing import Any

import pytest

from worker.job.spec import JobOptions, JobSpec
from worker.job.states import Stage
from worker.queue import handoff
from worker.queue.app import app


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    messages: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: messages.append((name, options)))
    return messages


@pytest.mark.parametrize(
    ("backend", "queue"), [("local", "photoreel"), ("dry", "photoreel"), ("nemo", "photoreel.io")]
)
def test_each_backend_goes_to_the_queue_of_its_pool(
    sent: list[tuple[str, dict[str, Any]]], backend: str, queue: str
) -> None:
    handoff.submit([JobSpec(id="a", photos=["/a.jpg"], options=JobOptions(backend=backend))])
    [(name, options)] = sent
    assert name == "photoreel.session" and options["args"] == ["a"]
    assert options["queue"] == queue


def test_later_stages_go_first(sent: list[tuple[str, dict[str, Any]]]) -> None:
    spec = JobSpec(id="a", photos=["/a.jpg"])
    handoff.enqueue_stage(spec, Stage.PUBLISH)
    handoff.enqueue_stage(spec, Stage.SESSION, countdown=4)
    (_, publish), (_, session) = sent
    assert publish["priority"] == 0 < session["priority"]
    assert session["countdown"] == 4
