"""``--feed-out`` from the reports in the bucket: which products get a link and why the others
do not, where the feed may be written, and that a rerun leaves it as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import fakeredis
import pytest

from producer.catalog import Catalog, read_catalog
from producer.feed_out import (
    FeedOut,
    FeedOutError,
    FeedOutFlags,
    feed_out_plan,
    feed_target,
    write_feed_out,
)
from tests.conftest import claim_stage, make_video, run_stages
from tests.feed_rows import changed_cells
from tests.web_server import PhotoServer, rewritten_feed
from worker.files.bucket import Bucket, open_bucket
from worker.job.spec import BackendName, JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore
from worker.media.probe import probe_video
from worker.outputs.report import build_report, render_report, report_key

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
CDN = "https://cdn.example/reels/"
TEMPLATE = "6-second promo for {title}, 9:16"


@pytest.fixture(scope="module")
def reels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 6-second 9:16 reel with sound (every platform takes it) and a 4-second one."""
    folder = tmp_path_factory.mktemp("reels")
    return {
        "6s": make_video(folder / "six.mp4", seconds=6, size="720x1280", fps=10),
        "4s": make_video(folder / "four.mp4", seconds=4, size="720x1280", fps=10),
    }


@pytest.fixture
def tiktok(loopback_fetch: Path, tmp_path: Path) -> Iterator[tuple[Path, Catalog]]:
    """TikTok's own layout, its photos on a local server: SK-HOOD (rows 2-3) and SK-CAP-01
    (row 4, a YouTube link of its own) in stock, SK-TOTE-02 (row 5) out of stock."""
    with PhotoServer() as server:
        feed = rewritten_feed(FEEDS / "tiktok_catalog_currency_column.csv", server,
                              tmp_path / "tiktok.csv")  # fmt: skip
        yield feed, read_catalog(feed, TEMPLATE, {"backend": "local"})


def publish(
    bucket: Bucket,
    spec: JobSpec,
    *,
    video: Path | None = None,
    error: str | None = None,
) -> None:
    """What a worker leaves in the bucket at a job's end: its video and its report."""
    store = JobStore(fakeredis.FakeRedis())
    store.create(spec, out=bucket.url, batch="b1")
    if error:
        claim_stage(store, spec.id, Stage.SESSION).fail(error)
    else:
        run_stages(store, spec.id, list(Stage))
    state = store.get(spec.id)
    assert state is not None
    outputs, probe = None, None
    if video is not None:
        outputs = {"video": f"{spec.id}/video.mp4"}
        bucket.put_file(outputs["video"], video)
        probe = probe_video(video)
    report = build_report(state, {}, inputs=[], bucket=bucket.url, outputs=outputs, probe=probe)
    bucket.put_bytes(report_key(spec.id), render_report(report))


def plan_for(feed: Path, catalog: Catalog, out: Path, target: Path) -> FeedOut:
    plan = feed_out_plan(catalog, str(feed), str(out), FeedOutFlags(str(target), CDN, None))
    assert plan is not None
    return plan


def test_a_video_that_succeeded_and_keeps_the_rules_is_linked_on_its_rows(
    tiktok: tuple[Path, Catalog], reels: dict[str, Path], tmp_path: Path
) -> None:
    feed, catalog = tiktok
    out, target = tmp_path / "out", tmp_path / "tiktok-videos.csv"
    hood, cap = catalog.specs
    publish(open_bucket(str(out)), hood, video=reels["6s"])
    publish(open_bucket(str(out)), cap, video=reels["4s"])
    result = write_feed_out(plan_for(feed, catalog, out, target))
    assert result.linked == ["SK-HOOD"]
    assert result.without == [("SK-CAP-01", "duration 4.0 s: TikTok takes 5–60 s")]
    link = CDN + "SK-HOOD/video.mp4"
    # SK-CAP-01 keeps its own YouTube link; SK-TOTE-02 (out of stock) has no job
    assert changed_cells(feed.read_bytes(), target.read_bytes()) == {
        2: {"video_link": link},
        3: {"video_link": link},
    }


