"""A feed written back in its own format with each product's video link, in the column its
platform reads videos from:

- Google Merchant Center (CSV/TSV, RSS/Atom): ``video_link`` (``<g:video_link>``) [G];
- Meta catalog: ``video[0].url``, and ``video[0].tag[0]`` = ``photoreel`` (XML:
  ``<video><url>…</url><tag>…</tag></video>``) [M];
- TikTok catalog: ``video_link`` [T];
- Shopify product export: a separate ``Handle,Video URL`` CSV, since its product import takes
  no video column [S];
- photoreel CSV / JSON Lines: ``video_link``;
- WooCommerce product export: not written (its import takes no video column).

[G], [M], [T], [S]: the pages in ``producer.feeds.video_rules``. Every link goes on each row
(or item) its product was read from (a group's variants all get it); the rows of products
without a link are left as they were.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from producer.feeds.merchant_xml import ATOM, GOOGLE
from producer.feeds.model import Feed, FeedFormat, TextLayout, XmlLayout
from producer.feeds.write_table import cell_text, set_columns, split_line_end
from producer.feeds.write_xml import WriteError, google_element, scan_items, set_elements
from producer.text_files import decode_text

META_TAG = "photoreel"
"""The tag of the videos written to a Meta catalog: a product set can select them by it."""
SHOPIFY_HEADER = ("Handle", "Video URL")
BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
"""Byte order marks, longest first, and the codec of what follows each."""


@dataclass(frozen=True)
class VideoColumn:
    columns: tuple[str, ...]
    """The columns set in a text feed: the link, then (Meta) its tag."""
    described: str


VIDEO_COLUMNS = {
    FeedFormat.MERCHANT: VideoColumn(("video_link",), "video_link"),
    FeedFormat.TIKTOK: VideoColumn(("video_link",), "video_link"),
    FeedFormat.META: VideoColumn(("video[0].url", "video[0].tag[0]"), "video[0].url"),
    FeedFormat.PHOTOREEL: VideoColumn(("video_link",), "video_link"),
    FeedFormat.SHOPIFY: VideoColumn(SHOPIFY_HEADER, "a Handle,Video URL list"),
}
NOT_WRITTEN = {
    FeedFormat.WOOCOMMERCE: (
        "a WooCommerce product export is not written back: its product import takes no video column"
    ),
}


def check_writable(feed: Feed) -> None:
    """A WriteError, before anything is made, for a feed that cannot be written back."""
    if feed.format in NOT_WRITTEN:
        raise WriteError(NOT_WRITTEN[feed.format])
    if isinstance(feed.layout, XmlLayout):
        scan = scan_items(feed.raw, feed.layout, set())
        if feed.format != FeedFormat.META:
            google_element(scan, "video_link")


def written_feed(feed: Feed, links: dict[str, str]) -> bytes:
    """The feed's bytes with ``links`` (product id → video URL) in its video column."""
    if feed.format in NOT_WRITTEN:
        raise WriteError(NOT_WRITTEN[feed.format])
    rows: dict[int, str] = {}
    for product in feed.products:
        if product.id in links:
            rows.update(dict.fromkeys(product.rows, links[product.id]))
    if feed.format == FeedFormat.SHOPIFY:
        return _encoded_like(_shopify_list(feed, links), feed.raw)
    if isinstance(feed.layout, XmlLayout):
        return _xml(feed, feed.layout, rows)
    if isinstance(feed.layout, TextLayout):
        columns = VIDEO_COLUMNS[feed.format].columns
        values = {
            row: dict(zip(columns, (url, META_TAG), strict=False)) for row, url in rows.items()
        }
        return _encoded_like(set_columns(feed.text, feed.layout, columns, values), feed.raw)
    return _encoded_like(_jsonl(feed.text, rows), feed.raw)


def _xml(feed: Feed, layout: XmlLayout, rows: dict[int, str]) -> bytes:
    if feed.format == FeedFormat.META:
        scan = scan_items(feed.raw, layout, {"video", f"{ATOM}video"})
        elements = {
            number: f"<video><url>{escape(url)}</url><tag>{META_TAG}</tag></video>"
            for number, url in rows.items()
        }
    else:
        scan = scan_items(feed.raw, layout, {f"{GOOGLE}video_link"})
        name = google_element(scan, "video_link")
        elements = {number: f"<{name}>{escape(url)}</{name}>" for number, url in rows.items()}
    return set_elements(feed.raw, scan, elements)


def _shopify_list(feed: Feed, links: dict[str, str]) -> str:
    """One row per product with a link, in the export's order, as the export writes CSV."""
    newline = feed.layout.newline if isinstance(feed.layout, TextLayout) else "\n"
    lines = [",".join(SHOPIFY_HEADER)]
    for product in feed.products:
        if product.id in links:
            lines.append(f"{cell_text(product.id, ',')},{cell_text(links[product.id], ',')}")
    return newline.join(lines) + newline


def _jsonl(text: str, rows: dict[int, str]) -> str:
    """Our own JSON Lines: ``video_link`` added before the object's closing brace (the rest
    of the line as it was), or its value replaced (that line written anew)."""
    lines = text.splitlines(keepends=True)
    for number, url in rows.items():
        body, end = split_line_end(lines[number - 1])
        fields = json.loads(body)
        if "video_link" in fields:
            fields["video_link"] = url
            lines[number - 1] = json.dumps(fields, ensure_ascii=False) + end
            continue
        stripped = body.rstrip()
        added = f', "video_link": {json.dumps(url)}}}'
        lines[number - 1] = stripped[:-1] + added + body[len(stripped) :] + end
    return "".join(lines)


def _encoded_like(text: str, raw: bytes) -> bytes:
    """``text`` in the encoding ``raw`` was read in, with its byte order mark if it had one."""
    for mark, codec in BOM_CODECS:
        if raw.startswith(mark):
            return mark + text.encode(codec)
    return text.encode(decode_text(raw).encoding if raw else "utf-8")
