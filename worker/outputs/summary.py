"""A batch at a glance: ``summary.json`` and a static ``index.html`` in the output bucket.

Layout, relative to the bucket's root::

    batches/<batch-id>/summary.json   every job of the batch: status, prompt, timings, errors,
                                      and the keys of its video, poster and report
    batches/<batch-id>/index.html     the same as a page: per job its poster frame, an inline
                                      <video>, prompt, status, timings and errors
    index.html                        the page of the batch that finished last

Every link is relative, so the pages open straight from the folder or the bucket, no server.
Both are rebuilt from the jobs' report.json files (a job without one is shown by its state),
so writing them twice (``run`` and the worker that finished a batch's last job, or two workers
finishing at once) gives the same pages; the worker writes them only once every job of the
batch has its report.
"""

from __future__ import annotations

import html
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from worker.files.bucket import Bucket, read_json_object
from worker.job.states import JobState, JobStatus
from worker.outputs.report import read_report, report_key

SUMMARY_SCHEMA = "photoreel.summary/1"
BATCHES_PREFIX = "batches"
PAGE_NAME = "index.html"
SUMMARY_NAME = "summary.json"
REPORT_WAIT_SECONDS = 30.0
MISSING = "missing"
"""Status of a job that finished without a report in the bucket (its worker died writing it)."""


def batch_prefix(batch: str) -> str:
    return f"{BATCHES_PREFIX}/{batch}"


def _job_entry(job_id: str, status: JobStatus, report: dict[str, Any] | None) -> dict[str, Any]:
    if report is None:
        shown = MISSING if status.finished else status.value
        return {"job_id": job_id, "status": shown, "prompt": None, "files": {}, "seconds": {}}
    seconds = report["stages"]["seconds"]
    probe = report["output"]["probe"]
    return {
        "job_id": job_id,
        "status": report["status"],
        "prompt": report["spec"]["prompt"],
        "files": report["output"]["files"],
        "seconds": {**seconds, "total": round(sum(seconds.values()), 3)},
        "video": {key: probe[key] for key in ("width", "height", "fps", "duration", "container")}
        if probe
        else None,
        "error": report["error"],
        "warnings": list(report.get("warnings") or []),
    }


def build_summary(
    batch: str, statuses: dict[str, JobStatus], reports: dict[str, dict[str, Any] | None]
) -> dict[str, Any]:
    jobs = [_job_entry(job_id, statuses[job_id], report) for job_id, report in reports.items()]
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job["status"]] = counts.get(job["status"], 0) + 1
    return {
        "schema": SUMMARY_SCHEMA,
        "batch": batch,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "jobs": jobs,
    }


def _link(root: str, key: str) -> str:
    return html.escape(root + quote(key), quote=True)


def _timings(seconds: dict[str, float]) -> str:
    stages = ", ".join(
        f"{stage} {value:.1f}s" for stage, value in seconds.items() if stage != "total"
    )
    total = seconds.get("total")
    return f"{total:.1f}s in all ({stages})" if total is not None else "not finished"


def _job_card(job: dict[str, Any], root: str) -> str:
    files = job["files"]
    media = ""
    if "video" in files and "poster" in files:
        video, poster = _link(root, files["video"]), _link(root, files["poster"])
        media = (
            f'<div class="media"><a href="{video}"><img class="poster" src="{poster}" '
            f'alt="poster of {html.escape(job["job_id"])}"></a>\n'
            f'<video controls preload="metadata" playsinline poster="{poster}" src="{video}">'
            f'<a href="{video}">video</a></video></div>'
        )
    elif "contact_sheet" in files:
        sheet = _link(root, files["contact_sheet"])
        media = (
            f'<div class="media"><a href="{sheet}"><img class="sheet" src="{sheet}" '
            f'alt="contact sheet of {html.escape(job["job_id"])}"></a></div>'
        )
    error = ""
    if job.get("error"):
        failed = job["error"]
        where = " · ".join(
            html.escape(str(part)) for part in (failed.get("stage"), failed.get("file")) if part
        )
        error = f'<p class="error">{where}: {html.escape(failed["message"])}</p>'
    warnings = "".join(
        f'<p class="warning">{html.escape(warning)}</p>' for warning in job.get("warnings") or []
    )
    report = (
        f'<a href="{_link(root, files["report"])}">report.json</a>' if "report" in files else ""
    )
    details = job.get("video")
    shape = (
        f"{details['width']}×{details['height']}, {details['fps']:g} fps, "
        f"{details['duration']:.1f}s {details['container']}"
        if details
        else ""
    )
    return f"""<article class="job {html.escape(job["status"])}">
<h2>{html.escape(job["job_id"])} <span class="status">{html.escape(job["status"])}</span></h2>
{media}
<p class="prompt">{html.escape(job["prompt"] or "")}</p>
<p class="timings">{html.escape(_timings(job["seconds"]))}</p>
<p class="shape">{html.escape(shape)} {report}</p>
{error}
{warnings}
</article>"""


PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; background: #fafafa; color: #222; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
.job { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1rem; }
.job h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.status { font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; background: #eee; }
.succeeded .status { background: #d4f5d4; } .failed .status { background: #f8d0d0; }
.media { display: grid; grid-template-columns: 96px 1fr; gap: .5rem; align-items: start; }
.poster { width: 96px; border-radius: 4px; }
.sheet { width: 100%; border-radius: 4px; }
video { width: 100%; max-height: 420px; background: #000; border-radius: 4px; }
.error { color: #a00; } .warning { color: #a60; }
.timings, .shape { color: #666; font-size: .85rem; }
"""


def render_page(summary: dict[str, Any], *, root: str) -> str:
    """The batch page; ``root`` leads from where the page is to the bucket's root."""
    batch = html.escape(summary["batch"])
    counts = ", ".join(f"{count} {status}" for status, count in summary["counts"].items())
    cards = "\n".join(_job_card(job, root) for job in summary["jobs"])
    summary_link = _link(root, f"{batch_prefix(summary['batch'])}/{SUMMARY_NAME}")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>photoreel batch {batch}</title>
<style>{PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>Batch {batch}</h1>
<p>{html.escape(counts)} · generated {html.escape(summary["generated_at"])} ·
<a href="{summary_link}">summary.json</a></p>
</header>
<main>
{cards}
</main>
</body>
</html>
"""


def _report_of(bucket: Bucket, job_id: str, batch: str) -> dict[str, Any] | None:
    """The job's report if this batch wrote it: one of another run's batch (which made the
    job's output first) does not speak for this batch's job."""
    report = read_report(bucket, job_id)
    return report if report is not None and report.get("batch") == batch else None


def write_batch_summary(
    bucket: Bucket, batch: str, statuses: dict[str, JobStatus], *, require_every_report: bool
) -> dict[str, Any] | None:
    """Write the summary.json and pages of the batch whose jobs (id → status in Redis) are
    ``statuses``, and return the summary; with ``require_every_report``, only when every job
    has its report (else None: the worker that writes the last report will do it)."""
    reports = {job_id: _report_of(bucket, job_id, batch) for job_id in statuses}
    if require_every_report and any(report is None for report in reports.values()):
        return None
    summary = build_summary(batch, statuses, reports)
    prefix = batch_prefix(batch)
    bucket.put_bytes(summary_key(batch), json.dumps(summary, indent=2).encode() + b"\n")
    bucket.put_bytes(f"{prefix}/{PAGE_NAME}", render_page(summary, root="../../").encode())
    bucket.put_bytes(PAGE_NAME, render_page(summary, root="").encode())
    return summary


def summary_key(batch: str) -> str:
    return f"{batch_prefix(batch)}/{SUMMARY_NAME}"


def read_summary(bucket: Bucket, batch: str) -> dict[str, Any] | None:
    """The batch's summary.json in ``bucket``; None when it has none that can be read."""
    return read_json_object(bucket, summary_key(batch))


def write_summary_when_reported(
    bucket: Bucket, batch: str, states: list[JobState], *, wait_seconds: float = REPORT_WAIT_SECONDS
) -> str:
    """For ``run``: the batch's summary, once every finished job's report is in the bucket (a
    worker writes it just after Redis says the job finished), waiting ``wait_seconds`` at most;
    a finished job still without one is listed as missing, a job not finished (parked) with its
    status. Returns the address of the batch's page."""
    finished = [state.spec.id for state in states if state.status.finished]
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and not all(
        bucket.exists(report_key(job_id)) for job_id in finished
    ):
        time.sleep(0.1)
    statuses = {state.spec.id: state.status for state in states}
    write_batch_summary(bucket, batch, statuses, require_every_report=False)
    return bucket.address(f"{batch_prefix(batch)}/{PAGE_NAME}")
