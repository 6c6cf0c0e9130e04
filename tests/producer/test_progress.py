from __future__ import annotations

from rich.console import Console

from producer.progress import STATUS_STYLE, jobs_table
from worker.jobs import JobState, JobStatus, Stage
from worker.spec import JobSpec


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


def test_every_status_has_a_colour() -> None:
    assert set(STATUS_STYLE) == set(JobStatus)


def test_table_shows_a_dead_job() -> None:
    console = Console(width=120, record=True)
    console.print(jobs_table([state_in(status) for status in JobStatus]))
    text = console.export_text()
    assert "job-dead" in text and "dead" in text.split("job-dead", 1)[1]
