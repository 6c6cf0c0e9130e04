import time

import pytest
from redis import Redis

from worker.job import keys
from worker.job.spec import JobSpec
from worker.job.states import ClaimOutcome, JobStatus, Stage, StaleClaim
from worker.job.store import JobStore


def spec(job_id: str = "j1") -> JobSpec:
    return JobSpec(id=job_id, photos=["/p/1.jpg"], prompt="fast")


@pytest.fixture
def store(fake_redis: Redis) -> JobStore:
    job_store = JobStore(fake_redis)
    job_store.create(spec(), out="/out", batch="b1")
    return job_store


def claim(store: JobStore, stage: Stage, *, lease: float = 30, max_attempts: int = 3):
    return store.claim("j1", stage, owner="w", lease_seconds=lease, max_attempts=max_attempts)


def test_create_is_idempotent(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    assert store.create(spec(), out="/out", batch="b1") is None
    assert store.create(spec(), out="/elsewhere", batch="b2") == "j1"
    state = store.get("j1")
    assert state is not None
    assert state.status == JobStatus.QUEUED and state.out == "/out" and state.batch == "b1"
    assert state.stage == Stage.SESSION
    assert [job.spec.id for job in store.batch_jobs("b1")] == ["j1"]
    assert store.batch_jobs("b2") == []
    assert store.active_jobs() == ["j1"]


def test_same_content_under_another_id_is_another_job(store: JobStore) -> None:
    assert store.create(spec("other-name"), out="/out", batch="b2") is None
    named, first = store.get("other-name"), store.get("j1")
    assert named is not None and first is not None
    assert named.scratch and first.scratch and named.scratch != first.scratch


def test_a_job_made_again_gets_another_scratch_token(store: JobStore) -> None:
    before = store.get("j1")
    _outcome, claim = store.claim("j1", Stage.SESSION, owner="w", lease_seconds=30, max_attempts=3)
    assert before is not None and claim is not None
    claim.fail("broken")
    assert store.erase_finished("j1")
    assert store.create(spec(), out="/out", batch="b3") is None
    again = store.get("j1")
    assert again is not None and again.scratch != before.scratch


def test_stages_move_forward_with_timings(store: JobStore) -> None:
    outcome, session = claim(store, Stage.SESSION)
    assert outcome == ClaimOutcome.CLAIMED and session is not None
    session.record("session_id", "s-1")
    session.finish_stage(0.5)
    state = store.get("j1")
    assert state is not None
    assert (state.status, state.stage, state.timings) == (
        JobStatus.QUEUED,
        Stage.UPLOAD,
        {"session": 0.5},
    )
    assert claim(store, Stage.SESSION)[0] == ClaimOutcome.PASSED
    assert store.checkpoint("j1") == {"session_id": "s-1"}


def test_a_live_lease_keeps_others_out(store: JobStore) -> None:
    assert claim(store, Stage.SESSION)[0] == ClaimOutcome.CLAIMED
    assert claim(store, Stage.SESSION)[0] == ClaimOutcome.BUSY
    assert store.live_leases(["j1"]) == {"j1"}


def test_a_stale_worker_is_fenced_out(store: JobStore) -> None:
    _, first = claim(store, Stage.SESSION, lease=0.05)
    assert first is not None
    time.sleep(0.1)  # the first worker stalls; its lease runs out
    _, second = claim(store, Stage.SESSION)
    assert second is not None and second.epoch == first.epoch + 1
    with pytest.raises(StaleClaim):
        first.record("session_id", "from-the-stale-worker")
    with pytest.raises(StaleClaim):
        first.finish_stage(1.0)
    assert not first.renew(30)
    second.record("session_id", "s-2")
    assert store.checkpoint("j1") == {"session_id": "s-2"}


def test_attempts_are_bounded_then_dead_letter(store: JobStore) -> None:
    for attempt in (1, 2):
        _, run = claim(store, Stage.SESSION, max_attempts=2)
        assert run is not None and run.attempt == attempt
        run.retry_later("server error")
    outcome, run = claim(store, Stage.SESSION, max_attempts=2)
    assert outcome == ClaimOutcome.DEAD and run is None
    state = store.get("j1")
    assert state is not None and state.status == JobStatus.DEAD and state.status.finished
    assert state.error == "gave up after 2 attempts of the session stage"


def test_polling_and_parking_do_not_use_up_attempts(store: JobStore) -> None:
    for _ in range(5):
        _, run = claim(store, Stage.SESSION, max_attempts=2)
        assert run is not None
        run.retry_later("still generating", counts_as_attempt=False)
    _, run = claim(store, Stage.SESSION, max_attempts=2)
    assert run is not None
    run.park("no credits")
    state = store.get("j1")
    assert state is not None and state.status == JobStatus.PARKED
    assert state.status.settled and not state.status.finished
    assert state.parked_reason == "no credits"
    assert state.attempts == {"session": 0}
    [unparked] = store.unpark_all()
    assert unparked.spec.id == "j1" and unparked.stage == Stage.SESSION
    resumed = store.get("j1")
    assert resumed is not None and resumed.status == JobStatus.QUEUED
    assert store.unpark_all() == []


def test_failure_names_the_file(store: JobStore) -> None:
    _, run = claim(store, Stage.SESSION)
    assert run is not None
    run.finish_stage(0.1)
    _, upload = claim(store, Stage.UPLOAD)
    assert upload is not None
    upload.fail("cannot decode image", file="1.jpg")
    state = store.get("j1")
    assert state is not None
    assert (state.status, state.stage) == (JobStatus.FAILED, Stage.UPLOAD)
    assert (state.error, state.error_file) == ("cannot decode image", "1.jpg")
    assert claim(store, Stage.UPLOAD)[0] == ClaimOutcome.FINISHED
    assert store.live_leases(["j1"]) == set()


def test_stage_order() -> None:
    assert Stage.SESSION.next == Stage.UPLOAD
    assert Stage.DOWNLOAD.next == Stage.PUBLISH
    assert Stage.PUBLISH.next is None


def test_latest_batch_and_keys(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    assert store.latest_batch() is None
    store.create(JobSpec(id="a", photos=["/a.jpg"]), out="/o", batch="first")
    store.create(JobSpec(id="b", photos=["/b.jpg"]), out="/o", batch="second")
    assert store.latest_batch() == "second"
    assert fake_redis.exists(keys.job("a"))


def test_erase_finished_frees_id_and_content_of_a_finished_job_only(store: JobStore) -> None:
    outcome, publish = claim(store, Stage.PUBLISH)
    assert outcome == ClaimOutcome.CLAIMED and publish is not None
    publish.record("output_file", "video.mp4")
    assert not store.erase_finished("j1")
    publish.fail("cannot decode image", file="1.jpg")
    assert store.erase_finished("j1")
    assert store.get("j1") is None and store.checkpoint("j1") == {}
    assert store.batch_jobs("b1") == [] and store.active_jobs() == []
    assert store.create(spec(), out="/out", batch="b2") is None
    assert store.erase_finished("never-made")


def test_recent_batches_newest_first(fake_redis: Redis) -> None:
    job_store = JobStore(fake_redis)
    job_store.create(spec("a"), out="/out", batch="old")
    job_store.create(JobSpec(id="b", photos=["/p/2.jpg"]), out="/out", batch="new")
    assert [batch for batch, _created in job_store.recent_batches(5)] == ["new", "old"]
    assert [batch for batch, _created in job_store.recent_batches(1)] == ["new"]


def test_a_batch_whose_index_expired_leaves_the_list(fake_redis: Redis) -> None:
    job_store = JobStore(fake_redis)
    for batch in ("first", "second", "third"):
        job_store.create(JobSpec(id=batch, photos=[f"/p/{batch}.jpg"]), out="/out", batch=batch)
    fake_redis.delete(keys.batch("third"), keys.batch("first"))  # as their time to live ends
    assert [batch for batch, _created in job_store.recent_batches(2)] == ["second"]
    assert fake_redis.zrange(keys.BATCHES, 0, -1) == [b"second"]


def test_a_stale_park_neither_parks_nor_lists_the_job(store: JobStore) -> None:
    _, stale = claim(store, Stage.SESSION, lease=0.01)
    time.sleep(0.02)
    _, current = claim(store, Stage.SESSION)
    assert stale is not None and current is not None
    with pytest.raises(StaleClaim):
        stale.park("no credits")
    state = store.get("j1")
    assert state is not None and state.status == JobStatus.RUNNING
    assert store.redis.smembers(keys.PARKED_JOBS) == set()


def test_unpark_all_skips_a_listed_job_no_longer_parked(store: JobStore) -> None:
    _, run = claim(store, Stage.SESSION)
    assert run is not None
    run.park("no credits")
    store.redis.hset(keys.job("j1"), "status", JobStatus.RUNNING)  # resumed another way
    assert store.unpark_all() == []
    assert store.redis.smembers(keys.PARKED_JOBS) == set()
    state = store.get("j1")
    assert state is not None and state.status == JobStatus.RUNNING


def test_repair_parked_lists_a_parked_job_missing_from_the_list(store: JobStore) -> None:
    _, run = claim(store, Stage.SESSION)
    assert run is not None
    run.park("no credits")
    store.redis.srem(keys.PARKED_JOBS, "j1")  # parked by a version that listed it apart
    assert store.repair_parked() == ["j1"]
    assert store.repair_parked() == []
    [unparked] = store.unpark_all()
    assert unparked.spec.id == "j1" and unparked.status == JobStatus.QUEUED


def test_every_key_a_finished_job_leaves_expires_after_the_retention(fake_redis: Redis) -> None:
    store = JobStore(fake_redis, retention_seconds=3600)
    store.create(spec(), out="/out", batch="b1")
    other = JobSpec(id="other", photos=["/p/2.jpg"])
    assert store.create(other, out="/out", batch="b1") is None
    done = store.claim("j1", Stage.SESSION, owner="w", lease_seconds=30, max_attempts=3)[1]
    assert done is not None
    done.record("session_id", "s-1")
    done.fail("bad photo")
    job_keys = [
        keys.job("j1"),
        keys.job_checkpoint("j1"),
        keys.job_spec("j1"),
        keys.batch("b1"),
    ]
    for key in job_keys:
        assert 3000 < fake_redis.ttl(key) <= 3600, key
    assert fake_redis.ttl(keys.job("other")) == -1  # not finished: kept


def test_the_checkpoint_keeps_only_the_facts_asked_for(store: JobStore) -> None:
    session = claim(store, Stage.SESSION)[1]
    assert session is not None
    for name, value in (("session_id", "s-1"), ("draft", {"big": "timeline"}), ("plan", {})):
        session.record(name, value)
    store.keep_checkpoint_facts("j1", ["session_id", "output_file"])
    assert store.checkpoint("j1") == {"session_id": "s-1"}


def test_get_many_reads_states_in_order_and_leaves_out_missing_ones(fake_redis: Redis) -> None:
    store = JobStore(fake_redis)
    for index in range(5):
        store.create(JobSpec(id=f"j{index}", photos=[f"/p/{index}.jpg"]), out="/o", batch="b")
    states = store.get_many(["j3", "gone", "j0", "j4"], chunk=2)
    assert [state.spec.id for state in states] == ["j3", "j0", "j4"]
    assert states[0] == store.get("j3")


def test_create_many_records_new_jobs_in_one_round_trip(
    store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = store.redis.connection_pool
    taken: list[object] = []
    take = pool.get_connection
    monkeypatch.setattr(pool, "get_connection", lambda *a, **k: taken.append(a) or take(*a, **k))
    results = store.create_many([spec("n1"), spec(), spec("n2")], out="/o", batch="b2")
    assert results == [None, "j1", None]
    assert len(taken) == 1, "one pipelined exchange with the server"
    assert [job.spec.id for job in store.batch_jobs("b2")] == ["n1", "n2"]
    assert store.active_jobs() == ["j1", "n1", "n2"]


def test_failed_and_dead_are_the_ways_a_job_goes_wrong() -> None:
    assert {status for status in JobStatus if status.went_wrong} == {
        JobStatus.FAILED,
        JobStatus.DEAD,
    }
