"""The Celery tasks: one per stage, under the name the handoff sends, each running ``advance``
with the job's id bound to its log lines."""

from __future__ import annotations

import pytest
import structlog

from worker import tasks
from worker.app import app
from worker.handoff import stage_task_name
from worker.jobs import Stage


def test_one_task_per_stage_under_the_name_the_handoff_sends() -> None:
    for stage in Stage:
        assert tasks.STAGE_TASKS[stage].name == stage_task_name(stage)
        assert stage_task_name(stage) in app.tasks


def test_a_task_advances_its_stage_with_the_job_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, Stage, dict[str, object]]] = []

    def advance(job_id: str, stage: Stage) -> None:
        seen.append((job_id, stage, structlog.contextvars.get_contextvars()))

    monkeypatch.setattr(tasks, "advance", advance)
    tasks.STAGE_TASKS[Stage.EXPORT]("reel-1")
    assert seen == [("reel-1", Stage.EXPORT, {"job_id": "reel-1", "stage": "export"})]
    assert structlog.contextvars.get_contextvars() == {}
