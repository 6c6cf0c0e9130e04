"""The Celery tasks: one per stage, under the name the handoff sends, each running ``advance``."""

from __future__ import annotations

import pytest

from worker.flow import tasks
from worker.job.states import Stage
from worker.queue.app import app
from worker.queue.handoff import stage_task_name


def test_one_task_per_stage_under_the_name_the_handoff_sends() -> None:
    for stage in Stage:
        assert tasks.STAGE_TASKS[stage].name == stage_task_name(stage)
        assert stage_task_name(stage) in app.tasks


def test_a_task_advances_its_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, Stage]] = []
    monkeypatch.setattr(tasks, "advance", lambda job_id, stage: seen.append((job_id, stage)))
    tasks.STAGE_TASKS[Stage.EXPORT]("reel-1")
    assert seen == [("reel-1", Stage.EXPORT)]
