"""Each platform's feed (``tests/data/feeds``) written back with video links: read again by
the same reader, it has the same products and differs only in the video column."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest

from producer.feeds import FeedFormat, FeedOptions, read_feed
from producer.feeds.write_xml import WriteError
from producer.feeds.writeback import META_TAG, check_writable, written_feed
from tests.feed_rows import changed_cells

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"
CDN = "https://cdn.example/reels/"

# feed → (products given a link, {row or item: the cells written})
CASES = {
    "merchant_center_products.tsv": (
        ["AUR-TRAIL", "AUR-MUG-02"],
        {
            2: {"video_link": CDN + "AUR-TRAIL/video.mp4"},
            3: {"video_link": CDN + "AUR-TRAIL/video.mp4"},  # its variant: the same video
            6: {"video_link": CDN + "AUR-MUG-02/video.mp4"},
            4: {"video_link": ""},  # a new column: empty where there is no video
            5: {"video_link": ""},
        },
    ),
    "merchant_center_products.xml": (
        ["AUR-BOTTLE-750"],
        {3: {"video_link": CDN + "AUR-BOTTLE-750/video.mp4"}},
    ),
    "merchant_center_products.atom.xml": (
        ["AUR-BOTTLE-750"],
        {1: {"video_link": CDN + "AUR-BOTTLE-750/video.mp4"}},
    ),
    "tiktok_catalog.csv": (
        ["PP-SCARF"],
        {n: {"video_link": CDN + "PP-SCARF/video.mp4"} for n in (2, 3)},
    ),
    "tiktok_catalog_currency_column.csv": (
        ["SK-CAP-01"],  # it had a YouTube link of its own: replaced
        {4: {"video_link": CDN + "SK-CAP-01/video.mp4"}},
    ),
    "meta_catalog.csv": (
        ["LL-DESK-01"],
        {2: {"video[0].url": CDN + "LL-DESK-01/video.mp4", "video[0].tag[0]": META_TAG}},
    ),
}


def links_for(ids: list[str]) -> dict[str, str]:
    return {product_id: f"{CDN}{product_id}/video.mp4" for product_id in ids}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_feed_written_back_differs_only_in_its_video_column(name: str) -> None:
    before = (FEEDS / name).read_bytes()
    linked, changes = CASES[name]
    feed = read_feed(before, name)
    after = written_feed(feed, links_for(linked))
    again = read_feed(after, name)
    assert (again.format, again.problems) == (feed.format, [])
    assert [(p.id, p.rows, p.photos) for p in again.products] == [
        (p.id, p.rows, p.photos) for p in feed.products
    ]
    assert changed_cells(before, after) == changes
    assert written_feed(again, links_for(linked)) == after  # written again: the same bytes


def test_the_shopify_export_gets_a_separate_handle_and_video_url_list() -> None:
    before = (FEEDS / "shopify_products_export.csv").read_bytes()
    feed = read_feed(before, "products_export.csv")
    written = written_feed(feed, links_for(["stoneware-mug", "classic-crew-tee"]))
    assert (
        written
        == codecs.BOM_UTF8
        + (  # as the export is saved: a BOM and CRLF
            "Handle,Video URL\r\n"
            f"classic-crew-tee,{CDN}classic-crew-tee/video.mp4\r\n"
            f"stoneware-mug,{CDN}stoneware-mug/video.mp4\r\n"
        ).encode()
    )


def test_a_woocommerce_export_is_refused_before_anything_is_made() -> None:
    feed = read_feed((FEEDS / "woocommerce_products_export.csv").read_bytes(), "wc.csv")
    with pytest.raises(WriteError, match=r"WooCommerce .* takes no video column"):
        check_writable(feed)


def test_a_meta_xml_catalog_gets_metas_video_element() -> None:
    before = (FEEDS / "merchant_center_products.atom.xml").read_bytes()
    feed = read_feed(before, "meta.xml", FeedOptions(format=FeedFormat.META))
    written = written_feed(feed, links_for(["AUR-BOTTLE-750"]))
    video = f"<video><url>{CDN}AUR-BOTTLE-750/video.mp4</url><tag>{META_TAG}</tag></video>"
    brand = b"<g:brand>Aurora Outdoor</g:brand>"
    at = before.index(brand) + len(brand)
    assert written == before[:at] + b"\n    " + video.encode() + before[at:]


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda text: text.encode("cp1252"), "cp1252"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "UTF-16 big-endian"),
        (lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(), "UTF-8, BOM, CRLF"),
    ],
)
def test_the_feed_is_written_in_the_encoding_it_was_read_in(
    encode: Callable[[str], bytes], encoding: str
) -> None:
    text = (FEEDS / "meta_catalog.csv").read_text(encoding="utf-8").replace("Arc", "Arc Déco")
    before = encode(text)
    written = written_feed(read_feed(before, "catalog.csv"), links_for(["LL-DESK-01"]))
    expected = text.replace(
        ",,4006381333931", f"{CDN}LL-DESK-01/video.mp4,{META_TAG},4006381333931"
    )
    assert written == encode(expected), encoding


def test_our_own_jsonl_gets_a_video_link_field() -> None:
    before = (
        b'{"id": "mug-1", "title": "Mug", "photos": ["mug.jpg"]}\n'
        b'{"id": "cup-2", "title": "Cup", "photos": ["cup.jpg"], "video_link": "old"}\r\n'
        b'{"id": "jar-3", "title": "Jar", "photos": ["jar.jpg"]}\n'
    )
    feed = read_feed(before, "products.jsonl")
    written = written_feed(feed, links_for(["mug-1", "cup-2"]))
    assert written.splitlines(keepends=True) == [
        b'{"id": "mug-1", "title": "Mug", "photos": ["mug.jpg"], "video_link": "'
        + f"{CDN}mug-1/video.mp4".encode()
        + b'"}\n',
        b'{"id": "cup-2", "title": "Cup", "photos": ["cup.jpg"], "video_link": "'
        + f"{CDN}cup-2/video.mp4".encode()
        + b'"}\r\n',
        b'{"id": "jar-3", "title": "Jar", "photos": ["jar.jpg"]}\n',
    ]
