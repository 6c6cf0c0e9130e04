"""The Celery worker service: what a worker process sets up before it takes jobs."""

from __future__ import annotations

import celery.apps.worker
import pytest

from config.logging import say_as_json
from worker.flow.service import app, print_celery_lines_as_logged


def test_the_service_is_the_app_with_every_stage_task() -> None:
    assert {f"photoreel.{stage}" for stage in ("session", "export", "publish")} <= set(app.tasks)


def test_a_worker_logging_json_says_its_shutdown_in_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(celery.apps.worker, "safe_say", celery.apps.worker.safe_say)
    print_celery_lines_as_logged("console")
    assert celery.apps.worker.safe_say is not say_as_json
    print_celery_lines_as_logged("json")
    assert celery.apps.worker.safe_say is say_as_json
