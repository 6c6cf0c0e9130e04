import json
import os
from pathlib import Path

import pytest
from redis import Redis

from producer import enqueue
from producer.enqueue import enqueue_specs, finished_digest
from tests.conftest import make_photo
from tests.producer.conftest import end_job
from worker.files.bucket import LocalBucket
from worker.job.spec import JobSource, JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore
from worker.outputs.report import succeeded_mark_key


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch, sent_again: list[tuple[str, str]]) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(enqueue, "submit", lambda specs: calls.extend(spec.id for spec in specs))
    return calls


@pytest.fixture
def sent_again(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(job id, stage) of each stage message sent again for a job an earlier run queued."""
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        enqueue, "enqueue_stage", lambda spec, stage: calls.append((spec.id, str(stage)))
    )
    return calls


def test_enqueued_twice_runs_once(fake_redis: Redis, submitted: list[str]) -> None:
    store = JobStore(fake_redis)
    specs = [JobSpec(id="a", photos=["/1.jpg"]), JobSpec(id="b", photos=["/2.jpg"])]
    first = enqueue_specs(specs, store, out="/out", batch="b1")
    again = enqueue_specs(specs, store, out="/out", batch="b2")
    renamed = enqueue_specs([JobSpec(id="c", photos=["/1.jpg"])], store, out="/out", batch="b3")
    assert first.enqueued == ["a", "b"] and submitted == ["a", "b", "c"]
    assert again.enqueued == [] and again.already_known == ["a", "b"]
    assert renamed.enqueued == ["c"], "another id is another job, whatever its content"


def test_a_job_an_earlier_run_left_queued_gets_its_message_again(
    fake_redis: Redis, submitted: list[str], sent_again: list[tuple[str, str]]
) -> None:
    """The earlier run gave up on Redis or was stopped, and the message of a queued job may
    have gone with its workers: the same command again sends it (a duplicate is dropped by the
    claim); a running job is left to its worker (or, once its lease lapses, the reconciler)."""
    store = JobStore(fake_redis)
    specs = [JobSpec(id="a", photos=["/1.jpg"]), JobSpec(id="b", photos=["/2.jpg"])]
    enqueue_specs(specs, store, out="/out", batch="b1")
    store.claim("b", Stage.SESSION, owner="w", lease_seconds=30, max_attempts=3)
    again = enqueue_specs(specs, store, out="/out", batch="b2")
    assert again.already_known == ["a", "b"] and submitted == ["a", "b"]
    assert sent_again == [("a", "session")]


def test_same_id_other_content_is_a_conflict(fake_redis: Redis, submitted: list[str]) -> None:
    store = JobStore(fake_redis)
    enqueue_specs([JobSpec(id="a", photos=["/1.jpg"])], store, out="/out", batch="b1")
    result = enqueue_specs([JobSpec(id="a", photos=["/9.jpg"])], store, out="/out", batch="b2")
    assert result.conflicts == ["a"] and submitted == ["a"]


def test_a_failed_job_is_made_again_but_not_a_running_one(
    fake_redis: Redis, submitted: list[str]
) -> None:
    store = JobStore(fake_redis)
    specs = [JobSpec(id="a", photos=["/1.jpg"]), JobSpec(id="b", photos=["/2.jpg"])]
    enqueue_specs(specs, store, out="/out", batch="b1")
    end_job(store, "a", error="cannot decode image")
    again = enqueue_specs(specs, store, out="/out", batch="b2")
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


def spec_in(folder: Path, job_id: str = "trip") -> JobSpec:
    photo = make_photo(folder / "1.jpg", size=(32, 32))
    source = JobSource(kind="folder", path=str(folder))
    return JobSpec(id=job_id, photos=[str(photo)], prompt="calm", source=source)


def test_a_job_already_made_is_skipped_unless_overwrite(
    fake_redis: Redis, tmp_path: Path, submitted: list[str]
) -> None:
    out = tmp_path / "out"
    (out / "trip").mkdir(parents=True)
    (out / "trip" / "report.json").write_text(json.dumps({"status": "succeeded"}))
    store = JobStore(fake_redis)
    spec = spec_in(tmp_path / "in")

    skipped = enqueue_specs([spec], store, out=str(out), batch="b1")
    assert (skipped.skipped, skipped.job_ids, submitted) == (["trip"], [], [])

    again = enqueue_specs([spec], store, out=str(out), batch="b2", overwrite=True)
    assert again.enqueued == ["trip"] and submitted == ["trip"]


def test_a_failed_or_vanished_job_is_made_again(
    fake_redis: Redis, tmp_path: Path, submitted: list[str]
) -> None:
    store = JobStore(fake_redis)
    spec = spec_in(tmp_path / "in")
    out = str(tmp_path / "out")
    assert enqueue_specs([spec], store, out=out, batch="b1").enqueued == ["trip"]
    assert enqueue_specs([spec], store, out=out, batch="b1").already_known == ["trip"]
    _, claim = store.claim("trip", Stage.SESSION, owner="w", lease_seconds=30, max_attempts=3)
    assert claim is not None
    claim.fail("cannot decode", file="1.jpg")
    assert enqueue_specs([spec], store, out=out, batch="b2").enqueued == ["trip"]
    assert submitted == ["trip", "trip"]


def test_jobs_for_an_s3_bucket_are_staged(
    s3_out: str, fake_redis: Redis, tmp_path: Path, submitted: list[str]
) -> None:
    store = JobStore(fake_redis)
    result = enqueue_specs([spec_in(tmp_path / "in")], store, out=s3_out, batch="b1")
    assert result.enqueued == ["trip"]
    state = store.get("trip")
    assert state is not None
    assert state.spec.photos[0].startswith(f"{s3_out}/.inputs/sha256/")
    assert str(tmp_path) not in state.spec.model_dump_json()


def test_specs_are_recorded_in_chunks_each_once(
    fake_redis: Redis, submitted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enqueue, "CHUNK", 2)
    store = JobStore(fake_redis)
    specs = [JobSpec(id=f"j{index}", photos=[f"/{index}.jpg"]) for index in range(5)]
    enqueue_specs(specs[1:2], store, out="/out", batch="b1")
    end_job(store, "j1", error="cannot decode image")
    enqueue_specs(specs[3:4], store, out="/out", batch="b1")
    told: list[tuple[int, int]] = []
    result = enqueue_specs(
        [*specs, JobSpec(id="j4", photos=["/other.jpg"])],
        store,
        out="/out",
        batch="b2",
        progress=lambda done, total: told.append((done, total)),
    )
    assert result.enqueued == ["j0", "j1", "j2", "j4"] and result.already_known == ["j3"]
    assert result.conflicts == ["j4"]
    assert told == [(done, 6) for done in range(1, 7)]
    assert submitted == ["j1", "j3", "j0", "j1", "j2", "j4"]


class CountingBucket(LocalBucket):
    """A folder bucket that counts what enqueueing asks of it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.listings = 0
        self.reads: list[str] = []

    def modified_times(self) -> dict[str, float]:
        self.listings += 1
        return super().modified_times()

    def read_bytes(self, key: str) -> bytes | None:
        self.reads.append(key)
        return super().read_bytes(key)

    def exists(self, key: str) -> bool:
        self.reads.append(key)
        return super().exists(key)


def test_jobs_made_before_are_told_from_one_listing_of_the_bucket(
    fake_redis: Redis, tmp_path: Path, submitted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rerun of a big batch: half of it made (a report, then its succeeded-mark), one
    failed since it was made, the rest new: no report is read."""
    out = tmp_path / "out"
    specs = [JobSpec(id=f"shoe-{index}", photos=["/1.jpg"]) for index in range(200)]
    for spec in specs[:100]:
        (out / spec.id).mkdir(parents=True)
        (out / spec.id / "report.json").write_text(json.dumps({"status": "succeeded"}))
        mark = out / succeeded_mark_key(spec.id, spec.content_hash())
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    failed_since = out / "shoe-0" / "report.json"
    failed_since.write_text(json.dumps({"status": "failed"}))
    later = failed_since.stat().st_mtime + 5
    os.utime(failed_since, (later, later))
    bucket = CountingBucket(out)
    monkeypatch.setattr(enqueue, "open_bucket", lambda url: bucket)

    result = enqueue_specs(specs, JobStore(fake_redis), out=str(out), batch="b2")

    assert result.skipped == [spec.id for spec in specs[1:100]]
    assert result.enqueued == ["shoe-0", *(spec.id for spec in specs[100:])]
    assert (bucket.listings, bucket.reads) == (1, [])
