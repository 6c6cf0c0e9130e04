"""The last stage: video and poster to the bucket, then the report (its presence says the job
is finished), then the batch summary if this was the batch's last report.

The output comes from the job's work area (``worker.files.work_area``): the machine publishing it
need not be the one that made it. It is copied to its final key inside the bucket."""

from __future__ import annotations

from dataclasses import dataclass

from config.logging import get_logger
from config.settings import get_settings
from worker.backends import get_plugin
from worker.backends.base import StageContext
from worker.files.bucket import Bucket, open_bucket
from worker.files.inputs import describe_inputs
from worker.files.scratch import remove_unused, scratch_folder
from worker.files.work_area import BucketArea, work_area, work_prefix
from worker.job.states import JobState, JobStatus
from worker.job.store import JobStore
from worker.media.probe import VideoProbe, extract_poster, probe_video
from worker.outputs.joblog import publish_job_log
from worker.outputs.output_claim import claim_output, release_output
from worker.outputs.report import build_report, render_report, report_key, succeeded_mark_key
from worker.outputs.summary import summary_key, write_batch_summary
from worker.outputs.webhook import queue_delivery

log = get_logger(__name__)
POSTER_AT = 0.3
"""Where in the video the poster frame is taken, as a fraction of its duration."""


CONTACT_SHEET_NAME = "contact-sheet.jpg"
KEPT_FACTS = ("warnings",)
"""Checkpoint facts every succeeded job keeps in Redis after publish: the run that made it
prints its warnings once it ended."""


@dataclass
class Published:
    outputs: dict[str, str]
    """Each output's role (video, poster, contact_sheet) → its key in the bucket."""
    probe: VideoProbe | None


def publish(state: JobState, ctx: StageContext, makes_video: bool) -> Published:
    """Write video and poster (or the contact sheet of a backend that makes no video); return
    what the report needs about them."""
    kept = ctx.checkpoint["output_file"]
    area = work_area(state, ctx.workdir)
    if not makes_video:
        key = f"{state.spec.id}/{CONTACT_SHEET_NAME}"
        area.bucket.copy(area.key(kept), key)
        return Published(outputs={"contact_sheet": key}, probe=None)
    return publish_video(state, area, kept)


def publish_video(state: JobState, area: BucketArea, kept: str) -> Published:
    """Raises OutputTaken when another run has made the job's output or is publishing it."""
    video = area.local(kept)
    probe = probe_video(video)
    poster = area.cache / "poster.jpg"
    extract_poster(video, poster, at_seconds=probe.duration * POSTER_AT)
    bucket = area.bucket
    claim_output(bucket, state, stale_after=get_settings().stage_time_limit)
    job_id = state.spec.id
    outputs = {"video": f"{job_id}/video{video.suffix}", "poster": f"{job_id}/poster.jpg"}
    bucket.copy(area.key(kept), outputs["video"])
    bucket.put_file(outputs["poster"], poster)
    return Published(outputs=outputs, probe=probe)


def write_report(
    job_id: str, store: JobStore, published: Published | None = None, *, summarize: bool = True
) -> None:
    """The report goes last: its presence in the bucket says the job is finished. Then the
    batch's summary, if this was the batch's last report (unless ``summarize`` is False: the
    caller writes many reports, then the summary once)."""
    state = store.get(job_id)
    if state is None:
        return
    bucket = open_bucket(state.out)
    report = build_report(
        state,
        store.checkpoint(job_id),
        inputs=describe_inputs(state.spec, scratch_folder(state)),
        bucket=bucket.url,
        outputs=published.outputs if published else None,
        probe=published.probe if published else None,
    )
    bucket.put_bytes(report_key(job_id), render_report(report))
    if state.status == JobStatus.SUCCEEDED:
        digest = state.spec.source.digest or state.spec.content_hash()
        bucket.put_bytes(succeeded_mark_key(job_id, digest), b"")
    release_output(bucket, state)
    publish_job_log(store.redis, bucket, job_id)
    credits = report["credits"] or {}
    store.count_credits(job_id, spent=credits.get("spent") or 0, charges=credits.get("charges", 0))
    if state.status == JobStatus.SUCCEEDED:
        plugin = get_plugin(state.spec.options.backend)
        store.keep_checkpoint_facts(job_id, [*KEPT_FACTS, *plugin.audit_facts])
    store.forget_finished(job_id)
    clear_work(state, bucket)
    if summarize:
        summarize_batch_if_done(state, store, bucket)


def end_without_report(state: JobState, store: JobStore) -> None:
    """A job whose output belongs to another run: its report is not written (it would
    replace the other run's); only its work area and scratch folder go."""
    store.forget_finished(state.spec.id)
    clear_work(state, open_bucket(state.out))


def clear_work(state: JobState, bucket: Bucket, *, wait: float = 0.0) -> None:
    """The settled job's work area in the bucket, and its scratch folder on this machine,
    once no stage holds it (for up to ``wait`` seconds); other machines' folders go with their
    next sweep (``worker.files.scratch``)."""
    bucket.delete_prefix(work_prefix(state.spec.id, state.scratch))
    remove_unused(scratch_folder(state), wait=wait)


def summarize_batch_if_done(state: JobState, store: JobStore, bucket: Bucket) -> None:
    """Every job writes its report after Redis says it finished, so the job whose report is
    the batch's last finds them all (two finding them at once write the same summary)."""
    batch = store.batch_jobs(state.batch)
    if not all(job.status.finished for job in batch):
        return
    statuses = {job.spec.id: job.status for job in batch}
    try:
        summary = write_batch_summary(bucket, state.batch, statuses, require_every_report=True)
    except OSError as error:  # the job is done all the same; the summary is rebuilt from reports
        log.warning("batch summary not written", batch=state.batch, error=str(error))
        return
    if summary is not None:
        log.info("batch summary written", batch=state.batch)
        summary_url = bucket.address(summary_key(state.batch))
        queue_delivery(
            store.redis, state.batch, summary, summary_url, backend=state.spec.options.backend
        )