def test_a_product_without_a_usable_video_is_named_with_the_reason(
    tiktok: tuple[Path, Catalog], reels: dict[str, Path], tmp_path: Path
) -> None:
    feed, catalog = tiktok
    out = tmp_path / "out"
    bucket = open_bucket(str(out))
    hood, cap = catalog.specs
    publish(bucket, hood, error="photos: 404 Not Found")
    plan = plan_for(feed, catalog, out, tmp_path / "feed.csv")
    assert write_feed_out(plan).without == [
        ("SK-HOOD", "its job failed"),
        ("SK-CAP-01", "no report in the output"),
    ]
    dry = cap.model_copy(
        update={"options": cap.options.model_copy(update={"backend": BackendName.DRY})}
    )
    publish(bucket, dry)  # a contact sheet, no video
    older = hood.model_copy(update={"source": hood.source.model_copy(update={"digest": "0ld"})})
    bucket.delete_prefix("SK-HOOD/")
    publish(bucket, older, video=reels["6s"])
    assert write_feed_out(plan).without == [
        ("SK-HOOD", "its report is of other inputs (its job did not finish)"),
        ("SK-CAP-01", "no video (the dry backend made none)"),
    ]


def test_a_rerun_that_changes_nothing_leaves_the_feed_as_it_was(
    tiktok: tuple[Path, Catalog], reels: dict[str, Path], tmp_path: Path
) -> None:
    feed, catalog = tiktok
    out, target = tmp_path / "out", tmp_path / "feed.csv"
    for spec in catalog.specs:
        publish(open_bucket(str(out)), spec, video=reels["6s"])
    assert write_feed_out(plan_for(feed, catalog, out, target)).changed
    written, modified = target.read_bytes(), target.stat().st_mtime_ns
    again = write_feed_out(plan_for(feed, catalog, out, target))
    assert not again.changed and again.linked == ["SK-HOOD", "SK-CAP-01"]
    assert (target.read_bytes(), target.stat().st_mtime_ns) == (written, modified)


def test_the_feed_goes_to_s3_in_one_object(
    tiktok: tuple[Path, Catalog], reels: dict[str, Path], s3_out: str
) -> None:
    feed, catalog = tiktok
    bucket = open_bucket(s3_out)
    for spec in catalog.specs:
        publish(bucket, spec, video=reels["6s"])
    target = s3_out.replace("/videos", "/feeds/tiktok.csv")
    flags = FeedOutFlags(target, None, 7)
    plan = feed_out_plan(catalog, str(feed), s3_out, flags)
    assert plan is not None
    result = write_feed_out(plan)
    assert result.address == target
    written = open_bucket(target.rsplit("/", 1)[0]).read_bytes("tiktok.csv")
    assert written is not None
    links = {cells["video_link"] for cells in changed_cells(feed.read_bytes(), written).values()}
    assert all("X-Amz-Signature=" in link for link in links) and len(links) == 2


def test_where_the_feed_may_not_go(tiktok: tuple[Path, Catalog], tmp_path: Path) -> None:
    feed, catalog = tiktok
    with pytest.raises(FeedOutError, match="a folder; name the file"):
        feed_target(str(tmp_path), str(feed))
    with pytest.raises(FeedOutError, match="the feed that is read"):
        feed_target(str(feed), str(feed.resolve()))
    with pytest.raises(FeedOutError, match="name a file"):
        feed_target("s3://bucket/", str(feed))
    with pytest.raises(FeedOutError, match="go with --feed-out"):
        feed_out_plan(catalog, str(feed), str(tmp_path), FeedOutFlags(None, CDN, None))
    assert feed_out_plan(catalog, str(feed), str(tmp_path), FeedOutFlags(None, None, None)) is None
