import json
from pathlib import Path

import pytest
from redis import Redis

from producer import enqueue
from producer.enqueue import enqueue_specs, finished_digest
from tests.producer.conftest import end_job
from worker.jobs import JobStore
from worker.spec import JobSpec


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(enqueue, "submit", lambda spec: calls.append(spec.id))
    return calls


def test_enqueued_twice_runs_once(fake_redis: Redis, submitted: list[str]) -> None:
    store = JobStore(fake_redis)
    specs = [JobSpec(id="a", photos=["/1.jpg"]), JobSpec(id="b", photos=["/2.jpg"])]
    first = enqueue_specs(specs, store, out="/out", batch="b1")
    again = enqueue_specs(specs, store, out="/out", batch="b2")
    renamed = enqueue_specs([JobSpec(id="c", photos=["/1.jpg"])], store, out="/out", batch="b3")
    assert first.enqueued == ["a", "b"] and submitted == ["a", "b"]
    assert again.enqueued == [] and again.already_known == ["a", "b"]
    assert renamed.already_known == ["a"] and renamed.job_ids == ["a"]


def test_same_id_other_content_is_a_conflict(fake_redis: Redis, submitted: list[str]) -> None:
    store = JobStore(fake_redis)
    enqueue_specs([JobSpec(id="a", photos=["/1.jpg"])], store, out="/out", batch="b1")
    result = enqueue_specs([JobSpec(id="a", photos=["/9.jpg"])], store, out="/out", batch="b2")
    assert result.conflicts == ["a"] and submitted == ["a"]


def test_redo_finished_makes_a_finished_job_again_but_not_a_running_one(
    fake_redis: Redis, submitted: list[str]
) -> None:
    store = JobStore(fake_redis)
    specs = [JobSpec(id="a", photos=["/1.jpg"]), JobSpec(id="b", photos=["/2.jpg"])]
    enqueue_specs(specs, store, out="/out", batch="b1")
    end_job(store, "a", error="cannot decode image")
    again = enqueue_specs(specs, store, out="/out", batch="b2", redo_finished=True)
    assert again.enqueued == ["a"] and again.already_known == ["b"]
    assert submitted == ["a", "b", "a"]
    state = store.get("a")
    assert state is not None and state.batch == "b2" and state.error is None


def test_finished_digest_only_from_a_succeeded_report(tmp_path: Path) -> None:
    for job_id, status in (("made", "succeeded"), ("broken", "failed")):
        (tmp_path / job_id).mkdir()
        report = {"status": status, "spec": {"source": {"digest": "abc"}}}
        (tmp_path / job_id / "report.json").write_text(json.dumps(report))
    (tmp_path / "garbled").mkdir()
    (tmp_path / "garbled" / "report.json").write_text("{")
    assert finished_digest(str(tmp_path), "made") == "abc"
    assert finished_digest(str(tmp_path), "broken") is None
    assert finished_digest(str(tmp_path), "garbled") is None
    assert finished_digest(str(tmp_path), "missing") is None
    assert finished_digest("s3://bucket/prefix", "made") is None
