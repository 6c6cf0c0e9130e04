"""Catalog in, catalog out: the platforms' feeds through ``photoreel catalog --feed-out`` on
the local backend, photos served over HTTP, the output folder served as the public address.
The written feed reads back with the same reader, differs from the input only in the video
column, each link fetches the product's video from the bucket, and a rerun writes the same
bytes without making anything."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from producer.feeds import read_feed
from producer.feeds.writeback import META_TAG
from tests.feed_rows import changed_cells, rows_of
from tests.integration.test_run import photoreel
from tests.web_server import PhotoServer, rewritten_feed

pytestmark = pytest.mark.integration
FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"

# feed → (prompt, {job: the rows or items that get its link}, {row: cells written there
# besides the links})
CASES = {
    "merchant_center_products.tsv": (  # Google takes 6–240 s
        "6-second promo for {title}, 9:16",
        {"AUR-TRAIL": [2, 3], "AUR-BOTTLE-750": [4], "AUR-MUG-02": [6]},
        {5: {"video_link": ""}},  # the lantern, out of stock: an empty cell in the new column
    ),
    "merchant_center_products.xml": (
        "6-second promo for {title}, 9:16",
        {"AUR-TRAIL": [1, 2], "AUR-BOTTLE-750": [3], "AUR-MUG-02": [5]},
        {},
    ),
    "tiktok_catalog_currency_column.csv": (  # TikTok takes 5–60 s
        "6-second promo for {title}, 9:16",
        {"SK-HOOD": [2, 3], "SK-CAP-01": [4]},  # the cap's own YouTube link replaced
        {},
    ),
    "meta_catalog.csv": ("2-second promo for {title}, 9:16", {"LL-DESK-01": [2]}, {}),
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The output folder ``reels`` and the address a web server gives it (a CDN in front of
    the bucket): ``http://127.0.0.1:PORT/reels/``."""
    out = tmp_path / "reels"
    out.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *_args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_port}/reels/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", list(CASES))
def test_a_feed_comes_back_with_each_products_video_link(
    name: str, loopback_fetch: Path, served: tuple[Path, str], tmp_path: Path
) -> None:
    out, public = served
    prompt, jobs, other_cells = CASES[name]
    written = tmp_path / f"with-videos-{name}"
    with PhotoServer() as server:
        feed = rewritten_feed(FEEDS / name, server, tmp_path / name)
        command = (
            "catalog", str(feed), "--prompt-template", prompt, "--resolution", "720p",
            "--out", str(out), "--feed-out", str(written), "--public-url", public,
        )  # fmt: skip
        result = photoreel(*command)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{len(jobs)} product(s) with a video link" in result.stderr
        rerun = photoreel(*command)
    before, after = feed.read_bytes(), written.read_bytes()
    again = read_feed(after, name)
    assert again.problems == [] and again.format == read_feed(before, name).format
    video_column = "video[0].url" if "meta" in name else "video_link"
    expected: dict[int, dict[str, str]] = {
        number: dict(cells) for number, cells in other_cells.items()
    }
    for job, rows in jobs.items():
        for number in rows:
            expected[number] = {video_column: f"{public}{job}/video.mp4"}
            if "meta" in name:
                expected[number]["video[0].tag[0]"] = META_TAG
    assert changed_cells(before, after) == expected
    links = rows_of(after)
    for job, rows in jobs.items():
        report = json.loads((out / job / "report.json").read_text())
        assert report["status"] == "succeeded" and report["spec"]["source"]["path"] == str(feed)
        link = links[rows[0]][video_column]
        assert httpx.get(link).raise_for_status().content == (out / job / "video.mp4").read_bytes()
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "no jobs" in rerun.stderr and "unchanged," in rerun.stderr
    assert written.read_bytes() == after


def test_a_shopify_export_comes_back_as_a_handle_and_video_url_list(
    loopback_fetch: Path, served: tuple[Path, str], tmp_path: Path
) -> None:
    out, public = served
    written = tmp_path / "shopify-videos.csv"
    with PhotoServer() as server:
        feed = rewritten_feed(FEEDS / "shopify_products_export.csv", server, tmp_path / "p.csv")
        result = photoreel(
            "catalog", str(feed), "--prompt-template", "2-second promo for {title}, 1:1",
            "--resolution", "720p", "--out", str(out), "--feed-out", str(written),
            "--public-url", public, "--locale", "en_US",
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = written.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines == [
        "Handle,Video URL",
        f"classic-crew-tee,{public}classic-crew-tee/video.mp4",
        f"stoneware-mug,{public}stoneware-mug/video.mp4",
        "",
    ]
    for line in lines[1:3]:
        handle, link = line.split(",")
        assert (
            httpx.get(link).raise_for_status().content == (out / handle / "video.mp4").read_bytes()
        )
