"""``photoreel catalog FEED --feed-out PATH|s3://…``: the feed written back with each
product's video link, ready to upload to the platform it came from.

Everything that could make the write fail is checked before a video is made (the format
can be written back, the target is writable and is not the feed itself, the videos will have
a lasting address). The feed is written after the batch, from the reports in the output
bucket, not from what this run made: a product skipped as unchanged still has its video (its
report says so) and keeps its link, and any machine of a fleet may have made the videos.

A product gets a link when its report succeeded, was made from the product's current inputs
(its ``source.digest``), has a video, and that video keeps its platform's rules
(``producer.feeds.video_rules``); every other one is named with the reason. The file is
written whole or not at all (a temporary name then renamed, or one S3 upload), and not at
all when it would be the same bytes as the one already there: a rerun that changes nothing
leaves the feed as it was.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError
from rich.console import Console
from rich.markup import escape

from producer.catalog import Catalog
from producer.feeds.model import Feed
from producer.feeds.video_links import LinkError, VideoLinks, video_links
from producer.feeds.video_rules import RULES, broken_rules
from producer.feeds.write_xml import WriteError
from producer.feeds.writeback import VIDEO_COLUMNS, check_writable, written_feed
from producer.photosets import job_id_for
from worker.files.bucket import Bucket, BucketError, open_bucket
from worker.job.states import JobStatus
from worker.outputs.report import read_report

REPORT_READERS = 16
"""Reports read at once from an ``s3://`` bucket (a folder is read in turn)."""


class FeedOutError(ValueError):
    """``--feed-out`` cannot be done: one line saying why and what to give instead."""


@dataclass(frozen=True)
class FeedOutFlags:
    """``--feed-out``, ``--public-url`` and ``--presign-days`` as given."""

    target: str | None
    public_url: str | None
    presign_days: int | None


@dataclass(frozen=True)
class FeedTarget:
    """Where the written feed goes: a bucket (folder or ``s3://``) and a name in it."""

    bucket: Bucket
    name: str

    @property
    def address(self) -> str:
        return self.bucket.address(self.name)


@dataclass
class FeedOut:
    """What is needed after the batch to write the feed."""

    feed: Feed
    target: FeedTarget
    links: VideoLinks
    jobs: dict[str, tuple[str, str | None]]
    """Product id → its job id and inputs' digest, for the products that have a job."""


@dataclass
class FeedOutResult:
    address: str
    linked: list[str] = field(default_factory=list)
    without: list[tuple[str, str]] = field(default_factory=list)
    """(product id, why it has no link)."""
    changed: bool = True


def feed_target(target: str, feed_location: str) -> FeedTarget:
    """The bucket and name of ``target``, checked writable; never the feed that was read."""
    if target.startswith("s3://"):
        folder, _slash, name = target.rstrip("/").rpartition("/")
        if not name or folder == "s3:/":
            raise FeedOutError(f"--feed-out {target}: name a file, s3://bucket/feed.tsv")
    else:
        path = Path(target).expanduser().resolve()
        if path.is_dir():
            raise FeedOutError(f"--feed-out {target}: a folder; name the file to write")
        if str(path) == feed_location:
            raise FeedOutError(
                f"--feed-out {target}: the feed that is read; write the new one beside it"
            )
        folder, name = str(path.parent), path.name
    try:
        bucket = open_bucket(folder)
        bucket.check()
    except (ValueError, BucketError) as problem:
        raise FeedOutError(f"--feed-out {target}: {problem}") from None
    return FeedTarget(bucket, name)


def feed_out_plan(catalog: Catalog, feed: str, out: str, flags: FeedOutFlags) -> FeedOut | None:
    """The plan of ``--feed-out`` (None without it), checked before any video is made."""
    if flags.target is None:
        if flags.public_url is not None or flags.presign_days is not None:
            raise FeedOutError("--public-url and --presign-days go with --feed-out")
        return None
    local = Path(feed)
    return prepare_feed_out(
        catalog,
        target=flags.target,
        feed_location=str(local.resolve()) if local.is_file() else "",
        out=out,
        public_url=flags.public_url,
        presign_days=flags.presign_days,
    )


