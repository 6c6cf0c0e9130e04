from __future__ import annotations

import io

import pytest
from redis import Redis
from rich.console import Console

from producer import progress
from producer.progress import (
    STATUS_STYLE,
    TABLE_ROWS,
    counting,
    jobs_named,
    jobs_table,
    progress_view,
)
from tests.conftest import RoundTrips
from worker.job.progress import StageProgress
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus, Stage
from worker.job.store import JobStore


def state_in(status: JobStatus) -> JobState:
    return JobState(
        spec=JobSpec(id=f"job-{status}", photos=["/a.jpg"]),
        out="/out",
        batch="b",
        status=status,
        stage=Stage.EXPORT,
        epoch=1,
        error="gave up after 1 attempts of the export stage" if status.finished else None,
        error_file=None,
        parked_reason=None,
        created_at=0.0,
        updated_at=0.0,
        due_at=0.0,
    )


def test_jobs_are_named_and_counted_in_words_that_agree() -> None:
    assert jobs_named(["shoe-1"]) == "1 job (shoe-1)"
    assert jobs_named(["a", "b"]) == "2 jobs (a, b)"
    assert jobs_named([f"shoe-{n}" for n in range(1000)], shown=2) == "1000 jobs (shoe-0, shoe-1 …)"


def test_every_status_has_a_colour() -> None:
    assert set(STATUS_STYLE) == set(JobStatus)


def test_table_shows_a_dead_job() -> None:
    console = Console(width=120, record=True)
    console.print(jobs_table([state_in(status) for status in JobStatus]))
    text = console.export_text()
    assert "job-dead" in text and "dead" in text.split("job-dead", 1)[1]


def test_a_big_batch_shows_counts_and_the_running_jobs_only() -> None:
    states = [state_in(JobStatus.QUEUED) for _ in range(TABLE_ROWS)]
    states += [state_in(JobStatus.SUCCEEDED) for _ in range(5)] + [state_in(JobStatus.RUNNING)]
    console = Console(width=120, record=True)
    console.print(progress_view(states))
    text = console.export_text()
    assert f"{TABLE_ROWS + 6} jobs: {TABLE_ROWS} queued, 1 running, 5 succeeded" in text
    assert text.count("job-running") == 1 and "job-queued" not in text


def test_a_long_load_says_how_far_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 2)
    console = Console(width=120, record=True)
    tell = counting(console, "reading big.yaml")
    for done in range(1, 6):
        tell(done, 5)
    assert console.export_text().splitlines() == [
        "reading big.yaml: 2 of 5 jobs",
        "reading big.yaml: 4 of 5 jobs",
        "reading big.yaml: 5 of 5 jobs",
    ]


def test_a_running_job_shows_what_its_stage_said() -> None:
    running = state_in(JobStatus.RUNNING)
    running.progress = StageProgress("export", 0, 0, 1.0, 1.0, note="Adding [music] now")
    console = Console(width=160, record=True)
    console.print(jobs_table([running]))
    text = console.export_text()
    assert "running Adding [music] now" in text


def test_following_a_batch_costs_the_same_round_trips_for_ten_jobs_or_two_thousand(
    fake_redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live view's snapshot and ``status``: the batch's jobs read in one pipeline."""
    store = JobStore(fake_redis)
    trips = RoundTrips(fake_redis, monkeypatch)
    quiet = Console(file=io.StringIO())

    def follow(batch: str, count: int) -> int:
        job_ids = [f"{batch}-{index}" for index in range(count)]
        specs = [JobSpec(id=job_id, photos=["/a.jpg"]) for job_id in job_ids]
        store.create_many(specs, out="/out", batch=batch)
        store.cancel_batch(batch)  # settled: the view takes one snapshot and returns
        return trips(
            lambda: (progress.wait_for_jobs(store, job_ids, quiet), store.batch_jobs(batch))
        )

    assert follow("few", 10) == follow("many", 2000)


def test_jobs_redis_forgot_end_the_wait_saying_so_not_as_no_jobs(fake_redis: Redis) -> None:
    """A Redis restarted without its data (no append-only file) comes back empty: the view
    would see no job left to wait for and the run would end "no jobs", exit code 0."""
    store = JobStore(fake_redis)
    job_ids = ["made", "rendering"]
    store.create_many(
        [JobSpec(id=job_id, photos=["/a.jpg"]) for job_id in job_ids], out="/o", batch="b"
    )
    fake_redis.flushall()
    with pytest.raises(progress.JobsLost) as lost:
        progress.wait_for_jobs(store, job_ids, Console(file=io.StringIO()), poll_seconds=0)
    assert str(lost.value).startswith(
        "Redis lost 2 jobs (made, rendering) of this batch: it came back without their data"
    )


@pytest.mark.parametrize(
    ("jobs", "seconds"), [(1, 0.1), (100, 0.1), (500, 0.5), (1000, 1.0), (20000, 2.0)]
)
def test_a_small_batch_is_looked_at_often_a_large_one_less(jobs: int, seconds: float) -> None:
    assert progress.poll_interval(jobs) == pytest.approx(seconds)
