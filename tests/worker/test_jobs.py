from redis import Redis

from worker import keys
from worker.jobs import JobStatus, JobStore, Stage
from worker.spec import JobSpec


def spec(job_id: str = "j1") -> JobSpec:
    return JobSpec(id=job_id, photos=["/p/1.jpg"], prompt="fast")


def test_create_is_idempotent(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    assert store.create(spec(), out="/out", batch="b1")
    assert not store.create(spec(), out="/elsewhere", batch="b2")
    state = store.get("j1")
    assert state is not None
    assert state.status == JobStatus.QUEUED and state.out == "/out" and state.batch == "b1"
    assert [job.spec.id for job in store.batch_jobs("b1")] == ["j1"]
    assert store.batch_jobs("b2") == []


def test_stage_progress_timings_and_failure(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    store.create(spec(), out="/out", batch="b1")
    assert store.start_stage("j1", Stage.SESSION) == 1
    store.finish_stage("j1", Stage.SESSION, 0.5)
    assert store.start_stage("j1", Stage.UPLOAD) == 1
    assert store.start_stage("j1", Stage.UPLOAD) == 2
    store.fail("j1", "cannot decode image", file="1.jpg")
    state = store.get("j1")
    assert state is not None
    assert state.status == JobStatus.FAILED and state.status.finished
    assert state.stage == Stage.UPLOAD
    assert state.timings == {"session": 0.5}
    assert state.stage_attempts == {"session": 1, "upload": 2}
    assert (state.error, state.error_file) == ("cannot decode image", "1.jpg")


def test_checkpoint_round_trips_json(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    store.record("j1", "session_id", "s-1")
    store.record("j1", "files", [{"id": "f", "size": 3}])
    assert store.checkpoint("j1") == {"session_id": "s-1", "files": [{"id": "f", "size": 3}]}
    assert fake_redis.exists(keys.job_checkpoint("j1"))


def test_stage_order() -> None:
    assert Stage.SESSION.next == Stage.UPLOAD
    assert Stage.DOWNLOAD.next == Stage.PUBLISH
    assert Stage.PUBLISH.next is None


def test_latest_batch(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    assert store.latest_batch() is None
    store.create(spec("a"), out="/o", batch="first")
    store.create(spec("b"), out="/o", batch="second")
    assert store.latest_batch() == "second"


def test_forget_lets_a_finished_job_be_made_again(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    store.create(spec(), out="/out", batch="b1")
    store.record("j1", "session_id", "s-1")
    store.finish_stage("j1", Stage.SESSION, 0.5)
    store.finish("j1")
    store.forget("j1")
    assert store.get("j1") is None and store.checkpoint("j1") == {}
    assert store.create(spec(), out="/out", batch="b2")
    again = store.get("j1")
    assert again is not None and again.timings == {} and again.batch == "b2"