def prepare_feed_out(
    catalog: Catalog,
    *,
    target: str,
    feed_location: str,
    out: str,
    public_url: str | None,
    presign_days: int | None,
) -> FeedOut:
    """Everything ``--feed-out`` needs, checked before any video is made."""
    try:
        check_writable(catalog.feed)
        links = video_links(out, public_url, presign_days)
    except (WriteError, LinkError) as problem:
        raise FeedOutError(str(problem)) from None
    jobs = {spec.id: spec.source.digest for spec in catalog.specs}
    by_product = {
        product.id: (job_id_for(product.id), jobs[job_id_for(product.id)])
        for product in catalog.feed.products
        if job_id_for(product.id) in jobs
    }
    return FeedOut(catalog.feed, feed_target(target, feed_location), links, by_product)


def write_feed_out(plan: FeedOut) -> FeedOutResult:
    """Read each product's report, link the videos that keep the rules, write the feed."""
    bucket = plan.links.bucket
    job_ids = [job_id for job_id, _digest in plan.jobs.values()]
    readers = REPORT_READERS if bucket.remote else 1
    with ThreadPoolExecutor(max_workers=readers) as pool:
        found = pool.map(lambda job: read_report(bucket, job), job_ids)
        reports = dict(zip(job_ids, found, strict=True))
    result = FeedOutResult(plan.target.address)
    links: dict[str, str] = {}
    for product in plan.feed.products:
        if product.id not in plan.jobs:
            continue
        job_id, digest = plan.jobs[product.id]
        key, reason = video_key(reports.get(job_id), digest, plan)
        if key is None:
            result.without.append((product.id, reason))
            continue
        links[product.id] = plan.links.url(key)
        result.linked.append(product.id)
    target = plan.target
    try:
        data = written_feed(plan.feed, links)
        if target.bucket.read_bytes(target.name) == data:
            result.changed = False
        else:
            target.bucket.put_bytes(target.name, data)
    except WriteError as problem:
        raise FeedOutError(f"{target.address}: not written: {problem}") from None
    except (OSError, BotoCoreError) as problem:
        raise FeedOutError(f"{target.address}: not written: {problem}") from None
    return result


def video_key(
    report: dict[str, Any] | None, digest: str | None, plan: FeedOut
) -> tuple[str | None, str]:
    """The bucket key of the product's video, or None and why it gets no link."""
    if report is None:
        return None, "no report in the output"
    made_from = ((report.get("spec") or {}).get("source") or {}).get("digest")
    if made_from != digest:
        return None, "its report is of other inputs (its job did not finish)"
    if report.get("status") != JobStatus.SUCCEEDED:
        return None, f"its job {report.get('status')}"
    output = report.get("output") or {}
    key = (output.get("files") or {}).get("video")
    probe = output.get("probe")
    if not key or not probe:
        backend = (report.get("backend") or {}).get("name", "its")
        return None, f"no video (the {backend} backend made none)"
    rules = RULES.get(plan.feed.format)
    broken = broken_rules(probe, rules) if rules else []
    if broken:
        return None, "; ".join(broken)
    return str(key), ""


def describe(plan: FeedOut, result: FeedOutResult) -> str:
    """``feed out: out/feed.tsv (video_link): 3 linked, 1 without; links under https://…``."""
    column = VIDEO_COLUMNS[plan.feed.format].described
    without = f", {len(result.without)} without" if result.without else ""
    unchanged = "unchanged, " if not result.changed else ""
    return (
        f"feed out: {result.address} ({column}): {unchanged}{len(result.linked)} "
        f"product(s) with a video link{without}; {plan.links.describe()}"
    )


def write_and_report(plan: FeedOut, console: Console) -> bool:
    """Write the feed once the batch has ended and say how it went: each product left
    without a link and why, then one line; False when it could not be written."""
    try:
        result = write_feed_out(plan)
    except FeedOutError as problem:
        console.print(f"[red]✗[/] feed out: {escape(str(problem))}")
        return False
    for product_id, reason in result.without:
        console.print(f"[yellow]![/] {escape(product_id)}: no video link: {escape(reason)}")
    console.print(escape(describe(plan, result)))
    return True
