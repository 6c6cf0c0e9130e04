"""``status`` of a batch Redis no longer holds (its keys expired): read from the bucket."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from worker.files.bucket import open_bucket
from worker.job.states import JobStatus
from worker.outputs.summary import read_summary


def archived_summary(out: str, batch: str) -> dict[str, Any] | None:
    """``batches/<batch>/summary.json`` in the bucket ``out``; None when there is none."""
    return read_summary(open_bucket(out), batch)


def archived_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"batch {summary['batch']} (from its summary, {summary['generated_at']})")
    for column in ("job", "status", "seconds", "error"):
        table.add_column(column)
    for job in summary["jobs"]:
        seconds = job.get("seconds", {}).get("total")
        table.add_row(
            job["job_id"],
            job["status"],
            f"{seconds:.1f}" if seconds is not None else "",
            (job.get("error") or {}).get("message", ""),
        )
    return table


def summary_failed(summary: dict[str, Any]) -> bool:
    """A job of the summarised batch failed or gave up."""
    return any(JobStatus(job["status"]).went_wrong for job in summary["jobs"])


def print_archived(console: Console, summary: dict[str, Any]) -> bool:
    """Print the summary's jobs; True when one of them failed or gave up."""
    console.print(archived_table(summary))
    return summary_failed(summary)
