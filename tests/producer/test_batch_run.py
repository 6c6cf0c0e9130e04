from __future__ import annotations

import pytest

from producer.batch_run import print_summary, render_processes
from producer.exits import EXIT_JOB_FAILED
from producer.progress import TABLE_ROWS
from worker.job.spec import JobSpec
from worker.job.states import JobState, JobStatus, Stage


def finished_state(job_id: str, status: JobStatus) -> JobState:
    return JobState(
        spec=JobSpec(id=job_id, photos=["/a.jpg"]),
        out="/out",
        batch="b",
        status=status,
        stage=Stage.PUBLISH,
        epoch=1,
        error="broken" if status == JobStatus.FAILED else None,
        error_file=None,
        parked_reason=None,
        created_at=0.0,
        updated_at=0.0,
        due_at=0.0,
    )


def test_summary_names_warnings_and_lists_a_big_batch_by_its_failures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    states = [finished_state(f"ok-{index}", JobStatus.SUCCEEDED) for index in range(TABLE_ROWS)]
    states.append(finished_state("bad", JobStatus.FAILED))
    warnings = {"ok-1": ["duration 36000 s clamped to 600 s, the longest video photoreel makes"]}
    code = print_summary(states, "/out", warnings=warnings)
    lines = capsys.readouterr().err.splitlines()
    assert code == EXIT_JOB_FAILED
    assert lines == [
        "! ok-1: duration 36000 s clamped to 600 s, the longest video photoreel makes",
        "✗ bad: failed: broken",
        f"{TABLE_ROWS} of {TABLE_ROWS + 1} jobs succeeded; reports in /out",
    ]


def test_no_more_render_processes_than_local_renders() -> None:
    def spec(number: int, backend: str) -> JobSpec:
        return JobSpec(
            id=f"job-{number}", photos=["a.jpg"], prompt="", options={"backend": backend}
        )

    assert render_processes(2, [spec(1, "local")]) == 1
    assert render_processes(2, [spec(n, "local") for n in range(5)]) == 2
    assert render_processes(2, [spec(1, "local"), spec(2, "nemo"), spec(3, "nemo")]) == 1
    assert render_processes(4, [spec(n, "nemo") for n in range(3)]) == 1


def test_a_warning_many_jobs_share_is_printed_once_with_their_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    states = [finished_state(f"shoe-{index}", JobStatus.SUCCEEDED) for index in range(5)]
    note = "feed.csv was read as cp1252 (not UTF-8)"
    warnings = {state.spec.id: [note] for state in states}
    warnings["shoe-1"].append("title [SALE] cut")
    print_summary(states, "/out", warnings=warnings)
    lines = capsys.readouterr().err.splitlines()
    assert "! shoe-1: title [SALE] cut" in lines
    assert "! 5 jobs (shoe-0, shoe-1, shoe-2 …): feed.csv was read as cp1252 (not UTF-8)" in lines
    assert sum(note in line for line in lines) == 1
